"""Scheduled jobs: one row each with a mark for the newest run's status, the
name and the next run (UTC).

The panel is about 20 columns wide on an 80-column terminal and 30 on a
120-column one, so the columns have no padding and are sized from what fits.
The next run shows its time when it is today and adds the weekday or the
date otherwise (``Mon 07:30``). When that leaves the name too little room,
a run on another day shows only its weekday or date (``Mon``). The bottom
border spells out the highlighted job: cron line, time zone, next run and
newest status.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from rich.text import Text
from textual.widgets import DataTable

from engine.jobs.models import JobState
from warroom.tui.messages import ClockTicked, JobsUpdated
from warroom.tui.views import next_run_text
from warroom.tui.widgets.keyed_table import KeyedTable, Row, plain, themed

# The status mark with a space on each side, because the cells have no padding.
MARK_WIDTH = 3
# The name gets at least this many characters before the next run is
# shortened to its weekday or date.
NAME_WIDTH = 12
NEXT_LABEL = "next"

# Status to its mark and theme style; a job without runs has a blank mark.
STATUS_MARKS = {
    "succeeded": ("✓", "$success"),
    "failed": ("✗", "bold $error"),
    "timed_out": ("✗", "bold $error"),
    "missed": ("!", "$warning"),
    "skipped_overlap": ("~", "$warning"),
    "running": ("▶", "$accent"),
}


class JobsPanel(KeyedTable):
    """Renders the jobs a ``JobsUpdated`` carries; the cursor picks the job to
    run or whose run history to open."""

    # The name column shrinks to what is left, so the panel never scrolls
    # sideways.
    min_flexible_width = 1
    right_aligned = frozenset({NEXT_LABEL})

    def __init__(self, **kwargs) -> None:
        super().__init__(_columns(len(NEXT_LABEL) + 1), cell_padding=0, **kwargs)
        self.border_title = "scheduled jobs"
        self._jobs: tuple[JobState, ...] = ()
        self._now: datetime | None = None
        self._short = False

    @property
    def selected(self) -> JobState | None:
        key = self.selected_key
        return next((job for job in self._jobs if job.name == key), None)

    def on_jobs_updated(self, message: JobsUpdated) -> None:
        self._jobs = message.jobs
        self._now = message.now
        self._show()

    def on_clock_ticked(self, message: ClockTicked) -> None:
        # After midnight (UTC) a run due today loses its weekday.
        before, self._now = self._now, message.now
        if before is not None and _utc_day(before) != _utc_day(message.now):
            self._show()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_subtitle()

    def _show(self) -> None:
        self._fit_columns()
        self.replace_rows([self._row(job) for job in self._jobs])
        self._show_subtitle()

    # -- columns -----------------------------------------------------------

    def _fit_columns(self) -> None:
        short = self._needs_short_next_runs()
        columns = _columns(self._next_width(short))
        if columns != self._columns or short != self._short:
            # Zero makes the base class rebuild the columns and the rows.
            self._columns = columns
            self._short = short
            self._flexible_width = 0
            self._rows = [self._row(job) for job in self._jobs]
        super()._fit_columns()

    def _needs_short_next_runs(self) -> bool:
        room = self.content_region.width - self.styles.scrollbar_size_vertical
        name_room = room - MARK_WIDTH - self._next_width(short=False)
        longest = max((len(_name(job)) for job in self._jobs), default=0)
        return name_room < min(longest, NAME_WIDTH)

    def _next_width(self, short: bool) -> int:
        # One more than the longest text, for the space before it.
        texts = [self._next_text(job, short) for job in self._jobs]
        return max(len(text) for text in [NEXT_LABEL, *texts]) + 1

    # -- rows --------------------------------------------------------------

    def _row(self, job: JobState) -> Row:
        text = self._next_text(job, self._short)
        dim = not job.enabled or job.next_run_at is None
        when = Text(text, style=themed(self, "dim") if dim else "", justify="right")
        mark, style = STATUS_MARKS.get(_status(job) or "", (" ", ""))
        cell = Text(mark, style=themed(self, style) if style else "", justify="center")
        return job.name, (cell, plain(_name(job)), when)

    def _next_text(self, job: JobState, short: bool) -> str:
        if not job.enabled:
            return "off"
        if job.next_run_at is None or self._now is None:
            return "-"
        return next_run_text(job.next_run_at, self._now, short=short)

    def _show_subtitle(self) -> None:
        if not self._jobs:
            self.border_subtitle = "not configured yet"
            return
        job = self.selected
        if job is None:
            return
        parts = [job.name, job.cron, job.timezone]
        if job.enabled and job.next_run_at is not None:
            parts.append(job.next_run_at.astimezone(UTC).strftime("next %a %H:%M UTC"))
        elif not job.enabled:
            parts.append("disabled")
        parts.append(f"last {_status(job) or 'none'}")
        self.border_subtitle = Text(" · ".join(parts))


def _columns(next_width: int) -> tuple[tuple[str, int | None], ...]:
    return (("", MARK_WIDTH), ("job", None), (NEXT_LABEL, next_width))


def _name(job: JobState) -> str:
    # A trailing ! marks a critical job, whose failures open incidents.
    return job.name + (" !" if job.critical else "")


def _status(job: JobState) -> str | None:
    if job.running:
        return "running"
    return str(job.last_run.status) if job.last_run is not None else None


def _utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()
