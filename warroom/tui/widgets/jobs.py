"""Scheduled jobs: one row each with a mark for the newest run's status and
the time of the next run.

The panel is about 24 columns wide on a 120-column terminal, so a row has a
one-character status mark, the name and the next run's time (UTC). The
bottom border spells out the highlighted job: cron line, time zone, next run
day and newest status.
"""

from __future__ import annotations

from datetime import UTC

from rich.text import Text
from textual.widgets import DataTable

from engine.jobs.models import JobState
from warroom.tui.messages import JobsUpdated
from warroom.tui.widgets.keyed_table import KeyedTable, Row, plain, themed

COLUMNS = (
    ("", 1),
    ("job", None),
    ("next", 5),
)

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

    def __init__(self, **kwargs) -> None:
        super().__init__(COLUMNS, **kwargs)
        self.border_title = "scheduled jobs"
        self._jobs: tuple[JobState, ...] = ()

    @property
    def selected(self) -> JobState | None:
        key = self.selected_key
        return next((job for job in self._jobs if job.name == key), None)

    def on_jobs_updated(self, message: JobsUpdated) -> None:
        self._jobs = message.jobs
        self.replace_rows([self._row(job) for job in self._jobs])
        self._show_subtitle()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_subtitle()

    def _row(self, job: JobState) -> Row:
        if not job.enabled:
            when = self._styled("off", "dim")
        elif job.next_run_at is None:
            when = self._styled("-", "dim")
        else:
            when = plain(job.next_run_at.astimezone(UTC).strftime("%H:%M"))
        status = _status(job)
        mark, style = STATUS_MARKS.get(status or "", (" ", ""))
        # A trailing ! marks a critical job, whose failures open incidents.
        name = plain(job.name + (" !" if job.critical else ""))
        return job.name, (self._styled(mark, style), name, when)

    def _styled(self, value: str, style: str) -> Text:
        return Text(value, style=themed(self, style)) if style else Text(value)

    def _show_subtitle(self) -> None:
        if not self._jobs:
            self.border_subtitle = "not configured yet"
            return
        job = self.selected
        if job is None:
            return
        parts = [job.cron, job.timezone]
        if job.enabled and job.next_run_at is not None:
            parts.append(job.next_run_at.astimezone(UTC).strftime("next %a %H:%M UTC"))
        elif not job.enabled:
            parts.append("disabled")
        parts.append(f"last {_status(job) or 'none'}")
        self.border_subtitle = " · ".join(parts)


def _status(job: JobState) -> str | None:
    if job.running:
        return "running"
    return str(job.last_run.status) if job.last_run is not None else None
