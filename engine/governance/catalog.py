"""Read the target's tables and columns from its catalog and classify each
column from its name and a sample of its values."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from engine.governance.classifier import CLASSIFIER, classify
from engine.store.governance import ScannedColumn
from engine.targets.base import Dialect, Target, TargetError
from engine.targets.sqlfiles import load_statement

log = logging.getLogger(__name__)

# Types whose values the classifier never reads, so the sample skips them.
# JSON is read: a copied row keeps its keys, and they name what it holds.
_UNSAMPLED_TYPES = frozenset(
    {"bytea", "binary", "varbinary", "image", "xml", "tsvector"}
)
# The relation types whose rows are stored. Sampling a plain view would run its
# query, so a view's columns are classified from their names alone.
_SAMPLED_TABLE_TYPES = frozenset({"BASE TABLE", "MATERIALIZED VIEW"})
# The SQLSTATE that PostgreSQL raises on a SELECT from a materialized view
# that was created or refreshed WITH NO DATA (object not in prerequisite state).
_NOT_POPULATED = "55000"


@dataclass
class CatalogRead:
    """Every classified column of one scan, and the tables whose sample failed."""

    columns: list[ScannedColumn]
    sampled_tables: int = 0
    sample_errors: dict[str, str] = field(default_factory=dict)


async def read_columns(
    target: Target, exclude_schemas: Sequence[str] = ()
) -> list[ScannedColumn]:
    """Return the target's columns from its catalog, in table order."""
    rows = await target.fetch(
        load_statement(target.dialect.name, "governance", "catalog_columns")
    )
    excluded = set(exclude_schemas)
    return [
        ScannedColumn(
            table_schema=schema,
            table_name=table,
            table_type=table_type,
            column_name=column,
            ordinal=int(ordinal),
            data_type=data_type,
            is_nullable=bool(nullable),
        )
        for schema, table, table_type, column, ordinal, data_type, nullable in rows
        if schema not in excluded
    ]


def sample_query(dialect: Dialect, schema: str, table: str, columns: list[str]) -> str:
    """Build the query that reads up to ``%(sample_rows)s`` rows of ``columns``.

    The names come from the target's own catalog and are quoted with the
    target's quoting. A ``%`` in a name is doubled, because the drivers read
    ``%`` as the start of a parameter.
    """

    def quote(name: str) -> str:
        return dialect.quote_identifier(name).replace("%", "%%")

    selected = ", ".join(quote(column) for column in columns)
    source = f"{quote(schema)}.{quote(table)}"
    if dialect.name == "mssql":
        return f"SELECT TOP (%(sample_rows)s) {selected} FROM {source}"
    return f"SELECT {selected} FROM {source} LIMIT %(sample_rows)s"


async def scan_catalog(
    target: Target, sample_rows: int, exclude_schemas: Sequence[str] = ()
) -> CatalogRead:
    """Read the catalog, sample each base table and materialized view, and
    classify every column.

    The sample is the first ``sample_rows`` rows the server returns, not a
    random sample. A table whose sample cannot be read is classified from
    its column names alone, and named in ``sample_errors``. A materialized
    view with no data is classified the same way, but is not named there.
    """
    columns = await read_columns(target, exclude_schemas)
    by_table: dict[tuple[str, str], list[ScannedColumn]] = defaultdict(list)
    for column in columns:
        by_table[(column.table_schema, column.table_name)].append(column)

    read = CatalogRead(columns=[])
    for (schema, table), table_columns in by_table.items():
        samples: dict[str, list[Any]] = {}
        table_type = table_columns[0].table_type
        if sample_rows > 0 and table_type in _SAMPLED_TABLE_TYPES:
            try:
                samples = await _sample(
                    target, schema, table, table_columns, sample_rows
                )
            except TargetError as error:
                if _is_unpopulated(table_type, error):
                    log.info(
                        "sample of %s.%s skipped because the materialized view "
                        "has no data (REFRESH MATERIALIZED VIEW fills it)",
                        schema,
                        table,
                    )
                else:
                    log.warning("sample of %s.%s failed: %s", schema, table, error)
                    read.sample_errors[f"{schema}.{table}"] = str(error)
            else:
                read.sampled_tables += 1
        read.columns.extend(
            _classified(column, samples.get(column.column_name, ()))
            for column in table_columns
        )
    return read


async def _sample(
    target: Target,
    schema: str,
    table: str,
    columns: list[ScannedColumn],
    sample_rows: int,
) -> dict[str, list[Any]]:
    names = [
        column.column_name
        for column in columns
        if column.data_type.lower() not in _UNSAMPLED_TYPES
    ]
    if not names:
        return {}
    query = sample_query(target.dialect, schema, table, names)
    rows = await target.fetch(query, {"sample_rows": sample_rows})
    return {name: [row[index] for row in rows] for index, name in enumerate(names)}


def _is_unpopulated(table_type: str, error: TargetError) -> bool:
    return table_type == "MATERIALIZED VIEW" and error.sqlstate == _NOT_POPULATED


def _classified(column: ScannedColumn, samples: Sequence[Any]) -> ScannedColumn:
    found = classify(column.column_name, column.data_type, samples, column.table_name)
    if found is None:
        return column
    if found.category is None:
        # Keep why the name was not trusted, with no category.
        return replace(column, reason=found.reason)
    return replace(
        column,
        category=str(found.category),
        confidence=round(found.confidence or 0.0, 3),
        reason=found.reason,
        detected_by=CLASSIFIER,
    )
