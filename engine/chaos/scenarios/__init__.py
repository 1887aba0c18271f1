"""The registry of chaos scenarios by name."""

from engine.chaos.scenarios.base import DrillContext, Scenario
from engine.chaos.scenarios.claim_volume_spike import ClaimVolumeSpike
from engine.chaos.scenarios.connection_flood import ConnectionFlood
from engine.chaos.scenarios.data_corruption import DataCorruption
from engine.chaos.scenarios.deadlock import Deadlock
from engine.chaos.scenarios.formulary_change import FormularyChange
from engine.chaos.scenarios.job_failure import JobFailure
from engine.chaos.scenarios.long_running_query import LongRunningQuery
from engine.chaos.scenarios.orphaned_records import OrphanedRecords
from engine.chaos.scenarios.phi_exposure import PhiExposure

SCENARIOS: dict[str, type[Scenario]] = {
    scenario.name: scenario
    for scenario in (
        LongRunningQuery,
        ConnectionFlood,
        Deadlock,
        DataCorruption,
        OrphanedRecords,
        JobFailure,
        ClaimVolumeSpike,
        PhiExposure,
        FormularyChange,
    )
}

__all__ = ["SCENARIOS", "DrillContext", "Scenario"]
