"""The engine settings a client needs to draw what the engine reports."""

from __future__ import annotations

from typing import Any

import msgspec

from engine.config.models import WarroomConfig


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


class SettingsOut(msgspec.Struct):
    """The engine's settings: its poll interval, the thresholds behind each
    finding and card state, the jobs and the validation rules. Secrets
    (the target URL, the API token) and job or rule parameters are left out."""

    target: str
    monitor: MonitorSettings
    thresholds: dict[str, Any]
    """The thresholds section of config/warroom.yaml, every key present."""
    jobs: list[JobSettings]
    validation_rules: list[ValidationRuleSettings]


def settings_out(config: WarroomConfig) -> SettingsOut:
    monitor = config.warroom.monitor
    return SettingsOut(
        target=config.target.name,
        monitor=MonitorSettings(
            poll_interval_seconds=monitor.poll_interval_seconds,
            history_minutes=monitor.history_minutes,
        ),
        thresholds=config.warroom.thresholds.model_dump(mode="json"),
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
    )
