"""The healthcare figures: claims today, rejection rate, generic dispensing
rate and patients below the PDC threshold."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from engine.healthcare.figures import HealthcareFigure
from engine.healthcare.monitor import HealthcareReading
from engine.monitor.cards import UNKNOWN
from engine.service import Engine

FigureState = Literal["ok", "warn", "critical", "na"]


class HealthcareFigureOut(msgspec.Struct):
    """One figure: its value, or null with the reason, and its threshold."""

    key: str
    """claims_today, rejection_rate, generic_dispensing or adherent_patients."""
    label: str
    unit: str
    value: float | None
    reason: str | None
    threshold: float
    bound: Literal["min", "max"]
    """``max``: a value above the threshold is a breach; ``min``: below it."""
    state: FigureState
    """``warn`` past the threshold (an incident opens), ``critical`` past it
    by a factor of two, ``na`` without a value."""
    detail: str


class HealthcareOut(msgspec.Struct):
    """The last healthcare reading and when it was taken."""

    enabled: bool
    refresh_seconds: float
    window_minutes: int
    read_at: datetime | None
    """When the figures were read; null before the first successful read."""
    error: str | None
    """The latest read's failure; the figures are then the previous ones."""
    failed_at: datetime | None
    figures: list[HealthcareFigureOut]


def healthcare_out(engine: Engine) -> HealthcareOut:
    return reading_out(engine.healthcare.reading, engine)


def reading_out(reading: HealthcareReading, engine: Engine) -> HealthcareOut:
    config = engine.config.warroom.healthcare
    return HealthcareOut(
        enabled=config.enabled,
        refresh_seconds=config.refresh_seconds,
        window_minutes=config.window_minutes,
        read_at=reading.read_at,
        error=reading.error,
        failed_at=reading.failed_at,
        figures=[figure_out(figure) for figure in reading.figures],
    )


def figure_out(figure: HealthcareFigure) -> HealthcareFigureOut:
    return HealthcareFigureOut(
        key=figure.key,
        label=figure.label,
        unit=figure.unit,
        value=figure.value,
        reason=figure.reason,
        threshold=figure.threshold,
        bound=figure.bound,
        state="na" if figure.state == UNKNOWN else figure.state,  # type: ignore[arg-type]
        detail=figure.detail,
    )
