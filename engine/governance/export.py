"""The masked export of healthcare.patients as CSV or JSON.

Rows are read in pages of governance.export_batch_rows, keyed on
patient_id, and written in an order unrelated to patient_id (export_order),
keeping at most export_order.RUN_ROWS rows in memory. Each export writes a
temporary file of its own and links it to its name at the end. So a failed
export leaves no partial file behind, and two exports to one name cannot
overwrite each other. Only a killed process leaves its hidden
``.NAME.XXXXXXXX.partial`` file (and ``.NAME.XXXXXXXX.runN`` files of a
large table), to be removed by hand. Exports go only to the ``exports``
folder of the data directory, with mode 0600, because a masked row is
still derived from PHI.
"""

from __future__ import annotations

import asyncio
import csv
import json
import logging
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, Protocol

from engine.config.models import GovernanceConfig
from engine.governance.export_order import ShuffledRows
from engine.governance.masking import Masker, text_of
from engine.targets.base import Target, TargetDataError
from engine.targets.sqlfiles import load_statement

log = logging.getLogger(__name__)

ExportFormat = Literal["csv", "json"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("csv", "json")
PATIENTS_TABLE = "healthcare.patients"
EXPORTS_FOLDER = "exports"
"""The folder of the data directory that receives every masked export."""
# Owner read and write only: the file and its folder hold data derived from PHI.
FILE_MODE = 0o600
FOLDER_MODE = 0o700
# The columns of the patients_page statement, in its order.
PATIENT_COLUMNS = (
    "patient_id",
    "member_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "zip_code",
    "state",
    "created_at",
)


@dataclass(frozen=True)
class ExportResult:
    """A finished masked export."""

    path: Path
    format: ExportFormat
    rows: int
    columns: list[str]
    masked: dict[str, str]
    """Column to the rule that masked it."""
    seconds: float


async def export_patients(
    target: Target, config: GovernanceConfig, path: Path, export_format: ExportFormat
) -> ExportResult:
    """Write every patient, masked by governance.masking, to ``path``.

    Raises MaskingError (or MissingHashSecret) before reading any row when
    the rules cannot apply, TargetError when a page cannot be read, and
    ExportPathError when another export or process created ``path`` meanwhile.
    """
    if export_format not in EXPORT_FORMATS:
        raise ValueError(f"export format {export_format!r} is not csv or json")
    masker = patients_masker(config)
    rules = masker.rules
    started = time.monotonic()
    stem = f"{path.name}.{secrets.token_hex(4)}"
    partial = path.with_name(f".{stem}.partial")
    handle = await asyncio.to_thread(_create_private, partial)
    shuffled = ShuffledRows(path.parent, stem, _create_private)
    try:
        writer = _writer(export_format, handle)
        batch_rows = config.export_batch_rows
        rows = await _copy_pages(target, batch_rows, masker, shuffled)

        async def write(batch: list[list[Any]]) -> None:
            await asyncio.to_thread(writer.write, batch)

        await shuffled.drain(write, batch_rows)
        await asyncio.to_thread(writer.finish)
        await asyncio.to_thread(handle.close)
        await asyncio.to_thread(_publish, partial, path)
    except BaseException:
        handle.close()
        partial.unlink(missing_ok=True)
        raise
    finally:
        shuffled.remove_runs()
    return ExportResult(
        path=path,
        format=export_format,
        rows=rows,
        columns=list(PATIENT_COLUMNS),
        masked={name: rule.rule for name, rule in rules.items()},
        seconds=time.monotonic() - started,
    )


def _create_private(path: Path) -> IO[str]:
    """Create ``path`` and its missing folders for the owner only, and open
    it for writing."""
    _make_folders(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    # The umask may clear bits of FILE_MODE; the mode is set exactly.
    os.fchmod(descriptor, FILE_MODE)
    return os.fdopen(descriptor, "w", encoding="utf-8", newline="")


def _publish(partial: Path, path: Path) -> None:
    """Give the finished ``partial`` file its name ``path`` and drop the
    temporary name; raise ExportPathError if ``path`` exists by now.

    A hard link fails when its name exists, where a rename would replace
    the file, so an export that started later cannot overwrite this one.
    """
    try:
        os.link(partial, path)
    except FileExistsError:
        raise ExportPathError(
            f"export path {path} was created while the export ran; "
            "name a new file or remove that one"
        ) from None
    partial.unlink()


def _make_folders(folder: Path) -> None:
    # Path.mkdir(parents=True) gives the parents the default mode, not ours.
    if folder.is_dir():
        return
    _make_folders(folder.parent)
    folder.mkdir(mode=FOLDER_MODE, exist_ok=True)


def patients_masker(config: GovernanceConfig) -> Masker:
    """Return the masker of healthcare.patients; raise MaskingError (or
    MissingHashSecret) when governance.masking cannot apply to it."""
    rules = config.masking.get(PATIENTS_TABLE, {})
    return Masker(PATIENTS_TABLE, PATIENT_COLUMNS, rules, config.hash_secret)


async def _copy_pages(
    target: Target, batch_rows: int, masker: Masker, shuffled: ShuffledRows
) -> int:
    query = load_statement(target.dialect.name, "governance", "patients_page")
    after_id = 0
    rows = 0
    while True:
        try:
            page = await target.fetch(
                query, {"after_id": after_id, "batch_rows": batch_rows}
            )
        except TargetDataError as error:
            raise TargetDataError(
                f"healthcare.patients, in the {batch_rows} patient(s) after "
                f"patient_id {after_id}: {error}; fix that row and export again"
            ) from error
        if not page:
            return rows
        for row in page:
            masked = [_json_value(value) for value in masker.mask_row(row)]
            await shuffled.add(row[0], masked)
        rows += len(page)
        after_id = int(page[-1][0])


class _Writer(Protocol):
    def write(self, rows: list[list[Any]]) -> None: ...

    def finish(self) -> None: ...


class _CsvWriter:
    def __init__(self, handle: IO[str]):
        self._csv = csv.writer(handle)
        self._csv.writerow(PATIENT_COLUMNS)

    def write(self, rows: list[list[Any]]) -> None:
        # NULL is an empty field, as PostgreSQL's COPY writes it in CSV.
        self._csv.writerows(
            [["" if value is None else text_of(value) for value in row] for row in rows]
        )

    def finish(self) -> None:
        """Write nothing: a CSV file has no closing part."""


class _JsonWriter:
    """A JSON array with one object per line."""

    def __init__(self, handle: IO[str]):
        self.handle = handle
        self._first = True
        handle.write("[")

    def write(self, rows: list[list[Any]]) -> None:
        for row in rows:
            record = {
                name: _json_value(value)
                for name, value in zip(PATIENT_COLUMNS, row, strict=True)
            }
            self.handle.write("\n" if self._first else ",\n")
            self.handle.write(json.dumps(record, ensure_ascii=False))
            self._first = False

    def finish(self) -> None:
        self.handle.write("\n]\n" if not self._first else "]\n")


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return text_of(value)


def _writer(export_format: ExportFormat, handle: IO[str]) -> _Writer:
    if export_format == "csv":
        return _CsvWriter(handle)
    return _JsonWriter(handle)


class ExportPathError(ValueError):
    """The requested export path is outside the exports folder, has the wrong
    extension for its format, or exists."""


def resolve_export_path(
    data_directory: Path, requested: str, export_format: ExportFormat
) -> Path:
    """Return ``requested`` resolved inside the data directory's exports folder.

    A relative path is taken from that folder. Raises ExportPathError for a
    path that resolves outside it (through ``..`` or a symbolic link,
    including an exports folder that is itself a link), for the folder
    itself, for a file name whose extension is not ``.csv`` or ``.json`` as
    ``export_format`` requires, and for a file that exists, so an export
    never overwrites an earlier one. Creates nothing.
    """
    root = data_directory.resolve() / EXPORTS_FOLDER
    if not requested.strip():
        raise ExportPathError("the export path is empty; name a file")
    try:
        resolved = _resolve(root, requested)
    except (OSError, ValueError) as error:
        # A NUL byte, a name too long for the file system, a loop of links.
        message = f"export path {requested!r} is invalid: {error}"
        raise ExportPathError(message) from None
    if resolved == root or not resolved.is_relative_to(root):
        raise ExportPathError(
            f"export path {requested!r} resolves to {resolved}, which is not a file "
            f"inside the exports folder {root}; name a file under it, or a "
            "relative path, which is taken from there"
        )
    extension = f".{export_format}"
    if resolved.suffix.lower() != extension:
        raise ExportPathError(
            f"export path {requested!r} does not end in {extension}, the "
            f"extension of the {export_format} format; name a {extension} file"
        )
    try:
        exists = resolved.exists()
    except OSError as error:
        raise ExportPathError(f"export path {resolved} is unusable: {error}") from None
    if exists:
        raise ExportPathError(
            f"export path {resolved} exists; name a new file or remove that one"
        )
    return resolved


def _resolve(root: Path, requested: str) -> Path:
    candidate = Path(requested)
    if not candidate.is_absolute():
        candidate = root / candidate
    return candidate.resolve()
