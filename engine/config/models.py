"""Pydantic models for the config files.

Every model forbids unknown keys, so a typo such as ``pol_interval_seconds``
is reported instead of silently ignored.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseConfig(_Strict):
    """A SQL Server target given field by field instead of as a URL."""

    kind: Literal["mssql"] = Field(
        default="mssql",
        description="Only SQL Server; give a PostgreSQL target as target.url.",
    )
    host: str = Field(min_length=1)
    port: int = Field(default=1433, ge=1, le=65535)
    database: str = Field(min_length=1)
    user: str = Field(min_length=1)
    password_env: str = Field(
        default="WARROOM_MSSQL_PASSWORD",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="Environment variable that contains the password.",
    )
    encrypt: Literal["yes", "no", "strict"] = "yes"
    trust_server_certificate: bool = False
    driver: str = Field(default="ODBC Driver 18 for SQL Server", min_length=1)
    connect_timeout_seconds: float | None = Field(
        default=None, gt=0, description="Unset: target.connect_timeout_seconds."
    )
    query_timeout_seconds: float | None = Field(
        default=None, gt=0, description="Unset: target.statement_timeout_seconds."
    )

    @field_validator("encrypt", mode="before")
    @classmethod
    def _yaml_boolean_encrypt(cls, value: Any) -> Any:
        # YAML reads a bare yes or no as a boolean.
        if isinstance(value, bool):
            return "yes" if value else "no"
        return value


class TargetConfig(_Strict):
    """The monitored database."""

    name: str = "demo"
    url: str | None = Field(
        default=None,
        description=(
            "postgresql:// or mssql:// URL; empty (and no database block) means "
            "the embedded demo server."
        ),
    )
    database: DatabaseConfig | None = Field(
        default=None, description="A SQL Server target; replaces url."
    )
    allow_chaos: bool | None = Field(
        default=None,
        description="Chaos drills may run here; unset means embedded only.",
    )
    allow_cross_database_kill: bool = False
    connect_timeout_seconds: float = Field(default=5.0, gt=0)
    statement_timeout_seconds: float = Field(default=5.0, gt=0)

    @model_validator(mode="after")
    def _blank_url_is_embedded(self) -> TargetConfig:
        if self.url is not None and not self.url.strip():
            self.url = None
        if self.url is not None and self.database is not None:
            raise ValueError(
                "target.url and target.database both name a target; keep one"
            )
        return self

    @property
    def is_embedded(self) -> bool:
        return self.url is None and self.database is None

    @property
    def chaos_allowed(self) -> bool:
        if self.allow_chaos is None:
            return self.is_embedded
        return self.allow_chaos


class MonitorConfig(_Strict):
    poll_interval_seconds: float = Field(default=1.0, ge=0.1, le=300)
    history_minutes: int = Field(default=10, ge=1, le=1440)
    snapshot_retention_hours: float = Field(default=24.0, gt=0)


class ThresholdsConfig(_Strict):
    """Limits past which a poll produces a finding."""

    blocked_wait_seconds: float = Field(default=0.5, ge=0)
    long_query_seconds: float = Field(default=30.0, gt=0)
    connections_warn: int = Field(default=50, ge=1)
    connections_warn_percent: float = Field(default=80.0, gt=0, le=100)
    idle_in_transaction_seconds: float = Field(default=60.0, gt=0)
    deadlocks_per_poll: int = Field(default=1, ge=1)
    cpu_percent: float = Field(default=90.0, gt=0, le=100)
    host_sustained_polls: int = Field(
        default=5, ge=1, description="Polls in a row over the CPU or memory limit."
    )
    memory_percent: float = Field(default=90.0, gt=0, le=100)
    temp_space_mb: float = Field(default=1024.0, gt=0)


class IncidentsConfig(_Strict):
    escalate_after_seconds: float = Field(default=900.0, gt=0)
    clear_polls: int = Field(
        default=3, ge=1, description="Polls without the finding before auto-resolve."
    )
    postmortem_dir: str | None = Field(
        default=None,
        description="Also write each postmortem to <dir>/incident-<id>.md.",
    )


class RemediationConfig(_Strict):
    auto: bool = Field(
        default=False, description="Run the playbook as soon as an incident opens."
    )
    dry_run: bool = False
    cleanup_stale_idle_seconds: float = Field(default=1.0, ge=0)


class SlaConfig(_Strict):
    """Time to resolve each incident severity should stay within, from detection."""

    critical_minutes: float = Field(default=60.0, gt=0)
    warning_minutes: float = Field(default=240.0, gt=0)

    def target_minutes(self, severity: str) -> float | None:
        """Return the target for ``severity``, or None for a severity without one."""
        return {"critical": self.critical_minutes, "warning": self.warning_minutes}.get(
            severity
        )


class HealthcareConfig(_Strict):
    """Limits on the pharmacy-claims figures, read every ``refresh_seconds``."""

    enabled: bool = True
    refresh_seconds: float = Field(
        default=60.0, gt=0, description="Seconds between two reads of the figures."
    )
    window_minutes: int = Field(
        default=60, ge=1, le=1440, description="Window of the rejection rate."
    )
    min_sample: int = Field(
        default=20,
        ge=1,
        description=(
            "Claims needed for a rate (adjudicated in the window for the "
            "rejection rate, paid today for the generic rate); fewer is n/a."
        ),
    )
    rejection_rate_percent: float = Field(default=15.0, gt=0, le=100)
    generic_dispensing_min_percent: float = Field(default=70.0, ge=0, le=100)
    pdc_threshold: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="A patient is adherent with at least this PDC in every class.",
    )
    adherent_patients_min_percent: float = Field(default=35.0, ge=0, le=100)
    adherence_max_age_days: int = Field(
        default=3,
        ge=1,
        description=(
            "An adherence period that ended longer ago than this is stale, and "
            "the figure is n/a."
        ),
    )
    claims_today_min: int = Field(
        default=100, ge=0, description="Fewer claims received today is low volume."
    )
    claims_today_from_hour: int = Field(
        default=2,
        ge=0,
        le=23,
        description="UTC hour from which claims_today_min applies.",
    )
    claim_burst_minutes: int = Field(
        default=2,
        ge=1,
        le=60,
        description="Window of the claim burst check, run with the validation rules.",
    )
    claim_burst_max: int = Field(
        default=60,
        ge=1,
        description="More claims than this from one pharmacy in the window is a burst.",
    )


class PhiAuditConfig(_Strict):
    """The PHI access audit, run with the validation rules."""

    enabled: bool = True
    window_minutes: int = Field(default=15, ge=1, le=1440)
    max_patients: int = Field(
        default=50,
        ge=2,
        description=(
            "A user who reads this many different patients' records in the "
            "window is an anomaly."
        ),
    )


class MaskRuleConfig(_Strict):
    """How the masked export writes one column.

    ``full`` replaces the value with eight ``mask_char``, whatever its
    length. ``partial`` keeps ``keep_first`` leading and ``keep_last``
    trailing characters and masks the rest. ``hash`` writes HMAC-SHA256 of
    the value under governance.hash_secret as 64 hex digits.
    """

    rule: Literal["full", "partial", "hash"]
    keep_first: int = Field(default=0, ge=0, le=64)
    keep_last: int = Field(default=0, ge=0, le=64)
    mask_char: str = Field(default="*", min_length=1, max_length=1)

    @model_validator(mode="after")
    def _partial_keeps_something(self) -> MaskRuleConfig:
        keeps = self.keep_first or self.keep_last
        if self.rule == "partial" and not keeps:
            raise ValueError("a partial rule needs keep_first or keep_last above 0")
        if self.rule != "partial" and keeps:
            raise ValueError("keep_first and keep_last apply to partial rules only")
        return self


# The categories a column may be classified as: a PHI category of
# engine.governance.classifier.PhiCategory, or ``none`` for no PHI.
ColumnCategory = Literal[
    "person_name",
    "date_of_birth",
    "ssn",
    "phone",
    "email",
    "address",
    "zip_code",
    "member_id",
    "medical_record_number",
    "none",
]


class GovernanceConfig(_Strict):
    """The catalog scan, PHI classification and the masked export."""

    scan_interval_seconds: float = Field(
        default=3600,
        ge=0,
        description="Seconds between catalog scans; 0 scans only on request.",
    )
    sample_rows: int = Field(
        default=100,
        ge=0,
        le=10_000,
        description="Rows read per table to confirm a classification; 0 reads none.",
    )
    min_confidence: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="A column at or above this confidence looks like PHI.",
    )
    accept_first_scan: bool = Field(
        default=True,
        description=(
            "Record the first scan's detections as classifications, so only "
            "PHI columns added later open governance findings."
        ),
    )
    exclude_schemas: list[str] = Field(
        default_factory=list, description="Schemas the scan skips."
    )
    hash_secret: str | None = Field(
        default=None,
        description="Key of the HMAC-SHA256 hash rule; unset rejects hash exports.",
    )
    export_batch_rows: int = Field(
        default=500,
        ge=1,
        le=100_000,
        description="Rows the masked export reads per query.",
    )
    masking: dict[str, dict[str, MaskRuleConfig]] = Field(
        default_factory=dict,
        description="schema.table to column to its mask rule.",
    )
    classifications: dict[str, dict[str, ColumnCategory]] = Field(
        default_factory=dict,
        description=(
            "schema.table to column to its category, recorded at every scan "
            "for a column that no person has classified."
        ),
    )

    @field_validator("classifications")
    @classmethod
    def _tables_have_schemas(
        cls, value: dict[str, dict[str, str]]
    ) -> dict[str, dict[str, str]]:
        for table in value:
            schema, dot, name = table.partition(".")
            if not dot or not schema or not name:
                raise ValueError(
                    f"table {table!r} is missing its schema; write schema.table"
                )
        return value

    @model_validator(mode="after")
    def _blank_secret_is_none(self) -> GovernanceConfig:
        if self.hash_secret is not None and not self.hash_secret.strip():
            self.hash_secret = None
        return self


class SidecarConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    token: str | None = None

    @model_validator(mode="after")
    def _blank_token_is_none(self) -> SidecarConfig:
        if self.token is not None and not self.token.strip():
            self.token = None
        return self


class WarroomFile(_Strict):
    """config/warroom.yaml."""

    target: TargetConfig = TargetConfig()
    monitor: MonitorConfig = MonitorConfig()
    thresholds: ThresholdsConfig = ThresholdsConfig()
    incidents: IncidentsConfig = IncidentsConfig()
    remediation: RemediationConfig = RemediationConfig()
    sla: SlaConfig = SlaConfig()
    healthcare: HealthcareConfig = HealthcareConfig()
    phi_audit: PhiAuditConfig = PhiAuditConfig()
    governance: GovernanceConfig = GovernanceConfig()
    sidecar: SidecarConfig = SidecarConfig()
    keys: dict[str, str] = Field(
        default_factory=dict, description="Action name to key, overriding defaults."
    )


# The actions engine.jobs.actions implements; a test keeps the two equal.
KNOWN_JOB_ACTIONS = (
    "health_snapshot",
    "cleanup_stale_sessions",
    "snapshot_retention",
    "statistics_maintenance",
    "catalog_scan",
    "validation_run",
    "etl_adherence",
    "etl_dim_patient",
    "etl_claim_ingestion",
    "etl_summaries",
    "etl_warehouse",
    "etl_incident_metrics",
    "phi_audit",
    "data_layer",
)


class JobConfig(_Strict):
    """One scheduled job: a standard five-field crontab line in a named zone."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    cron: str = Field(min_length=1, description="Standard crontab: 0 and 7 are Sunday.")
    timezone: str = Field(default="UTC", description="IANA zone, e.g. Europe/Paris.")
    action: str
    enabled: bool = True
    critical: bool = Field(
        default=False,
        description="A failed, timed-out or missed run opens an incident.",
    )
    timeout_seconds: float = Field(default=300.0, gt=0)
    description: str = ""
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as "
                "UTC or America/New_York"
            ) from None
        return value

    @field_validator("action")
    @classmethod
    def _known_action(cls, value: str) -> str:
        if value not in KNOWN_JOB_ACTIONS:
            raise ValueError(
                f"unknown action {value!r}; the known ones are "
                f"{', '.join(KNOWN_JOB_ACTIONS)}"
            )
        return value

    @model_validator(mode="after")
    def _valid_cron(self) -> JobConfig:
        # Imported here because engine.jobs imports this module.
        from engine.jobs.cron import build_trigger

        build_trigger(self.cron, self.timezone)
        return self


class JobsConfig(_Strict):
    """config/jobs.yaml."""

    misfire_grace_seconds: float = Field(
        default=60.0,
        gt=0,
        description="A run that starts later than this after its time is missed.",
    )
    jobs: list[JobConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> JobsConfig:
        names = [job.name for job in self.jobs]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"job name(s) used twice: {', '.join(repeated)}")
        return self


class ValidationRuleConfig(_Strict):
    """One rule as written; ``typed()`` is its parsed form."""

    name: str
    table: str = Field(description="schema.table")
    type: str
    column: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    severity: Literal["warning", "critical"] = "warning"
    description: str = ""

    @model_validator(mode="after")
    def _parses(self) -> ValidationRuleConfig:
        self.typed()
        return self

    def typed(self):
        """Return the engine.validation.rules object; raise RuleError."""
        from engine.validation.rules import parse_rule

        return parse_rule(
            self.name, self.table, self.type, self.column, self.params, self.severity
        )


class ValidationConfig(_Strict):
    """config/validation_rules.yaml."""

    interval_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How often the rules, the PHI audit and the claim burst run.",
    )
    statement_timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        description=(
            "Time limit of each validation statement. The rules run on a "
            "session of their own, apart from target.statement_timeout_seconds, "
            "so a scan of a large table can take longer than a poll's query."
        ),
    )
    lock_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description=(
            "How long a validation statement waits for a lock (a migration's "
            "ALTER TABLE) before its rules err with a lock wait, instead of "
            "holding the whole run until the statement timeout."
        ),
    )
    max_samples: int = Field(default=10, ge=0, le=100)
    error_runs: int = Field(
        default=3,
        ge=1,
        description=(
            "Runs in a row in which a rule errs (a timeout, a lock, a table "
            "gone) before a validation_error incident opens for it; while it "
            "errs, nobody knows whether its data is right."
        ),
    )
    rules: list[ValidationRuleConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> ValidationConfig:
        names = [rule.name for rule in self.rules]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"rule name(s) used twice: {', '.join(repeated)}")
        return self


PlaybookAction = Literal[
    "kill_blocking_session",
    "terminate_idle_transaction",
    "cleanup_stale",
    "cancel_long_query",
    "acknowledge",
    "restart_job",
    "quarantine_data",
    "suspend_phi_access",
    "revert_formulary",
]


class PlaybookEntry(_Strict):
    """The action for one kind of incident, with its parameters."""

    action: PlaybookAction
    reason: str = Field(
        default="", description="acknowledge: why there is nothing to do."
    )
    params: dict[str, Any] = Field(default_factory=dict)


def _default_playbook() -> dict[str, PlaybookEntry]:
    return {
        "blocking": PlaybookEntry(action="kill_blocking_session"),
        "idle_in_transaction": PlaybookEntry(action="terminate_idle_transaction"),
        "connections": PlaybookEntry(action="cleanup_stale"),
        "long_query": PlaybookEntry(action="cancel_long_query"),
        "deadlock": PlaybookEntry(
            action="acknowledge",
            reason=(
                "the server rolls back a deadlock victim after deadlock_timeout; "
                "nothing to kill"
            ),
        ),
        "job_failure": PlaybookEntry(
            action="restart_job", params={"attempts": 3, "delay_seconds": 2}
        ),
        "validation": PlaybookEntry(
            action="quarantine_data", params={"max_rows": 1000}
        ),
        "claim_volume": PlaybookEntry(
            action="quarantine_data", params={"max_rows": 1000}
        ),
        "phi_access": PlaybookEntry(action="suspend_phi_access"),
    }


class PlaybookConfig(_Strict):
    """config/playbook.yaml: incident kind to remediation action."""

    kinds: dict[str, PlaybookEntry] = Field(default_factory=_default_playbook)
    rules: dict[str, PlaybookEntry] = Field(
        default_factory=lambda: {
            "formulary_generics_preferred": PlaybookEntry(action="revert_formulary")
        },
        description="Validation rule name to the action for its incidents, in "
        "place of the validation kind's action.",
    )


class ScenarioConfig(_Strict):
    enabled: bool = True
    description: str = ""
    cooldown_seconds: float = Field(default=30.0, ge=0)
    max_duration_seconds: float = Field(default=120.0, gt=0)
    params: dict[str, Any] = Field(default_factory=dict)


# The scenarios engine.chaos.scenarios implements; a test keeps the two equal.
KNOWN_SCENARIOS = (
    "long_running_query",
    "connection_flood",
    "deadlock",
    "data_corruption",
    "orphaned_records",
    "job_failure",
    "claim_volume_spike",
    "phi_exposure",
    "formulary_change",
)


class ChaosConfig(_Strict):
    """config/chaos_scenarios.yaml.

    A scenario the file leaves out runs with the defaults. A name the engine
    does not know is an error, so a typo cannot silently disable a scenario.
    """

    scenarios: dict[str, ScenarioConfig] = Field(default_factory=dict)
    kill_switch_severity: Literal["warning", "critical"] = Field(
        default="critical",
        description=(
            "While an incident no drill caused is open at this severity or "
            "above, drills are rejected and a running drill is rolled back."
        ),
    )

    @model_validator(mode="after")
    def _known_scenarios(self) -> ChaosConfig:
        unknown = sorted(set(self.scenarios) - set(KNOWN_SCENARIOS))
        if unknown:
            raise ValueError(
                f"unknown scenario(s) {', '.join(unknown)}; the known ones are "
                f"{', '.join(KNOWN_SCENARIOS)}"
            )
        for name in KNOWN_SCENARIOS:
            self.scenarios.setdefault(name, ScenarioConfig())
        return self


class WarroomConfig(BaseModel):
    """All the files, loaded and validated together."""

    warroom: WarroomFile = WarroomFile()
    jobs: JobsConfig = JobsConfig()
    validation: ValidationConfig = ValidationConfig()
    chaos: ChaosConfig = ChaosConfig()
    playbook: PlaybookConfig = PlaybookConfig()

    @property
    def target(self) -> TargetConfig:
        return self.warroom.target
