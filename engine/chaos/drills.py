"""Run a chaos drill: interlocks, inject, wait for detection, remediate, wait
for resolution, and always roll back."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from engine.chaos.interlocks import (
    CooldownActive,
    InterlockError,
    InterlockState,
    KillSwitchEngaged,
    check_interlocks,
    trips_kill_switch,
)
from engine.chaos.journal import Journal, ReleaseQuarantine
from engine.chaos.recovery import DrillRecovery
from engine.chaos.scenarios import SCENARIOS, DrillContext, Scenario
from engine.chaos.verify import Fingerprint, check_rollback, fingerprint
from engine.config.models import ChaosConfig, TargetConfig
from engine.events import DrillProgress, EventBus, IncidentChanged
from engine.incidents.manager import IncidentManager
from engine.incidents.models import Incident, Status
from engine.incidents.sla import drill_actor
from engine.remediation.actions import ActionResult
from engine.store.database import utc_now
from engine.store.drills import DrillRecord, DrillRepository
from engine.targets.base import Target

log = logging.getLogger(__name__)

# How long stopping the engine waits for a drill's rollback, trying the rows
# it left out again every STOP_RETRY_SECONDS. An entry whose row is locked
# waits for the statement timeout (5 s by default), and the journal stops
# after three such entries in a row, so one try takes about 15 s at most.
STOP_ROLLBACK_SECONDS = 30.0
STOP_RETRY_SECONDS = 2.0

Remediator = Callable[[int, str], Awaitable[ActionResult]]
JobTrigger = Callable[[str, str], tuple[Any, asyncio.Task[Any]]]


@dataclass(frozen=True)
class ScenarioState:
    name: str
    title: str
    description: str
    enabled: bool
    cooldown_seconds: float
    cooldown_remaining: float
    running: bool
    blocked_by: str | None = None
    """The reason an interlock other than the cooldown would reject a start now."""


@dataclass(frozen=True)
class _SharedFacts:
    """The interlock facts that are the same for every scenario."""

    state: InterlockState
    open_incidents: list[Incident]
    """This target's open incidents."""


class DrillRunner(DrillRecovery):
    """Runs one drill at a time on the engine's target."""

    def __init__(
        self,
        target: Target,
        target_config: TargetConfig,
        chaos_config: ChaosConfig,
        drills: DrillRepository,
        incidents: IncidentManager,
        bus: EventBus,
        remediate: Remediator,
        *,
        trigger_job: JobTrigger | None = None,
        release_quarantine: ReleaseQuarantine | None = None,
        detector_problem: Callable[[str], str | None] = lambda detector: None,
        after_rollback: Callable[[str, int | None], None] = lambda *args: None,
    ):
        self.target = target
        self.target_config = target_config
        self.chaos_config = chaos_config
        self.drills = drills
        self.incidents = incidents
        self.bus = bus
        self.remediate = remediate
        self.trigger_job = trigger_job
        self.detector_problem = detector_problem
        self.after_rollback = after_rollback
        """Called with the scenario's detector and, when the rollback check
        passed, the drill's id, once a rollback has run and while the drill is
        still current, so the checks read the restored rows."""
        self.journal = Journal(drills, target, release_quarantine)
        self.current: DrillRecord | None = None
        self._task: asyncio.Task[DrillRecord] | None = None
        self._rollback_task: asyncio.Task[None] | None = None
        self._killed_by: KillSwitchEngaged | None = None
        self._retry_lock = asyncio.Lock()
        self.recovery_notes: list[str] = []
        """One line per drill the last recover finished, for the command to print."""
        self._last_retry = time.monotonic()

    def scenarios(self) -> list[ScenarioState]:
        now = utc_now()
        shared = self._shared_facts()
        states = []
        for name, scenario in SCENARIOS.items():
            config = self.chaos_config.scenarios.get(name)
            last = self.drills.last_ended(name, self.target_config.name)
            cooldown = config.cooldown_seconds if config else 0.0
            remaining = 0.0
            if last is not None:
                remaining = max(0.0, cooldown - (now - last).total_seconds())
            running = self.current is not None and self.current.scenario == name
            states.append(
                ScenarioState(
                    name=name,
                    title=scenario.title,
                    description=config.description if config else "",
                    enabled=bool(config and config.enabled),
                    cooldown_seconds=cooldown,
                    cooldown_remaining=remaining,
                    running=running,
                    blocked_by=(
                        None if running else self._blocked_by(name, config, shared)
                    ),
                )
            )
        return states

    def _blocked_by(self, name: str, config, shared: _SharedFacts) -> str | None:
        try:
            check_interlocks(
                name,
                config,
                self.target_config,
                self._interlock_state(name, SCENARIOS.get(name), shared),
            )
        except CooldownActive:
            return None
        except InterlockError as refusal:
            return str(refusal)
        return None

    def start(
        self, name: str, actor: str, auto_remediate: bool
    ) -> asyncio.Task[DrillRecord]:
        """Check the interlocks and start the drill in the background."""
        config = self.chaos_config.scenarios.get(name)
        scenario_class = SCENARIOS.get(name)
        check_interlocks(
            name,
            config if scenario_class else None,
            self.target_config,
            self._interlock_state(name, scenario_class),
        )
        assert config is not None and scenario_class is not None
        drill = self.drills.create(
            name, self.target_config.name, actor, self.target.identity
        )
        self.current = drill
        self.incidents.active_drill_id = drill.id
        self.incidents.active_drill_kinds = (
            scenario_class.expected_kinds | scenario_class.side_effect_kinds
        )
        self._task = asyncio.create_task(
            self._run(drill, scenario_class(), config.params, config, auto_remediate),
            name=f"drill-{drill.id}",
        )
        return self._task

    async def run(self, name: str, actor: str, auto_remediate: bool) -> DrillRecord:
        return await self.start(name, actor, auto_remediate)

    def _interlock_state(
        self,
        name: str,
        scenario_class: type[Scenario] | None,
        shared: _SharedFacts | None = None,
    ) -> InterlockState:
        """Gather the facts the interlocks check for scenario ``name``.

        ``shared`` contains the facts that are the same for every scenario, as
        _shared_facts returns them, so a caller that checks every scenario
        reads them once.
        """
        shared = shared or self._shared_facts()
        conflicting = None
        if scenario_class is not None:
            for incident in shared.open_incidents:
                if incident.kind in scenario_class.expected_kinds:
                    conflicting = f"{incident.kind} incident {incident.id}"
                    break
        return replace(
            shared.state,
            last_ended=self.drills.last_ended(name, self.target_config.name),
            conflicting_incident=conflicting,
            detector_problem=(
                self.detector_problem(scenario_class.detector)
                if scenario_class is not None
                else None
            ),
        )

    def _shared_facts(self) -> _SharedFacts:
        """Gather the facts that do not depend on the scenario: this target's
        open incidents, the running drill, the kill switch and rows still out."""
        open_incidents = self._target_incidents()
        state = InterlockState(
            now=utc_now(),
            last_ended=None,
            running_drill=self.current.scenario if self.current is not None else None,
            conflicting_incident=None,
            kill_switch_incident=self._kill_switch_incident(open_incidents),
            kill_switch_severity=self.chaos_config.kill_switch_severity,
            unrestored=self.unrestored(),
        )
        return _SharedFacts(state, open_incidents)

    def _target_incidents(self) -> list[Incident]:
        """Return the open incidents of this engine's target."""
        return [
            incident
            for incident in self.incidents.repository.open_incidents()
            if incident.target == self.target_config.name
        ]

    def _kill_switch_incident(
        self, open_incidents: list[Incident] | None = None
    ) -> Incident | None:
        """Return an open incident of this target (of ``open_incidents`` when
        given) that trips the kill switch, or None."""
        if open_incidents is None:
            open_incidents = self._target_incidents()
        for incident in open_incidents:
            if self._trips(incident):
                return incident
        return None

    def _trips(self, incident: Incident) -> bool:
        return trips_kill_switch(incident, self.chaos_config.kill_switch_severity)

    async def stop(self) -> DrillRecord | None:
        """Cancel a running drill, wait for its rollback and return the drill,
        or None when none ran.

        Rows the rollback could not restore (locked by another session) are
        tried again every STOP_RETRY_SECONDS until STOP_ROLLBACK_SECONDS have
        passed. A rollback still running then is cancelled. Its drill stays
        "running" in the store, so unrestored reports it and the next start
        recovers it.
        """
        drill = self.current
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STOP_ROLLBACK_SECONDS
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        rollback = self._rollback_task
        if rollback is not None and not rollback.done():
            try:
                await asyncio.wait_for(
                    asyncio.shield(rollback), max(0.0, deadline - loop.time())
                )
            except TimeoutError:
                log.error(
                    "drill %s: rollback still running after %g s at stop; the "
                    "next start finishes it",
                    drill.id if drill else "?",
                    STOP_ROLLBACK_SECONDS,
                )
                rollback.cancel()
                await asyncio.gather(rollback, return_exceptions=True)
                self.current = None
                return drill
        if drill is not None:
            await self._retry_until(deadline)
            # A retry saves the drill's record anew ("rows restored later").
            drill = self.drills.get(drill.id) or drill
        return drill

    async def _retry_until(self, deadline: float) -> None:
        """Try the rows still out again until they are back or ``deadline``
        (loop time) is near, as a lock held a few seconds longer lets go."""
        loop = asyncio.get_running_loop()
        while self._leftover_drills():
            if deadline - loop.time() <= STOP_RETRY_SECONDS:
                return
            await asyncio.sleep(STOP_RETRY_SECONDS)
            try:
                await asyncio.wait_for(self.retry_leftovers(), deadline - loop.time())
            except TimeoutError:
                log.warning(
                    "drill rows still not restored when the stop's %g s ran out; "
                    "the next start restores them",
                    STOP_ROLLBACK_SECONDS,
                )
                return

    async def _run(
        self, drill, scenario, params, config, auto_remediate
    ) -> DrillRecord:
        events = self.bus.subscribe()
        self._killed_by = None
        kill_switch_events = self.bus.subscribe()
        watcher = asyncio.create_task(
            self._watch_kill_switch(drill, kill_switch_events, asyncio.current_task()),
            name=f"drill-{drill.id}-kill-switch",
        )
        context = DrillContext(
            drill_id=drill.id,
            target=self.target,
            journal=self.journal,
            params=dict(params),
            progress=lambda phase, message: self._progress(drill, phase, message),
            trigger_job=self.trigger_job,
            actor=drill_actor(drill.id),
            incident_ids=lambda: self.incidents.repository.ids_of_drill(drill.id),
        )
        before: dict[str, Fingerprint] = {}
        try:
            async with asyncio.timeout(config.max_duration_seconds):
                before = await fingerprint(self.target, scenario.touched_tables)
                self._progress(drill, "inject", f"injecting {scenario.title}")
                await scenario.inject(context)
                drill.injected_at = utc_now()
                self.incidents.active_drill_injected_at = drill.injected_at
                self.drills.save(drill)
                self._progress(drill, "injected", "waiting for the war room to detect")
                await self._follow(drill, scenario, events, auto_remediate)
            drill.status = "passed"
        except TimeoutError:
            drill.status = "timed out"
            drill.error = _timeout_message(drill, config.max_duration_seconds)
        except asyncio.CancelledError:
            if self._killed_by is not None:
                drill.status = "aborted"
                drill.error = f"rolled back by the {self._killed_by}"
            else:
                drill.status = "cancelled"
                drill.error = "drill cancelled"
        except Exception as error:
            log.exception("drill %s failed", drill.id)
            drill.status = "failed"
            drill.error = str(error) or type(error).__name__
        finally:
            watcher.cancel()
            self.bus.unsubscribe(events)
            # Shielded, so a cancel (the engine stopping) cannot cut the
            # restore short; stop waits for this task instead.
            self._rollback_task = asyncio.ensure_future(
                self._rollback(drill, scenario, context, before)
            )
            await asyncio.shield(self._rollback_task)
        return drill

    async def _watch_kill_switch(
        self, drill: DrillRecord, events: asyncio.Queue, run: asyncio.Task | None
    ) -> None:
        """Cancel the drill's ``run`` task once an incident trips the kill switch.

        Cancelling makes ``_run`` roll back through its ``finally``, as on a
        timeout, so the journal restores the rows.
        """
        # Only incidents of the scenario's own kinds are tagged with the drill
        # (IncidentManager.active_drill_kinds), so any other one trips this.
        try:
            incident = self._kill_switch_incident()
            while incident is None:
                event = await events.get()
                if not isinstance(event, IncidentChanged) or event.change != "opened":
                    continue
                if event.incident.target != self.target_config.name:
                    continue
                if self._trips(event.incident):
                    incident = event.incident
        finally:
            self.bus.unsubscribe(events)
        self._killed_by = KillSwitchEngaged(
            incident, self.chaos_config.kill_switch_severity
        )
        log.warning(
            "drill %s (%s) rolled back: %s", drill.id, drill.scenario, self._killed_by
        )
        if run is not None:
            run.cancel()

    async def _rollback(self, drill, scenario, context, before) -> None:
        # A row another session has locked makes its entry wait for the
        # statement timeout, so the panel shows that the drill is rolling back.
        self._progress(
            drill, "rolling back", "releasing its sessions and restoring its rows"
        )
        verified = False
        try:
            await scenario.rollback(context)
            drill.rolled_back_at = utc_now()
            check = await check_rollback(
                self.target, before, self.drills.journal_entries(drill.id)
            )
        except Exception as error:
            log.exception("rollback of drill %s failed", drill.id)
            drill.error = f"rollback failed: {error}"
            drill.status = "failed"
        else:
            for notice in check.notices:
                self._progress(drill, "rollback check", notice)
            if check.failure is not None:
                drill.error = f"rollback incomplete: {check.failure}"
                drill.status = "failed"
            else:
                verified = True
                tables = ", ".join(before) or "no table"
                self._progress(
                    drill,
                    "rolled back",
                    f"sessions released, rows restored; checked {tables}",
                )
        self.after_rollback(scenario.detector, drill.id if verified else None)
        drill.ended_at = utc_now()
        if drill.status == "passed" and not drill.passed:
            drill.status = "failed"
        self.drills.save(drill)
        self._escalate_leftovers(drill)
        self.current = None
        self.incidents.active_drill_id = None
        self.incidents.active_drill_kinds = None
        self.incidents.active_drill_sessions = frozenset()
        self.incidents.active_drill_injected_at = None
        self._progress(
            drill,
            "ended",
            drill.status,
            final=True,
            rolled_back=drill.rolled_back_at is not None,
            error=drill.error,
        )

    async def _follow(self, drill, scenario, events, auto_remediate) -> None:
        """Wait for the drill's first incident, then until every incident of
        the expected kinds that the drill caused has resolved, remediating
        each as it opens."""

        def caused(incident: Incident) -> bool:
            return (
                incident.drill_id == drill.id
                and incident.kind in scenario.expected_kinds
            )

        incident = await self._wait_for(
            events, lambda event: event.change == "opened" and caused(event.incident)
        )
        drill.detected_at = incident.detected_at
        drill.incident_id = incident.id
        self.drills.save(drill)
        self._progress(
            drill,
            "detected",
            f"incident {incident.id}: {incident.title}",
            seconds_to_detect=drill.seconds_to_detect,
        )
        pending = {incident.id}
        # Incidents resolved by hand while their condition was still present:
        # the next poll opens a new incident for the fault, which replaces them.
        early: set[int] = set()
        remediations: list[asyncio.Task[None]] = []
        if auto_remediate:
            remediations.append(
                asyncio.create_task(self._remediate(drill, incident.id))
            )
        try:
            while pending:
                event = await events.get()
                if not isinstance(event, IncidentChanged):
                    continue
                changed = event.incident
                if event.change == "opened" and caused(changed):
                    pending.add(changed.id)
                    pending -= early
                    early.clear()
                    self._progress(
                        drill, "detected", f"incident {changed.id}: {changed.title}"
                    )
                    if auto_remediate:
                        remediations.append(
                            asyncio.create_task(self._remediate(drill, changed.id))
                        )
                elif changed.id in pending and changed.status is Status.RESOLVED:
                    if changed.cleared_by_polls and changed.clear_polls == 0:
                        early.add(changed.id)
                        self._progress(
                            drill,
                            "resolved early",
                            f"incident {changed.id} was resolved while its "
                            "condition was still present; the fault is not fixed",
                        )
                        continue
                    pending.discard(changed.id)
                    # The drill is resolved when its last incident is: a
                    # drill that times out with one still open has no time.
                    if not pending:
                        drill.resolved_at = changed.resolved_at
                    else:
                        self._progress(
                            drill,
                            "resolving",
                            f"incident {changed.id} resolved; still open: "
                            + ", ".join(map(str, sorted(pending))),
                        )
        finally:
            for task in remediations:
                task.cancel()
            await asyncio.gather(*remediations, return_exceptions=True)
        self.drills.save(drill)
        self._progress(
            drill,
            "resolved",
            f"every incident of drill {drill.id} resolved",
            seconds_to_resolve=drill.seconds_to_resolve,
        )

    def remediated(self, drill_id: int) -> None:
        """Record the time of the first successful remediation of the running
        drill ``drill_id``, run by the drill itself, the TUI or the API."""
        drill = self.current
        if drill is None or drill.id != drill_id or drill.remediated_at is not None:
            return
        now = utc_now()
        # The action can resolve the incident before it returns (a data
        # action runs the checks), and it acted no later than that.
        resolved = drill.resolved_at
        drill.remediated_at = min(now, resolved) if resolved is not None else now
        self.drills.save(drill)

    async def _remediate(self, drill: DrillRecord, incident_id: int) -> None:
        interval = 0.5
        while True:
            result = await self.remediate(incident_id, drill_actor(drill.id))
            if result.succeeded:
                self.remediated(drill.id)
                self._progress(drill, "remediated", result.message)
                return
            if not result.retryable:
                self._progress(drill, "remediation failed", result.message)
                return
            await asyncio.sleep(interval)

    async def _wait_for(self, events, matches) -> Incident:
        while True:
            event = await events.get()
            if isinstance(event, IncidentChanged) and matches(event):
                return event.incident

    def _progress(
        self,
        drill: DrillRecord,
        phase: str,
        message: str,
        final: bool = False,
        **figures,
    ) -> None:
        log.info("drill %s %s: %s", drill.id, phase, message)
        self.bus.publish(
            DrillProgress(
                drill_id=drill.id,
                scenario=drill.scenario,
                phase=phase,
                message=message,
                figures={
                    key: value for key, value in figures.items() if value is not None
                }
                | {"final": final},
            )
        )


def _timeout_message(drill: DrillRecord, limit: float) -> str:
    if drill.injected_at is None:
        return f"inject did not finish within {limit:g} s"
    if drill.detected_at is None:
        return f"not detected within {limit:g} s"
    return f"not resolved within {limit:g} s of the start"
