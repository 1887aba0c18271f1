"""Data Corruption: a faulty import writes customers without an email, orders
with impossible totals and claims with impossible quantities."""

from __future__ import annotations

from engine.chaos.scenarios.base import DrillContext, Scenario

CUSTOMERS = "commerce.customers"
ORDERS = "commerce.orders"
CLAIMS = "healthcare.pharmacy_claims"


class DataCorruption(Scenario):
    name = "data_corruption"
    title = "Data Corruption"
    detector = "validation"
    expected_kinds = frozenset({"validation"})
    touched_tables = (CUSTOMERS, ORDERS, CLAIMS)

    async def inject(self, context: DrillContext) -> None:
        rows = int(context.params.get("rows", 5))
        session = await context.open_session(self.name)
        await session.execute(context.statement("begin"))
        customers = await context.insert_journaled(
            session, CUSTOMERS, "corrupt_customers", {"rows": rows}, ("customer_id",)
        )
        orders = await context.insert_journaled(
            session, ORDERS, "corrupt_orders", {"rows": rows}, ("order_id",)
        )
        claims = await context.insert_journaled(
            session,
            CLAIMS,
            "corrupt_claims",
            {"rows": rows},
            ("claim_id", "service_date"),
        )
        await session.execute(context.statement("commit"))
        context.progress(
            "inject",
            f"wrote {len(customers)} customers without email, {len(orders)} "
            f"orders totalling 987,654.32 and {len(claims)} claims of 50,000 "
            "units for 999 days",
        )
