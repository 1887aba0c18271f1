"""Every (from, to) pair of incident statuses through IncidentManager.transition."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest

from engine.incidents.manager import IncidentManager
from engine.incidents.models import (
    ALLOWED_TRANSITIONS,
    IncidentNotFound,
    InvalidTransition,
    Status,
)
from engine.monitor.findings import Finding
from engine.store import Store

# The shortest walk from a new incident (DETECTED) to each status.
PATH_TO: dict[Status, list[Status]] = {
    Status.DETECTED: [],
    Status.INVESTIGATING: [Status.INVESTIGATING],
    Status.REMEDIATING: [Status.INVESTIGATING, Status.REMEDIATING],
    Status.ESCALATED: [Status.ESCALATED],
    Status.RESOLVED: [Status.INVESTIGATING, Status.REMEDIATING, Status.RESOLVED],
}

PAIRS = list(itertools.product(Status, Status))
ALLOWED = [(old, new) for old, new in PAIRS if new in ALLOWED_TRANSITIONS[old]]
REJECTED = [(old, new) for old, new in PAIRS if new not in ALLOWED_TRANSITIONS[old]]


def pair_id(pair: tuple[Status, Status]) -> str:
    return f"{pair[0]}->{pair[1]}"


def incident_in(
    manager: IncidentManager, finding: Finding, taken_at: datetime, status: Status
) -> int:
    """Open an incident from ``finding`` and walk it into ``status``."""
    (incident,) = manager.observe("demo", [finding], taken_at)
    for step in PATH_TO[status]:
        manager.transition(incident.id, step, "alice", f"to {step}")
    assert manager.get(incident.id).status is status
    return incident.id


def dump(store: Store) -> dict[str, list[tuple]]:
    """Return every row of the incident tables."""
    return {
        name: [tuple(row) for row in store.query(f"SELECT * FROM {name} ORDER BY 1")]
        for name in ("incidents", "incident_events", "postmortems")
    }


def test_pairs_cover_all_statuses() -> None:
    assert len(PAIRS) == 25
    assert len(ALLOWED) == 7
    assert len(REJECTED) == 18


def test_allowed_pairs_are_the_lifecycle() -> None:
    assert set(ALLOWED) == {
        (Status.DETECTED, Status.INVESTIGATING),
        (Status.DETECTED, Status.ESCALATED),
        (Status.INVESTIGATING, Status.REMEDIATING),
        (Status.INVESTIGATING, Status.ESCALATED),
        (Status.REMEDIATING, Status.RESOLVED),
        (Status.REMEDIATING, Status.ESCALATED),
        (Status.ESCALATED, Status.RESOLVED),
    }


@pytest.mark.parametrize(("old", "new"), ALLOWED, ids=map(pair_id, ALLOWED))
def test_allowed_transition(manager, finding, poll_start, old, new) -> None:
    incident_id = incident_in(manager, finding, poll_start, old)

    result = manager.transition(incident_id, new, "bob", "because")

    assert result.status is new
    assert manager.get(incident_id).status is new
    last = manager.get(incident_id).timeline[-1]
    assert last.actor == "bob"
    assert last.action == new.value.lower()
    assert last.message == "because"
    assert last.from_status is old
    assert last.to_status is new


@pytest.mark.parametrize(("old", "new"), REJECTED, ids=map(pair_id, REJECTED))
def test_rejected_transition(manager, finding, poll_start, store, old, new) -> None:
    incident_id = incident_in(manager, finding, poll_start, old)
    before = dump(store)

    with pytest.raises(InvalidTransition) as caught:
        manager.transition(incident_id, new, "bob", "because")

    assert f"from {old} to {new}" in str(caught.value)
    assert caught.value.current is old
    assert caught.value.requested is new
    assert caught.value.incident_id == incident_id
    assert dump(store) == before


def test_rejected_message_lists_allowed(manager, finding, poll_start) -> None:
    incident_id = incident_in(manager, finding, poll_start, Status.DETECTED)

    with pytest.raises(InvalidTransition) as caught:
        manager.transition(incident_id, Status.RESOLVED, "bob")

    assert str(caught.value) == (
        f"incident {incident_id} cannot move from DETECTED to RESOLVED; "
        "allowed from DETECTED: ESCALATED, INVESTIGATING"
    )


def test_rejected_from_resolved_allows_none(manager, finding, poll_start) -> None:
    incident_id = incident_in(manager, finding, poll_start, Status.RESOLVED)

    with pytest.raises(InvalidTransition) as caught:
        manager.transition(incident_id, Status.DETECTED, "bob")

    assert str(caught.value).endswith("allowed from RESOLVED: none")


def test_rejection_is_value_error(manager, finding, poll_start) -> None:
    incident_id = incident_in(manager, finding, poll_start, Status.DETECTED)

    with pytest.raises(ValueError):
        manager.transition(incident_id, Status.REMEDIATING, "bob")


@pytest.mark.parametrize("old", [Status.REMEDIATING, Status.ESCALATED])
def test_resolved_writes_postmortem(manager, finding, poll_start, old) -> None:
    incident_id = incident_in(manager, finding, poll_start, old)
    assert manager.repository.postmortem(incident_id) is None

    manager.transition(incident_id, Status.RESOLVED, "bob", "fixed")

    markdown = manager.repository.postmortem(incident_id)
    assert markdown is not None
    assert markdown.startswith(f"# Postmortem: incident {incident_id}: ")


def test_resolved_sets_resolved_at(manager, finding, poll_start) -> None:
    incident_id = incident_in(manager, finding, poll_start, Status.REMEDIATING)

    incident = manager.transition(incident_id, Status.RESOLVED, "bob")

    assert incident.resolved_at is not None
    assert incident.resolved_at >= incident.detected_at
    assert not incident.is_open


def test_escalated_sets_escalated_at(manager, finding, poll_start) -> None:
    incident_id = incident_in(manager, finding, poll_start, Status.INVESTIGATING)
    assert manager.get(incident_id).escalated_at is None

    incident = manager.transition(incident_id, Status.ESCALATED, "bob")

    assert incident.escalated_at is not None
    assert incident.resolved_at is None


@pytest.mark.parametrize("old", [Status.DETECTED, Status.INVESTIGATING])
def test_other_transitions_no_postmortem(manager, finding, poll_start, old) -> None:
    incident_id = incident_in(manager, finding, poll_start, old)

    manager.transition(incident_id, Status.ESCALATED, "bob")

    assert manager.repository.postmortem(incident_id) is None


def test_unknown_incident_not_found(manager) -> None:
    with pytest.raises(IncidentNotFound) as caught:
        manager.transition(404, Status.INVESTIGATING, "bob")

    assert caught.value.incident_id == 404
    assert str(caught.value) == "incident 404 not found"


def test_unknown_incident_store_unchanged(manager, store) -> None:
    before = dump(store)

    with pytest.raises(IncidentNotFound):
        manager.transition(404, Status.RESOLVED, "bob")

    assert dump(store) == before
