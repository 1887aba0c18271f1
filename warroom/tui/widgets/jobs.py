"""Scheduled jobs. The engine has no scheduler yet, so this panel lists the
jobs in ``config/jobs.yaml`` and states that nothing runs them."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from engine.config.models import JobConfig


class JobsPanel(Static):
    def __init__(self, jobs: list[JobConfig], **kwargs) -> None:
        super().__init__(_describe(jobs), **kwargs)
        self.border_title = "scheduled jobs"
        self.tooltip = "jobs are listed in config/jobs.yaml"


def _describe(jobs: list[JobConfig]) -> Text:
    if not jobs:
        return Text("not configured yet", style="italic")
    # TODO: show next run and last status once the engine runs these jobs.
    lines = Text()
    for job in jobs:
        state = "" if job.enabled else " (disabled)"
        lines.append(f"{job.name}  {job.cron}{state}\n")
    lines.append("not scheduled yet: no job runs", style="italic")
    return lines
