"""revert_formulary: put formulary rows that fail a rule back to the values
before their latest recorded change in ``healthcare.formulary_changes``.

Moving formulary rows to the quarantine would leave those drugs uncovered,
so a bad formulary change is undone instead. A row without a recorded
change, or changed again since, is left alone and named in the result.
"""

from __future__ import annotations

import logging

from engine.incidents.models import Incident
from engine.remediation.actions import ActionResult
from engine.targets.sqlfiles import load_statement
from engine.validation.plan import predicate, quote_table
from engine.validation.runner import Validator

log = logging.getLogger(__name__)

ACTION = "revert_formulary"
FORMULARY = "healthcare.formulary"


async def revert_formulary(
    validator: Validator, incident: Incident, *, dry_run: bool = False
) -> ActionResult:
    rule = validator.rule(str(incident.metrics.get("rule", "")))
    target = validator.target
    dialect = target.dialect.name
    if (
        rule is None
        or rule.table != FORMULARY
        or not rule.row_level
        or not rule.runs_on(dialect)
    ):
        return ActionResult(
            ACTION,
            dry_run,
            False,
            f"not reverted: {ACTION} needs a row-level rule on {FORMULARY} "
            f"with a predicate for {dialect}",
        )
    quote = target.dialect.quote_identifier
    where = predicate(rule, quote, dialect).replace("%", "%%")
    rows = await target.fetch(
        f"SELECT t.{quote('ndc')} FROM {quote_table(FORMULARY, quote)} AS t "
        f"WHERE {where} ORDER BY t.{quote('ndc')}"
    )
    ndcs = [str(ndc).strip() for (ndc,) in rows]
    if not ndcs:
        return ActionResult(ACTION, dry_run, True, "no formulary row fails the rule")
    if dry_run:
        return ActionResult(
            ACTION, True, True, f"would revert {len(ndcs)} NDC(s): {', '.join(ndcs)}"
        )

    reverted = await target.fetch(
        load_statement(target.dialect.name, "formulary", "revert_formulary"),
        {
            "ndcs": ",".join(ndcs),
            "source": f"warroom revert, incident {incident.id}",
            "incident_id": incident.id,
            "drill_id": incident.drill_id,
        },
    )
    done = sorted(str(ndc).strip() for (ndc,) in reverted)
    left = sorted(set(ndcs) - set(done))
    log.warning("reverted %s formulary row(s) for incident %s", len(done), incident.id)
    message = f"reverted {len(done)} of {len(ndcs)} NDC(s) to their previous tier"
    if left:
        message += (
            f"; no recorded change to undo for {', '.join(left)}: restore their "
            "tier and prior authorization by hand"
        )
    return ActionResult(ACTION, False, not left, message)
