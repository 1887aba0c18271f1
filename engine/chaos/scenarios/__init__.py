"""The registry of chaos scenarios by name."""

from engine.chaos.scenarios.base import DrillContext, Scenario
from engine.chaos.scenarios.connection_flood import ConnectionFlood
from engine.chaos.scenarios.deadlock import Deadlock
from engine.chaos.scenarios.long_running_query import LongRunningQuery

SCENARIOS: dict[str, type[Scenario]] = {
    scenario.name: scenario
    for scenario in (LongRunningQuery, ConnectionFlood, Deadlock)
}

__all__ = ["SCENARIOS", "DrillContext", "Scenario"]
