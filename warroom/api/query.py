"""Reject query parameters that an endpoint does not take.

A misspelt filter (``?stat=OPEN``) would otherwise be ignored, and the
endpoint would return everything, which a script cannot tell from a
filtered result. Every endpoint declares its query parameters with
``QueryParameter``, so those are the names it takes.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import ValidationException
from litestar.handlers import BaseRouteHandler
from litestar.params import QueryParameter


async def known_query_parameters(
    connection: ASGIConnection, route_handler: BaseRouteHandler
) -> None:
    """Raise ValidationException (a 400) naming each query parameter of the
    request that ``route_handler`` does not declare."""
    # Async, although it never awaits: Litestar runs a sync guard in a
    # worker thread.
    declared = _query_names(route_handler)
    unknown = sorted(set(connection.query_params) - declared)
    if not unknown:
        return
    accepted = ", ".join(sorted(declared)) or "none"
    raise ValidationException(
        detail=f"unknown query parameter(s): {', '.join(unknown)}",
        extra=[
            {
                "source": "query",
                "key": name,
                "message": f"not a parameter of this endpoint (it takes: {accepted})",
            }
            for name in unknown
        ],
    )


def _query_names(route_handler: BaseRouteHandler) -> frozenset[str]:
    parameters = route_handler.parsed_fn_signature.parameters
    return frozenset(
        definition.kwarg_definition.query or name
        for name, definition in parameters.items()
        if isinstance(definition.kwarg_definition, QueryParameter)
    )
