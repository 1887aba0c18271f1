"""Unusual reads of patient records in the PHI access log, found by
``phi_access_anomalies`` in sql/<dialect>/checks.sql."""

from __future__ import annotations

from engine.config.models import PhiAuditConfig
from engine.monitor.findings import Finding, FindingKind, Severity
from engine.targets.base import Target
from engine.targets.sqlfiles import load_statement


def dedup_key(user_name: str) -> str:
    return f"phi_access:{user_name}"


async def phi_anomalies(target: Target, config: PhiAuditConfig) -> list[Finding]:
    rows = await target.fetch(
        load_statement(target.dialect.name, "checks", "phi_access_anomalies"),
        {"window_minutes": config.window_minutes, "max_patients": config.max_patients},
    )
    findings = []
    for user_name, reads, patients, first_at, last_at in rows:
        findings.append(
            Finding(
                kind=FindingKind.PHI_ACCESS,
                dedup_key=dedup_key(user_name),
                severity=Severity.CRITICAL,
                title=f"PHI access: {user_name} read {int(patients)} patients' "
                f"records in {config.window_minutes} min",
                root_cause=(
                    f"{user_name} made {int(reads)} reads of {int(patients)} "
                    f"different patients between {first_at.isoformat()} and "
                    f"{last_at.isoformat()}, at or over the limit of "
                    f"{config.max_patients}; a possible exposure of PHI"
                ),
                metrics={
                    "user_name": user_name,
                    "reads": int(reads),
                    "patients": int(patients),
                    "first_read_at": first_at.isoformat(),
                },
            )
        )
    return findings
