"""Reference data behind the demo rows: drugs, diagnoses, interactions, codes.

Real public formats (NCPDP reject codes, ICD-10-CM codes, US states); every
person, provider and pharmacy built from them is synthetic.
"""

from __future__ import annotations

from typing import NamedTuple

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

# The catalog's federally controlled substances and their DEA schedule:
# methylphenidate is a Schedule II stimulant, zolpidem and phentermine are
# Schedule IV. No other catalog drug is federally controlled.
DEA_SCHEDULES: dict[str, str] = {
    "methylphenidate": "II",
    "zolpidem tartrate": "IV",
    "phentermine hydrochloride": "IV",
}

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
