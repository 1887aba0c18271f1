"""Read the healthcare figures every ``healthcare.refresh_seconds``, off the
poll's hot path, and keep the last reading with its findings."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from engine.config.models import HealthcareConfig
from engine.events import Event
from engine.healthcare.figures import (
    ClaimCounts,
    HealthcareFigure,
    evaluate_counts,
    unread_figures,
)
from engine.monitor.findings import Finding
from engine.store.database import utc_now
from engine.targets.base import Target, TargetError, TargetUnreachable, first_line
from engine.targets.sqlfiles import load_statement

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HealthcareReading:
    """The last figures with their read time, and the last read's error."""

    figures: tuple[HealthcareFigure, ...]
    read_at: datetime | None
    """When the figures were read (the database's clock); None before the
    first successful read."""
    error: str | None = None
    """The latest read's failure; the figures are then the previous ones."""
    failed_at: datetime | None = None


@dataclass(frozen=True)
class HealthcareRefreshed(Event):
    """The healthcare figures were read again, or the read failed."""

    reading: HealthcareReading


class HealthcareMonitor:
    """Reads the claims counts from the target and evaluates them.

    ``findings`` contains the breaches of the last successful read. The engine
    adds them to every poll's findings, so their incidents stay open, and
    clear, like those of any other finding. A failed read keeps the previous
    figures and findings: nothing new was observed.
    """

    def __init__(self, target: Target, config: HealthcareConfig, target_name: str):
        self.target = target
        self.config = config
        self.target_name = target_name
        reason = (
            "not read yet"
            if config.enabled
            else "healthcare monitoring is off (healthcare.enabled)"
        )
        self.reading = HealthcareReading(unread_figures(reason, config), None)
        self.findings: tuple[Finding, ...] = ()
        self.reading_now = False
        self._last_attempt: float | None = None

    def due(self, now: float | None = None) -> bool:
        """Tell whether a read should start now (monotonic seconds)."""
        if not self.config.enabled or self.reading_now:
            return False
        now = time.monotonic() if now is None else now
        last = self._last_attempt
        return last is None or now - last >= self.config.refresh_seconds

    def read_soon(self) -> None:
        """Make the next read due at the next poll, after a job loaded rows
        the figures count."""
        self._last_attempt = None

    async def refresh(self) -> HealthcareReading:
        """Read the counts and evaluate them; a TargetError becomes the
        reading's ``error`` and never propagates."""
        self.reading_now = True
        self._last_attempt = time.monotonic()
        try:
            counts = await self.read_counts()
        except TargetError as error:
            self._failed(str(error))
        else:
            evaluation = evaluate_counts(counts, self.config, self.target_name)
            if self.reading.error is not None:
                log.info("healthcare figures of %s read again", self.target_name)
            self.reading = HealthcareReading(evaluation.figures, counts.read_at)
            self.findings = evaluation.findings
        finally:
            self.reading_now = False
        return self.reading

    async def read_counts(self) -> ClaimCounts:
        """Run the two statements of ``sql/<dialect>/healthcare.sql``."""
        dialect = self.target.dialect.name
        config = self.config
        claims = await self.target.fetch(
            load_statement(dialect, "healthcare", "claim_figures"),
            {"window_minutes": config.window_minutes},
        )
        if not claims:
            raise TargetError("the claim figures statement returned no row")
        read_at, today, adjudicated, rejected, paid, generic = claims[0]
        period_end, measured, adherent = None, 0, 0
        adherence_error = None
        try:
            adherence = await self.target.fetch(
                load_statement(dialect, "healthcare", "adherence"),
                {"pdc_threshold": config.pdc_threshold},
            )
        except TargetUnreachable:
            raise
        except TargetError as error:
            # The claim figures stand on their own; only the adherence card
            # goes without a value.
            adherence_error = first_line(error)
            log.warning(
                "adherence of %s not read: %s", self.target_name, adherence_error
            )
        else:
            if adherence:
                period_end, measured, adherent = adherence[0]
        return ClaimCounts(
            read_at=_utc(read_at),
            claims_today=int(today),
            window_adjudicated=int(adjudicated),
            window_rejected=int(rejected),
            paid_today=int(paid),
            generic_paid_today=int(generic),
            adherence_period_end=period_end,
            patients_measured=int(measured),
            patients_adherent=int(adherent),
            adherence_error=adherence_error,
        )

    def _failed(self, message: str) -> None:
        if message != self.reading.error:
            log.error(
                "healthcare figures of %s not read: %s", self.target_name, message
            )
        previous = self.reading
        self.reading = HealthcareReading(
            previous.figures, previous.read_at, message, utc_now()
        )


def _utc(moment: datetime) -> datetime:
    # SQL Server's SYSUTCDATETIME() comes back without a zone.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
