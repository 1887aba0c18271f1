"""One read snapshot for a table's scan and the samples of its failed rules.

Read through one snapshot, a rule's sample keys are rows its count counted,
even while the drills, the ETL jobs or the demo traffic change the table
between the two statements.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from engine.targets.base import DedicatedSession, TargetError

log = logging.getLogger(__name__)

# PostgreSQL's REPEATABLE READ reads every statement of the transaction from
# the snapshot of its first statement and takes no row locks, so writers are
# not blocked. NOTE: SQL Server has no entry. Its SNAPSHOT isolation fails
# unless the database allows it (ALLOW_SNAPSHOT_ISOLATION), and REPEATABLE
# READ there holds shared locks that would block the writers, so its scan and
# samples stay two statements.
BEGIN_SNAPSHOT = {"postgres": "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"}

_SAVEPOINT = "warroom_validation_sample"


class SnapshotReader:
    """Reads of one table's statements, all from one snapshot when
    ``consistent``.

    A failed statement after the first is rolled back to a savepoint, so the
    snapshot stays usable for the next rule's samples. A failed first
    statement (the scan) aborts the transaction, and nothing else is read in
    it.
    """

    def __init__(self, session: DedicatedSession, consistent: bool):
        self._session = session
        self.consistent = consistent
        self._statements = 0

    async def fetch(
        self, sql: str, params: dict[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        self._statements += 1
        if not self.consistent or self._statements == 1:
            return await self._session.fetch(sql, params)
        await self._session.execute(f"SAVEPOINT {_SAVEPOINT}")
        try:
            rows = await self._session.fetch(sql, params)
        except TargetError:
            with contextlib.suppress(TargetError):
                await self._session.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
            raise
        await self._session.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
        return rows


@contextlib.asynccontextmanager
async def table_snapshot(
    session: DedicatedSession, dialect: str
) -> AsyncIterator[SnapshotReader]:
    """Yield a reader for one table's statements. On a dialect in
    BEGIN_SNAPSHOT they share one snapshot, and on the others each statement
    reads the rows committed when it starts.

    The transaction is read only, so it ends with a ROLLBACK whether its
    statements succeeded or not. A failed BEGIN (a lost connection) raises
    TargetError like a failed scan would.
    """
    begin = BEGIN_SNAPSHOT.get(dialect)
    if begin is None:
        yield SnapshotReader(session, consistent=False)
        return
    await session.execute(begin)
    try:
        yield SnapshotReader(session, consistent=True)
    finally:
        try:
            await session.execute("ROLLBACK")
        except TargetError as error:
            # The session is lost or closed, and the run reads through a new
            # one when it is broken.
            log.warning(
                "validation snapshot on session %s not ended: %s",
                session.session_id,
                error,
            )
