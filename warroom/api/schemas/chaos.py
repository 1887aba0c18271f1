"""Chaos scenarios, drills and drill requests."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import msgspec

from engine.chaos.drills import ScenarioState
from engine.service import Engine
from engine.store.drills import DrillRecord

# Built from the engine's scenario registry, so the OpenAPI schema lists the
# names a client may send and an unknown name is a 400 naming the field.
ScenarioName = StrEnum(
    "ScenarioName", [(name, name) for name in Engine.scenario_names()]
)


class ScenarioOut(msgspec.Struct):
    name: str
    title: str
    description: str
    enabled: bool
    cooldown_seconds: float
    cooldown_remaining_seconds: float
    running: bool
    blocked_by: str | None = None
    """The reason an interlock other than the cooldown would reject a start now."""


class DrillOut(msgspec.Struct):
    """One drill; the seconds are measured from the inject."""

    id: int
    scenario: str
    target: str
    actor: str
    status: str
    passed: bool
    incident_id: int | None
    error: str | None
    started_at: datetime
    injected_at: datetime | None
    detected_at: datetime | None
    remediated_at: datetime | None
    resolved_at: datetime | None
    rolled_back_at: datetime | None
    ended_at: datetime | None
    seconds_to_detect: float | None
    seconds_to_resolve: float | None


class ChaosOut(msgspec.Struct):
    allowed: bool
    """The target's config allows chaos drills."""
    scenarios: list[ScenarioOut]
    running: DrillOut | None


class TriggerIn(msgspec.Struct, forbid_unknown_fields=True):
    scenario: ScenarioName
    auto_remediate: bool | None = None
    """null: the engine's remediation.auto setting decides."""


class RandomIn(msgspec.Struct, forbid_unknown_fields=True):
    auto_remediate: bool | None = None


class DrillStarted(msgspec.Struct):
    """A drill accepted and started in the background."""

    drill_id: int
    scenario: str
    actor: str
    status: str
    started_at: datetime


def scenario_out(state: ScenarioState) -> ScenarioOut:
    return ScenarioOut(
        name=state.name,
        title=state.title,
        description=state.description,
        enabled=state.enabled,
        cooldown_seconds=state.cooldown_seconds,
        cooldown_remaining_seconds=state.cooldown_remaining,
        running=state.running,
        blocked_by=state.blocked_by,
    )


def drill_out(drill: DrillRecord) -> DrillOut:
    return DrillOut(
        id=drill.id,
        scenario=drill.scenario,
        target=drill.target,
        actor=drill.actor,
        status=drill.status,
        passed=drill.passed,
        incident_id=drill.incident_id,
        error=drill.error,
        started_at=drill.started_at,
        injected_at=drill.injected_at,
        detected_at=drill.detected_at,
        remediated_at=drill.remediated_at,
        resolved_at=drill.resolved_at,
        rolled_back_at=drill.rolled_back_at,
        ended_at=drill.ended_at,
        seconds_to_detect=drill.seconds_to_detect,
        seconds_to_resolve=drill.seconds_to_resolve,
    )


def chaos_out(engine: Engine) -> ChaosOut:
    current = engine.current_drill
    return ChaosOut(
        allowed=engine.config.target.chaos_allowed,
        scenarios=[scenario_out(state) for state in engine.scenarios()],
        running=drill_out(current) if current else None,
    )


def drill_started(drill: DrillRecord | None) -> DrillStarted:
    """Describe the drill a trigger just started.

    Engine.trigger_drill returns only the task, and the engine's current drill
    is the record it created before returning, with no await in between.
    """
    if drill is None:
        raise RuntimeError("the engine started a drill but reports none running")
    return DrillStarted(
        drill_id=drill.id,
        scenario=drill.scenario,
        actor=drill.actor,
        status=drill.status,
        started_at=drill.started_at,
    )
