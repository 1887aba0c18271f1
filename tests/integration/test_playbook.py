"""The playbook's data and job actions on the real embedded PostgreSQL, and the
escalation of an incident whose action fails or is rejected by a guard."""

from __future__ import annotations

import asyncio

import psycopg

from engine.config.models import ValidationRuleConfig
from engine.incidents.models import Status
from engine.store.jobs import RunStatus
from engine.validation.runner import Validator
from tests.conftest import execute_apart


def add_rule(engine, rule: ValidationRuleConfig) -> None:
    """Add a rule to the running engine's validator."""
    engine.config.validation.rules.append(rule)
    engine.checks.validator = Validator(engine.target, engine.config.validation)
    engine.playbook.validator = engine.checks.validator


async def validation_incident(engine, rule_name: str):
    completed = await engine.run_checks()
    assert completed.error is None, completed.error
    await engine.poll_once()
    (incident,) = [
        incident
        for incident in engine.open_incidents()
        if incident.metrics.get("rule") == rule_name
    ]
    return incident


async def test_referenced_rows_are_not_moved(engine, database_url):
    # Prescriptions of patient 1 have claims that point at them.
    add_rule(
        engine,
        ValidationRuleConfig(
            name="patient_one",
            table="healthcare.prescriptions",
            type="custom_sql",
            params={"where": "t.patient_id = 1"},
        ),
    )
    incident = await validation_incident(engine, "patient_one")

    result = await engine.remediate(incident.id, "alice")

    assert not result.succeeded
    assert "other rows reference them" in result.message
    assert "healthcare.pharmacy_claims" in result.message
    after = engine.get_incident(incident.id)
    assert after.status is Status.ESCALATED
    assert "quarantine_data failed" in after.timeline[-1].message
    with psycopg.connect(database_url) as connection:
        (moved,) = connection.execute(
            "SELECT count(*) FROM public.warroom_quarantine"
        ).fetchone()
    assert moved == 0


async def test_too_many_rows_are_not_moved(engine):
    add_rule(
        engine,
        ValidationRuleConfig(
            name="every_order",
            table="commerce.orders",
            type="custom_sql",
            params={"where": "t.total_amount >= 0"},
        ),
    )
    incident = await validation_incident(engine, "every_order")

    result = await engine.remediate(incident.id, "alice")

    assert not result.succeeded
    assert "over max_rows 1000" in result.message
    assert engine.get_incident(incident.id).status is Status.ESCALATED


async def test_dry_run_moves_nothing(engine, database_url):
    add_rule(
        engine,
        ValidationRuleConfig(
            name="costly_claims",
            table="healthcare.pharmacy_claims",
            type="range_check",
            column="ingredient_cost",
            params={"max": 3000},
        ),
    )
    incident = await validation_incident(engine, "costly_claims")

    result = await engine.remediate(incident.id, "alice", dry_run=True)

    assert result.succeeded
    assert result.message.startswith("would move ")
    with psycopg.connect(database_url) as connection:
        (moved,) = connection.execute(
            "SELECT count(*) FROM public.warroom_quarantine"
        ).fetchone()
    assert moved == 0


async def failing_job_incident(engine, config, attempts: int, delay: float):
    """Make every run of the validation job fail, run it once, and return
    the job and its incident, with the restart's attempts and delay set."""
    config.playbook.kinds["job_failure"].params.update(
        {"attempts": attempts, "delay_seconds": delay}
    )
    job = next(job for job in config.jobs.jobs if job.name == "validation_run")
    # A rule on a missing table makes every run of the validation job fail.
    add_rule(
        engine,
        ValidationRuleConfig(
            name="gone", table="healthcare.nothing", type="null_check", column="x"
        ),
    )
    _record, task = engine.jobs.runner.trigger(job.name, "alice")
    await task
    (incident,) = [
        incident
        for incident in engine.open_incidents()
        if incident.kind == "job_failure"
    ]
    return job, incident


async def test_restart_job_escalates_after_its_attempts(engine, config):
    job, incident = await failing_job_incident(engine, config, 2, 0.1)

    result = await engine.remediate(incident.id, "alice")

    assert not result.succeeded
    assert f"{job.name} failed 2 time(s)" in result.message
    assert "healthcare.nothing does not exist" in result.message
    after = engine.get_incident(incident.id)
    assert after.status is Status.ESCALATED
    assert len(engine.job_history(job.name)) == 3


async def test_restart_job_stops_once_resolved(engine, config):
    job, incident = await failing_job_incident(engine, config, 3, 0.5)

    remediation = asyncio.ensure_future(engine.remediate(incident.id, "alice"))
    for _ in range(100):
        runs = engine.job_history(job.name)
        if len(runs) == 2 and runs[0].status is not RunStatus.RUNNING:
            break
        await asyncio.sleep(0.05)
    engine.resolve(incident.id, "bob", "fixed the table by hand")
    result = await remediation

    assert not result.succeeded
    assert result.message.startswith(
        f"stopped after 1 attempt(s), because incident {incident.id} was resolved"
    )
    assert len(engine.job_history(job.name)) == 2
    assert engine.get_incident(incident.id).status is Status.RESOLVED


async def test_formulary_revert_needs_a_recorded_change(engine, database_url):
    with psycopg.connect(database_url, autocommit=True) as connection:
        (ndc,) = connection.execute(
            "UPDATE healthcare.formulary SET tier = 3 WHERE ndc = ("
            " SELECT f.ndc FROM healthcare.formulary AS f"
            " JOIN healthcare.medications AS m ON m.ndc = f.ndc"
            " WHERE m.is_generic ORDER BY f.ndc LIMIT 1) RETURNING ndc"
        ).fetchone()
    incident = await validation_incident(engine, "formulary_generics_preferred")

    result = await engine.remediate(incident.id, "alice")

    assert result.action == "revert_formulary"
    assert not result.succeeded
    assert f"no recorded change to undo for {ndc}" in result.message
    assert engine.get_incident(incident.id).status is Status.ESCALATED


async def test_formulary_revert_restores_the_previous_tier(engine, database_url):
    with psycopg.connect(database_url, autocommit=True) as connection:
        (ndc, tier, prior_auth) = connection.execute(
            "SELECT f.ndc, f.tier, f.prior_auth_required"
            " FROM healthcare.formulary AS f"
            " JOIN healthcare.medications AS m ON m.ndc = f.ndc"
            " WHERE m.is_generic ORDER BY f.ndc LIMIT 1"
        ).fetchone()
        connection.execute(
            "INSERT INTO healthcare.formulary_changes (ndc, tier_before,"
            " prior_auth_before, tier_after, prior_auth_after, source)"
            " VALUES (%s, %s, %s, 4, true, 'sync')",
            [ndc, tier, prior_auth],
        )
        connection.execute(
            "UPDATE healthcare.formulary SET tier = 4, prior_auth_required = true"
            " WHERE ndc = %s",
            [ndc],
        )
    incident = await validation_incident(engine, "formulary_generics_preferred")

    result = await engine.remediate(incident.id, "alice")

    assert result.succeeded, result.message
    assert result.message == "reverted 1 of 1 NDC(s) to their previous tier"
    with psycopg.connect(database_url) as connection:
        now = connection.execute(
            "SELECT tier, prior_auth_required FROM healthcare.formulary WHERE ndc = %s",
            [ndc],
        ).fetchone()
        (source,) = connection.execute(
            "SELECT source FROM healthcare.formulary_changes"
            " ORDER BY change_id DESC LIMIT 1"
        ).fetchone()
    assert now == (tier, prior_auth)
    assert source == f"warroom revert, incident {incident.id}"


async def test_manual_incident_resolved_by_hand(engine):
    reported = engine.create_incident("disk_full", "data volume 97% full", "dana")

    result = await engine.remediate(reported.id, "dana")

    incident = engine.get_incident(reported.id)
    assert result.action == "none"
    assert "resolve it by hand once it is fixed" in result.message
    assert "clear_polls" not in result.message
    assert incident.status is Status.REMEDIATING
    messages = [entry.message for entry in incident.timeline]
    assert "no automatic action; resolve it by hand once fixed" in messages


async def test_manual_incident_of_watched_kind(engine):
    reported = engine.create_incident("connections", "pool exhausted", "dana")

    result = await engine.remediate(reported.id, "dana")

    incident = engine.get_incident(reported.id)
    messages = [entry.message for entry in incident.timeline]
    assert result.action == "none"
    assert result.message.startswith(
        "reported by hand, so it names no application, rule, job or user for "
        "cleanup_stale to act on"
    )
    assert incident.status is Status.REMEDIATING
    assert "no automatic action; resolve it by hand once fixed" in messages
    assert "running cleanup_stale" not in messages


async def test_late_claims_stay_in_place(engine, database_url):
    late = (
        "UPDATE healthcare.pharmacy_claims"
        " SET submitted_at = (service_date + 5)::timestamp AT TIME ZONE 'UTC'"
        " WHERE claim_id IN (SELECT claim_id FROM healthcare.pharmacy_claims"
        " ORDER BY claim_id LIMIT 3)"
    )
    count = "SELECT count(*) FROM healthcare.pharmacy_claims"
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(late)
        (before,) = connection.execute(count).fetchone()
    incident = await validation_incident(engine, "claims_submitted_within_48h")

    result = await engine.remediate(incident.id, "alice")

    with psycopg.connect(database_url) as connection:
        (after,) = connection.execute(count).fetchone()
    assert result.action == "acknowledge"
    assert result.succeeded
    assert "late claims are real fills" in result.message
    assert after == before
    assert engine.get_incident(incident.id).status is Status.REMEDIATING


FIRST_TWO_CUSTOMERS = (
    "SELECT customer_id FROM commerce.customers ORDER BY customer_id LIMIT 2"
)


async def share_one_email(database_url: str) -> None:
    """Give two customers one email, past the unique constraint that keeps
    duplicates out (a load that bypassed it)."""
    await execute_apart(
        database_url,
        "ALTER TABLE commerce.customers DROP CONSTRAINT customers_email_key",
        "UPDATE commerce.customers SET email = 'shared@example.org'"
        f" WHERE customer_id IN ({FIRST_TWO_CUSTOMERS})",
    )


async def test_duplicates_are_not_moved(engine, database_url):
    await share_one_email(database_url)
    incident = await validation_incident(engine, "customers_email_unique")

    result = await engine.remediate(incident.id, "alice")

    assert result.action == "quarantine_data"
    assert not result.succeeded
    assert "keep one by hand" in result.message


async def test_duplicates_fixed_by_hand_need_no_move(engine, database_url):
    await share_one_email(database_url)
    incident = await validation_incident(engine, "customers_email_unique")
    await execute_apart(
        database_url,
        "UPDATE commerce.customers SET email = 'kept' || customer_id"
        f" || '@example.org' WHERE customer_id IN ({FIRST_TWO_CUSTOMERS})",
    )

    result = await engine.remediate(incident.id, "alice")

    assert result.succeeded
    assert "finds no duplicate in commerce.customers any more" in result.message
    assert engine.get_incident(incident.id).status is not Status.ESCALATED
