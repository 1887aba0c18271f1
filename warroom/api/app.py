"""The sidecar's Litestar app, built by ``create_app`` around a running Engine.

The caller starts and stops the engine; the app only calls it.
"""

from __future__ import annotations

import importlib.metadata
import logging

from litestar import Litestar, Router
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import RedocRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from engine.config.models import SidecarConfig
from engine.service import Engine
from warroom.api.auth import AccessGuard, is_loopback, provide_actor
from warroom.api.chaos import ChaosController, DrillTasks
from warroom.api.dashboard import DashboardController
from warroom.api.errors import EXCEPTION_HANDLERS
from warroom.api.events import EventStreams, events
from warroom.api.governance import GovernanceController
from warroom.api.health import HealthController
from warroom.api.healthcare import HealthcareController
from warroom.api.incidents import IncidentController
from warroom.api.jobs import JobsController
from warroom.api.query import known_query_parameters
from warroom.api.request import ApiRequest
from warroom.api.sessions import SessionsController
from warroom.api.settings import settings
from warroom.api.validation import ValidationController
from warroom.web import WEB_HANDLERS

log = logging.getLogger(__name__)

__all__ = ["check_bind", "create_app"]


def check_bind(sidecar: SidecarConfig) -> None:
    """Raise ValueError if the sidecar would listen beyond loopback without a token.

    Without a token, anyone who reaches the port could trigger chaos drills
    and terminate database sessions.
    """
    if sidecar.token or is_loopback(sidecar.host):
        return
    raise ValueError(
        f"sidecar.host is {sidecar.host!r}, which is not a loopback address, and no "
        "API token is set, so anyone who can reach port "
        f"{sidecar.port} could trigger chaos drills and kill sessions. Set "
        "WARROOM_API_TOKEN (sidecar.token in config/warroom.yaml), or bind "
        "sidecar.host to 127.0.0.1."
    )


def create_app(engine: Engine, sidecar: SidecarConfig) -> Litestar:
    """Build the sidecar app for ``engine``; raise ValueError as check_bind does."""
    check_bind(sidecar)
    drill_tasks = DrillTasks()
    event_streams = EventStreams()
    api = Router(
        path="/api",
        route_handlers=[
            HealthController,
            SessionsController,
            IncidentController,
            ChaosController,
            JobsController,
            DashboardController,
            HealthcareController,
            ValidationController,
            GovernanceController,
            settings,
            events,
        ],
        guards=[AccessGuard(sidecar), known_query_parameters],
        dependencies={"actor": Provide(provide_actor, sync_to_thread=False)},
    )
    app = Litestar(
        # The dashboard page sits outside /api and its guard: it holds no
        # data, and the API calls it makes are checked like any other.
        route_handlers=[api, *WEB_HANDLERS],
        dependencies={
            "engine": Provide(lambda: engine, use_cache=True, sync_to_thread=False),
            "sidecar": Provide(lambda: sidecar, use_cache=True, sync_to_thread=False),
            "drill_tasks": Provide(
                lambda: drill_tasks, use_cache=True, sync_to_thread=False
            ),
            "event_streams": Provide(
                lambda: event_streams, use_cache=True, sync_to_thread=False
            ),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        request_class=ApiRequest,
        openapi_config=_openapi_config(sidecar),
        # The process that embeds the sidecar (warroom demo/serve) configures
        # logging; Litestar's default would reconfigure the root logger.
        logging_config=None,
        debug=False,
    )
    _mark_optional_bodies(app)
    # The server running the app ends the streams before it stops.
    app.state.event_streams = event_streams
    log.info(
        "sidecar app built for target %s (%s)",
        engine.target_name,
        "token auth" if sidecar.token else "loopback only, no token",
    )
    return app


def _mark_optional_bodies(app: Litestar) -> None:
    """Mark the request body optional in the OpenAPI document where the
    handler's ``data`` has a default.

    Litestar 2 documents every request body as required, so a client that
    follows the document would have to send one to endpoints that need none.
    """
    paths = app.openapi_schema.paths or {}
    for route in app.routes:
        path_item = paths.get(route.path_format)
        if path_item is None:
            continue
        for handler in getattr(route, "route_handlers", []):
            data = handler.parsed_fn_signature.parameters.get("data")
            if data is None or not data.has_default:
                continue
            for method in handler.http_methods:
                operation = getattr(path_item, method.lower(), None)
                if operation is not None and operation.request_body is not None:
                    operation.request_body.required = False


def _openapi_config(sidecar: SidecarConfig) -> OpenAPIConfig:
    bearer = SecurityScheme(
        type="http",
        scheme="bearer",
        description="The sidecar's API token (sidecar.token or WARROOM_API_TOKEN).",
    )
    return OpenAPIConfig(
        title="warroom sidecar",
        version=_version(),
        description=(
            "REST API of the warroom engine: health, sessions and blocking, "
            "incidents, chaos drills, the war room dashboard and an event "
            "stream. Errors are RFC 9457 problem details."
        ),
        path="/schema",
        render_plugins=[SwaggerRenderPlugin(), RedocRenderPlugin()],
        components=Components(security_schemes={"bearer": bearer}),
        # On a non-loopback bind every endpoint needs the token.
        security=None if is_loopback(sidecar.host) else [{"bearer": []}],
        use_handler_docstrings=True,
    )


def _version() -> str:
    try:
        return importlib.metadata.version("warroom")
    except importlib.metadata.PackageNotFoundError:
        return "0.0.0"
