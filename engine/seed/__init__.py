"""Demo data for the embedded PostgreSQL: schema, synthetic rows and live traffic."""

from engine.seed.generator import DEFAULT_SEED, TABLES, DemoDataGenerator
from engine.seed.loader import SEED_VERSION, SeedError, load_demo_data, loaded_scale
from engine.seed.traffic import DemoTraffic

__all__ = [
    "DEFAULT_SEED",
    "SEED_VERSION",
    "TABLES",
    "DemoDataGenerator",
    "DemoTraffic",
    "SeedError",
    "load_demo_data",
    "loaded_scale",
]
