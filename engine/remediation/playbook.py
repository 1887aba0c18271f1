"""The playbook: the remediation action for each kind of incident."""

from __future__ import annotations

from engine.config.models import RemediationConfig
from engine.incidents.models import Incident
from engine.remediation.actions import (
    ActionResult,
    cancel_long_query,
    cleanup_stale,
    kill_blocking_session,
    terminate_idle_transaction,
)
from engine.targets.base import Target

ACTIONS: dict[str, str] = {
    "blocking": "kill_blocking_session",
    "idle_in_transaction": "terminate_idle_transaction",
    "connections": "cleanup_stale",
    "long_query": "cancel_long_query",
    "deadlock": "acknowledge",
}

_ACKNOWLEDGE_REASONS = {
    "deadlock": (
        "the server rolls back a deadlock victim after deadlock_timeout; "
        "nothing to kill"
    ),
}


_SESSION_ACTIONS = {
    "kill_blocking_session": kill_blocking_session,
    "terminate_idle_transaction": terminate_idle_transaction,
    "cancel_long_query": cancel_long_query,
}


def action_for(kind: str) -> str | None:
    return ACTIONS.get(kind)


async def remediate(
    target: Target,
    incident: Incident,
    config: RemediationConfig,
    *,
    dry_run: bool,
    allow_cross_database: bool,
) -> ActionResult:
    """Run the playbook action for ``incident``."""
    action = action_for(incident.kind)
    if action is None:
        return ActionResult(
            "none",
            dry_run,
            False,
            f"no automatic action for {incident.kind} incidents; investigate by "
            "hand. The incident resolves once its condition has cleared",
        )
    if action == "acknowledge":
        return ActionResult(action, dry_run, True, _ACKNOWLEDGE_REASONS[incident.kind])
    if action == "cleanup_stale":
        application = str(incident.metrics.get("top_application") or "")
        return await cleanup_stale(
            target,
            application,
            config.cleanup_stale_idle_seconds,
            dry_run=dry_run,
            allow_cross_database=allow_cross_database,
        )
    if incident.session_id is None:
        return ActionResult(action, dry_run, False, "incident names no session")
    function = _SESSION_ACTIONS[action]
    return await function(
        target,
        incident.session_id,
        dry_run=dry_run,
        allow_cross_database=allow_cross_database,
    )
