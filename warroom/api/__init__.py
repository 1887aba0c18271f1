"""The Litestar sidecar: the REST API over one Engine.

``create_app(engine, sidecar)`` builds the app; ``check_bind(sidecar)`` rejects
a non-loopback bind without an API token.
"""

from warroom.api.app import check_bind, create_app

__all__ = ["check_bind", "create_app"]
