"""The playbook: the remediation action for each kind of incident, as
config/playbook.yaml maps them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from engine.config.models import PlaybookConfig, PlaybookEntry, RemediationConfig
from engine.incidents.models import Incident
from engine.jobs.runner import JobRunner
from engine.remediation.actions import (
    ActionResult,
    cancel_long_query,
    cleanup_stale,
    kill_blocking_session,
    terminate_idle_transaction,
)
from engine.remediation.formulary import revert_formulary
from engine.remediation.jobs import restart_job
from engine.remediation.quarantine import (
    duplicates_gone,
    quarantine,
    selection_for,
)
from engine.targets.base import Target
from engine.targets.sqlfiles import load_statement
from engine.validation.runner import Validator

# The manual step for a kind without an automatic action, where it is more
# than investigating by hand.
_MANUAL_STEPS = {
    "validation_error": (
        "read the rule's error on the validation screen (v). For a table or "
        "column renamed or dropped, put it back, or fix the rule in "
        "config/validation_rules.yaml and restart the war room; for a "
        "timeout, raise validation.statement_timeout_seconds; for a lock "
        "wait, the sessions view (g) shows its holder"
    ),
    "governance": (
        "classify the column as its PHI category or as none with c on the "
        "TUI's governance screen (shift+g) or POST "
        "/api/governance/catalog/classify (see docs/RUNBOOK.md, governance)"
    ),
}

_SESSION_ACTIONS = {
    "kill_blocking_session": kill_blocking_session,
    "terminate_idle_transaction": terminate_idle_transaction,
    "cancel_long_query": cancel_long_query,
}


# Actions that read what they act on from the figures of a detected incident
# (the application, rule, job or user), which a reported one does not have.
_FROM_FIGURES = frozenset(
    {
        "cleanup_stale",
        "restart_job",
        "quarantine_data",
        "revert_formulary",
        "suspend_phi_access",
    }
)


def _lacks_figures(incident: Incident, action: str) -> bool:
    return incident.reported_by_hand and action in _FROM_FIGURES


NO_ACTION = "none"
"""The action of a result for a kind that the playbook gives no action."""


@dataclass
class Playbook:
    """Runs the action config/playbook.yaml names for an incident's kind."""

    target: Target
    config: PlaybookConfig
    remediation: RemediationConfig
    validator: Validator
    jobs: JobRunner
    allow_cross_database: bool = False

    def entry_for(self, incident: Incident) -> PlaybookEntry | None:
        """Return the playbook entry for ``incident``: its validation rule's,
        if the playbook names the rule, or its kind's."""
        if incident.kind == "validation":
            rule = self.config.rules.get(str(incident.metrics.get("rule", "")))
            if rule is not None:
                return rule
        return self.config.kinds.get(incident.kind)

    def action_for(self, incident: Incident) -> str | None:
        """Return the action that run takes for ``incident``, or None."""
        entry = self.entry_for(incident)
        if entry is None or _lacks_figures(incident, entry.action):
            return None
        return entry.action

    async def run(
        self,
        incident: Incident,
        actor: str,
        dry_run: bool,
        still_open: Callable[[], bool] = lambda: True,
    ) -> ActionResult:
        """Run the incident's action. An action that repeats (restart_job)
        stops once ``still_open`` returns False."""
        entry = self.entry_for(incident)
        if entry is not None and _lacks_figures(incident, entry.action):
            return ActionResult(
                NO_ACTION,
                dry_run,
                False,
                f"reported by hand, so it names no application, rule, job or user "
                f"for {entry.action} to act on; fix the cause by hand, then "
                "resolve it",
            )
        if entry is None:
            step = _MANUAL_STEPS.get(incident.kind, "investigate by hand")
            if not incident.cleared_by_polls:
                ending = (
                    "No check watches this incident's condition, so resolve it "
                    "by hand once it is fixed"
                )
            else:
                ending = (
                    "The incident resolves once its condition has been clear "
                    "for incidents.clear_polls polls"
                )
            return ActionResult(
                NO_ACTION,
                dry_run,
                False,
                f"no automatic action for {incident.kind} incidents; {step}. {ending}",
            )
        action, params = entry.action, entry.params
        if action == "acknowledge":
            return ActionResult(action, dry_run, True, entry.reason or "acknowledged")
        if action == "cleanup_stale":
            return await cleanup_stale(
                self.target,
                str(incident.metrics.get("top_application") or ""),
                self.remediation.cleanup_stale_idle_seconds,
                dry_run=dry_run,
                allow_cross_database=self.allow_cross_database,
            )
        if action == "restart_job":
            return await restart_job(
                self.jobs,
                incident,
                actor,
                attempts=int(params.get("attempts", 3)),
                delay_seconds=float(params.get("delay_seconds", 2)),
                dry_run=dry_run,
                still_open=still_open,
            )
        if action == "quarantine_data":
            selection = selection_for(incident, self.validator)
            if isinstance(selection, str):
                no_duplicates = await duplicates_gone(self.validator, incident, dry_run)
                if no_duplicates is not None:
                    return no_duplicates
                return ActionResult(action, dry_run, False, f"not moved: {selection}")
            return await quarantine(
                self.validator,
                selection,
                incident_id=incident.id,
                drill_id=incident.drill_id,
                max_rows=int(params.get("max_rows", 1000)),
                dry_run=dry_run,
            )
        if action == "revert_formulary":
            return await revert_formulary(self.validator, incident, dry_run=dry_run)
        if action == "suspend_phi_access":
            return await self._suspend(incident, dry_run)
        if incident.session_id is None:
            return ActionResult(action, dry_run, False, "incident names no session")
        return await _SESSION_ACTIONS[action](
            self.target,
            incident.session_id,
            dry_run=dry_run,
            allow_cross_database=self.allow_cross_database,
        )

    async def _suspend(self, incident: Incident, dry_run: bool) -> ActionResult:
        action = "suspend_phi_access"
        user = incident.metrics.get("user_name")
        if not user:
            return ActionResult(action, dry_run, False, "incident names no user")
        if dry_run:
            return ActionResult(
                action, True, True, f"would suspend {user}'s PHI access"
            )
        await self.target.execute(
            load_statement(self.target.dialect.name, "checks", "suspend_phi_user"),
            {
                "user_name": user,
                "reason": f"incident {incident.id}: {incident.title}",
                "incident_id": incident.id,
            },
        )
        return ActionResult(
            action,
            False,
            True,
            f"suspended {user}'s PHI access pending a privacy review; tell the "
            "privacy officer (see docs/RUNBOOK.md)",
        )
