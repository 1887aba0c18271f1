"""Queries of the PHI access log (healthcare.phi_access_log): reads per user,
the patients one user read, and who read one patient's record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.targets.base import Target
from engine.targets.sqlfiles import load_statement

MAX_WINDOW_HOURS = 24 * 366
MAX_ROWS = 1000


@dataclass(frozen=True)
class AccessWindow:
    """The half-open interval [since, until) of a query, in UTC."""

    since: datetime
    until: datetime

    @classmethod
    def last(cls, hours: float, now: datetime | None = None) -> AccessWindow:
        """Return the ``hours`` before ``now``; raise ValueError outside
        0 < hours <= MAX_WINDOW_HOURS."""
        if not 0 < hours <= MAX_WINDOW_HOURS:
            raise ValueError(
                f"window of {hours:g} hours is invalid; give more than 0 and at "
                f"most {MAX_WINDOW_HOURS}"
            )
        until = now or datetime.now(UTC)
        return cls(until - timedelta(hours=hours), until)

    def params(self, dialect: str) -> dict[str, Any]:
        # SQL Server keeps accessed_at as datetime2 in UTC, without a zone.
        if dialect == "mssql":
            return {
                "since": self.since.astimezone(UTC).replace(tzinfo=None),
                "until": self.until.astimezone(UTC).replace(tzinfo=None),
            }
        return {"since": self.since, "until": self.until}


@dataclass(frozen=True)
class UserReads:
    """One user's reads of patient records in a window."""

    user_name: str
    reads: int
    patients: int
    views: int
    updates: int
    exports: int
    first_read_at: datetime
    last_read_at: datetime


@dataclass(frozen=True)
class PatientReads:
    """One patient's record as read by one user in a window."""

    patient_id: int
    reads: int
    first_read_at: datetime
    last_read_at: datetime


@dataclass(frozen=True)
class PatientAccess:
    """One read of one patient's record."""

    access_id: int
    accessed_at: datetime
    user_name: str
    access_type: str
    purpose: str
    application: str


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _limit(max_rows: int) -> int:
    if not 1 <= max_rows <= MAX_ROWS:
        raise ValueError(f"max_rows {max_rows} is invalid; give 1 to {MAX_ROWS}")
    return max_rows


async def reads_by_user(
    target: Target, window: AccessWindow, max_rows: int = 100
) -> list[UserReads]:
    """Return each user's reads in ``window``, most reads first."""
    dialect = target.dialect.name
    rows = await target.fetch(
        load_statement(dialect, "governance", "access_reads_by_user"),
        {**window.params(dialect), "max_rows": _limit(max_rows)},
    )
    return [
        UserReads(
            user_name=user,
            reads=int(reads),
            patients=int(patients),
            views=int(views),
            updates=int(updates),
            exports=int(exports),
            first_read_at=_utc(first),
            last_read_at=_utc(last),
        )
        for user, reads, patients, views, updates, exports, first, last in rows
    ]


async def patients_of_user(
    target: Target, user_name: str, window: AccessWindow, max_rows: int = 100
) -> list[PatientReads]:
    """Return the patients ``user_name`` read in ``window``, newest read first."""
    if "\x00" in user_name:
        # PostgreSQL text cannot contain NUL, so no logged name matches; the
        # driver would raise on the parameter instead of returning no rows.
        return []
    dialect = target.dialect.name
    rows = await target.fetch(
        load_statement(dialect, "governance", "access_patients_of_user"),
        {
            **window.params(dialect),
            "user_name": user_name,
            "max_rows": _limit(max_rows),
        },
    )
    return [
        PatientReads(int(patient), int(reads), _utc(first), _utc(last))
        for patient, reads, first, last in rows
    ]


async def readers_of_patient(
    target: Target, patient_id: int, window: AccessWindow, max_rows: int = 100
) -> list[PatientAccess]:
    """Return every read of ``patient_id``'s record in ``window``, newest first."""
    dialect = target.dialect.name
    rows = await target.fetch(
        load_statement(dialect, "governance", "access_readers_of_patient"),
        {
            **window.params(dialect),
            "patient_id": patient_id,
            "max_rows": _limit(max_rows),
        },
    )
    return [
        PatientAccess(int(access_id), _utc(at), user, kind, purpose, application)
        for access_id, at, user, kind, purpose, application in rows
    ]
