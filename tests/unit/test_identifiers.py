"""Identifier formats and the determinism of the demo data generator."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

import pytest

from engine.seed import identifiers
from engine.seed.generator import (
    CLAIM_WINDOW_DAYS,
    DIAGNOSES_BY_CLASS,
    DRUG_CATALOG,
    INTERACTION_RULES,
    REJECT_CODES,
    TABLES,
    TABLES_BY_NAME,
    DemoDataGenerator,
)

TODAY = date(2026, 3, 15)


def _column(table: str, name: str) -> int:
    return TABLES_BY_NAME[table].columns.index(name)


# NPI


def test_npi_known_valid_number() -> None:
    assert identifiers.npi_is_valid("1234567893")


def test_npi_check_digit_of_known_base() -> None:
    assert identifiers.npi_check_digit("123456789") == "3"


@pytest.mark.parametrize("wrong_digit", "012456789")
def test_npi_wrong_check_digit_invalid(wrong_digit: str) -> None:
    assert not identifiers.npi_is_valid("123456789" + wrong_digit)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "123456789",
        "12345678930",
        "12345678a3",
        " 1234567893",
        "１２３４５６７８９３",
    ],
)
def test_npi_malformed_invalid(value: str) -> None:
    assert not identifiers.npi_is_valid(value)


def test_npi_non_string_invalid() -> None:
    assert not identifiers.npi_is_valid(1234567893)  # type: ignore[arg-type]


def test_luhn_check_digit_plain_example() -> None:
    # 79927398713 is the usual worked example of the Luhn algorithm.
    assert identifiers.luhn_check_digit("7992739871") == "3"


def test_luhn_rejects_non_digits() -> None:
    with pytest.raises(ValueError):
        identifiers.luhn_check_digit("12a4")


def test_random_npis_valid_with_leading_digit() -> None:
    rng = random.Random(7)
    for _ in range(500):
        individual = identifiers.random_npi(rng)
        organization = identifiers.random_npi(rng, organization=True)
        assert identifiers.npi_is_valid(individual), individual
        assert identifiers.npi_is_valid(organization), organization
        assert individual[0] == "1"
        assert organization[0] == "2"


def test_npi_single_digit_change_detected() -> None:
    rng = random.Random(11)
    npi = identifiers.random_npi(rng)
    for position in range(10):
        for digit in "0123456789":
            if digit == npi[position]:
                continue
            changed = npi[:position] + digit + npi[position + 1 :]
            assert not identifiers.npi_is_valid(changed), changed


# NDC


def test_make_ndc_pads_to_eleven_digits() -> None:
    assert identifiers.make_ndc(123, 45, 6) == "00123004506"


def test_format_ndc_five_four_two() -> None:
    assert identifiers.format_ndc("12345678901") == "12345-6789-01"


@pytest.mark.parametrize(
    ("labeler", "product", "package"),
    [(100_000, 1, 1), (1, 10_000, 1), (1, 1, 100), (-1, 1, 1)],
)
def test_make_ndc_rejects_out_of_range(labeler: int, product: int, package: int):
    with pytest.raises(ValueError):
        identifiers.make_ndc(labeler, product, package)


@pytest.mark.parametrize("value", ["", "1234567890", "123456789012", "12345-6789-0"])
def test_ndc_malformed_invalid(value: str) -> None:
    assert not identifiers.ndc_is_valid(value)


def test_format_ndc_rejects_malformed() -> None:
    with pytest.raises(ValueError):
        identifiers.format_ndc("12345-6789-01")


def test_random_ndcs_have_eleven_digits() -> None:
    rng = random.Random(3)
    for _ in range(500):
        ndc = identifiers.random_ndc(rng)
        assert identifiers.ndc_is_valid(ndc), ndc
        assert re.fullmatch(r"\d{5}-\d{4}-\d{2}", identifiers.format_ndc(ndc))


# ICD-10-CM


def test_icd10_list_has_thirty_codes() -> None:
    assert len(identifiers.ICD10_CM_CODES) >= 30


@pytest.mark.parametrize("code", sorted(identifiers.ICD10_CM_CODES))
def test_icd10_listed_code_well_formed(code: str) -> None:
    assert identifiers.icd10_is_valid_format(code)


@pytest.mark.parametrize("code", ["E11.9", "I10", "J45.909", "F32.9", "F32.A"])
def test_icd10_common_codes_well_formed(code: str) -> None:
    assert identifiers.icd10_is_valid_format(code)


@pytest.mark.parametrize("code", ["", "E1", "e11.9", "11.9", "E11.", "E11.12345"])
def test_icd10_malformed_rejected(code: str) -> None:
    assert not identifiers.icd10_is_valid_format(code)


def test_diagnoses_by_class_use_listed_codes() -> None:
    for drug_class, codes in DIAGNOSES_BY_CLASS.items():
        for code in codes:
            assert code in identifiers.ICD10_CM_CODES, (drug_class, code)


def test_every_catalog_class_has_diagnoses() -> None:
    for drug in DRUG_CATALOG:
        assert drug.drug_class in DIAGNOSES_BY_CLASS, drug.name


def test_interaction_rules_name_catalog_classes() -> None:
    classes = {drug.drug_class for drug in DRUG_CATALOG}
    for class_a, class_b, _severity, _description in INTERACTION_RULES:
        assert class_a in classes
        assert class_b in classes


# Synthetic names


def test_synthetic_name_from_lists() -> None:
    rng = random.Random(5)
    first, last = identifiers.synthetic_name(rng)
    assert first in identifiers.FIRST_NAMES
    assert last in identifiers.LAST_NAMES


# Generator


def _all_rows(generator: DemoDataGenerator) -> dict[str, list[tuple]]:
    return {table.name: list(generator.rows(table.name)) for table in TABLES}


@pytest.fixture(scope="module")
def scale_one_rows() -> dict[str, list[tuple]]:
    return _all_rows(DemoDataGenerator(scale=1, today=TODAY))


def test_generator_same_inputs_same_rows(scale_one_rows) -> None:
    again = _all_rows(DemoDataGenerator(scale=1, today=TODAY))
    for table in TABLES:
        assert again[table.name] == scale_one_rows[table.name], table.name


def test_generator_table_order_irrelevant(scale_one_rows) -> None:
    generator = DemoDataGenerator(scale=1, today=TODAY)
    for table in reversed(TABLES):
        rows = list(generator.rows(table.name))
        assert rows == scale_one_rows[table.name], table.name


def test_generator_seed_changes_rows(scale_one_rows) -> None:
    other = DemoDataGenerator(scale=1, seed=99, today=TODAY)
    claims = list(other.rows("healthcare.pharmacy_claims"))
    assert claims != scale_one_rows["healthcare.pharmacy_claims"]


def test_generator_counts_match_plan(scale_one_rows) -> None:
    planned = DemoDataGenerator(scale=1, today=TODAY).row_counts()
    for table, rows in scale_one_rows.items():
        assert len(rows) == planned[table], table
    assert planned["healthcare.pharmacy_claims"] == 30_000
    assert planned["healthcare.providers"] == 500


def test_generator_counts_scale_linearly() -> None:
    one = DemoDataGenerator(scale=1, today=TODAY).row_counts()
    three = DemoDataGenerator(scale=3, today=TODAY).row_counts()
    for table, count in one.items():
        assert three[table] == 3 * count, table


@pytest.mark.parametrize("scale", [0, -1, 1.5, True, "2"])
def test_generator_rejects_invalid_scale(scale) -> None:
    with pytest.raises(ValueError):
        DemoDataGenerator(scale=scale)


def test_generator_rows_match_columns(scale_one_rows) -> None:
    for table in TABLES:
        for row in scale_one_rows[table.name][:50]:
            assert len(row) == len(table.columns), table.name


def test_claims_within_window(scale_one_rows) -> None:
    index = _column("healthcare.pharmacy_claims", "service_date")
    days = {row[index] for row in scale_one_rows["healthcare.pharmacy_claims"]}
    assert min(days) == TODAY - timedelta(days=CLAIM_WINDOW_DAYS - 1)
    assert max(days) == TODAY


def test_claims_today_present(scale_one_rows) -> None:
    index = _column("healthcare.pharmacy_claims", "service_date")
    claims = scale_one_rows["healthcare.pharmacy_claims"]
    assert sum(1 for row in claims if row[index] == TODAY) > 0


def test_claims_about_eight_percent_rejected(scale_one_rows) -> None:
    status = _column("healthcare.pharmacy_claims", "claim_status")
    reject = _column("healthcare.pharmacy_claims", "reject_code")
    claims = scale_one_rows["healthcare.pharmacy_claims"]
    rejected = [row for row in claims if row[status] == "rejected"]
    assert 0.06 < len(rejected) / len(claims) < 0.10
    assert {row[reject] for row in rejected} <= set(REJECT_CODES)
    assert all(row[reject] is None for row in claims if row[status] != "rejected")


def test_claims_not_before_prescription(scale_one_rows) -> None:
    written = {
        row[0]: row[_column("healthcare.prescriptions", "written_date")]
        for row in scale_one_rows["healthcare.prescriptions"]
    }
    service = _column("healthcare.pharmacy_claims", "service_date")
    prescription = _column("healthcare.pharmacy_claims", "prescription_id")
    for row in scale_one_rows["healthcare.pharmacy_claims"]:
        assert row[service] >= written[row[prescription]], row


def test_claim_amounts_add_up(scale_one_rows) -> None:
    columns = TABLES_BY_NAME["healthcare.pharmacy_claims"].columns
    for values in scale_one_rows["healthcare.pharmacy_claims"]:
        row = dict(zip(columns, values, strict=True))
        assert row["copay"] >= 0
        if row["claim_status"] in ("paid", "reversed"):
            gross = row["ingredient_cost"] + row["dispensing_fee"]
            assert row["plan_paid"] + row["copay"] == gross, row


def test_claim_ids_follow_submission_time(scale_one_rows) -> None:
    submitted = _column("healthcare.pharmacy_claims", "submitted_at")
    times = [row[submitted] for row in scale_one_rows["healthcare.pharmacy_claims"]]
    assert times == sorted(times)


def test_order_totals_sum_items(scale_one_rows) -> None:
    totals: dict[int, object] = {}
    for order_id, _line, _sku, _name, quantity, price in scale_one_rows[
        "commerce.order_items"
    ]:
        totals[order_id] = totals.get(order_id, 0) + quantity * price
    for row in scale_one_rows["commerce.orders"]:
        assert row[4] == totals[row[0]], row


def test_generated_identifiers_valid(scale_one_rows) -> None:
    npi = _column("healthcare.providers", "npi")
    for row in scale_one_rows["healthcare.providers"]:
        assert identifiers.npi_is_valid(row[npi]), row
    ndc = _column("healthcare.medications", "ndc")
    for row in scale_one_rows["healthcare.medications"]:
        assert identifiers.ndc_is_valid(row[ndc]), row
    code = _column("healthcare.prescriptions", "diagnosis_code")
    for row in scale_one_rows["healthcare.prescriptions"]:
        assert row[code] in identifiers.ICD10_CM_CODES, row
