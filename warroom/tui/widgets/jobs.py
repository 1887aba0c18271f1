"""Scheduled jobs: one row each with the next run and the newest run's status.

Next-run times are shown in UTC. The bottom border shows the highlighted
job's cron line and its own time zone.
"""

from __future__ import annotations

from datetime import UTC

from rich.text import Text
from textual.widgets import DataTable

from engine.jobs.models import JobState
from warroom.tui.messages import JobsUpdated
from warroom.tui.widgets.keyed_table import KeyedTable, Row, plain, themed

COLUMNS = (
    ("job", None),
    ("next run (UTC)", 14),
    ("last", 11),
)

_STATUS_STYLE = {
    "succeeded": "$success",
    "failed": "bold $error",
    "timed_out": "bold $error",
    "missed": "$warning",
    "skipped_overlap": "$warning",
    "running": "$accent",
}


# TODO: add a run history screen for the selected job; until then the
# history is only at GET /api/jobs/{name}/history.
class JobsPanel(KeyedTable):
    """Renders the jobs a ``JobsUpdated`` carries; the cursor picks one to run."""

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
        if not self._jobs:
            self.border_subtitle = "not configured yet"
        self.replace_rows([self._row(job) for job in self._jobs])
        self._show_subtitle()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_subtitle()

    def _row(self, job: JobState) -> Row:
        if not job.enabled:
            when = self._styled("disabled", "dim")
        elif job.next_run_at is None:
            when = self._styled("not scheduled", "dim")
        else:
            when = plain(job.next_run_at.astimezone(UTC).strftime("%m-%d %H:%M"))
        status = "running" if job.running else None
        if status is None and job.last_run is not None:
            status = str(job.last_run.status)
        last = (
            self._styled(status, _STATUS_STYLE.get(status, ""))
            if status
            else plain("-")
        )
        # A trailing ! marks a critical job, whose failures open incidents.
        name = plain(job.name + (" !" if job.critical else ""))
        return job.name, (name, when, last)

    def _styled(self, value: str, style: str) -> Text:
        return Text(value, style=themed(self, style)) if style else Text(value)

    def _show_subtitle(self) -> None:
        job = self.selected
        if job is not None:
            self.border_subtitle = f"{job.cron} {job.timezone}"
