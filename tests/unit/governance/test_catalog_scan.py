"""Which relations the catalog scan samples, and which failed samples it
records as errors, against a target that returns a fixed catalog."""

from __future__ import annotations

from typing import Any

from engine.governance.catalog import scan_catalog
from engine.targets.base import TargetError
from engine.targets.postgres import PostgresDialect


def not_populated() -> TargetError:
    return TargetError(
        'materialized view "roster" has not been populated', sqlstate="55000"
    )


def permission_denied() -> TargetError:
    return TargetError(
        "permission denied for materialized view roster", sqlstate="42501"
    )


class CatalogTarget:
    """A target whose catalog lists one ``first_name`` column per relation,
    and whose sample of each relation returns rows or raises its error."""

    dialect = PostgresDialect()

    def __init__(self, relations: dict[str, tuple[str, TargetError | None]]):
        self.relations = relations
        self.sampled: list[str] = []

    async def fetch(
        self, sql: str, params: dict[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        if params is None:
            return [
                ("healthcare", name, table_type, "first_name", 1, "text", True)
                for name, (table_type, _) in self.relations.items()
            ]
        name = next(name for name in self.relations if f'"{name}"' in sql)
        self.sampled.append(name)
        error = self.relations[name][1]
        if error is not None:
            raise error
        return [("Maria",), ("James",)]


async def test_scan_samples_stored_relations():
    target = CatalogTarget(
        {
            "patients": ("BASE TABLE", None),
            "roster": ("MATERIALIZED VIEW", None),
            "roster_view": ("VIEW", None),
        }
    )

    read = await scan_catalog(target, sample_rows=10)

    assert target.sampled == ["patients", "roster"]
    assert read.sampled_tables == 2
    assert read.sample_errors == {}


async def test_unpopulated_view_is_no_error():
    target = CatalogTarget({"roster": ("MATERIALIZED VIEW", not_populated())})

    read = await scan_catalog(target, sample_rows=10)

    column = read.columns[0]
    assert read.sample_errors == {}
    assert read.sampled_tables == 0
    assert column.category == "person_name"
    assert (column.reason or "").endswith("no values sampled")


async def test_other_sample_errors_recorded():
    target = CatalogTarget(
        {
            "patients": ("BASE TABLE", not_populated()),
            "roster": ("MATERIALIZED VIEW", permission_denied()),
        }
    )

    read = await scan_catalog(target, sample_rows=10)

    assert sorted(read.sample_errors) == ["healthcare.patients", "healthcare.roster"]
    assert read.sampled_tables == 0
