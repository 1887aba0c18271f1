"""Sessions of the last poll and the blocking graph built from them."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency

from engine.service import Engine
from warroom.api.errors import problem_responses, require_poll
from warroom.api.schemas.sessions import (
    BlockingGraphOut,
    SessionsOut,
    blocking_graph_out,
    sessions_out,
)


class SessionsController(Controller):
    path = "/sessions"
    tags = ["sessions"]

    @get("/", responses=problem_responses(403, 503))
    async def sessions(self, engine: NamedDependency[Engine]) -> SessionsOut:
        """List the sessions of the last successful poll. When later polls
        failed, ``last_error`` contains the failure and the list is stale."""
        return sessions_out(require_poll(engine), engine.last_error)

    @get("/blocking", responses=problem_responses(403, 503))
    async def blocking(self, engine: NamedDependency[Engine]) -> BlockingGraphOut:
        """Return the blocking graph of the last poll: nodes, edges from each
        waiter to its blockers, head blockers, cycles, self-edges and the tree."""
        return blocking_graph_out(require_poll(engine), engine.last_error)
