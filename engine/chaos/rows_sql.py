"""Generic per-table statements for the rollback journal and its check: delete
a row by key, write a whole row back, and fingerprint a table's contents."""

from __future__ import annotations

from collections.abc import Callable, Sequence

Quote = Callable[[str], str]


def relation(table: str, quote: Quote) -> str:
    schema, name = table.split(".")
    return f"{quote(schema)}.{quote(name)}"


def delete_row(table: str, key: Sequence[str], quote: Quote) -> str:
    condition = " AND ".join(f"{quote(column)} = %({column})s" for column in key)
    return f"DELETE FROM {relation(table, quote)} WHERE {condition}"


def select_row(
    table: str, key: Sequence[str], columns: Sequence[str], quote: Quote
) -> str:
    """Read ``columns`` of one row by its key."""
    names = ", ".join(quote(column) for column in columns)
    condition = " AND ".join(f"{quote(column)} = %({column})s" for column in key)
    return f"SELECT {names} FROM {relation(table, quote)} WHERE {condition}"


def upsert_row(
    dialect: str,
    table: str,
    key: Sequence[str],
    columns: Sequence[str],
    quote: Quote,
) -> str:
    """Write ``columns`` of one row back, whether or not the row exists now."""
    rel = relation(table, quote)
    names = ", ".join(quote(column) for column in columns)
    values = ", ".join(f"%({column})s" for column in columns)
    others = [column for column in columns if column not in key]
    if dialect == "mssql":
        match = " AND ".join(f"d.{quote(c)} = s.{quote(c)}" for c in key)
        updates = ", ".join(f"{quote(c)} = s.{quote(c)}" for c in others)
        source_names = ", ".join(f"s.{quote(c)}" for c in columns)
        return (
            f"MERGE {rel} WITH (HOLDLOCK) AS d "
            f"USING (SELECT {values}) AS s ({names}) ON {match} "
            f"WHEN MATCHED THEN UPDATE SET {updates} "
            f"WHEN NOT MATCHED THEN INSERT ({names}) VALUES ({source_names});"
        )
    conflict = ", ".join(quote(column) for column in key)
    updates = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in others)
    return (
        f"INSERT INTO {rel} ({names}) VALUES ({values}) "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )


def fingerprint(dialect: str, table: str, quote: Quote, where: str = "") -> str:
    """Row count and an order-independent checksum of every row's contents.

    PostgreSQL sums 60 bits of each row's MD5 (exact and collision-resistant
    enough to tell a restored table from a changed one); SQL Server uses
    CHECKSUM_AGG over BINARY_CHECKSUM, which is weaker: it can miss changes
    that cancel out.
    """
    condition = f" WHERE {where}" if where else ""
    if dialect == "mssql":
        return (
            "SELECT COUNT_BIG(*), CHECKSUM_AGG(BINARY_CHECKSUM(*)) "
            f"FROM {relation(table, quote)} AS t{condition}"
        )
    return (
        "SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))"
        f"::bit(60)::bigint), 0) FROM {relation(table, quote)} AS t{condition}"
    )
