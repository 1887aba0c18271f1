"""Bodies shared by several endpoints: problem details and figures."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias, TypeVar

import msgspec
from litestar.enums import RequestEncodingType
from litestar.exceptions import ValidationException
from litestar.params import BodyKwarg, SkipValidationMarker

from engine.targets.models import Figure

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldError(msgspec.Struct):
    """One invalid request field: where it was sent, its name and what is wrong."""

    source: Literal["body", "query", "path", "header", "cookie"]
    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """An error as RFC 9457 problem details (application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None
    retry_after_seconds: int | None = None
    incident_id: int | None = None
    current_status: str | None = None
    allowed_statuses: list[str] | None = None


class FigureOut(msgspec.Struct):
    """One counter: a value, or null with the reason the target cannot give it."""

    value: float | None
    reason: str | None = None


def figure_out(figure: Figure) -> FigureOut:
    if figure.value is None:
        return FigureOut(None, figure.reason or "not reported by the target")
    return FigureOut(float(figure.value))


T = TypeVar("T")

# A JSON request body documented as ``T`` in the OpenAPI schema but handed to
# the handler as decoded JSON. Litestar converts bodies with lax types (it
# reads {"dry_run": 0} as false); handlers call parse_body() to convert with
# strict types instead.
StrictBody: TypeAlias = Annotated[
    T, SkipValidationMarker(), BodyKwarg(media_type=RequestEncodingType.JSON)
]


class EmptyIn(msgspec.Struct, forbid_unknown_fields=True):
    """The body of an endpoint that takes no fields. An endpoint that takes
    none still rejects a field sent to it, so a caller that expects a
    filter ("rule", "table") learns that none applies."""


def parse_body(data: Any, model: type[T]) -> T:
    """Convert a decoded JSON body to ``model``; raise a 400 naming the field."""
    try:
        return msgspec.convert(data, model, strict=True)
    except msgspec.ValidationError as error:
        message, _, location = str(error).partition(" - at `$")
        field = location.rstrip("`").lstrip(".") or "data"
        raise ValidationException(
            detail="invalid request body",
            extra=[{"message": message, "key": field, "source": "body"}],
        ) from error
