"""Health of the sidecar, the engine and the monitored target."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency

from engine.config.models import SidecarConfig
from engine.service import Engine
from warroom.api.auth import TOKEN_SECURITY
from warroom.api.errors import (
    TargetUnavailable,
    problem_responses,
    require_poll,
    require_reachable,
)
from warroom.api.schemas.common import EmptyIn, StrictBody, parse_body
from warroom.api.schemas.health import (
    HealthOut,
    HistoryOut,
    SnapshotOut,
    SqlHealthOut,
    health_out,
    history_out,
    snapshot_out,
    sql_health_out,
)


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get("/", responses=problem_responses(403))
    async def health(
        self, engine: NamedDependency[Engine], sidecar: NamedDependency[SidecarConfig]
    ) -> HealthOut:
        """Report whether the engine runs, which target it watches, when it last
        polled and the last poll error. Always 200 while the sidecar runs."""
        return health_out(engine, sidecar)

    @get("/sql", responses=problem_responses(403, 503))
    async def sql(self, engine: NamedDependency[Engine]) -> SqlHealthOut:
        """Report target connectivity from the engine's last poll; 503 with the
        error when the last poll failed or none has completed."""
        return sql_health_out(require_reachable(engine))

    @get("/snapshot", responses=problem_responses(403, 503))
    async def last_snapshot(self, engine: NamedDependency[Engine]) -> SnapshotOut:
        """Return the engine's last successful poll: counters, session counts
        and findings. Its ``taken_at`` is older than one poll interval when
        later polls failed (see GET /api/health); 503 before the first poll."""
        return snapshot_out(require_poll(engine))

    @get("/history", responses=problem_responses(403))
    async def history(self, engine: NamedDependency[Engine]) -> HistoryOut:
        """Return the recent figures the metric cards and trend charts draw,
        one value per poll, oldest first."""
        return history_out(engine)

    @post(
        "/snapshot",
        status_code=200,
        responses=problem_responses(400, 401, 403, 415, 503),
        security=TOKEN_SECURITY,
    )
    async def snapshot(
        self,
        engine: NamedDependency[Engine],
        data: StrictBody[EmptyIn | None] = None,
    ) -> SnapshotOut:
        """Poll the target now and return its counters (a missing figure is null
        with its reason), session counts and findings; 503 if unreachable. The
        body, if any, must be an empty object."""
        parse_body(data, EmptyIn | None)
        poll = await engine.snapshot_now()
        if poll is None:
            raise TargetUnavailable(
                f"snapshot of target {engine.target_name} failed: {engine.last_error}"
            )
        return snapshot_out(poll)
