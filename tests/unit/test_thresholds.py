"""Findings from handmade snapshots."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from engine.config.models import ThresholdsConfig
from engine.monitor.findings import Finding, FindingKind, Severity
from engine.monitor.graph import build_graph
from engine.monitor.heads import HeadHistory
from engine.monitor.history import figures_of
from engine.monitor.thresholds import evaluate
from engine.targets.models import Counters, Figure, HealthSnapshot, Session

TAKEN_AT = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
LOGIN_TIME = datetime(2024, 5, 1, 11, 30, 0, tzinfo=UTC)

LIMITS = ThresholdsConfig(
    blocked_wait_seconds=0.5,
    long_query_seconds=30,
    connections_warn=50,
    connections_warn_percent=80,
    idle_in_transaction_seconds=60,
    deadlocks_per_poll=1,
)

UNAVAILABLE = Figure.unavailable("not reported by this server")


def counters(**figures: float | None) -> Counters:
    """Return counters, all n/a except the ones given."""
    values = {
        name: UNAVAILABLE
        for name in (
            "connections",
            "max_connections",
            "active_requests",
            "cpu_percent",
            "memory_percent",
            "temp_space_mb",
            "transactions_per_second",
            "deadlocks",
            "cache_hit_ratio",
            "database_size_mb",
        )
    }
    for name, value in figures.items():
        values[name] = Figure(value)
    return Counters(**values)


def session(session_id: int, **fields) -> Session:
    """Return an idle client session, with ``fields`` overriding any column."""
    base = Session(
        session_id=session_id,
        login="app_user",
        host="10.0.0.5",
        program="billing",
        database="orders",
        state="idle",
        command=None,
        wait_type=None,
        wait_seconds=None,
        elapsed_seconds=None,
        open_transactions=0,
        blocked_by=(),
        sql_text="select 1",
        login_time=LOGIN_TIME,
    )
    return replace(base, **fields)


def waiter(session_id: int, blocked_by: tuple[int, ...], wait: float) -> Session:
    return session(
        session_id,
        state="active",
        wait_type="Lock",
        wait_seconds=wait,
        elapsed_seconds=wait,
        open_transactions=1,
        blocked_by=blocked_by,
        sql_text="update accounts set balance = 0 where id = 7",
    )


def snapshot(
    *sessions: Session,
    own: frozenset[int] = frozenset(),
    figures: Counters | None = None,
) -> HealthSnapshot:
    return HealthSnapshot(
        taken_at=TAKEN_AT,
        target="demo",
        database="orders",
        sessions=sessions,
        counters=figures or counters(),
        own_session_ids=own,
    )


def run(shot: HealthSnapshot, limits: ThresholdsConfig = LIMITS) -> list[Finding]:
    return evaluate(shot, build_graph(shot.sessions), limits)


def of_kind(findings: list[Finding], kind: FindingKind) -> list[Finding]:
    return [finding for finding in findings if finding.kind is kind]


# --- blocking -----------------------------------------------------------------


def test_blocking_short_wait_ignored() -> None:
    head = session(1, state="active", open_transactions=1)
    findings = run(snapshot(head, waiter(2, (1,), 0.4)))

    assert of_kind(findings, FindingKind.BLOCKING) == []


def test_blocking_at_threshold() -> None:
    head = session(1, state="active", open_transactions=1)
    findings = run(snapshot(head, waiter(2, (1,), 0.5)))

    blocking = of_kind(findings, FindingKind.BLOCKING)
    assert len(blocking) == 1
    assert blocking[0].session_id == 1
    assert blocking[0].severity is Severity.WARNING


def test_blocking_max_wait_counts() -> None:
    # The direct waiter waited briefly, the one behind it long enough.
    head = session(1, state="active", open_transactions=1)
    shot = snapshot(head, waiter(2, (1,), 0.1), waiter(3, (2,), 4.0))

    blocking = of_kind(run(shot), FindingKind.BLOCKING)

    assert len(blocking) == 1
    assert blocking[0].metrics["max_wait_seconds"] == 4.0
    assert blocking[0].metrics["victims"] == [2, 3]
    assert blocking[0].metrics["blocked_sessions"] == 2


def polls(*shots: HealthSnapshot) -> list[list[Finding]]:
    """Evaluate ``shots`` as consecutive polls, remembering the heads."""
    heads = HeadHistory()
    results = []
    for shot in shots:
        graph = build_graph(shot.sessions)
        since = heads.update(graph, shot.taken_at)
        results.append(
            of_kind(
                evaluate(shot, graph, LIMITS, heads_since=since), FindingKind.BLOCKING
            )
        )
    return results


def later(shot: HealthSnapshot, seconds: float) -> HealthSnapshot:
    return replace(shot, taken_at=shot.taken_at + timedelta(seconds=seconds))


def test_blocking_hand_over_not_long() -> None:
    # 1 holds the lock, 2 waits on 1 and 3 waits behind 2. When 1 is killed,
    # 2 takes the lock. 3 has waited 30 s, but not on 2 for that long.
    holder = session(1, state="active", open_transactions=1)
    before = snapshot(holder, waiter(2, (1,), 30.0), waiter(3, (2,), 30.0))
    handed_over = later(
        snapshot(
            session(2, state="active", open_transactions=1), waiter(3, (2,), 30.2)
        ),
        0.2,
    )

    first, second = polls(before, handed_over)

    assert [finding.session_id for finding in first] == [1]
    assert second == []


def test_blocking_new_head_timed_from_hand_over() -> None:
    holder = session(1, state="active", open_transactions=1)
    before = snapshot(holder, waiter(2, (1,), 30.0), waiter(3, (2,), 30.0))
    head = session(2, state="idle in transaction", open_transactions=1)
    handed_over = snapshot(head, waiter(3, (2,), 31.0))

    _, at_hand_over, still_held = polls(
        before, later(handed_over, 1.0), later(handed_over, 3.0)
    )

    assert at_hand_over == []
    assert [finding.session_id for finding in still_held] == [2]
    assert still_held[0].metrics["max_wait_seconds"] == 2.0


def test_blocking_head_never_waiting_keeps_wait() -> None:
    head = session(1, state="active", open_transactions=1)
    shot = snapshot(head, waiter(2, (1,), 30.0))

    (findings,) = polls(shot)

    assert findings[0].metrics["max_wait_seconds"] == 30.0


def test_blocking_dedup_key_has_login_time() -> None:
    head = session(1, state="active", open_transactions=1)
    finding = of_kind(run(snapshot(head, waiter(2, (1,), 3.0))), FindingKind.BLOCKING)

    assert finding[0].dedup_key == "blocking:1@2024-05-01T11:30:00+00:00"


def test_blocking_dedup_key_new_login() -> None:
    # A reused pid with another login time is another incident.
    first = session(1, state="active")
    second = session(1, state="active", login_time=TAKEN_AT)

    key_first = run(snapshot(first, waiter(2, (1,), 3.0)))[0].dedup_key
    key_second = run(snapshot(second, waiter(2, (1,), 3.0)))[0].dedup_key

    assert key_first != key_second


def test_blocking_dedup_key_without_login_time() -> None:
    head = session(1, state="active", login_time=None)
    finding = run(snapshot(head, waiter(2, (1,), 3.0)))[0]

    assert finding.dedup_key == "blocking:1"


def test_blocking_idle_head_root_cause() -> None:
    head = session(
        1,
        state="idle in transaction",
        open_transactions=1,
        transaction_seconds=42.0,
        state_seconds=10.0,
    )
    finding = of_kind(run(snapshot(head, waiter(2, (1,), 3.0))), FindingKind.BLOCKING)

    assert finding[0].metrics["head_state"] == "idle in transaction"
    assert "idle in an open transaction (42 s)" in finding[0].root_cause


def test_blocking_five_victims_critical() -> None:
    head = session(1, state="active")
    waiters = [waiter(number, (1,), 3.0) for number in range(2, 7)]
    finding = of_kind(run(snapshot(head, *waiters)), FindingKind.BLOCKING)

    assert finding[0].severity is Severity.CRITICAL
    assert finding[0].metrics["blocked_sessions"] == 5


def test_blocking_head_not_in_snapshot() -> None:
    finding = of_kind(run(snapshot(waiter(2, (99,), 3.0))), FindingKind.BLOCKING)

    assert finding[0].dedup_key == "blocking:99"
    assert finding[0].metrics["head_state"] == "unknown"
    assert finding[0].root_cause == "head blocker 99 is not a visible session"


def test_blocking_one_finding_per_head() -> None:
    shot = snapshot(
        session(1, state="active"),
        session(5, state="active"),
        waiter(2, (1,), 3.0),
        waiter(6, (5,), 3.0),
    )

    keys = [finding.dedup_key for finding in of_kind(run(shot), FindingKind.BLOCKING)]

    assert keys == [
        "blocking:1@2024-05-01T11:30:00+00:00",
        "blocking:5@2024-05-01T11:30:00+00:00",
    ]


# --- deadlocks ----------------------------------------------------------------


def test_deadlock_counter_delta() -> None:
    findings = run(snapshot(figures=counters(deadlocks=2)))

    assert len(findings) == 1
    assert findings[0].kind is FindingKind.DEADLOCK
    assert findings[0].dedup_key == "deadlock:orders"
    assert findings[0].severity is Severity.CRITICAL
    assert findings[0].metrics == {"deadlocks": 2}


def test_deadlock_zero_delta_no_finding() -> None:
    assert run(snapshot(figures=counters(deadlocks=0))) == []


def test_deadlock_below_per_poll_limit() -> None:
    limits = LIMITS.model_copy(update={"deadlocks_per_poll": 3})

    assert run(snapshot(figures=counters(deadlocks=2)), limits) == []


# --- n/a figures --------------------------------------------------------------


def test_all_figures_na_no_findings() -> None:
    assert run(snapshot(figures=counters())) == []


def test_na_connections_with_max_no_finding() -> None:
    assert run(snapshot(figures=counters(max_connections=10))) == []


def test_host_figures_at_limit() -> None:
    shot = snapshot(
        figures=counters(cpu_percent=95, memory_percent=90, temp_space_mb=10)
    )

    kinds = [finding.kind for finding in run(shot)]

    assert kinds == [FindingKind.CPU, FindingKind.MEMORY]


# --- connections --------------------------------------------------------------


def test_connections_below_warn() -> None:
    assert run(snapshot(figures=counters(connections=49))) == []


def test_connections_at_warn() -> None:
    findings = run(snapshot(figures=counters(connections=50)))

    assert len(findings) == 1
    assert findings[0].kind is FindingKind.CONNECTIONS
    assert findings[0].dedup_key == "connections:demo"
    assert findings[0].metrics["limit"] == 50.0
    assert findings[0].severity is Severity.WARNING


def test_connections_percent_of_max() -> None:
    # 80 % of 30 is 24, below connections_warn of 50.
    findings = run(snapshot(figures=counters(connections=24, max_connections=30)))

    assert len(findings) == 1
    assert findings[0].metrics["limit"] == 24.0
    assert findings[0].title == "24 of 30 connections (limit 24)"


def test_connections_below_percent_of_max() -> None:
    assert run(snapshot(figures=counters(connections=23, max_connections=30))) == []


def test_connections_near_max_critical() -> None:
    findings = run(snapshot(figures=counters(connections=29, max_connections=30)))

    assert findings[0].severity is Severity.CRITICAL


def test_connections_top_application() -> None:
    sessions = [session(number, program="flood") for number in range(1, 4)]
    sessions.append(session(10, program="billing"))
    shot = snapshot(*sessions, figures=counters(connections=60))

    metrics = run(shot)[0].metrics

    assert metrics["top_application"] == "flood"
    assert metrics["top_application_connections"] == 3
    assert metrics["by_application"] == {"flood": 3, "billing": 1}


# --- long queries -------------------------------------------------------------


def long_query(session_id: int, elapsed: float, **fields) -> Session:
    return session(
        session_id,
        state="active",
        elapsed_seconds=elapsed,
        sql_text="select count(*)\nfrom claims",
        **fields,
    )


def test_long_query_at_limit() -> None:
    findings = run(snapshot(long_query(3, 30.0)))

    assert len(findings) == 1
    assert findings[0].kind is FindingKind.LONG_QUERY
    assert findings[0].dedup_key == "long_query:3@2024-05-01T11:30:00+00:00"
    assert findings[0].metrics["sql"] == "select count(*) from claims"


def test_long_query_below_limit() -> None:
    assert run(snapshot(long_query(3, 29.9))) == []


def test_long_query_needs_active_state() -> None:
    shot = snapshot(session(3, state="idle", elapsed_seconds=500.0))

    assert run(shot) == []


def test_long_query_counts_its_victims() -> None:
    shot = snapshot(long_query(3, 45.0), waiter(4, (3,), 0.1))

    finding = of_kind(run(shot), FindingKind.LONG_QUERY)[0]

    assert finding.metrics["blocked_sessions"] == 1


def test_long_query_own_session_ignored() -> None:
    shot = snapshot(long_query(3, 500.0), own=frozenset({3}))

    assert run(shot) == []


def test_long_query_system_session_ignored() -> None:
    shot = snapshot(
        long_query(3, 500.0, is_system=True, backend_type="autovacuum worker")
    )

    assert run(shot) == []


# --- idle in transaction ------------------------------------------------------


def idle(session_id: int, age: float, **fields) -> Session:
    return session(
        session_id,
        state="idle in transaction",
        state_seconds=age,
        transaction_seconds=age,
        open_transactions=1,
        **fields,
    )


def test_idle_in_transaction_at_limit() -> None:
    findings = run(snapshot(idle(8, 60.0)))

    assert len(findings) == 1
    assert findings[0].kind is FindingKind.IDLE_IN_TRANSACTION
    expected = "idle_in_transaction:8@2024-05-01T11:30:00+00:00"
    assert findings[0].dedup_key == expected
    assert findings[0].metrics["idle_seconds"] == 60.0


def test_idle_in_transaction_below_limit() -> None:
    assert run(snapshot(idle(8, 59.0))) == []


def test_idle_in_transaction_aborted() -> None:
    shot = snapshot(replace(idle(8, 120.0), state="idle in transaction (aborted)"))

    kinds = [finding.kind for finding in run(shot)]

    assert kinds == [FindingKind.IDLE_IN_TRANSACTION]


def test_plain_idle_no_finding() -> None:
    shot = snapshot(session(8, state="idle", state_seconds=5000.0))

    assert run(shot) == []


def test_idle_in_transaction_own_session_ignored() -> None:
    assert run(snapshot(idle(8, 600.0), own=frozenset({8}))) == []


def test_idle_in_transaction_system_session_ignored() -> None:
    assert run(snapshot(idle(8, 600.0, is_system=True))) == []


def test_idle_head_blocker_two_findings() -> None:
    shot = snapshot(idle(8, 90.0), waiter(9, (8,), 5.0))

    kinds = [finding.kind for finding in run(shot)]

    assert kinds == [FindingKind.BLOCKING, FindingKind.IDLE_IN_TRANSACTION]


def test_cpu_needs_sustained_polls() -> None:
    shot = snapshot(figures=counters(cpu_percent=97.0))
    limits = ThresholdsConfig(cpu_percent=90, host_sustained_polls=3)

    one_busy = evaluate(
        shot, build_graph(shot.sessions), limits, {"cpu_percent": [20.0, 95.0]}
    )
    busy_run = evaluate(
        shot, build_graph(shot.sessions), limits, {"cpu_percent": [95.0, 99.0]}
    )
    too_short = evaluate(
        shot, build_graph(shot.sessions), limits, {"cpu_percent": [99.0]}
    )
    with_gap = evaluate(
        shot, build_graph(shot.sessions), limits, {"cpu_percent": [None, 99.0]}
    )

    assert of_kind(one_busy, FindingKind.CPU) == []
    assert len(of_kind(busy_run, FindingKind.CPU)) == 1
    assert of_kind(too_short, FindingKind.CPU) == []
    assert of_kind(with_gap, FindingKind.CPU) == []


def test_long_query_waiting_on_lock_ignored() -> None:
    # The blocking finding names the head; cancelling the waiter would be wrong.
    shot = snapshot(long_query(3, 45.0), long_query(4, 45.0, blocked_by=(3,)))

    findings = of_kind(run(shot), FindingKind.LONG_QUERY)

    assert [finding.session_id for finding in findings] == [3]


def test_long_query_card_skips_lock_waits() -> None:
    # The card counts the sessions the long_query findings name, no more.
    shot = snapshot(long_query(3, 45.0), long_query(4, 45.0, blocked_by=(3,)))

    figures = figures_of(shot, build_graph(shot.sessions), LIMITS.long_query_seconds)

    assert figures["long_queries"] == 1
