"""The dashboard page and its static files, served by the sidecar app."""

from __future__ import annotations

import json
import re

import pytest

from engine.config.models import SidecarConfig
from engine.incidents.models import ALLOWED_TRANSITIONS
from tests.api.conftest import TOKEN, UNREACHABLE_URL, assert_problem, client_for
from warroom.api import create_app
from warroom.web.routes import STATIC_DIR

JS_TYPES = {"text/javascript", "application/javascript"}
EXPECTED_TYPES = {
    ".js": JS_TYPES,
    ".css": {"text/css"},
    ".svg": {"image/svg+xml"},
}
# DOM calls that parse a string as HTML; the page builds every node with
# createElement and text nodes instead, because API strings carry SQL text.
HTML_SINKS = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write")


@pytest.fixture
async def page_client(down_engine):
    """A loopback sidecar with a token; its target is down, which the page
    and its files do not depend on."""
    app = create_app(down_engine, SidecarConfig(host="127.0.0.1", token=TOKEN))
    async with client_for(app) as client:
        yield client


def static_names() -> list[str]:
    return sorted(
        path.name for path in STATIC_DIR.iterdir() if path.name != "index.html"
    )


def media_type(response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


async def test_page_is_html(page_client):
    response = await page_client.get("/")

    assert response.status_code == 200
    assert media_type(response) == "text/html"
    assert '<script type="module" src="/static/app.js">' in response.text
    assert 'href="/static/dashboard.css"' in response.text
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


async def test_page_not_in_openapi_schema(page_client):
    schema = (await page_client.get("/schema/openapi.json")).json()

    assert "/" not in schema["paths"]
    assert not any(path.startswith("/static") for path in schema["paths"])


@pytest.mark.parametrize("name", static_names())
async def test_static_file_content_type(page_client, name):
    response = await page_client.get(f"/static/{name}")

    assert response.status_code == 200
    suffix = "." + name.rsplit(".", 1)[-1]
    assert media_type(response) in EXPECTED_TYPES[suffix]
    assert response.content == (STATIC_DIR / name).read_bytes()
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_every_import_is_served(page_client):
    page = (await page_client.get("/")).text
    referenced = set(re.findall(r'(?:src|href)="/static/([^"]+)"', page))
    for name in static_names():
        if name.endswith(".js"):
            source = (STATIC_DIR / name).read_text()
            referenced |= set(re.findall(r'from "\./([^"]+)"', source))

    assert referenced
    for name in sorted(referenced):
        response = await page_client.get(f"/static/{name}")
        assert response.status_code == 200, name


async def test_static_etag_revalidates(page_client):
    first = await page_client.get("/static/app.js")
    again = await page_client.get(
        "/static/app.js", headers={"If-None-Match": first.headers["etag"]}
    )

    assert first.headers["cache-control"] == "no-cache"
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize(
    "path",
    ["/static/missing.js", "/static/index.html", "/static/..%2Froutes.py"],
)
async def test_unknown_static_file_404(page_client, path):
    response = await page_client.get(path)

    assert_problem(response, 404)


async def test_page_and_files_hold_no_secrets(page_client):
    bodies = [(await page_client.get("/")).text]
    for name in static_names():
        bodies.append((await page_client.get(f"/static/{name}")).text)

    for body in bodies:
        assert TOKEN not in body
        assert UNREACHABLE_URL not in body
        assert "secret" not in body
        assert "localStorage." not in body


async def test_page_open_on_exposed_bind(down_engine):
    app = create_app(down_engine, SidecarConfig(host="0.0.0.0", token=TOKEN))
    async with client_for(app) as client:
        page = await client.get("/")
        script = await client.get("/static/app.js")
        data = await client.get("/api/dashboard")

    assert page.status_code == 200
    assert script.status_code == 200
    assert_problem(data, 401)


@pytest.mark.parametrize("name", [n for n in static_names() if n.endswith(".js")])
def test_script_never_parses_html(name):
    source = (STATIC_DIR / name).read_text()

    for sink in HTML_SINKS:
        assert sink not in source, f"{name} uses {sink}"


def test_scripts_find_their_page_nodes():
    page = (STATIC_DIR / "index.html").read_text()
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    classes = {
        name
        for names in re.findall(r'\bclass="([^"]+)"', page)
        for name in names.split()
    }
    app = (STATIC_DIR / "app.js").read_text()
    sessions = (STATIC_DIR / "sessions.js").read_text()
    # The sessions view looks up its parts in the page's static markup.
    view_parts = re.findall(r'root\.querySelector\("([.#][\w-]+)"\)', sessions)
    app_ids = re.findall(r'\$\("([\w-]+)"\)', app)

    assert "sessions-view" in app_ids
    for node_id in app_ids:
        assert node_id in ids, f"app.js looks up #{node_id}, not in index.html"
    assert view_parts
    for selector in view_parts:
        found = ids if selector[0] == "#" else classes
        assert selector[1:] in found, f"sessions.js looks up {selector}"


def test_script_transitions_match_engine():
    source = (STATIC_DIR / "transitions.js").read_text()
    table = re.search(r"ALLOWED_TRANSITIONS = (\{.*?\});", source, re.DOTALL)
    assert table is not None
    # The table is written as JSON apart from its unquoted keys.
    quoted = re.sub(r"(\w+):", r'"\1":', table.group(1)).replace(",\n}", "\n}")
    mirrored = json.loads(quoted)

    expected = {
        str(status): sorted(str(next_status) for next_status in allowed)
        for status, allowed in ALLOWED_TRANSITIONS.items()
    }
    assert mirrored == expected
