"""A burst of claims from one pharmacy: a resubmitted batch or a looping
client, found by ``claim_burst`` in sql/<dialect>/checks.sql."""

from __future__ import annotations

from engine.config.models import HealthcareConfig
from engine.monitor.findings import Finding, FindingKind, Severity
from engine.targets.base import Target
from engine.targets.sqlfiles import load_statement


def dedup_key(pharmacy_id: int) -> str:
    return f"claim_volume:burst:{pharmacy_id}"


async def claim_bursts(target: Target, config: HealthcareConfig) -> list[Finding]:
    rows = await target.fetch(
        load_statement(target.dialect.name, "checks", "claim_burst"),
        {
            "burst_minutes": config.claim_burst_minutes,
            "burst_max": config.claim_burst_max,
        },
    )
    findings = []
    for pharmacy_id, claims, rejected, first_at, _read_at in rows:
        claims, rejected = int(claims), int(rejected or 0)
        findings.append(
            Finding(
                kind=FindingKind.CLAIM_VOLUME,
                dedup_key=dedup_key(int(pharmacy_id)),
                severity=Severity.WARNING,
                title=f"claim burst: pharmacy {pharmacy_id} sent {claims} claims "
                f"in {config.claim_burst_minutes} min",
                root_cause=(
                    f"pharmacy {pharmacy_id} submitted {claims} claims since "
                    f"{first_at.isoformat()} ({rejected} rejected), over the "
                    f"limit of {config.claim_burst_max}: a resubmitted batch or "
                    "a client in a loop"
                ),
                metrics={
                    "pharmacy_id": int(pharmacy_id),
                    "claims": claims,
                    "rejected": rejected,
                    "since": first_at.isoformat(),
                },
            )
        )
    return findings
