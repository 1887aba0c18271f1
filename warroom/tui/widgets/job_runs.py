"""The run history of one job: a table of runs, newest first, and the full
record of the highlighted run.

The table keeps to 80 columns: each run's times, status and rows get fixed
columns (a manual run has no scheduled time, so that column shows
``manual``), and the last column takes the room left for the actor of a
manual run, the lateness of a missed run and the error. The detail below
spells every field out in full, wrapped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from rich.text import Text
from textual.widgets import Static

from engine.jobs.models import JobState
from engine.store.jobs import JobRunRecord, RunStatus
from warroom.tui.views import count_text, duration
from warroom.tui.widgets.jobs import STATUS_MARKS
from warroom.tui.widgets.keyed_table import KeyedTable, Row, plain, themed

COLUMNS = (
    ("run", 5),
    ("scheduled", 11),
    ("started", 8),
    ("ended", 8),
    ("status", 9),
    ("rows", 6),
    ("note", None),
)

# The status column is 9 wide, so the detail shows the full status word.
_SHORT_STATUS = {RunStatus.SKIPPED_OVERLAP: "skipped"}


class JobRunTable(KeyedTable):
    """Renders a job's runs; the highlighted one goes to ``JobRunDetail``."""

    def __init__(self, **kwargs) -> None:
        super().__init__(COLUMNS, **kwargs)
        self._runs: tuple[JobRunRecord, ...] = ()

    @property
    def runs(self) -> tuple[JobRunRecord, ...]:
        return self._runs

    @property
    def selected(self) -> JobRunRecord | None:
        key = self.selected_key
        return next((run for run in self._runs if str(run.id) == key), None)

    def show(self, runs: Sequence[JobRunRecord]) -> None:
        self._runs = tuple(runs)
        self.replace_rows([self._row(run) for run in self._runs])

    def _row(self, run: JobRunRecord) -> Row:
        status = RunStatus(run.status)
        _, style = STATUS_MARKS.get(str(status), ("", ""))
        label = _SHORT_STATUS.get(status, str(status))
        cells = (
            Text(str(run.id)),
            plain(_scheduled(run)),
            Text(_clock(run.started_at)),
            Text(_clock(run.ended_at)),
            Text(label, style=themed(self, style)) if style else Text(label),
            Text(_rows(run.rows), justify="right"),
            plain(note_of(run)),
        )
        return str(run.id), cells


class JobRunDetail(Static):
    """Every field of one run, or why there is none to show."""

    def show(self, run: JobRunRecord | None, empty: str) -> None:
        if run is None:
            self.update(Text(empty, style="italic"))
            return
        text = Text()
        status = str(run.status)
        text.append(f"run {run.id} ", style="bold")
        text.append(status, style="bold")
        by = f"by {run.actor}" if run.actor else ""
        text.append(f" · {run.trigger} {by}".rstrip())
        if run.seconds is not None:
            text.append(f" · took {duration(run.seconds)}")
        text.append("\n")
        text.append(_moments(run))
        extra = []
        if run.rows is not None:
            extra.append(f"rows {run.rows:,}")
        if run.lateness_seconds is not None:
            extra.append(f"{duration(run.lateness_seconds)} late when seen")
        if run.detail:
            extra.append(run.detail)
        if extra:
            text.append("\n" + " · ".join(extra))
        if run.error:
            text.append("\nerror: ", style="bold")
            text.append(run.error)
        self.update(text)


def job_summary(job: JobState | None, name: str) -> Text:
    """Return the job's schedule and state in two lines."""
    if job is None:
        return Text(f"{name}: not in the configured jobs any more", style="italic")
    text = Text()
    text.append(job.name, style="bold")
    state = []
    if job.critical:
        state.append("critical (a failed, timed-out or missed run opens an incident)")
    if not job.enabled:
        state.append("disabled")
    elif job.next_run_at is not None:
        state.append(job.next_run_at.astimezone(UTC).strftime("next %a %H:%M UTC"))
    if job.running:
        state.append("running now")
    text.append("".join(f" · {part}" for part in state))
    text.append(f"\ncron {job.cron} {job.timezone} · timeout {job.timeout_seconds:g}s")
    if job.description:
        text.append(f" · {job.description}", style="italic")
    return text


def note_of(run: JobRunRecord) -> str:
    """Return who started a manual run, how late a missed run was, and the
    error or detail."""
    parts = [f"by {run.actor}"] if run.trigger == "manual" else []
    if run.lateness_seconds is not None:
        parts.append(f"late {duration(run.lateness_seconds)}")
    if run.error:
        parts.append(" ".join(run.error.split()))
    elif run.detail:
        parts.append(" ".join(run.detail.split()))
    return " · ".join(parts)


def _scheduled(run: JobRunRecord) -> str:
    # A manual run has no scheduled time, so the column names its trigger.
    if run.scheduled_at is None:
        return run.trigger
    return run.scheduled_at.astimezone(UTC).strftime("%m-%d %H:%M")


def _clock(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%H:%M:%S") if moment else "-"


def _moments(run: JobRunRecord) -> str:
    """Return the scheduled, start and end times; the date only where it
    differs from the one before."""
    parts = []
    day = None
    for label, moment in (
        ("scheduled", run.scheduled_at),
        ("started", run.started_at),
        ("ended", run.ended_at),
    ):
        if moment is None:
            parts.append(f"{label} -")
            continue
        moment = moment.astimezone(UTC)
        shown = (
            f"{moment:%H:%M:%S}"
            if moment.date() == day
            else f"{moment:%Y-%m-%d %H:%M:%S}"
        )
        day = moment.date()
        parts.append(f"{label} {shown}")
    return " · ".join(parts) + " UTC"


def _rows(rows: int | None) -> str:
    return count_text(rows) if rows is not None else "-"
