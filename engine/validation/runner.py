"""Run the validation rules: one scan per table, then samples of the rules
that failed, then the custom queries."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from datetime import time as day_time
from itertools import groupby
from zoneinfo import ZoneInfo

from engine.config.models import ValidationConfig
from engine.store.database import utc_now
from engine.targets.base import DedicatedSession, Target, TargetError
from engine.validation.catalog import (
    Catalog,
    RuleCatalogError,
    read_catalog,
    rule_problems,
)
from engine.validation.models import RuleResult, Scorecard
from engine.validation.plan import TableScan, sample_statement, table_scan
from engine.validation.rules import CustomSql, Freshness, RangeCheck, Rule
from engine.validation.snapshot import SnapshotReader, table_snapshot

log = logging.getLogger(__name__)

VALIDATION_APPLICATION = "warroom-validation"
TIMEOUT_SETTING = "validation.statement_timeout_seconds"
LOCK_TIMEOUT_SETTING = "validation.lock_timeout_seconds"
# The statement that bounds a lock wait on the validation session, in
# milliseconds. The server then cancels the statement with its own error:
# SQLSTATE 55P03 on PostgreSQL, error 1222 on SQL Server.
LOCK_TIMEOUT = {
    "postgres": "SET lock_timeout = {0}",
    "mssql": "SET LOCK_TIMEOUT {0}",
}
# The SQLSTATE of a statement PostgreSQL cancelled at the lock timeout.
# SQL Server's error 1222 keeps its own message ("Lock request time out
# period exceeded"), which names the cause already.
LOCK_TIMEOUT_STATES = frozenset({"55P03"})

Reader = Target | DedicatedSession
"""The connection a run reads through: its own session, or the target's
admin session."""


class Validator:
    """Validates the target against the rules of config/validation_rules.yaml.

    The catalog is read, and the rules checked against it, before the first
    run. A rule naming a missing table or column makes the first run raise
    RuleCatalogError before any rule runs: a config error. Once a run has
    passed that check, a table or column dropped later makes only its rules
    errors, and the catalog is read again before each run until none errs.
    """

    def __init__(self, target: Target, config: ValidationConfig):
        self.target = target
        self.config = config
        self.rules: list[Rule] = [rule.typed() for rule in config.rules]
        self._types = {rule.name: rule.type for rule in config.rules}
        self.catalog: Catalog | None = None
        self._stale = False
        """Whether to read the catalog again before its next use."""
        self._checked = False
        """Whether a run has passed the catalog check, so the config is valid."""
        self._session: DedicatedSession | None = None

    def rule(self, name: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.name == name), None)

    async def read_catalog(self, reader: Reader | None = None) -> Catalog:
        """Return the target's tables, columns and keys (through ``reader``
        when given, else the target's admin session), read at the first call
        and again after a run found something missing."""
        if self.catalog is None or self._stale:
            self.catalog = await read_catalog(
                reader or self.target, self.target.dialect.name
            )
            self._stale = False
        return self.catalog

    async def prepare(self, reader: Reader | None = None) -> dict[str, str]:
        """Check every rule against the catalog and return, by rule name, the
        problem of each rule that names a missing table or column.

        Before a run has passed the check, a problem raises RuleCatalogError
        instead. Either way the catalog is read again next time, so a table
        created later is found.
        """
        catalog = await self.read_catalog(reader)
        problems = rule_problems(self.rules, catalog)
        if problems:
            self._stale = True
            if not self._checked:
                raise RuleCatalogError(list(problems.values()))
        self._checked = True
        return problems

    def key_of(self, table: str) -> tuple[str, ...]:
        assert self.catalog is not None
        return self.catalog.primary_keys.get(table, ())

    async def run(
        self, rules: Sequence[Rule] | None = None, *, batched: bool = True
    ) -> Scorecard:
        """Run ``rules`` (all by default) and return the scorecard.

        ``batched`` runs every scannable rule of a table in one scan. Without
        it each rule gets a scan of its own, which the benchmark compares
        against; the results are the same either way.

        The run reads through the validator's own session
        (VALIDATION_APPLICATION, with validation.statement_timeout_seconds),
        opened by the first run and again after it breaks.
        """
        session = await self._own_session()
        card = await self._run(session, rules, batched)
        if session.broken:
            # The connection was lost during the run (a server restart, a
            # terminated backend), so its errors are not about the data.
            log.warning("validation session lost during a run; running again")
            card = await self._run(await self._own_session(), rules, batched)
        return card

    async def violations_now(self, rule: Rule) -> int:
        """Count the rows that violate row-level ``rule`` now, in one
        statement on the target's admin session, apart from the runs.

        Raises TargetError when the statement fails.
        """
        await self.read_catalog()
        scan = self._plan(rule.table, [rule])
        rows = await self.target.fetch(scan.sql)
        [(_, values)] = _split(scan, rows[0])
        return int(values["violations"] or 0)

    async def _own_session(self) -> DedicatedSession:
        if self._session is not None and not self._session.broken:
            return self._session
        await self.close()
        session = await self.target.open_own_session(
            VALIDATION_APPLICATION,
            self.config.statement_timeout_seconds,
            TIMEOUT_SETTING,
        )
        milliseconds = round(self.config.lock_timeout_seconds * 1000)
        statement = LOCK_TIMEOUT[self.target.dialect.name].format(milliseconds)
        try:
            await session.execute(statement)
        except TargetError:
            with contextlib.suppress(TargetError):
                await session.close()
            raise
        self._session = session
        return session

    async def close(self) -> None:
        """Close the validator's own session, if one is open."""
        session, self._session = self._session, None
        if session is not None:
            with contextlib.suppress(TargetError):
                await session.close()

    async def _run(
        self, session: DedicatedSession, rules: Sequence[Rule] | None, batched: bool
    ) -> Scorecard:
        problems = await self.prepare(session)
        started = time.perf_counter()
        run_at = utc_now()
        chosen = list(self.rules if rules is None else rules)
        dialect = self.target.dialect.name
        results: dict[str, RuleResult] = {
            rule.name: self._result(
                rule, "error", detail=f"{problems[rule.name]} (checked again each run)"
            )
            for rule in chosen
            if rule.name in problems
        }
        results |= {
            rule.name: self._result(
                rule, "not evaluated", detail=f"no SQL for the {dialect} dialect"
            )
            for rule in chosen
            if rule.name not in results and not rule.runs_on(dialect)
        }
        runnable = [rule for rule in chosen if rule.name not in results]
        scanned = [
            rule for rule in runnable if rule.row_level or isinstance(rule, Freshness)
        ]
        scanned.sort(key=lambda rule: rule.table)
        for table, group in groupby(scanned, key=lambda rule: rule.table):
            table_rules = list(group)
            batches = [table_rules] if batched else [[rule] for rule in table_rules]
            for batch in batches:
                for result in await self._scan_table(session, table, batch):
                    results[result.rule] = result
        for rule in runnable:
            if isinstance(rule, CustomSql) and not rule.row_level:
                results[rule.name] = await self._custom_query(session, rule)
        if any(result.outcome == "error" for result in results.values()):
            # A table or column may have gone since the catalog was read, so
            # the catalog is read again now to name it instead of the
            # server's error.
            self._stale = True
            try:
                missing = await self.prepare(session)
            except TargetError as error:
                log.warning(
                    "failed to read the catalog again after rule errors: %s", error
                )
                missing = {}
            for name, problem in missing.items():
                if name in results and results[name].outcome == "error":
                    detail = f"{problem} (checked again each run)"
                    results[name] = replace(results[name], detail=detail)
            await self._rescan_spared(session, scanned, results, missing)
        ordered = tuple(results[rule.name] for rule in chosen)
        return Scorecard(run_at, time.perf_counter() - started, ordered)

    async def _rescan_spared(
        self,
        session: DedicatedSession,
        scanned: list[Rule],
        results: dict[str, RuleResult],
        missing: dict[str, str],
    ) -> None:
        """Scan again, without the rules that name a missing table or column,
        the other rules that erred with them in one scan.

        One table's rules share a statement, so a referential rule whose
        parent table is gone fails its neighbours too. Only the rules of the
        tables that hold such a rule run again, once.
        """
        tables = {rule.table for rule in scanned if rule.name in missing}
        spared = [
            rule
            for rule in scanned
            if rule.table in tables
            and rule.name not in missing
            and results[rule.name].outcome == "error"
        ]
        for table, group in groupby(spared, key=lambda rule: rule.table):
            for result in await self._scan_table(session, table, list(group)):
                results[result.rule] = result

    def _plan(self, table: str, rules: list[Rule]) -> TableScan:
        """Return the one statement that checks ``rules`` on ``table``."""
        return table_scan(
            table,
            rules,
            self.target.dialect.quote_identifier,
            self.target.dialect.name,
            self.catalog.primary_keys if self.catalog else None,
        )

    async def _scan_table(
        self, session: DedicatedSession, table: str, rules: list[Rule]
    ) -> list[RuleResult]:
        scan = self._plan(table, rules)
        try:
            async with table_snapshot(session, self.target.dialect.name) as reader:
                rows = await reader.fetch(scan.sql)
                return [
                    await self._evaluate(reader, rule, value)
                    for rule, value in _split(scan, rows[0])
                ]
        except TargetError as error:
            log.error("validation scan of %s failed: %s", table, error)
            detail = str(error)
            if error.sqlstate in LOCK_TIMEOUT_STATES:
                detail = (
                    f"waited {self.config.lock_timeout_seconds:g} s for a lock on "
                    f"{table} ({LOCK_TIMEOUT_SETTING}); the sessions view (g) shows "
                    f"who holds it: {error}"
                )
            return [self._result(rule, "error", detail=detail) for rule in rules]

    async def _evaluate(
        self, reader: SnapshotReader, rule: Rule, values: dict
    ) -> RuleResult:
        checked = int(values["checked"])
        if isinstance(rule, Freshness):
            return _freshness(self._result, rule, values, checked)
        violations = int(values["violations"] or 0)
        nulls = int(values["nulls"] or 0) if isinstance(rule, RangeCheck) else None
        if not violations:
            detail = f"{checked} row(s) checked"
            if nulls:
                detail += f"; {nulls} NULL value(s) skipped"
            return self._result(
                rule, "pass", rows_checked=checked, nulls_skipped=nulls, detail=detail
            )
        samples = await self._samples(reader, rule)
        detail = f"{violations} of {checked} row(s) violate it"
        if samples is None:
            detail += "; samples not read (see logs/warroom.log)"
        elif not samples and self.key_of(rule.table) and self.config.max_samples:
            detail += _no_samples(rule, reader.consistent)
        return self._result(
            rule,
            "fail",
            violations=violations,
            rows_checked=checked,
            nulls_skipped=nulls,
            samples=samples or (),
            detail=detail,
        )

    async def _samples(
        self, reader: SnapshotReader, rule: Rule
    ) -> tuple[dict, ...] | None:
        """Return up to max_samples keys of rows that violate ``rule``, none
        when the table has no key, or None when the statement failed."""
        key = self.key_of(rule.table)
        if not key or not self.config.max_samples:
            return ()
        dialect = self.target.dialect.name
        types = self.catalog.columns.get(rule.table, {}) if self.catalog else {}
        # PostgreSQL dates and timestamps include infinity, which Python has
        # no value for, so date and time keys are read as text.
        as_text = {
            column
            for column in key
            if dialect == "postgres"
            and types.get(column, "").startswith(("date", "timestamp"))
        }
        statement = sample_statement(
            rule,
            key,
            self.target.dialect.quote_identifier,
            dialect,
            self.config.max_samples,
            as_text,
        )
        try:
            rows = await reader.fetch(statement)
        except TargetError as error:
            log.warning("samples of rule %s not read: %s", rule.name, error)
            return None
        return tuple(
            {column: _plain(value) for column, value in zip(key, row, strict=True)}
            for row in rows
        )

    async def _custom_query(
        self, session: DedicatedSession, rule: CustomSql
    ) -> RuleResult:
        query = rule.queries[self.target.dialect.name]
        try:
            rows = await session.fetch(query)
        except TargetError as error:
            return self._result(rule, "error", detail=str(error))
        if not rows or rows[0][0] is None:
            return self._result(
                rule, "not evaluated", detail="the query returned no row or NULL"
            )
        violations = int(rows[0][0])
        outcome = "fail" if violations else "pass"
        return self._result(
            rule, outcome, violations=violations, detail=f"{violations} violation(s)"
        )

    def _result(self, rule: Rule, outcome: str, **values) -> RuleResult:
        return RuleResult(
            rule=rule.name,
            table=rule.table,
            type=self._types.get(rule.name, ""),
            severity=rule.severity,
            outcome=outcome,  # type: ignore[arg-type]
            **values,
        )


def _plain(value):
    # Keys go into incident metrics, which are JSON.
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _no_samples(rule: Rule, consistent: bool) -> str:
    """Return the detail for a failed rule whose sample query found no row."""
    if not consistent:
        # The count and the samples are two statements, so a change
        # committed between them (a drill's rollback) leaves none.
        return "; no such row was left when the samples were read"
    # One snapshot served both, so the two statements disagree on the rule.
    log.error(
        "rule %s: the sample query found none of the rows the scan counted",
        rule.name,
    )
    return "; the sample query found none of them (see logs/warroom.log)"


def _split(scan: TableScan, row: tuple) -> list[tuple[Rule, dict]]:
    checked = row[0]
    position = 1
    split = []
    for rule in scan.rules:
        names = scan.fields[rule.name]
        values = dict(zip(names, row[position : position + len(names)], strict=True))
        values["checked"] = checked or 0
        position += len(names)
        split.append((rule, values))
    return split


def _freshness(make, rule: Freshness, values: dict, checked: int) -> RuleResult:
    newest, now = values["newest"], values["now"]
    if newest is None:
        return make(
            rule,
            "not evaluated",
            rows_checked=checked,
            detail=f"no value in {rule.column}: the table is empty or all NULL",
        )
    assumed = ""
    zone = ZoneInfo(rule.assume_timezone)
    if isinstance(newest, datetime):
        if newest.tzinfo is None:
            newest = newest.replace(tzinfo=zone)
            assumed = (
                f"; {rule.column} has no time zone, read as {rule.assume_timezone}"
            )
    elif isinstance(newest, date):
        newest = datetime.combine(newest, day_time(), tzinfo=zone)
        assumed = f"; {rule.column} is a date, read as midnight {rule.assume_timezone}"
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    age = (now - newest).total_seconds() / 60
    detail = f"newest {newest.astimezone(UTC).isoformat()} is {age:.0f} min old"
    detail += f" (limit {rule.max_age_minutes:g}){assumed}"
    outcome = "pass" if age <= rule.max_age_minutes else "fail"
    return make(
        rule,
        outcome,
        violations=0 if outcome == "pass" else 1,
        rows_checked=checked,
        detail=detail,
    )
