"""Orphaned Records: rows whose foreign keys point at nothing, written by a
session that skips the foreign key checks (a replication apply or a restore
with triggers disabled)."""

from __future__ import annotations

from engine.chaos.scenarios.base import DrillContext, Scenario

PRESCRIPTIONS = "healthcare.prescriptions"
ORDERS = "commerce.orders"


class OrphanedRecords(Scenario):
    name = "orphaned_records"
    title = "Orphaned Records"
    detector = "validation"
    expected_kinds = frozenset({"validation"})
    touched_tables = (PRESCRIPTIONS, ORDERS)

    async def inject(self, context: DrillContext) -> None:
        rows = int(context.params.get("rows", 5))
        session = await context.open_session(self.name)
        await session.execute(context.statement("skip_foreign_keys"))
        await session.execute(context.statement("begin"))
        prescriptions = await context.insert_journaled(
            session,
            PRESCRIPTIONS,
            "orphan_prescriptions",
            {"rows": rows},
            ("prescription_id",),
        )
        orders = await context.insert_journaled(
            session, ORDERS, "orphan_orders", {"rows": rows}, ("order_id",)
        )
        await session.execute(context.statement("commit"))
        await session.execute(context.statement("check_foreign_keys"))
        context.progress(
            "inject",
            f"wrote {len(prescriptions)} prescriptions and {len(orders)} orders "
            "whose patient and customer do not exist",
        )

    async def rollback(self, context: DrillContext) -> None:
        await super().rollback(context)
        # SQL Server: check every row again so the constraints are trusted.
        await context.target.execute(context.statement("trust_foreign_keys"))
