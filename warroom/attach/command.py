"""``warroom tui --attach URL``: the TUI on an engine that a sidecar serves."""

from __future__ import annotations

import logging
import os
from urllib.parse import urlsplit

from engine.config.models import WarroomConfig
from engine.targets.base import TargetUnreachable
from warroom.attach.client import SidecarClient, SidecarError
from warroom.attach.source import RemoteSource
from warroom.tui.source import SourceRejected

TOKEN_VARIABLE = "WARROOM_API_TOKEN"


class AttachError(Exception):
    """Attaching failed before the TUI opened; the message gives the reason."""


def check_url(url: str) -> str:
    """Return ``url`` without a trailing slash; raise AttachError if unusable.

    A path is kept, for a sidecar behind a proxy at ``https://host/warroom``.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AttachError(
            f"--attach needs the sidecar's http:// or https:// address, such as "
            f"http://127.0.0.1:8000; got {url!r}"
        )
    return url.rstrip("/")


async def open_remote(
    url: str, token: str | None, config: WarroomConfig
) -> RemoteSource:
    """Connect to the sidecar and read its state; raise AttachError if it fails."""
    # httpx logs each request at INFO, which would bury the war room's own log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    token = token or os.environ.get(TOKEN_VARIABLE) or None
    source = RemoteSource(SidecarClient(check_url(url), token), config)
    try:
        await source.connect()
    except SourceRejected as error:
        await source.close()
        hint = "" if token else f"; pass --token or set {TOKEN_VARIABLE}"
        raise AttachError(
            f"the sidecar at {url} rejected the request: {error}{hint}"
        ) from None
    except (SidecarError, TargetUnreachable) as error:
        await source.close()
        raise AttachError(f"cannot attach to {url}: {error}") from None
    return source
