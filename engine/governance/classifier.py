"""PHI and PII classification of a column from its name and sampled values.

A column name is split into words (snake_case, camelCase and digits), and
each category matches whole words or word sequences only, so ``zip`` does not
match ``zipper_size`` and ``dob`` does not match ``adobe_id``. ``name`` alone
counts as a person's name only next to a word about a person (``first_name``,
``patient_name``), never in ``drug_name`` or ``product_name``. Sampled values
then confirm the name (raising the confidence) or contradict it (lowering it
below the threshold), and a few formats (email, SSN with dashes) are found from
the values alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

CLASSIFIER = "classifier"
"""The ``detected_by`` of every classification this module makes."""


class PhiCategory(StrEnum):
    PERSON_NAME = "person_name"
    DATE_OF_BIRTH = "date_of_birth"
    SSN = "ssn"
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"
    ZIP_CODE = "zip_code"
    MEMBER_ID = "member_id"
    MEDICAL_RECORD_NUMBER = "medical_record_number"


@dataclass(frozen=True)
class Classification:
    """The classifier's result for one column."""

    category: PhiCategory | None
    """None when the sampled values contradict the column's name."""
    confidence: float | None
    """From 0 to 1, and None without a category."""
    reason: str


# Words that name a person in front of ``name``: ``patient_name`` is a
# person's name, ``drug_name`` is not.
_PERSON_WORDS = frozenset(
    {
        "first",
        "last",
        "middle",
        "full",
        "given",
        "family",
        "maiden",
        "patient",
        "member",
        "subscriber",
        "customer",
        "person",
        "contact",
        "employee",
        "prescriber",
        "guardian",
        "spouse",
        "legal",
        "preferred",
        "nick",
        "sur",
    }
)
# Names written as one word, as an unquoted PatientName becomes patientname
# in PostgreSQL.
_NAME_SINGLE_WORDS = frozenset(
    {"firstname", "lastname", "surname", "forename", "fname", "lname", "fullname"}
    | {"middlename", "givenname", "familyname", "patientname", "membername"}
    | {"customername", "personname", "contactname", "subscribername"}
)
# Tables whose rows are people, where a bare ``name`` column is a person's name.
_PEOPLE_TABLE_WORDS = frozenset(
    {"patient", "patients", "person", "persons", "people", "member", "members"}
    | {"customer", "customers", "employee", "employees", "contact", "contacts"}
)
# Words in front of ``address`` that make it something other than a postal
# address.
_NOT_POSTAL = frozenset({"ip", "mac", "email", "e", "web", "url", "hardware", "host"})
# Types that can hold no identifier this module looks for.
_EXCLUDED_TYPES = frozenset(
    {"boolean", "bit", "bytea", "binary", "varbinary", "image", "json", "jsonb"}
    | {"xml", "money", "smallmoney", "real", "double precision", "float"}
    | {"uniqueidentifier", "uuid", "interval", "time", "tsvector"}
)
_DATE_TYPES = ("date", "timestamp", "datetime", "smalldatetime", "datetimeoffset")

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
# The shape only: test data (000-...) and ITINs (9..) are identifiers too.
_SSN = re.compile(r"^\d{3}-?\d{2}-?\d{4}$")
_SSN_DASHED = re.compile(r"^\d{3}-\d{2}-\d{4}$")
_PHONE_CHARS = re.compile(r"^\+?[\d\s().-]{7,20}$")
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
_PERSON_NAME = re.compile(r"^[A-Z][A-Za-z'’.-]*( [A-Z][A-Za-z'’.-]*)*$")
_STREET = re.compile(r"^\d+[A-Za-z]? +\S+.*[A-Za-z]")
_PLACE = re.compile(r"^[A-Z][A-Za-z'.-]*( [A-Za-z][A-Za-z'.-]*)*$")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9-]{4,20}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
# A North American number written as people write one: (555) 042-0294,
# 555-042-0294, 555.042.0294 or +1 555 042 0294. The separator before the
# last four digits is required, so bare ten-digit codes (NPIs) do not fit.
_PHONE_WRITTEN = re.compile(r"^(\+?1[ .-]?)?(\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}$")
# A street address: a house number, words, and a street type, as in
# "52 Alderbrook Lane, Springfield".
_STREET_ADDRESS = re.compile(
    r"^\d+[A-Za-z]?( +[A-Za-z0-9.'-]+)+ +(street|st|avenue|ave|road|rd|lane|ln|"
    r"drive|dr|boulevard|blvd|court|ct|way|place|pl|terrace|ter|circle|cir|"
    r"parkway|pkwy|highway|hwy)\b\.?",
    re.IGNORECASE,
)

# Share of non-NULL samples that must fit a category's format to confirm it,
# and the share under which the samples contradict the column's name.
CONFIRM_SHARE = 0.8
CONTRADICT_SHARE = 0.2
_MIN_SAMPLES = 5


def split_words(identifier: str) -> list[str]:
    """Split ``identifier`` into lower-case words at underscores, case changes
    and digits: ``patientDOB_2`` gives ``['patient', 'dob', '2']``."""
    return [word.lower() for word in _WORD.findall(identifier)]


def _has_sequence(words: Sequence[str], *sequence: str) -> bool:
    size = len(sequence)
    return any(
        tuple(words[i : i + size]) == sequence for i in range(len(words) - size + 1)
    )


@dataclass(frozen=True)
class _NameMatch:
    category: PhiCategory
    confidence: float
    reason: str


def _match_person_name(words: list[str], table_words: list[str]) -> _NameMatch | None:
    found = _NAME_SINGLE_WORDS.intersection(words)
    if found:
        return _NameMatch(
            PhiCategory.PERSON_NAME, 0.8, f"the word {sorted(found)[0]!r} in its name"
        )
    for index, word in enumerate(words):
        if word != "name":
            continue
        before = words[index - 1] if index else None
        if before in _PERSON_WORDS:
            return _NameMatch(
                PhiCategory.PERSON_NAME, 0.8, f"'{before} name' in its name"
            )
        if before is None and len(words) == 1:
            people = _PEOPLE_TABLE_WORDS.intersection(table_words)
            if people:
                return _NameMatch(
                    PhiCategory.PERSON_NAME,
                    0.6,
                    "a column called 'name' in a table of people",
                )
    return None


_BIRTH_WORDS = ("dob", "birthdate", "birthday", "dateofbirth", "birthdt")


def _match_date_of_birth(words: list[str], table_words: list[str]) -> _NameMatch | None:
    word = next((word for word in words if word in _BIRTH_WORDS), None)
    if word is not None:
        return _NameMatch(PhiCategory.DATE_OF_BIRTH, 0.8, f"the word {word!r}")
    for second in ("date", "dt", "dte"):
        if _has_sequence(words, "birth", second):
            return _NameMatch(
                PhiCategory.DATE_OF_BIRTH, 0.85, f"'birth {second}' in its name"
            )
    if _has_sequence(words, "of", "birth"):
        return _NameMatch(PhiCategory.DATE_OF_BIRTH, 0.85, "'of birth' in its name")
    return None


def _match_ssn(words: list[str], table_words: list[str]) -> _NameMatch | None:
    if "ssn" in words:
        return _NameMatch(PhiCategory.SSN, 0.85, "the word 'ssn'")
    if _has_sequence(words, "social", "security"):
        return _NameMatch(PhiCategory.SSN, 0.85, "'social security' in its name")
    return None


def _match_phone(words: list[str], table_words: list[str]) -> _NameMatch | None:
    for word in ("phone", "telephone", "tel", "mobile", "fax", "cellphone"):
        if word in words:
            return _NameMatch(PhiCategory.PHONE, 0.75, f"the word {word!r}")
    return None


def _match_email(words: list[str], table_words: list[str]) -> _NameMatch | None:
    if "email" in words or _has_sequence(words, "e", "mail"):
        return _NameMatch(PhiCategory.EMAIL, 0.8, "the word 'email'")
    return None


def _match_address(words: list[str], table_words: list[str]) -> _NameMatch | None:
    for index, word in enumerate(words):
        if word not in ("address", "addr", "street"):
            continue
        before = words[index - 1] if index else None
        if before in _NOT_POSTAL:
            continue
        return _NameMatch(PhiCategory.ADDRESS, 0.7, f"the word {word!r}")
    # A city or town is part of a postal address, so it locates a person.
    for word in ("city", "town"):
        if word in words:
            return _NameMatch(PhiCategory.ADDRESS, 0.6, f"the word {word!r}")
    return None


def _match_zip(words: list[str], table_words: list[str]) -> _NameMatch | None:
    for word in ("zip", "zipcode", "postcode"):
        if word in words:
            return _NameMatch(PhiCategory.ZIP_CODE, 0.75, f"the word {word!r}")
    if _has_sequence(words, "postal", "code"):
        return _NameMatch(PhiCategory.ZIP_CODE, 0.75, "'postal code' in its name")
    return None


def _match_member_id(words: list[str], table_words: list[str]) -> _NameMatch | None:
    for first in ("member", "subscriber", "beneficiary"):
        for second in ("id", "number", "no", "num"):
            if _has_sequence(words, first, second):
                return _NameMatch(
                    PhiCategory.MEMBER_ID, 0.8, f"'{first} {second}' in its name"
                )
    if "memberid" in words:
        return _NameMatch(PhiCategory.MEMBER_ID, 0.8, "the word 'memberid'")
    return None


def _match_mrn(words: list[str], table_words: list[str]) -> _NameMatch | None:
    if "mrn" in words:
        return _NameMatch(PhiCategory.MEDICAL_RECORD_NUMBER, 0.85, "the word 'mrn'")
    if _has_sequence(words, "medical", "record"):
        return _NameMatch(
            PhiCategory.MEDICAL_RECORD_NUMBER, 0.85, "'medical record' in its name"
        )
    if _has_sequence(words, "chart", "number"):
        return _NameMatch(
            PhiCategory.MEDICAL_RECORD_NUMBER, 0.7, "'chart number' in its name"
        )
    return None


_NAME_MATCHERS: tuple[Callable[[list[str], list[str]], _NameMatch | None], ...] = (
    _match_ssn,
    _match_mrn,
    _match_member_id,
    _match_date_of_birth,
    _match_email,
    _match_phone,
    _match_zip,
    _match_address,
    _match_person_name,
)


# Categories from the most sensitive, in the order the name matchers try them.
_SENSITIVITY = (
    PhiCategory.SSN,
    PhiCategory.MEDICAL_RECORD_NUMBER,
    PhiCategory.MEMBER_ID,
    PhiCategory.DATE_OF_BIRTH,
    PhiCategory.EMAIL,
    PhiCategory.PHONE,
    PhiCategory.ZIP_CODE,
    PhiCategory.ADDRESS,
    PhiCategory.PERSON_NAME,
)


def _fits_date_of_birth(value: Any) -> bool:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return False
    if not isinstance(value, date):
        return False
    age_years = (date.today() - value).days / 365.25
    return 0 <= age_years <= 125


def _fits_phone(value: Any) -> bool:
    # From a seven-digit local number (555-0101) to the 15 digits of E.164.
    text = str(value)
    digits = re.sub(r"\D", "", text)
    return bool(_PHONE_CHARS.match(text)) and 7 <= len(digits) <= 15


def _text_fits(pattern: re.Pattern[str]) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, str) and bool(pattern.match(value.strip()))


# Whether one sampled value has the format of the category.
_VALUE_FITS: dict[PhiCategory, Callable[[Any], bool]] = {
    PhiCategory.PERSON_NAME: _text_fits(_PERSON_NAME),
    PhiCategory.DATE_OF_BIRTH: _fits_date_of_birth,
    PhiCategory.SSN: lambda value: bool(_SSN.match(str(value).strip())),
    PhiCategory.PHONE: _fits_phone,
    PhiCategory.EMAIL: _text_fits(_EMAIL),
    PhiCategory.ADDRESS: lambda value: (
        _text_fits(_STREET)(value) or _text_fits(_PLACE)(value)
    ),
    PhiCategory.ZIP_CODE: lambda value: bool(_ZIP.match(str(value).strip())),
    PhiCategory.MEMBER_ID: lambda value: bool(_IDENTIFIER.match(str(value).strip())),
    PhiCategory.MEDICAL_RECORD_NUMBER: lambda value: bool(
        _IDENTIFIER.match(str(value).strip())
    ),
}

# Formats distinct enough to classify a column whose name says nothing.
_VALUE_ONLY = (
    (PhiCategory.EMAIL, _text_fits(_EMAIL)),
    (PhiCategory.SSN, _text_fits(_SSN_DASHED)),
    (PhiCategory.PHONE, _text_fits(_PHONE_WRITTEN)),
    (PhiCategory.ADDRESS, _text_fits(_STREET_ADDRESS)),
)


def _share(values: Sequence[Any], fits: Callable[[Any], bool]) -> float:
    return sum(1 for value in values if fits(value)) / len(values)


def _type_allows(category: PhiCategory, data_type: str) -> bool:
    kind = data_type.lower()
    if kind in _EXCLUDED_TYPES:
        return False
    is_date = kind.startswith(_DATE_TYPES)
    if category is PhiCategory.DATE_OF_BIRTH:
        return is_date or not _is_numeric(kind)
    # A date column contains no name, phone or identifier.
    return not is_date


def _is_numeric(kind: str) -> bool:
    return kind in {"integer", "bigint", "smallint", "tinyint", "int", "numeric"} or (
        kind.startswith(("decimal", "numeric"))
    )


def classify(
    column: str,
    data_type: str,
    samples: Sequence[Any] = (),
    table: str = "",
) -> Classification | None:
    """Classify one column from its name, type and sampled values.

    ``samples`` are values read from the column (NULLs are ignored). With
    fewer than five, the name alone decides. Returns None when the column
    looks like no category. When the name looks like a category and the
    samples contradict it, the result has no category and gives the reason.
    """
    words = split_words(column)
    table_words = split_words(table)
    values = [value for value in samples if value is not None and value != ""]
    match = _match_name(words, table_words, data_type)
    if match is not None:
        return _weigh_samples(match, values)
    return _classify_documents(values) or _classify_values(values, data_type)


def _match_name(
    words: list[str], table_words: list[str], data_type: str
) -> _NameMatch | None:
    for matcher in _NAME_MATCHERS:
        match = matcher(words, table_words)
        if match is not None and _type_allows(match.category, data_type):
            return match
    return None


def _weigh_samples(match: _NameMatch, values: list[Any]) -> Classification | None:
    reason = f"name: {match.reason}"
    if not values:
        # An empty table, a column of NULLs, a view or a failed sample.
        return Classification(
            match.category, match.confidence, f"{reason}; no values sampled"
        )
    if len(values) < _MIN_SAMPLES:
        return Classification(
            match.category,
            match.confidence,
            f"{reason}; too few values sampled ({len(values)} of the "
            f"{_MIN_SAMPLES} needed to weigh them)",
        )
    share = _share(values, _VALUE_FITS[match.category])
    fitted = f"{share:.0%} of {len(values)} sampled values fit"
    if share >= CONFIRM_SHARE:
        confidence = min(0.99, match.confidence + 0.15)
        return Classification(match.category, confidence, f"{reason}; {fitted}")
    if share < CONTRADICT_SHARE:
        # The name alone is not enough: ``dob_verified`` with yes/no values.
        return Classification(
            None, None, f"{reason}; only {fitted}, so the name is not trusted"
        )
    return Classification(match.category, match.confidence - 0.2, f"{reason}; {fitted}")


def _classify_documents(values: list[Any]) -> Classification | None:
    """Classify a column of JSON objects (a copy of a row, say) by their keys:
    each key is weighed as a column of that name would be, and the column
    takes the most sensitive category found, as _SENSITIVITY orders them."""
    documents = _documents(values)
    if not documents:
        return None
    keys = list(dict.fromkeys(key for document in documents for key in document))

    found: list[tuple[str, Classification]] = []
    for key in keys:
        match = _match_name(split_words(key), [], "text")
        if match is None:
            continue
        key_values = [
            document[key]
            for document in documents
            if document.get(key) is not None and document.get(key) != ""
        ]
        weighed = _weigh_samples(match, key_values)
        if weighed is not None and weighed.category is not None:
            found.append((key, weighed))
    if not found:
        return None

    _, best = min(found, key=lambda item: _SENSITIVITY.index(item[1].category))
    listed = ", ".join(
        f"{key!r} ({str(found_as.category).replace('_', ' ')})"
        for key, found_as in found
    )
    return Classification(
        best.category,
        best.confidence,
        f"values: JSON objects with the keys {listed}",
    )


def _documents(values: list[Any]) -> list[dict[str, Any]]:
    """Return the values that are JSON objects: dicts, as psycopg reads json,
    or text that parses to one, as SQL Server stores it."""
    documents = []
    for value in values:
        if isinstance(value, str) and value.lstrip().startswith("{"):
            try:
                value = json.loads(value)
            except ValueError:
                continue
        if isinstance(value, dict):
            documents.append(value)
    return documents


def _classify_values(values: list[Any], data_type: str) -> Classification | None:
    if len(values) < _MIN_SAMPLES or data_type.lower() in _EXCLUDED_TYPES:
        return None
    for category, fits in _VALUE_ONLY:
        share = _share(values, fits)
        if share >= CONFIRM_SHARE:
            return Classification(
                category,
                0.6 + 0.3 * share,
                f"values: {share:.0%} of {len(values)} sampled values look like "
                f"{category.replace('_', ' ')}",
            )
    return None
