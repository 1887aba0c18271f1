"""The validation scorecard, and a run of the rules on request."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency

from engine.service import Engine
from warroom.api.auth import TOKEN_SECURITY
from warroom.api.errors import problem_responses
from warroom.api.schemas.common import EmptyIn, StrictBody, parse_body
from warroom.api.schemas.validation import ScorecardOut, scorecard_out


class ValidationController(Controller):
    path = "/validation"
    tags = ["validation"]

    @get("/scorecard", responses=problem_responses(403))
    async def scorecard(self, engine: NamedDependency[Engine]) -> ScorecardOut:
        """Return the last run of the validation rules: the pass percentage
        over the evaluated rules, and per rule its outcome, violation count and
        up to max_samples keys of violating rows. The rules run every
        validation.interval_seconds."""
        return scorecard_out(engine)

    @post(
        "/run",
        status_code=200,
        responses=problem_responses(400, 401, 403, 415),
        security=TOKEN_SECURITY,
    )
    async def run(
        self,
        engine: NamedDependency[Engine],
        data: StrictBody[EmptyIn | None] = None,
    ) -> ScorecardOut:
        """Run the validation rules, the claim burst check and the PHI access
        audit now and return the new scorecard. A check that could not run
        is named in ``error``; its findings stay as they were. The body, if
        any, must be an empty object: every rule runs."""
        parse_body(data, EmptyIn | None)
        await engine.run_checks()
        return scorecard_out(engine)
