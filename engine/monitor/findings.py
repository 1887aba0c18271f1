"""Findings: what one poll shows to be wrong, each with a dedup key."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class FindingKind(StrEnum):
    BLOCKING = "blocking"
    DEADLOCK = "deadlock"
    LONG_QUERY = "long_query"
    CONNECTIONS = "connections"
    IDLE_IN_TRANSACTION = "idle_in_transaction"
    CPU = "cpu"
    MEMORY = "memory"
    TEMP_SPACE = "temp_space"
    TARGET_UNREACHABLE = "target_unreachable"
    # Healthcare figures of the pharmacy-claims schema (engine.healthcare).
    REJECTION_RATE = "rejection_rate"
    GENERIC_DISPENSING = "generic_dispensing"
    ADHERENCE = "adherence"
    CLAIM_VOLUME = "claim_volume"
    JOB_FAILURE = "job_failure"
    # The data checks (engine.validation.cycle).
    VALIDATION = "validation"
    VALIDATION_ERROR = "validation_error"
    PHI_ACCESS = "phi_access"
    GOVERNANCE = "governance"


class Severity(StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True)
class Finding:
    """One condition seen in one poll.

    ``dedup_key`` is the kind plus the object it concerns (for blocking, the
    head blocker's session id and login time), so a condition that persists
    over many polls maps to one incident.
    """

    kind: FindingKind
    dedup_key: str
    severity: Severity
    title: str
    root_cause: str
    session_id: int | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
