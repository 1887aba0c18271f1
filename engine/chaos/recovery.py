"""The leftovers of drills: recovery after a crash, the retry of journal
entries a rollback could not restore, and the drill's open incidents.

DrillRunner inherits these methods; they use its target, journal, drill
repository and incident manager.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from engine.chaos.journal import Journal
from engine.chaos.scenarios import SCENARIOS
from engine.chaos.scenarios.base import LEFTOVER_RETRY_SECONDS, is_chaos_program
from engine.config.models import TargetConfig
from engine.incidents.manager import ESCALATE_FROM, IncidentManager
from engine.incidents.models import Incident, Status
from engine.incidents.sla import CHAOS_ACTOR
from engine.store.database import utc_now
from engine.store.drills import DrillRecord, DrillRepository
from engine.targets.base import Target

log = logging.getLogger(__name__)

# Timeline action of the note on an incident that rows an earlier drill left
# out can cause.
ROWS_OUT_NOTE = "drill rows out"


class DrillRecovery:
    """Recovery and leftovers of drills, mixed into DrillRunner."""

    target: Target
    target_config: TargetConfig
    drills: DrillRepository
    incidents: IncidentManager
    journal: Journal
    current: DrillRecord | None
    trigger_job: Callable[[str, str], tuple[Any, asyncio.Task[Any]]] | None
    recovery_notes: list[str]
    _retry_lock: asyncio.Lock
    _last_retry: float
    _progress: Callable[..., None]

    async def recover(self) -> None:
        """Finish drills a crash left behind: end their sessions, restore rows.

        Only drills that ran on this target (same name and identity) are
        touched. A journal entry that cannot be restored stays pending for
        retry_leftovers. Nothing here stops the engine from starting.
        """
        self._warn_other_targets()
        interrupted = [
            drill
            for drill in self.drills.running(self.target_config.name)
            if self._is_ours(drill)
        ]
        if not interrupted and not self._leftover_drills():
            return
        try:
            await self._end_leftover_sessions()
        except Exception:
            log.exception("leftover chaos sessions not ended; the next start retries")
            return
        # Rows that earlier rollbacks left go first, so the drills finished
        # below are not tried a second time at this start.
        earlier = self._leftover_drills()
        await self.retry_leftovers()
        remaining = {drill.id for drill in self._leftover_drills()}
        for drill in earlier:
            if drill.id not in remaining:
                self.recovery_notes.append(
                    f"drill {drill.id} ({drill.scenario}): the rows its rollback "
                    "left are restored"
                )
        for drill in interrupted:
            await self._finish_interrupted(drill)
        reason = self.unrestored()
        if reason is not None:
            self.recovery_notes.append(reason)

    async def _finish_interrupted(self, drill: DrillRecord) -> None:
        drill.status = "interrupted"
        drill.error = "engine stopped during the drill"
        drill.ended_at = utc_now()
        try:
            result = await self.journal.restore(drill.id)
            if result.failures:
                drill.error += (
                    f"; {result.summary()}; tried again every "
                    f"{LEFTOVER_RETRY_SECONDS:g} s and at each start"
                )
            else:
                await self._undo_remediation(drill)
                drill.rolled_back_at = utc_now()
        except Exception as error:
            log.exception("rollback of interrupted drill %s failed", drill.id)
            drill.error += f"; rollback failed: {error}"
        self.drills.save(drill)
        self._escalate_leftovers(drill)
        note = f"drill {drill.id} ({drill.scenario}) was interrupted: {drill.error}"
        if drill.rolled_back_at is not None:
            note += "; its sessions are ended and its rows restored"
        self.recovery_notes.append(note)
        log.warning(note)

    def leftovers_due(self, now: float | None = None) -> bool:
        """Tell whether retry_leftovers should run now: at most once every
        LEFTOVER_RETRY_SECONDS, and only while some entry is pending."""
        now = time.monotonic() if now is None else now
        if self._retry_lock.locked() or now - self._last_retry < LEFTOVER_RETRY_SECONDS:
            return False
        self._last_retry = now
        return bool(self._leftover_drills())

    async def retry_leftovers(self) -> None:
        """Restore the journal entries that earlier rollbacks of this target's
        drills left pending, except the running drill's, and record on each
        drill whose rows are all back that they came back later."""
        if self._retry_lock.locked():
            return
        async with self._retry_lock:
            await self._retry_leftovers()

    async def _retry_leftovers(self) -> None:
        for drill in self._leftover_drills():
            try:
                result = await self.journal.restore(drill.id)
                if result.failures:
                    continue
                await self._undo_remediation(drill)
            except Exception:
                log.exception("rows left by drill %s not restored yet", drill.id)
                continue
            if drill.rolled_back_at is None:
                drill.rolled_back_at = utc_now()
                drill.error = f"{drill.error or drill.status}; rows restored later"
                self.drills.save(drill)
            log.warning("drill %s: rows left by its rollback restored", drill.id)
            self._release_noted_incidents(drill)
            if self.current is None:
                # A final event makes the faces read the scenarios again,
                # now without the block.
                self._progress(
                    drill,
                    "restored",
                    "rows restored later",
                    final=True,
                    rolled_back=True,
                )

    def _pending_drills(self) -> list[DrillRecord]:
        """Return every drill with journal entries still to restore, oldest
        first, whatever its target."""
        ids = {entry.drill_id for entry in self.drills.pending_journal()}
        drills = (self.drills.get(drill_id) for drill_id in sorted(ids))
        return [drill for drill in drills if drill is not None]

    def _leftover_drills(self) -> list[DrillRecord]:
        """Return this target's drills, other than the running one, that have
        journal entries still to restore."""
        running = self.current.id if self.current is not None else None
        # A drill still marked running was interrupted, and recover handles it.
        return [
            drill
            for drill in self._pending_drills()
            if drill.id != running
            and drill.status != "running"
            and self._is_ours(drill)
        ]

    def _is_ours(self, drill: DrillRecord) -> bool:
        """Tell whether ``drill`` ran on this target: the same name and, when
        the drill recorded one, the same identity."""
        if drill.target != self.target_config.name:
            return False
        return drill.target_identity in (None, self.target.identity)

    def _warn_other_targets(self) -> None:
        for drill in self._pending_drills():
            if self._is_ours(drill):
                continue
            log.warning(
                "drill %s (%s) left rows to restore on %s (%s); they are restored "
                "when warroom watches that database again, not on %s",
                drill.id,
                drill.scenario,
                drill.target,
                drill.target_identity or "identity not recorded",
                self.target.identity,
            )

    def unrestored(self) -> str | None:
        """Return why an earlier drill's rows on this target are not all back,
        or None when every journal entry is restored."""
        running = self.current.id if self.current is not None else None
        for drill in self.drills.running(self.target_config.name):
            if drill.id != running and self._is_ours(drill):
                return (
                    f"drill {drill.id} ({drill.scenario}) was interrupted and is "
                    "not recovered yet"
                )
        leftovers = self._leftover_drills()
        if not leftovers:
            return None
        drill = leftovers[0]
        # The error is the last failure's, so the count of entries still
        # pending is read now: a later try may have restored some.
        pending = len(self.drills.pending_journal(drill.id))
        return (
            f"drill {drill.id} left rows not yet restored, {pending} journal "
            f"entry(s) pending ({drill.error or 'rollback pending'})"
        )

    def leftover_cause(self, kind: str) -> str | None:
        """Return which earlier drill's rows, still out on this target, can
        cause an incident of ``kind``, or None."""
        for drill in self._leftover_drills():
            scenario = SCENARIOS.get(drill.scenario)
            if scenario is not None and kind in scenario.expected_kinds:
                return (
                    f"drill {drill.id} ({drill.scenario}) left rows not yet "
                    f"restored ({drill.error or 'rollback pending'}): this "
                    "incident can come from those rows rather than a real "
                    "fault; the war room tries to restore them every "
                    f"{LEFTOVER_RETRY_SECONDS:g} s (logs/warroom.log)"
                )
        return None

    async def _undo_remediation(self, drill: DrillRecord) -> None:
        scenario = SCENARIOS.get(drill.scenario)
        if scenario is not None:
            await scenario().undo_remediation(
                self.target, drill.id, self.incidents.repository.ids_of_drill(drill.id)
            )

    async def _end_leftover_sessions(self) -> None:
        # A warroom killed mid-drill leaves its chaos sessions connected, and
        # they may hold the very row locks the restore needs.
        snapshot = await self.target.snapshot(advance_counters=False)
        for session in snapshot.sessions:
            if not is_chaos_program(session.program):
                continue
            if session.is_system or session.session_id in snapshot.own_session_ids:
                continue
            await self.target.kill_session(session.session_id)
            log.warning(
                "terminated leftover chaos session %s (%s)",
                session.session_id,
                session.program,
            )

    def _escalate_leftovers(self, drill: DrillRecord) -> None:
        """Escalate the drill's open incidents, because no drill drives them now.

        Once escalated they resolve on their own when the condition has been
        clear for the configured polls, which the rollback ensures. No poll
        watches a job's incident, so the job the drill broke runs once more:
        its success resolves the escalated incident.
        """
        for incident in self.incidents.repository.open_incidents():
            if incident.drill_id != drill.id:
                continue
            if incident.status in ESCALATE_FROM:
                self.incidents.transition(
                    incident.id,
                    Status.ESCALATED,
                    CHAOS_ACTOR,
                    f"drill {drill.id} ended ({drill.status}) before this incident "
                    "resolved; its fault is rolled back",
                )
            job = incident.metrics.get("job")
            if incident.kind == "job_failure" and job:
                self._rerun_job(drill, incident, str(job))

    def _release_noted_incidents(self, drill: DrillRecord) -> None:
        """Move each open incident noted as one that ``drill``'s rows can cause
        to REMEDIATING now that the rows are restored, so it resolves once its
        condition stays clear. An incident whose condition stays has another
        cause and stays open."""
        named = f"drill {drill.id} ("
        restored = (
            f"the rows drill {drill.id} ({drill.scenario}) left out are restored; "
            "this resolves once the condition stays clear"
        )
        for incident in self.incidents.repository.open_incidents():
            if incident.drill_id is not None:
                continue
            timeline = self.incidents.get(incident.id).timeline
            if not any(
                entry.action == ROWS_OUT_NOTE and entry.message.startswith(named)
                for entry in timeline
            ):
                continue
            status = incident.status
            if status is Status.DETECTED:
                self.incidents.transition(
                    incident.id,
                    Status.INVESTIGATING,
                    CHAOS_ACTOR,
                    f"rows of drill {drill.id} were out when this opened",
                )
                status = Status.INVESTIGATING
            if status is Status.INVESTIGATING:
                self.incidents.transition(
                    incident.id, Status.REMEDIATING, CHAOS_ACTOR, restored
                )
            else:
                self.incidents.note(
                    incident.id, CHAOS_ACTOR, "drill rows back", restored
                )

    def _rerun_job(self, drill: DrillRecord, incident: Incident, job: str) -> None:
        if self.trigger_job is None:
            return
        try:
            record, _task = self.trigger_job(job, CHAOS_ACTOR)
        except Exception as error:
            log.warning("job %s not run again after drill %s: %s", job, drill.id, error)
            self.incidents.note(
                incident.id,
                CHAOS_ACTOR,
                "job not run again",
                f"{job} could not start after drill {drill.id}: {error}; run it "
                "by hand, and its success resolves this incident",
            )
            return
        self.incidents.note(
            incident.id,
            CHAOS_ACTOR,
            "job run again",
            f"drill {drill.id} rolled back the fault; run {record.id} of {job} "
            "started, and its success resolves this incident",
        )
