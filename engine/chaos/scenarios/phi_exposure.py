"""PHI Exposure: one user reads 100 different patients' records within
minutes, as a stolen login or a scraping script would."""

from __future__ import annotations

from collections.abc import Sequence

from engine.chaos.scenarios.base import DrillContext, Scenario
from engine.targets.base import Target, TargetError
from engine.targets.sqlfiles import load_statement

LOG = "healthcare.phi_access_log"
SUSPENSIONS = "healthcare.phi_access_suspensions"


class PhiExposure(Scenario):
    name = "phi_exposure"
    title = "PHI Exposure"
    detector = "phi_audit"
    expected_kinds = frozenset({"phi_access"})
    touched_tables = (LOG, SUSPENSIONS)

    async def inject(self, context: DrillContext) -> None:
        user = str(context.params.get("user_name", "contractor017"))
        reads = int(context.params.get("reads", 100))
        spread = float(context.params.get("spread_minutes", 4))
        existing = await context.target.fetch(
            context.statement("phi_suspension"), {"user_name": user}
        )
        if existing:
            suspended_at, reason = existing[0]
            raise TargetError(
                f"{user} is already suspended from PHI since {suspended_at} "
                f"({reason}); the PHI audit skips suspended users, so the drill "
                "injected nothing. Set chaos.scenarios.phi_exposure.params."
                "user_name to a user with no suspension"
            )
        session = await context.open_session(self.name)
        await session.execute(context.statement("begin"))
        keys = await context.insert_journaled(
            session,
            LOG,
            "phi_reads",
            {"user_name": user, "reads": reads, "spread_minutes": spread},
            ("access_id",),
        )
        await session.execute(context.statement("commit"))
        context.progress(
            "inject", f"{user} read {len(keys)} patients' records in {spread:g} min"
        )

    async def undo_remediation(
        self, target: Target, drill_id: int, incident_ids: Sequence[int]
    ) -> None:
        # Remediation suspends the user with the incident's id. Only those
        # suspensions go: one that someone else added during the drill stays.
        for incident_id in incident_ids:
            await target.execute(
                load_statement(target.dialect.name, "chaos", "lift_drill_suspension"),
                {"incident_id": incident_id},
            )
