"""Turn one read of the claims counts into figures and findings.

Pure functions of the counts and the config, so the threshold rules are
tested without a database. A figure is warn past its limit, which opens an
incident, and critical past it by ``CRITICAL_FACTOR`` (double a maximum, or
half a minimum).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from engine.config.models import HealthcareConfig
from engine.monitor.cards import CRITICAL, OK, UNKNOWN, WARN
from engine.monitor.findings import Finding, FindingKind, Severity

CRITICAL_FACTOR = 2.0

FIGURE_KEYS = (
    "claims_today",
    "rejection_rate",
    "generic_dispensing",
    "adherent_patients",
)

Bound = Literal["min", "max"]


@dataclass(frozen=True)
class ClaimCounts:
    """The counts one read of ``sql/<dialect>/healthcare.sql`` returns."""

    read_at: datetime
    """The database's clock at the read, in UTC."""
    claims_today: int
    window_adjudicated: int
    window_rejected: int
    paid_today: int
    generic_paid_today: int
    adherence_period_end: date | None
    """The end of the adherence pipeline's newest period, or None when
    healthcare.patient_adherence is empty."""
    patients_measured: int
    patients_adherent: int
    """Patients with a PDC of at least pdc_threshold in every drug class."""
    adherence_error: str | None = None
    """The error that kept the adherence counts from being read (a missing
    table, say), or None. The claim counts are read apart from them."""


@dataclass(frozen=True)
class HealthcareFigure:
    """One healthcare figure: its value or the reason it has none, its limit
    and its threshold state (ok, warn, critical or n/a)."""

    key: str
    label: str
    unit: str
    value: float | None
    reason: str | None
    threshold: float
    bound: Bound
    """``max``: the figure must stay at or below the threshold; ``min``: at
    or above it."""
    state: str
    detail: str


@dataclass(frozen=True)
class Evaluation:
    figures: tuple[HealthcareFigure, ...]
    findings: tuple[Finding, ...]


def evaluate_counts(
    counts: ClaimCounts, config: HealthcareConfig, target: str
) -> Evaluation:
    """Return the four figures and a finding for each one past its limit."""
    figures = (
        _claims_today(counts, config),
        _rejection_rate(counts, config),
        _generic_dispensing(counts, config),
        _adherent_patients(counts, config),
    )
    findings = tuple(
        finding
        for figure in figures
        if (finding := _finding(figure, counts, config, target)) is not None
    )
    return Evaluation(figures, findings)


def unread_figures(
    reason: str, config: HealthcareConfig
) -> tuple[HealthcareFigure, ...]:
    """Return the four figures as n/a with ``reason``, before any read."""
    limits = _limits(config)
    return tuple(
        HealthcareFigure(
            key=key,
            label=_LABELS[key],
            unit=_UNITS[key],
            value=None,
            reason=reason,
            threshold=limits[key][0],
            bound=limits[key][1],
            state=UNKNOWN,
            detail=reason,
        )
        for key in FIGURE_KEYS
    )


_LABELS = {
    "claims_today": "claims today",
    "rejection_rate": "rejection rate",
    "generic_dispensing": "generic rate",
    "adherent_patients": "adherent",
}
_UNITS = {
    "claims_today": "claims",
    "rejection_rate": "%",
    "generic_dispensing": "%",
    "adherent_patients": "%",
}


def _limits(config: HealthcareConfig) -> dict[str, tuple[float, Bound]]:
    return {
        "claims_today": (float(config.claims_today_min), "min"),
        "rejection_rate": (config.rejection_rate_percent, "max"),
        "generic_dispensing": (config.generic_dispensing_min_percent, "min"),
        "adherent_patients": (config.adherent_patients_min_percent, "min"),
    }


def state_of(value: float, threshold: float, bound: Bound) -> str:
    """Return ok, warn (past the threshold) or critical (past it by the factor)."""
    if bound == "max":
        if value > threshold * CRITICAL_FACTOR:
            return CRITICAL
        return WARN if value > threshold else OK
    if value < threshold / CRITICAL_FACTOR:
        return CRITICAL
    return WARN if value < threshold else OK


def _figure(
    key: str,
    config: HealthcareConfig,
    value: float | None,
    detail: str,
    reason: str | None = None,
    checked: bool = True,
) -> HealthcareFigure:
    threshold, bound = _limits(config)[key]
    if value is None:
        state = UNKNOWN
    elif not checked:
        state = OK
    else:
        state = state_of(value, threshold, bound)
    return HealthcareFigure(
        key=key,
        label=_LABELS[key],
        unit=_UNITS[key],
        value=value,
        reason=reason,
        threshold=threshold,
        bound=bound,
        state=state,
        detail=reason if value is None and reason else detail,
    )


def _claims_today(counts: ClaimCounts, config: HealthcareConfig) -> HealthcareFigure:
    # Early in the UTC day few claims have arrived yet, so the low-volume
    # limit applies only from claims_today_from_hour on.
    checked = counts.read_at.hour >= config.claims_today_from_hour
    detail = f"min {config.claims_today_min}"
    if not checked:
        detail += f" from {config.claims_today_from_hour:02d}:00 UTC"
    return _figure(
        "claims_today", config, float(counts.claims_today), detail, checked=checked
    )


def _rejection_rate(counts: ClaimCounts, config: HealthcareConfig) -> HealthcareFigure:
    adjudicated = counts.window_adjudicated
    window = f"{config.window_minutes} min"
    if adjudicated < config.min_sample:
        reason = (
            f"{adjudicated} adjudicated claim(s) in the last {window}, fewer than "
            f"healthcare.min_sample ({config.min_sample})"
        )
        return _figure("rejection_rate", config, None, "", reason)
    rate = 100.0 * counts.window_rejected / adjudicated
    detail = (
        f"{counts.window_rejected}/{adjudicated} in {window}; "
        f"max {config.rejection_rate_percent:g}%"
    )
    return _figure("rejection_rate", config, rate, detail)


def _generic_dispensing(
    counts: ClaimCounts, config: HealthcareConfig
) -> HealthcareFigure:
    paid = counts.paid_today
    if paid < config.min_sample:
        reason = (
            f"{paid} paid claim(s) today, fewer than healthcare.min_sample "
            f"({config.min_sample})"
        )
        return _figure("generic_dispensing", config, None, "", reason)
    rate = 100.0 * counts.generic_paid_today / paid
    detail = (
        f"{counts.generic_paid_today}/{paid} paid today; "
        f"min {config.generic_dispensing_min_percent:g}%"
    )
    return _figure("generic_dispensing", config, rate, detail)


def _adherent_patients(
    counts: ClaimCounts, config: HealthcareConfig
) -> HealthcareFigure:
    """Return the share of patients measured in the adherence pipeline's
    newest period whose PDC is at least pdc_threshold in every drug class."""
    period_end = counts.adherence_period_end
    if counts.adherence_error is not None:
        reason = f"adherence not read: {counts.adherence_error}"
        return _figure("adherent_patients", config, None, "", reason)
    if period_end is None:
        reason = "healthcare.patient_adherence is empty: run the etl_adherence job"
        return _figure("adherent_patients", config, None, "", reason)
    age = (counts.read_at.date() - period_end).days
    if age > config.adherence_max_age_days:
        reason = (
            f"the newest adherence period ended {period_end}, {age} days ago: "
            "check the etl_adherence job's last runs"
        )
        return _figure("adherent_patients", config, None, "", reason)
    measured = counts.patients_measured
    if measured < config.min_sample:
        reason = (
            f"{measured} patient(s) measured in the period ending {period_end}, "
            f"fewer than healthcare.min_sample ({config.min_sample})"
        )
        return _figure("adherent_patients", config, None, "", reason)
    share = 100.0 * counts.patients_adherent / measured
    detail = (
        f"{counts.patients_adherent}/{measured} patients to {period_end}; "
        f"min {config.adherent_patients_min_percent:g}%"
    )
    return _figure("adherent_patients", config, share, detail)


_KINDS = {
    "claims_today": FindingKind.CLAIM_VOLUME,
    "rejection_rate": FindingKind.REJECTION_RATE,
    "generic_dispensing": FindingKind.GENERIC_DISPENSING,
    "adherent_patients": FindingKind.ADHERENCE,
}


def _finding(
    figure: HealthcareFigure,
    counts: ClaimCounts,
    config: HealthcareConfig,
    target: str,
) -> Finding | None:
    if figure.state not in (WARN, CRITICAL) or figure.value is None:
        return None
    kind = _KINDS[figure.key]
    title, cause = _texts(figure, counts, config)
    return Finding(
        kind=kind,
        dedup_key=f"{kind.value}:{target}",
        severity=Severity.CRITICAL if figure.state == CRITICAL else Severity.WARNING,
        title=title,
        root_cause=cause,
        metrics={
            "value": round(figure.value, 2),
            "limit": figure.threshold,
            "read_at": counts.read_at.isoformat(),
        },
    )


def _texts(
    figure: HealthcareFigure, counts: ClaimCounts, config: HealthcareConfig
) -> tuple[str, str]:
    value = figure.value or 0.0
    window = f"{config.window_minutes} min"
    if figure.key == "rejection_rate":
        return (
            f"claim rejection rate {value:.0f}% over the last {window} "
            f"(max {figure.threshold:g}%)",
            f"{counts.window_rejected} of {counts.window_adjudicated} claims "
            f"submitted in the last {window} were rejected",
        )
    if figure.key == "generic_dispensing":
        return (
            f"generic dispensing rate {value:.0f}% today (min {figure.threshold:g}%)",
            f"{counts.generic_paid_today} of {counts.paid_today} claims paid "
            "today were for generic drugs",
        )
    if figure.key == "adherent_patients":
        return (
            f"only {value:.0f}% of patients adherent (PDC of at least "
            f"{config.pdc_threshold:g}; min {figure.threshold:g}%)",
            f"{counts.patients_adherent} of {counts.patients_measured} patients "
            f"measured by etl_adherence over the period ending "
            f"{counts.adherence_period_end} have a PDC of at least "
            f"{config.pdc_threshold:g} in every drug class",
        )
    return (
        f"only {value:.0f} claims received today (min {figure.threshold:g})",
        f"{value:.0f} claims submitted since 00:00 UTC, below the low-volume "
        f"limit of {figure.threshold:g}",
    )
