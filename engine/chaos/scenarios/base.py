"""Chaos scenarios: an inject, the finding it should cause, and a rollback."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from engine.chaos.journal import Journal
from engine.targets.base import DedicatedSession, Target, TargetError
from engine.targets.sqlfiles import load_statement

log = logging.getLogger(__name__)

# Every chaos session's application_name starts with this, so recovery after a
# crash can find and end the sessions a killed drill left behind.
CHAOS_APPLICATION_PREFIX = "warroom-chaos-"
# How often the engine retries journal entries a rollback could not restore.
LEFTOVER_RETRY_SECONDS = 60.0


def is_chaos_program(program: str | None) -> bool:
    """Tell whether a session's application name is a chaos drill's."""
    return (program or "").startswith(CHAOS_APPLICATION_PREFIX)


@dataclass
class DrillContext:
    """Everything one drill's scenario needs, passed as one object."""

    drill_id: int
    target: Target
    journal: Journal
    params: dict[str, Any]
    progress: Callable[[str, str], None] = lambda phase, message: None
    trigger_job: Callable[[str, str], tuple[Any, asyncio.Task[Any]]] | None = None
    """JobRunner.trigger, for scenarios that break a scheduled job."""
    actor: str = "chaos"
    incident_ids: Callable[[], Sequence[int]] = lambda: ()
    """The ids of the incidents tagged with this drill so far."""
    sessions: list[DedicatedSession] = field(default_factory=list)
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)

    def statement(self, name: str) -> str:
        return load_statement(self.target.dialect.name, "chaos", name)

    async def open_session(self, scenario: str) -> DedicatedSession:
        session = await self.target.open_chaos_session(
            f"{CHAOS_APPLICATION_PREFIX}{scenario}"
        )
        self.sessions.append(session)
        return session

    async def insert_journaled(
        self,
        session: DedicatedSession,
        table: str,
        statement: str,
        params: dict[str, Any],
        key: tuple[str, ...],
    ) -> list[dict[str, Any]]:
        """Run an INSERT ... RETURNING ``key`` on ``session`` and journal each
        new row's key.

        Run it inside a transaction on ``session`` and commit after: a crash
        before the commit loses the rows with the connection, and one after
        finds their keys in the journal.
        """
        rows = await session.fetch(self.statement(statement), params)
        keys = [dict(zip(key, row, strict=True)) for row in rows]
        for row_key in keys:
            self.journal.record_insert(self.drill_id, table, row_key)
        return keys

    def spawn(self, work: Awaitable[Any], label: str) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(_logged(work, label))
        self.tasks.append(task)
        return task

    async def release(self) -> None:
        """Terminate every chaos session still connected and end their tasks.

        Terminating server-side first means a session stuck in a lock wait or
        a sleep ends at once instead of running on after the drill.
        """
        for session in self.sessions:
            with contextlib.suppress(TargetError):
                await self.target.kill_session(session.session_id)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for session in self.sessions:
            with contextlib.suppress(Exception):
                await session.close()
        self.sessions.clear()
        self.tasks.clear()


async def _logged(work: Awaitable[Any], label: str) -> Any:
    try:
        return await work
    except asyncio.CancelledError:
        raise
    except Exception as error:
        # Expected when remediation terminates the session or the server
        # picks a deadlock victim.
        log.info("chaos task %s ended: %s", label, str(error).strip())
        return error


class Scenario:
    """Base class for scenarios; subclasses set the class variables."""

    name: ClassVar[str]
    title: ClassVar[str]
    expected_kinds: ClassVar[frozenset[str]]
    side_effect_kinds: ClassVar[frozenset[str]] = frozenset()
    """Kinds the fault also causes on the way, such as the blocking of a job
    that waits on the drill's lock. Incidents of these kinds opened during the
    drill are the drill's too, so they do not trip the kill switch."""
    detector: ClassVar[str] = "poll"
    """The check that finds the fault: poll, jobs, or a data check (validation,
    claim_burst, phi_audit). A drill whose detector cannot run is rejected."""
    touched_tables: ClassVar[tuple[str, ...]] = ()
    """Tables the drill writes; their row count and checksum must be the
    same after the rollback as before the inject."""

    async def inject(self, context: DrillContext) -> None:
        raise NotImplementedError

    async def rollback(self, context: DrillContext) -> None:
        """Release the scenario's sessions and restore every journaled row.
        Raise TargetError naming the entries that could not be restored."""
        await context.release()
        result = await context.journal.restore(context.drill_id)
        for line in result.changed_since:
            context.progress("rollback", line)
        if result.failures:
            raise TargetError(
                f"{result.summary()}; the war room tries them again every "
                f"{LEFTOVER_RETRY_SECONDS:g} s and at each start"
            )
        await self.undo_remediation(
            context.target, context.drill_id, context.incident_ids()
        )

    async def undo_remediation(
        self, target: Target, drill_id: int, incident_ids: Sequence[int]
    ) -> None:
        """Remove what remediation recorded during the drill beyond the rows
        the journal restores; recovery after a crash calls it too."""
