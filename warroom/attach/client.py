"""HTTP client of the sidecar API, decoding into the API's own response types.

Every failure becomes one of three errors, each with a message an engineer
can act on:

- ``SidecarUnreachable``: no response (connection refused, reset, timed out).
- ``SidecarRejected``: a 4xx problem-details response, with its detail. The
  engine's own rejections map back to the engine's exceptions
  (``IncidentNotFound``, ``PostmortemNotFound``), so the TUI treats them alike.
- ``SidecarError``: a 5xx response, or a body this client cannot decode (a
  sidecar of another version). A 503 (the sidecar cannot reach its target)
  is the engine's ``TargetUnreachable``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import msgspec

from engine.incidents.models import IncidentNotFound, PostmortemNotFound, Status
from engine.targets.base import TargetUnreachable
from warroom.api.auth import ACTOR_HEADER
from warroom.api.errors import PROBLEM_TYPE
from warroom.api.schemas.chaos import DrillOut, DrillStarted
from warroom.api.schemas.common import Problem
from warroom.api.schemas.dashboard import DashboardOut
from warroom.api.schemas.governance import (
    CatalogOut,
    ColumnOut,
    LineageOut,
    PhiColumnsOut,
    ScanOut,
)
from warroom.api.schemas.health import HealthOut, HistoryOut, SnapshotOut
from warroom.api.schemas.incidents import (
    ActionResultOut,
    IncidentDetail,
    PostmortemOut,
)
from warroom.api.schemas.jobs import JobOut, JobRunOut
from warroom.api.schemas.sessions import SessionsOut
from warroom.api.schemas.settings import SettingsOut
from warroom.api.schemas.sla import SlaOut
from warroom.api.schemas.validation import ScorecardOut
from warroom.attach.stream import StreamMessage, messages
from warroom.tui.source import SourceRejected

log = logging.getLogger(__name__)

T = TypeVar("T")

REQUEST_TIMEOUT_SECONDS = 10.0
# The sidecar sends a keep-alive comment every 15 s; a stream silent for
# longer than this is dead even if the TCP connection looks open.
STREAM_READ_TIMEOUT_SECONDS = 40.0
# A run of the validation rules scans every checked table, so it may take
# longer than other requests. NOTE: an estimate, not measured on a large
# target; a run that takes longer still ends and arrives as an event.
RUN_CHECKS_TIMEOUT_SECONDS = 120.0
# A catalog scan samples every table of the target. NOTE: an estimate, like
# the one above. A scan that takes longer still ends on the sidecar.
CATALOG_SCAN_TIMEOUT_SECONDS = 120.0


class SidecarError(Exception):
    """A server error from the sidecar, or a body this client cannot decode."""


class SidecarUnreachable(SidecarError):
    """No response from the sidecar."""


class SidecarRejected(SourceRejected):
    """The sidecar refused the request (4xx); the message is its detail."""

    def __init__(self, status: int, kind: str, detail: str):
        super().__init__(detail)
        self.status = status
        self.kind = kind


class SidecarClient:
    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.AsyncClient(
            base_url=self.url,
            headers=headers,
            timeout=REQUEST_TIMEOUT_SECONDS,
            transport=transport,
        )

    async def close(self) -> None:
        await self._http.aclose()

    # -- reads ---------------------------------------------------------------

    async def settings(self) -> SettingsOut:
        return await self._get("/api/settings", SettingsOut)

    async def health(self) -> HealthOut:
        return await self._get("/api/health", HealthOut)

    async def history(self) -> HistoryOut:
        return await self._get("/api/health/history", HistoryOut)

    async def snapshot(self) -> SnapshotOut:
        """Return the last poll's counters; raise TargetUnreachable before one."""
        return await self._get("/api/health/snapshot", SnapshotOut)

    async def sessions(self) -> SessionsOut:
        return await self._get("/api/sessions", SessionsOut)

    async def dashboard(self) -> DashboardOut:
        return await self._get("/api/dashboard", DashboardOut)

    async def sla(self, hours: int) -> SlaOut:
        return await self._get(f"/api/incidents/metrics/sla?hours={hours}", SlaOut)

    async def scorecard(self) -> ScorecardOut:
        return await self._get("/api/validation/scorecard", ScorecardOut)

    async def drills(self, limit: int = 50) -> list[DrillOut]:
        return await self._get(f"/api/chaos/drills?limit={limit}", list[DrillOut])

    async def jobs(self) -> list[JobOut]:
        return await self._get("/api/jobs", list[JobOut])

    async def job_history(self, name: str, limit: int = 50) -> list[JobRunOut]:
        # Job names come from config/jobs.yaml; quote them so a name with a
        # slash or a question mark still names one path segment.
        path = f"/api/jobs/{quote(name, safe='')}/history?limit={limit}"
        return await self._get(path, list[JobRunOut])

    async def catalog(self) -> CatalogOut:
        return await self._get("/api/governance/catalog", CatalogOut)

    async def phi_columns(self) -> PhiColumnsOut:
        return await self._get("/api/governance/catalog/phi", PhiColumnsOut)

    async def lineage(self, limit: int = 100) -> LineageOut:
        return await self._get(f"/api/governance/lineage?limit={limit}", LineageOut)

    async def incident(self, incident_id: int) -> IncidentDetail:
        return await self._get(f"/api/incidents/{incident_id}", IncidentDetail)

    async def postmortem(self, incident_id: int) -> PostmortemOut:
        return await self._get(
            f"/api/incidents/{incident_id}/postmortem", PostmortemOut
        )

    # -- changes -------------------------------------------------------------

    async def change_status(
        self, incident_id: int, status: Status, actor: str, note: str
    ) -> IncidentDetail:
        body = {"status": str(status), "note": note}
        return await self._send(
            "PATCH", f"/api/incidents/{incident_id}", body, actor, IncidentDetail
        )

    async def remediate(
        self, incident_id: int, actor: str, dry_run: bool | None
    ) -> ActionResultOut:
        """Run or preview the playbook action; None leaves the choice to the
        sidecar's remediation.dry_run setting."""
        path = f"/api/incidents/{incident_id}/remediate"
        return await self._send(
            "POST", path, {"dry_run": dry_run}, actor, ActionResultOut
        )

    async def trigger(self, scenario: str, actor: str) -> DrillStarted:
        body = {"scenario": scenario}
        return await self._send("POST", "/api/chaos/trigger", body, actor, DrillStarted)

    async def trigger_job(self, name: str, actor: str) -> JobRunOut:
        body = {"name": name}
        return await self._send("POST", "/api/jobs/trigger", body, actor, JobRunOut)

    async def run_checks(self, actor: str) -> ScorecardOut:
        return await self._send(
            "POST",
            "/api/validation/run",
            None,
            actor,
            ScorecardOut,
            timeout=RUN_CHECKS_TIMEOUT_SECONDS,
        )

    async def scan_catalog(self, actor: str) -> ScanOut:
        return await self._send(
            "POST",
            "/api/governance/catalog/scan",
            None,
            actor,
            ScanOut,
            timeout=CATALOG_SCAN_TIMEOUT_SECONDS,
        )

    async def classify_column(
        self, table: str, column: str, category: str, actor: str, reason: str
    ) -> ColumnOut:
        body = {"table": table, "column": column, "category": category}
        if reason:
            body["reason"] = reason
        return await self._send(
            "POST", "/api/governance/catalog/classify", body, actor, ColumnOut
        )

    # -- the event stream -----------------------------------------------------

    async def events(self) -> AsyncIterator[StreamMessage | None]:
        """Yield None once the stream is open, then each message as it comes."""
        timeout = httpx.Timeout(
            REQUEST_TIMEOUT_SECONDS, read=STREAM_READ_TIMEOUT_SECONDS
        )
        request = self._http.build_request(
            "GET",
            "/api/events",
            headers={"Accept": "text/event-stream"},
            timeout=timeout,
        )
        try:
            response = await self._http.send(request, stream=True)
        except httpx.TransportError as error:
            raise _unreachable(self.url, error) from error
        try:
            if response.status_code != 200:
                await response.aread()
                _raise_for(response)
            yield None
            async for message in messages(response.aiter_lines()):
                yield message
        except httpx.TransportError as error:
            raise _unreachable(self.url, error) from error
        finally:
            await response.aclose()

    # -- plumbing -------------------------------------------------------------

    async def _get(self, path: str, model: type[T]) -> T:
        try:
            response = await self._http.get(path)
        except httpx.TransportError as error:
            raise _unreachable(self.url, error) from error
        return _decode(response, model)

    async def _send(
        self,
        method: str,
        path: str,
        body: Any,
        actor: str,
        model: type[T],
        timeout: float = REQUEST_TIMEOUT_SECONDS,
    ) -> T:
        try:
            response = await self._http.request(
                method,
                path,
                json=body,
                headers={ACTOR_HEADER: actor[:80]},
                timeout=timeout,
            )
        except httpx.TransportError as error:
            raise _unreachable(self.url, error) from error
        return _decode(response, model)


def _unreachable(url: str, error: httpx.TransportError) -> SidecarUnreachable:
    reason = str(error) or type(error).__name__
    return SidecarUnreachable(f"no answer from the sidecar at {url}: {reason}")


def _decode(response: httpx.Response, model: type[T]) -> T:
    if response.status_code >= 300:
        _raise_for(response)
    try:
        return msgspec.json.decode(response.content, type=model)
    except msgspec.DecodeError as error:
        raise SidecarError(
            f"invalid response body from {response.request.method} "
            f"{response.request.url.path} ({error}); check that the sidecar runs "
            "the same warroom version"
        ) from error


def _raise_for(response: httpx.Response) -> None:
    status = response.status_code
    problem = _problem(response)
    where = f"{response.request.method} {response.request.url.path}"
    detail = problem.detail if problem else f"{where} answered HTTP {status}"
    kind = problem.type.removeprefix(PROBLEM_TYPE) if problem else ""
    if kind == "incident-not-found" and problem and problem.incident_id is not None:
        raise IncidentNotFound(problem.incident_id)
    if kind == "postmortem-not-written":
        raise PostmortemNotFound(detail)
    if status == 503:
        # The sidecar runs but cannot reach its target, or has not polled it.
        raise TargetUnreachable(detail)
    if 400 <= status < 500:
        raise SidecarRejected(status, kind, detail)
    raise SidecarError(f"{where} failed with HTTP {status}: {detail}")


def _problem(response: httpx.Response) -> Problem | None:
    try:
        return msgspec.json.decode(response.content, type=Problem)
    except msgspec.DecodeError:
        return None
