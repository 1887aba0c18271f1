"""The statements that move rows into ``warroom_quarantine`` and back, per
dialect. ``relation`` is an already quoted table name and ``where`` a
predicate on alias ``t`` whose parameters are psycopg-style ``%(name)s``.

PostgreSQL moves rows in one statement (DELETE ... RETURNING feeding the
INSERT), so a failure leaves both tables as they were. SQL Server copies the
rows as JSON and deletes them in one transaction with XACT_ABORT on.
"""

from __future__ import annotations

from collections.abc import Sequence

QUARANTINE = {
    "postgres": "public.warroom_quarantine",
    "mssql": "dbo.warroom_quarantine",
}


def count_rows(relation: str, where: str) -> str:
    return f"SELECT COUNT(*) FROM {relation} AS t WHERE {where}"


def count_children(
    child: str, child_column: str, relation: str, parent_column: str, where: str
) -> str:
    return (
        f"SELECT COUNT(*) FROM {child} AS c WHERE c.{child_column} IN "
        f"(SELECT t.{parent_column} FROM {relation} AS t WHERE {where})"
    )


def move_rows(dialect: str, relation: str, key: Sequence[str], where: str) -> str:
    """Move the rows matching ``where``; parameters: table, reason,
    incident_id, drill_id and the predicate's own."""
    if dialect == "mssql":
        key_columns = ", ".join(f"t.{column}" for column in key)
        return (
            "SET XACT_ABORT ON;\n"
            "BEGIN TRANSACTION;\n"
            f"INSERT INTO {QUARANTINE[dialect]} "
            "(source_table, row_key, row_data, reason, incident_id, drill_id)\n"
            "SELECT %(source_table)s, "
            f"(SELECT {key_columns} FOR JSON PATH, WITHOUT_ARRAY_WRAPPER), "
            "(SELECT t.* FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES), "
            "%(reason)s, %(incident_id)s, %(drill_id)s\n"
            f"FROM {relation} AS t WITH (UPDLOCK, HOLDLOCK) WHERE {where};\n"
            f"DELETE t FROM {relation} AS t WHERE {where};\n"
            "COMMIT TRANSACTION;"
        )
    pairs = ", ".join(f"'{column.strip(chr(34))}', m.{column}" for column in key)
    return (
        f"WITH moved AS (DELETE FROM {relation} AS t WHERE {where} RETURNING t.*)\n"
        f"INSERT INTO {QUARANTINE[dialect]} "
        "(source_table, row_key, row_data, reason, incident_id, drill_id)\n"
        f"SELECT %(source_table)s, jsonb_build_object({pairs}), to_jsonb(m), "
        "%(reason)s, %(incident_id)s, %(drill_id)s\n"
        "FROM moved AS m"
    )


def release_rows(dialect: str, relation: str, columns: Sequence[str]) -> str:
    """Put a drill's quarantined rows of one table back; parameters: table and
    drill_id. ``columns`` are the table's quoted columns in table order."""
    if dialect == "mssql":
        names = ", ".join(columns)
        shapes = ", ".join(
            f"{column} nvarchar(max) '$.{column.strip('[]')}'" for column in columns
        )
        return (
            "SET XACT_ABORT ON;\n"
            "BEGIN TRANSACTION;\n"
            f"IF OBJECTPROPERTY(OBJECT_ID(N'{relation}'), 'TableHasIdentity') = 1\n"
            f"    SET IDENTITY_INSERT {relation} ON;\n"
            f"INSERT INTO {relation} ({names})\n"
            f"SELECT {', '.join(f'j.{column}' for column in columns)}\n"
            f"FROM {QUARANTINE[dialect]} AS q\n"
            f"CROSS APPLY OPENJSON(q.row_data) WITH ({shapes}) AS j\n"
            "WHERE q.source_table = %(source_table)s AND q.drill_id = %(drill_id)s;\n"
            f"IF OBJECTPROPERTY(OBJECT_ID(N'{relation}'), 'TableHasIdentity') = 1\n"
            f"    SET IDENTITY_INSERT {relation} OFF;\n"
            f"DELETE FROM {QUARANTINE[dialect]} "
            "WHERE source_table = %(source_table)s AND drill_id = %(drill_id)s;\n"
            "COMMIT TRANSACTION;"
        )
    return (
        f"WITH released AS (DELETE FROM {QUARANTINE[dialect]} "
        "WHERE source_table = %(source_table)s AND drill_id = %(drill_id)s "
        "RETURNING row_data)\n"
        f"INSERT INTO {relation} "
        f"SELECT (jsonb_populate_record(NULL::{relation}, r.row_data)).* "
        "FROM released AS r"
    )


def discard_rows(dialect: str, keys: Sequence[dict]) -> tuple[str, dict]:
    """Delete a drill's quarantined rows of one table whose keys are in
    ``keys`` (rows the drill itself added, which go rather than come back);
    parameters: source_table, drill_id and the returned ones."""
    params: dict = {}
    matches = []
    for index, key in enumerate(keys):
        parts = []
        for column, value in key.items():
            name = f"k{index}_{column}"
            params[name] = None if value is None else str(value)
            if dialect == "mssql":
                parts.append(f"JSON_VALUE(row_key, '$.{column}') = %({name})s")
            else:
                parts.append(f"row_key ->> '{column}' = %({name})s")
        matches.append("(" + " AND ".join(parts) + ")")
    statement = (
        f"DELETE FROM {QUARANTINE[dialect]} "
        "WHERE source_table = %(source_table)s AND drill_id = %(drill_id)s "
        f"AND ({' OR '.join(matches)})"
    )
    return statement, params
