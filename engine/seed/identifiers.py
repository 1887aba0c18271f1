"""Identifier formats for the synthetic pharmacy-claims data.

NPI check digits follow the CMS NPI standard: the Luhn check digit of the first
nine digits prefixed with ``80840``, the ISO 7812 issuer prefix for US health
identifiers. NDCs are stored
as 11 digits in the HIPAA 5-4-2 layout (labeler, product, package). ICD-10-CM
codes are real codes from the CMS code set, chosen from common outpatient
diagnoses. Person names combine two fixed lists and describe no real person.
"""

from __future__ import annotations

import random
import re

NPI_PREFIX = "80840"
NPI_LENGTH = 10
NDC_LENGTH = 11
INDIVIDUAL_NPI_LEADING_DIGIT = "1"
ORGANIZATION_NPI_LEADING_DIGIT = "2"

_NPI_PATTERN = re.compile(r"[0-9]{10}")
_NDC_PATTERN = re.compile(r"[0-9]{11}")
# Letter, digit, alphanumeric category, then an optional dot and 1-4 characters.
_ICD10_PATTERN = re.compile(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?")

# Real ICD-10-CM codes (FY2024 code set) with their short descriptions.
ICD10_CM_CODES: dict[str, str] = {
    "A49.9": "Bacterial infection, unspecified",
    "B35.1": "Tinea unguium",
    "D64.9": "Anemia, unspecified",
    "E03.9": "Hypothyroidism, unspecified",
    "E11.9": "Type 2 diabetes mellitus without complications",
    "E11.65": "Type 2 diabetes mellitus with hyperglycemia",
    "E55.9": "Vitamin D deficiency, unspecified",
    "E66.9": "Obesity, unspecified",
    "E78.00": "Pure hypercholesterolemia, unspecified",
    "E78.5": "Hyperlipidemia, unspecified",
    "F32.9": "Major depressive disorder, single episode, unspecified",
    "F33.1": "Major depressive disorder, recurrent, moderate",
    "F41.1": "Generalized anxiety disorder",
    "F41.9": "Anxiety disorder, unspecified",
    "F90.0": "Attention-deficit hyperactivity disorder, predominantly inattentive",
    "G43.909": "Migraine, unspecified, not intractable, without status migrainosus",
    "G47.00": "Insomnia, unspecified",
    "G89.29": "Other chronic pain",
    "H40.9": "Unspecified glaucoma",
    "I10": "Essential (primary) hypertension",
    "I25.10": "Atherosclerotic heart disease of native coronary artery "
    "without angina pectoris",
    "I48.91": "Unspecified atrial fibrillation",
    "I50.9": "Heart failure, unspecified",
    "J01.90": "Acute sinusitis, unspecified",
    "J02.9": "Acute pharyngitis, unspecified",
    "J06.9": "Acute upper respiratory infection, unspecified",
    "J30.9": "Allergic rhinitis, unspecified",
    "J44.9": "Chronic obstructive pulmonary disease, unspecified",
    "J45.909": "Unspecified asthma, uncomplicated",
    "K21.9": "Gastro-esophageal reflux disease without esophagitis",
    "K58.9": "Irritable bowel syndrome without diarrhea",
    "L40.0": "Psoriasis vulgaris",
    "L70.0": "Acne vulgaris",
    "M10.9": "Gout, unspecified",
    "M19.90": "Unspecified osteoarthritis, unspecified site",
    "M54.50": "Low back pain, unspecified",
    "M81.0": "Age-related osteoporosis without current pathological fracture",
    "N18.9": "Chronic kidney disease, unspecified",
    "N39.0": "Urinary tract infection, site not specified",
    "R05.9": "Cough, unspecified",
}

FIRST_NAMES: tuple[str, ...] = (
    "Avery", "Blake", "Casey", "Dana", "Elliot", "Finley", "Gale", "Harper",
    "Indra", "Jules", "Kendall", "Logan", "Marlow", "Noor", "Oakley", "Parker",
    "Quinn", "Reese", "Sage", "Tatum", "Umber", "Vale", "Wren", "Yael",
    "Zion", "Arden", "Briar", "Cove", "Darby", "Emery", "Fable", "Greer",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Ashgrove", "Bramblewood", "Cinderfield", "Dovecote", "Elmstead",
    "Fernhollow", "Glenmoor", "Hazelbrook", "Ivywick", "Juniperlane",
    "Kestrelton", "Larkspur", "Mossbank", "Nettlefield", "Oakhurst",
    "Pebbleford", "Quillfeather", "Rowanby", "Sedgewick", "Thistledown",
    "Underhill", "Vetchley", "Willowmere", "Yarrowdale", "Alderbrook",
    "Birchcombe", "Copperfen", "Driftmoor", "Emberlane", "Foxglove",
)  # fmt: skip


def luhn_check_digit(digits: str) -> str:
    """Return the Luhn check digit that makes ``digits`` + digit pass the Luhn test.

    Raises ValueError if ``digits`` is empty or has a character other than 0-9.
    """
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"Luhn input must be ASCII digits, got {digits!r}")
    total = 0
    # The check digit will sit to the right, so the rightmost payload digit is
    # the first one doubled.
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def npi_check_digit(base: str) -> str:
    """Return the NPI check digit for the first nine digits ``base``."""
    if len(base) != NPI_LENGTH - 1:
        raise ValueError(f"NPI base must be 9 digits, got {base!r}")
    return luhn_check_digit(NPI_PREFIX + base)


def npi_is_valid(npi: str) -> bool:
    """Check that ``npi`` is 10 ASCII digits whose last digit is the NPI check digit."""
    if not isinstance(npi, str) or not _NPI_PATTERN.fullmatch(npi):
        return False
    return npi_check_digit(npi[:-1]) == npi[-1]


def random_npi(rng: random.Random, organization: bool = False) -> str:
    """Draw a valid NPI from ``rng``.

    Individual providers get a leading 1 and organizations (pharmacies) a
    leading 2, so the two sets never overlap. Real NPIs start with 1 or 2
    without that meaning.
    """
    leading = (
        ORGANIZATION_NPI_LEADING_DIGIT if organization else INDIVIDUAL_NPI_LEADING_DIGIT
    )
    base = leading + f"{rng.randrange(10**8):08d}"
    return base + npi_check_digit(base)


def dea_check_digit(six_digits: str) -> str:
    """Return the DEA registration number check digit for its first six digits.

    The check digit is the last digit of the sum of the 1st, 3rd and 5th
    digits plus twice the sum of the 2nd, 4th and 6th.
    """
    if len(six_digits) != 6 or not six_digits.isascii() or not six_digits.isdigit():
        raise ValueError(f"DEA digits must be 6 ASCII digits, got {six_digits!r}")
    values = [int(char) for char in six_digits]
    total = sum(values[0::2]) + 2 * sum(values[1::2])
    return str(total % 10)


def random_dea_number(rng: random.Random, last_name: str, mid_level: bool) -> str:
    """Draw a DEA registration number for a prescriber from ``rng``.

    The first letter is the registrant type (B for a practitioner, M for a
    mid-level practitioner such as an NP or a PA), the second the initial of
    ``last_name``, then six digits and the check digit.
    """
    registrant = "M" if mid_level else "B"
    digits = f"{rng.randrange(10**6):06d}"
    return registrant + last_name[:1].upper() + digits + dea_check_digit(digits)


def make_ndc(labeler: int, product: int, package: int) -> str:
    """Build the 11-digit NDC from its labeler, product and package codes."""
    if not 0 <= labeler < 10**5:
        raise ValueError(f"NDC labeler code must fit in 5 digits, got {labeler}")
    if not 0 <= product < 10**4:
        raise ValueError(f"NDC product code must fit in 4 digits, got {product}")
    if not 0 <= package < 10**2:
        raise ValueError(f"NDC package code must fit in 2 digits, got {package}")
    return f"{labeler:05d}{product:04d}{package:02d}"


def ndc_is_valid(ndc: str) -> bool:
    """Check that ``ndc`` is an 11-digit NDC as stored (no hyphens)."""
    return isinstance(ndc, str) and _NDC_PATTERN.fullmatch(ndc) is not None


def format_ndc(ndc: str) -> str:
    """Format an 11-digit NDC in hyphenated 5-4-2 form, such as 12345-6789-01."""
    if not ndc_is_valid(ndc):
        raise ValueError(f"NDC must be 11 digits, got {ndc!r}")
    return f"{ndc[:5]}-{ndc[5:9]}-{ndc[9:]}"


def random_ndc(rng: random.Random) -> str:
    """Draw an 11-digit NDC with a random labeler, product and package code."""
    labeler = rng.randrange(1, 10**5)
    product = rng.randrange(1, 10**4)
    package = rng.randrange(1, 100)
    return make_ndc(labeler, product, package)


def icd10_is_valid_format(code: str) -> bool:
    """Check that ``code`` has the ICD-10-CM shape, such as I10, E11.9 or J45.909.

    Only the shape is checked: a well-formed code can still be absent from
    the code set.
    """
    return isinstance(code, str) and _ICD10_PATTERN.fullmatch(code) is not None


def synthetic_name(rng: random.Random) -> tuple[str, str]:
    """Draw a (first name, last name) pair from the synthetic name lists."""
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
