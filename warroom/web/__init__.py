"""The browser dashboard: one HTML page and its static files, served by the
sidecar app next to the REST API."""

from warroom.web.routes import WEB_HANDLERS

__all__ = ["WEB_HANDLERS"]
