"""Sessions that remediation must never terminate."""

from __future__ import annotations

from dataclasses import dataclass

from engine.targets.models import HealthSnapshot, Session


@dataclass(frozen=True)
class GuardPolicy:
    database: str | None
    own_session_ids: frozenset[int]
    allow_cross_database: bool = False


def refusal_reason(session: Session | None, policy: GuardPolicy) -> str | None:
    """Return why ``session`` must not be killed, or None when it may be."""
    if session is None:
        return "session is no longer connected"
    if session.is_system:
        return (
            f"session {session.session_id} is a system session ({session.backend_type})"
        )
    if session.session_id in policy.own_session_ids:
        return f"session {session.session_id} is one of the engine's own sessions"
    if (
        not policy.allow_cross_database
        and policy.database is not None
        and session.database != policy.database
    ):
        return (
            f"session {session.session_id} is in database {session.database!r}, "
            f"not the monitored {policy.database!r}; set "
            "target.allow_cross_database_kill to allow it"
        )
    return None


def policy_for(snapshot: HealthSnapshot, allow_cross_database: bool) -> GuardPolicy:
    return GuardPolicy(
        database=snapshot.database,
        own_session_ids=snapshot.own_session_ids,
        allow_cross_database=allow_cross_database,
    )
