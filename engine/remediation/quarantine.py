"""quarantine_data: move the rows behind a finding into ``warroom_quarantine``
with the rule (or batch) and the drill, and put them back on release.

Guards reject the move unless the rule marks rows (a freshness or count rule
marks none), at most ``max_rows`` of them, and no other row references them,
because moving them would break, or cascade into, the rows that do.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.incidents.models import Incident
from engine.remediation import quarantine_sql
from engine.remediation.actions import ActionResult
from engine.targets.base import Target, TargetError
from engine.targets.sqlfiles import load_statement
from engine.validation.plan import predicate, quote_table
from engine.validation.rules import Duplicate
from engine.validation.runner import Validator

log = logging.getLogger(__name__)

ACTION = "quarantine_data"
CLAIMS = "healthcare.pharmacy_claims"


@dataclass(frozen=True)
class Selection:
    """The rows to move: a predicate on alias ``t`` of ``table``."""

    table: str
    where: str
    reason: str
    params: dict[str, Any] = field(default_factory=dict)


def selection_for(incident: Incident, validator: Validator) -> Selection | str:
    """Return the rows behind ``incident``, or why there are none to move."""
    metrics = incident.metrics
    quote = validator.target.dialect.quote_identifier
    if incident.kind == "validation":
        rule = validator.rule(str(metrics.get("rule", "")))
        if rule is None:
            return f"rule {metrics.get('rule')!r} is no longer configured"
        if isinstance(rule, Duplicate):
            return (
                f"rule {rule.name} finds duplicates; moving them would move every "
                "copy, so keep one by hand"
            )
        if not rule.row_level:
            return f"rule {rule.name} ({type(rule).__name__}) marks no rows to move"
        dialect = validator.target.dialect.name
        if not rule.runs_on(dialect):
            return f"rule {rule.name} has no predicate for the {dialect} dialect"
        # The predicate has no parameters, so a literal % must be doubled.
        where = predicate(rule, quote, dialect).replace("%", "%%")
        return Selection(rule.table, where, f"validation rule {rule.name}")
    if incident.kind == "claim_volume" and "pharmacy_id" in metrics:
        return Selection(
            CLAIMS,
            f"t.{quote('pharmacy_id')} = %(pharmacy_id)s "
            f"AND t.{quote('submitted_at')} >= %(since)s",
            f"claim burst from pharmacy {metrics['pharmacy_id']}",
            {
                "pharmacy_id": int(metrics["pharmacy_id"]),
                "since": datetime.fromisoformat(str(metrics["since"])),
            },
        )
    return f"a {incident.kind} incident names no rows to quarantine"


async def duplicates_gone(
    validator: Validator, incident: Incident, dry_run: bool
) -> ActionResult | None:
    """Return a success when ``incident``'s rule is a duplicate rule that
    finds no duplicate now (someone kept one row by hand), else None."""
    rule = validator.rule(str(incident.metrics.get("rule", "")))
    if incident.kind != "validation" or not isinstance(rule, Duplicate):
        return None
    try:
        count = await validator.violations_now(rule)
    except TargetError as error:
        log.warning("failed to count duplicates of rule %s: %s", rule.name, error)
        return None
    if count:
        return None
    return ActionResult(
        ACTION,
        dry_run,
        True,
        f"rule {rule.name} finds no duplicate in {rule.table} any more; "
        "nothing to move",
    )


async def quarantine(
    validator: Validator,
    selection: Selection,
    *,
    incident_id: int | None,
    drill_id: int | None,
    max_rows: int,
    dry_run: bool = False,
) -> ActionResult:
    """Move the selected rows, or reject the move with the reason when a guard
    forbids it."""
    target = validator.target
    catalog = await validator.read_catalog()
    quote = target.dialect.quote_identifier
    relation = quote_table(selection.table, quote)
    key = catalog.primary_keys.get(selection.table)
    if not key:
        return _rejected(dry_run, f"{selection.table} has no primary key to name rows")

    params = dict(selection.params)
    (count,) = (
        await target.fetch(quarantine_sql.count_rows(relation, selection.where), params)
    )[0]
    count = int(count)

    if count == 0:
        return ActionResult(
            ACTION, dry_run, True, f"no row of {selection.table} matches any more"
        )
    if count > max_rows:
        return _rejected(
            dry_run,
            f"{count} rows of {selection.table} match, over max_rows {max_rows}; "
            "a rule failing on this many rows is more likely wrong than the data",
        )
    referenced = await _referencing_rows(target, selection, relation, params)
    if referenced:
        return _rejected(dry_run, f"other rows reference them: {referenced}")

    if dry_run:
        return ActionResult(
            ACTION, True, True, f"would move {count} row(s) of {selection.table}"
        )

    await target.execute(
        quarantine_sql.move_rows(
            target.dialect.name,
            relation,
            [quote(column) for column in key],
            selection.where,
        ),
        params
        | {
            "source_table": selection.table,
            "reason": selection.reason,
            "incident_id": incident_id,
            "drill_id": drill_id,
        },
    )
    log.warning(
        "quarantined %s row(s) of %s (%s)", count, selection.table, selection.reason
    )
    return ActionResult(
        ACTION,
        False,
        True,
        f"moved {count} row(s) of {selection.table} to "
        f"{quarantine_sql.QUARANTINE[target.dialect.name]} ({selection.reason})",
    )


async def release_drill(
    validator: Validator, drill_id: int, added: dict[str, list[dict]] | None = None
) -> int:
    """Put every row quarantined during drill ``drill_id`` back in its table;
    return how many tables had rows.

    Rows the drill itself added (``added``: table to keys) are deleted from
    the quarantine instead: the rollback removes them anyway, and putting an
    orphan back would fail its foreign key.
    """
    target = validator.target
    dialect = target.dialect.name
    catalog = await validator.read_catalog()
    quote = target.dialect.quote_identifier
    rows = await target.fetch(
        load_statement(dialect, "quarantine", "quarantined_tables"),
        {"drill_id": drill_id},
    )
    for (table,) in rows:
        keys = (added or {}).get(table, [])
        for start in range(0, len(keys), 100):
            statement, params = quarantine_sql.discard_rows(
                dialect, keys[start : start + 100]
            )
            await target.execute(
                statement, params | {"source_table": table, "drill_id": drill_id}
            )
        columns = [quote(column) for column in catalog.columns.get(table, {})]
        await target.execute(
            quarantine_sql.release_rows(dialect, quote_table(table, quote), columns),
            {"source_table": table, "drill_id": drill_id},
        )
        log.info("released the rows drill %s quarantined from %s", drill_id, table)
    return len(rows)


async def _referencing_rows(
    target: Target, selection: Selection, relation: str, params: dict[str, Any]
) -> str:
    quote = target.dialect.quote_identifier
    references = await target.fetch(
        load_statement(target.dialect.name, "quarantine", "referencing_keys"),
        {"table_name": selection.table},
    )
    found = []
    for child, child_column, parent_column in references:
        statement = quarantine_sql.count_children(
            child, quote(child_column), relation, quote(parent_column), selection.where
        )
        (count,) = (await target.fetch(statement, params))[0]
        if count:
            found.append(f"{int(count)} row(s) of {child}")
    return ", ".join(found)


def _rejected(dry_run: bool, reason: str) -> ActionResult:
    return ActionResult(ACTION, dry_run, False, f"not moved: {reason}")
