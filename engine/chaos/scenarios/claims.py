"""Pick recent claims for a scenario and journal them before any change."""

from __future__ import annotations

from typing import Any

from engine.chaos.scenarios.base import DrillContext
from engine.targets.base import ChaosSession, TargetError

CLAIMS = "healthcare.pharmacy_claims"


async def journal_recent_claims(
    context: DrillContext, session: ChaosSession, count: int
) -> list[dict[str, Any]]:
    """Pick ``count`` recent claims no other session has locked, journal each
    and return their keys.

    The pick runs FOR UPDATE SKIP LOCKED, so inside a transaction on
    ``session`` the rows stay locked until the scenario changes them.
    """
    rows = await session.fetch(context.statement("pick_claims"), {"count": count})
    if len(rows) < count:
        raise TargetError(
            f"found {len(rows)} recent claim(s) that no one has locked, need "
            f"{count}: is the demo data loaded?"
        )
    keys = []
    for claim_id, service_date, status, updated_at in rows:
        key = {"claim_id": claim_id, "service_date": service_date}
        context.journal.record(
            context.drill_id,
            CLAIMS,
            key,
            {"claim_status": status, "updated_at": updated_at},
        )
        keys.append(key)
    return keys
