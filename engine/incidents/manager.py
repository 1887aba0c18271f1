"""Incident lifecycle: open from findings, dedup, flap damping, escalation."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from engine.config.models import IncidentsConfig
from engine.events import EventBus, IncidentChanged
from engine.incidents.models import (
    ALLOWED_TRANSITIONS,
    NOT_CLEARED_BY_POLLS,
    REPORTED_PREFIX,
    Incident,
    IncidentNotFound,
    Status,
    TimelineEntry,
    check_transition,
)
from engine.incidents.postmortem import render_postmortem
from engine.monitor.findings import Finding, FindingKind
from engine.paths import create_private
from engine.store.database import utc_now
from engine.store.incidents import IncidentRepository

log = logging.getLogger(__name__)

ENGINE = "engine"

# Metrics that count events since the last poll, so each sighting adds new
# ones and the incident keeps their sum beside their peak.
_COUNTED_METRICS = ("deadlocks",)

# Statuses from which a condition that has cleared resolves the incident on its
# own. Earlier states need a person to investigate and remediate first.
AUTO_RESOLVE_FROM = frozenset({Status.REMEDIATING, Status.ESCALATED})
ESCALATE_FROM = frozenset({Status.DETECTED, Status.INVESTIGATING, Status.REMEDIATING})


class IncidentManager:
    """Opens, updates, escalates and resolves incidents; writes postmortems."""

    def __init__(
        self,
        repository: IncidentRepository,
        config: IncidentsConfig,
        bus: EventBus,
    ):
        self.repository = repository
        self.config = config
        self.bus = bus
        self.active_drill_id: int | None = None
        self.active_drill_kinds: frozenset[str] | None = None
        """The kinds the running drill causes; a new incident of another kind
        is not the drill's, unless its session is. None tags every new incident."""
        self.active_drill_sessions: frozenset[int] = frozenset()
        """The running drill's own sessions in the last poll: an incident about
        one of them is the drill's, whatever its kind (a waiter of a drill's
        blocker that runs past the long-query limit)."""
        self.active_drill_injected_at: datetime | None = None
        self.checked_drills: set[int] = set()
        """Drills whose rollback was verified and whose restored rows the data
        checks have read since: a condition of theirs still seen is new."""
        self._resolved_while_seen: dict[tuple[str, str], Incident] = {}
        """Incidents a person resolved while the last poll still saw their
        condition, by target and dedup key, until a poll finds it clear."""

    def observe(
        self,
        target: str,
        findings: list[Finding],
        taken_at: datetime,
        clear_others: bool = True,
    ) -> list[Incident]:
        """Apply one poll's findings; return incidents opened by this poll.

        With ``clear_others`` false (the poll saw nothing, as when the target
        is down) open incidents without a finding are not counted as clear.
        """
        opened = []
        seen = set()
        open_by_key = {
            incident.dedup_key: incident
            for incident in self.repository.open_incidents()
            if incident.target == target
        }
        for finding in findings:
            if finding.dedup_key in seen:
                continue
            seen.add(finding.dedup_key)
            incident = open_by_key.get(finding.dedup_key)
            handover = self._handover(incident) if incident else None
            if incident is not None and handover is not None:
                # The drill's fault went with its rollback, so this sighting
                # is a new fault, not the drill's.
                self.transition(incident.id, Status.RESOLVED, ENGINE, handover)
                # Not a person's early resolve: the new incident is not linked.
                self._resolved_while_seen.pop((target, finding.dedup_key), None)
                del open_by_key[finding.dedup_key]
                incident = None
            if incident is None:
                opened.append(self._open(target, finding, taken_at))
            else:
                self._refresh(incident, finding, taken_at)

        for key, incident in open_by_key.items():
            if key.startswith(NOT_CLEARED_BY_POLLS):
                continue
            if clear_others and key not in seen:
                self._clear_poll(incident, taken_at)
        if clear_others:
            for target_key in list(self._resolved_while_seen):
                if target_key[0] == target and target_key[1] not in seen:
                    del self._resolved_while_seen[target_key]
        return opened

    def open_manual(
        self,
        target: str,
        kind: str,
        title: str,
        severity: str,
        root_cause: str,
        actor: str,
    ) -> Incident:
        """Open an incident a person or an automation reports by hand.

        Its dedup key is unique, so polls never update or clear it: a person
        walks it through the states.
        """
        now = utc_now()
        incident = Incident(
            id=0,
            kind=kind,
            dedup_key=f"{REPORTED_PREFIX}{kind}:{now.isoformat()}",
            status=Status.DETECTED,
            severity=severity,
            title=title,
            root_cause=root_cause,
            target=target,
            session_id=None,
            metrics={},
            peak={},
            started_at=now,
            detected_at=now,
            last_seen_at=now,
        )
        incident.id = self.repository.insert(incident)
        self._record(
            incident, actor, "reported", title, to_status=Status.DETECTED, at=now
        )
        log.info("incident %s reported by %s: %s", incident.id, actor, kind)
        opened = self.get(incident.id)
        self.bus.publish(IncidentChanged(opened, "opened"))
        return opened

    def _open(self, target: str, finding: Finding, taken_at: datetime) -> Incident:
        started_at = self._condition_start(finding, taken_at)
        detail = f"{finding.title}; root cause: {finding.root_cause}"
        resolved_early = self._resolved_while_seen.pop(
            (target, finding.dedup_key), None
        )
        if resolved_early is not None and resolved_early.resolved_at is not None:
            # This incident could not be detected before that resolve, so its
            # time to detect counts from there, not from the fault's start.
            started_at = min(taken_at, max(started_at, resolved_early.resolved_at))
            detail += (
                f"; incident {resolved_early.id} was resolved at "
                f"{resolved_early.resolved_at:%H:%M:%S} UTC while this condition "
                "was still present"
            )
        incident = Incident(
            id=0,
            kind=str(finding.kind),
            dedup_key=finding.dedup_key,
            status=Status.DETECTED,
            severity=str(finding.severity),
            title=finding.title,
            root_cause=finding.root_cause,
            target=target,
            session_id=finding.session_id,
            metrics=dict(finding.metrics),
            peak=_numeric(finding.metrics) | _totals(finding.metrics, {}),
            started_at=started_at,
            detected_at=taken_at,
            last_seen_at=taken_at,
            drill_id=self._drill_of(finding),
        )
        incident.id = self.repository.insert(incident)
        self._record(
            incident,
            ENGINE,
            "detected",
            detail,
            to_status=Status.DETECTED,
            at=taken_at,
        )
        log.info("incident %s opened: %s", incident.id, finding.dedup_key)
        self.bus.publish(IncidentChanged(incident, "opened"))
        if resolved_early is not None:
            self._record(
                resolved_early,
                ENGINE,
                "recurred",
                f"condition still present after the resolve; incident "
                f"{incident.id} opened for it",
                at=taken_at,
            )
        return incident

    def _handover(self, incident: Incident) -> str | None:
        """Return why a sighting of ``incident``'s condition is a new fault
        rather than its drill's, or None when it is the drill's.

        It is new once the drill has ended and, since, either the condition
        has been clear or the drill's rows were restored, verified and read
        again by the checks (``checked_drills``). The incident must be in a
        status it can resolve from.
        """
        drill = incident.drill_id
        if drill is None or drill == self.active_drill_id:
            return None
        if Status.RESOLVED not in ALLOWED_TRANSITIONS[incident.status]:
            return None
        if incident.clear_polls > 0:
            return (
                f"condition cleared after drill {drill} ended; seen again since, "
                "so a new incident follows it"
            )
        if drill in self.checked_drills:
            return (
                f"drill {drill}'s rows are restored and checked, yet the condition "
                "remains, so a new incident follows it"
            )
        return None

    def _drill_of(self, finding: Finding) -> int | None:
        kinds = self.active_drill_kinds
        if kinds is None or str(finding.kind) in kinds:
            return self.active_drill_id
        if finding.session_id in self.active_drill_sessions:
            return self.active_drill_id
        return None

    def _condition_start(self, finding: Finding, taken_at: datetime) -> datetime:
        # During a drill the inject time is the known start of the fault.
        start = _condition_start(finding, taken_at)
        injected = self.active_drill_injected_at
        if self._drill_of(finding) is None or injected is None:
            return start
        if finding.kind is FindingKind.VALIDATION:
            # Both the last passing run and the inject are lower bounds of a
            # data fault's start, so the later one is the closer.
            return max(start, injected) if "passed_at" in finding.metrics else injected
        return min(start, injected)

    def _refresh(
        self, incident: Incident, finding: Finding, taken_at: datetime
    ) -> None:
        was_clear = incident.clear_polls > 0
        incident.occurrences += 1
        incident.last_seen_at = taken_at
        incident.clear_polls = 0
        incident.title = finding.title
        incident.root_cause = finding.root_cause
        incident.metrics = dict(finding.metrics)
        for name, value in _numeric(finding.metrics).items():
            incident.peak[name] = max(value, incident.peak.get(name, value))
        incident.peak |= _totals(finding.metrics, incident.peak)
        self.repository.update(incident)
        if was_clear:
            # Flapping: the condition came back before it stayed clear long
            # enough, so the incident stays open instead of reopening.
            self._record(incident, ENGINE, "recurred", "condition seen again")

    def _clear_poll(self, incident: Incident, taken_at: datetime) -> None:
        incident.clear_polls += 1
        self.repository.update(incident)
        if incident.clear_polls < self.config.clear_polls:
            return
        message = f"condition clear for {incident.clear_polls} poll(s)"
        # The count keeps growing while a person has not acted yet, so an
        # incident moved to REMEDIATING or ESCALATED later resolves on the
        # next clear poll.
        if incident.status in AUTO_RESOLVE_FROM:
            self.transition(incident.id, Status.RESOLVED, ENGINE, message)
        elif incident.clear_polls == self.config.clear_polls:
            self._record(
                incident,
                ENGINE,
                "condition cleared",
                f"{message}; investigate and remediate to close it",
            )

    def escalate_overdue(self, now: datetime | None = None) -> list[Incident]:
        """Escalate open incidents older than the escalation timeout."""
        now = now or utc_now()
        limit = timedelta(seconds=self.config.escalate_after_seconds)
        escalated = []
        for incident in self.repository.open_incidents():
            if incident.status not in ESCALATE_FROM:
                continue
            if now - incident.detected_at < limit:
                continue
            message = (
                f"open for {(now - incident.detected_at).total_seconds():.0f} s, "
                f"past the {self.config.escalate_after_seconds:.0f} s timeout"
            )
            escalated.append(
                self.transition(incident.id, Status.ESCALATED, ENGINE, message)
            )
        return escalated

    def transition(
        self, incident_id: int, status: Status, actor: str, message: str = ""
    ) -> Incident:
        """Move an incident to ``status``; raise InvalidTransition if not allowed."""
        incident = self.get(incident_id)
        check_transition(incident_id, incident.status, status)
        previous = incident.status
        now = utc_now()
        incident.status = status
        if status is Status.ESCALATED:
            incident.escalated_at = now
        if status is Status.RESOLVED:
            incident.resolved_at = now
            if incident.cleared_by_polls and incident.clear_polls == 0:
                self._resolved_while_seen[incident.target, incident.dedup_key] = (
                    incident
                )
        self.repository.update(incident)
        self._record(
            incident,
            actor,
            status.value.lower(),
            message,
            from_status=previous,
            to_status=status,
            at=now,
            publish=False,
        )
        log.info("incident %s %s -> %s by %s", incident_id, previous, status, actor)
        if status is Status.RESOLVED:
            self.write_postmortem(incident_id)
        updated = self.get(incident_id)
        self.bus.publish(IncidentChanged(updated, "status"))
        return updated

    def note(self, incident_id: int, actor: str, action: str, message: str) -> None:
        """Add an entry to an incident's timeline."""
        incident = self.get(incident_id)
        self._record(incident, actor, action, message)

    def get(self, incident_id: int) -> Incident:
        incident = self.repository.get(incident_id)
        if incident is None:
            raise IncidentNotFound(incident_id)
        return incident

    def _record(
        self,
        incident: Incident,
        actor: str,
        action: str,
        message: str,
        *,
        from_status: Status | None = None,
        to_status: Status | None = None,
        at: datetime | None = None,
        publish: bool = True,
    ) -> None:
        entry = TimelineEntry(
            at=at or utc_now(),
            actor=actor,
            action=action,
            message=message,
            from_status=from_status,
            to_status=to_status,
        )
        self.repository.add_event(incident.id, entry)
        if publish and action != "detected":
            self.bus.publish(IncidentChanged(self.get(incident.id), "timeline"))

    def write_missing_postmortems(self) -> list[int]:
        """Write the missing postmortem of every resolved incident and return
        their ids. A stop between a resolve and the postmortem's write leaves
        one missing."""
        missing = self.repository.resolved_without_postmortem()
        for incident_id in missing:
            log.warning(
                "incident %s resolved without a postmortem; writing it", incident_id
            )
            self.write_postmortem(incident_id)
        return missing

    def write_postmortem(self, incident_id: int) -> None:
        """Render the incident's postmortem and store it (and its copy)."""
        incident = self.get(incident_id)
        markdown = render_postmortem(incident)
        self.repository.save_postmortem(incident_id, utc_now(), markdown)
        log.info("postmortem written for incident %s", incident_id)
        if self.config.postmortem_dir:
            self._export_postmortem(incident_id, markdown)

    def _export_postmortem(self, incident_id: int, markdown: str) -> None:
        folder = Path(self.config.postmortem_dir).expanduser()
        path = folder / f"incident-{incident_id}.md"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            create_private(path).write_text(markdown, encoding="utf-8")
        except OSError as error:
            # The postmortem is safe in the state database; only the copy failed.
            log.error("cannot write postmortem copy %s: %s", path, error)


def _numeric(metrics: dict) -> dict[str, float]:
    return {
        name: float(value)
        for name, value in metrics.items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    }


def _totals(metrics: dict, peak: dict[str, float]) -> dict[str, float]:
    """Return the running sums of the metrics that count new events since the
    last poll (deadlocks), added to those in ``peak``, as ``total_<name>``."""
    return {
        f"total_{name}": peak.get(f"total_{name}", 0.0) + float(metrics[name])
        for name in _COUNTED_METRICS
        if isinstance(metrics.get(name), int | float)
    }


def _condition_start(finding: Finding, taken_at: datetime) -> datetime:
    """Estimate when the condition began from the evidence in the finding."""
    metrics = finding.metrics
    seconds = 0.0
    if finding.kind is FindingKind.BLOCKING:
        seconds = float(metrics.get("max_wait_seconds", 0.0))
    elif finding.kind is FindingKind.IDLE_IN_TRANSACTION:
        seconds = float(metrics.get("idle_seconds", 0.0))
    elif finding.kind is FindingKind.LONG_QUERY:
        seconds = float(metrics.get("elapsed_seconds", 0.0))
    elif finding.kind is FindingKind.JOB_FAILURE and "ended_at" in metrics:
        return min(taken_at, datetime.fromisoformat(str(metrics["ended_at"])))
    elif finding.kind is FindingKind.VALIDATION_ERROR and "since" in metrics:
        # The first run in which the rule could not run.
        return min(taken_at, datetime.fromisoformat(str(metrics["since"])))
    elif finding.kind is FindingKind.VALIDATION and "passed_at" in metrics:
        # The rule passed in that run, so the rows changed after it: the
        # time to detect is at most the time since then.
        return min(taken_at, datetime.fromisoformat(str(metrics["passed_at"])))
    return taken_at - timedelta(seconds=seconds)
