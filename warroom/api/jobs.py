"""Scheduled jobs: the schedule with each job's newest run, manual runs and
run history."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter

from engine.service import Engine
from warroom.api.auth import TOKEN_SECURITY
from warroom.api.errors import problem_responses
from warroom.api.schemas.common import StrictBody, parse_body
from warroom.api.schemas.jobs import (
    JobOut,
    JobRunOut,
    JobTriggerIn,
    job_out,
    run_out,
)

JobName = Annotated[
    str, PathParameter(min_length=1, max_length=200, description="Job name.")
]


class JobsController(Controller):
    path = "/jobs"
    tags = ["jobs"]

    @get("/", responses=problem_responses(403))
    async def jobs(self, engine: NamedDependency[Engine]) -> list[JobOut]:
        """List the jobs of config/jobs.yaml with their next and newest run."""
        return [job_out(state) for state in engine.list_jobs()]

    @post(
        "/trigger",
        status_code=202,
        responses=problem_responses(400, 401, 403, 404, 409, 415),
        security=TOKEN_SECURITY,
    )
    async def trigger(
        self,
        engine: NamedDependency[Engine],
        actor: NamedDependency[str],
        data: StrictBody[JobTriggerIn],
    ) -> JobRunOut:
        """Start a run of the named job now, in the background. 404 for an
        unknown job; 409 while a run of it is in progress."""
        body = parse_body(data, JobTriggerIn)
        return run_out(engine.trigger_job(body.name, actor))

    @get("/{name:str}/history", responses=problem_responses(400, 403, 404))
    async def history(
        self,
        engine: NamedDependency[Engine],
        name: JobName,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    ) -> list[JobRunOut]:
        """List a job's runs, newest first, including missed and skipped ones."""
        return [run_out(run) for run in engine.job_history(name, limit)]
