"""Access rules of the API, and the actor name that engine calls record.

Rules:

- A request with ``Authorization: Bearer <token>`` is authenticated when the
  token equals ``sidecar.token`` (compared in constant time). A wrong token,
  or any token while none is configured, is a 401 on every endpoint.
- Without a valid token, a request relies on loopback trust: reads are open
  while the sidecar is bound to a loopback address, and mutating requests
  (POST, PUT, PATCH, DELETE) are allowed only when no token is configured.
  Such a request must also name a loopback host in ``Host`` and, if it has an
  ``Origin``, a loopback origin, so a web page cannot reach the API through
  the on-call engineer's browser (DNS rebinding, cross-site forms).
- On a non-loopback bind every request needs the token (``check_bind``
  rejects such a sidecar without one).
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import logging
from typing import Annotated
from urllib.parse import urlsplit

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import (
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.handlers import BaseRouteHandler
from litestar.params import HeaderParameter

from engine.actors import is_reserved_actor
from engine.config.models import SidecarConfig

log = logging.getLogger(__name__)

MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ACTOR_HEADER = "X-Warroom-Actor"
_TOKEN_USED = "warroom_token_used"
_CHALLENGE = 'Bearer realm="warroom"'


def is_loopback(host: str) -> bool:
    """Return True for ``localhost`` and loopback IP addresses (127.0.0.0/8, ::1)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _hostname(authority: str) -> str:
    """Return the host part of a Host header value or an origin."""
    if "://" not in authority:
        authority = f"//{authority}"
    try:
        return urlsplit(authority).hostname or ""
    except ValueError:
        return ""


class AccessGuard:
    """Litestar guard that applies the rules in this module's docstring."""

    def __init__(self, sidecar: SidecarConfig):
        self._token = sidecar.token.encode() if sidecar.token else None
        self._loopback = is_loopback(sidecar.host)

    async def __call__(self, connection: ASGIConnection, _: BaseRouteHandler) -> None:
        # Async, although it never awaits: Litestar runs a sync guard in a
        # worker thread, a thread hop on every request.
        if self._authenticated(connection):
            connection.scope[_TOKEN_USED] = True  # type: ignore[typeddict-unknown-key]
            return
        method = connection.scope.get("method", "GET")
        if self._token is not None and (
            method in MUTATING_METHODS or not self._loopback
        ):
            raise NotAuthorizedException(
                detail=f"{method} requests need Authorization: Bearer <token> with "
                "the sidecar's API token (sidecar.token or WARROOM_API_TOKEN)",
                headers={"WWW-Authenticate": _CHALLENGE},
            )
        if not self._loopback:
            # check_bind stops this setup before it serves; reject it all the same.
            raise NotAuthorizedException(
                detail="the sidecar is bound to a non-loopback address without an "
                "API token; set WARROOM_API_TOKEN",
                headers={"WWW-Authenticate": _CHALLENGE},
            )
        _require_local(connection)

    def _authenticated(self, connection: ASGIConnection) -> bool:
        header = connection.headers.get("authorization")
        if header is None:
            return False
        scheme, _, presented = header.partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            raise NotAuthorizedException(
                detail="the Authorization header must be 'Bearer <token>'",
                headers={"WWW-Authenticate": f'{_CHALLENGE}, error="invalid_request"'},
            )
        if self._token is None:
            raise NotAuthorizedException(
                detail="a bearer token was sent but the sidecar has no API token "
                "configured; drop the header or set WARROOM_API_TOKEN",
                headers={"WWW-Authenticate": f'{_CHALLENGE}, error="invalid_token"'},
            )
        if not hmac.compare_digest(presented.strip().encode(), self._token):
            raise NotAuthorizedException(
                detail="the bearer token does not match the sidecar's API token",
                headers={"WWW-Authenticate": f'{_CHALLENGE}, error="invalid_token"'},
            )
        return True


@functools.lru_cache(maxsize=256)
def _names_loopback(authority: str) -> bool:
    # Every request without a token checks its Host header, and clients send
    # the same few values. The size bound keeps odd headers from growing it.
    return is_loopback(_hostname(authority))


def _require_local(connection: ASGIConnection) -> None:
    host = connection.headers.get("host", "")
    if not _names_loopback(host):
        raise PermissionDeniedException(
            detail=f"Host {host!r} is not a loopback name; without an API token the "
            "sidecar accepts only requests to 127.0.0.1, ::1 or localhost"
        )
    origin = connection.headers.get("origin")
    if origin is not None and not _names_loopback(origin):
        raise PermissionDeniedException(
            detail=f"cross-site request from Origin {origin!r} rejected; without "
            "an API token only pages served from a loopback host may call the API"
        )


def provide_actor(
    request: Request,
    actor_header: Annotated[
        str | None,
        HeaderParameter(
            name=ACTOR_HEADER,
            max_length=80,
            description="Person the change is recorded under on the incident "
            "timeline; defaults to 'api', or 'api (token)' with a token. Names "
            "the war room writes itself, such as 'engine', 'engine (auto)', "
            "'chaos', 'scheduler' or 'drill 12', are rejected with a 400.",
        ),
    ] = None,
) -> str:
    """Return the actor for engine calls: the header's name, else 'api' or
    'api (token)'; raise a 400 for a name reserved for the war room."""
    if actor_header and actor_header.strip():
        actor = actor_header.strip()
        if is_reserved_actor(actor):
            raise ValidationException(
                detail=f"invalid {ACTOR_HEADER} header",
                extra=[
                    {
                        "key": "actor_header",
                        "source": "header",
                        "message": f"{actor!r} is reserved for the war room's own "
                        "actions; send the name of the person making the change",
                    }
                ],
            )
        return actor
    return "api (token)" if request.scope.get(_TOKEN_USED) else "api"


# OpenAPI security requirement of the endpoints that need the token.
TOKEN_SECURITY = [{"bearer": []}]
