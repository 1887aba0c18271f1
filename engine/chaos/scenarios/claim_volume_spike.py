"""Claim Volume Spike: one pharmacy sends about 200 claims with mixed
statuses in one burst, as a resubmitted batch does."""

from __future__ import annotations

from engine.chaos.scenarios.base import DrillContext, Scenario
from engine.targets.base import TargetError

CLAIMS = "healthcare.pharmacy_claims"


class ClaimVolumeSpike(Scenario):
    name = "claim_volume_spike"
    title = "Claim Volume Spike"
    detector = "claim_burst"
    expected_kinds = frozenset({"claim_volume"})
    # A third of the burst is rejected, which can lift the rejection rate.
    side_effect_kinds = frozenset({"rejection_rate"})
    touched_tables = (CLAIMS,)

    async def inject(self, context: DrillContext) -> None:
        claims = int(context.params.get("claims", 200))
        session = await context.open_session(self.name)
        rows = await session.fetch(context.statement("pick_burst_pharmacy"))
        if not rows:
            raise TargetError("no pharmacy found: is the demo data loaded?")
        pharmacy_id = rows[0][0]
        await session.execute(context.statement("begin"))
        keys = await context.insert_journaled(
            session,
            CLAIMS,
            "claim_burst",
            {"claims": claims, "pharmacy_id": pharmacy_id},
            ("claim_id", "service_date"),
        )
        await session.execute(context.statement("commit"))
        context.progress(
            "inject", f"pharmacy {pharmacy_id} submitted {len(keys)} claims at once"
        )
