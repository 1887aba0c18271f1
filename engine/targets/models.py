"""Target reports: the sessions and counters of one poll."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Figure:
    """One counter: a value, or ``None`` with the reason it is not available."""

    value: float | None
    reason: str | None = None

    @classmethod
    def unavailable(cls, reason: str) -> Figure:
        return cls(None, reason)

    @property
    def available(self) -> bool:
        return self.value is not None

    def display(self, fmt: str = "{:.0f}") -> str:
        return fmt.format(self.value) if self.value is not None else "n/a"


@dataclass(frozen=True)
class Session:
    """One server session (a PostgreSQL backend or a SQL Server session)."""

    session_id: int
    login: str | None
    host: str | None
    program: str | None
    database: str | None
    state: str
    command: str | None
    wait_type: str | None
    wait_seconds: float | None
    elapsed_seconds: float | None
    open_transactions: int
    blocked_by: tuple[int, ...]
    sql_text: str | None
    login_time: datetime | None = None
    transaction_seconds: float | None = None
    state_seconds: float | None = None
    backend_type: str = "client backend"
    is_system: bool = False
    leader_id: int | None = None
    temp_space_mb: float | None = None
    """tempdb space the session has allocated (SQL Server only, else None)."""

    @property
    def is_idle_in_transaction(self) -> bool:
        return self.state.startswith("idle in transaction")


@dataclass(frozen=True)
class Counters:
    connections: Figure
    max_connections: Figure
    active_requests: Figure
    cpu_percent: Figure
    memory_percent: Figure
    temp_space_mb: Figure
    transactions_per_second: Figure
    deadlocks: Figure
    cache_hit_ratio: Figure
    database_size_mb: Figure
    waits_by_class: dict[str, float] = field(default_factory=dict)
    """PostgreSQL: active sessions waiting now, per wait event type. SQL Server:
    milliseconds waited since the last poll, per wait class."""


@dataclass(frozen=True)
class HealthSnapshot:
    """One poll of one target."""

    taken_at: datetime
    target: str
    database: str | None
    sessions: tuple[Session, ...]
    counters: Counters
    own_session_ids: frozenset[int] = frozenset()
    duration_ms: float = 0.0

    def session(self, session_id: int) -> Session | None:
        for session in self.sessions:
            if session.session_id == session_id:
                return session
        return None
