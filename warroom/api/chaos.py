"""Chaos drills: scenarios with their cooldowns, triggering and history."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from engine.service import Engine
from engine.store.drills import DrillRecord
from warroom.api.auth import TOKEN_SECURITY
from warroom.api.errors import problem_responses
from warroom.api.schemas.chaos import (
    ChaosOut,
    DrillOut,
    DrillStarted,
    RandomIn,
    ScenarioName,
    TriggerIn,
    chaos_out,
    drill_out,
    drill_started,
)
from warroom.api.schemas.common import StrictBody, parse_body

log = logging.getLogger(__name__)


class DrillTasks:
    """Keep each running drill's task referenced until it ends.

    The event loop holds only weak references to tasks, so a drill started
    from a request could otherwise be garbage collected mid-run.
    """

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[DrillRecord]] = set()

    def keep(self, task: asyncio.Task[DrillRecord]) -> None:
        """Hold ``task`` until it is done, then log how the drill ended."""
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[DrillRecord]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            log.info("%s cancelled", task.get_name())
            return
        error = task.exception()
        if error is not None:
            log.error("%s failed: %s", task.get_name(), error, exc_info=error)
            return
        drill = task.result()
        log.info("drill %s (%s) ended: %s", drill.id, drill.scenario, drill.status)


class ChaosController(Controller):
    path = "/chaos"
    tags = ["chaos"]

    @get("/", responses=problem_responses(403))
    async def chaos(self, engine: NamedDependency[Engine]) -> ChaosOut:
        """List the scenarios with their cooldowns, and the running drill."""
        return chaos_out(engine)

    @post(
        "/trigger",
        status_code=202,
        responses=problem_responses(400, 401, 403, 409, 415),
        security=TOKEN_SECURITY,
    )
    async def trigger(
        self,
        engine: NamedDependency[Engine],
        drill_tasks: NamedDependency[DrillTasks],
        actor: NamedDependency[str],
        data: StrictBody[TriggerIn],
    ) -> DrillStarted:
        """Start a drill of the named scenario in the background. 409 when an
        interlock refuses it; a cooldown also sets Retry-After."""
        body = parse_body(data, TriggerIn)
        task = engine.trigger_drill(body.scenario.value, actor, body.auto_remediate)
        drill_tasks.keep(task)
        return drill_started(engine.current_drill)

    @post(
        "/random",
        status_code=202,
        responses=problem_responses(400, 401, 403, 409, 415),
        security=TOKEN_SECURITY,
    )
    async def random(
        self,
        engine: NamedDependency[Engine],
        drill_tasks: NamedDependency[DrillTasks],
        actor: NamedDependency[str],
        data: StrictBody[RandomIn | None] = None,
    ) -> DrillStarted:
        """Start a drill of a random enabled scenario that is past its cooldown."""
        body = parse_body(data, RandomIn | None)
        auto_remediate = body.auto_remediate if body else None
        task = engine.trigger_drill(engine.random_scenario(), actor, auto_remediate)
        drill_tasks.keep(task)
        return drill_started(engine.current_drill)

    @get("/drills", responses=problem_responses(400, 403))
    async def drills(
        self,
        engine: NamedDependency[Engine],
        scenario: Annotated[ScenarioName | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    ) -> list[DrillOut]:
        """List past and running drills, newest first, with time to detect and
        time to resolve in seconds from the inject."""
        name = scenario.value if scenario else None
        return [drill_out(drill) for drill in engine.drill_history(name, limit)]
