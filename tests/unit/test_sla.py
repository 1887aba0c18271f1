"""SLA arithmetic on tables of incidents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.config.models import SlaConfig
from engine.incidents.models import Incident, Status, TimelineEntry
from engine.incidents.sla import is_breach, is_person, sla_report

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TARGETS = SlaConfig(critical_minutes=60, warning_minutes=240)


def minutes_ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def incident(
    incident_id: int = 1,
    severity: str = "critical",
    detected: float = 90,
    resolve_after: float | None = None,
    detect_delay: float = 0.5,
    steps: tuple[tuple[str, Status, float], ...] = (),
    drill_id: int | None = None,
) -> Incident:
    """An incident detected ``detected`` minutes before NOW.

    ``steps`` are status changes as (actor, status, minutes after detection);
    ``resolve_after`` adds a RESOLVED step by the engine unless a step resolves.
    """
    detected_at = minutes_ago(detected)
    timeline = [
        TimelineEntry(detected_at, "engine", "detected", "", None, Status.DETECTED)
    ]
    status = Status.DETECTED
    resolved_at = None
    for actor, to_status, after in steps:
        at = detected_at + timedelta(minutes=after)
        timeline.append(TimelineEntry(at, actor, "", "", status, to_status))
        status = to_status
        if to_status is Status.RESOLVED:
            resolved_at = at
    if resolve_after is not None and resolved_at is None:
        resolved_at = detected_at + timedelta(minutes=resolve_after)
        timeline.append(
            TimelineEntry(resolved_at, "engine", "", "", status, Status.RESOLVED)
        )
        status = Status.RESOLVED
    return Incident(
        id=incident_id,
        kind="blocking",
        dedup_key=f"blocking:{incident_id}",
        status=status,
        severity=severity,
        title="blocking",
        root_cause="",
        target="test",
        session_id=None,
        metrics={},
        peak={},
        started_at=detected_at - timedelta(minutes=detect_delay),
        detected_at=detected_at,
        last_seen_at=detected_at,
        resolved_at=resolved_at,
        drill_id=drill_id,
        timeline=timeline,
    )


@pytest.mark.parametrize(
    ("case", "row", "breached"),
    [
        ("critical resolved at target", incident(resolve_after=60), False),
        ("critical resolved past target", incident(resolve_after=60.01), True),
        ("critical resolved early", incident(resolve_after=5), False),
        ("critical open at target", incident(detected=60), False),
        ("critical open past target", incident(detected=60.01), True),
        ("warning open past critical", incident(severity="warning"), False),
        (
            "warning resolved at target",
            incident(severity="warning", detected=300, resolve_after=240),
            False,
        ),
        (
            "warning resolved past target",
            incident(severity="warning", detected=300, resolve_after=241),
            True,
        ),
        ("warning open past target", incident(severity="warning", detected=241), True),
        ("severity without target", incident(severity="info", detected=900), False),
    ],
)
def test_breach_edges(case, row, breached):
    assert is_breach(row, TARGETS, NOW) is breached, case


@pytest.mark.parametrize(
    ("actor", "person"),
    [
        ("engine", False),
        ("engine (auto)", False),
        ("remediation", False),
        ("chaos", False),
        ("scheduler", False),
        ("drill 12", False),
        ("alice", True),
        ("api", True),
        ("drill sergeant", True),
    ],
)
def test_person_actors(actor, person):
    assert is_person(actor) is person


def test_empty_window_means_are_null():
    old = incident(detected=25 * 60, resolve_after=5)

    report = sla_report([old], TARGETS, NOW, hours=24)

    assert report.total == 0
    assert report.open == 0
    assert report.breaches == 0
    assert report.by_severity == {}
    assert report.mean_seconds_to_detect is None
    assert report.mean_seconds_to_acknowledge is None
    assert report.mean_seconds_to_resolve is None
    assert report.automatic_share is None


# The table: id, then what each row tests.
TABLE = [
    # 1: resolved by the engine after auto-remediation, no person involved.
    incident(
        1,
        detected=120,
        detect_delay=1,
        steps=(
            ("engine (auto)", Status.INVESTIGATING, 0),
            ("engine (auto)", Status.REMEDIATING, 0),
            ("engine", Status.RESOLVED, 10),
        ),
    ),
    # 2: a person acknowledges after 4 min, and the engine resolves it past the target.
    incident(
        2,
        detected=200,
        detect_delay=0,
        steps=(
            ("alice", Status.INVESTIGATING, 4),
            ("alice", Status.REMEDIATING, 6),
            ("engine", Status.RESOLVED, 90),
        ),
    ),
    # 3: escalated by the engine first; a person resolves it at 20 min, and
    # that first status change by a person is the acknowledgement.
    incident(
        3,
        detected=100,
        detect_delay=0.5,
        steps=(("engine", Status.ESCALATED, 15), ("bob", Status.RESOLVED, 20)),
    ),
    # 4: a warning still open inside its target, with no action yet.
    incident(4, severity="warning", detected=30, detect_delay=0.5),
    # 5: a drill incident that the drill remediated and the engine resolved.
    incident(
        5,
        detected=10,
        detect_delay=0,
        drill_id=7,
        steps=(
            ("drill 7", Status.INVESTIGATING, 0),
            ("drill 7", Status.REMEDIATING, 0),
            ("engine", Status.RESOLVED, 1),
        ),
    ),
    # 6: detected before the window, so left out.
    incident(6, detected=24 * 60 + 1, resolve_after=600),
]


@pytest.fixture
def report():
    return sla_report(TABLE, TARGETS, NOW, hours=24)


def test_sla_counts(report):
    assert report.total == 5
    assert report.open == 1
    assert report.drills == 1
    assert report.by_severity == {"critical": 4, "warning": 1}
    assert report.by_status == {"RESOLVED": 4, "DETECTED": 1}
    assert report.resolved == 4


def test_sla_breaches(report):
    assert report.breached_ids == (2,)
    assert report.breaches == 1
    assert report.open_breaches == 0


def test_sla_mean_times(report):
    assert report.mean_seconds_to_detect == pytest.approx((60 + 0 + 30 + 30 + 0) / 5)
    # Only incidents 2 and 3 were moved by a person.
    assert report.mean_seconds_to_acknowledge == pytest.approx((4 * 60 + 20 * 60) / 2)
    assert report.mean_seconds_to_resolve == pytest.approx(
        (10 * 60 + 90 * 60 + 20 * 60 + 60) / 4
    )


def test_sla_automatic_share(report):
    # Incidents 1 (engine) and 5 (drill) resolved without a person.
    assert report.resolved_automatically == 2
    assert report.automatic_share == pytest.approx(0.5)


def test_sla_open_breach_counted():
    rows = [incident(1, detected=61), incident(2, detected=59)]

    report = sla_report(rows, TARGETS, NOW, hours=24)

    assert report.breached_ids == (1,)
    assert report.open_breaches == 1
    assert report.automatic_share is None


def test_sla_window_bounds():
    rows = [incident(1, detected=60), incident(2, detected=61)]

    report = sla_report(rows, TARGETS, NOW, hours=1)

    assert report.total == 1
    assert report.since == NOW - timedelta(hours=1)
