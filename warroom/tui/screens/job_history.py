"""The run history of one job: its schedule, its runs newest first, and the
full record of the highlighted run. It reads the history again whenever a
run of the job starts, ends, is missed or is skipped."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Static

from engine.jobs.models import JobState
from engine.store.jobs import JobRunRecord
from warroom.tui.messages import JobsUpdated
from warroom.tui.screens.base import SubScreen
from warroom.tui.widgets.job_runs import JobRunDetail, JobRunTable, job_summary

RUNS_SHOWN = 50


class JobHistoryScreen(SubScreen):
    def __init__(self, job: str) -> None:
        super().__init__()
        self.job = job
        self._state: JobState | None = None
        self._loaded = False
        self._failed = False

    def compose(self) -> ComposeResult:
        yield Static(job_summary(None, self.job), id="job-summary")
        yield JobRunTable(id="job-runs")
        yield JobRunDetail(id="job-run-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(JobRunTable)
        table.border_title = Text(f"runs of {self.job}, newest first (UTC)")
        table.focus()
        self._show_detail()
        self._load()

    def on_jobs_updated(self, message: JobsUpdated) -> None:
        state = next((job for job in message.jobs if job.name == self.job), None)
        self._state = state
        self.query_one("#job-summary", Static).update(job_summary(state, self.job))
        if self.job in message.changed:
            self._load()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    @work(exclusive=True, group="job-history", exit_on_error=False)
    async def _load(self) -> None:
        """Read the runs; the latest call wins, so a burst of runs reads once."""
        runs = await self.commands.job_history(self.job, RUNS_SHOWN)
        self._failed = runs is None
        self._loaded = True
        self._show(runs or [])

    def _show(self, runs: list[JobRunRecord]) -> None:
        table = self.query_one(JobRunTable)
        table.show(runs)
        if len(runs) >= RUNS_SHOWN:
            table.border_subtitle = f"the newest {RUNS_SHOWN} runs"
        else:
            table.border_subtitle = f"{len(runs)} run(s)"
        self._show_detail()

    def _show_detail(self) -> None:
        if not self._loaded:
            empty = "reading the run history…"
        elif self._failed:
            empty = "could not read the run history; the message says why"
        else:
            empty = f"{self.job} has no runs yet"
        run = self.query_one(JobRunTable).selected
        self.query_one(JobRunDetail).show(run, empty)

    @property
    def runs(self) -> tuple[JobRunRecord, ...]:
        """The runs on screen, newest first, for tests."""
        return self.query_one(JobRunTable).runs
