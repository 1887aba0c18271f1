"""The shipped rules of config/validation_rules.yaml against the seeded demo
database: every rule passes on the seed, and each new rule fails on a row
that breaks it."""

from __future__ import annotations

import psycopg
import pytest

from engine.config import load_config
from engine.paths import CONFIG_DIR
from engine.seed.identifiers import npi_check_digit
from engine.targets.postgres import PostgresTarget
from engine.validation.runner import Validator

# A controlled substance in the seeded catalog (Schedule II).
CONTROLLED_DRUG = "methylphenidate"


@pytest.fixture
async def validator(database_url):
    target = PostgresTarget(database_url, name="test", is_local=True)
    await target.connect()
    config = load_config(CONFIG_DIR, environ={}).validation
    yield Validator(target, config)
    await target.close()


def execute(url: str, *statements: str) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


async def run_rule(validator: Validator, name: str):
    rule = validator.rule(name)
    assert rule is not None, f"rule {name} is not in config/validation_rules.yaml"
    card = await validator.run([rule])
    return card.results[0]


async def test_shipped_rules_pass_on_seed(validator):
    card = await validator.run()

    assert len(card.results) == 24
    not_passed = {
        result.rule: f"{result.outcome}: {result.detail}"
        for result in card.results
        if result.outcome != "pass"
    }
    assert not_passed == {}


async def test_member_id_duplicate_fails(validator, database_url):
    # The PostgreSQL schema has a UNIQUE constraint; the rule guards a copy
    # of the table that lacks it, so the test drops it first.
    execute(
        database_url,
        "ALTER TABLE healthcare.patients DROP CONSTRAINT patients_member_id_key",
        "UPDATE healthcare.patients SET member_id = 'WRM000000001' "
        "WHERE patient_id = 2",
    )

    result = await run_rule(validator, "patients_member_id_unique")

    assert result.outcome == "fail"
    assert result.violations == 2
    assert result.samples == ({"patient_id": 1}, {"patient_id": 2})


@pytest.mark.parametrize("ndc", ["1234567890", "12345-678-9"])
async def test_ndc_not_11_digits_fails(validator, database_url, ndc):
    execute(
        database_url,
        "ALTER TABLE healthcare.medications DROP CONSTRAINT medications_ndc_check",
        "INSERT INTO healthcare.medications (medication_id, ndc, drug_name, "
        "is_generic, strength, dosage_form, drug_class) VALUES (90001, "
        f"'{ndc}', 'test drug', true, '1 mg', 'tablet', 'Test')",
    )

    result = await run_rule(validator, "medications_ndc_11_digits")

    assert result.outcome == "fail"
    assert result.violations == 1
    assert result.samples == ({"medication_id": 90001},)


async def test_npi_wrong_check_digit_fails(validator, database_url):
    base = "123456789"
    wrong = str((int(npi_check_digit(base)) + 1) % 10)
    execute(
        database_url,
        f"UPDATE healthcare.providers SET npi = '{base}{wrong}' WHERE provider_id = 3",
    )

    result = await run_rule(validator, "providers_npi_valid")

    assert result.outcome == "fail"
    assert result.violations == 1
    assert result.samples == ({"provider_id": 3},)


async def test_npi_valid_check_digit_passes(validator, database_url):
    base = "123456789"
    execute(
        database_url,
        f"UPDATE healthcare.providers SET npi = '{base}{npi_check_digit(base)}' "
        "WHERE provider_id = 3",
    )

    result = await run_rule(validator, "providers_npi_valid")

    assert result.outcome == "pass"


async def test_npi_with_letter_fails(validator, database_url):
    execute(
        database_url,
        "ALTER TABLE healthcare.providers DROP CONSTRAINT providers_npi_check",
        "UPDATE healthcare.providers SET npi = '12345678X3' WHERE provider_id = 4",
    )

    result = await run_rule(validator, "providers_npi_valid")

    assert result.outcome == "fail"
    assert result.samples == ({"provider_id": 4},)


async def test_controlled_prescription_without_dea_fails(validator, database_url):
    execute(
        database_url,
        "UPDATE healthcare.providers SET dea_number = NULL WHERE provider_id = 5",
        "UPDATE healthcare.prescriptions SET provider_id = 5, medication_id = ("
        "SELECT min(medication_id) FROM healthcare.medications "
        f"WHERE drug_name = '{CONTROLLED_DRUG}') WHERE prescription_id = 11",
    )

    result = await run_rule(validator, "prescriptions_controlled_need_dea")

    assert result.outcome == "fail"
    assert result.samples[0] == {"prescription_id": 11}


async def test_uncontrolled_prescription_without_dea_passes(validator, database_url):
    execute(
        database_url,
        "UPDATE healthcare.providers SET dea_number = NULL",
        "UPDATE healthcare.prescriptions SET medication_id = ("
        "SELECT min(medication_id) FROM healthcare.medications "
        "WHERE dea_schedule IS NULL) WHERE medication_id IN ("
        "SELECT medication_id FROM healthcare.medications "
        "WHERE dea_schedule IS NOT NULL)",
    )

    result = await run_rule(validator, "prescriptions_controlled_need_dea")

    assert result.outcome == "pass"


async def test_claim_submitted_after_48h_fails(validator, database_url):
    execute(
        database_url,
        "UPDATE healthcare.pharmacy_claims "
        "SET submitted_at = (service_date + 2)::timestamp AT TIME ZONE 'UTC' "
        "+ interval '1 second' WHERE claim_id = 20",
    )

    result = await run_rule(validator, "claims_submitted_within_48h")

    assert result.outcome == "fail"
    assert result.violations == 1
    assert [sample["claim_id"] for sample in result.samples] == [20]


async def test_infinite_date_key_sampled(validator, database_url):
    # Python has no date for -infinity, so the key is read as text.
    execute(
        database_url,
        "UPDATE healthcare.pharmacy_claims SET service_date = '-infinity' "
        "WHERE claim_id = 20",
    )

    result = await run_rule(validator, "claims_submitted_within_48h")

    assert result.outcome == "fail"
    assert result.samples == ({"claim_id": 20, "service_date": "-infinity"},)


async def test_claim_submitted_at_48h_passes(validator, database_url):
    execute(
        database_url,
        "UPDATE healthcare.pharmacy_claims "
        "SET submitted_at = (service_date + 2)::timestamp AT TIME ZONE 'UTC' "
        "WHERE claim_id = 20",
    )

    result = await run_rule(validator, "claims_submitted_within_48h")

    assert result.outcome == "pass"


async def test_order_updated_before_placed_fails(validator, database_url):
    execute(
        database_url,
        "UPDATE commerce.orders SET updated_at = ordered_at - interval '1 minute' "
        "WHERE order_id = 9",
    )

    result = await run_rule(validator, "orders_updated_after_ordered")

    assert result.outcome == "fail"
    assert result.samples == ({"order_id": 9},)


async def test_pdc_out_of_range_fails(validator, database_url):
    # The table's CHECK constraint also bounds pdc. The rule guards a load
    # that bypassed it, so the test drops the constraint first.
    execute(
        database_url,
        "ALTER TABLE healthcare.patient_adherence "
        "DROP CONSTRAINT patient_adherence_pdc_check",
        "INSERT INTO healthcare.patient_adherence (patient_id, drug_class, "
        "period_start, period_end, index_date, treatment_days, covered_days, pdc) "
        "VALUES (1, 'statin', '2026-01-01', '2026-06-29', '2026-01-01', 180, 171, "
        "0.95), (2, 'statin', '2026-01-01', '2026-06-29', '2026-01-01', 180, "
        "270, 1.5)",
    )

    result = await run_rule(validator, "adherence_pdc_range")

    assert result.outcome == "fail"
    assert result.violations == 1
    assert result.rows_checked == 2


async def test_quarantine_of_unknown_table_fails(validator, database_url):
    execute(
        database_url,
        "INSERT INTO public.warroom_quarantine (source_table, row_key, row_data, "
        "reason) VALUES ('commerce.gone', '{\"id\": 1}', '{}', 'test')",
    )

    result = await run_rule(validator, "quarantine_source_table_exists")

    assert result.outcome == "fail"
    assert result.violations == 1


async def test_one_query_per_rule_matches_batched(validator, database_url):
    execute(
        database_url,
        "UPDATE healthcare.pharmacy_claims SET quantity = 5000 WHERE claim_id = 30",
        "UPDATE healthcare.patients SET date_of_birth = NULL WHERE patient_id = 8",
    )

    batched = await validator.run()
    separate = await validator.run(batched=False)

    def outcomes(card):
        return [(r.rule, r.outcome, r.violations, r.samples) for r in card.results]

    assert outcomes(separate) == outcomes(batched)
    assert {result.rule for result in batched.failed} == {
        "claims_quantity_range",
        "patients_date_of_birth_present",
    }
