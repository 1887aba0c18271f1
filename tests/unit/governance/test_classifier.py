"""The PHI classifier: whole-word name matches, the usual substring false
positives, and sampled values that confirm or contradict a name."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from engine.governance.classifier import PhiCategory, classify, split_words

NAMES = ["Maria", "James", "O'Neil", "Li", "Anne-Marie", "Tom", "Ruth", "Ken"]
DATES = [date(1950, 1, 1) + timedelta(days=400 * i) for i in range(10)]
ZIPS = ["02139", "94105", "10001", "60614", "73301", "30301"]


@pytest.mark.parametrize(
    ("identifier", "words"),
    [
        ("first_name", ["first", "name"]),
        ("patientDOB", ["patient", "dob"]),
        ("PatientZipCode", ["patient", "zip", "code"]),
        ("address_line2", ["address", "line", "2"]),
        ("HTTPStatus", ["http", "status"]),
        ("adobe_id", ["adobe", "id"]),
    ],
)
def test_split_words(identifier: str, words: list[str]):
    assert split_words(identifier) == words


@pytest.mark.parametrize(
    ("column", "data_type", "category"),
    [
        ("first_name", "text", PhiCategory.PERSON_NAME),
        ("LastName", "nvarchar", PhiCategory.PERSON_NAME),
        ("patient_name", "text", PhiCategory.PERSON_NAME),
        ("surname", "text", PhiCategory.PERSON_NAME),
        ("date_of_birth", "date", PhiCategory.DATE_OF_BIRTH),
        ("dob", "date", PhiCategory.DATE_OF_BIRTH),
        ("birth_date", "datetime2", PhiCategory.DATE_OF_BIRTH),
        ("ssn", "char", PhiCategory.SSN),
        ("social_security_number", "text", PhiCategory.SSN),
        ("home_phone", "text", PhiCategory.PHONE),
        ("email_address", "text", PhiCategory.EMAIL),
        ("street_address", "text", PhiCategory.ADDRESS),
        ("zip_code", "character", PhiCategory.ZIP_CODE),
        ("postal_code", "text", PhiCategory.ZIP_CODE),
        ("member_id", "text", PhiCategory.MEMBER_ID),
        ("subscriberNumber", "varchar", PhiCategory.MEMBER_ID),
        ("mrn", "text", PhiCategory.MEDICAL_RECORD_NUMBER),
        ("medical_record_number", "text", PhiCategory.MEDICAL_RECORD_NUMBER),
        ("birth_dt", "date", PhiCategory.DATE_OF_BIRTH),
        ("DateOfBirth", "date", PhiCategory.DATE_OF_BIRTH),
        ("patientname", "text", PhiCategory.PERSON_NAME),
        ("tel", "text", PhiCategory.PHONE),
        ("city", "text", PhiCategory.ADDRESS),
    ],
)
def test_name_matches_category(column: str, data_type: str, category: PhiCategory):
    found = classify(column, data_type)

    assert found is not None
    assert found.category is category
    assert 0.5 <= found.confidence < 1
    assert "name:" in found.reason


@pytest.mark.parametrize(
    ("column", "table"),
    [
        ("zipper_size", "products"),
        ("adobe_id", "licenses"),
        ("drug_name", "medications"),
        ("product_name", "order_items"),
        ("file_name", "uploads"),
        ("user_name", "phi_access_log"),
        ("name", "medications"),
        ("ip_address", "sessions"),
        ("mac_address", "devices"),
        ("doberman_count", "kennels"),
        ("membership_tier", "customers"),
        ("phoneme", "lexicon"),
        ("zipped", "archives"),
        ("postal_service", "shipments"),
        ("emailed", "notices"),
        ("ssnap", "flags"),
    ],
)
def test_substring_false_positives(column: str, table: str):
    assert classify(column, "text", table=table) is None


def test_bare_name_in_table_of_people():
    found = classify("name", "text", NAMES, table="patients")

    assert found is not None
    assert found.category is PhiCategory.PERSON_NAME


def test_samples_raise_confidence():
    alone = classify("zip_code", "character")
    confirmed = classify("zip_code", "character", ZIPS)

    assert alone is not None and confirmed is not None
    assert confirmed.confidence > alone.confidence
    assert "100% of 6 sampled values fit" in confirmed.reason


def assert_contradicted(found) -> None:
    assert found is not None
    assert found.category is None
    assert found.confidence is None
    assert "so the name is not trusted" in found.reason


def test_samples_contradict_name():
    # A flag column whose name contains the word dob, holding no dates.
    found = classify("dob_verified", "text", ["yes", "no"] * 5)

    assert_contradicted(found)
    assert "only 0% of 10 sampled values fit" in found.reason


def test_local_phone_numbers_fit():
    local = ["555-0101", "555-0199", "(555) 010-4477", "+1 312 555 0101"] * 2

    found = classify("phone_number", "text", local)

    assert found is not None
    assert found.category is PhiCategory.PHONE
    assert "100% of 8 sampled values fit" in found.reason


def test_phone_counts_contradict_name():
    assert_contradicted(classify("phone_count", "integer", [0, 1, 2, 3, 12] * 2))


def test_samples_contradict_zip():
    assert_contradicted(classify("zip_mode", "text", ["gzip", "deflate", "none"] * 3))


def test_too_few_samples_keep_name_confidence():
    found = classify("ssn", "text", ["123-45-6789"])

    assert found is not None
    assert "too few values" in found.reason


def test_no_samples_named_in_reason():
    found = classify("first_name", "text", [None, ""])

    assert found is not None
    assert found.reason.endswith("no values sampled")


def test_nulls_ignored_in_samples():
    found = classify("date_of_birth", "date", [None, *DATES, None])

    assert found is not None
    assert "of 10 sampled" in found.reason


def test_future_dates_are_no_birth_dates():
    future = [date.today() + timedelta(days=30 * i) for i in range(1, 10)]

    assert_contradicted(classify("dob", "date", future))


@pytest.mark.parametrize(
    ("column", "data_type"),
    [("dob_checked", "boolean"), ("birth_date_known", "bit"), ("phone", "date")],
)
def test_type_rules_out_category(column: str, data_type: str):
    assert classify(column, data_type) is None


def test_values_alone_find_email():
    emails = [f"person{i}@example.org" for i in range(10)]

    found = classify("contact", "text", emails)

    assert found is not None
    assert found.category is PhiCategory.EMAIL
    assert found.reason.startswith("values:")


def test_values_alone_find_dashed_ssn():
    numbers = [f"{100 + i}-45-{1000 + i}" for i in range(10)]

    found = classify("notes_ref", "varchar", numbers)

    assert found is not None
    assert found.category is PhiCategory.SSN


@pytest.mark.parametrize(
    "numbers",
    [
        [f"(555) {i:03d}-{1000 + i}" for i in range(10)],
        [f"555-{i:03d}-{1000 + i}" for i in range(10)],
        [f"+1 555 {i:03d} {1000 + i}" for i in range(10)],
    ],
)
def test_values_alone_find_phone(numbers: list[str]):
    found = classify("alt_contact", "text", numbers)

    assert found is not None
    assert found.category is PhiCategory.PHONE


def test_values_alone_find_street_address():
    streets = ["Lane", "Street", "Ave", "Rd", "Drive"]
    addresses = [f"{10 + i} Alder{i} {streets[i % 5]}, Springfield" for i in range(10)]

    found = classify("home", "text", addresses)

    assert found is not None
    assert found.category is PhiCategory.ADDRESS


@pytest.mark.parametrize(
    ("column", "values"),
    [
        # NPIs are ten bare digits, not a written phone number.
        ("provider_ref", [f"{1234567890 + i}" for i in range(10)]),
        ("strength", [f"{10 * (i + 1)} mg tablet" for i in range(10)]),
        ("batch_label", [f"{i} units per box" for i in range(10)]),
    ],
)
def test_values_alone_ignore_lookalikes(column: str, values: list[str]):
    assert classify(column, "text", values) is None


def test_values_alone_ignore_plain_numbers():
    # Five-digit codes look like ZIPs, but so do many other codes.
    assert classify("region_code", "text", ZIPS) is None


def test_drug_names_are_no_person_names():
    drugs = ["Lisinopril", "Metformin", "Atorvastatin", "Amlodipine", "Omeprazole"]

    assert classify("drug_name", "text", drugs, table="medications") is None


def test_city_names_confirm_address():
    cities = ["Boston", "San Antonio", "St. Louis", "Austin", "Des Moines"]

    found = classify("city", "text", cities)

    assert found.category is PhiCategory.ADDRESS
    assert "100% of 5 sampled values fit" in found.reason


def test_ssn_shape_without_valid_area_fits():
    values = [f"000-12-{3400 + n}" for n in range(6)]

    found = classify("ssn", "char", values)

    assert found.category is PhiCategory.SSN
    assert "100% of 6 sampled values fit" in found.reason


@pytest.mark.parametrize("as_text", [False, True], ids=["jsonb", "text"])
def test_json_rows_classified_by_keys(as_text: bool):
    rows = [
        {
            "patient_id": n,
            "first_name": NAMES[n],
            "date_of_birth": DATES[n].isoformat(),
            "ssn": f"123-45-{6700 + n}",
        }
        for n in range(6)
    ]
    values = [json.dumps(row) if as_text else row for row in rows]

    found = classify("row_data", "jsonb" if not as_text else "nvarchar", values)

    assert found.category is PhiCategory.SSN
    assert found.reason.startswith("values: JSON objects with the keys ")
    assert "'first_name' (person name)" in found.reason
    assert "'date_of_birth' (date of birth)" in found.reason


def test_json_rows_without_phi_keys():
    rows = [{"claim_id": n, "quantity": 30} for n in range(6)]

    assert classify("row_data", "jsonb", rows) is None
