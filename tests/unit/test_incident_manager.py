"""IncidentManager: dedup, flap damping, auto-resolve, escalation and events."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from engine.events import Event, EventBus, IncidentChanged
from engine.incidents.manager import IncidentManager
from engine.incidents.models import IncidentNotFound, Status
from engine.incidents.postmortem import render_postmortem
from engine.monitor.findings import Finding, FindingKind, Severity

# The values the manager fixture in tests/unit/conftest.py is built with.
CLEAR_POLLS = 2
ESCALATE_AFTER = timedelta(seconds=60)


def at(start: datetime, poll: int) -> datetime:
    """Return the time of poll number ``poll``, one second apart."""
    return start + timedelta(seconds=poll)


def actions(manager: IncidentManager, incident_id: int) -> list[str]:
    return [entry.action for entry in manager.get(incident_id).timeline]


def drain(queue: asyncio.Queue[Event]) -> list[Event]:
    events = []
    while not queue.empty():
        events.append(queue.get_nowait())
    return events


def open_incident(manager, finding, start) -> int:
    (incident,) = manager.observe("demo", [finding], start)
    return incident.id


def clear(manager: IncidentManager, start: datetime, polls: range) -> None:
    for poll in polls:
        manager.observe("demo", [], at(start, poll))


def test_fixture_config_matches(manager) -> None:
    assert manager.config.clear_polls == CLEAR_POLLS
    assert manager.config.escalate_after_seconds == ESCALATE_AFTER.total_seconds()


# --- opening and dedup --------------------------------------------------------


def test_observe_opens_detected(manager, finding, poll_start) -> None:
    opened = manager.observe("demo", [finding], poll_start)

    assert len(opened) == 1
    incident = manager.get(opened[0].id)
    assert incident.status is Status.DETECTED
    assert incident.dedup_key == "blocking:101"
    assert incident.kind == "blocking"
    assert incident.severity == "warning"
    assert incident.target == "demo"
    assert incident.session_id == 101
    assert incident.occurrences == 1
    assert incident.detected_at == poll_start
    assert incident.last_seen_at == poll_start


def test_observe_condition_start_from_wait(manager, make_finding, poll_start):
    opened = manager.observe("demo", [make_finding(wait=12.5)], poll_start)

    incident = manager.get(opened[0].id)
    assert incident.started_at == poll_start - timedelta(seconds=12.5)
    assert incident.seconds_to_detect == 12.5


def test_long_query_starts_with_statement(manager, poll_start):
    finding = Finding(
        kind=FindingKind.LONG_QUERY,
        dedup_key="long_query:7",
        severity=Severity.WARNING,
        title="session 7 running 42 s",
        root_cause="statement running for 42 s: select 1",
        session_id=7,
        metrics={"elapsed_seconds": 42.0},
    )

    (opened,) = manager.observe("demo", [finding], poll_start)

    assert opened.started_at == poll_start - timedelta(seconds=42)


def test_dedup_same_key_one_incident(manager, make_finding, poll_start) -> None:
    first = manager.observe("demo", [make_finding(wait=1.0)], at(poll_start, 0))
    second = manager.observe("demo", [make_finding(wait=9.0)], at(poll_start, 1))
    third = manager.observe("demo", [make_finding(wait=4.0)], at(poll_start, 2))

    assert len(first) == 1
    assert second == []
    assert third == []
    incidents = manager.repository.search()
    assert len(incidents) == 1
    incident = manager.get(first[0].id)
    assert incident.occurrences == 3
    assert incident.last_seen_at == at(poll_start, 2)
    assert incident.detected_at == at(poll_start, 0)


def test_dedup_keeps_peak_and_latest(manager, make_finding, poll_start) -> None:
    (opened,) = manager.observe("demo", [make_finding(wait=1.0)], at(poll_start, 0))
    manager.observe("demo", [make_finding(wait=9.0)], at(poll_start, 1))
    manager.observe("demo", [make_finding(wait=4.0)], at(poll_start, 2))

    incident = manager.get(opened.id)
    assert incident.peak["max_wait_seconds"] == 9.0
    assert incident.metrics["max_wait_seconds"] == 4.0


def test_dedup_within_one_poll(manager, finding, poll_start) -> None:
    opened = manager.observe("demo", [finding, finding], poll_start)

    assert len(opened) == 1
    assert manager.get(opened[0].id).occurrences == 1


def test_different_keys_different_incidents(manager, make_finding, poll_start) -> None:
    opened = manager.observe(
        "demo", [make_finding(head=1), make_finding(head=2)], poll_start
    )

    assert [incident.dedup_key for incident in opened] == [
        "blocking:1",
        "blocking:2",
    ]
    assert opened[0].id != opened[1].id
    assert len(manager.repository.open_incidents()) == 2


def test_same_key_other_target(manager, finding, poll_start) -> None:
    first = manager.observe("east", [finding], poll_start)
    second = manager.observe("west", [finding], at(poll_start, 1))

    assert len(first) == 1
    assert len(second) == 1
    assert first[0].id != second[0].id


def test_resolved_key_opens_new_incident(manager, finding, poll_start) -> None:
    incident_id = open_incident(manager, finding, poll_start)
    manager.transition(incident_id, Status.ESCALATED, "alice")
    manager.transition(incident_id, Status.RESOLVED, "alice")

    opened = manager.observe("demo", [finding], at(poll_start, 1))

    assert len(opened) == 1
    assert opened[0].id != incident_id


def resolve_while_seen(manager, make_finding, poll_start) -> tuple[int, datetime]:
    """Open an incident whose wait began 2 minutes before the poll, resolve it
    by hand before any clear poll, and return it with its resolve time."""
    incident_id = open_incident(manager, make_finding(wait=120.0), poll_start)
    manager.transition(incident_id, Status.ESCALATED, "alice")
    resolved = manager.transition(incident_id, Status.RESOLVED, "alice")
    return incident_id, resolved.resolved_at


def test_recurrence_after_early_resolve(manager, make_finding, poll_start):
    first, resolved_at = resolve_while_seen(manager, make_finding, poll_start)

    next_poll = resolved_at + timedelta(seconds=1)
    (opened,) = manager.observe("demo", [make_finding(wait=700.0)], next_poll)

    incident = manager.get(opened.id)
    assert incident.started_at == resolved_at
    assert incident.seconds_to_detect == 1.0
    (detected,) = incident.timeline
    assert f"incident {first} was resolved at" in detected.message
    assert "while this condition was still present" in detected.message
    recurred = manager.get(first).timeline[-1]
    assert recurred.action == "recurred"
    assert f"incident {opened.id} opened for it" in recurred.message


def test_resolve_after_clear_poll_unlinked(manager, make_finding, poll_start):
    incident_id = open_incident(manager, make_finding(wait=120.0), poll_start)
    manager.transition(incident_id, Status.ESCALATED, "alice")
    clear(manager, poll_start, range(1, CLEAR_POLLS))
    resolved = manager.transition(incident_id, Status.RESOLVED, "alice")

    next_poll = resolved.resolved_at + timedelta(seconds=1)
    (opened,) = manager.observe("demo", [make_finding(wait=5.0)], next_poll)

    incident = manager.get(opened.id)
    assert incident.seconds_to_detect == 5.0
    assert "was resolved at" not in incident.timeline[0].message
    assert actions(manager, incident_id)[-1] == "resolved"


def test_clear_poll_ends_recurrence_link(manager, make_finding, poll_start):
    first, resolved_at = resolve_while_seen(manager, make_finding, poll_start)
    manager.observe("demo", [], resolved_at + timedelta(seconds=1))

    later = resolved_at + timedelta(seconds=2)
    (opened,) = manager.observe("demo", [make_finding(wait=5.0)], later)

    assert manager.get(opened.id).seconds_to_detect == 5.0
    assert actions(manager, first)[-1] == "resolved"


def test_recurrence_link_per_target(manager, make_finding, poll_start):
    _first, resolved_at = resolve_while_seen(manager, make_finding, poll_start)

    next_poll = resolved_at + timedelta(seconds=1)
    (opened,) = manager.observe("west", [make_finding(wait=5.0)], next_poll)

    assert manager.get(opened.id).seconds_to_detect == 5.0


def test_detected_entry_by_engine(manager, finding, poll_start) -> None:
    incident_id = open_incident(manager, finding, poll_start)

    (entry,) = manager.get(incident_id).timeline
    assert entry.actor == "engine"
    assert entry.action == "detected"
    assert entry.at == poll_start
    assert entry.from_status is None
    assert entry.to_status is Status.DETECTED
    assert entry.message == (
        "session 101 blocks 1 session(s); root cause: "
        "session 101 holds locks while running: update t"
    )


# --- flap damping -------------------------------------------------------------


def test_flap_stays_open_recurred(manager, finding, poll_start) -> None:
    incident_id = open_incident(manager, finding, poll_start)
    manager.transition(incident_id, Status.INVESTIGATING, "alice")
    manager.transition(incident_id, Status.REMEDIATING, "alice")

    clear(manager, poll_start, range(1, CLEAR_POLLS))
    assert manager.get(incident_id).clear_polls == CLEAR_POLLS - 1
    opened = manager.observe("demo", [finding], at(poll_start, CLEAR_POLLS))

    assert opened == []
    incident = manager.get(incident_id)
    assert incident.status is Status.REMEDIATING
    assert incident.clear_polls == 0
    assert incident.occurrences == 2
    assert actions(manager, incident_id)[-1] == "recurred"
    assert len(manager.repository.search()) == 1


def test_flap_then_full_clear_resolves(manager, finding, poll_start) -> None:
    incident_id = open_incident(manager, finding, poll_start)
    manager.transition(incident_id, Status.ESCALATED, "alice")
    clear(manager, poll_start, range(1, CLEAR_POLLS))
    manager.observe("demo", [finding], at(poll_start, CLEAR_POLLS))

    # The counter starts again after the condition came back.
    clear(manager, poll_start, range(CLEAR_POLLS + 1, 2 * CLEAR_POLLS))
    assert manager.get(incident_id).status is Status.ESCALATED
    clear(manager, poll_start, range(2 * CLEAR_POLLS, 2 * CLEAR_POLLS + 1))

    assert manager.get(incident_id).status is Status.RESOLVED


def test_no_recurred_without_clear_poll(manager, finding, poll_start) -> None:
    incident_id = open_incident(manager, finding, poll_start)
    manager.observe("demo", [finding], at(poll_start, 1))

    assert actions(manager, incident_id) == ["detected"]


# --- auto-resolve -------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        [Status.INVESTIGATING, Status.REMEDIATING],
        [Status.ESCALATED],
    ],
    ids=["remediating", "escalated"],
)
def test_auto_resolve_after_clear_polls(manager, finding, poll_start, path) -> None:
    incident_id = open_incident(manager, finding, poll_start)
    for status in path:
        manager.transition(incident_id, status, "alice")

    clear(manager, poll_start, range(1, CLEAR_POLLS))
    assert manager.get(incident_id).status is path[-1]
    clear(manager, poll_start, range(CLEAR_POLLS, CLEAR_POLLS + 1))

    incident = manager.get(incident_id)
    assert incident.status is Status.RESOLVED
    last = incident.timeline[-1]
    assert last.actor == "engine"
    assert last.action == "resolved"
    assert last.from_status is path[-1]
    assert last.message == f"condition clear for {CLEAR_POLLS} poll(s)"


@pytest.mark.parametrize(
    "path", [[], [Status.INVESTIGATING]], ids=["detected", "investigating"]
)
def test_clear_before_remediation_stays_open(
    manager, finding, poll_start, path
) -> None:
    incident_id = open_incident(manager, finding, poll_start)
    for status in path:
        manager.transition(incident_id, status, "alice")

    clear(manager, poll_start, range(1, CLEAR_POLLS + 3))

    incident = manager.get(incident_id)
    assert incident.is_open
    assert incident.status is (path[-1] if path else Status.DETECTED)
    assert actions(manager, incident_id).count("condition cleared") == 1
    entry = incident.timeline[-1]
    assert entry.actor == "engine"
    assert entry.message == (
        f"condition clear for {CLEAR_POLLS} poll(s); "
        "investigate and remediate to close it"
    )


def test_clear_polls_counted(manager, finding, poll_start) -> None:
    incident_id = open_incident(manager, finding, poll_start)

    clear(manager, poll_start, range(1, 4))

    assert manager.get(incident_id).clear_polls == 3


def test_clear_others_false_not_counted(manager, finding, poll_start) -> None:
    incident_id = open_incident(manager, finding, poll_start)
    manager.transition(incident_id, Status.ESCALATED, "alice")

    for poll in range(1, CLEAR_POLLS + 3):
        manager.observe("demo", [], at(poll_start, poll), clear_others=False)

    incident = manager.get(incident_id)
    assert incident.clear_polls == 0
    assert incident.status is Status.ESCALATED


def test_clear_others_false_still_refreshes(manager, make_finding, poll_start) -> None:
    first = open_incident(manager, make_finding(head=1), poll_start)
    second = open_incident(manager, make_finding(head=2), poll_start)

    manager.observe(
        "demo", [make_finding(head=1)], at(poll_start, 1), clear_others=False
    )

    assert manager.get(first).occurrences == 2
    assert manager.get(second).clear_polls == 0


def test_refresh_takes_latest_root_cause(manager, finding, poll_start) -> None:
    incident_id = open_incident(manager, finding, poll_start)
    later = replace(finding, root_cause="session 101 holds locks while idle")

    manager.observe("demo", [later], at(poll_start, 1))

    incident = manager.get(incident_id)
    assert incident.root_cause == "session 101 holds locks while idle"
    assert finding.root_cause in incident.timeline[0].message


def test_other_target_not_cleared(manager, finding, poll_start) -> None:
    incident_id = open_incident(manager, finding, poll_start)

    for poll in range(1, CLEAR_POLLS + 2):
        manager.observe("elsewhere", [], at(poll_start, poll))

    assert manager.get(incident_id).clear_polls == 0


def test_escalated_after_long_clear_resolves(manager, finding, poll_start) -> None:
    incident_id = open_incident(manager, finding, poll_start)
    clear(manager, poll_start, range(1, CLEAR_POLLS + 2))
    manager.escalate_overdue(now=poll_start + ESCALATE_AFTER)
    assert manager.get(incident_id).status is Status.ESCALATED

    clear(manager, poll_start, range(CLEAR_POLLS + 2, 2 * CLEAR_POLLS + 2))

    assert manager.get(incident_id).status is Status.RESOLVED


# --- escalation ---------------------------------------------------------------


def test_escalate_before_timeout_no_change(manager, finding, poll_start) -> None:
    incident_id = open_incident(manager, finding, poll_start)

    escalated = manager.escalate_overdue(
        now=poll_start + ESCALATE_AFTER - timedelta(seconds=1)
    )

    assert escalated == []
    assert manager.get(incident_id).status is Status.DETECTED


@pytest.mark.parametrize(
    "path",
    [[], [Status.INVESTIGATING], [Status.INVESTIGATING, Status.REMEDIATING]],
    ids=["detected", "investigating", "remediating"],
)
def test_escalate_at_timeout(manager, finding, poll_start, path) -> None:
    incident_id = open_incident(manager, finding, poll_start)
    for status in path:
        manager.transition(incident_id, status, "alice")

    escalated = manager.escalate_overdue(now=poll_start + ESCALATE_AFTER)

    assert [incident.id for incident in escalated] == [incident_id]
    incident = manager.get(incident_id)
    assert incident.status is Status.ESCALATED
    assert incident.escalated_at is not None
    entry = incident.timeline[-1]
    assert entry.actor == "engine"
    assert entry.action == "escalated"
    assert entry.message == "open for 60 s, past the 60 s timeout"


def test_escalate_only_once(manager, finding, poll_start) -> None:
    incident_id = open_incident(manager, finding, poll_start)
    manager.escalate_overdue(now=poll_start + ESCALATE_AFTER)

    again = manager.escalate_overdue(now=poll_start + 10 * ESCALATE_AFTER)

    assert again == []
    assert actions(manager, incident_id).count("escalated") == 1


def test_escalate_skips_resolved(manager, finding, poll_start) -> None:
    incident_id = open_incident(manager, finding, poll_start)
    manager.transition(incident_id, Status.ESCALATED, "alice")
    manager.transition(incident_id, Status.RESOLVED, "alice")

    assert manager.escalate_overdue(now=poll_start + 10 * ESCALATE_AFTER) == []


def test_escalate_uses_detection_time(manager, make_finding, poll_start) -> None:
    old = open_incident(manager, make_finding(head=1), poll_start)
    new = open_incident(manager, make_finding(head=2), at(poll_start, 30))

    escalated = manager.escalate_overdue(now=poll_start + ESCALATE_AFTER)

    assert [incident.id for incident in escalated] == [old]
    assert manager.get(new).status is Status.DETECTED


def test_escalated_auto_resolves_when_clear(manager, finding, poll_start) -> None:
    incident_id = open_incident(manager, finding, poll_start)
    manager.escalate_overdue(now=poll_start + ESCALATE_AFTER)

    clear(manager, poll_start, range(1, CLEAR_POLLS + 1))

    incident = manager.get(incident_id)
    assert incident.status is Status.RESOLVED
    assert manager.repository.postmortem(incident_id) is not None


# --- actors -------------------------------------------------------------------


def test_timeline_actors(manager, finding, poll_start) -> None:
    incident_id = open_incident(manager, finding, poll_start)
    manager.transition(incident_id, Status.INVESTIGATING, "alice", "looking")
    manager.note(incident_id, "bob", "comment", "pinged the app team")
    manager.transition(incident_id, Status.REMEDIATING, "carol", "killing 101")
    clear(manager, poll_start, range(1, CLEAR_POLLS + 1))

    timeline = manager.get(incident_id).timeline
    assert [(entry.actor, entry.action) for entry in timeline] == [
        ("engine", "detected"),
        ("alice", "investigating"),
        ("bob", "comment"),
        ("carol", "remediating"),
        ("engine", "resolved"),
    ]


def test_note_unknown_incident(manager) -> None:
    with pytest.raises(IncidentNotFound):
        manager.note(404, "bob", "comment", "hello")


def test_active_drill_recorded(manager, finding, poll_start) -> None:
    manager.active_drill_id = 7

    incident_id = open_incident(manager, finding, poll_start)

    assert manager.get(incident_id).drill_id == 7


# --- events -------------------------------------------------------------------


def test_open_publishes_opened(manager, bus: EventBus, finding, poll_start) -> None:
    queue = bus.subscribe()

    incident_id = open_incident(manager, finding, poll_start)

    events = drain(queue)
    assert len(events) == 1
    assert isinstance(events[0], IncidentChanged)
    assert events[0].change == "opened"
    assert events[0].incident.id == incident_id
    assert events[0].incident.status is Status.DETECTED


def test_transition_publishes_status(manager, bus, finding, poll_start) -> None:
    incident_id = open_incident(manager, finding, poll_start)
    queue = bus.subscribe()

    manager.transition(incident_id, Status.INVESTIGATING, "alice")

    events = drain(queue)
    assert len(events) == 1
    assert isinstance(events[0], IncidentChanged)
    assert events[0].change == "status"
    assert events[0].incident.status is Status.INVESTIGATING
    assert events[0].incident.timeline[-1].actor == "alice"


def test_recurred_publishes_timeline(manager, bus, finding, poll_start) -> None:
    incident_id = open_incident(manager, finding, poll_start)
    clear(manager, poll_start, range(1, 2))
    queue = bus.subscribe()

    manager.observe("demo", [finding], at(poll_start, 2))

    events = drain(queue)
    assert [event.change for event in events] == ["timeline"]
    assert events[0].incident.id == incident_id
    assert events[0].incident.timeline[-1].action == "recurred"


def test_refresh_publishes_nothing(manager, bus, finding, poll_start) -> None:
    open_incident(manager, finding, poll_start)
    queue = bus.subscribe()

    manager.observe("demo", [finding], at(poll_start, 1))

    assert drain(queue) == []


def test_auto_resolve_publishes_status(manager, bus, finding, poll_start) -> None:
    incident_id = open_incident(manager, finding, poll_start)
    manager.transition(incident_id, Status.ESCALATED, "alice")
    queue = bus.subscribe()

    clear(manager, poll_start, range(1, CLEAR_POLLS + 1))

    events = drain(queue)
    assert [event.change for event in events] == ["status"]
    assert events[0].incident.status is Status.RESOLVED


def test_note_publishes_timeline(manager, bus, finding, poll_start) -> None:
    incident_id = open_incident(manager, finding, poll_start)
    queue = bus.subscribe()

    manager.note(incident_id, "bob", "comment", "hello")

    events = drain(queue)
    assert [event.change for event in events] == ["timeline"]
    assert events[0].incident.timeline[-1].message == "hello"


def test_missing_postmortem_written_later(manager, finding, poll_start) -> None:
    incident_id = open_incident(manager, finding, poll_start)
    manager.transition(incident_id, Status.ESCALATED, "alice")
    manager.transition(incident_id, Status.RESOLVED, "alice")
    # A stop right after the resolve's commit loses the postmortem's write.
    manager.repository.store.execute(
        "DELETE FROM postmortems WHERE incident_id = ?", (incident_id,)
    )

    written = manager.write_missing_postmortems()

    assert written == [incident_id]
    assert "Root cause" in manager.repository.postmortem(incident_id)
    assert manager.write_missing_postmortems() == []


def test_fault_after_ended_drill_opens_new(manager, finding, poll_start) -> None:
    manager.active_drill_id = 7
    drill_incident = open_incident(manager, finding, poll_start)
    # The drill ends and escalates its incident. Its rollback clears the
    # condition for one poll, then a real fault of the same kind appears.
    manager.active_drill_id = None
    manager.transition(drill_incident, Status.ESCALATED, "chaos")
    clear(manager, poll_start, range(1, 2))

    (incident,) = manager.observe("demo", [finding], at(poll_start, 2))

    before = manager.get(drill_incident)
    assert incident.id != drill_incident
    assert incident.drill_id is None
    assert before.status is Status.RESOLVED
    assert before.timeline[-1].message.startswith(
        "condition cleared after drill 7 ended"
    )


def test_running_drill_keeps_flapping_incident(manager, finding, poll_start) -> None:
    manager.active_drill_id = 7
    drill_incident = open_incident(manager, finding, poll_start)
    manager.transition(drill_incident, Status.ESCALATED, "chaos")
    clear(manager, poll_start, range(1, 2))

    opened = manager.observe("demo", [finding], at(poll_start, 2))

    assert opened == []
    assert manager.get(drill_incident).status is Status.ESCALATED


def test_deadlocks_summed_while_open(manager, poll_start) -> None:
    def deadlocks(count: int) -> Finding:
        return Finding(
            kind=FindingKind.DEADLOCK,
            dedup_key="deadlock:orders",
            severity=Severity.CRITICAL,
            title=f"{count} deadlock(s) in orders since the last poll",
            root_cause="rows locked in opposite order",
            metrics={"deadlocks": count},
        )

    incident_id = open_incident(manager, deadlocks(1), poll_start)
    clear(manager, poll_start, range(1, 2))
    manager.observe("demo", [deadlocks(2)], at(poll_start, 2))

    incident = manager.get(incident_id)
    assert incident.peak["deadlocks"] == 2
    assert incident.peak["total_deadlocks"] == 3
    assert "- Total deadlocks while open: 3" in render_postmortem(incident)


def test_fault_after_checked_rollback_opens_new(manager, finding, poll_start) -> None:
    # The checks read the restored rows and still see the condition, with no
    # clear poll in between: a real fault that came with the rollback.
    manager.active_drill_id = 7
    drill_incident = open_incident(manager, finding, poll_start)
    manager.active_drill_id = None
    manager.transition(drill_incident, Status.ESCALATED, "chaos")
    unchecked = manager.observe("demo", [finding], at(poll_start, 1))
    manager.checked_drills.add(7)

    (incident,) = manager.observe("demo", [finding], at(poll_start, 2))

    assert unchecked == []
    assert incident.drill_id is None
    assert manager.get(drill_incident).status is Status.RESOLVED
    assert (
        manager.get(drill_incident)
        .timeline[-1]
        .message.startswith(
            "drill 7's rows are restored and checked, yet the condition remains"
        )
    )
