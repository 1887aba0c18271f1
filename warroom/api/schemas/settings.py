"""The engine settings a client needs to draw what the engine reports."""

from __future__ import annotations

from typing import Any

import msgspec

from engine.config.models import WarroomConfig
from engine.governance.export import PATIENT_COLUMNS, PATIENTS_TABLE


class MonitorSettings(msgspec.Struct):
    poll_interval_seconds: float
    history_minutes: int


class JobSettings(msgspec.Struct):
    name: str
    cron: str
    action: str
    enabled: bool


class ValidationRuleSettings(msgspec.Struct):
    name: str
    table: str
    type: str
    column: str | None
    severity: str


class MaskRuleSettings(msgspec.Struct):
    """The masked export's rule for one column. ``rule`` is ``full``,
    ``partial`` (which keeps ``keep_first`` leading and ``keep_last`` trailing
    characters) or ``hash`` (HMAC-SHA256 under the engine's secret)."""

    rule: str
    keep_first: int
    keep_last: int
    mask_char: str


class RemediationSettings(msgspec.Struct):
    auto: bool
    """The playbook runs as soon as an incident opens."""
    dry_run: bool
    """A remediation that does not choose (automatic, the TUI's or dashboard's
    confirmed run, a request without dry_run) is a dry run."""


class GovernanceSettings(msgspec.Struct):
    min_confidence: float
    """A column at or above this classifier confidence looks like PHI."""
    masking: dict[str, dict[str, MaskRuleSettings]]
    """schema.table to column to the masked export's rule."""
    exported: dict[str, list[str]] = msgspec.field(default_factory=dict)
    """schema.table to the columns the masked export writes. A PHI column
    outside these is not exported, so it needs no rule."""


class SettingsOut(msgspec.Struct):
    """The engine's settings: its poll interval, the thresholds behind each
    finding and card state, the remediation defaults, the jobs, the
    validation rules and the PHI mask rules. Secrets (the target URL, the API
    token, the mask secret) and job or rule parameters are left out."""

    target: str
    monitor: MonitorSettings
    thresholds: dict[str, Any]
    """The thresholds section of config/warroom.yaml, every key present."""
    remediation: RemediationSettings
    jobs: list[JobSettings]
    validation_rules: list[ValidationRuleSettings]
    governance: GovernanceSettings


def settings_out(config: WarroomConfig) -> SettingsOut:
    monitor = config.warroom.monitor
    return SettingsOut(
        target=config.target.name,
        monitor=MonitorSettings(
            poll_interval_seconds=monitor.poll_interval_seconds,
            history_minutes=monitor.history_minutes,
        ),
        thresholds=config.warroom.thresholds.model_dump(mode="json"),
        remediation=RemediationSettings(
            auto=config.warroom.remediation.auto,
            dry_run=config.warroom.remediation.dry_run,
        ),
        jobs=[
            JobSettings(
                name=job.name, cron=job.cron, action=job.action, enabled=job.enabled
            )
            for job in config.jobs.jobs
        ],
        validation_rules=[
            ValidationRuleSettings(
                name=rule.name,
                table=rule.table,
                type=rule.type,
                column=rule.column,
                severity=rule.severity,
            )
            for rule in config.validation.rules
        ],
        governance=_governance_settings(config),
    )


def _governance_settings(config: WarroomConfig) -> GovernanceSettings:
    governance = config.warroom.governance
    return GovernanceSettings(
        min_confidence=governance.min_confidence,
        masking={
            table: {
                column: MaskRuleSettings(
                    rule=rule.rule,
                    keep_first=rule.keep_first,
                    keep_last=rule.keep_last,
                    mask_char=rule.mask_char,
                )
                for column, rule in columns.items()
            }
            for table, columns in governance.masking.items()
        },
        exported={PATIENTS_TABLE: list(PATIENT_COLUMNS)},
    )
