"""Incidents: list, report, read, change status, remediate, postmortem, SLA."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, MediaType, Request, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter

from engine.incidents.models import Status
from engine.service import Engine
from warroom.api.auth import TOKEN_SECURITY
from warroom.api.errors import problem_responses
from warroom.api.schemas.common import StrictBody, parse_body
from warroom.api.schemas.incidents import (
    ActionResultOut,
    IncidentCreate,
    IncidentDetail,
    IncidentPage,
    IncidentPatch,
    PostmortemOut,
    RemediateIn,
    action_result_out,
    incident_detail,
    incident_page,
)
from warroom.api.schemas.sla import SlaOut, sla_out

# Bounds an id or offset can never reach, kept exact as JSON numbers (2**53)
# so a client and the schema agree on the limit.
_MAX_ID = 2**53
_MAX_OFFSET = 2**31

# The routes declare {incident_id:str} and this annotation converts it, so
# /api/incidents/abc is a 400 naming the parameter. With {incident_id:int}
# the router matches no route and returns a bare 404.
IncidentId = Annotated[int, PathParameter(ge=1, le=_MAX_ID, description="Incident id.")]
MARKDOWN = "text/markdown"


class IncidentController(Controller):
    path = "/incidents"
    tags = ["incidents"]

    @get("/", responses=problem_responses(400, 403))
    async def list_incidents(
        self,
        engine: NamedDependency[Engine],
        status: Annotated[Status | None, QueryParameter()] = None,
        kind: Annotated[str | None, QueryParameter(max_length=64)] = None,
        open: Annotated[
            bool, QueryParameter(description="true: only incidents not yet RESOLVED.")
        ] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=_MAX_OFFSET)] = 0,
    ) -> IncidentPage:
        """List incidents, newest first, filtered by status, kind and open state."""
        incidents = engine.list_incidents(status, kind, open, limit, offset)
        return incident_page(incidents, limit, offset)

    @post(
        "/",
        responses=problem_responses(400, 401, 403, 415),
        security=TOKEN_SECURITY,
    )
    async def create_incident(
        self,
        engine: NamedDependency[Engine],
        actor: NamedDependency[str],
        data: StrictBody[IncidentCreate],
    ) -> Response[IncidentDetail]:
        """Report an incident by hand. Polls never update or close it; a person
        moves it through the states."""
        body = parse_body(data, IncidentCreate)
        incident = engine.create_incident(
            body.kind, body.title, actor, body.severity, body.root_cause
        )
        return Response(
            incident_detail(incident),
            status_code=201,
            headers={"Location": f"/api/incidents/{incident.id}"},
        )

    # Litestar matches the static segment "metrics" before the parameter of
    # the routes below, so this path never reaches get_incident.
    @get("/metrics/sla", responses=problem_responses(400, 403))
    async def sla(
        self,
        engine: NamedDependency[Engine],
        hours: Annotated[
            int,
            QueryParameter(
                ge=1, le=8760, description="Window: incidents detected in these hours."
            ),
        ] = 24,
    ) -> SlaOut:
        """Return SLA figures over the incidents detected in the last ``hours``:
        counts, breaches of the per-severity targets, mean times to detect,
        acknowledge and resolve, and the share resolved without a person."""
        return sla_out(engine.sla(hours), hours)

    @get("/{incident_id:str}", responses=problem_responses(400, 403, 404))
    async def get_incident(
        self, engine: NamedDependency[Engine], incident_id: IncidentId
    ) -> IncidentDetail:
        """Return one incident with its timeline and its allowed next statuses."""
        return incident_detail(engine.get_incident(incident_id))

    @patch(
        "/{incident_id:str}",
        responses=problem_responses(400, 401, 403, 404, 409, 415),
        security=TOKEN_SECURITY,
    )
    async def change_status(
        self,
        engine: NamedDependency[Engine],
        actor: NamedDependency[str],
        incident_id: IncidentId,
        data: StrictBody[IncidentPatch],
    ) -> IncidentDetail:
        """Move an incident to another status under the transition rules; 409
        names the statuses allowed from the current one."""
        body = parse_body(data, IncidentPatch)
        incident = engine.transition(incident_id, body.status, actor, body.note)
        return incident_detail(incident)

    @post(
        "/{incident_id:str}/remediate",
        status_code=200,
        responses=problem_responses(400, 401, 403, 404, 409, 415, 503),
        security=TOKEN_SECURITY,
    )
    async def remediate(
        self,
        engine: NamedDependency[Engine],
        actor: NamedDependency[str],
        incident_id: IncidentId,
        data: StrictBody[RemediateIn],
    ) -> ActionResultOut:
        """Run the playbook action for the incident, or with dry_run report what
        it would do. Without dry_run the engine's remediation.dry_run setting
        decides, and the response's dry_run field shows which it was. A real run moves a
        DETECTED incident to REMEDIATING first."""
        body = parse_body(data, RemediateIn)
        result = await engine.remediate(incident_id, actor, dry_run=body.dry_run)
        return action_result_out(incident_id, result)

    @get(
        "/{incident_id:str}/postmortem",
        responses=problem_responses(400, 403, 404, 409),
    )
    async def postmortem(
        self, engine: NamedDependency[Engine], request: Request, incident_id: IncidentId
    ) -> Response[PostmortemOut]:
        """Return the postmortem Markdown in a JSON body, or as text/markdown when
        the Accept header prefers it; 409 while the incident is open."""
        markdown = engine.postmortem(incident_id)
        wanted = request.accept.best_match(
            [MediaType.JSON.value, MARKDOWN], default=MediaType.JSON.value
        )
        if wanted == MARKDOWN:
            return Response(markdown, media_type=f"{MARKDOWN}; charset=utf-8")
        return Response(PostmortemOut(incident_id=incident_id, markdown=markdown))
