"""Turn one snapshot and its blocking graph into findings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime

from engine.config.models import ThresholdsConfig
from engine.monitor.findings import Finding, FindingKind, Severity
from engine.monitor.graph import BlockingGraph
from engine.targets.models import HealthSnapshot, Session


def evaluate(
    snapshot: HealthSnapshot,
    graph: BlockingGraph,
    limits: ThresholdsConfig,
    recent: Mapping[str, Sequence[float | None]] | None = None,
    heads_since: Mapping[int, datetime] | None = None,
) -> list[Finding]:
    """Return every finding of this poll, in a stable order.

    ``recent`` contains the previous polls' figures by metric name (oldest
    first). CPU and memory findings need ``limits.host_sustained_polls``
    polls in a row over the limit; without ``recent`` this poll alone counts.
    ``heads_since`` names the head blockers that an earlier poll saw waiting,
    with the time they became heads (see ``engine.monitor.heads``); their
    blocking counts from then, not from their waiters' lock waits.
    """
    findings: list[Finding] = []
    findings += _blocking(snapshot, graph, limits, heads_since or {})
    findings += _cycles(snapshot, graph)
    findings += _deadlocks(snapshot, limits)
    findings += _long_queries(snapshot, graph, limits)
    findings += _idle_in_transaction(snapshot, graph, limits)
    findings += _connections(snapshot, limits)
    findings += _host(snapshot, limits, recent)
    return findings


def _watched(snapshot: HealthSnapshot) -> list[Session]:
    """Client sessions other than the engine's own."""
    return [
        session
        for session in snapshot.sessions
        if not session.is_system and session.session_id not in snapshot.own_session_ids
    ]


def long_running(snapshot: HealthSnapshot, seconds: float) -> list[Session]:
    """Return the watched sessions running one statement for at least
    ``seconds``, apart from those waiting on a lock: a lock wait is its
    blocker's doing, and the blocking incident names the head."""
    return [
        session
        for session in _watched(snapshot)
        if session.state == "active"
        and session.elapsed_seconds is not None
        and session.elapsed_seconds >= seconds
        and not session.blocked_by
    ]


def _session_key(session: Session | None, session_id: int) -> str:
    if session is None or session.login_time is None:
        return str(session_id)
    return f"{session_id}@{session.login_time.isoformat()}"


def _describe(session: Session | None, session_id: int) -> str:
    if session is None:
        return f"session {session_id}"
    who = f"{session.login or '?'}@{session.host or '?'}"
    program = f" ({session.program})" if session.program else ""
    return f"session {session_id} {who}{program}"


def _blocking(
    snapshot: HealthSnapshot,
    graph: BlockingGraph,
    limits: ThresholdsConfig,
    heads_since: Mapping[int, datetime],
) -> list[Finding]:
    findings = []
    for head in graph.head_blockers:
        victims = graph.victims_of(head)
        waits = [
            snapshot.session(victim).wait_seconds or 0.0
            for victim in victims
            if snapshot.session(victim) is not None
        ]
        longest = max(waits, default=0.0)
        if head in heads_since:
            heading = (snapshot.taken_at - heads_since[head]).total_seconds()
            longest = min(longest, max(0.0, heading))
        if longest < limits.blocked_wait_seconds:
            continue
        session = snapshot.session(head)
        findings.append(
            Finding(
                kind=FindingKind.BLOCKING,
                dedup_key=f"blocking:{_session_key(session, head)}",
                severity=Severity.CRITICAL if len(victims) >= 5 else Severity.WARNING,
                title=f"{_describe(session, head)} blocks {len(victims)} session(s)",
                root_cause=_head_cause(session, head),
                session_id=head,
                metrics={
                    "blocked_sessions": len(victims),
                    "max_wait_seconds": round(longest, 3),
                    "victims": list(victims),
                    "head_state": session.state if session else "unknown",
                    "head_sql": (session.sql_text or "")[:500] if session else "",
                },
            )
        )
    return findings


def _head_cause(session: Session | None, head: int) -> str:
    if session is None:
        return f"head blocker {head} is not a visible session"
    if session.is_idle_in_transaction:
        seconds = session.transaction_seconds or 0
        return (
            f"{_describe(session, head)} is idle in an open transaction "
            f"({seconds:.0f} s) while holding locks others need"
        )
    sql = (session.sql_text or "").strip().replace("\n", " ")[:200]
    return f"{_describe(session, head)} holds locks while running: {sql}"


def _cycles(snapshot: HealthSnapshot, graph: BlockingGraph) -> list[Finding]:
    # A live cycle and the server's deadlock counter describe one episode, so
    # both findings share the database's deadlock dedup key: whichever poll
    # observes it first opens the incident, the other updates it.
    findings = []
    database = snapshot.database or snapshot.target
    for cycle in graph.cycles:
        members = ", ".join(str(member) for member in cycle)
        findings.append(
            Finding(
                kind=FindingKind.DEADLOCK,
                dedup_key=f"deadlock:{database}",
                severity=Severity.CRITICAL,
                title=f"sessions {members} wait on each other (deadlock not yet "
                "broken)",
                root_cause=(
                    f"lock cycle between sessions {members}: each holds a row "
                    "the other needs"
                ),
                session_id=cycle[0],
                metrics={"cycle_sessions": list(cycle)},
            )
        )
    return findings


def _deadlocks(snapshot: HealthSnapshot, limits: ThresholdsConfig) -> list[Finding]:
    count = snapshot.counters.deadlocks.value
    if count is None or count < limits.deadlocks_per_poll:
        return []
    database = snapshot.database or snapshot.target
    return [
        Finding(
            kind=FindingKind.DEADLOCK,
            dedup_key=f"deadlock:{database}",
            severity=Severity.CRITICAL,
            title=f"{count:.0f} deadlock(s) in {database} since the last poll",
            root_cause=(
                "two or more transactions locked the same rows in opposite "
                "order; the server rolled back a victim"
            ),
            metrics={"deadlocks": int(count)},
        )
    ]


def _long_queries(
    snapshot: HealthSnapshot, graph: BlockingGraph, limits: ThresholdsConfig
) -> list[Finding]:
    findings = []
    # Cancelling a lock waiter's statement would hit the victim, so
    # long_running leaves lock waits out.
    for session in long_running(snapshot, limits.long_query_seconds):
        elapsed = session.elapsed_seconds
        sql = (session.sql_text or "").strip().replace("\n", " ")
        findings.append(
            Finding(
                kind=FindingKind.LONG_QUERY,
                dedup_key=f"long_query:{_session_key(session, session.session_id)}",
                severity=Severity.WARNING,
                title=f"{_describe(session, session.session_id)} running "
                f"{elapsed:.0f} s",
                root_cause=f"statement running for {elapsed:.0f} s: {sql[:200]}",
                session_id=session.session_id,
                metrics={
                    "elapsed_seconds": round(elapsed, 1),
                    "blocked_sessions": len(graph.victims_of(session.session_id)),
                    "sql": sql[:500],
                },
            )
        )
    return findings


def _idle_in_transaction(
    snapshot: HealthSnapshot, graph: BlockingGraph, limits: ThresholdsConfig
) -> list[Finding]:
    findings = []
    for session in _watched(snapshot):
        age = session.state_seconds
        if not session.is_idle_in_transaction or age is None:
            continue
        if age < limits.idle_in_transaction_seconds:
            continue
        findings.append(
            Finding(
                kind=FindingKind.IDLE_IN_TRANSACTION,
                dedup_key=(
                    f"idle_in_transaction:{_session_key(session, session.session_id)}"
                ),
                severity=Severity.WARNING,
                title=f"{_describe(session, session.session_id)} idle in "
                f"transaction {age:.0f} s",
                root_cause=(
                    "the application opened a transaction and stopped sending "
                    "statements without committing"
                ),
                session_id=session.session_id,
                metrics={
                    "idle_seconds": round(age, 1),
                    "blocked_sessions": len(graph.victims_of(session.session_id)),
                },
            )
        )
    return findings


def _connections(snapshot: HealthSnapshot, limits: ThresholdsConfig) -> list[Finding]:
    counters = snapshot.counters
    count = counters.connections.value
    if count is None:
        return []
    maximum = counters.max_connections.value
    limit = connection_limit(limits, maximum)
    if count < limit:
        return []

    by_program = Counter(
        session.program or "(none)"
        for session in snapshot.sessions
        if not session.is_system
    )
    top_program, top_count = by_program.most_common(1)[0] if by_program else ("", 0)
    of_max = f" of {maximum:.0f}" if maximum else ""
    return [
        Finding(
            kind=FindingKind.CONNECTIONS,
            dedup_key=f"connections:{snapshot.target}",
            severity=Severity.CRITICAL
            if maximum and count >= 0.95 * maximum
            else Severity.WARNING,
            title=f"{count:.0f}{of_max} connections (limit {limit:.0f})",
            root_cause=(
                f"application {top_program!r} holds {top_count} of {count:.0f} "
                "connections"
            ),
            metrics={
                "connections": int(count),
                "limit": limit,
                "top_application": top_program,
                "top_application_connections": top_count,
                "by_application": dict(by_program.most_common(5)),
            },
        )
    ]


def _sustained(
    metric: str,
    limit: float,
    polls: int,
    recent: Mapping[str, Sequence[float | None]] | None,
) -> bool:
    # One busy second on a shared host is not an incident.
    if recent is None or polls <= 1:
        return True
    earlier = list(recent.get(metric, ()))[-(polls - 1) :]
    if len(earlier) < polls - 1:
        return False
    return all(item is not None and item >= limit for item in earlier)


def connection_limit(limits: ThresholdsConfig, maximum: float | None) -> float:
    """Return the connection count that alarms: a count, or a share of the max."""
    limit = float(limits.connections_warn)
    if maximum:
        limit = min(limit, float(maximum) * limits.connections_warn_percent / 100)
    return limit


def _host(
    snapshot: HealthSnapshot,
    limits: ThresholdsConfig,
    recent: Mapping[str, Sequence[float | None]] | None,
) -> list[Finding]:
    counters = snapshot.counters
    checks = [
        (FindingKind.CPU, counters.cpu_percent, limits.cpu_percent, "CPU", "%"),
        (
            FindingKind.MEMORY,
            counters.memory_percent,
            limits.memory_percent,
            "memory",
            "%",
        ),
        (
            FindingKind.TEMP_SPACE,
            counters.temp_space_mb,
            limits.temp_space_mb,
            "temp space",
            " MB",
        ),
    ]
    findings = []
    sustained_metrics = {
        FindingKind.CPU: "cpu_percent",
        FindingKind.MEMORY: "memory_percent",
    }
    for kind, figure, limit, label, unit in checks:
        if figure.value is None or figure.value < limit:
            continue
        metric = sustained_metrics.get(kind)
        polls = limits.host_sustained_polls
        if metric and not _sustained(metric, limit, polls, recent):
            continue
        findings.append(
            Finding(
                kind=kind,
                dedup_key=f"{kind.value}:{snapshot.target}",
                severity=Severity.WARNING,
                title=f"{label} at {figure.value:.0f}{unit} (limit {limit:.0f}{unit})",
                root_cause=f"{label} above its threshold of {limit:.0f}{unit}",
                metrics={"value": figure.value, "limit": limit},
            )
        )
    return findings
