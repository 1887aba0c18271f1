"""The engine's non-secret settings, for clients that draw its figures."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency

from engine.service import Engine
from warroom.api.errors import problem_responses
from warroom.api.schemas.settings import SettingsOut, settings_out


@get("/settings", tags=["settings"], responses=problem_responses(403))
async def settings(engine: NamedDependency[Engine]) -> SettingsOut:
    """Return the poll interval, thresholds, jobs, validation rules and PHI
    mask rules the engine runs with; secrets and parameters are left out."""
    return settings_out(engine.config)
