"""Formulary Change: a formulary sync moves generics to tier 3 with prior
authorization required."""

from __future__ import annotations

from engine.chaos.scenarios.base import DrillContext, Scenario
from engine.targets.base import TargetError

FORMULARY = "healthcare.formulary"
COLUMNS = ("ndc", "tier", "prior_auth_required", "effective_date", "updated_at")


class FormularyChange(Scenario):
    name = "formulary_change"
    title = "Formulary Change"
    detector = "validation"
    expected_kinds = frozenset({"validation"})
    touched_tables = (FORMULARY,)

    async def inject(self, context: DrillContext) -> None:
        count = int(context.params.get("rows", 10))
        session = await context.open_session(self.name)
        await session.execute(context.statement("begin"))
        rows = await session.fetch(context.statement("pick_generics"), {"rows": count})
        if not rows:
            await session.execute(context.statement("rollback"))
            raise TargetError("no generic on tier 1 or 2 found in the formulary")
        for row in rows:
            original = dict(zip(COLUMNS, row, strict=True))
            context.journal.record_row(
                context.drill_id, FORMULARY, {"ndc": original["ndc"]}, original
            )
            await session.execute(
                context.statement("move_to_tier_3"), {"ndc": original["ndc"]}
            )
        await session.execute(context.statement("commit"))
        context.progress(
            "inject",
            f"moved {len(rows)} generics to tier 3 with prior authorization",
        )
