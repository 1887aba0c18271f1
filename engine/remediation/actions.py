"""Remediation actions. Each takes a fresh snapshot, applies the guards and
supports a dry run that reports what it would do."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from engine.monitor.graph import VIRTUAL_BLOCKERS, build_graph
from engine.remediation.guards import policy_for, refusal_reason
from engine.targets.base import Target, TargetError

log = logging.getLogger(__name__)


@dataclass
class ActionResult:
    action: str
    dry_run: bool
    succeeded: bool
    message: str
    terminated: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)
    retryable: bool = False
    """True when nothing qualified yet (sessions too young); try again later."""


async def kill_blocking_session(
    target: Target,
    session_id: int,
    *,
    dry_run: bool = False,
    allow_cross_database: bool = False,
) -> ActionResult:
    """Terminate ``session_id`` only if it is still a head blocker."""
    name = "kill_blocking_session"
    if session_id <= 0:
        # SQL Server's negative blocker ids are owners that are not sessions.
        owner = VIRTUAL_BLOCKERS.get(session_id, "not a session")
        return ActionResult(
            name,
            dry_run,
            False,
            f"not terminated: blocker {session_id} ({owner}) is not a session, "
            "so there is nothing to kill; see the runbook for this owner",
        )
    snapshot = await target.snapshot(advance_counters=False)
    graph = build_graph(snapshot.sessions)
    session = snapshot.session(session_id)
    if session is None:
        # A second request after a successful kill, or the blocker ended on
        # its own: the blocking this action exists to end is over.
        return ActionResult(
            name, dry_run, True, f"session {session_id} has already ended"
        )

    reason = refusal_reason(session, policy_for(snapshot, allow_cross_database))
    if reason is not None:
        return ActionResult(name, dry_run, False, f"not terminated: {reason}")
    if session_id not in graph.head_blockers:
        blocked_by = graph.waits_on.get(session_id)
        detail = (
            f"it waits on {', '.join(map(str, blocked_by))}"
            if blocked_by
            else "it blocks no one now"
        )
        return ActionResult(
            name,
            dry_run,
            False,
            f"not terminated: session {session_id} is not a head blocker ({detail})",
        )

    victims = sorted(graph.victims_of(session_id))
    summary = (
        f"session {session_id} ({session.login}@{session.program or '?'}, "
        f"{session.state}), which blocked {len(victims)} session(s): "
        f"{', '.join(map(str, victims))}"
    )
    if dry_run:
        return ActionResult(
            name, True, True, f"would terminate {summary}", [session_id]
        )
    return await _terminate(target, name, [session_id], summary)


async def cleanup_stale(
    target: Target,
    application: str,
    idle_seconds: float,
    *,
    dry_run: bool = False,
    allow_cross_database: bool = False,
) -> ActionResult:
    """Terminate idle sessions of ``application`` idle for ``idle_seconds`` or more."""
    name = "cleanup_stale"
    snapshot = await target.snapshot(advance_counters=False)
    policy = policy_for(snapshot, allow_cross_database)
    candidates: list[int] = []
    skipped: dict[int, str] = {}
    for session in snapshot.sessions:
        if session.program != application or session.state != "idle":
            continue
        if (session.state_seconds or 0) < idle_seconds:
            continue
        reason = refusal_reason(session, policy)
        if reason:
            skipped[session.session_id] = reason
        else:
            candidates.append(session.session_id)

    summary = (
        f"{len(candidates)} idle session(s) of {application!r} idle >= "
        f"{idle_seconds:g} s"
    )
    if not candidates:
        return ActionResult(
            name,
            dry_run,
            False,
            f"nothing to terminate yet: {summary}",
            skipped=skipped,
            retryable=not skipped,
        )
    if dry_run:
        return ActionResult(
            name, True, True, f"would terminate {summary}", candidates, skipped
        )
    result = await _terminate(target, name, candidates, summary)
    result.skipped.update(skipped)
    return result


async def cancel_long_query(
    target: Target,
    session_id: int,
    *,
    dry_run: bool = False,
    allow_cross_database: bool = False,
) -> ActionResult:
    """Cancel the running statement of ``session_id``; the session stays connected."""
    name = "cancel_long_query"
    snapshot = await target.snapshot(advance_counters=False)
    session = snapshot.session(session_id)
    if session is None:
        # The statement ended with its session, as for a blocker that has
        # already ended: what this action exists to end is over.
        return ActionResult(
            name, dry_run, True, f"session {session_id} has already ended"
        )
    reason = refusal_reason(session, policy_for(snapshot, allow_cross_database))
    if reason is not None:
        return ActionResult(name, dry_run, False, f"not cancelled: {reason}")
    if session.state != "active":
        return ActionResult(
            name,
            dry_run,
            False,
            f"not cancelled: session {session_id} is {session.state}",
        )
    elapsed = session.elapsed_seconds
    sql = " ".join((session.sql_text or "").split())
    running = f"{elapsed:.0f} s" if elapsed is not None else "for an unknown time"
    summary = (
        f"session {session_id} ({session.login}@{session.program or '?'}), "
        f"running {running}: {sql[:120] or 'statement not shown'}"
    )
    if dry_run:
        return ActionResult(
            name, True, True, f"would cancel the statement of {summary}"
        )
    try:
        cancelled = await target.cancel_request(session_id)
    except TargetError as error:
        return ActionResult(name, False, False, f"cancel failed: {error}")
    message = "cancelled" if cancelled else "cancel signal not delivered"
    return ActionResult(name, False, cancelled, f"{message}: session {session_id}")


async def _terminate(
    target: Target, name: str, session_ids: list[int], summary: str
) -> ActionResult:
    terminated, failed = [], {}
    for session_id in session_ids:
        try:
            if await target.kill_session(session_id):
                terminated.append(session_id)
            else:
                failed[session_id] = "server did not deliver the signal"
        except TargetError as error:
            failed[session_id] = str(error)
    ended = await _already_ended(target, failed)
    for session_id in ended:
        del failed[session_id]
    for session_id, reason in failed.items():
        log.warning("%s: session %s not terminated: %s", name, session_id, reason)
    succeeded = bool(terminated or ended) and not failed
    parts = []
    if terminated:
        parts.append(f"terminated {summary}")
        if len(session_ids) > 1:
            parts.append(f"terminated sessions {', '.join(map(str, terminated))}")
    elif not ended:
        parts.append(f"{summary} not terminated")
    if ended:
        # Another remediation, or the client, ended them first.
        parts.append(f"session(s) {', '.join(map(str, ended))} had already ended")
    if failed:
        parts.append(f"failed for {sorted(failed)}")
    return ActionResult(name, False, succeeded, "; ".join(parts), terminated, failed)


async def _already_ended(target: Target, failed: dict[int, str]) -> list[int]:
    """Return the sessions of ``failed`` that a new snapshot no longer shows.
    Return none when nothing failed or the snapshot fails."""
    if not failed:
        return []
    try:
        snapshot = await target.snapshot(advance_counters=False)
    except TargetError as error:
        log.warning("snapshot to check sessions %s failed: %s", sorted(failed), error)
        return []
    return [session_id for session_id in failed if snapshot.session(session_id) is None]


async def terminate_idle_transaction(
    target: Target,
    session_id: int,
    *,
    dry_run: bool = False,
    allow_cross_database: bool = False,
) -> ActionResult:
    """Terminate ``session_id`` if it is still idle in an open transaction."""
    name = "terminate_idle_transaction"
    snapshot = await target.snapshot(advance_counters=False)
    session = snapshot.session(session_id)
    if session is None:
        # The session ended with its transaction, as for a blocker that has
        # already ended: what this action exists to end is over.
        return ActionResult(
            name, dry_run, True, f"session {session_id} has already ended"
        )
    reason = refusal_reason(session, policy_for(snapshot, allow_cross_database))
    if reason is not None:
        return ActionResult(name, dry_run, False, f"not terminated: {reason}")
    if not session.is_idle_in_transaction:
        return ActionResult(
            name,
            dry_run,
            False,
            f"not terminated: session {session_id} is {session.state} now",
        )
    summary = f"session {session_id} idle in transaction"
    if dry_run:
        return ActionResult(
            name, True, True, f"would terminate {summary}", [session_id]
        )
    return await _terminate(target, name, [session_id], summary)
