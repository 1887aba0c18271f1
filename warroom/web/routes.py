"""Serve the dashboard page at ``/`` and its files under ``/static/``.

The page and its files contain no data and no secrets, so they are served
without the API's access guard, also on a non-loopback bind. Every figure on
the page comes from ``/api`` calls, which the guard checks.

The files are read once, when this module is imported. Only names in the
package's ``static`` folder are served, each with a fixed content type per
extension. So a request cannot reach another path, and the type does not
depend on the host's MIME table.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import PathParameter

STATIC_DIR = Path(__file__).parent / "static"
PAGE_NAME = "index.html"

# Litestar adds "; charset=utf-8" to text types.
_MEDIA_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
}

# The page loads only its own scripts and styles and connects only to its own
# origin. Because script-src leaves out 'unsafe-inline', markup injected from
# an API string could not run script either.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
_COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Revalidate on every load, so a browser does not run an old script
    # against a newer API. The ETag keeps that cheap.
    "Cache-Control": "no-cache",
}


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    media_type: str
    etag: str


def _load(directory: Path) -> dict[str, StaticFile]:
    files = {}
    for path in sorted(directory.iterdir()):
        media_type = _MEDIA_TYPES.get(path.suffix)
        if media_type is None or not path.is_file():
            continue
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        files[path.name] = StaticFile(body, media_type, etag)
    return files


_FILES = _load(STATIC_DIR)


def _respond(request: Request, file: StaticFile, headers: dict[str, str]) -> Response:
    headers = {**_COMMON_HEADERS, **headers, "ETag": file.etag}
    if request.headers.get("if-none-match") == file.etag:
        return Response(b"", status_code=304, headers=headers)
    return Response(file.body, media_type=file.media_type, headers=headers)


@get("/", include_in_schema=False, sync_to_thread=False)
def dashboard_page(request: Request) -> Response:
    """Return the dashboard page."""
    page = _FILES[PAGE_NAME]
    return _respond(
        request,
        page,
        {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Frame-Options": "DENY"},
    )


@get("/static/{name:str}", include_in_schema=False, sync_to_thread=False)
def static_file(
    request: Request, name: Annotated[str, PathParameter(max_length=100)]
) -> Response:
    """Return one of the dashboard's scripts, stylesheets or icons; raise a 404
    for any other name."""
    file = _FILES.get(name)
    if file is None or name == PAGE_NAME:
        raise NotFoundException(
            detail=f"no dashboard file named {name!r}; the page is served at /"
        )
    return _respond(request, file, {})


WEB_HANDLERS = [dashboard_page, static_file]
