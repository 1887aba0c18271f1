"""``RemoteSource``: the war room's engine, seen through a running sidecar.

It keeps a copy of what the TUI reads: the last poll, the figure history,
open incidents, postmortems, scenarios, drills, the SLA figures and the
validation scorecard. The
sidecar's event stream keeps the copy fresh. After each event the source
repeats the reads the event made stale, and only then republishes the event
on a local bus, so a widget that redraws on the event reads fresh data.
Requests (status changes, remediation, drills, job runs, catalog scans and
classifications) and the reads the copy leaves out (one incident, one job's
run history, the catalog and the lineage) go to the sidecar and return when
it responds.

When the stream drops, ``last_error`` reports it, and the TUI shows it in
the status bar with the age of the last poll it has. The source reconnects
with a growing delay and rereads everything, because events sent while it
was away are lost.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import msgspec

from engine.chaos.drills import ScenarioState
from engine.chaos.interlocks import UnknownScenario
from engine.config.models import WarroomConfig
from engine.events import (
    CatalogChanged,
    DrillProgress,
    EngineNotice,
    EventBus,
    IncidentChanged,
    JobRun,
    PollCompleted,
    PollFailed,
)
from engine.governance.lineage import LineageReport
from engine.healthcare.figures import unread_figures
from engine.healthcare.monitor import HealthcareReading, HealthcareRefreshed
from engine.incidents.models import Incident, PostmortemSummary, Status
from engine.incidents.sla import SlaReport
from engine.jobs.models import JobState
from engine.monitor.history import MetricHistory
from engine.remediation.actions import ActionResult
from engine.store.drills import DrillRecord
from engine.store.governance import CatalogEntry, ScanRecord
from engine.store.jobs import JobRunRecord, RunStatus
from engine.targets.base import TargetUnreachable
from engine.validation.cycle import ChecksCompleted
from engine.validation.models import Scorecard
from warroom.api.schemas.chaos import ChaosOut
from warroom.api.schemas.dashboard import DashboardOut
from warroom.api.schemas.events import (
    CatalogEvent,
    DrillEvent,
    IncidentEvent,
    JobRunEvent,
    NoticeEvent,
    PollEvent,
    PollFailedEvent,
    ValidationEvent,
)
from warroom.api.schemas.validation import ScorecardOut
from warroom.attach.client import SidecarClient, SidecarError
from warroom.attach.convert import (
    action_result_of,
    catalog_entry_of,
    config_with,
    drill_of,
    graph_of,
    healthcare_of,
    incident_of,
    job_run_of,
    job_state_of,
    lineage_of,
    postmortem_summary_of,
    scan_record_of,
    scenario_of,
    scorecard_of,
    sla_of,
    snapshot_of,
)
from warroom.attach.stream import StreamMessage

log = logging.getLogger(__name__)

T = TypeVar("T")

RECONNECT_FIRST_SECONDS = 0.5
RECONNECT_MAX_SECONDS = 10.0
STREAM_OPEN_SECONDS = 5.0
_DRILLS_KEPT = 50
# Sessions and counters come from two requests; a poll between them makes
# their taken_at differ, and one retry almost always lines them up.
_POLL_READ_TRIES = 3
# Open incidents pass their SLA target with time alone, so a poll event reads
# the SLA again when the copy is older than this.
_SLA_REFRESH_SECONDS = 60.0


@dataclass
class RemoteChecks:
    """The copy of the sidecar's last data check cycle. ``running`` stays
    False, because the sidecar does not report a cycle in progress."""

    scorecard: Scorecard | None = None
    error: str | None = None
    running: bool = False


class RemoteSource:
    """A ``WarRoomSource`` backed by the sidecar at ``client.url``."""

    def __init__(self, client: SidecarClient, config: WarroomConfig) -> None:
        self.client = client
        self.config = config
        self.bus = EventBus()
        self.history = MetricHistory(2)
        self.last_poll: PollCompleted | None = None
        self.last_error: str | None = None
        self.link_error: str | None = None
        self.connected = False
        self._target = "?"
        self._open: list[Incident] = []
        self._postmortems: list[PostmortemSummary] = []
        self._chaos: ChaosOut | None = None
        self._chaos_read_at = 0.0
        self._drills: list[DrillRecord] = []
        self._healthcare = HealthcareReading(
            unread_figures("not read from the sidecar yet", config.warroom.healthcare),
            None,
        )
        self._sla: SlaReport | None = None
        self._jobs: list[JobState] = []
        self.checks = RemoteChecks()
        self._sla_hours = 24
        self._sla_read_at = 0.0
        self._follower: asyncio.Task[None] | None = None
        self._streaming = asyncio.Event()

    # -- lifetime ------------------------------------------------------------

    async def connect(self) -> None:
        """Read everything once and follow the event stream in the background.

        Raises SidecarError (or SourceRejected for a rejected token) when the
        sidecar cannot be read, so the command reports it before any screen.
        """
        await self._read_all()
        self._follower = asyncio.create_task(self._follow(), name="warroom-attach")
        # Wait for the stream too, so no event falls between the first read
        # and the subscription. If it is slow, the TUI opens and shows that.
        try:
            await asyncio.wait_for(self._streaming.wait(), STREAM_OPEN_SECONDS)
        except TimeoutError:
            log.warning("the event stream of %s is not open yet", self.client.url)

    async def close(self) -> None:
        if self._follower is not None:
            self._follower.cancel()
            await asyncio.gather(self._follower, return_exceptions=True)
        await self.client.close()

    # -- reads the TUI makes ---------------------------------------------------

    @property
    def target_name(self) -> str:
        return f"{self._target} via {self.client.url}"

    @property
    def current_drill(self) -> DrillRecord | None:
        if self._chaos is None or self._chaos.running is None:
            return None
        return drill_of(self._chaos.running)

    def open_incidents(self) -> list[Incident]:
        return list(self._open)

    def recent_postmortems(self, limit: int = 10) -> list[PostmortemSummary]:
        return self._postmortems[:limit]

    def scenarios(self) -> list[ScenarioState]:
        if self._chaos is None:
            return []
        elapsed = time.monotonic() - self._chaos_read_at
        return [scenario_of(item, elapsed) for item in self._chaos.scenarios]

    def random_scenario(self) -> str:
        ready = [
            state.name
            for state in self.scenarios()
            if state.enabled and state.cooldown_remaining <= 0 and not state.running
        ]
        if not ready:
            raise UnknownScenario("no enabled scenario is past its cooldown")
        return random.choice(ready)

    def sla(self, hours: int = 24) -> SlaReport | None:
        """Return the copy of the SLA figures, or None before the first read.

        A window other than the copy's is read at the next event.
        """
        if hours != self._sla_hours:
            self._sla_hours = hours
            self._sla = None
        return self._sla

    def healthcare_reading(self) -> HealthcareReading:
        return self._healthcare

    def drill_history(
        self, scenario: str | None = None, limit: int = 50
    ) -> Sequence[DrillRecord]:
        drills = [d for d in self._drills if scenario is None or d.scenario == scenario]
        return drills[:limit]

    # -- requests ------------------------------------------------------------

    def list_jobs(self) -> list[JobState]:
        return list(self._jobs)

    async def get_incident(self, incident_id: int) -> Incident:
        return incident_of(await self.client.incident(incident_id))

    async def investigate(self, incident_id: int, actor: str) -> Incident:
        return await self._move(
            incident_id, Status.INVESTIGATING, actor, "investigating"
        )

    async def escalate(
        self, incident_id: int, actor: str, reason: str = ""
    ) -> Incident:
        note = reason or "escalated by hand"
        return await self._move(incident_id, Status.ESCALATED, actor, note)

    async def resolve(self, incident_id: int, actor: str, note: str = "") -> Incident:
        note = note or "resolved by hand"
        return await self._move(incident_id, Status.RESOLVED, actor, note)

    async def remediate(
        self, incident_id: int, actor: str, dry_run: bool | None = None
    ) -> ActionResult:
        # None leaves the choice to the sidecar's remediation.dry_run, which
        # its settings copied into self.config at connect for the TUI to show.
        answer = await self.client.remediate(incident_id, actor, dry_run)
        return action_result_of(answer)

    async def postmortem(self, incident_id: int) -> str:
        return (await self.client.postmortem(incident_id)).markdown

    async def trigger_drill(self, scenario: str, actor: str) -> object:
        return await self.client.trigger(scenario, actor)

    async def job_history(self, name: str, limit: int = 50) -> list[JobRunRecord]:
        """Read the runs of job ``name`` from the sidecar, newest first; raise
        SidecarRejected for an unknown job."""
        return [job_run_of(run) for run in await self.client.job_history(name, limit)]

    async def trigger_job(self, name: str, actor: str) -> JobRunRecord:
        return job_run_of(await self.client.trigger_job(name, actor))

    async def run_checks(self) -> ChecksCompleted:
        """Run the sidecar's data checks and return the new scorecard. Its
        findings stay on the sidecar, so the result carries none."""
        self._copy_checks(await self.client.run_checks("warroom tui (attached)"))
        return ChecksCompleted(self.checks.scorecard, (), self.checks.error)

    async def last_catalog_scan(self) -> ScanRecord | None:
        # The PHI columns' body is the smaller one that carries the scan.
        return scan_record_of((await self.client.phi_columns()).scan, self._target)

    async def catalog(self) -> list[CatalogEntry]:
        body = await self.client.catalog()
        return [catalog_entry_of(column) for column in body.columns]

    async def phi_columns(self) -> list[CatalogEntry]:
        body = await self.client.phi_columns()
        return [catalog_entry_of(column) for column in body.columns]

    async def lineage(self, max_rows: int = 100) -> LineageReport:
        return lineage_of(await self.client.lineage(max_rows))

    async def scan_catalog(self, actor: str = "engine") -> ScanRecord:
        """Scan the sidecar's target now; raise TargetUnreachable (HTTP 503)
        when the sidecar cannot read its catalog."""
        record = scan_record_of(await self.client.scan_catalog(actor), self._target)
        assert record is not None
        return record

    async def classify_column(
        self, table: str, column: str, category: str, actor: str, reason: str = ""
    ) -> None:
        """Record the classification on the sidecar. Raise SidecarRejected for
        an unknown category or table name (400) or an unknown column (404)."""
        await self.client.classify_column(table, column, category, actor, reason)

    async def _move(
        self, incident_id: int, status: Status, actor: str, note: str
    ) -> Incident:
        detail = await self.client.change_status(incident_id, status, actor, note)
        return incident_of(detail)

    # -- following the sidecar -----------------------------------------------

    async def _follow(self) -> None:
        delay = RECONNECT_FIRST_SECONDS
        while True:
            try:
                async for message in self.client.events():
                    if message is None:
                        await self._reconnected()
                        delay = RECONNECT_FIRST_SECONDS
                    else:
                        await self._apply(message)
                raise SidecarError("the sidecar ended the event stream")
            except Exception as error:
                self._lost(error)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_SECONDS)

    async def _reconnected(self) -> None:
        # Events sent before the stream opened (while it was down, or since
        # connect() read everything) are gone: read it all again.
        await self._read_all()
        self._streaming.set()
        log.info("following the event stream of %s", self.client.url)
        if self.last_poll is not None:
            self.bus.publish(self.last_poll)

    def _lost(self, error: Exception) -> None:
        message = f"lost the sidecar at {self.client.url}: {error}; reconnecting"
        if self.connected or self.link_error != message:
            log.warning("%s", message)
        self.connected = False
        self._streaming.clear()
        self.link_error = message
        self.bus.publish(PollFailed(datetime.now(UTC), message))

    async def _read_all(self) -> None:
        settings = await self.client.settings()
        self.config = config_with(self.config, settings)
        self._target = settings.target
        history = await self.client.history()
        fresh = MetricHistory(history.points)
        for index, taken_at in enumerate(history.taken_at):
            fresh.add(
                taken_at,
                {name: values[index] for name, values in history.series.items()},
            )
        self.history = fresh
        await self._read_dashboard()
        await self._read_drills()
        await self._read_poll()
        await self._read_sla()
        await self._read_jobs()
        await self._read_checks()
        self.connected = True
        self.link_error = None

    async def _apply(self, message: StreamMessage) -> None:
        try:
            if message.event == "poll":
                await self._on_poll(_decode(message, PollEvent))
            elif message.event == "poll_failed":
                failed = _decode(message, PollFailedEvent)
                self.last_error = failed.error
                self.bus.publish(PollFailed(failed.at, failed.error))
            elif message.event == "incident":
                await self._on_incident(_decode(message, IncidentEvent))
            elif message.event == "drill":
                await self._on_drill(_decode(message, DrillEvent))
            elif message.event == "job":
                await self._on_job(_decode(message, JobRunEvent))
            elif message.event == "healthcare":
                # The dashboard carries the figures the event announces.
                await self._read_dashboard()
                self.bus.publish(HealthcareRefreshed(self._healthcare))
            elif message.event == "validation":
                await self._on_validation(_decode(message, ValidationEvent))
            elif message.event == "catalog":
                # The governance screen reads the catalog through the sidecar.
                catalog = _decode(message, CatalogEvent)
                self.bus.publish(CatalogChanged(catalog.change, catalog.actor))
            elif message.event == "notice":
                notice = _decode(message, NoticeEvent)
                self.bus.publish(EngineNotice(notice.level, notice.message))
            else:
                log.debug("event %r from the sidecar ignored", message.event)
        except (SidecarError, TargetUnreachable) as error:
            # The stream still runs, so the next event reads again. Until then
            # the status bar shows that the figures on screen are stale.
            text = f"could not read the sidecar after a {message.event} event: {error}"
            log.warning("%s", text)
            self.last_error = text
            self.bus.publish(PollFailed(datetime.now(UTC), text))

    async def _on_poll(self, event: PollEvent) -> None:
        self.history.add(event.taken_at, event.figures)
        await self._read_poll()
        await self._read_dashboard()
        if self._sla is None or self._sla_age() >= _SLA_REFRESH_SECONDS:
            await self._read_sla()
        if self.last_poll is not None:
            self.bus.publish(self.last_poll)

    async def _on_incident(self, event: IncidentEvent) -> None:
        incident = incident_of(await self.client.incident(event.id))
        await self._read_dashboard()
        await self._read_sla()
        self.bus.publish(IncidentChanged(incident, event.change))

    async def _on_drill(self, event: DrillEvent) -> None:
        await self._read_dashboard()
        await self._read_drills()
        self.bus.publish(
            DrillProgress(
                event.drill_id,
                event.scenario,
                event.phase,
                event.message,
                event.figures,
            )
        )

    async def _read_poll(self) -> None:
        for _ in range(_POLL_READ_TRIES):
            try:
                counts = await self.client.snapshot()
            except TargetUnreachable as error:
                # No poll has succeeded yet, and the error gives the reason.
                self.last_error = str(error)
                return
            listed = await self.client.sessions()
            if listed.taken_at == counts.taken_at:
                snapshot = snapshot_of(counts, listed)
                # Findings are left out: the TUI draws incidents, not findings.
                self.last_poll = PollCompleted(snapshot, graph_of(snapshot), ())
                self.last_error = listed.last_error
                return
        log.info("sessions and counters came from different polls; kept the last")

    async def _read_dashboard(self) -> None:
        dashboard: DashboardOut = await self.client.dashboard()
        self._open = [incident_of(item) for item in dashboard.open_incidents]
        self._postmortems = [
            postmortem_summary_of(row) for row in dashboard.recent_postmortems
        ]
        self._chaos = dashboard.chaos
        self._chaos_read_at = time.monotonic()
        self._healthcare = healthcare_of(dashboard.healthcare)
        self.last_error = dashboard.last_error

    async def _on_job(self, event: JobRunEvent) -> None:
        await self._read_jobs()
        run = JobRunRecord(
            id=event.run_id,
            job=event.job,
            trigger=event.trigger,
            actor="",
            status=RunStatus(event.status),
            error=event.error,
        )
        self.bus.publish(JobRun(run))

    async def _on_validation(self, event: ValidationEvent) -> None:
        # The event carries only counts; the scorecard has every rule.
        await self._read_checks()
        self.bus.publish(ChecksCompleted(self.checks.scorecard, (), event.error))

    async def _read_checks(self) -> None:
        self._copy_checks(await self.client.scorecard())

    def _copy_checks(self, scorecard: ScorecardOut) -> None:
        self.checks.scorecard = scorecard_of(scorecard)
        self.checks.error = scorecard.error

    async def _read_jobs(self) -> None:
        self._jobs = [job_state_of(job) for job in await self.client.jobs()]

    async def _read_sla(self) -> None:
        self._sla = sla_of(await self.client.sla(self._sla_hours))
        self._sla_read_at = time.monotonic()

    def _sla_age(self) -> float:
        return time.monotonic() - self._sla_read_at

    async def _read_drills(self) -> None:
        self._drills = [
            drill_of(item) for item in await self.client.drills(_DRILLS_KEPT)
        ]


def _decode(message: StreamMessage, model: type[T]) -> T:
    try:
        return msgspec.json.decode(message.data, type=model)
    except msgspec.DecodeError as error:
        raise SidecarError(
            f"the sidecar sent a {message.event} event this client cannot read "
            f"({error}); is it the same warroom version?"
        ) from error
