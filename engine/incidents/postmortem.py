"""Markdown postmortem written when an incident resolves."""

from __future__ import annotations

import re

from engine.incidents.models import DRY_RUN_REMEDIATION, JOB_PREFIX, Incident

FOLLOW_UPS: dict[str, list[str]] = {
    "blocking": [
        "Find the code path that held the transaction open and shorten it.",
        "Set lock_timeout (or SET LOCK_TIMEOUT on SQL Server) on callers that "
        "can retry.",
        "Alert on idle-in-transaction sessions before they block others.",
    ],
    "deadlock": [
        "Read the server log for the deadlock report and the two statements.",
        "Make every writer touch the rows in one consistent order.",
        "Add retry on deadlock victim errors (SQLSTATE 40P01, SQL Server 1205).",
    ],
    "connections": [
        "Put the application behind a connection pool with a hard maximum.",
        "Set idle_session_timeout for the offending role.",
        "Review max_connections against the pool sizes of every client.",
    ],
    "long_query": [
        "Capture the plan of the statement and check for missing indexes.",
        "Set statement_timeout for the role that ran it.",
    ],
    "idle_in_transaction": [
        "Set idle_in_transaction_session_timeout for the role.",
        "Fix the client to commit or roll back before waiting on anything else.",
    ],
    "target_unreachable": [
        "Read the server log around the outage and the host's system log.",
        "Check that monitoring alerts reached the on-call engineer.",
    ],
}
_DEFAULT_FOLLOW_UPS = ["Review the threshold and decide whether it alerted in time."]

# Markdown that starts a block when it opens a line: a heading, list item,
# quote, table row, thematic break, setext underline or code fence.
_BLOCK_MARKER = re.compile(r"[#>+*=|`~_-]|\d{1,9}[.)]")


def _one_line(text: str) -> str:
    """Return ``text`` with every run of whitespace, line breaks included,
    collapsed to one space, so it cannot start a line of its own."""
    return " ".join(text.split())


def _paragraph(text: str) -> str:
    """Return ``text`` as one line that Markdown reads as a plain paragraph.

    A backslash escapes a block marker at its start, so a root cause such as
    "## Actions taken" stays text under its own heading.
    """
    line = _one_line(text)
    marker = _BLOCK_MARKER.match(line)
    if marker is None:
        return line
    end = marker.end()
    return f"{line[: end - 1]}\\{line[end - 1 :]}"


def _cell(text: str) -> str:
    """Return ``text`` as one cell of a Markdown table row."""
    return _one_line(text).replace("|", "\\|")


def render_postmortem(incident: Incident) -> str:
    """Render the postmortem of a resolved incident as Markdown."""
    lines = [
        f"# Postmortem: incident {incident.id}: {_one_line(incident.title)}",
        "",
        "## Summary",
        "",
        f"- Kind: {incident.kind}",
        f"- Target: {incident.target}",
        f"- Severity: {incident.severity}",
        f"- Final status: {incident.status}",
    ]
    if incident.drill_id is not None:
        lines.append(f"- Chaos drill: {incident.drill_id} (injected on purpose)")
    lines += ["", "## Impact", ""]
    lines += _impact(incident)
    lines += ["", "## Timings", ""]
    lines += _timings(incident)
    lines += ["", "## Root cause", "", _paragraph(incident.root_cause), ""]
    lines += ["## Actions taken", ""]
    lines += _actions(incident)
    lines += ["", "## Timeline", "", "| time (UTC) | actor | event | detail |"]
    lines += ["| --- | --- | --- | --- |"]
    for entry in incident.timeline:
        lines.append(
            f"| {entry.at:%Y-%m-%d %H:%M:%S} | {_cell(entry.actor)} "
            f"| {_cell(entry.action)} | {_cell(entry.message)} |"
        )
    lines += ["", "## Follow-ups", ""]
    for item in FOLLOW_UPS.get(incident.kind, _DEFAULT_FOLLOW_UPS):
        lines.append(f"- [ ] {item}")
    return "\n".join(lines) + "\n"


def _impact(incident: Incident) -> list[str]:
    end = incident.resolved_at or incident.last_seen_at
    duration = (end - incident.started_at).total_seconds()
    if incident.reported_by_hand:
        seen = "Reported by hand; no poll watches it"
    elif incident.dedup_key.startswith(JOB_PREFIX):
        seen = f"Problem runs of the job: {incident.occurrences}"
    else:
        seen = f"Seen in {incident.occurrences} poll(s)"
    lines = [
        f"- Duration: {duration:.1f} s from first evidence to resolution",
        f"- {seen}",
    ]
    for name, value in sorted(incident.peak.items()):
        if name.startswith("total_"):
            label = name.removeprefix("total_").replace("_", " ")
            lines.append(f"- Total {label} while open: {value:g}")
        else:
            lines.append(f"- Peak {name.replace('_', ' ')}: {value:g}")
    return lines


def _timings(incident: Incident) -> list[str]:
    resolve = incident.seconds_to_resolve
    resolve_text = f"{resolve:.1f} s" if resolve is not None else "not resolved"
    began = (
        f"- Condition began (estimated from evidence): {incident.started_at:%H:%M:%S}"
    )
    detect = f"- Time to detect: {incident.seconds_to_detect:.1f} s"
    if "passed_at" in incident.metrics and incident.drill_id is None:
        # The rows changed after that run, so the start is a lower bound.
        began = (
            f"- Condition began: after {incident.started_at:%H:%M:%S}, the last "
            "run in which the rule passed"
        )
        detect = f"- Time to detect: at most {incident.seconds_to_detect:.1f} s"
    return [
        began,
        f"- Detected: {incident.detected_at:%H:%M:%S}",
        detect,
        f"- Time to resolve (from detection): {resolve_text}",
    ]


def _actions(incident: Incident) -> list[str]:
    # A dry run changed nothing, so only the timeline lists it.
    actions = [
        entry
        for entry in incident.timeline
        if (entry.actor != "engine" or entry.action.startswith("remediat"))
        and not entry.action.startswith(DRY_RUN_REMEDIATION)
    ]
    if not actions:
        return ["- No action was taken; the condition cleared on its own."]
    return [
        f"- {entry.at:%H:%M:%S} {_one_line(entry.actor)}: {_one_line(entry.action)}"
        + (f": {_one_line(entry.message)}" if entry.message else "")
        for entry in actions
    ]
