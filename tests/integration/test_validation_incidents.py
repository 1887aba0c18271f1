"""A validation incident clears only when its rule passes: a run in which the
rule could not run, or was not evaluated, leaves the incident as it was."""

from __future__ import annotations

import psycopg

from engine.incidents.models import Status

RULE = "customers_email_present"


def execute(url: str, sql: str) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql)


async def check_and_poll(engine, times: int = 1) -> None:
    for _ in range(times):
        await engine.run_checks()
        await engine.poll_once()


def rule_incidents(engine, kind: str = "validation") -> list:
    return [
        incident
        for incident in engine.incidents.repository.search(kind=kind)
        if incident.metrics.get("rule") == RULE
    ]


async def test_rule_that_errs_keeps_incident(unpolled_engine, database_url, config):
    engine = unpolled_engine
    execute(
        database_url, "UPDATE commerce.customers SET email = NULL WHERE customer_id = 1"
    )
    await check_and_poll(engine)
    (incident,) = rule_incidents(engine)
    # An ESCALATED incident resolves on the first clear polls, so only the
    # kept finding keeps it open.
    engine.incidents.transition(incident.id, Status.ESCALATED, "alice", "paged")
    execute(database_url, "ALTER TABLE commerce.customers RENAME TO customers_away")

    await check_and_poll(engine, config.warroom.incidents.clear_polls + 1)
    during = engine.get_incident(incident.id)
    result = next(r for r in engine.checks.scorecard.results if r.rule == RULE)
    execute(database_url, "ALTER TABLE commerce.customers_away RENAME TO customers")
    await check_and_poll(engine)

    assert result.outcome == "error"
    assert "table commerce.customers does not exist" in result.detail
    assert during.status is Status.ESCALATED
    assert during.clear_polls == 0
    assert [found.id for found in rule_incidents(engine)] == [incident.id]
    assert engine.get_incident(incident.id).status is Status.ESCALATED


async def test_run_with_rows_changed_runs_again(
    unpolled_engine, database_url, monkeypatch
):
    # A drill's rollback restores the row while the run reads it, so the
    # run's failure must not open an incident.
    engine = unpolled_engine
    with psycopg.connect(database_url, autocommit=True) as connection:
        (email,) = connection.execute(
            "SELECT email FROM commerce.customers WHERE customer_id = 1"
        ).fetchone()
        connection.execute(
            "UPDATE commerce.customers SET email = NULL WHERE customer_id = 1"
        )
    validator = engine.checks.validator
    original = validator.run
    cards = []

    async def run_then_restore(*args, **kwargs):
        card = await original(*args, **kwargs)
        cards.append(card)
        if len(cards) == 1:
            with psycopg.connect(database_url, autocommit=True) as connection:
                connection.execute(
                    "UPDATE commerce.customers SET email = %s WHERE customer_id = 1",
                    (email,),
                )
            engine.checks.invalidate()
        return card

    monkeypatch.setattr(validator, "run", run_then_restore)
    await check_and_poll(engine)

    first, second = (
        next(result for result in card.results if result.rule == RULE) for card in cards
    )
    assert first.outcome == "fail"
    assert second.outcome == "pass"
    assert engine.checks.scorecard is cards[1]
    assert rule_incidents(engine) == []


async def test_incident_starts_at_last_pass(unpolled_engine, database_url):
    engine = unpolled_engine
    passed = await engine.run_checks()
    execute(
        database_url, "UPDATE commerce.customers SET email = NULL WHERE customer_id = 1"
    )

    failed = await engine.run_checks()
    await engine.poll_once()

    (incident,) = rule_incidents(engine)
    # The rows changed between the two runs, so the time to detect is at
    # most the time between them.
    assert incident.metrics["passed_at"] == passed.scorecard.run_at.isoformat()
    assert incident.started_at == passed.scorecard.run_at
    assert incident.started_at < failed.scorecard.run_at < incident.detected_at


async def test_first_failed_run_has_no_pass(unpolled_engine, database_url):
    engine = unpolled_engine
    execute(
        database_url, "UPDATE commerce.customers SET email = NULL WHERE customer_id = 1"
    )

    await check_and_poll(engine)

    (incident,) = rule_incidents(engine)
    assert "passed_at" not in incident.metrics
    assert incident.started_at == incident.detected_at


async def test_rule_erring_opens_error_incident(unpolled_engine, database_url, config):
    engine = unpolled_engine
    limit = config.validation.error_runs
    # A first run checks the rules against the catalog, so a table missing
    # later is a rule error, not a config error.
    await check_and_poll(engine)
    execute(database_url, "ALTER TABLE commerce.customers RENAME TO customers_away")

    await check_and_poll(engine, limit - 1)
    before = rule_incidents(engine, "validation_error")
    await check_and_poll(engine)
    (incident,) = rule_incidents(engine, "validation_error")
    execute(database_url, "ALTER TABLE commerce.customers_away RENAME TO customers")
    result = await engine.remediate(incident.id, "alice")
    await check_and_poll(engine, config.warroom.incidents.clear_polls + 1)

    assert before == []
    assert incident.severity == "warning"
    assert incident.metrics["error_runs"] == limit
    # The condition starts at the first run that could not run the rule.
    assert incident.started_at.isoformat() == incident.metrics["since"]
    assert incident.started_at < incident.detected_at
    assert "table commerce.customers does not exist" in incident.root_cause
    assert "config/validation_rules.yaml" in result.message
    assert engine.get_incident(incident.id).status is Status.RESOLVED


async def test_last_pass_survives_restart(unpolled_engine, database_url):
    engine = unpolled_engine
    passed = await engine.run_checks()
    # A new engine on the same store reads the last passes from its history.
    engine.checks._passed_at = None
    execute(
        database_url, "UPDATE commerce.customers SET email = NULL WHERE customer_id = 1"
    )

    await check_and_poll(engine)

    (incident,) = rule_incidents(engine)
    assert incident.started_at == passed.scorecard.run_at
