"""Load the demo schema and its synthetic rows into a PostgreSQL database.

The whole load runs in one transaction: the schema script, a COPY per table,
the key sequence resets, ANALYZE and the ``public.warroom_meta`` rows.
A failed load therefore leaves the database as it was.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from engine.paths import SQL_DIR
from engine.seed.generator import (
    CLAIM_WINDOW_DAYS,
    TABLES,
    DemoDataGenerator,
    Table,
)

log = logging.getLogger(__name__)

# Bump when the schema or the generated rows change, so a loaded database can
# be recognized as stale.
SEED_VERSION = "5"
SCHEMA_PATH = SQL_DIR / "postgres" / "schema.sql"
LOAD_APPLICATION = "warroom-seed"
DEMO_SCHEMAS = ("healthcare", "commerce")
CONNECT_TIMEOUT_SECONDS = 10
# A load waits at most this long for a lock, for example behind a chaos drill
# that holds a claim row, and then fails instead of hanging.
LOCK_TIMEOUT = "10s"
PROGRESS_EVERY_ROWS = 5_000

ProgressCallback = Callable[[str, int, int], None]


class SeedError(RuntimeError):
    """The demo data cannot be loaded into this database."""


def load_demo_data(
    conninfo: str,
    scale: int = 1,
    progress: ProgressCallback | None = None,
    today: date | None = None,
) -> dict[str, int]:
    """Create the demo schema, load its rows at ``scale`` and return rows per table.

    A database already loaded by this function is dropped and reloaded. Demo
    schemas that exist without a ``seed_version`` in ``public.warroom_meta``
    raise SeedError instead, so that no foreign data is dropped.
    ``progress(table, rows_done, rows_total)`` is called when a table starts,
    every ``PROGRESS_EVERY_ROWS`` rows and when it ends. ``today`` is the last
    day of the claim window and defaults to the current local date.
    """
    generator = DemoDataGenerator(scale=scale, today=today)
    started = time.perf_counter()
    counts: dict[str, int] = {}
    with _connect(conninfo, LOAD_APPLICATION) as conn, conn.transaction():
        conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(LOCK_TIMEOUT))
        _drop_previous_load(conn)
        conn.execute(SCHEMA_PATH.read_text(encoding="utf-8"))
        _add_claim_partitions(conn, generator.today)
        foreign_keys = _drop_foreign_keys(conn)
        for table in TABLES:
            counts[table.name] = _copy_table(conn, generator, table, progress)
        _restore_foreign_keys(conn, foreign_keys)
        _reset_sequences(conn)
        _analyze(conn)
        _write_meta(conn, scale)
    log.info(
        "Loaded demo data at scale %d: %d rows in %.2f s",
        scale,
        sum(counts.values()),
        time.perf_counter() - started,
    )
    return counts


def loaded_scale(conninfo: str) -> int | None:
    """Return the scale of the last load, or None when the demo is not loaded
    or was loaded by an older SEED_VERSION (the caller then reloads it).

    Raises psycopg.OperationalError if the database cannot be reached.
    """
    with _connect(conninfo, LOAD_APPLICATION, autocommit=True) as conn:
        present = conn.execute(
            "SELECT to_regclass('public.warroom_meta') IS NOT NULL"
            " AND to_regclass('healthcare.pharmacy_claims') IS NOT NULL"
        ).fetchone()
        if not present or not present[0]:
            return None
        row = conn.execute(
            "SELECT value FROM public.warroom_meta WHERE key = 'scale'"
        ).fetchone()
        version = _stored_seed_version(conn)
    if row is None:
        return None
    if version != SEED_VERSION:
        log.warning(
            "demo data of seed version %s is older than this warroom's %s; "
            "it will be reloaded",
            version,
            SEED_VERSION,
        )
        return None
    try:
        return int(row[0])
    except ValueError:
        log.warning("Ignoring invalid scale %r in public.warroom_meta", row[0])
        return None


def _connect(
    conninfo: str, application_name: str, autocommit: bool = False
) -> psycopg.Connection:
    params = conninfo_to_dict(conninfo)
    params.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
    params["application_name"] = application_name
    return psycopg.connect(make_conninfo(**params), autocommit=autocommit)


def _drop_previous_load(conn: psycopg.Connection) -> None:
    """Drop the demo schemas of an earlier load, or raise if they are not ours."""
    rows = conn.execute(
        "SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s) ORDER BY nspname",
        [list(DEMO_SCHEMAS)],
    ).fetchall()
    existing = [row[0] for row in rows]
    if not existing:
        return
    if _stored_seed_version(conn) is None:
        raise SeedError(
            f"Database already has schema(s) {', '.join(existing)} that the warroom "
            "seed did not create. Load the demo data into an empty database."
        )
    log.info("Dropping the previous demo load: schemas %s", ", ".join(existing))
    for schema in existing:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def _stored_seed_version(conn: psycopg.Connection) -> str | None:
    exists = conn.execute("SELECT to_regclass('public.warroom_meta')").fetchone()
    if exists is None or exists[0] is None:
        return None
    row = conn.execute(
        "SELECT value FROM public.warroom_meta WHERE key = 'seed_version'"
    ).fetchone()
    return None if row is None else row[0]


def _add_claim_partitions(conn: psycopg.Connection, today: date) -> None:
    """Add the monthly claim partitions that the claim window and next month need.

    schema.sql covers 2025-01 to 2026-12. Without this, claims outside that
    range would land in the DEFAULT partition. The DEFAULT partition is still
    empty here, so attaching a month does not fail on rows already in it.
    """
    month = (today - timedelta(days=CLAIM_WINDOW_DAYS - 1)).replace(day=1)
    last_month = _next_month(today.replace(day=1))
    while month <= last_month:
        following = _next_month(month)
        name = f"pharmacy_claims_{month:%Y_%m}"
        conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} PARTITION OF "
                "healthcare.pharmacy_claims FOR VALUES FROM ({}) TO ({})"
            ).format(sql.Identifier("healthcare", name), month, following)
        )
        month = following


def _drop_foreign_keys(conn: psycopg.Connection) -> list[tuple[str, str, str]]:
    """Drop the demo foreign keys and return (table, name, definition) for each.

    COPY into a table with foreign keys checks every row with its own look-up.
    Adding the keys back after the load validates all rows with one join per
    key, which is much faster for a bulk load.
    """
    # conparentid = 0 skips the copies of a partitioned table's key on each
    # partition, which go away with the parent's key.
    rows = conn.execute(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)"
        " FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace"
        " WHERE c.contype = 'f' AND c.conparentid = 0 AND n.nspname = ANY(%s)"
        " ORDER BY c.oid",
        [list(DEMO_SCHEMAS)],
    ).fetchall()
    for table, name, _definition in rows:
        conn.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.SQL(table), sql.Identifier(name)
            )
        )
    return rows


def _restore_foreign_keys(
    conn: psycopg.Connection, foreign_keys: list[tuple[str, str, str]]
) -> None:
    """Add back, and so validate, the keys that _drop_foreign_keys removed."""
    for table, name, definition in foreign_keys:
        conn.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.SQL(table), sql.Identifier(name), sql.SQL(definition)
            )
        )


def _next_month(first_day: date) -> date:
    if first_day.month == 12:
        return first_day.replace(year=first_day.year + 1, month=1)
    return first_day.replace(month=first_day.month + 1)


def _copy_table(
    conn: psycopg.Connection,
    generator: DemoDataGenerator,
    table: Table,
    progress: ProgressCallback | None,
) -> int:
    """COPY the generated rows of ``table`` and return how many were written."""
    total = generator.row_count(table.name)
    schema, name = table.name.split(".")
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(schema, name),
        sql.SQL(", ").join(sql.Identifier(column) for column in table.columns),
    )
    done = 0
    _report(progress, table.name, done, total)
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        for row in generator.rows(table.name):
            copy.write_row(row)
            done += 1
            if done % PROGRESS_EVERY_ROWS == 0 and done < total:
                _report(progress, table.name, done, total)
    _report(progress, table.name, done, total)
    log.debug("Copied %d rows into %s", done, table.name)
    return done


def _report(
    progress: ProgressCallback | None, table: str, done: int, total: int
) -> None:
    if progress is not None:
        progress(table, done, total)


def _reset_sequences(conn: psycopg.Connection) -> None:
    """Move each key sequence past the loaded ids, which COPY gave explicitly."""
    for table in TABLES:
        column = table.columns[0]
        row = conn.execute(
            "SELECT pg_get_serial_sequence(%s, %s)", [table.name, column]
        ).fetchone()
        if row is None or row[0] is None:
            continue
        schema, name = table.name.split(".")
        conn.execute(
            sql.SQL("SELECT setval({}, (SELECT max({}) FROM {}))").format(
                row[0], sql.Identifier(column), sql.Identifier(schema, name)
            )
        )


def _analyze(conn: psycopg.Connection) -> None:
    # ANALYZE inside the load transaction counts the rows that it inserted.
    names = [sql.Identifier(*table.name.split(".")) for table in TABLES]
    conn.execute(sql.SQL("ANALYZE {}").format(sql.SQL(", ").join(names)))


def _write_meta(conn: psycopg.Connection, scale: int) -> None:
    values = {
        "seed_version": SEED_VERSION,
        "scale": str(scale),
        "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO public.warroom_meta (key, value) VALUES (%s, %s)"
            " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            list(values.items()),
        )
