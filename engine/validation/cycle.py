"""Run the data checks every ``validation.interval_seconds``, off the poll's
hot path, and keep the last scorecard and findings."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime

from engine.config.models import WarroomConfig
from engine.events import Event
from engine.governance.phi_audit import phi_anomalies
from engine.healthcare.burst import claim_bursts
from engine.monitor.findings import Finding
from engine.store.database import utc_now
from engine.store.validation import RuleOutcome, ValidationRunRepository
from engine.targets.base import Target, TargetError
from engine.validation.catalog import RuleCatalogError
from engine.validation.findings import error_findings, findings_of, next_error_runs
from engine.validation.models import Scorecard
from engine.validation.runner import Validator

log = logging.getLogger(__name__)

# A run whose rows changed under it runs again, up to this many runs in all;
# the last one counts whatever happened.
_MAX_RUNS = 3


@dataclass(frozen=True)
class ChecksCompleted(Event):
    """A data check cycle ended; ``error`` names what could not be read."""

    scorecard: Scorecard | None
    findings: tuple[Finding, ...]
    error: str | None = None


class DataChecks:
    """Validation rules, claim bursts and the PHI audit, as one cycle.

    ``findings`` contains the last cycle's findings. The engine adds them to
    every poll, so their incidents stay open until a cycle shows them clear.
    A part that fails keeps its previous findings: nothing new was seen.
    With ``history``, each scorecard is stored after its run, and runs older
    than monitor.snapshot_retention_hours are pruned.
    """

    def __init__(
        self,
        target: Target,
        config: WarroomConfig,
        history: ValidationRunRepository | None = None,
    ):
        self.target = target
        self.config = config
        self.history = history
        self.validator = Validator(target, config.validation)
        self.scorecard: Scorecard | None = None
        self.error: str | None = None
        self.running = False
        self._parts: dict[str, tuple[Finding, ...]] = {}
        self._passed_at: dict[str, datetime] | None = None
        """By rule, the last run in which the rule passed, read from the
        history at the first run, so a restart does not forget it."""
        self._error_runs: dict[str, int] = {}
        """By rule, the kept runs in a row in which the rule erred."""
        self._erring_since: dict[str, datetime] = {}
        """By rule, the first of those runs."""
        self.part_errors: dict[str, str] = {}
        """The last cycle's error per check: validation, burst or phi."""
        self._last_attempt: float | None = None
        # Runs never overlap. A run requested during another (after a
        # remediation) starts when that one ends, so it reads the changed rows.
        self._lock = asyncio.Lock()
        # Incremented by invalidate, so a run in progress can tell that it
        # must run again.
        self._generation = 0

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(finding for part in self._parts.values() for finding in part)

    def due(self, now: float | None = None) -> bool:
        if self.running:
            return False
        now = time.monotonic() if now is None else now
        last = self._last_attempt
        return last is None or now - last >= self.config.validation.interval_seconds

    async def run(self, keep_cadence: bool = False) -> ChecksCompleted:
        """Run every check, once more when invalidate is called meanwhile,
        and collect each TargetError (or rule catalog error) as the result's
        ``error`` instead of raising it.

        With ``keep_cadence`` the run leaves the interval's schedule as it
        was, so an extra run does not put the next scheduled one off.
        """
        async with self._lock:
            return await self._run(keep_cadence)

    def invalidate(self) -> None:
        """Discard the results of the run in progress, if any, and run it
        again. Call this when rows change under a run (a drill's rollback
        restores them), because its counts may mix old and new rows."""
        self._generation += 1

    async def _run(self, keep_cadence: bool) -> ChecksCompleted:
        self.running = True
        if not keep_cadence:
            self._last_attempt = time.monotonic()
        try:
            for _ in range(_MAX_RUNS):
                generation = self._generation
                scorecard, parts, errors = await self._check()
                if generation == self._generation:
                    break
                log.info("data checks of %s run again: rows changed", self.target.name)
        finally:
            self.running = False
        if scorecard is not None:
            self.scorecard = scorecard
            self._store(scorecard)
            self._error_runs = next_error_runs(self._error_runs, scorecard)
            for result in scorecard.results:
                if result.rule not in self._error_runs:
                    self._erring_since.pop(result.rule, None)
                else:
                    self._erring_since.setdefault(result.rule, scorecard.run_at)
            passed_at = self._last_passes()
            for result in scorecard.results:
                if result.outcome == "pass":
                    passed_at[result.rule] = scorecard.run_at
        self._parts.update(parts)
        self.part_errors = errors
        error = "; ".join(f"{name}: {text}" for name, text in errors.items()) or None
        if error and error != self.error:
            log.error("data checks of %s: %s", self.target.name, error)
        self.error = error
        return ChecksCompleted(self.scorecard, self.findings, error)

    async def _check(
        self,
    ) -> tuple[Scorecard | None, dict[str, tuple[Finding, ...]], dict[str, str]]:
        """Run every check once and return the scorecard, the findings of
        each part that ran and the error of each part that failed."""
        scorecard = None
        parts: dict[str, tuple[Finding, ...]] = {}
        errors: dict[str, str] = {}
        if self.config.validation.rules:
            try:
                scorecard = await self.validator.run()
            except (TargetError, RuleCatalogError) as error:
                errors["validation"] = str(error)
            else:
                parts["validation"] = findings_of(
                    scorecard, self._parts.get("validation", ()), self._last_passes()
                ) + error_findings(
                    scorecard,
                    next_error_runs(self._error_runs, scorecard),
                    self.config.validation.error_runs,
                    self._erring_since,
                )
        await self._part(
            "burst",
            claim_bursts(self.target, self.config.warroom.healthcare),
            parts,
            errors,
        )
        if self.config.warroom.phi_audit.enabled:
            await self._part(
                "phi",
                phi_anomalies(self.target, self.config.warroom.phi_audit),
                parts,
                errors,
            )
        return scorecard, parts, errors

    async def close(self) -> None:
        """Close the validator's own session; the next run opens another."""
        await self.validator.close()

    def _last_passes(self) -> dict[str, datetime]:
        if self._passed_at is not None:
            return self._passed_at
        self._passed_at = {}
        if self.history is not None:
            try:
                self._passed_at = self.history.last_passes(self.config.target.name)
            except sqlite3.Error as error:
                log.error(
                    "failed to read the validation history of %s: %s",
                    self.config.target.name,
                    error,
                )
        return self._passed_at

    def _store(self, scorecard: Scorecard) -> None:
        # A store that cannot be written loses this run's history, not the run.
        if self.history is None:
            return
        outcomes = [
            RuleOutcome(result.rule, result.outcome, result.violations)
            for result in scorecard.results
        ]
        retention = self.config.warroom.monitor.snapshot_retention_hours
        try:
            self.history.add(
                self.config.target.name, scorecard.run_at, scorecard.seconds, outcomes
            )
            self.history.prune(utc_now(), retention)
        except sqlite3.Error as error:
            log.error(
                "validation run of %s at %s not stored: %s",
                self.config.target.name,
                scorecard.run_at.isoformat(),
                error,
            )

    async def _part(
        self,
        name: str,
        work,
        parts: dict[str, tuple[Finding, ...]],
        errors: dict[str, str],
    ) -> None:
        try:
            parts[name] = tuple(await work)
        except TargetError as error:
            errors[name] = str(error)

    def problem(self, detector: str) -> str | None:
        """Return why ``detector`` (validation, claim_burst or phi_audit)
        cannot find anything now, or None."""
        if detector == "validation" and not self.config.validation.rules:
            return "no validation rules are configured"
        if detector == "phi_audit" and not self.config.warroom.phi_audit.enabled:
            return "the PHI access audit is off (phi_audit.enabled)"
        part = {"validation": "validation", "claim_burst": "burst", "phi_audit": "phi"}
        error = self.part_errors.get(part.get(detector, ""))
        if error is None:
            return None
        return f"the last {detector.replace('_', ' ')} check failed: {error}"
