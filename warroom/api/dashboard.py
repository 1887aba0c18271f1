"""The war room screen's data in one call."""

from __future__ import annotations

from litestar import Controller, MediaType, Response, get
from litestar.di import NamedDependency

from engine.service import Engine
from warroom.api.errors import problem_responses
from warroom.api.schemas.dashboard import DashboardOut, dashboard_json


class DashboardController(Controller):
    path = "/dashboard"
    tags = ["dashboard"]

    @get("/", responses=problem_responses(403))
    async def dashboard(
        self, engine: NamedDependency[Engine]
    ) -> Response[DashboardOut]:
        """Return everything the war room screen shows: metric cards with value
        (or null and the reason), threshold state and history; open incidents;
        jobs; validation; chaos scenarios and the running drill; and recent
        postmortems."""
        # Encoded by dashboard_json, which reuses the panels encoded at the
        # engine's latest event.
        return Response(dashboard_json(engine), media_type=MediaType.JSON)
