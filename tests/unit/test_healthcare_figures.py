"""Threshold rules of the healthcare figures, on counts without a database."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from engine.config.models import HealthcareConfig
from engine.healthcare.figures import ClaimCounts, evaluate_counts, state_of
from engine.monitor.findings import FindingKind, Severity
from engine.targets.sqlfiles import load_file

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
QUIET = ClaimCounts(
    read_at=NOON,
    claims_today=1000,
    window_adjudicated=400,
    window_rejected=32,
    paid_today=800,
    generic_paid_today=640,
    adherence_period_end=date(2026, 3, 2),
    patients_measured=3000,
    patients_adherent=2400,
)


def evaluate(counts: ClaimCounts = QUIET, **settings):
    return evaluate_counts(counts, HealthcareConfig(**settings), "demo")


def by_key(evaluation) -> dict:
    return {figure.key: figure for figure in evaluation.figures}


def kinds(evaluation) -> set[FindingKind]:
    return {finding.kind for finding in evaluation.findings}


def test_quiet_counts_are_ok():
    evaluation = evaluate()

    assert [f.state for f in evaluation.figures] == ["ok"] * 4
    assert evaluation.findings == ()
    assert by_key(evaluation)["rejection_rate"].value == pytest.approx(8.0)
    assert by_key(evaluation)["generic_dispensing"].value == pytest.approx(80.0)


@pytest.mark.parametrize(
    ("value", "threshold", "bound", "state"),
    [
        (15.0, 15.0, "max", "ok"),
        (15.1, 15.0, "max", "warn"),
        (30.0, 15.0, "max", "warn"),
        (30.1, 15.0, "max", "critical"),
        (70.0, 70.0, "min", "ok"),
        (69.9, 70.0, "min", "warn"),
        (35.0, 70.0, "min", "warn"),
        (34.9, 70.0, "min", "critical"),
        (0.0, 0.0, "min", "ok"),
    ],
)
def test_state_of_bounds(value, threshold, bound, state):
    assert state_of(value, threshold, bound) == state


def test_rejection_rate_breach():
    counts = replace(QUIET, window_rejected=100)

    evaluation = evaluate(counts)

    finding = evaluation.findings[0]
    assert kinds(evaluation) == {FindingKind.REJECTION_RATE}
    assert finding.severity is Severity.WARNING
    assert finding.dedup_key == "rejection_rate:demo"
    assert finding.metrics["value"] == 25.0
    assert finding.metrics["limit"] == 15.0
    assert "100 of 400" in finding.root_cause


def test_rejection_rate_critical_at_double():
    counts = replace(QUIET, window_rejected=200)

    evaluation = evaluate(counts)

    assert by_key(evaluation)["rejection_rate"].state == "critical"
    assert evaluation.findings[0].severity is Severity.CRITICAL


def test_small_sample_is_na_with_reason():
    counts = replace(QUIET, window_adjudicated=19, window_rejected=19)

    figure = by_key(evaluate(counts))["rejection_rate"]

    assert figure.value is None
    assert figure.state == "n/a"
    assert "19 adjudicated claim(s) in the last 60 min" in figure.reason
    assert "min_sample (20)" in figure.reason


def test_sample_at_minimum_counts():
    counts = replace(QUIET, window_adjudicated=20, window_rejected=10)

    evaluation = evaluate(counts)

    assert by_key(evaluation)["rejection_rate"].value == 50.0
    assert kinds(evaluation) == {FindingKind.REJECTION_RATE}


def test_generic_rate_below_minimum():
    counts = replace(QUIET, generic_paid_today=400)

    evaluation = evaluate(counts)

    assert by_key(evaluation)["generic_dispensing"].state == "warn"
    assert kinds(evaluation) == {FindingKind.GENERIC_DISPENSING}


def test_generic_rate_needs_paid_claims():
    counts = replace(QUIET, paid_today=5, generic_paid_today=0)

    evaluation = evaluate(counts)

    assert by_key(evaluation)["generic_dispensing"].value is None
    assert evaluation.findings == ()


def test_adherence_under_minimum():
    counts = replace(QUIET, patients_adherent=900)

    evaluation = evaluate(counts)

    finding = evaluation.findings[0]
    assert finding.kind is FindingKind.ADHERENCE
    assert finding.severity is Severity.WARNING
    assert "only 30% of patients adherent" in finding.title
    assert "900 of 3000 patients" in finding.root_cause
    assert "period ending 2026-03-02" in finding.root_cause


def test_adherence_under_half_minimum_is_critical():
    counts = replace(QUIET, patients_adherent=300)

    figure = by_key(evaluate(counts))["adherent_patients"]

    assert figure.value == 10.0
    assert figure.state == "critical"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"adherence_period_end": None}, "run the etl_adherence job"),
        ({"adherence_period_end": date(2026, 2, 26)}, "4 days ago"),
        ({"patients_measured": 12, "patients_adherent": 1}, "12 patient(s)"),
    ],
)
def test_adherence_without_fresh_measure_is_na(changes, reason):
    counts = replace(QUIET, **changes)

    evaluation = evaluate(counts)

    figure = by_key(evaluation)["adherent_patients"]
    assert figure.value is None
    assert reason in figure.reason
    assert evaluation.findings == ()


def test_adherence_period_at_max_age_counts():
    counts = replace(QUIET, adherence_period_end=date(2026, 2, 27))

    figure = by_key(evaluate(counts))["adherent_patients"]

    assert figure.value == 80.0


def test_low_volume_after_from_hour():
    counts = replace(QUIET, claims_today=40)

    evaluation = evaluate(counts)

    assert kinds(evaluation) == {FindingKind.CLAIM_VOLUME}
    assert by_key(evaluation)["claims_today"].state == "critical"


def test_low_volume_not_checked_before_from_hour():
    early = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    counts = replace(QUIET, claims_today=5, read_at=early)

    evaluation = evaluate(counts)

    figure = by_key(evaluation)["claims_today"]
    assert figure.state == "ok"
    assert figure.value == 5
    assert "from 02:00 UTC" in figure.detail
    assert evaluation.findings == ()


def test_every_breach_at_once():
    counts = replace(
        QUIET,
        claims_today=10,
        window_rejected=300,
        generic_paid_today=100,
        patients_adherent=500,
    )

    evaluation = evaluate(counts)

    assert kinds(evaluation) == {
        FindingKind.CLAIM_VOLUME,
        FindingKind.REJECTION_RATE,
        FindingKind.GENERIC_DISPENSING,
        FindingKind.ADHERENCE,
    }
    assert len({f.dedup_key for f in evaluation.findings}) == 4


def test_config_rejects_pdc_above_one():
    with pytest.raises(ValueError, match="pdc_threshold"):
        HealthcareConfig(pdc_threshold=1.5)


def test_config_rejects_unknown_key():
    with pytest.raises(ValueError, match="rejection_rate"):
        HealthcareConfig(rejection_rate=10)


@pytest.mark.parametrize("name", ["claim_figures", "adherence"])
def test_dialects_share_statements(name):
    postgres = load_file("postgres", "healthcare")
    mssql = load_file("mssql", "healthcare")

    assert sorted(postgres) == sorted(mssql) == ["adherence", "claim_figures"]
    assert set(PLACEHOLDER.findall(postgres[name])) == set(
        PLACEHOLDER.findall(mssql[name])
    )
