"""A light claims workload on the demo database, so the war room has figures to show.

Every cycle inserts a few claims for today, runs a few typical reads and
sometimes adjudicates a pending claim or reverses a paid one. Each statement is
its own autocommit transaction that touches a few rows. A short lock_timeout
and SKIP LOCKED keep the workload from queueing behind other sessions, such as
a chaos drill's blocker, or from holding locks that block anyone itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import deque
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from engine.seed.catalog import REJECT_CODES
from engine.seed.generator import REJECTED_CLAIM_SHARE
from engine.targets.sqlfiles import load_statement

log = logging.getLogger(__name__)

TRAFFIC_APPLICATION = "warroom-demo-traffic"
CYCLE_SECONDS = 0.5
CONNECT_TIMEOUT_SECONDS = 5
LOCK_TIMEOUT_MS = 100
STATEMENT_TIMEOUT_MS = 2_000
MIN_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 10.0
# How long a stop waits for the statement in flight before cancelling it. A
# cancelled INSERT may still have committed, and would then go uncounted.
STOP_GRACE_SECONDS = 0.5
# After the first failure, only every Nth consecutive failure is logged.
LOG_EVERY_FAILURES = 20
# About 2.5 inserts per cycle times 0.15 pending is below the 0.5 settled per
# cycle, so today's pending queue stays short.
PENDING_CLAIM_SHARE = 0.15
SETTLE_CHANCE = 0.5
REVERSE_CHANCE = 0.05

_T = TypeVar("_T")

_INSERT_CLAIM = load_statement("postgres", "traffic", "insert_claim")

_CLAIMS_TODAY = load_statement("postgres", "traffic", "claims_today")

_PATIENT_HISTORY = load_statement("postgres", "traffic", "patient_history")

_PENDING_PRIOR_AUTHORIZATIONS = load_statement(
    "postgres", "traffic", "pending_prior_authorizations"
)

_SETTLE_PENDING = load_statement("postgres", "traffic", "settle_pending")

_REVERSE_PAID = load_statement("postgres", "traffic", "reverse_paid")


@dataclass
class TrafficStats:
    """Counters of what the workload has done since it started."""

    cycles: int = 0
    claims_inserted: int = 0
    claims_updated: int = 0
    errors: int = 0


@dataclass(frozen=True)
class _IdRanges:
    prescriptions: int
    pharmacies: int
    patients: int


class DemoTraffic:
    """Keeps a light, realistic claims workload running on the demo database."""

    def __init__(
        self,
        conninfo: str,
        cycle_seconds: float = CYCLE_SECONDS,
        seed: int | None = None,
    ):
        self._conninfo = conninfo
        self._cycle_seconds = cycle_seconds
        self._rng = random.Random(seed)
        self._ranges: _IdRanges | None = None
        self._recent_paid: deque[tuple[int, date]] = deque(maxlen=500)
        self.stats = TrafficStats()

    async def run(self, stop: asyncio.Event) -> None:
        """Run the workload until ``stop`` is set.

        Errors are logged and retried after a back-off of 0.5 s doubling up to
        10 s. Only cancellation of the calling task ends the loop early.
        """
        log.info("Demo traffic started")
        conn: psycopg.AsyncConnection | None = None
        failures = 0
        try:
            while not stop.is_set():
                try:
                    if conn is None or conn.closed:
                        conn = await _unless_stopped(self._connect(), stop)
                    if conn is not None:
                        await _unless_stopped(
                            self._cycle(conn, stop), stop, STOP_GRACE_SECONDS
                        )
                except Exception as exc:
                    # Any Exception is logged and retried, so a database
                    # error never ends the workload.
                    failures += 1
                    self.stats.errors += 1
                    _log_failure(exc, failures)
                    # The demo may have been reloaded with other ids meanwhile.
                    self._ranges = None
                    conn = await _discard_if_broken(conn)
                    await _wait(stop, _backoff_seconds(failures))
                    continue
                if failures:
                    log.info("Demo traffic recovered after %d failures", failures)
                    failures = 0
                await _wait(stop, self._cycle_seconds * self._rng.uniform(0.8, 1.2))
        finally:
            if conn is not None:
                await conn.close()
            log.info(
                "Demo traffic stopped after %d cycles, %d claims inserted",
                self.stats.cycles,
                self.stats.claims_inserted,
            )

    async def _connect(self) -> psycopg.AsyncConnection:
        params = conninfo_to_dict(self._conninfo)
        params.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
        params["application_name"] = TRAFFIC_APPLICATION
        conn = await psycopg.AsyncConnection.connect(
            make_conninfo(**params), autocommit=True
        )
        try:
            await conn.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
            await conn.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
            # current_date is then the UTC date, the seed's and the cards' day.
            await conn.execute("SET TimeZone = 'UTC'")
        except BaseException:
            await conn.close()
            raise
        # The demo may have been reloaded since the last connection.
        self._ranges = None
        self._recent_paid.clear()
        return conn

    async def _cycle(self, conn: psycopg.AsyncConnection, stop: asyncio.Event) -> None:
        """Run one cycle, returning early between statements once ``stop`` is set."""
        if self._ranges is None:
            self._ranges = await _read_id_ranges(conn)
        for _ in range(self._rng.randint(1, 4)):
            if stop.is_set():
                return
            await self._insert_claim(conn, self._ranges)
        if stop.is_set():
            return
        await self._read_claims(conn, self._ranges)
        if not stop.is_set() and self._rng.random() < SETTLE_CHANCE:
            await self._settle_pending_claim(conn)
        if (
            not stop.is_set()
            and self._recent_paid
            and self._rng.random() < REVERSE_CHANCE
        ):
            await self._reverse_paid_claim(conn)
        self.stats.cycles += 1

    async def _insert_claim(
        self, conn: psycopg.AsyncConnection, ranges: _IdRanges
    ) -> None:
        status, reject_code = self._draw_status(PENDING_CLAIM_SHARE)
        ingredient = Decimal(self._rng.randrange(500, 25_000)).scaleb(-2)
        fee = Decimal(self._rng.randrange(50, 251)).scaleb(-2)
        copay = min(self._draw_copay(), ingredient + fee)
        if status != "paid":
            copay = Decimal(0)
        params = {
            "prescription_id": self._rng.randint(1, ranges.prescriptions),
            "pharmacy_id": self._rng.randint(1, ranges.pharmacies),
            "ingredient_cost": ingredient,
            "dispensing_fee": fee,
            "copay": copay,
            "plan_paid": ingredient + fee - copay if status == "paid" else Decimal(0),
            "claim_status": status,
            "reject_code": reject_code,
        }
        cursor = await conn.execute(_INSERT_CLAIM, params)
        row = await cursor.fetchone()
        if row is None:
            return  # The random prescription id no longer exists.
        self.stats.claims_inserted += 1
        claim_id, service_date, claim_status = row
        if claim_status == "paid":
            self._recent_paid.append((claim_id, service_date))

    async def _read_claims(
        self, conn: psycopg.AsyncConnection, ranges: _IdRanges
    ) -> None:
        await (await conn.execute(_CLAIMS_TODAY)).fetchall()
        patient_id = self._rng.randint(1, ranges.patients)
        params = {"patient_id": patient_id}
        await (await conn.execute(_PATIENT_HISTORY, params)).fetchall()
        if self._rng.random() < 0.3:
            await (await conn.execute(_PENDING_PRIOR_AUTHORIZATIONS)).fetchall()

    async def _settle_pending_claim(self, conn: psycopg.AsyncConnection) -> None:
        status, reject_code = self._draw_status(pending_share=0.0)
        params = {
            "claim_status": status,
            "reject_code": reject_code,
            "copay": self._draw_copay(),
        }
        cursor = await conn.execute(_SETTLE_PENDING, params)
        self.stats.claims_updated += cursor.rowcount

    async def _reverse_paid_claim(self, conn: psycopg.AsyncConnection) -> None:
        index = self._rng.randrange(len(self._recent_paid))
        claim_id, service_date = self._recent_paid[index]
        del self._recent_paid[index]
        params = {"claim_id": claim_id, "service_date": service_date}
        cursor = await conn.execute(_REVERSE_PAID, params)
        self.stats.claims_updated += cursor.rowcount

    def _draw_status(self, pending_share: float) -> tuple[str, str | None]:
        if self._rng.random() < REJECTED_CLAIM_SHARE:
            codes = list(REJECT_CODES)
            weights = [REJECT_CODES[code][1] for code in codes]
            return "rejected", self._rng.choices(codes, weights=weights)[0]
        if self._rng.random() < pending_share:
            return "pending", None
        return "paid", None

    def _draw_copay(self) -> Decimal:
        return Decimal(self._rng.choice((0, 5, 10, 15, 25, 40)))


async def _read_id_ranges(conn: psycopg.AsyncConnection) -> _IdRanges:
    cursor = await conn.execute(
        "SELECT (SELECT max(prescription_id) FROM healthcare.prescriptions),"
        " (SELECT max(pharmacy_id) FROM healthcare.pharmacies),"
        " (SELECT max(patient_id) FROM healthcare.patients)"
    )
    row = await cursor.fetchone()
    if row is None or None in row:
        raise RuntimeError(
            "Demo tables healthcare.prescriptions, pharmacies or patients are empty."
            " Load the demo data first."
        )
    return _IdRanges(*row)


async def _unless_stopped(
    operation: Awaitable[_T], stop: asyncio.Event, grace_seconds: float = 0.0
) -> _T | None:
    """Return the result of ``operation``, or cancel it and return None on ``stop``.

    After ``stop`` the operation has ``grace_seconds`` more to finish on its own.
    """
    task = asyncio.ensure_future(operation)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if not task.done() and grace_seconds > 0:
            await asyncio.wait({task}, timeout=grace_seconds)
    except asyncio.CancelledError:
        task.cancel()
        raise
    finally:
        stopper.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
    return None


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def _backoff_seconds(failures: int) -> float:
    return min(MIN_BACKOFF_SECONDS * 2 ** (failures - 1), MAX_BACKOFF_SECONDS)


async def _discard_if_broken(
    conn: psycopg.AsyncConnection | None,
) -> psycopg.AsyncConnection | None:
    """Close and drop the connection if a failure left it broken or closed.

    An autocommit connection stays usable after a failed statement, such as a
    lock timeout, so it is kept in that case.
    """
    if conn is None or not (conn.broken or conn.closed):
        return conn
    with contextlib.suppress(psycopg.Error):
        await conn.close()
    return None


def _log_failure(exc: Exception, failures: int) -> None:
    if failures != 1 and failures % LOG_EVERY_FAILURES != 0:
        return
    if isinstance(exc, psycopg.Error):
        # The first line drops the server's multi-line LINE/caret context.
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        log.warning(
            "Demo traffic cycle failed (%d in a row, SQLSTATE %s), retrying: %s",
            failures,
            exc.sqlstate,
            message,
        )
    else:
        log.exception("Demo traffic cycle failed (%d in a row), retrying", failures)
