"""The order of the masked export's rows: random per export, in bounded memory.

Rows written in patient_id order would give each row's patient_id away
through its position, and with it anything derived from the patient_id (the
demo's member ids are the patient_id with a prefix), however the values are
masked. So each row
gets a sort key, a keyed hash of its patient_id under a key drawn for this
export and then dropped, and the file is written in the order of those keys.

Up to RUN_ROWS rows are sorted in memory. A larger table is sorted in runs,
each written to a private temporary file beside the export, and the runs
are merged as the file is written.
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import json
import secrets
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import IO, Any

RUN_ROWS = 50_000
"""The rows sorted in memory at once, and so the most the export keeps."""

Keyed = tuple[bytes, list[Any]]


class ShuffledRows:
    """Masked rows, returned in an order unrelated to their patient_id.

    ``create_private`` opens a new file for the owner only, as the export
    opens its own. Values must be JSON values (the export's writers take
    them so), because the runs hold them as JSON lines.
    """

    def __init__(self, folder: Path, stem: str, create_private: Callable):
        self._key = secrets.token_bytes(16)
        self._folder = folder
        self._stem = stem
        self._create_private = create_private
        self._rows: list[Keyed] = []
        self.runs: list[Path] = []

    async def add(self, patient_id: Any, row: list[Any]) -> None:
        """Add one masked row of ``patient_id``, spilling a run when full."""
        order = hashlib.blake2b(
            str(patient_id).encode("utf-8"), key=self._key, digest_size=16
        ).digest()
        self._rows.append((order, row))
        if len(self._rows) >= RUN_ROWS:
            await asyncio.to_thread(self._spill)

    async def drain(
        self, write: Callable[[list[list[Any]]], Awaitable[None]], batch_rows: int
    ) -> None:
        """Pass every row to ``write`` in key order, ``batch_rows`` at a time."""
        if not self.runs:
            self._rows.sort(key=_order)
            rows = (row for _, row in self._rows)
            await _in_batches(rows, write, batch_rows)
            return
        if self._rows:
            await asyncio.to_thread(self._spill)
        handles = [path.open(encoding="utf-8") for path in self.runs]
        try:
            merged = heapq.merge(*(_read_run(handle) for handle in handles), key=_order)
            await _in_batches((row for _, row in merged), write, batch_rows)
        finally:
            for handle in handles:
                handle.close()

    def remove_runs(self) -> None:
        """Delete the run files; the export calls this however it ends."""
        for path in self.runs:
            path.unlink(missing_ok=True)

    def _spill(self) -> None:
        self._rows.sort(key=_order)
        path = self._folder / f".{self._stem}.run{len(self.runs)}"
        handle = self._create_private(path)
        self.runs.append(path)
        with handle:
            for order, row in self._rows:
                handle.write(json.dumps([order.hex(), row], ensure_ascii=False))
                handle.write("\n")
        self._rows = []


def _order(item: Keyed) -> bytes:
    return item[0]


def _read_run(handle: IO[str]) -> Iterator[Keyed]:
    for line in handle:
        order, row = json.loads(line)
        yield bytes.fromhex(order), row


async def _in_batches(
    rows: Iterator[list[Any]],
    write: Callable[[list[list[Any]]], Awaitable[None]],
    batch_rows: int,
) -> None:
    batch: list[list[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= batch_rows:
            await write(batch)
            batch = []
    if batch:
        await write(batch)
