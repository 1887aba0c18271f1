"""Healthcare figures on the demo data, their incidents and their failures."""

from __future__ import annotations

import asyncio
from datetime import UTC, timedelta

import psycopg
import pytest

from engine.actors import DEMO_ACTOR
from engine.events import EngineNotice, PollCompleted
from engine.healthcare.monitor import HealthcareRefreshed
from engine.incidents.models import Status
from tests.conftest import execute_apart
from warroom.runtime import Runtime

# Copies of existing claims, submitted now, with the status the test needs.
INSERT_CLAIMS = """
INSERT INTO healthcare.pharmacy_claims (
    service_date, prescription_id, pharmacy_id, patient_id, ndc, quantity,
    days_supply, ingredient_cost, claim_status, reject_code
)
SELECT current_date, prescription_id, pharmacy_id, patient_id, ndc, quantity,
    days_supply, ingredient_cost, %(status)s, %(reject_code)s
FROM healthcare.pharmacy_claims
ORDER BY claim_id
LIMIT %(count)s
RETURNING claim_id
"""


def figures(engine) -> dict:
    return {figure.key: figure for figure in engine.healthcare.reading.figures}


def insert_claims(url: str, count: int, status: str = "rejected") -> list[int]:
    reject_code = "75" if status == "rejected" else None
    params = {"status": status, "reject_code": reject_code, "count": count}
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute(INSERT_CLAIMS, params).fetchall()
    return [row[0] for row in rows]


def delete_claims(url: str, claim_ids: list[int]) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "DELETE FROM healthcare.pharmacy_claims WHERE claim_id = ANY(%s)",
            (claim_ids,),
        )


def independent_counts(url: str, window_minutes: int) -> dict:
    """Count the claims figures in Python from the raw rows."""
    with psycopg.connect(url, autocommit=True) as connection:
        now = connection.execute("SELECT now()").fetchone()[0]
        rows = connection.execute(
            "SELECT c.submitted_at, c.claim_status, m.is_generic "
            "FROM healthcare.pharmacy_claims AS c "
            "JOIN healthcare.medications AS m ON m.ndc = c.ndc"
        ).fetchall()
    # The figures count UTC days, whatever the session's time zone.
    day_start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    window_start = now - timedelta(minutes=window_minutes)
    today = [row for row in rows if day_start <= row[0]]
    window = [row for row in rows if window_start <= row[0]]
    paid_today = [row for row in today if row[1] == "paid"]
    return {
        "claims_today": len(today),
        "adjudicated": sum(1 for row in window if row[1] != "pending"),
        "rejected": sum(1 for row in window if row[1] == "rejected"),
        "paid_today": len(paid_today),
        "generic_paid_today": sum(1 for row in paid_today if row[2]),
    }


def independent_adherence(url: str, threshold: float) -> tuple[int, int]:
    """Return (patients measured, patients adherent) in the newest period of
    healthcare.patient_adherence, counted row by row."""
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT patient_id, period_start, period_end, pdc "
            "FROM healthcare.patient_adherence"
        ).fetchall()
    newest = max((end, start) for _, start, end, _ in rows)
    lowest: dict[int, float] = {}
    for patient, start, end, pdc in rows:
        if (end, start) == newest:
            lowest[patient] = min(lowest.get(patient, 1.0), float(pdc))
    adherent = sum(1 for pdc in lowest.values() if pdc >= threshold)
    return len(lowest), adherent


async def poll_until(engine, condition, polls: int = 40) -> None:
    for _ in range(polls):
        await engine.poll_once()
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"condition not met after {polls} polls")


def open_of_kind(engine, kind: str) -> list:
    return [i for i in engine.open_incidents() if i.kind == kind]


async def test_figures_match_independent_counts(engine, database_url, config):
    settings = config.warroom.healthcare
    # A known sample in the window, so the rejection rate has a value.
    insert_claims(database_url, 30, "paid")
    insert_claims(database_url, 3, "rejected")

    reading = await engine.refresh_healthcare()
    expected = independent_counts(database_url, settings.window_minutes)

    read_figures = figures(engine)
    assert reading.error is None
    assert reading.read_at is not None
    assert read_figures["claims_today"].value == expected["claims_today"]
    assert expected["adjudicated"] >= 33
    assert read_figures["rejection_rate"].value == pytest.approx(
        100 * expected["rejected"] / expected["adjudicated"]
    )
    assert read_figures["generic_dispensing"].value == pytest.approx(
        100 * expected["generic_paid_today"] / expected["paid_today"]
    )
    # The demo draws 80 % of medications as generics.
    assert 60 < read_figures["generic_dispensing"].value < 95


async def test_adherence_reads_the_pipeline(engine, database_url, config):
    settings = config.warroom.healthcare
    record, run = engine.jobs.runner.trigger("etl_adherence", "test")
    await run
    measured, adherent = independent_adherence(database_url, settings.pdc_threshold)

    await engine.refresh_healthcare()

    figure = figures(engine)["adherent_patients"]
    assert record.status == "succeeded", record.error
    assert measured > 1000
    assert figure.value == pytest.approx(100 * adherent / measured)
    assert figure.state == "ok"


async def test_adherence_run_makes_read_due(unpolled_engine):
    engine = unpolled_engine
    await engine.refresh_healthcare()
    before = figures(engine)["adherent_patients"]
    assert not engine.healthcare.due()

    _, run = engine.jobs.runner.trigger("etl_adherence", "test")
    await run

    # The next poll reads the figures, rather than a minute later.
    assert engine.healthcare.due()
    await engine.refresh_healthcare()
    after = figures(engine)["adherent_patients"]
    assert "run the etl_adherence job" in before.reason
    assert after.value is not None


async def test_adherence_without_rows_is_na(engine):
    # The demo load leaves healthcare.patient_adherence empty.
    reading = await engine.refresh_healthcare()

    figure = figures(engine)["adherent_patients"]
    assert reading.error is None
    assert figure.value is None
    assert "run the etl_adherence job" in figure.reason
    assert engine.healthcare.findings == ()


async def test_missing_adherence_table_keeps_claims(engine, database_url):
    await execute_apart(
        database_url,
        "ALTER TABLE healthcare.patient_adherence RENAME TO adherence_away",
    )
    try:
        reading = await engine.refresh_healthcare()
    finally:
        await execute_apart(
            database_url,
            "ALTER TABLE healthcare.adherence_away RENAME TO patient_adherence",
        )

    adherence = figures(engine)["adherent_patients"]
    assert reading.error is None
    assert figures(engine)["claims_today"].value is not None
    assert adherence.value is None
    assert adherence.reason.startswith("adherence not read: ")
    assert "patient_adherence" in adherence.reason


async def test_rejection_burst_opens_and_clears(engine, database_url, config):
    settings = config.warroom.healthcare
    baseline = independent_counts(database_url, settings.window_minutes)
    # Enough rejected claims to double the limit whatever the window held.
    burst = insert_claims(database_url, max(200, 2 * baseline["adjudicated"]))

    await engine.refresh_healthcare()
    rate = figures(engine)["rejection_rate"]
    await poll_until(engine, lambda: open_of_kind(engine, "rejection_rate"))

    assert rate.value > settings.rejection_rate_percent
    assert rate.state in ("warn", "critical")
    incident = open_of_kind(engine, "rejection_rate")[0]
    assert incident.dedup_key == "rejection_rate:test"
    assert "rejection rate" in incident.title
    assert incident.root_cause.endswith("were rejected")
    assert incident.metrics["limit"] == settings.rejection_rate_percent
    # Later polls update the one incident instead of opening others.
    await engine.poll_once()
    assert len(open_of_kind(engine, "rejection_rate")) == 1

    engine.escalate(incident.id, "tester", "paging the claims team")
    delete_claims(database_url, burst)
    await engine.refresh_healthcare()
    await poll_until(
        engine,
        lambda: engine.get_incident(incident.id).status is Status.RESOLVED,
    )

    assert figures(engine)["rejection_rate"].state in ("ok", "n/a")
    assert engine.healthcare.findings == ()


async def test_small_sample_is_na(engine, database_url, config):
    settings = config.warroom.healthcare
    # The seed dates today's claims in the first UTC hour, so early in the day
    # they fill the window: move them out of it first.
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "UPDATE healthcare.pharmacy_claims"
            " SET submitted_at = now() - make_interval(mins => %s + 5)"
            " WHERE submitted_at >= now() - make_interval(mins => %s + 5)",
            (settings.window_minutes, settings.window_minutes),
        )
    assert independent_counts(database_url, settings.window_minutes)["adjudicated"] == 0
    insert_claims(database_url, 3)

    await engine.refresh_healthcare()
    rate = figures(engine)["rejection_rate"]
    await engine.poll_once()

    assert rate.value is None
    assert rate.state == "n/a"
    assert "min_sample" in rate.reason
    assert "3 adjudicated" in rate.reason
    assert open_of_kind(engine, "rejection_rate") == []


async def test_read_failure_is_notice(engine, database_url):
    await engine.refresh_healthcare()
    before = engine.healthcare.reading
    queue = engine.bus.subscribe()
    await execute_apart(
        database_url, "ALTER TABLE healthcare.medications RENAME TO medications_moved"
    )

    reading = await engine.refresh_healthcare()
    poll = await engine.poll_once()

    events = []
    while not queue.empty():
        events.append(queue.get_nowait())
    notices = [e for e in events if isinstance(e, EngineNotice)]
    assert isinstance(poll, PollCompleted)
    assert engine.last_error is None
    assert "medications" in reading.error
    assert reading.failed_at is not None
    # The previous figures stay, with the time they were read.
    assert reading.read_at == before.read_at
    assert reading.figures == before.figures
    assert any("healthcare figures not read" in n.message for n in notices)
    assert any(isinstance(e, HealthcareRefreshed) for e in events)


async def test_poll_schedules_refresh(engine):
    # The engine fixture polls on its own: its first poll starts a read in
    # the background, and none starts again before healthcare.refresh_seconds.
    for _ in range(100):
        if engine.healthcare.reading.read_at is not None:
            break
        await asyncio.sleep(0.05)

    assert engine.healthcare.reading.read_at is not None
    assert engine.healthcare.reading.error is None
    assert not engine.healthcare.due()


async def test_demo_start_runs_adherence_once(engine):
    runtime = Runtime(engine, lock=None, embedded=None)

    await runtime.compute_demo_adherence()
    for _ in range(600):
        if "etl_adherence" not in engine.jobs.runner.running:
            break
        await asyncio.sleep(0.1)
    await runtime.compute_demo_adherence()

    runs = engine.job_history("etl_adherence")
    assert [run.actor for run in runs] == [DEMO_ACTOR]
    assert runs[0].status == "succeeded", runs[0].error
