"""Health of the sidecar, the engine and the monitored target."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Literal

import msgspec

from engine.config.models import SidecarConfig
from engine.events import PollCompleted
from engine.monitor.history import METRICS
from engine.service import Engine
from engine.targets.models import Counters
from warroom.api.schemas.common import FigureOut, figure_out

HealthStatus = Literal["ok", "starting", "degraded", "stopped"]


class SidecarInfo(msgspec.Struct):
    host: str
    port: int
    auth: Literal["token", "loopback"]
    """``token``: an API token is configured; ``loopback``: none, so only local
    clients may change anything."""


class EngineInfo(msgspec.Struct):
    started: bool
    target: str
    database: str | None
    poll_interval_seconds: float
    last_poll_at: datetime | None
    last_poll_duration_ms: float | None
    last_error: str | None


class HealthOut(msgspec.Struct):
    """``ok``: polling works; ``starting``: no poll yet; ``degraded``: the last
    poll failed, or none has completed for three poll intervals plus 2 s (a
    hung target); ``stopped``: the engine is not running."""

    status: HealthStatus
    sidecar: SidecarInfo
    engine: EngineInfo


class SqlHealthOut(msgspec.Struct):
    """Target connectivity as of the engine's last poll, which succeeded."""

    reachable: bool
    target: str
    database: str | None
    last_poll_at: datetime
    poll_duration_ms: float


class CountersOut(msgspec.Struct):
    connections: FigureOut
    max_connections: FigureOut
    active_requests: FigureOut
    cpu_percent: FigureOut
    memory_percent: FigureOut
    temp_space_mb: FigureOut
    transactions_per_second: FigureOut
    deadlocks: FigureOut
    cache_hit_ratio: FigureOut
    database_size_mb: FigureOut
    waits_by_class: dict[str, float]


class SessionCounts(msgspec.Struct):
    total: int
    client: int
    system: int
    engine_own: int
    active: int
    idle: int
    idle_in_transaction: int
    blocked: int
    head_blockers: int


class FindingOut(msgspec.Struct):
    kind: str
    severity: str
    title: str
    session_id: int | None


class SnapshotOut(msgspec.Struct):
    """One poll taken on request: counters, session counts and findings."""

    taken_at: datetime
    target: str
    database: str | None
    duration_ms: float
    counters: CountersOut
    sessions: SessionCounts
    findings: list[FindingOut]


class HistoryOut(msgspec.Struct):
    """The engine's recent figures, oldest first: one time and one value per
    metric for each poll, null where the target gave no value."""

    points: int
    """How many polls the window keeps (monitor.history_minutes)."""
    taken_at: list[datetime]
    series: dict[str, list[float | None]]


def history_out(engine: Engine) -> HistoryOut:
    history = engine.history
    return HistoryOut(
        points=history.points,
        taken_at=history.times(),
        series={name: history.series(name) for name in METRICS},
    )


def health_status(engine: Engine) -> HealthStatus:
    if not engine.started:
        return "stopped"
    if engine.last_error is not None:
        return "degraded"
    if engine.last_poll is None:
        return "starting"
    if engine.stale_poll_age() is not None:
        return "degraded"
    return "ok"


def health_out(engine: Engine, sidecar: SidecarConfig) -> HealthOut:
    poll = engine.last_poll
    snapshot = poll.snapshot if poll else None
    return HealthOut(
        status=health_status(engine),
        sidecar=SidecarInfo(
            host=sidecar.host,
            port=sidecar.port,
            auth="token" if sidecar.token else "loopback",
        ),
        engine=EngineInfo(
            started=engine.started,
            target=engine.target_name,
            database=snapshot.database if snapshot else None,
            poll_interval_seconds=engine.config.warroom.monitor.poll_interval_seconds,
            last_poll_at=snapshot.taken_at if snapshot else None,
            last_poll_duration_ms=snapshot.duration_ms if snapshot else None,
            last_error=engine.last_error,
        ),
    )


def sql_health_out(poll: PollCompleted) -> SqlHealthOut:
    snapshot = poll.snapshot
    return SqlHealthOut(
        reachable=True,
        target=snapshot.target,
        database=snapshot.database,
        last_poll_at=snapshot.taken_at,
        poll_duration_ms=snapshot.duration_ms,
    )


def counters_out(counters: Counters) -> CountersOut:
    return CountersOut(
        connections=figure_out(counters.connections),
        max_connections=figure_out(counters.max_connections),
        active_requests=figure_out(counters.active_requests),
        cpu_percent=figure_out(counters.cpu_percent),
        memory_percent=figure_out(counters.memory_percent),
        temp_space_mb=figure_out(counters.temp_space_mb),
        transactions_per_second=figure_out(counters.transactions_per_second),
        deadlocks=figure_out(counters.deadlocks),
        cache_hit_ratio=figure_out(counters.cache_hit_ratio),
        database_size_mb=figure_out(counters.database_size_mb),
        waits_by_class=dict(counters.waits_by_class),
    )


def snapshot_out(poll: PollCompleted) -> SnapshotOut:
    snapshot = poll.snapshot
    return SnapshotOut(
        taken_at=snapshot.taken_at,
        target=snapshot.target,
        database=snapshot.database,
        duration_ms=snapshot.duration_ms,
        counters=counters_out(snapshot.counters),
        sessions=session_counts(poll),
        findings=[
            FindingOut(
                kind=str(finding.kind),
                severity=str(finding.severity),
                title=finding.title,
                session_id=finding.session_id,
            )
            for finding in poll.findings
        ],
    )


def session_counts(poll: PollCompleted) -> SessionCounts:
    snapshot = poll.snapshot
    own = snapshot.own_session_ids
    client = [
        session
        for session in snapshot.sessions
        if not session.is_system and session.session_id not in own
    ]
    states = Counter(
        "idle_in_transaction" if session.is_idle_in_transaction else session.state
        for session in client
    )
    return SessionCounts(
        total=len(snapshot.sessions),
        client=len(client),
        system=sum(1 for session in snapshot.sessions if session.is_system),
        engine_own=sum(1 for session in snapshot.sessions if session.session_id in own),
        active=states["active"],
        idle=states["idle"],
        idle_in_transaction=states["idle_in_transaction"],
        blocked=len(poll.graph.blocked_sessions),
        head_blockers=len(poll.graph.head_blockers),
    )
