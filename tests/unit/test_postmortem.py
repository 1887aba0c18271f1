"""Postmortem Markdown written when an incident resolves."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from engine.incidents.manager import IncidentManager
from engine.incidents.models import Status
from engine.incidents.postmortem import FOLLOW_UPS, render_postmortem
from engine.monitor.findings import Finding, FindingKind, Severity

SECTIONS = [
    "Summary",
    "Impact",
    "Timings",
    "Root cause",
    "Actions taken",
    "Timeline",
    "Follow-ups",
]


def section(markdown: str, title: str) -> list[str]:
    """Return the lines under ``## title`` up to the next heading."""
    lines = markdown.splitlines()
    start = lines.index(f"## {title}") + 1
    body = []
    for line in lines[start:]:
        if line.startswith("## "):
            break
        if line:
            body.append(line)
    return body


def resolve_by_hand(manager: IncidentManager, incident_id: int) -> None:
    manager.transition(incident_id, Status.INVESTIGATING, "alice", "looking")
    manager.transition(incident_id, Status.REMEDIATING, "alice", "killed 101")
    manager.transition(incident_id, Status.RESOLVED, "alice", "locks released")


@pytest.fixture
def resolved(manager, make_finding, poll_start) -> tuple[int, str]:
    """Return the id and postmortem of a blocking incident seen in three polls."""
    (incident,) = manager.observe("demo", [make_finding(wait=12.0)], poll_start)
    for poll, wait in ((1, 20.0), (2, 15.0)):
        taken_at = poll_start + timedelta(seconds=poll)
        manager.observe("demo", [make_finding(wait=wait)], taken_at)
    resolve_by_hand(manager, incident.id)
    markdown = manager.repository.postmortem(incident.id)
    assert markdown is not None
    return incident.id, markdown


def test_sections_in_order(resolved) -> None:
    _, markdown = resolved

    headings = [line[3:] for line in markdown.splitlines() if line.startswith("## ")]

    assert headings == SECTIONS


def test_title_line(resolved) -> None:
    incident_id, markdown = resolved

    assert markdown.splitlines()[0] == (
        f"# Postmortem: incident {incident_id}: session 101 blocks 1 session(s)"
    )


def test_summary(resolved) -> None:
    _, markdown = resolved

    assert section(markdown, "Summary") == [
        "- Kind: blocking",
        "- Target: demo",
        "- Severity: warning",
        "- Final status: RESOLVED",
    ]


def test_impact_polls_and_peak(resolved) -> None:
    _, markdown = resolved

    impact = section(markdown, "Impact")

    assert impact[0].startswith("- Duration: ")
    assert impact[1] == "- Seen in 3 poll(s)"
    assert "- Peak max wait seconds: 20" in impact
    assert "- Peak blocked sessions: 1" in impact


def test_impact_of_reported_incident(manager) -> None:
    incident = manager.open_manual(
        "demo", "disk_full", "data volume full", "critical", "volume at 97%", "dana"
    )

    impact = section(render_postmortem(manager.get(incident.id)), "Impact")

    assert impact[1] == "- Reported by hand; no poll watches it"


def test_time_to_detect(resolved) -> None:
    _, markdown = resolved

    assert "- Time to detect: 12.0 s" in section(markdown, "Timings")


def test_time_to_resolve(manager, resolved) -> None:
    incident_id, markdown = resolved
    incident = manager.get(incident_id)

    timings = section(markdown, "Timings")

    seconds = incident.seconds_to_resolve
    assert seconds is not None
    assert seconds >= 600
    expected = f"- Time to resolve (from detection): {seconds:.1f} s"
    assert expected in timings


def test_root_cause(resolved) -> None:
    _, markdown = resolved

    assert section(markdown, "Root cause") == [
        "session 101 holds locks while running: update t"
    ]


def test_actions_taken_lists_people(resolved) -> None:
    _, markdown = resolved

    actions = section(markdown, "Actions taken")

    assert len(actions) == 3
    assert actions[0].endswith(" alice: investigating: looking")
    assert actions[1].endswith(" alice: remediating: killed 101")
    assert actions[2].endswith(" alice: resolved: locks released")


def test_dry_run_not_an_action(manager, make_finding, poll_start) -> None:
    (incident,) = manager.observe("demo", [make_finding()], poll_start)
    manager.note(incident.id, "alice", "remediation (dry run): kill", "would end 101")
    resolve_by_hand(manager, incident.id)

    markdown = manager.repository.postmortem(incident.id)

    assert markdown is not None
    actions = section(markdown, "Actions taken")
    assert len(actions) == 3
    assert not any("dry run" in line for line in actions)
    assert "remediation (dry run): kill" in "\n".join(section(markdown, "Timeline"))


def test_timeline_row_per_entry(manager, resolved) -> None:
    incident_id, markdown = resolved
    timeline = manager.get(incident_id).timeline

    table = section(markdown, "Timeline")

    assert table[0] == "| time (UTC) | actor | event | detail |"
    assert table[1] == "| --- | --- | --- | --- |"
    rows = table[2:]
    assert len(rows) == len(timeline) == 4
    for row, entry in zip(rows, timeline, strict=True):
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        assert cells[0] == f"{entry.at:%Y-%m-%d %H:%M:%S}"
        assert cells[1] == entry.actor
        assert cells[2] == entry.action


def test_timeline_escapes_pipes(manager, finding, poll_start) -> None:
    (incident,) = manager.observe("demo", [finding], poll_start)
    manager.note(incident.id, "bob", "comment", "a | b\nsecond line")
    resolve_by_hand(manager, incident.id)

    markdown = manager.repository.postmortem(incident.id)

    assert "| bob | comment | a \\| b second line |" in markdown


def test_follow_ups_for_kind(resolved) -> None:
    _, markdown = resolved

    follow_ups = section(markdown, "Follow-ups")

    assert follow_ups == [f"- [ ] {item}" for item in FOLLOW_UPS["blocking"]]


def test_follow_ups_default(manager, poll_start) -> None:
    finding = Finding(
        kind=FindingKind.CPU,
        dedup_key="cpu:demo",
        severity=Severity.WARNING,
        title="CPU at 97% (limit 90%)",
        root_cause="CPU above its threshold of 90%",
        metrics={"value": 97.0, "limit": 90.0},
    )
    (incident,) = manager.observe("demo", [finding], poll_start)
    resolve_by_hand(manager, incident.id)

    markdown = manager.repository.postmortem(incident.id)

    assert section(markdown, "Follow-ups") == [
        "- [ ] Review the threshold and decide whether it alerted in time."
    ]


def test_auto_resolved_no_actions(manager, finding, poll_start) -> None:
    (incident,) = manager.observe("demo", [finding], poll_start)
    manager.escalate_overdue(now=poll_start + timedelta(hours=1))
    for poll in range(1, manager.config.clear_polls + 1):
        manager.observe("demo", [], poll_start + timedelta(seconds=poll))

    markdown = manager.repository.postmortem(incident.id)

    assert markdown is not None
    assert section(markdown, "Actions taken") == [
        "- No action was taken; the condition cleared on its own."
    ]
    assert "- Final status: RESOLVED" in section(markdown, "Summary")


def test_drill_marked(manager, finding, poll_start) -> None:
    manager.active_drill_id = 42
    (incident,) = manager.observe("demo", [finding], poll_start)
    resolve_by_hand(manager, incident.id)

    markdown = manager.repository.postmortem(incident.id)

    assert "- Chaos drill: 42 (injected on purpose)" in section(markdown, "Summary")


def test_no_drill_line_outside_drill(resolved) -> None:
    _, markdown = resolved

    assert "Chaos drill" not in markdown


def test_render_open_incident(manager, finding, poll_start) -> None:
    (incident,) = manager.observe("demo", [finding], poll_start)

    markdown = render_postmortem(manager.get(incident.id))

    timings = section(markdown, "Timings")
    assert "- Time to resolve (from detection): not resolved" in timings
    assert re.search(r"^- Duration: 3\.0 s ", markdown, re.MULTILINE)


FORGED = "disk full\n## Actions taken\n- 13:00 engine: resolved automatically"


def test_user_text_cannot_add_lines(manager, poll_start) -> None:
    incident = manager.open_manual(
        "demo", "disk_full", FORGED, "warning", FORGED, "alice"
    )
    manager.note(incident.id, "bob", "comment", FORGED)
    resolve_by_hand(manager, incident.id)

    markdown = manager.repository.postmortem(incident.id)

    assert markdown is not None
    headings = [line for line in markdown.splitlines() if line.startswith("#")]
    assert headings == [headings[0]] + [f"## {title}" for title in SECTIONS]
    assert "- 13:00 engine" not in markdown.splitlines()
    forged_flat = "disk full ## Actions taken - 13:00 engine: resolved automatically"
    assert headings[0].endswith(f": {forged_flat}")
    assert section(markdown, "Root cause") == [forged_flat]
    assert f"bob: comment: {forged_flat}" in "\n".join(
        section(markdown, "Actions taken")
    )


@pytest.mark.parametrize(
    ("root_cause", "rendered"),
    [
        ("## Actions taken", "\\## Actions taken"),
        ("- resolved by engine", "\\- resolved by engine"),
        ("12. step", "12\\. step"),
        ("> quoted", "\\> quoted"),
        ("| a | b |", "\\| a | b |"),
        ("```", "\\```"),
        ("plain words", "plain words"),
    ],
)
def test_root_cause_block_marker_escaped(manager, root_cause, rendered) -> None:
    incident = manager.open_manual(
        "demo", "disk_full", "disk", "warning", root_cause, "alice"
    )
    resolve_by_hand(manager, incident.id)

    markdown = manager.repository.postmortem(incident.id)

    assert markdown is not None
    assert section(markdown, "Root cause") == [rendered]


def test_validation_timing_is_a_bound(manager, poll_start) -> None:
    passed_at = poll_start - timedelta(seconds=25)
    finding = Finding(
        kind=FindingKind.VALIDATION,
        dedup_key="validation:claims_quantity_range",
        severity=Severity.WARNING,
        title="validation claims_quantity_range: 1 violation(s)",
        root_cause="rule claims_quantity_range (range_check)",
        metrics={"rule": "claims_quantity_range", "passed_at": passed_at.isoformat()},
    )
    (incident,) = manager.observe("demo", [finding], poll_start)
    resolve_by_hand(manager, incident.id)

    timings = section(render_postmortem(manager.get(incident.id)), "Timings")

    assert timings[0] == (
        f"- Condition began: after {passed_at:%H:%M:%S}, the last run in which "
        "the rule passed"
    )
    assert timings[2] == "- Time to detect: at most 25.0 s"
