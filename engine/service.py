"""The Engine: starts and stops the war room and offers every operation the
faces (TUI, API, CLI) call. Faces never touch the database themselves."""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from engine.chaos.drills import DrillRunner, ScenarioState
from engine.chaos.interlocks import UnknownScenario
from engine.chaos.recovery import ROWS_OUT_NOTE
from engine.chaos.scenarios import SCENARIOS
from engine.chaos.scenarios.base import is_chaos_program
from engine.config.models import WarroomConfig
from engine.events import EngineNotice, EventBus, PollCompleted, PollFailed
from engine.governance.monitor import GovernanceMonitor
from engine.governance.operations import GovernanceOperations
from engine.healthcare.monitor import (
    HealthcareMonitor,
    HealthcareReading,
    HealthcareRefreshed,
)
from engine.incidents.manager import IncidentManager
from engine.incidents.models import (
    ALLOWED_TRANSITIONS,
    DRY_RUN_REMEDIATION,
    REMEDIATION,
    Incident,
    IncidentNotFound,
    InvalidTransition,
    PostmortemNotFound,
    PostmortemSummary,
    Status,
)
from engine.incidents.sla import (
    AUTO_REMEDIATION_ACTOR,
    CHAOS_ACTOR,
    ESCALATION_ACTOR,
    SlaReport,
    sla_report,
)
from engine.jobs.actions import HEALTHCARE_SOURCES, JobContext
from engine.jobs.models import JobState
from engine.jobs.scheduler import build_scheduler
from engine.monitor.findings import Finding, FindingKind, Severity
from engine.monitor.graph import BlockingGraph, build_graph
from engine.monitor.heads import HeadHistory
from engine.monitor.history import MetricHistory, figures_of
from engine.monitor.poller import PollLoop, stale_after
from engine.monitor.thresholds import evaluate
from engine.remediation.actions import ActionResult
from engine.remediation.playbook import NO_ACTION, Playbook
from engine.remediation.quarantine import release_drill
from engine.store.database import Store, utc_now
from engine.store.drills import DrillRecord, DrillRepository
from engine.store.governance import (
    GovernanceRepository,
)
from engine.store.incidents import IncidentRepository
from engine.store.jobs import JobRunRecord
from engine.store.snapshots import SnapshotRepository
from engine.store.validation import RuleTrendPoint, ValidationRunRepository
from engine.targets.base import Target, TargetError, TargetUnreachable
from engine.validation.cycle import ChecksCompleted, DataChecks
from engine.validation.models import UnknownRule

log = logging.getLogger(__name__)

__all__ = [
    "Engine",
    "IncidentNotFound",
    "InvalidTransition",
    "PostmortemNotFound",
    "UnknownRule",
    "UnknownScenario",
]

_PRUNE_EVERY_POLLS = 300
# Drill detectors that are not part of the data checks.
_OUTSIDE_CHECKS = ("poll", "jobs")


class Engine(GovernanceOperations):
    """One monitored target, its incidents, drills and remediation.

    The governance operations are in engine.governance.operations.
    """

    def __init__(self, config: WarroomConfig, target: Target, store: Store | Path):
        self.config = config
        self.target = target
        self.store = store if isinstance(store, Store) else Store(store)
        self.bus = EventBus()
        self.incidents = IncidentManager(
            IncidentRepository(self.store), config.warroom.incidents, self.bus
        )
        self.snapshots = SnapshotRepository(self.store)
        self.validation_runs = ValidationRunRepository(self.store)
        self.checks = DataChecks(target, config, self.validation_runs)
        self.governance = GovernanceMonitor(
            target,
            config.target.name,
            config.warroom.governance,
            GovernanceRepository(self.store),
        )
        self.drills = DrillRunner(
            target,
            config.target,
            config.chaos,
            DrillRepository(self.store),
            self.incidents,
            self.bus,
            self._remediate_for_drill,
            release_quarantine=self._release_quarantine,
            detector_problem=self._detector_problem,
            after_rollback=self._recheck_after_rollback,
        )
        monitor = config.warroom.monitor
        points = int(monitor.history_minutes * 60 / monitor.poll_interval_seconds)
        self.history = MetricHistory(points)
        self._heads = HeadHistory()
        self.healthcare = HealthcareMonitor(
            target, config.warroom.healthcare, config.target.name
        )
        self.last_poll: PollCompleted | None = None
        self.last_error: str | None = None
        self.link_error: str | None = None
        """Always None: the TUI reads this engine in-process, so the link to
        it cannot break (an attached TUI's source sets it)."""
        self._poll_lock = asyncio.Lock()
        self._loop = PollLoop(self.poll_once, monitor.poll_interval_seconds)
        self._background: set[asyncio.Task[Any]] = set()
        # The remediation running for each incident and who started it.
        self._remediations: dict[int, tuple[str, asyncio.Task[ActionResult]]] = {}
        self._recovered = False
        self.unrestored_at_stop: str | None = None
        """The reason a drill's rows were still out when stop ran, or None.
        The next start on this target puts them back."""
        self.drill_at_stop: DrillRecord | None = None
        """The drill that stop cancelled and rolled back, or None."""
        self.started = False
        context = JobContext(
            target,
            config,
            self.snapshots,
            self.snapshot_now,
            lambda: self.last_error,
            self.run_checks,
            self.incidents.repository.detected_since,
            self.scan_catalog,
            self._job_succeeded,
        )
        self.jobs = build_scheduler(
            config.jobs,
            context,
            self.store,
            self.bus,
            self.incidents,
            config.target.name,
            self._auto_remediate,
        )
        self.drills.trigger_job = self.jobs.runner.trigger
        self.playbook = Playbook(
            target,
            config.playbook,
            config.warroom.remediation,
            self.checks.validator,
            self.jobs.runner,
            config.target.allow_cross_database_kill,
        )

    @property
    def target_name(self) -> str:
        return self.config.target.name

    # -- lifecycle ---------------------------------------------------------

    async def start(self, poll: bool = True) -> None:
        """Connect to the target, recover interrupted drills, start polling.

        An unreachable target does not stop the engine: the poll loop records
        a target_unreachable incident and keeps trying.
        """
        self.incidents.write_missing_postmortems()
        try:
            await self.target.connect()
        except TargetError as error:
            self.last_error = str(error)
            log.error("target %s unreachable at start: %s", self.target_name, error)
        else:
            await self.drills.recover()
            self._recovered = True
            await self._read_counter_baseline()
        if poll:
            # Read before the first poll of this process adds its own.
            last_seen = self.snapshots.latest(self.target_name)
            self._loop.start()
            self.jobs.start(last_seen=last_seen)
        self.started = True
        log.info("engine started for target %s", self.target_name)

    def _job_succeeded(self, action: str) -> None:
        """Read again, at the next poll, what a successful job run changed:
        the catalog after an ETL action's first run, and the healthcare
        figures after a load they count. Without it a card would show
        "run the etl_adherence job" for up to a refresh interval after the
        job ran."""
        self.governance.tables_installed(action)
        if action in HEALTHCARE_SOURCES:
            self.healthcare.read_soon()

    async def _read_counter_baseline(self) -> None:
        """Read the target's cumulative counters once before the first poll.

        The first poll reports deltas from this read. Without it, that poll
        would only set the baseline, and a deadlock counted before it, such
        as a drill's started right after the engine, would never show.
        """
        try:
            await self.target.snapshot()
        except TargetError as error:
            log.warning(
                "failed to read the counter baseline of target %s: %s",
                self.target_name,
                error,
            )

    async def stop(self) -> None:
        self.drill_at_stop = await self.drills.stop()
        self.unrestored_at_stop = self.drills.unrestored()
        if self.unrestored_at_stop is not None:
            log.error("stopping with a drill's rows out: %s", self.unrestored_at_stop)
        await self.jobs.stop()
        await self._loop.stop()
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await self.checks.close()
        await self.target.close()
        self.store.close()
        self.started = False
        log.info("engine stopped for target %s", self.target_name)

    # -- monitoring --------------------------------------------------------

    async def poll_once(self) -> PollCompleted | None:
        """Take one snapshot, update incidents and publish the result.

        Polls never overlap: a caller that asks while one runs waits for it.
        Returns None when the target could not be read.
        """
        async with self._poll_lock:
            try:
                snapshot = await self.target.snapshot()
            except TargetError as error:
                self._record_failure(error)
                return None
            if not self._recovered:
                # The target was down at start; finish interrupted drills now.
                self._recovered = True
                await self.drills.recover()
            return self._process(snapshot)

    async def snapshot_now(self) -> PollCompleted | None:
        return await self.poll_once()

    def _process(self, snapshot) -> PollCompleted:
        limits = self.config.warroom.thresholds
        graph = build_graph(snapshot.sessions)
        recent = {
            name: self.history.series(name)
            for name in ("cpu_percent", "memory_percent")
        }
        heads_since = self._heads.update(graph, snapshot.taken_at)
        findings = evaluate(snapshot, graph, limits, recent, heads_since)
        # The healthcare breaches of the last read count in every poll, so
        # their incidents stay open until a read shows them clear.
        findings += self.healthcare.findings
        findings += self.checks.findings
        findings += self.governance.findings
        self.incidents.active_drill_sessions = _drill_sessions(
            snapshot, self.incidents.active_drill_id
        )
        opened = self.incidents.observe(self.target_name, findings, snapshot.taken_at)
        self._note_leftover_cause(opened)
        self.incidents.escalate_overdue()

        figures = figures_of(snapshot, graph, limits.long_query_seconds)
        self.history.add(snapshot.taken_at, figures)
        self.snapshots.add(self.target_name, snapshot.taken_at, figures)
        if self._loop.polls % _PRUNE_EVERY_POLLS == 0:
            retention = self.config.warroom.monitor.snapshot_retention_hours
            self.snapshots.prune(utc_now(), retention)

        if self.last_error is not None:
            log.info("target %s reachable again", self.target_name)
            self.last_error = None
        result = PollCompleted(snapshot, graph, tuple(findings))
        self.last_poll = result
        self.bus.publish(result)
        self._auto_remediate(opened)
        if self.healthcare.due():
            self._spawn(self.refresh_healthcare())
        if self.checks.due():
            self._spawn(self.run_checks())
        if self.governance.due():
            self._spawn(self._scheduled_catalog_scan())
        if self.drills.leftovers_due():
            self._spawn(self.drills.retry_leftovers())
        return result

    def _note_leftover_cause(self, opened: list[Incident]) -> None:
        """Add an entry to each new incident outside a drill that rows an
        earlier drill left out can cause, so on-call checks that drill
        before looking for a real fault."""
        for incident in opened:
            if incident.drill_id is not None:
                continue
            cause = self.drills.leftover_cause(incident.kind)
            if cause is not None:
                self.incidents.note(incident.id, CHAOS_ACTOR, ROWS_OUT_NOTE, cause)

    def _auto_remediate(self, opened: list[Incident]) -> None:
        """Run the playbook on incidents that just opened, when
        remediation.auto is on. A drill's incidents are left to the drill,
        which remediates them itself when it was started to."""
        if not self.config.warroom.remediation.auto:
            return
        for incident in opened:
            if incident.drill_id is None:
                self._spawn(self.remediate(incident.id, AUTO_REMEDIATION_ACTOR))

    def _record_failure(self, error: TargetError) -> None:
        now = utc_now()
        message = str(error)
        if message != self.last_error:
            log.error("poll of %s failed: %s", self.target_name, message)
        self.last_error = message
        self.bus.publish(PollFailed(now, message))
        if isinstance(error, TargetUnreachable):
            finding = Finding(
                kind=FindingKind.TARGET_UNREACHABLE,
                dedup_key=f"target_unreachable:{self.target_name}",
                severity=Severity.CRITICAL,
                title=f"target {self.target_name} unreachable",
                root_cause=message,
            )
            # Other incidents are not counted as clear: nothing was observed.
            self.incidents.observe(self.target_name, [finding], now, clear_others=False)
        self.incidents.escalate_overdue()

    def _spawn(self, work) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def refresh_healthcare(self) -> HealthcareReading:
        """Read the healthcare figures now and publish HealthcareRefreshed.

        A failed read is a notice with the reason, never a failed poll; the
        previous figures stay, with their read time.
        """
        previous_error = self.healthcare.reading.error
        reading = await self.healthcare.refresh()
        if reading.error is not None and reading.error != previous_error:
            self.bus.publish(
                EngineNotice("warning", f"healthcare figures not read: {reading.error}")
            )
        self.bus.publish(HealthcareRefreshed(reading))
        return reading

    async def run_checks(self, keep_cadence: bool = False) -> ChecksCompleted:
        """Run the validation rules, the claim burst and the PHI audit now.

        Their findings count from the next poll on. A check that cannot run
        is a notice with the reason, never a failed poll. ``keep_cadence``
        leaves the next scheduled run where it was.
        """
        previous_error = self.checks.error
        completed = await self.checks.run(keep_cadence)
        if completed.error is not None and completed.error != previous_error:
            self.bus.publish(
                EngineNotice("warning", f"data checks incomplete: {completed.error}")
            )
        self.bus.publish(completed)
        return completed

    def validation_trend(self, rule: str, limit: int = 100) -> list[RuleTrendPoint]:
        """Return the rule's outcome and violation count in its last ``limit``
        stored runs, oldest first.

        Raises UnknownRule for a name that config/validation_rules.yaml does
        not define. A defined rule that has not run yet has an empty trend.
        """
        if self.checks.validator.rule(rule) is None:
            raise UnknownRule(rule)
        return self.validation_runs.trend(self.target_name, rule, limit)

    def healthcare_reading(self) -> HealthcareReading:
        """Return the last healthcare figures, their read time and any error."""
        return self.healthcare.reading

    def blocking_graph(self) -> BlockingGraph | None:
        return self.last_poll.graph if self.last_poll else None

    def stale_poll_age(self, now: datetime | None = None) -> float | None:
        """Return the age in seconds of the last successful poll when it is
        past the stale limit, as when the target hangs mid-poll, or None."""
        if self.last_poll is None:
            return None
        taken_at = self.last_poll.snapshot.taken_at
        age = ((now or utc_now()) - taken_at).total_seconds()
        interval = self.config.warroom.monitor.poll_interval_seconds
        return age if age > stale_after(interval) else None

    # -- incidents ---------------------------------------------------------

    def list_incidents(
        self,
        status: str | None = None,
        kind: str | None = None,
        open_only: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Incident]:
        return self.incidents.repository.search(status, kind, open_only, limit, offset)

    def open_incidents(self) -> list[Incident]:
        return self.incidents.repository.open_incidents()

    def get_incident(self, incident_id: int) -> Incident:
        """Return one incident with its timeline; raise IncidentNotFound."""
        return self.incidents.get(incident_id)

    def transition(
        self, incident_id: int, status: Status | str, actor: str, message: str = ""
    ) -> Incident:
        """Change an incident's status under the transition rules."""
        return self.incidents.transition(incident_id, Status(status), actor, message)

    def create_incident(
        self,
        kind: str,
        title: str,
        actor: str,
        severity: str = "warning",
        root_cause: str = "",
    ) -> Incident:
        """Open an incident by hand (from the API or a person)."""
        return self.incidents.open_manual(
            self.target_name,
            kind,
            title,
            severity,
            root_cause or "reported by hand; not yet known",
            actor,
        )

    def investigate(self, incident_id: int, actor: str) -> Incident:
        return self.transition(
            incident_id, Status.INVESTIGATING, actor, "investigating"
        )

    def escalate(self, incident_id: int, actor: str, reason: str = "") -> Incident:
        return self.transition(
            incident_id, Status.ESCALATED, actor, reason or "escalated by hand"
        )

    def resolve(self, incident_id: int, actor: str, note: str = "") -> Incident:
        return self.transition(
            incident_id, Status.RESOLVED, actor, note or "resolved by hand"
        )

    async def remediate(
        self, incident_id: int, actor: str, dry_run: bool | None = None
    ) -> ActionResult:
        """Run the playbook action for an incident.

        A DETECTED incident moves through INVESTIGATING to REMEDIATING first,
        each step on the timeline under ``actor``. A failed action escalates
        the incident; an action with nothing to act on yet leaves it as is.
        A kind without an action is moved to REMEDIATING all the same, and
        not escalated, so it resolves once its condition has cleared.
        Raises TargetUnreachable, after recording the failure on the
        timeline, when the target cannot be reached.

        One remediation of an incident runs at a time: a second request
        while one runs waits for it and returns its result, so two people
        pressing `r` at once neither act twice nor see a false failure.
        """
        config = self.config.warroom.remediation
        dry_run = config.dry_run if dry_run is None else dry_run
        if dry_run:
            return await self._remediate(incident_id, actor, dry_run=True)
        running = self._remediations.get(incident_id)
        if running is not None:
            first_actor, task = running
            result = await asyncio.shield(task)
            return replace(
                result,
                message=f"remediation by {first_actor} was already running; "
                f"its result: {result.message}",
            )
        task = asyncio.ensure_future(self._remediate(incident_id, actor, dry_run=False))
        self._remediations[incident_id] = (actor, task)
        task.add_done_callback(lambda _: self._remediation_ended(incident_id, task))
        return await task

    def _remediation_ended(self, incident_id: int, task: asyncio.Task) -> None:
        if self._remediations.get(incident_id, (None, None))[1] is task:
            del self._remediations[incident_id]

    async def _remediate(
        self, incident_id: int, actor: str, dry_run: bool
    ) -> ActionResult:
        incident = self.incidents.get(incident_id)
        action = self.playbook.action_for(incident) or NO_ACTION

        if not dry_run:
            incident = self._enter_remediation(incident, actor, action)
        try:
            result = await self.playbook.run(
                incident,
                actor,
                dry_run,
                lambda: self.incidents.get(incident_id).is_open,
            )
        except TargetError as error:
            # The action could not even look at the target; that is a failed
            # action, recorded and escalated like any other.
            log.error("remediation of incident %s failed: %s", incident_id, error)
            result = ActionResult(action, dry_run, False, f"failed: {error}")
            unreachable = error if isinstance(error, TargetUnreachable) else None
        else:
            unreachable = None
        label = DRY_RUN_REMEDIATION if dry_run else REMEDIATION
        self.incidents.note(
            incident_id, actor, f"{label}: {result.action}", result.message
        )
        failed = not result.succeeded and result.action != NO_ACTION
        if result.succeeded and not dry_run and incident.drill_id is not None:
            self.drills.remediated(incident.drill_id)
        if result.succeeded and not dry_run and action in _DATA_ACTIONS:
            # Check again at once, so the incident clears without waiting for
            # the next cycle.
            self._spawn(self.run_checks())
        if not dry_run and failed and not result.retryable:
            current = self.incidents.get(incident_id)
            if Status.ESCALATED in _next_statuses(current.status):
                self.incidents.transition(
                    incident_id,
                    Status.ESCALATED,
                    ESCALATION_ACTOR,
                    f"{result.action} failed: {result.message}",
                )
        if unreachable is not None:
            # Callers report an unreachable target distinctly (HTTP 503).
            raise unreachable
        return result

    def _enter_remediation(
        self, incident: Incident, actor: str, action: str
    ) -> Incident:
        if incident.status is Status.DETECTED:
            incident = self.incidents.transition(
                incident.id, Status.INVESTIGATING, actor, "investigating"
            )
        if incident.status is Status.INVESTIGATING:
            if action == NO_ACTION and not incident.cleared_by_polls:
                message = "no automatic action; resolve it by hand once fixed"
            elif action == NO_ACTION:
                message = "no automatic action; resolves once the condition clears"
            else:
                message = f"running {action}"
            incident = self.incidents.transition(
                incident.id, Status.REMEDIATING, actor, message
            )
        if incident.status is Status.RESOLVED:
            raise InvalidTransition(incident.id, incident.status, Status.REMEDIATING)
        return incident

    def _recheck_after_rollback(
        self, detector: str, verified_drill: int | None
    ) -> None:
        """Run the data checks again on the rows a drill's rollback restored.

        A check run in progress read some rows before the restore and some
        after, so it runs again rather than open incidents outside the drill
        for rows that are gone. ``verified_drill`` is the drill's id when its
        rollback check passed, or None.
        """
        if detector in _OUTSIDE_CHECKS:
            return
        self.checks.invalidate()
        self._spawn(self._recheck(verified_drill))

    async def _recheck(self, verified_drill: int | None) -> None:
        """Read the checks and the healthcare figures again, then mark a
        verified drill as checked: a condition of it still seen is new.

        The healthcare figures count because a drill's side effect (the claim
        spike's rejection rate) is one of them. This extra run keeps the
        scheduled check cycle's phase.
        """
        completed = await self.run_checks(keep_cadence=True)
        reading = await self.refresh_healthcare()
        # A part that failed keeps its earlier findings, which may still be
        # the drill's, so only a clean read hands conditions over.
        clean = completed.error is None and reading.error is None
        if verified_drill is not None and clean:
            self.incidents.checked_drills.add(verified_drill)

    def _detector_problem(self, detector: str) -> str | None:
        if detector in _OUTSIDE_CHECKS:
            return None
        return self.checks.problem(detector)

    async def _release_quarantine(
        self, drill_id: int, added: dict[str, list[dict[str, Any]]]
    ) -> int:
        return await release_drill(self.checks.validator, drill_id, added)

    async def _remediate_for_drill(self, incident_id: int, actor: str) -> ActionResult:
        return await self.remediate(incident_id, actor, dry_run=False)

    def postmortem(self, incident_id: int) -> str:
        """Return an incident's postmortem Markdown.

        Raises IncidentNotFound for an unknown id and PostmortemNotFound while
        the incident is still open.
        """
        incident = self.incidents.get(incident_id)
        markdown = self.incidents.repository.postmortem(incident_id)
        if markdown is None and incident.status is Status.RESOLVED:
            # A stop between the resolve and the postmortem's write leaves a
            # resolved incident without one.
            self.incidents.write_missing_postmortems()
            markdown = self.incidents.repository.postmortem(incident_id)
        if markdown is None:
            raise PostmortemNotFound(
                f"incident {incident_id} is {incident.status}; its postmortem is "
                "written when it resolves"
            )
        return markdown

    def recent_postmortems(self, limit: int = 10) -> list[PostmortemSummary]:
        return self.incidents.repository.recent_postmortems(limit)

    def sla(self, hours: float = 24.0) -> SlaReport:
        """Return the SLA figures of the incidents detected in the last ``hours``."""
        now = utc_now()
        since = now - timedelta(hours=hours)
        incidents = self.incidents.repository.detected_since(since)
        return sla_report(incidents, self.config.warroom.sla, now, hours)

    # -- chaos -------------------------------------------------------------

    def scenarios(self) -> list[ScenarioState]:
        return self.drills.scenarios()

    def trigger_drill(
        self, scenario: str, actor: str, auto_remediate: bool | None = None
    ) -> asyncio.Task[DrillRecord]:
        """Start a drill in the background; raise an InterlockError if it may not."""
        if auto_remediate is None:
            auto_remediate = self.config.warroom.remediation.auto
        task = self.drills.start(scenario, actor, auto_remediate)
        self.bus.publish(EngineNotice("info", f"drill {scenario} started by {actor}"))
        return task

    def random_scenario(self) -> str:
        """Pick a scenario that can start now: enabled, not running, past its
        cooldown and not blocked by an interlock."""
        states = self.scenarios()
        enabled = [state for state in states if state.enabled]
        ready = [
            state.name
            for state in enabled
            if not state.running
            and state.cooldown_remaining <= 0
            and state.blocked_by is None
        ]
        if ready:
            return random.choice(ready)
        running = [state.name for state in states if state.running]
        if running:
            raise UnknownScenario(
                f"no scenario can start while the {running[0]} drill runs"
            )
        blocked = [state.blocked_by for state in enabled if state.blocked_by]
        if blocked:
            raise UnknownScenario(f"no scenario can start: {blocked[0]}")
        raise UnknownScenario("no enabled scenario is past its cooldown")

    def drill_history(self, scenario: str | None = None, limit: int = 50):
        return self.drills.drills.history(scenario, limit)

    @property
    def current_drill(self) -> DrillRecord | None:
        return self.drills.current

    @staticmethod
    def scenario_names() -> list[str]:
        return list(SCENARIOS)

    # -- jobs --------------------------------------------------------------

    def list_jobs(self) -> list[JobState]:
        """Return every configured job with its next run and newest run."""
        return self.jobs.states()

    def job_history(self, name: str, limit: int = 50) -> list[JobRunRecord]:
        """Return the newest runs of a job first; raise JobNotFound."""
        return self.jobs.history(name, limit)

    def trigger_job(self, name: str, actor: str) -> JobRunRecord:
        """Start a run of a job now; raise JobNotFound or JobAlreadyRunning."""
        return self.jobs.trigger(name, actor)


_DATA_ACTIONS = frozenset({"quarantine_data", "suspend_phi_access", "revert_formulary"})


def _next_statuses(status: Status) -> frozenset[Status]:
    return ALLOWED_TRANSITIONS[status]


def _drill_sessions(snapshot, drill_id: int | None) -> frozenset[int]:
    """Return the ids of the running drill's sessions, which its scenarios open
    under an application name with the chaos prefix."""
    if drill_id is None:
        return frozenset()
    return frozenset(
        session.session_id
        for session in snapshot.sessions
        if is_chaos_program(session.program)
    )
