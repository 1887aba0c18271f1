"""Incidents for critical jobs whose runs fail, time out or are missed."""

from __future__ import annotations

import logging
from collections.abc import Callable

from engine.config.models import JobConfig
from engine.incidents.manager import AUTO_RESOLVE_FROM, IncidentManager
from engine.incidents.models import Incident, Status
from engine.incidents.sla import SCHEDULER_ACTOR
from engine.monitor.findings import Finding, FindingKind, Severity
from engine.store.database import utc_now
from engine.store.jobs import PROBLEM_STATUSES, JobRunRecord, RunStatus

log = logging.getLogger(__name__)

ACTOR = SCHEDULER_ACTOR


class JobAlerts:
    """Opens one job_failure incident per critical job and notes later runs."""

    def __init__(
        self,
        incidents: IncidentManager,
        target: str,
        opened: Callable[[list[Incident]], None] | None = None,
    ):
        self.incidents = incidents
        self.target = target
        self.opened = opened
        """Callback given the incidents a problem run opened, for the engine's
        automatic remediation."""

    def run_ended(self, job: JobConfig, run: JobRunRecord) -> None:
        if not job.critical:
            return
        if run.status in PROBLEM_STATUSES:
            self._report(job, run)
        elif run.status is RunStatus.SUCCEEDED:
            self._note_recovery(job, run)

    def _report(self, job: JobConfig, run: JobRunRecord) -> None:
        detected = utc_now()
        # A run cut off by a crash ended before this start, so its incident's
        # time to detect counts from the run's end (see fail_unfinished).
        ended = min(run.ended_at or detected, detected)
        finding = Finding(
            kind=FindingKind.JOB_FAILURE,
            dedup_key=dedup_key(job.name),
            severity=Severity.CRITICAL,
            title=f"critical job {job.name} {_verb(run)}",
            root_cause=_cause(job, run),
            metrics={
                "job": job.name,
                "run_id": run.id,
                "status": str(run.status),
                "lateness_seconds": run.lateness_seconds,
                "ended_at": ended.isoformat(),
            },
        )
        opened = self.incidents.observe(
            self.target, [finding], detected, clear_others=False
        )
        if opened:
            log.warning("incident %s opened for job %s", opened[0].id, job.name)
            if self.opened is not None:
                self.opened(opened)
            return
        incident = self._open_incident(job.name)
        if incident is not None:
            self.incidents.note(
                incident.id, ACTOR, f"run {run.status}", _cause(job, run)
            )

    def _note_recovery(self, job: JobConfig, run: JobRunRecord) -> None:
        """Resolve the job's incident once someone acted on it (it is being
        remediated or was escalated); before that, note the success only."""
        incident = self._open_incident(job.name)
        if incident is None:
            return
        message = f"run {run.id} of {job.name} succeeded"
        if incident.status in AUTO_RESOLVE_FROM:
            self.incidents.transition(incident.id, Status.RESOLVED, ACTOR, message)
            return
        self.incidents.note(
            incident.id,
            ACTOR,
            "run succeeded",
            f"{message}; resolve the incident once the cause is understood",
        )

    def _open_incident(self, name: str) -> Incident | None:
        key = dedup_key(name)
        for incident in self.incidents.repository.open_incidents():
            if incident.dedup_key == key and incident.target == self.target:
                return incident
        return None


def dedup_key(name: str) -> str:
    return f"job:{name}"


def _verb(run: JobRunRecord) -> str:
    return {
        RunStatus.FAILED: "failed",
        RunStatus.TIMED_OUT: "timed out",
        RunStatus.MISSED: "missed its run",
    }.get(run.status, str(run.status))


def _cause(job: JobConfig, run: JobRunRecord) -> str:
    if run.status is RunStatus.MISSED:
        scheduled = run.scheduled_at.isoformat() if run.scheduled_at else "?"
        return (
            f"run due at {scheduled} did not start: {run.lateness_seconds:.0f} s "
            "late, past misfire_grace_seconds (the engine was stopped, paused "
            "or its event loop blocked)"
        )
    return f"run {run.id} ({run.trigger} by {run.actor}): {run.error}"
