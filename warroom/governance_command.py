"""`warroom governance export`: write healthcare.patients, masked by
governance.masking, as CSV or JSON to a new file in the exports folder of
the data directory."""

from __future__ import annotations

import getpass
import logging
import os
from datetime import UTC, datetime

from engine.governance.export import ExportFormat, ExportResult
from engine.service import Engine
from engine.targets.base import TargetError
from warroom.drill_command import print_error

log = logging.getLogger(__name__)


def default_export_path(export_format: ExportFormat, now: datetime) -> str:
    """Return ``patients-masked-<UTC time>.<format>``, relative to the
    exports folder."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"patients-masked-{stamp}.{export_format}"


def cli_actor() -> str:
    """Return the name the export is logged under: ``cli`` and the OS user."""
    # getuser() raises when neither the environment nor the password database
    # names the user, as in some containers.
    try:
        return f"cli ({getpass.getuser()})"
    except (KeyError, OSError):
        return f"cli (uid {os.getuid()})"


async def run_export(engine: Engine, export_format: ExportFormat, path: str) -> int:
    """Write the masked export, print where it went and return the exit code.

    ExportPathError and MaskingError propagate, so the command line reports
    them like other input errors. A target that cannot be read exits with 1.
    """
    try:
        result = await engine.export_masked_patients(export_format, path, cli_actor())
    except TargetError as error:
        log.error("masked export failed: %s", error)
        print_error(
            f"masked export failed while reading healthcare.patients: {error}. "
            "Check that the target has the demo schema and that warroom can "
            "reach it."
        )
        return 1
    print(report(result))
    return 0


def report(result: ExportResult) -> str:
    """Return what the export wrote, where, and how each column was masked."""
    masked = ", ".join(f"{column} ({rule})" for column, rule in result.masked.items())
    as_is = [column for column in result.columns if column not in result.masked]
    lines = [
        f"wrote {result.rows} patient(s) to {result.path} "
        f"({result.format}, {result.seconds:.1f} s)",
        f"masked: {masked or 'no column'}",
        f"written as is: {', '.join(as_is) or 'no column'}",
    ]
    return "\n".join(lines)
