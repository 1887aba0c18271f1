"""The attached TUI's copy of the validation scorecard, read from the
sidecar at connect, after each validation event and after a run it requests."""

from __future__ import annotations

import psycopg

from engine.validation.cycle import ChecksCompleted
from tests.attach.conftest import TOKEN, next_event
from tests.conftest import fast_config
from warroom.api.schemas.validation import scorecard_out
from warroom.attach.client import SidecarClient
from warroom.attach.convert import scorecard_of
from warroom.attach.source import RemoteSource


async def test_scorecard_converts_back(engine):
    completed = await engine.run_checks()

    converted = scorecard_of(scorecard_out(engine))

    assert completed.scorecard is not None
    assert converted is not None
    assert converted.run_at == completed.scorecard.run_at
    assert converted.results == completed.scorecard.results
    assert converted.pass_percent == completed.scorecard.pass_percent


async def test_no_scorecard_before_first_run(engine):
    engine.checks.scorecard = None

    assert scorecard_of(scorecard_out(engine)) is None


async def test_connect_reads_scorecard(sidecar, engine):
    completed = await engine.run_checks()
    source = RemoteSource(SidecarClient(sidecar.url, TOKEN), fast_config())
    await source.connect()
    try:
        assert completed.scorecard is not None
        assert source.checks.scorecard is not None
        assert source.checks.scorecard.run_at == completed.scorecard.run_at
        assert source.checks.error == completed.error
        assert source.checks.running is False
    finally:
        await source.close()


async def test_validation_event_republished(remote, engine):
    queue = remote.bus.subscribe()

    completed = await engine.run_checks()
    assert completed.scorecard is not None
    run_at = completed.scorecard.run_at
    event = await next_event(
        queue,
        lambda item: (
            isinstance(item, ChecksCompleted)
            and item.scorecard is not None
            and item.scorecard.run_at == run_at
        ),
    )

    assert event.error is None
    assert event.scorecard.results == completed.scorecard.results
    assert remote.checks.scorecard == event.scorecard
    assert remote.checks.error is None


async def test_remote_run_shows_samples(remote, engine, database_url):
    with psycopg.connect(database_url, autocommit=True) as connection:
        (customer_id,) = connection.execute(
            "INSERT INTO commerce.customers (email, first_name, last_name, state) "
            "VALUES (NULL, 'No', 'Email', 'TX') RETURNING customer_id"
        ).fetchone()
    try:
        completed = await remote.run_checks()
    finally:
        with psycopg.connect(database_url, autocommit=True) as connection:
            connection.execute(
                "DELETE FROM commerce.customers WHERE customer_id = %s", [customer_id]
            )

    assert completed.scorecard is not None
    assert engine.checks.scorecard is not None
    assert completed.scorecard.run_at == engine.checks.scorecard.run_at
    failed = {result.rule: result for result in completed.scorecard.failed}
    assert "customers_email_present" in failed
    result = failed["customers_email_present"]
    assert result.violations == 1
    assert {"customer_id": customer_id} in result.samples
    assert remote.checks.scorecard == completed.scorecard
