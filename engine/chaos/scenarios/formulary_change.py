"""Formulary Change: a formulary sync moves generics to tier 3 with prior
authorization required."""

from __future__ import annotations

from collections.abc import Sequence

from engine.chaos.scenarios.base import DrillContext, Scenario
from engine.targets.base import Target, TargetError
from engine.targets.sqlfiles import load_statement

FORMULARY = "healthcare.formulary"
CHANGES = "healthcare.formulary_changes"
COLUMNS = ("ndc", "tier", "prior_auth_required", "effective_date", "updated_at")
# The values move_to_tier_3 sets. The rollback writes the original back only
# while the row still has them.
MOVED = {"tier": 3, "prior_auth_required": True}


class FormularyChange(Scenario):
    name = "formulary_change"
    title = "Formulary Change"
    detector = "validation"
    expected_kinds = frozenset({"validation"})
    touched_tables = (FORMULARY, CHANGES)

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
                context.drill_id,
                FORMULARY,
                {"ndc": original["ndc"]},
                original,
                changed_to=MOVED,
            )
            rows_added = await session.fetch(
                load_statement(
                    context.target.dialect.name, "formulary", "record_change"
                ),
                original,
            )
            context.journal.record_insert(
                context.drill_id, CHANGES, {"change_id": rows_added[0][0]}
            )
            await session.execute(
                context.statement("move_to_tier_3"), {"ndc": original["ndc"]}
            )
        await session.execute(context.statement("commit"))
        context.progress(
            "inject",
            f"moved {len(rows)} generics to tier 3 with prior authorization",
        )

    async def undo_remediation(
        self, target: Target, drill_id: int, incident_ids: Sequence[int]
    ) -> None:
        # revert_formulary records its reverse changes with the drill's id.
        await target.execute(
            load_statement(target.dialect.name, "formulary", "discard_drill_changes"),
            {"drill_id": drill_id},
        )
