"""A data drill whose check cannot run is rejected with the reason, and a
rollback does not depend on the validation rules being valid."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from engine.chaos.interlocks import DetectorUnavailable
from engine.config.models import ValidationRuleConfig
from engine.remediation.quarantine import release_drill
from engine.validation.runner import Validator

TYPO = ValidationRuleConfig(
    name="typo", table="commerce.customers", type="null_check", column="emial"
)


def break_rules(engine) -> None:
    engine.config.validation.rules.append(TYPO)
    engine.checks.validator = Validator(engine.target, engine.config.validation)
    engine.playbook.validator = engine.checks.validator


async def test_data_drill_rejected_while_rules_are_invalid(engine):
    break_rules(engine)
    completed = await engine.run_checks()

    with pytest.raises(DetectorUnavailable) as raised:
        engine.trigger_drill("formulary_change", "test")

    assert "has no column 'emial'" in completed.error
    assert "formulary_change would go undetected" in str(raised.value)
    assert "has no column 'emial'" in str(raised.value)
    states = {state.name: state for state in engine.scenarios()}
    assert "emial" in states["data_corruption"].blocked_by
    assert states["phi_exposure"].blocked_by is None


async def test_session_drill_runs_while_rules_are_invalid(engine):
    break_rules(engine)
    await engine.run_checks()

    drill = await asyncio.wait_for(
        engine.trigger_drill("deadlock", "test", auto_remediate=True), 60
    )

    assert drill.status == "passed", drill.error


async def test_release_ignores_invalid_rules(engine):
    break_rules(engine)

    assert await release_drill(engine.checks.validator, 12345, {}) == 0


async def test_leftover_journal_restored_at_next_start(engine, database_url):
    with psycopg.connect(database_url, autocommit=True) as connection:
        (customer_id,) = connection.execute(
            "INSERT INTO commerce.customers (email, first_name, last_name, state) "
            "VALUES ('left@example.com', 'Left', 'Over', 'TX') RETURNING customer_id"
        ).fetchone()
    repository = engine.drills.drills
    drill = repository.create("data_corruption", engine.target_name, "test")
    drill.status = "failed"
    drill.error = "rollback failed: the target went away"
    repository.save(drill)
    repository.journal(
        drill.id, "commerce.customers", {"customer_id": customer_id}, {}, "insert"
    )

    await engine.drills.recover()

    with psycopg.connect(database_url) as connection:
        (left,) = connection.execute(
            "SELECT count(*) FROM commerce.customers WHERE customer_id = %s",
            [customer_id],
        ).fetchone()
    after = repository.get(drill.id)
    assert left == 0
    assert after.rolled_back_at is not None
    assert after.error.endswith("rows restored later")
    assert repository.pending_journal(drill.id) == []
