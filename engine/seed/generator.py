"""Deterministic synthetic rows for the demo pharmacy-claims and commerce schemas.

Every table draws from its own ``random.Random`` seeded with the seed and the
table name, so the rows of one table do not depend on which tables were
generated before it. The same seed, scale and ``today`` give identical rows.
Sets are only used for membership tests because their iteration order changes
between interpreter runs.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any, NamedTuple

from engine.seed import identifiers

DEFAULT_SEED = 20250101

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Table:
    """A seeded table: its schema-qualified name and the columns that rows fill."""

    name: str
    columns: tuple[str, ...]


# In load order: every table comes after the tables its foreign keys reference.
TABLES: tuple[Table, ...] = (
    Table(
        "healthcare.providers",
        ("provider_id", "npi", "first_name", "last_name", "credential")
        + ("specialty", "state"),
    ),
    Table(
        "healthcare.pharmacies",
        ("pharmacy_id", "ncpdp_id", "npi", "name", "state", "is_chain"),
    ),
    Table(
        "healthcare.medications",
        ("medication_id", "ndc", "drug_name", "is_generic", "strength")
        + ("dosage_form", "drug_class"),
    ),
    Table(
        "healthcare.patients",
        ("patient_id", "member_id", "first_name", "last_name", "date_of_birth")
        + ("gender", "zip_code", "state"),
    ),
    Table(
        "healthcare.prescriptions",
        ("prescription_id", "patient_id", "provider_id", "medication_id")
        + ("written_date", "quantity", "days_supply", "refills_authorized")
        + ("diagnosis_code",),
    ),
    Table(
        "healthcare.pharmacy_claims",
        ("claim_id", "service_date", "prescription_id", "pharmacy_id", "patient_id")
        + ("ndc", "fill_number", "quantity", "days_supply", "ingredient_cost")
        + ("dispensing_fee", "copay", "plan_paid", "claim_status", "reject_code")
        + ("submitted_at", "updated_at"),
    ),
    Table(
        "healthcare.drug_interactions",
        ("interaction_id", "medication_id_a", "medication_id_b", "severity")
        + ("description",),
    ),
    Table(
        "healthcare.prior_authorizations",
        ("prior_authorization_id", "prescription_id", "status", "requested_at")
        + ("decided_at",),
    ),
    Table(
        "commerce.customers",
        ("customer_id", "email", "first_name", "last_name", "state", "created_at"),
    ),
    Table(
        "commerce.orders",
        ("order_id", "customer_id", "status", "ordered_at", "total_amount")
        + ("updated_at",),
    ),
    Table(
        "commerce.order_items",
        ("order_id", "line_number", "sku", "product_name", "quantity")
        + ("unit_price",),
    ),
)

TABLES_BY_NAME: dict[str, Table] = {table.name: table for table in TABLES}

# Rows per table at scale 1. Every count is multiplied by the scale.
BASE_ROW_COUNTS: dict[str, int] = {
    "healthcare.providers": 500,
    "healthcare.pharmacies": 200,
    "healthcare.medications": 300,
    "healthcare.patients": 5_000,
    "healthcare.prescriptions": 10_000,
    "healthcare.pharmacy_claims": 30_000,
    "healthcare.drug_interactions": 200,
    "healthcare.prior_authorizations": 1_000,
    "commerce.customers": 2_000,
    "commerce.orders": 5_000,
    "commerce.order_items": 12_000,
}

CLAIM_WINDOW_DAYS = 30
PRESCRIPTION_HISTORY_DAYS = 365
ORDER_HISTORY_DAYS = 180
REJECTED_CLAIM_SHARE = 0.08
REVERSED_CLAIM_SHARE = 0.025
PENDING_SHARE_OF_TODAY = 0.15

# NCPDP reject codes with their standard messages and relative frequency.
REJECT_CODES: dict[str, tuple[str, int]] = {
    "75": ("Prior Authorization Required", 30),
    "70": ("Product/Service Not Covered", 20),
    "79": ("Refill Too Soon", 20),
    "76": ("Plan Limitations Exceeded", 12),
    "MR": ("Product Not On Formulary", 10),
    "88": ("DUR Reject Error", 4),
    "65": ("Patient Is Not Covered", 4),
}

US_STATES: tuple[str, ...] = (
    "AL", "AZ", "CA", "CO", "FL", "GA", "IL", "IN", "MA", "MD", "MI", "MN",
    "MO", "NC", "NJ", "NY", "OH", "OR", "PA", "TN", "TX", "VA", "WA", "WI",
)  # fmt: skip

SPECIALTIES: tuple[tuple[str, str], ...] = (
    ("Family Medicine", "MD"),
    ("Internal Medicine", "MD"),
    ("Internal Medicine", "DO"),
    ("Pediatrics", "MD"),
    ("Cardiology", "MD"),
    ("Endocrinology", "MD"),
    ("Psychiatry", "MD"),
    ("Pulmonology", "DO"),
    ("Dermatology", "MD"),
    ("Neurology", "MD"),
    ("Rheumatology", "MD"),
    ("Obstetrics and Gynecology", "MD"),
    ("Family Medicine", "NP"),
    ("Family Medicine", "PA"),
)


class Drug(NamedTuple):
    """A catalog drug that medication rows are drawn from.

    ``dispensing`` is ``maintenance`` (daily doses, refilled), ``acute`` (a
    short course, no refills) or ``package`` (a whole package lasts 30 days).
    """

    name: str
    drug_class: str
    strengths: tuple[str, ...]
    dosage_form: str
    dispensing: str = "maintenance"
    package_quantity: int = 1


_TABLET = "tablet"
_CAPSULE = "capsule"

DRUG_CATALOG: tuple[Drug, ...] = (
    Drug(
        "metformin hydrochloride", "Biguanide", ("500 mg", "850 mg", "1000 mg"), _TABLET
    ),
    Drug("glipizide", "Sulfonylurea", ("5 mg", "10 mg"), _TABLET),
    Drug(
        "insulin glargine",
        "Insulin",
        ("100 units/mL",),
        "injection solution",
        "package",
        15,
    ),
    Drug("lisinopril", "ACE inhibitor", ("10 mg", "20 mg", "40 mg"), _TABLET),
    Drug(
        "losartan potassium",
        "Angiotensin II receptor blocker",
        ("25 mg", "50 mg", "100 mg"),
        _TABLET,
    ),
    Drug("amlodipine besylate", "Calcium channel blocker", ("5 mg", "10 mg"), _TABLET),
    Drug("hydrochlorothiazide", "Thiazide diuretic", ("12.5 mg", "25 mg"), _TABLET),
    Drug("furosemide", "Loop diuretic", ("20 mg", "40 mg"), _TABLET),
    Drug(
        "metoprolol succinate",
        "Beta blocker",
        ("25 mg", "50 mg", "100 mg"),
        "extended-release tablet",
    ),
    Drug(
        "atorvastatin calcium",
        "HMG-CoA reductase inhibitor",
        ("10 mg", "20 mg", "40 mg", "80 mg"),
        _TABLET,
    ),
    Drug(
        "rosuvastatin calcium",
        "HMG-CoA reductase inhibitor",
        ("5 mg", "10 mg", "20 mg"),
        _TABLET,
    ),
    Drug("apixaban", "Anticoagulant", ("2.5 mg", "5 mg"), _TABLET),
    Drug("warfarin sodium", "Anticoagulant", ("1 mg", "2 mg", "5 mg"), _TABLET),
    Drug("clopidogrel", "Antiplatelet", ("75 mg",), _TABLET),
    Drug(
        "albuterol sulfate",
        "Short-acting beta agonist",
        ("90 mcg/actuation",),
        "inhalation aerosol",
        "package",
        18,
    ),
    Drug(
        "fluticasone propionate",
        "Inhaled corticosteroid",
        ("110 mcg/actuation",),
        "inhalation aerosol",
        "package",
        12,
    ),
    Drug("montelukast sodium", "Leukotriene modifier", ("10 mg",), _TABLET),
    Drug(
        "tiotropium bromide",
        "Anticholinergic bronchodilator",
        ("18 mcg",),
        "inhalation capsule",
    ),
    Drug("sertraline", "SSRI", ("25 mg", "50 mg", "100 mg"), _TABLET),
    Drug("escitalopram", "SSRI", ("10 mg", "20 mg"), _TABLET),
    Drug("fluoxetine", "SSRI", ("20 mg",), _CAPSULE),
    Drug(
        "bupropion hydrochloride",
        "Antidepressant",
        ("150 mg", "300 mg"),
        "extended-release tablet",
    ),
    Drug("trazodone", "Antidepressant", ("50 mg", "100 mg"), _TABLET),
    Drug("buspirone", "Anxiolytic", ("10 mg", "15 mg"), _TABLET),
    Drug("methylphenidate", "CNS stimulant", ("10 mg", "20 mg"), _TABLET),
    Drug(
        "levothyroxine sodium",
        "Thyroid hormone",
        ("25 mcg", "50 mcg", "75 mcg", "100 mcg"),
        _TABLET,
    ),
    Drug(
        "omeprazole",
        "Proton pump inhibitor",
        ("20 mg", "40 mg"),
        "delayed-release capsule",
    ),
    Drug("pantoprazole", "Proton pump inhibitor", ("40 mg",), "delayed-release tablet"),
    Drug("gabapentin", "Anticonvulsant", ("100 mg", "300 mg"), _CAPSULE),
    Drug("sumatriptan", "Triptan", ("50 mg", "100 mg"), _TABLET, "package", 9),
    Drug("amoxicillin", "Antibiotic", ("500 mg",), _CAPSULE, "acute"),
    Drug("azithromycin", "Antibiotic", ("250 mg",), _TABLET, "acute"),
    Drug("cephalexin", "Antibiotic", ("500 mg",), _CAPSULE, "acute"),
    Drug("nitrofurantoin", "Antibiotic", ("100 mg",), _CAPSULE, "acute"),
    Drug("allopurinol", "Xanthine oxidase inhibitor", ("100 mg", "300 mg"), _TABLET),
    Drug("alendronate sodium", "Bisphosphonate", ("70 mg",), _TABLET, "package", 4),
    Drug("prednisone", "Corticosteroid", ("10 mg", "20 mg"), _TABLET, "acute"),
    Drug("ibuprofen", "NSAID", ("600 mg", "800 mg"), _TABLET),
    Drug("meloxicam", "NSAID", ("7.5 mg", "15 mg"), _TABLET),
    Drug(
        "cyclobenzaprine",
        "Skeletal muscle relaxant",
        ("5 mg", "10 mg"),
        _TABLET,
        "acute",
    ),
    Drug("cetirizine", "Antihistamine", ("10 mg",), _TABLET),
    Drug(
        "latanoprost",
        "Prostaglandin analog",
        ("0.005%",),
        "ophthalmic solution",
        "package",
        3,
    ),
    Drug("tretinoin", "Topical retinoid", ("0.025%", "0.05%"), "cream", "package", 45),
    Drug("ergocalciferol", "Vitamin", ("50000 units",), _CAPSULE, "package", 4),
    Drug("ferrous sulfate", "Iron supplement", ("325 mg",), _TABLET),
    Drug("zolpidem tartrate", "Sedative-hypnotic", ("5 mg", "10 mg"), _TABLET),
    Drug("terbinafine", "Antifungal", ("250 mg",), _TABLET),
    Drug("dicyclomine", "Antispasmodic", ("10 mg", "20 mg"), _CAPSULE),
    Drug("phentermine hydrochloride", "Anorexiant", ("37.5 mg",), _TABLET),
    Drug("benzonatate", "Antitussive", ("100 mg", "200 mg"), _CAPSULE, "acute"),
)

# ICD-10-CM codes that a prescriber would record for each drug class.
DIAGNOSES_BY_CLASS: dict[str, tuple[str, ...]] = {
    "Biguanide": ("E11.9", "E11.65"),
    "Sulfonylurea": ("E11.9", "E11.65"),
    "Insulin": ("E11.65", "E11.9"),
    "ACE inhibitor": ("I10", "I50.9", "N18.9"),
    "Angiotensin II receptor blocker": ("I10", "N18.9"),
    "Calcium channel blocker": ("I10",),
    "Thiazide diuretic": ("I10",),
    "Loop diuretic": ("I50.9",),
    "Beta blocker": ("I10", "I25.10", "I48.91"),
    "HMG-CoA reductase inhibitor": ("E78.5", "E78.00", "I25.10"),
    "Anticoagulant": ("I48.91",),
    "Antiplatelet": ("I25.10",),
    "Short-acting beta agonist": ("J45.909", "J44.9"),
    "Inhaled corticosteroid": ("J45.909", "J44.9"),
    "Leukotriene modifier": ("J45.909", "J30.9"),
    "Anticholinergic bronchodilator": ("J44.9",),
    "SSRI": ("F32.9", "F33.1", "F41.1"),
    "Antidepressant": ("F32.9", "F33.1", "G47.00"),
    "Anxiolytic": ("F41.1", "F41.9"),
    "CNS stimulant": ("F90.0",),
    "Thyroid hormone": ("E03.9",),
    "Proton pump inhibitor": ("K21.9",),
    "Anticonvulsant": ("G89.29", "M54.50"),
    "Triptan": ("G43.909",),
    "Antibiotic": ("J01.90", "J02.9", "J06.9", "N39.0", "A49.9"),
    "Xanthine oxidase inhibitor": ("M10.9",),
    "Bisphosphonate": ("M81.0",),
    "Corticosteroid": ("J45.909", "L40.0", "M19.90"),
    "NSAID": ("M19.90", "M54.50"),
    "Skeletal muscle relaxant": ("M54.50",),
    "Antihistamine": ("J30.9",),
    "Prostaglandin analog": ("H40.9",),
    "Topical retinoid": ("L70.0",),
    "Vitamin": ("E55.9",),
    "Iron supplement": ("D64.9",),
    "Sedative-hypnotic": ("G47.00",),
    "Antifungal": ("B35.1",),
    "Antispasmodic": ("K58.9",),
    "Anorexiant": ("E66.9",),
    "Antitussive": ("R05.9",),
}

# Class pairs with a documented interaction, its severity and a short summary.
INTERACTION_RULES: tuple[tuple[str, str, str, str], ...] = (
    (
        "Anticoagulant",
        "NSAID",
        "major",
        "Concurrent use increases the risk of serious bleeding.",
    ),
    (
        "Anticoagulant",
        "Antiplatelet",
        "major",
        "Additive antithrombotic effect raises the risk of bleeding.",
    ),
    (
        "Anticoagulant",
        "Antibiotic",
        "moderate",
        "Some antibiotics raise anticoagulant exposure. Monitor INR and bleeding.",
    ),
    ("SSRI", "Triptan", "major", "Risk of serotonin syndrome."),
    ("SSRI", "NSAID", "moderate", "Increased risk of gastrointestinal bleeding."),
    ("SSRI", "Anticoagulant", "moderate", "Increased risk of bleeding."),
    (
        "ACE inhibitor",
        "Angiotensin II receptor blocker",
        "major",
        "Dual renin-angiotensin blockade raises the risk of hyperkalemia and "
        "acute kidney injury.",
    ),
    (
        "ACE inhibitor",
        "NSAID",
        "moderate",
        "NSAIDs reduce the antihypertensive effect and may impair kidney function.",
    ),
    (
        "Sedative-hypnotic",
        "Anxiolytic",
        "moderate",
        "Additive central nervous system depression.",
    ),
    (
        "Anticonvulsant",
        "Sedative-hypnotic",
        "moderate",
        "Additive central nervous system and respiratory depression.",
    ),
    (
        "Sulfonylurea",
        "Beta blocker",
        "minor",
        "Beta blockers can mask the symptoms of hypoglycemia.",
    ),
    (
        "Insulin",
        "Beta blocker",
        "minor",
        "Beta blockers can mask the symptoms of hypoglycemia.",
    ),
    (
        "Thyroid hormone",
        "Iron supplement",
        "moderate",
        "Iron reduces levothyroxine absorption. Separate doses by 4 hours.",
    ),
    (
        "Thyroid hormone",
        "Proton pump inhibitor",
        "minor",
        "Reduced gastric acidity may lower levothyroxine absorption.",
    ),
    (
        "Bisphosphonate",
        "Iron supplement",
        "moderate",
        "Iron reduces bisphosphonate absorption.",
    ),
    (
        "Corticosteroid",
        "NSAID",
        "moderate",
        "Increased risk of gastrointestinal ulceration and bleeding.",
    ),
    ("Loop diuretic", "Corticosteroid", "moderate", "Additive potassium loss."),
    ("Antidepressant", "Triptan", "moderate", "Risk of serotonin syndrome."),
    ("SSRI", "Anorexiant", "moderate", "Risk of serotonin syndrome."),
)

# Retail items for the commerce sample: SKU, name and unit price in cents.
PRODUCTS: tuple[tuple[str, str, int], ...] = (
    ("HC-1001", "Digital thermometer", 1299),
    ("HC-1002", "Blood pressure monitor, upper arm", 4999),
    ("HC-1003", "Weekly pill organizer", 599),
    ("HC-1004", "Vitamin D3 1000 IU, 90 count", 899),
    ("HC-1005", "Hand sanitizer, 8 oz", 399),
    ("HC-1006", "Compression socks, medium", 1899),
    ("HC-1007", "Electric heating pad", 2999),
    ("HC-1008", "Reading glasses +1.50", 1499),
    ("HC-1009", "First aid kit, 100 pieces", 2199),
    ("HC-1010", "Saline nasal spray", 549),
    ("HC-1011", "Sunscreen SPF 50, 6 oz", 1199),
    ("HC-1012", "Reusable ice pack", 799),
    ("HC-1013", "Fingertip pulse oximeter", 2499),
    ("HC-1014", "Elastic bandage, 3 in", 449),
    ("HC-1015", "Cotton swabs, 500 count", 349),
    ("HC-1016", "Allergy relief 24 hour, 30 count", 1799),
    ("HC-1017", "Electrolyte powder, 20 packets", 1599),
    ("HC-1018", "Soft toothbrush, 4 pack", 699),
    ("HC-1019", "Glucose test strips, 50 count", 3499),
    ("HC-1020", "Lip balm, 3 pack", 499),
)

_PHARMACY_CHAINS = (
    "Harborlight",
    "Cedar Cross",
    "Bluewater",
    "Summit Care",
    "Northgate",
)
_PHARMACY_SUFFIXES = ("Apothecary", "Pharmacy", "Drug", "Rx")
_STREETS = ("Maple", "Mill", "Orchard", "River", "Station", "Union", "Willow")


class _Medication(NamedTuple):
    medication_id: int
    ndc: str
    drug: Drug
    is_generic: bool
    strength: str
    unit_cost: float  # dollars per dispensed unit


class _Prescription(NamedTuple):
    prescription_id: int
    patient_id: int
    provider_id: int
    medication_id: int
    written_date: date
    quantity: Decimal
    days_supply: int
    refills_authorized: int
    diagnosis_code: str


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _timestamp(day: date, seconds: int) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC) + timedelta(seconds=seconds)


class DemoDataGenerator:
    """Generates the demo rows for one seed, scale and ``today``.

    ``today`` anchors every date: claims fall in the ``CLAIM_WINDOW_DAYS`` days
    that end on it, prescriptions in the year before it.
    """

    def __init__(
        self, scale: int = 1, seed: int = DEFAULT_SEED, today: date | None = None
    ):
        if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
            raise ValueError(f"scale must be an integer >= 1, got {scale!r}")
        self.scale = scale
        self.seed = seed
        self.today = today if today is not None else date.today()

    def row_count(self, table: str) -> int:
        """Return the number of rows planned for ``table`` at this scale."""
        return BASE_ROW_COUNTS[table] * self.scale

    def row_counts(self) -> dict[str, int]:
        """Return the planned row count of every table, in load order."""
        return {table.name: self.row_count(table.name) for table in TABLES}

    def rows(self, table: str) -> Iterator[Row]:
        """Yield the rows of ``table`` as tuples in the order of its columns.

        Raises KeyError for a table that the generator does not fill.
        """
        producers = {
            "healthcare.providers": self._provider_rows,
            "healthcare.pharmacies": self._pharmacy_rows,
            "healthcare.medications": self._medication_rows,
            "healthcare.patients": self._patient_rows,
            "healthcare.prescriptions": self._prescription_rows,
            "healthcare.pharmacy_claims": self._claim_rows,
            "healthcare.drug_interactions": self._interaction_rows,
            "healthcare.prior_authorizations": self._prior_authorization_rows,
            "commerce.customers": self._customer_rows,
            "commerce.orders": lambda: iter(self._commerce[0]),
            "commerce.order_items": lambda: iter(self._commerce[1]),
        }
        if table not in producers:
            raise KeyError(f"no generator for table {table!r}")
        return producers[table]()

    def _rng(self, table: str) -> random.Random:
        return random.Random(f"{self.seed}:{table}")

    # Reference data

    @cached_property
    def _npis(self) -> tuple[list[str], list[str]]:
        """Unique NPIs for providers (leading 1) and pharmacies (leading 2)."""
        rng = self._rng("npi")
        seen: set[str] = set()
        lists: list[list[str]] = [[], []]
        for organization, table in ((False, "providers"), (True, "pharmacies")):
            target = lists[int(organization)]
            while len(target) < self.row_count(f"healthcare.{table}"):
                npi = identifiers.random_npi(rng, organization=organization)
                if npi not in seen:
                    seen.add(npi)
                    target.append(npi)
        return lists[0], lists[1]

    def _provider_rows(self) -> Iterator[Row]:
        rng = self._rng("healthcare.providers")
        for index, npi in enumerate(self._npis[0]):
            first, last = identifiers.synthetic_name(rng)
            specialty, credential = rng.choice(SPECIALTIES)
            state = rng.choice(US_STATES)
            yield (index + 1, npi, first, last, credential, specialty, state)

    def _pharmacy_rows(self) -> Iterator[Row]:
        rng = self._rng("healthcare.pharmacies")
        seen: set[str] = set()
        for index, npi in enumerate(self._npis[1]):
            ncpdp_id = f"{rng.randrange(10**6, 10**7)}"
            while ncpdp_id in seen:
                ncpdp_id = f"{rng.randrange(10**6, 10**7)}"
            seen.add(ncpdp_id)
            is_chain = rng.random() < 0.6
            name = self._pharmacy_name(rng, is_chain)
            yield (index + 1, ncpdp_id, npi, name, rng.choice(US_STATES), is_chain)

    @staticmethod
    def _pharmacy_name(rng: random.Random, is_chain: bool) -> str:
        if is_chain:
            return (
                f"{rng.choice(_PHARMACY_CHAINS)} Pharmacy #{rng.randrange(1, 9999):04d}"
            )
        street = rng.choice(_STREETS)
        return f"{street} Street {rng.choice(_PHARMACY_SUFFIXES)}"

    @cached_property
    def _medications(self) -> list[_Medication]:
        rng = self._rng("healthcare.medications")
        seen: set[str] = set()
        medications = []
        for index in range(self.row_count("healthcare.medications")):
            drug = DRUG_CATALOG[index % len(DRUG_CATALOG)]
            ndc = identifiers.random_ndc(rng)
            while ndc in seen:
                ndc = identifiers.random_ndc(rng)
            seen.add(ndc)
            is_generic = rng.random() < 0.8
            strength = rng.choice(drug.strengths)
            unit_cost = self._unit_cost(rng, drug, is_generic)
            medications.append(
                _Medication(index + 1, ndc, drug, is_generic, strength, unit_cost)
            )
        return medications

    @staticmethod
    def _unit_cost(rng: random.Random, drug: Drug, is_generic: bool) -> float:
        if drug.dispensing == "package":
            package_cost = rng.uniform(15, 60) if is_generic else rng.uniform(150, 450)
            return package_cost / drug.package_quantity
        return rng.uniform(0.05, 1.50) if is_generic else rng.uniform(3, 25)

    def _medication_rows(self) -> Iterator[Row]:
        for med in self._medications:
            drug = med.drug
            yield (
                med.medication_id,
                med.ndc,
                drug.name,
                med.is_generic,
                med.strength,
                drug.dosage_form,
                drug.drug_class,
            )

    def _patient_rows(self) -> Iterator[Row]:
        rng = self._rng("healthcare.patients")
        for index in range(self.row_count("healthcare.patients")):
            patient_id = index + 1
            first, last = identifiers.synthetic_name(rng)
            age_days = rng.randrange(365 * 2, 365 * 90)
            date_of_birth = self.today - timedelta(days=age_days)
            gender = rng.choices(("F", "M", "U"), weights=(51, 48, 1))[0]
            zip_code = f"{rng.randrange(1000, 99950):05d}"
            state = rng.choice(US_STATES)
            member_id = f"WRM{patient_id:09d}"
            yield (
                patient_id,
                member_id,
                first,
                last,
                date_of_birth,
                gender,
                zip_code,
                state,
            )

    # Prescriptions and claims

    @cached_property
    def _prescriptions(self) -> list[_Prescription]:
        rng = self._rng("healthcare.prescriptions")
        patients = self.row_count("healthcare.patients")
        providers = self.row_count("healthcare.providers")
        medications = self._medications
        result = []
        for index in range(self.row_count("healthcare.prescriptions")):
            med = rng.choice(medications)
            quantity, days_supply, refills = self._dispensing(rng, med.drug)
            written = self.today - timedelta(
                days=rng.randrange(PRESCRIPTION_HISTORY_DAYS)
            )
            result.append(
                _Prescription(
                    prescription_id=index + 1,
                    patient_id=rng.randrange(1, patients + 1),
                    provider_id=rng.randrange(1, providers + 1),
                    medication_id=med.medication_id,
                    written_date=written,
                    quantity=Decimal(quantity),
                    days_supply=days_supply,
                    refills_authorized=refills,
                    diagnosis_code=rng.choice(DIAGNOSES_BY_CLASS[med.drug.drug_class]),
                )
            )
        return result

    @staticmethod
    def _dispensing(rng: random.Random, drug: Drug) -> tuple[int, int, int]:
        """Draw (quantity, days supply, refills authorized) for one prescription."""
        if drug.dispensing == "acute":
            days_supply = rng.choice((5, 7, 10))
            return days_supply * rng.choice((1, 2, 3)), days_supply, 0
        if drug.dispensing == "package":
            return drug.package_quantity, 30, rng.randrange(0, 6)
        days_supply = rng.choice((30, 30, 30, 90))
        return days_supply * rng.choice((1, 1, 2)), days_supply, rng.randrange(0, 6)

    def _prescription_rows(self) -> Iterator[Row]:
        for rx in self._prescriptions:
            yield tuple(rx)

    def _claim_rows(self) -> Iterator[Row]:
        rng = self._rng("healthcare.pharmacy_claims")
        pharmacies = self.row_count("healthcare.pharmacies")
        for claim_id, (day, seconds, rx_index) in enumerate(
            self._claim_schedule(rng), start=1
        ):
            rx = self._prescriptions[rx_index]
            pharmacy_id = rng.randrange(1, pharmacies + 1)
            yield self._claim_row(rng, claim_id, day, seconds, rx, pharmacy_id)

    def _claim_schedule(self, rng: random.Random) -> list[tuple[date, int, int]]:
        """Draw (service date, second of day, prescription index) for every claim.

        Each claim's service date is on or after its prescription's written date,
        and weekends get fewer claims. Claim ids follow the sorted schedule, so
        they increase with time as a sequence-backed key would.
        """
        first_day = self.today - timedelta(days=CLAIM_WINDOW_DAYS - 1)
        days = [first_day + timedelta(days=k) for k in range(CLAIM_WINDOW_DAYS)]
        weights = [(1.0, 1.0, 1.0, 1.0, 1.0, 0.7, 0.5)[d.weekday()] for d in days]
        # cumulative[k] is the weight of days[0:k], so a draw restricted to
        # days[start:] is uniform over cumulative[start] .. cumulative[-1].
        cumulative = [0.0, *itertools.accumulate(weights)]
        prescriptions = self._prescriptions
        schedule = []
        for _ in range(self.row_count("healthcare.pharmacy_claims")):
            rx_index = rng.randrange(len(prescriptions))
            written = prescriptions[rx_index].written_date
            start = max(0, (written - first_day).days)
            low = cumulative[start]
            point = low + rng.random() * (cumulative[-1] - low)
            index = bisect.bisect_right(cumulative, point, lo=start + 1) - 1
            day = days[min(index, CLAIM_WINDOW_DAYS - 1)]
            schedule.append((day, self._second_of_day(rng, day), rx_index))
        schedule.sort()
        return schedule

    def _second_of_day(self, rng: random.Random, day: date) -> int:
        # NOTE: claims dated today get a time in the first UTC hour, so that they
        # are not in the future once the UTC day has started. Where the local date
        # runs ahead of UTC they can still be a few hours ahead of now().
        if day == self.today:
            return rng.randrange(3600)
        return rng.randrange(7 * 3600, 22 * 3600)

    def _claim_row(
        self,
        rng: random.Random,
        claim_id: int,
        day: date,
        seconds: int,
        rx: _Prescription,
        pharmacy_id: int,
    ) -> Row:
        med = self._medications[rx.medication_id - 1]
        status, reject_code = self._claim_status(rng, day)
        ingredient = round(med.unit_cost * float(rx.quantity) * 100)
        fee = rng.randrange(50, 251)
        copay_choices = (0, 5, 10, 15) if med.is_generic else (25, 40, 60)
        copay = min(rng.choice(copay_choices) * 100, ingredient + fee)
        if status in ("rejected", "pending"):
            copay = 0
            plan_paid = 0
        else:
            plan_paid = ingredient + fee - copay
        fill_number = min(
            rx.refills_authorized, (day - rx.written_date).days // rx.days_supply
        )
        submitted_at = _timestamp(day, seconds)
        updated_at = submitted_at + self._adjudication_delay(rng, status, day)
        return (
            claim_id,
            day,
            rx.prescription_id,
            pharmacy_id,
            rx.patient_id,
            med.ndc,
            fill_number,
            rx.quantity,
            rx.days_supply,
            _money(ingredient),
            _money(fee),
            _money(copay),
            _money(plan_paid),
            status,
            reject_code,
            submitted_at,
            updated_at,
        )

    def _claim_status(self, rng: random.Random, day: date) -> tuple[str, str | None]:
        if rng.random() < REJECTED_CLAIM_SHARE:
            codes = list(REJECT_CODES)
            weights = [REJECT_CODES[code][1] for code in codes]
            return "rejected", rng.choices(codes, weights=weights)[0]
        if day == self.today and rng.random() < PENDING_SHARE_OF_TODAY:
            return "pending", None
        if day < self.today and rng.random() < REVERSED_CLAIM_SHARE:
            return "reversed", None
        return "paid", None

    def _adjudication_delay(
        self, rng: random.Random, status: str, day: date
    ) -> timedelta:
        if status == "pending":
            return timedelta()
        if status == "reversed":
            # A pharmacy reverses a claim hours or days later, but not after today.
            max_hours = min(72, (self.today - day).days * 24)
            return timedelta(hours=rng.randrange(1, max_hours + 1))
        return timedelta(milliseconds=rng.randrange(200, 4000))

    # Clinical reference rows

    def _interaction_rows(self) -> Iterator[Row]:
        rng = self._rng("healthcare.drug_interactions")
        by_class: dict[str, list[int]] = {}
        for med in self._medications:
            by_class.setdefault(med.drug.drug_class, []).append(med.medication_id)
        rules = [r for r in INTERACTION_RULES if r[0] in by_class and r[1] in by_class]
        target = self.row_count("healthcare.drug_interactions")
        seen: set[tuple[int, int]] = set()
        attempts = 0
        # NOTE: a catalog too small for the target count ends the loop early, so
        # the table can then hold fewer rows than row_count() reports.
        while rules and len(seen) < target and attempts < target * 50:
            attempts += 1
            class_a, class_b, severity, description = rng.choice(rules)
            first = rng.choice(by_class[class_a])
            second = rng.choice(by_class[class_b])
            pair = (min(first, second), max(first, second))
            if first == second or pair in seen:
                continue
            seen.add(pair)
            yield (len(seen), pair[0], pair[1], severity, description)

    def _prior_authorization_rows(self) -> Iterator[Row]:
        rng = self._rng("healthcare.prior_authorizations")
        prescriptions = self._prescriptions
        count = min(
            self.row_count("healthcare.prior_authorizations"), len(prescriptions)
        )
        chosen = sorted(
            rng.sample(range(len(prescriptions)), count),
            key=lambda i: (prescriptions[i].written_date, i),
        )
        end_of_today = _timestamp(self.today, 24 * 3600)
        for pa_id, rx_index in enumerate(chosen, start=1):
            rx = prescriptions[rx_index]
            requested_at = _timestamp(
                rx.written_date, rng.randrange(8 * 3600, 18 * 3600)
            )
            decided_at = requested_at + timedelta(minutes=rng.randrange(30, 60 * 72))
            status = rng.choices(("approved", "denied"), weights=(82, 18))[0]
            if decided_at >= end_of_today or rng.random() < 0.02:
                status, decided_at = "pending", None
            yield (pa_id, rx.prescription_id, status, requested_at, decided_at)

    # Commerce sample

    def _customer_rows(self) -> Iterator[Row]:
        rng = self._rng("commerce.customers")
        for index in range(self.row_count("commerce.customers")):
            customer_id = index + 1
            first, last = identifiers.synthetic_name(rng)
            email = f"{first}.{last}.{customer_id}@example.com".lower()
            created_day = self.today - timedelta(days=rng.randrange(30, 3 * 365))
            created_at = _timestamp(created_day, rng.randrange(24 * 3600))
            yield (customer_id, email, first, last, rng.choice(US_STATES), created_at)

    @cached_property
    def _commerce(self) -> tuple[list[Row], list[Row]]:
        """Build orders and order items together, because totals sum the items."""
        rng = self._rng("commerce.orders")
        order_count = self.row_count("commerce.orders")
        item_counts = [1] * order_count
        for _ in range(self.row_count("commerce.order_items") - order_count):
            item_counts[rng.randrange(order_count)] += 1
        ages = sorted(
            (rng.randrange(ORDER_HISTORY_DAYS) for _ in range(order_count)),
            reverse=True,
        )
        orders: list[Row] = []
        items: list[Row] = []
        for index, age_days in enumerate(ages):
            order_id = index + 1
            total = 0
            for line_number in range(1, item_counts[index] + 1):
                sku, name, price = rng.choice(PRODUCTS)
                quantity = rng.choices((1, 2, 3, 4), weights=(70, 20, 7, 3))[0]
                total += price * quantity
                items.append(
                    (order_id, line_number, sku, name, quantity, _money(price))
                )
            orders.append(self._order_row(rng, order_id, age_days, total))
        return orders, items

    def _order_row(
        self, rng: random.Random, order_id: int, age_days: int, total_cents: int
    ) -> Row:
        day = self.today - timedelta(days=age_days)
        ordered_at = _timestamp(day, self._second_of_day(rng, day))
        customer_id = rng.randrange(1, self.row_count("commerce.customers") + 1)
        if rng.random() < 0.03:
            status, delay_days = "cancelled", 0
        elif age_days < 2:
            status, delay_days = "placed", 0
        elif age_days < 7:
            status, delay_days = "shipped", 1
        else:
            status, delay_days = "delivered", 4
        updated_at = ordered_at + timedelta(days=delay_days)
        if status == "cancelled" and age_days > 0:
            updated_at += timedelta(minutes=rng.randrange(5, 120))
        total = _money(total_cents)
        return (order_id, customer_id, status, ordered_at, total, updated_at)
