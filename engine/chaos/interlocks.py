"""Checks that must all pass before a drill injects anything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.config.models import ScenarioConfig, TargetConfig
from engine.incidents.models import Incident

# Incident severities from least to most severe, for the kill switch threshold.
SEVERITY_RANK = {"warning": 1, "critical": 2}


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


class ConflictingIncident(InterlockError):
    """An incident of a kind the drill would cause is already open."""


class DetectorUnavailable(InterlockError):
    """The check that would catch the drill's fault cannot run."""


class RollbackIncomplete(InterlockError):
    """An earlier drill's rows on the target are not all restored yet."""


class KillSwitchEngaged(InterlockError):
    """An incident no drill caused is open at or above the kill switch severity."""

    def __init__(self, incident: Incident, threshold: str):
        self.incident_id = incident.id
        self.title = incident.title
        self.severity = incident.severity
        super().__init__(
            f"kill switch: {incident.severity} incident {incident.id} "
            f"({incident.title}) is open and no drill caused it; drills stay off "
            f"while an incident at {threshold} or above is open, so resolve it first"
        )


def trips_kill_switch(incident: Incident, threshold: str) -> bool:
    """Tell whether ``incident`` stops drills at the ``threshold`` severity.

    Only open incidents that no drill caused count. A severity the ranking
    does not know never counts.
    """
    if not incident.is_open or incident.drill_id is not None:
        return False
    return SEVERITY_RANK.get(incident.severity, 0) >= SEVERITY_RANK[threshold]


@dataclass(frozen=True)
class InterlockState:
    """The facts the interlocks check, gathered by the caller."""

    now: datetime
    last_ended: datetime | None
    running_drill: str | None
    conflicting_incident: str | None
    kill_switch_incident: Incident | None = None
    """An open incident that trips the kill switch, if any."""
    kill_switch_severity: str = "critical"
    detector_problem: str | None = None
    """The reason the check that finds this scenario's fault cannot run, or None."""
    unrestored: str | None = None
    """The reason an earlier drill's rows are not all restored yet, or None."""


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
    if state.unrestored is not None:
        raise RollbackIncomplete(
            f"{state.unrestored}; no new fault goes in until the war room has "
            "put them back (see logs/warroom.log)"
        )
    if state.kill_switch_incident is not None:
        raise KillSwitchEngaged(state.kill_switch_incident, state.kill_switch_severity)
    if state.detector_problem is not None:
        raise DetectorUnavailable(
            f"scenario {scenario} would go undetected: {state.detector_problem}"
        )
    if state.running_drill is not None:
        raise DrillAlreadyRunning(
            f"drill {state.running_drill} is already running on {target.name}; "
            "one drill at a time per target"
        )
    if state.conflicting_incident is not None:
        raise ConflictingIncident(
            f"{state.conflicting_incident} is already open; resolve it first so "
            "the drill measures detection truthfully"
        )
    if state.last_ended is not None:
        elapsed = (state.now - state.last_ended).total_seconds()
        remaining = config.cooldown_seconds - elapsed
        if remaining > 0:
            raise CooldownActive(scenario, remaining)
