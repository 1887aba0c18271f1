"""Every error the API returns, as RFC 9457 problem details, mapped in one place.

Domain errors from the engine (unknown incident, forbidden transition,
interlock refusals, an unreachable target) and Litestar's own HTTP errors
(validation, auth, unknown route) all leave through ``EXCEPTION_HANDLERS``
with ``application/problem+json`` and a ``type``, ``title``, ``status`` and
``detail``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.plugins.problem_details import ProblemDetailsException

from engine.chaos.interlocks import (
    ChaosNotAllowed,
    CooldownActive,
    DrillAlreadyRunning,
    InterlockError,
    KillSwitchEngaged,
    UnknownScenario,
)
from engine.events import PollCompleted
from engine.incidents.models import (
    ALLOWED_TRANSITIONS,
    IncidentNotFound,
    InvalidTransition,
    PostmortemNotFound,
)
from engine.jobs.models import JobAlreadyRunning, JobNotFound
from engine.service import Engine
from engine.targets.base import TargetDataError, TargetError
from warroom.api.auth import ACTOR_HEADER
from warroom.api.schemas.common import PROBLEM_MEDIA_TYPE, FieldError, Problem

log = logging.getLogger(__name__)

PROBLEM_TYPE = "urn:warroom:problem:"


class TargetUnavailable(Exception):
    """The monitored target is unreachable or not polled yet (503)."""

    def __init__(self, detail: str, retry_after: float | None = None):
        super().__init__(detail)
        self.retry_after = retry_after


def require_poll(engine: Engine) -> PollCompleted:
    """Return the engine's last successful poll; raise TargetUnavailable if none."""
    if engine.last_poll is not None:
        return engine.last_poll
    interval = engine.config.warroom.monitor.poll_interval_seconds
    if engine.last_error is not None:
        raise TargetUnavailable(
            f"target {engine.target_name} is unreachable and no poll has "
            f"succeeded yet: {engine.last_error}",
            retry_after=interval,
        )
    raise TargetUnavailable(
        f"no poll of target {engine.target_name} has completed yet; "
        f"the engine polls every {interval:g} s",
        retry_after=interval,
    )


def require_reachable(engine: Engine) -> PollCompleted:
    """Return the last poll; raise TargetUnavailable if a later poll failed or
    none has completed for longer than the stale limit."""
    interval = engine.config.warroom.monitor.poll_interval_seconds
    if engine.last_error is not None:
        raise TargetUnavailable(
            f"target {engine.target_name} is unreachable: {engine.last_error}",
            retry_after=interval,
        )
    stale = engine.stale_poll_age()
    if stale is not None:
        raise TargetUnavailable(
            f"no poll of target {engine.target_name} has completed for "
            f"{stale:.0f} s (it polls every {interval:g} s): the target may be "
            "hung, and a poll in progress fails after the statement timeout",
            retry_after=interval,
        )
    return require_poll(engine)


def _problem(
    status: int,
    slug: str | None,
    detail: str,
    *,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> ProblemDetailsException:
    return ProblemDetailsException(
        status_code=status,
        type_=f"{PROBLEM_TYPE}{slug}" if slug else "about:blank",
        title=title or HTTPStatus(status).phrase,
        detail=detail,
        headers=headers,
        extra={key: value for key, value in extra.items() if value is not None},
    )


def _retry_after(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


# -- engine errors -----------------------------------------------------------


def _incident_not_found(error: IncidentNotFound) -> ProblemDetailsException:
    return _problem(
        404,
        "incident-not-found",
        str(error),
        title="Incident not found",
        incident_id=error.incident_id,
    )


def _invalid_transition(error: InvalidTransition) -> ProblemDetailsException:
    return _problem(
        409,
        "invalid-transition",
        str(error),
        title="Status change not allowed",
        incident_id=error.incident_id,
        current_status=str(error.current),
        allowed_statuses=sorted(ALLOWED_TRANSITIONS[error.current]),
    )


def _postmortem_not_found(error: PostmortemNotFound) -> ProblemDetailsException:
    return _problem(409, "postmortem-not-written", str(error), title="Incident open")


def _cooldown(error: CooldownActive) -> ProblemDetailsException:
    seconds = max(1, math.ceil(error.remaining))
    return _problem(
        409,
        "cooldown-active",
        f"{error}; retry in {seconds} s",
        title="Scenario cooling down",
        headers=_retry_after(error.remaining),
        retry_after_seconds=seconds,
    )


def _drill_running(error: DrillAlreadyRunning) -> ProblemDetailsException:
    return _problem(409, "drill-running", str(error), title="Drill already running")


def _chaos_not_allowed(error: ChaosNotAllowed) -> ProblemDetailsException:
    return _problem(409, "chaos-not-allowed", str(error), title="Chaos not allowed")


def _no_scenario(error: UnknownScenario) -> ProblemDetailsException:
    # Trigger requests name a scenario from the schema's enum, so the engine
    # raises this for a scenario missing from the config, or from a random
    # pick when every scenario is cooling down.
    return _problem(409, "no-scenario", str(error), title="No scenario can start")


def _job_not_found(error: JobNotFound) -> ProblemDetailsException:
    return _problem(404, "job-not-found", str(error), title="Job not found")


def _job_running(error: JobAlreadyRunning) -> ProblemDetailsException:
    return _problem(409, "job-running", str(error), title="Job already running")


def _kill_switch(error: KillSwitchEngaged) -> ProblemDetailsException:
    return _problem(
        409,
        "kill-switch",
        str(error),
        title="Drills stopped by an open incident",
        incident_id=error.incident_id,
    )


def _interlock(error: InterlockError) -> ProblemDetailsException:
    return _problem(409, "interlock", str(error), title="Drill rejected")


def _target_error(error: TargetError) -> ProblemDetailsException:
    return _problem(
        503,
        "target-unavailable",
        f"the monitored target failed: {error}",
        title="Target unavailable",
    )


def _target_data_error(error: TargetDataError) -> ProblemDetailsException:
    return _problem(503, "target-data", str(error), title="Unreadable value")


def _target_unavailable(error: TargetUnavailable) -> ProblemDetailsException:
    headers = _retry_after(error.retry_after) if error.retry_after else None
    return _problem(
        503,
        "target-unavailable",
        str(error),
        title="Target unavailable",
        headers=headers,
    )


# -- Litestar errors ---------------------------------------------------------

# Litestar names a parameter by its Python name; clients know it by this one.
_FIELD_NAMES = {"actor_header": ACTOR_HEADER}

_SOURCE_NAMES = {
    "body": "body field",
    "query": "query parameter",
    "path": "path parameter",
    "header": "header",
    "cookie": "cookie",
}


def _field_error(item: dict[str, Any]) -> FieldError:
    # Litestar sends the source as a str-valued ParamType enum or a plain str.
    raw_source = item.get("source")
    source = str(getattr(raw_source, "value", raw_source) or "body")
    key = str(item.get("key") or "")
    field = _FIELD_NAMES.get(key, key)
    message = str(item.get("message") or "invalid value")
    if source == "body" and field == "data":
        # Litestar names the whole body "data"; a KeyError text means it is absent.
        field = "(body)"
        if message == "'data'":
            message = "a JSON request body is required"
    if source not in _SOURCE_NAMES:
        source = "body"
    return FieldError(source=source, field=field, message=message)  # type: ignore[arg-type]


def _describe(error: FieldError) -> str:
    if error.field == "(body)":
        return f"invalid request body: {error.message}"
    return f"invalid {_SOURCE_NAMES[error.source]} {error.field!r}: {error.message}"


def _validation(error: ValidationException) -> ProblemDetailsException:
    items = error.extra if isinstance(error.extra, list) else []
    errors = [_field_error(item) for item in items if isinstance(item, dict)]
    detail = "; ".join(_describe(item) for item in errors) or str(error.detail)
    return _problem(
        400,
        "invalid-request",
        detail,
        title="Invalid request",
        errors=[
            {"source": e.source, "field": e.field, "message": e.message} for e in errors
        ],
    )


def _http(error: HTTPException) -> ProblemDetailsException:
    return _problem(
        error.status_code,
        None,
        str(error.detail),
        headers=dict(error.headers) if error.headers else None,
    )


# _convert walks the error's MRO, so an entry for a subclass wins over its base.
_CONVERTERS: dict[type[Exception], Callable[[Any], ProblemDetailsException]] = {
    IncidentNotFound: _incident_not_found,
    InvalidTransition: _invalid_transition,
    PostmortemNotFound: _postmortem_not_found,
    CooldownActive: _cooldown,
    DrillAlreadyRunning: _drill_running,
    ChaosNotAllowed: _chaos_not_allowed,
    UnknownScenario: _no_scenario,
    KillSwitchEngaged: _kill_switch,
    InterlockError: _interlock,
    JobNotFound: _job_not_found,
    JobAlreadyRunning: _job_running,
    TargetError: _target_error,
    TargetDataError: _target_data_error,
    TargetUnavailable: _target_unavailable,
    ValidationException: _validation,
    HTTPException: _http,
}


def _convert(error: Exception) -> ProblemDetailsException:
    if isinstance(error, ProblemDetailsException):
        return error
    for cls in type(error).__mro__:
        converter = _CONVERTERS.get(cls)
        if converter is not None:
            return converter(error)
    raise LookupError(f"no problem mapping for {type(error).__name__}")


def handle_error(request: Request, error: Exception) -> Response[Any]:
    """Return ``error`` as problem details and log it with the request line."""
    problem = _convert(error)
    where = f"{request.method} {request.url.path}"
    status = problem.status_code
    if status in (401, 403):
        client = request.client.host if request.client else "unknown"
        log.warning(
            "%s from %s rejected with %s: %s", where, client, status, problem.detail
        )
    elif status >= 500:
        log.warning("%s failed with %s: %s", where, status, problem.detail)
    else:
        log.info("%s rejected with %s: %s", where, status, problem.detail)
    return problem.to_response(request)


def handle_unexpected(request: Request, error: Exception) -> Response[Any]:
    """Log an unexpected error with its traceback and return a bare 500 problem."""
    log.exception("%s failed: %s", f"{request.method} {request.url.path}", error)
    problem = _problem(
        500,
        "internal-error",
        "the sidecar failed on this request; its log has the traceback",
        title="Internal error",
    )
    return problem.to_response(request)


EXCEPTION_HANDLERS: dict[type[Exception], Callable[..., Response[Any]]] = {
    cls: handle_error for cls in (*_CONVERTERS, ProblemDetailsException)
}
EXCEPTION_HANDLERS[Exception] = handle_unexpected


# -- OpenAPI documentation of the errors --------------------------------------

_DESCRIPTIONS = {
    400: "Invalid request: the detail and errors name each invalid field.",
    401: "Missing or wrong API token (WWW-Authenticate: Bearer).",
    403: "Request without a token from a non-loopback host or a cross-site origin.",
    404: "Unknown id.",
    409: "Rejected in the current state: a forbidden status change, an open "
    "incident, or a chaos interlock (a cooldown also sets Retry-After).",
    415: "A request body sent without Content-Type: application/json.",
    503: "The monitored target is unreachable or has not been polled yet.",
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """Return OpenAPI response specs for the given error statuses."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_MEDIA_TYPE,
            description=_DESCRIPTIONS[status],
            generate_examples=False,
        )
        for status in statuses
    }
