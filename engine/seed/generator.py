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
from engine.seed.catalog import (
    DEA_SCHEDULES,
    DIAGNOSES_BY_CLASS,
    DRUG_CATALOG,
    INTERACTION_RULES,
    PRODUCTS,
    REJECT_CODES,
    SPECIALTIES,
    US_STATES,
    Drug,
)

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
        + ("specialty", "state", "dea_number"),
    ),
    Table(
        "healthcare.pharmacies",
        ("pharmacy_id", "ncpdp_id", "npi", "name", "state", "is_chain"),
    ),
    Table(
        "healthcare.medications",
        ("medication_id", "ndc", "drug_name", "is_generic", "strength")
        + ("dosage_form", "drug_class", "dea_schedule"),
    ),
    Table(
        "healthcare.formulary",
        ("ndc", "tier", "prior_auth_required", "effective_date", "updated_at"),
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
        "healthcare.phi_access_log",
        ("access_id", "accessed_at", "user_name", "patient_id", "access_type")
        + ("purpose", "application"),
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
    "healthcare.formulary": 300,
    "healthcare.phi_access_log": 3_000,
    "commerce.customers": 2_000,
    "commerce.orders": 5_000,
    "commerce.order_items": 12_000,
}

# 120 days of claims, so a patient's first fill in the adherence pipeline's
# 180-day period can start a treatment period of the 91 days it measures.
CLAIM_WINDOW_DAYS = 120
PHI_ACCESS_LOG_DAYS = 30
PRESCRIPTION_HISTORY_DAYS = 365
ORDER_HISTORY_DAYS = 180
REJECTED_CLAIM_SHARE = 0.08
REVERSED_CLAIM_SHARE = 0.025
PENDING_SHARE_OF_TODAY = 0.15

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

    ``today`` (the UTC date by default) anchors every date: claims fall in the
    ``CLAIM_WINDOW_DAYS`` days that end on it, prescriptions in the year
    before it.
    """

    def __init__(
        self, scale: int = 1, seed: int = DEFAULT_SEED, today: date | None = None
    ):
        if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
            raise ValueError(f"scale must be an integer >= 1, got {scale!r}")
        self.scale = scale
        self.seed = seed
        self.today = today if today is not None else datetime.now(UTC).date()

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
            "healthcare.formulary": self._formulary_rows,
            "healthcare.phi_access_log": self._phi_access_rows,
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
        """Yield the providers. Every one is registered with the DEA, so any of
        them may write a prescription for a controlled substance."""
        rng = self._rng("healthcare.providers")
        # DEA numbers draw from their own stream, so the other columns stay as
        # they were before the column existed.
        dea_rng = self._rng("dea")
        for index, npi in enumerate(self._npis[0]):
            first, last = identifiers.synthetic_name(rng)
            specialty, credential = rng.choice(SPECIALTIES)
            state = rng.choice(US_STATES)
            dea = identifiers.random_dea_number(
                dea_rng, last, mid_level=credential in ("NP", "PA")
            )
            yield (index + 1, npi, first, last, credential, specialty, state, dea)

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
                DEA_SCHEDULES.get(drug.name),
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

    def _formulary_rows(self) -> Iterator[Row]:
        """Yield one formulary row per medication: generics on tier 1 without prior
        authorization, brands on tier 2 or 3, a few of them with it."""
        rng = self._rng("healthcare.formulary")
        effective = self.today - timedelta(days=90)
        updated_at = _timestamp(effective, 6 * 3600)
        for med in self._medications:
            if med.is_generic:
                tier, prior_auth = 1, False
            else:
                tier = rng.choice((2, 3))
                prior_auth = tier == 3 and rng.random() < 0.3
            yield (med.ndc, tier, prior_auth, effective, updated_at)

    def _phi_access_rows(self) -> Iterator[Row]:
        """Routine reads of patient records by pharmacy and care staff over the
        claim window, a few per user per working hour."""
        rng = self._rng("healthcare.phi_access_log")
        users = [f"staff{number:03d}" for number in range(1, 41)]
        patients = self.row_count("healthcare.patients")
        purposes = (
            ("view", "claim review", "claims-portal"),
            ("view", "dispensing", "pharmacy-pos"),
            ("view", "care management", "care-portal"),
            ("update", "address change", "member-services"),
            ("export", "quality report", "reporting"),
        )
        weights = (45, 35, 12, 6, 2)
        # The days before today only: a working hour of today can still be
        # ahead of the load, and a read in the future is no read.
        moments = sorted(
            _timestamp(
                self.today - timedelta(days=1 + rng.randrange(PHI_ACCESS_LOG_DAYS)),
                rng.randrange(8 * 3600, 18 * 3600),
            )
            for _ in range(self.row_count("healthcare.phi_access_log"))
        )
        for access_id, accessed_at in enumerate(moments, start=1):
            access_type, purpose, application = rng.choices(purposes, weights)[0]
            yield (
                access_id,
                accessed_at,
                rng.choice(users),
                rng.randrange(1, patients + 1),
                access_type,
                purpose,
                application,
            )

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
