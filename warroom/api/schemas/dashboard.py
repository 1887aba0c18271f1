"""The war room screen in one body: metric cards, incidents, jobs, validation,
chaos and recent postmortems."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import msgspec

# The TUI's card rules, shared so the browser and the terminal agree on each
# card's state. The module is plain data and imports no Textual.
from engine.incidents.models import PostmortemSummary as Summary
from engine.jobs.models import JobState
from engine.monitor.cards import UNKNOWN, CardView, cards_of
from engine.service import Engine
from engine.store.drills import DrillRecord
from engine.validation.models import RuleResult, Scorecard
from warroom.api.schemas.chaos import ChaosOut, ScenarioOut, drill_out, scenario_out
from warroom.api.schemas.health import HealthStatus, health_status
from warroom.api.schemas.healthcare import HealthcareOut, healthcare_out
from warroom.api.schemas.incidents import IncidentOut, incident_out

CardState = Literal["ok", "warn", "critical", "na"]

# Card key to the MetricHistory series it shows.
_CARD_SERIES = {
    "cpu": "cpu_percent",
    "memory": "memory_percent",
    "connections": "connections",
    "blocking": "blocked_sessions",
    "long_queries": "long_queries",
}
_CARD_UNITS = {
    "cpu": "%",
    "memory": "%",
    "connections": "sessions",
    "blocking": "sessions",
    "long_queries": "queries",
}


class MetricCard(msgspec.Struct):
    """One headline figure, its threshold state and its recent history."""

    key: str
    label: str
    unit: str
    value: float | None
    reason: str | None
    """Why the value is null (n/a): the target does not report it, or no poll
    has completed yet."""
    state: CardState
    detail: str
    history: list[float | None]
    """Oldest first, one value per poll; null where the poll had no value."""


class JobOut(msgspec.Struct):
    name: str
    cron: str
    timezone: str
    action: str
    enabled: bool
    critical: bool
    running: bool
    next_run_at: datetime | None
    """null for a disabled job or while the scheduler is stopped."""
    last_status: str | None
    """The newest run's status: succeeded, failed, timed_out, missed, ..."""
    last_run_at: datetime | None


class JobsPanel(msgspec.Struct):
    configured: bool
    message: str | None
    jobs: list[JobOut]


class FailingRule(msgspec.Struct):
    """A rule that failed in the last run. GET /api/validation/scorecard
    returns its detail and sample keys."""

    rule: str
    table: str
    severity: str
    violations: int


class ValidationPanel(msgspec.Struct):
    configured: bool
    message: str | None
    """The score in one sentence, or why there is none."""
    rules: int
    interval_seconds: float
    run_at: datetime | None
    """When the last run of the rules started; null before the first run."""
    passed: int
    evaluated: int
    pass_percent: float | None
    """Passed rules as a share of evaluated ones; null when none was evaluated."""
    not_evaluated: int
    """Rules whose custom query returned NULL or no row, or whose freshness
    column had no value: neither a pass nor a fail."""
    errors: int
    """Rules that could not run."""
    error: str | None
    """The reason the last data check cycle was incomplete, or null."""
    failing: list[FailingRule]
    """Failed rules, critical first, then by violation count."""


class PostmortemSummary(msgspec.Struct):
    incident_id: int
    title: str
    kind: str
    written_at: datetime | None
    seconds_to_detect: float | None
    seconds_to_resolve: float | None


class DashboardOut(msgspec.Struct):
    generated_at: datetime
    target: str
    status: HealthStatus
    last_poll_at: datetime | None
    last_error: str | None
    cards: list[MetricCard]
    healthcare: HealthcareOut
    """The healthcare figures of the last read, as GET /api/healthcare returns
    them."""
    open_incidents: list[IncidentOut]
    jobs: JobsPanel
    validation: ValidationPanel
    chaos: ChaosOut
    recent_postmortems: list[PostmortemSummary]


class _DashboardJson(msgspec.Struct):
    """DashboardOut with the cached panels already encoded. It encodes to the
    same JSON: the fields, their order and the encoded types are the same."""

    generated_at: datetime
    target: str
    status: HealthStatus
    last_poll_at: datetime | None
    last_error: str | None
    cards: msgspec.Raw
    healthcare: msgspec.Raw
    open_incidents: msgspec.Raw
    jobs: msgspec.Raw
    validation: msgspec.Raw
    chaos: ChaosOut
    recent_postmortems: msgspec.Raw


@dataclass(frozen=True)
class _Panels:
    """The dashboard panels that change only when the engine publishes an
    event, encoded once. Building them reads SQLite, and encoding the cards'
    history (up to monitor.history_minutes of polls) grows with its length."""

    sequence: int
    built_at: datetime
    cards: msgspec.Raw
    healthcare: msgspec.Raw
    open_incidents: msgspec.Raw
    jobs: msgspec.Raw
    validation: msgspec.Raw
    scenarios: list[ScenarioOut]
    recent_postmortems: msgspec.Raw


# One entry per engine, rebuilt when the engine's bus has published an event
# since. The engine changes incidents, postmortems, drills, the metric history
# and the healthcare figures only in a step of the event loop that also
# publishes an event (with no await in between), so a request reads panels as
# of the latest event.
_panels_by_engine: weakref.WeakKeyDictionary[Engine, _Panels] = (
    weakref.WeakKeyDictionary()
)
_encoder = msgspec.json.Encoder()


def dashboard_json(engine: Engine) -> bytes:
    """Encode the dashboard as a DashboardOut: the cached panels plus the parts
    that change without an event (the time, the engine's status, the running
    drill and the cooldowns)."""
    panels = _panels(engine)
    poll = engine.last_poll
    now = datetime.now(UTC)
    current = engine.current_drill
    body = _DashboardJson(
        generated_at=now,
        target=engine.target_name,
        status=health_status(engine),
        last_poll_at=poll.snapshot.taken_at if poll else None,
        last_error=engine.last_error,
        cards=panels.cards,
        healthcare=panels.healthcare,
        open_incidents=panels.open_incidents,
        jobs=panels.jobs,
        validation=panels.validation,
        chaos=ChaosOut(
            allowed=engine.config.target.chaos_allowed,
            scenarios=[
                _scenario_now(scenario, current, now - panels.built_at)
                for scenario in panels.scenarios
            ],
            running=drill_out(current) if current else None,
        ),
        recent_postmortems=panels.recent_postmortems,
    )
    return _encoder.encode(body)


def _panels(engine: Engine) -> _Panels:
    sequence = engine.bus.sequence
    panels = _panels_by_engine.get(engine)
    if panels is not None and panels.sequence == sequence:
        return panels
    incidents = [incident_out(incident) for incident in engine.open_incidents()]
    postmortems = postmortem_summaries(engine.recent_postmortems(10))
    # The cooldowns run down from built_at, so read them right after it and
    # not after the other panels, which can take a while under load.
    built_at = datetime.now(UTC)
    scenarios = [scenario_out(state) for state in engine.scenarios()]
    panels = _Panels(
        sequence=sequence,
        built_at=built_at,
        cards=_raw(metric_cards(engine)),
        healthcare=_raw(healthcare_out(engine)),
        open_incidents=_raw(incidents),
        jobs=_raw(jobs_panel(engine)),
        validation=_raw(validation_panel(engine)),
        scenarios=scenarios,
        recent_postmortems=_raw(postmortems),
    )
    _panels_by_engine[engine] = panels
    return panels


def _raw(value: object) -> msgspec.Raw:
    return msgspec.Raw(_encoder.encode(value))


def _scenario_now(
    scenario: ScenarioOut, current: DrillRecord | None, elapsed: timedelta
) -> ScenarioOut:
    # A cooldown runs down with time alone; a drill that ends restarts it and
    # publishes an event, which rebuilds the panels.
    remaining = scenario.cooldown_remaining_seconds
    if remaining > 0:
        remaining = max(0.0, remaining - elapsed.total_seconds())
    running = current is not None and current.scenario == scenario.name
    if remaining == scenario.cooldown_remaining_seconds and running == scenario.running:
        return scenario
    return msgspec.structs.replace(
        scenario, cooldown_remaining_seconds=remaining, running=running
    )


def metric_cards(engine: Engine) -> list[MetricCard]:
    snapshot = engine.last_poll.snapshot if engine.last_poll else None
    history = {name: engine.history.series(name) for name in _CARD_SERIES.values()}
    views = cards_of(snapshot, history, engine.config.warroom.thresholds)
    return [_card(view, history[_CARD_SERIES[view.key]]) for view in views]


def _card(view: CardView, series: list[float | None]) -> MetricCard:
    latest = series[-1] if series else None
    if view.state == UNKNOWN or latest is None:
        # The card rules put the reason a figure is missing in the detail.
        return MetricCard(
            key=view.key,
            label=view.label,
            unit=_CARD_UNITS[view.key],
            value=None,
            reason=view.detail or "no poll yet",
            state="na",
            detail=view.detail,
            history=series,
        )
    return MetricCard(
        key=view.key,
        label=view.label,
        unit=_CARD_UNITS[view.key],
        value=float(latest),
        reason=None,
        state=view.state,  # type: ignore[arg-type]
        detail=view.detail,
        history=series,
    )


def jobs_panel(engine: Engine) -> JobsPanel:
    states = engine.list_jobs()
    if not states:
        return JobsPanel(configured=False, message="not configured yet", jobs=[])
    return JobsPanel(
        configured=True, message=None, jobs=[_job(state) for state in states]
    )


def _job(state: JobState) -> JobOut:
    # A JobRun event marks each start and end of a run, and APScheduler has
    # moved next_run_at on before the run starts, so the cached panel stays
    # current.
    last = state.last_run
    return JobOut(
        name=state.name,
        cron=state.cron,
        timezone=state.timezone,
        action=state.action,
        enabled=state.enabled,
        critical=state.critical,
        running=state.running,
        next_run_at=state.next_run_at,
        last_status=str(last.status) if last else None,
        last_run_at=(last.started_at or last.ended_at) if last else None,
    )


def validation_panel(engine: Engine) -> ValidationPanel:
    settings = engine.config.validation
    card = engine.checks.scorecard
    outcomes = [result.outcome for result in card.results] if card else []
    return ValidationPanel(
        configured=bool(settings.rules),
        message=_validation_message(len(settings.rules), card),
        rules=len(settings.rules),
        interval_seconds=settings.interval_seconds,
        run_at=card.run_at if card else None,
        passed=card.passed if card else 0,
        evaluated=card.evaluated if card else 0,
        pass_percent=card.pass_percent if card else None,
        not_evaluated=outcomes.count("not evaluated"),
        errors=card.errors if card else 0,
        error=engine.checks.error,
        failing=[_failing(result) for result in _failing_order(card)],
    )


def _validation_message(rules: int, card: Scorecard | None) -> str:
    if not rules:
        return "no rules configured in config/validation_rules.yaml"
    if card is None:
        return "no validation run yet"
    message = f"{card.passed} of {card.evaluated} evaluated rule(s) pass"
    if card.pass_percent is not None:
        message += f" ({card.pass_percent:.0f} %)"
    return message


def _failing_order(card: Scorecard | None) -> list[RuleResult]:
    if card is None:
        return []
    severity_rank = {"critical": 0, "warning": 1}
    return sorted(
        card.failed,
        key=lambda result: (
            severity_rank.get(result.severity, 2),
            -result.violations,
            result.rule,
        ),
    )


def _failing(result: RuleResult) -> FailingRule:
    return FailingRule(
        rule=result.rule,
        table=result.table,
        severity=result.severity,
        violations=result.violations,
    )


def postmortem_summaries(rows: list[Summary]) -> list[PostmortemSummary]:
    return [
        PostmortemSummary(
            incident_id=row.incident_id,
            title=row.title,
            kind=row.kind,
            written_at=row.written_at,
            seconds_to_detect=row.seconds_to_detect,
            seconds_to_resolve=row.seconds_to_resolve,
        )
        for row in rows
    ]
