"""Pick recent claims for a scenario to lock."""

from __future__ import annotations

from typing import Any

from engine.chaos.scenarios.base import DrillContext
from engine.targets.base import DedicatedSession, TargetError


async def pick_recent_claims(
    context: DrillContext, session: DedicatedSession, count: int
) -> list[dict[str, Any]]:
    """Pick ``count`` recent claims no other session has locked and return
    their keys.

    The pick runs FOR UPDATE SKIP LOCKED, so inside a transaction on
    ``session`` the rows stay locked until the scenario touches them. The
    touch changes no value (sql/<dialect>/chaos.sql: touch_claim), so the
    journal keeps nothing for these rows.
    """
    rows = await session.fetch(context.statement("pick_claims"), {"count": count})
    if len(rows) < count:
        raise TargetError(
            f"found {len(rows)} recent claim(s) that no one has locked, need "
            f"{count}: is the demo data loaded?"
        )
    return [
        {"claim_id": claim_id, "service_date": service_date}
        for claim_id, service_date in rows
    ]
