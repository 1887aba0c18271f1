"""Postmortem copies written to incidents.postmortem_dir."""

from __future__ import annotations

import stat

from engine.incidents.models import Status


def resolve_one(manager, finding, poll_start) -> int:
    (incident,) = manager.observe("demo", [finding], poll_start)
    manager.transition(incident.id, Status.INVESTIGATING, "alice")
    manager.transition(incident.id, Status.REMEDIATING, "alice")
    manager.transition(incident.id, Status.RESOLVED, "alice")
    return incident.id


def test_postmortem_copied_to_folder(manager, finding, poll_start, tmp_path):
    manager.config.postmortem_dir = str(tmp_path / "postmortems")

    incident_id = resolve_one(manager, finding, poll_start)

    copy = tmp_path / "postmortems" / f"incident-{incident_id}.md"
    assert copy.read_text() == manager.repository.postmortem(incident_id)
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600


def test_unwritable_folder_keeps_postmortem(manager, finding, poll_start, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    manager.config.postmortem_dir = str(blocker)

    incident_id = resolve_one(manager, finding, poll_start)

    assert manager.get(incident_id).status is Status.RESOLVED
    assert "Root cause" in manager.repository.postmortem(incident_id)


def test_no_folder_writes_no_copy(manager, finding, poll_start, tmp_path):
    manager.config.postmortem_dir = None

    resolve_one(manager, finding, poll_start)

    assert list(tmp_path.iterdir()) == []


def test_manual_incident_not_cleared_by_polls(manager, poll_start):
    incident = manager.open_manual(
        "demo", "replication_lag", "replica 2 is 10 min behind", "warning", "", "bob"
    )

    for _ in range(5):
        manager.observe("demo", [], poll_start)

    current = manager.get(incident.id)
    assert current.status is Status.DETECTED
    assert current.clear_polls == 0
    assert current.timeline[0].actor == "bob"
