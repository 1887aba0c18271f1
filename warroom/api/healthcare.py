"""The healthcare figures of the monitored pharmacy-claims schema."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency

from engine.service import Engine
from warroom.api.errors import problem_responses
from warroom.api.schemas.healthcare import HealthcareOut, healthcare_out


class HealthcareController(Controller):
    path = "/healthcare"
    tags = ["healthcare"]

    @get("/", responses=problem_responses(403))
    async def healthcare(self, engine: NamedDependency[Engine]) -> HealthcareOut:
        """Return the healthcare figures from the last read (claims today,
        rejection rate, generic dispensing rate, patients below the PDC
        threshold), each with its value or null and the reason, threshold and
        state, and when they were read. The engine reads them every
        healthcare.refresh_seconds; a failed read keeps the previous figures
        and sets ``error``."""
        return healthcare_out(engine)
