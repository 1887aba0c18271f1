"""Every request the engineer sends to the engine, with errors as toasts.

An engine rejection (a transition the state machine forbids, an interlock,
an unknown incident) is expected at 3 a.m. and shows as a warning. Any other
error is logged with its traceback and shown as an error toast, and the war
room stays up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from engine.chaos.drills import ScenarioState
from engine.chaos.interlocks import InterlockError
from engine.governance.lineage import LineageReport
from engine.incidents.models import (
    Incident,
    IncidentNotFound,
    InvalidTransition,
    PostmortemNotFound,
)
from engine.jobs.models import JobAlreadyRunning, JobNotFound
from engine.remediation.actions import ActionResult
from engine.remediation.playbook import NO_ACTION
from engine.store.governance import CatalogEntry, ColumnNotFound, ScanRecord
from engine.store.jobs import JobRunRecord
from warroom.tui.source import SourceRejected, WarRoomSource, settle

log = logging.getLogger(__name__)

ENGINE_REJECTIONS = (
    InvalidTransition,
    IncidentNotFound,
    InterlockError,
    PostmortemNotFound,
    SourceRejected,
    JobNotFound,
    JobAlreadyRunning,
    ColumnNotFound,
)

Notify = Callable[..., None]

_ERROR_TIMEOUT = 10.0


@dataclass(frozen=True)
class CatalogState:
    """The last catalog scan, its columns, and the ones that look like PHI."""

    scan: ScanRecord | None
    columns: tuple[CatalogEntry, ...]
    phi: tuple[CatalogEntry, ...]


class Commands:
    def __init__(self, source: WarRoomSource, notify: Notify, actor: str) -> None:
        self.source = source
        self.notify = notify
        self.actor = actor
        self._remediating: set[int] = set()

    @contextmanager
    def _guard(self, operation: str) -> Iterator[None]:
        try:
            yield
        except ENGINE_REJECTIONS as error:
            log.warning("%s rejected: %s", operation, error)
            self.notify(
                str(error), title=f"{operation} rejected", severity="warning", timeout=8
            )
        except Exception as error:
            log.exception("%s failed", operation)
            self.notify(
                f"{type(error).__name__}: {error}; details are in the log file",
                title=f"{operation} failed",
                severity="error",
                timeout=_ERROR_TIMEOUT,
            )

    # -- incidents ---------------------------------------------------------

    async def investigate(self, incident_id: int) -> None:
        with self._guard(f"investigate incident {incident_id}"):
            self._moved(await settle(self.source.investigate(incident_id, self.actor)))

    async def escalate(self, incident_id: int) -> None:
        reason = f"escalated by {self.actor} from the war room"
        with self._guard(f"escalate incident {incident_id}"):
            answer = self.source.escalate(incident_id, self.actor, reason)
            self._moved(await settle(answer))

    async def resolve(self, incident_id: int) -> None:
        note = f"resolved by {self.actor} from the war room"
        with self._guard(f"resolve incident {incident_id}"):
            self._moved(
                await settle(self.source.resolve(incident_id, self.actor, note))
            )

    def _moved(self, incident: Incident) -> None:
        log.info("incident %s now %s by %s", incident.id, incident.status, self.actor)
        self.notify(incident.title, title=f"incident {incident.id} {incident.status}")

    @property
    def remediation_dry_run(self) -> bool:
        """Whether the config's remediation.dry_run makes every run a dry run."""
        return self.source.config.warroom.remediation.dry_run

    async def preview_remediation(self, incident_id: int) -> ActionResult | None:
        """Dry-run the playbook action and return its result, or None after a
        toast that gives the reason. The dry run moves neither the incident nor
        the target, but the engine records it on the incident's timeline."""
        if self._already_remediating(incident_id):
            return None
        self._remediating.add(incident_id)
        try:
            with self._guard(f"dry run of incident {incident_id}'s remediation"):
                return await self.source.remediate(
                    incident_id, self.actor, dry_run=True
                )
        finally:
            self._remediating.discard(incident_id)
        return None

    async def remediate(self, incident_id: int) -> None:
        """Run the playbook once, and reject a second press while it runs.
        The config's remediation.dry_run setting still makes it a dry run."""
        if self._already_remediating(incident_id):
            return
        self._remediating.add(incident_id)
        if self.remediation_dry_run:
            message = "a dry run only, because remediation.dry_run is true"
        else:
            message = "running the playbook action"
        self.notify(message, title=f"remediate {incident_id}")
        try:
            with self._guard(f"remediate incident {incident_id}"):
                result = await self.source.remediate(incident_id, self.actor)
                log.info(
                    "remediation of incident %s: %s (%s)",
                    incident_id,
                    result.succeeded,
                    result.message,
                )
                self.notify(
                    result.message,
                    title=f"incident {incident_id}: {_outcome(result)}",
                    severity="information"
                    if result.succeeded or result.action == NO_ACTION
                    else "warning",
                    timeout=8,
                )
        finally:
            self._remediating.discard(incident_id)

    def _already_remediating(self, incident_id: int) -> bool:
        if incident_id not in self._remediating:
            return False
        self.notify(
            "wait for it to finish before trying again",
            title=f"remediation of incident {incident_id} is already running",
            severity="warning",
        )
        return True

    async def incident(self, incident_id: int) -> Incident | None:
        with self._guard(f"open incident {incident_id}"):
            return await settle(self.source.get_incident(incident_id))
        return None

    async def postmortem(self, incident_id: int) -> str | None:
        """Return the postmortem, or None while the incident is open."""
        try:
            return await settle(self.source.postmortem(incident_id))
        except PostmortemNotFound:
            return None
        except Exception as error:
            log.exception("reading postmortem of incident %s failed", incident_id)
            self.notify(
                str(error),
                title=f"postmortem of incident {incident_id} failed",
                severity="error",
                timeout=_ERROR_TIMEOUT,
            )
            return None

    def latest_postmortem_id(self) -> int | None:
        with self._guard("read recent postmortems"):
            rows = self.source.recent_postmortems(1)
            if rows:
                return rows[0].incident_id
            self.notify(
                "no incident has resolved yet; postmortems are written on RESOLVED",
                title="no postmortem",
                severity="warning",
            )
        return None

    # -- chaos -------------------------------------------------------------

    def scenarios(self) -> list[ScenarioState]:
        with self._guard("list chaos scenarios"):
            return self.source.scenarios()
        return []

    def random_scenario(self) -> str | None:
        with self._guard("pick a random scenario"):
            return self.source.random_scenario()
        return None

    async def trigger(self, scenario: str) -> None:
        with self._guard(f"inject {scenario}"):
            await settle(self.source.trigger_drill(scenario, self.actor))
            log.info("drill %s triggered by %s", scenario, self.actor)

    async def job_history(self, name: str, limit: int) -> list[JobRunRecord] | None:
        """Return the newest runs of job ``name`` first, or None after a toast
        that gives the reason they could not be read."""
        with self._guard(f"read the run history of job {name}"):
            return list(await settle(self.source.job_history(name, limit)))
        return None

    async def run_job(self, name: str) -> None:
        with self._guard(f"run job {name}"):
            run = await settle(self.source.trigger_job(name, self.actor))
            log.info("job %s run %s started by %s", name, run.id, self.actor)
            self.notify(
                "the jobs panel shows its status when it ends",
                title=f"job {name} started (run {run.id})",
            )

    async def run_checks(self) -> None:
        with self._guard("run the validation rules"):
            log.info("validation run requested by %s", self.actor)
            self.notify(
                "the validation panel shows the new score when they end",
                title="running the validation rules",
            )
            completed = await settle(self.source.run_checks())
            card = completed.scorecard
            if card is None:
                # The engine sends its own notice with the reason.
                return
            failed = len(card.failed)
            self.notify(
                f"{card.passed} of {card.evaluated} evaluated rule(s) passed, "
                f"{failed} failed",
                title="validation rules ran",
                severity="warning" if failed else "information",
            )

    # -- governance --------------------------------------------------------

    async def catalog(self) -> CatalogState | None:
        """Return the catalog, or None after a toast that gives the reason."""
        with self._guard("read the catalog"):
            scan = await settle(self.source.last_catalog_scan())
            columns = await settle(self.source.catalog())
            phi = await settle(self.source.phi_columns())
            return CatalogState(scan, tuple(columns), tuple(phi))
        return None

    async def lineage(self, max_rows: int) -> LineageReport | None:
        """Return the newest lineage rows, or None after a toast that gives the
        reason."""
        with self._guard("read the ETL lineage"):
            return await self.source.lineage(max_rows)
        return None

    async def scan_catalog(self) -> ScanRecord | None:
        with self._guard("scan the catalog"):
            log.info("catalog scan requested by %s", self.actor)
            self.notify(
                "the governance screen shows the new catalog when it ends",
                title="scanning the catalog",
            )
            record = await self.source.scan_catalog(self.actor)
            self.notify(
                f"{record.tables} table(s), {record.columns} column(s), "
                f"{record.added} added, {record.dropped} dropped",
                title=f"catalog scan {record.id} done",
            )
            return record
        return None

    async def classify_column(
        self, table: str, column: str, category: str, *, had_finding: bool
    ) -> None:
        """Record the engineer's classification of ``table`` ``column``, or
        show a toast that gives the reason it was not recorded.

        ``had_finding`` marks a column whose classification closes an open
        governance finding, so the toast explains how its incident resolves.
        """
        name = f"{table}.{column}"
        reason = f"classified by {self.actor} from the governance screen"
        with self._guard(f"classify {name}"):
            try:
                answer = self.source.classify_column(
                    table, column, category, self.actor, reason
                )
                await settle(answer)
            except ValueError as error:
                # The engine raises it for an unknown category or a bare table name.
                raise SourceRejected(str(error)) from error
            log.info("column %s classified as %s by %s", name, category, self.actor)
            message = f"recorded under {self.actor}"
            if had_finding:
                message += (
                    "; its governance finding is gone from the next poll on, so "
                    "press r on its incident in the war room to resolve it"
                )
            self.notify(message, title=f"{name} classified as {category}")


def _outcome(result: ActionResult) -> str:
    if result.dry_run:
        return "dry run only"
    if result.action == NO_ACTION:
        # The playbook has no action for the kind: the step is recorded and
        # the incident waits in REMEDIATING for its condition to clear.
        return "recorded; no automatic action"
    return "remediated" if result.succeeded else "remediation did not succeed"
