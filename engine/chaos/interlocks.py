"""Checks that must all pass before a drill injects anything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.config.models import ScenarioConfig, TargetConfig


class InterlockError(Exception):
    """A drill may not start; the message names the interlock and the reason."""


class ChaosNotAllowed(InterlockError):
    pass


class CooldownActive(InterlockError):
    def __init__(self, scenario: str, remaining: float):
        self.scenario = scenario
        self.remaining = remaining
        super().__init__(
            f"scenario {scenario} is cooling down for another {remaining:.0f} s"
        )


class DrillAlreadyRunning(InterlockError):
    pass


class UnknownScenario(InterlockError, LookupError):
    pass


@dataclass(frozen=True)
class InterlockState:
    """The facts the interlocks check, gathered by the caller."""

    now: datetime
    last_ended: datetime | None
    running_drill: str | None
    conflicting_incident: str | None


def check_interlocks(
    scenario: str,
    config: ScenarioConfig | None,
    target: TargetConfig,
    state: InterlockState,
) -> None:
    """Raise an InterlockError unless ``scenario`` may start now."""
    if config is None:
        raise UnknownScenario(f"unknown chaos scenario {scenario!r}")
    if not config.enabled:
        raise ChaosNotAllowed(
            f"scenario {scenario} is disabled in config/chaos_scenarios.yaml"
        )
    if not target.chaos_allowed:
        raise ChaosNotAllowed(
            f"chaos is not allowed on target {target.name!r}: only the embedded "
            "demo target allows it by default; set target.allow_chaos: true in "
            "config/warroom.yaml to allow it"
        )
    if state.running_drill is not None:
        raise DrillAlreadyRunning(
            f"drill {state.running_drill} is already running on {target.name}; "
            "one drill at a time per target"
        )
    if state.conflicting_incident is not None:
        raise InterlockError(
            f"{state.conflicting_incident} is already open; resolve it first so "
            "the drill measures detection truthfully"
        )
    if state.last_ended is not None:
        elapsed = (state.now - state.last_ended).total_seconds()
        remaining = config.cooldown_seconds - elapsed
        if remaining > 0:
            raise CooldownActive(scenario, remaining)
