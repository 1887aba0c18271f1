"""The dashboard's sessions view in headless Chromium against a real
`warroom serve`: a Long Running Query drill without auto-remediation leaves
a real lock wait, which the view must show in the tree and the table."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import CHROMIUM, TOKEN

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} not found; install Debian's chromium package",
)

SCENARIO = "long_running_query"
# Milliseconds for the page, seconds for the API. Detection takes a poll or
# two at the 1 s interval, and after remediation the incident clears in 3 polls.
LIVE_TIMEOUT = 10_000
BLOCKING_TIMEOUT = 20_000
DETECT_SECONDS = 20.0
END_SECONDS = 30.0
AUTH = {"Authorization": f"Bearer {TOKEN}", "X-Warroom-Actor": "e2e sessions"}


def wait_for_drill(url: str, drill_id: int, done, seconds: float) -> dict:
    """Poll the drill list until `done(drill)` is true and return that drill."""
    deadline = time.monotonic() + seconds
    drill: dict = {}
    while time.monotonic() < deadline:
        drills = httpx.get(f"{url}api/chaos/drills?limit=5", timeout=5).json()
        drill = next((item for item in drills if item["id"] == drill_id), {})
        if drill and done(drill):
            return drill
        time.sleep(0.25)
    raise AssertionError(
        f"drill {drill_id} did not reach the expected state in {seconds:g} s: {drill}"
    )


async def test_sessions_view_shows_lock_wait(
    browser_page, warroom_server, tmp_path: Path
):
    page = browser_page.page
    url = warroom_server.url
    await page.goto(url)
    await page.wait_for_selector(".stream-live", timeout=LIVE_TIMEOUT)

    await page.keyboard.press("g")
    view = page.locator("#sessions-view")
    await view.wait_for(state="visible", timeout=LIVE_TIMEOUT)
    assert await page.locator("main").is_hidden()
    own = page.locator("#session-rows tr.own .own-mark")
    await own.first.wait_for(timeout=LIVE_TIMEOUT)
    await view.locator(".tree-body", has_text="no session is blocked").wait_for()

    started = httpx.post(
        f"{url}api/chaos/trigger",
        json={"scenario": SCENARIO, "auto_remediate": False},
        headers=AUTH,
        timeout=10,
    )
    assert started.status_code == 202, started.text
    drill_id = started.json()["drill_id"]
    head = view.locator(".tree > li.head-blocker")
    await head.first.wait_for(timeout=BLOCKING_TIMEOUT)
    waiter = head.first.locator("li.waiter")
    await waiter.first.wait_for(timeout=LIVE_TIMEOUT)
    head_id = await head.first.get_attribute("data-session")
    waiter_id = await waiter.first.get_attribute("data-session")
    head_text = await head.first.inner_text()
    assert head_text.startswith("head blocker (blocks ")
    assert "pg_sleep" in head_text

    head_row = page.locator(f'#session-rows tr[data-session="{head_id}"]')
    waiter_row = page.locator(f'#session-rows tr[data-session="{waiter_id}"]')
    assert "head-blocker" in (await head_row.get_attribute("class") or "")
    blocked_by = await waiter_row.locator("td.blocked-by").inner_text()
    assert head_id in blocked_by.split(", ")
    assert await waiter_row.locator("td.wait").inner_text()
    # The blocker sorts first, as in the TUI.
    first_row = page.locator("#session-rows tr").first
    assert await first_row.get_attribute("data-session") == head_id
    sql = head_row.locator(".sql-text")
    assert "pg_sleep" in (await sql.get_attribute("title") or "")
    await head_row.locator("button.sql-more").click()
    assert "full" in (await sql.get_attribute("class") or "")
    assert "pg_sleep" in await sql.inner_text()

    wide = tmp_path / "sessions.png"
    narrow = tmp_path / "sessions-narrow.png"
    await page.screenshot(path=str(wide), full_page=True)
    await page.set_viewport_size({"width": 420, "height": 800})
    await page.screenshot(path=str(narrow), full_page=True)
    await page.set_viewport_size({"width": 1280, "height": 800})
    print(f"sessions screenshots: {wide} {narrow}")

    drill = wait_for_drill(
        url, drill_id, lambda item: item["incident_id"] is not None, DETECT_SECONDS
    )
    remediated = httpx.post(
        f"{url}api/incidents/{drill['incident_id']}/remediate",
        json={"dry_run": False},
        headers=AUTH,
        timeout=10,
    )
    assert remediated.status_code == 200, remediated.text
    assert int(head_id) in remediated.json()["terminated"]

    await view.locator(".tree-body", has_text="no session is blocked").wait_for(
        timeout=BLOCKING_TIMEOUT
    )
    await page.keyboard.press("Escape")
    await page.locator("main").wait_for(state="visible")
    assert await view.is_hidden()
    assert browser_page.errors == []

    # The incident clears after its clear polls, and the drill then passes and
    # rolls back. A failed check above leaves the drill to the server's stop,
    # which cancels it and rolls it back as well.
    ended = wait_for_drill(
        url, drill_id, lambda item: item["status"] != "running", END_SECONDS
    )
    assert ended["status"] == "passed", ended


async def test_sessions_view_error_and_graph_cases(
    browser_page, warroom_server, tmp_path: Path
):
    page = browser_page.page
    detail = "no poll of target demo has completed yet; the engine polls every 1 s"
    problem = {"status": 503, "title": "Service Unavailable", "detail": detail}
    await page.route(
        "**/api/sessions", lambda route: route.fulfill(status=503, json=problem)
    )
    await page.goto(warroom_server.url)
    await page.wait_for_selector(".stream-live", timeout=LIVE_TIMEOUT)

    await page.click("#show-sessions")
    notice = page.locator("#sessions-view .sessions-notice")
    await notice.filter(has_text=detail).wait_for(timeout=LIVE_TIMEOUT)
    assert "(503)" not in await notice.inner_text()
    assert await page.locator("#session-rows tr").count() == 0

    async def with_last_error(route):
        response = await route.fetch()
        body = await response.json()
        body["last_error"] = "connection refused"
        await route.fulfill(response=response, json=body)

    await page.unroute("**/api/sessions")
    await page.route("**/api/sessions", with_last_error)
    stale = notice.filter(has_text="unreachable: connection refused")
    await stale.wait_for(timeout=LIVE_TIMEOUT)
    assert "may be out of date" in await stale.inner_text()
    view_class = await page.locator("#sessions-view").get_attribute("class") or ""
    assert "stale" in view_class
    await page.locator("#session-rows tr").first.wait_for()
    screenshot = tmp_path / "sessions-stale.png"
    await page.screenshot(path=str(screenshot))
    print(f"stale sessions screenshot: {screenshot}")

    await page.unroute("**/api/sessions")
    await page.route("**/api/sessions/blocking", with_virtual_and_cycle)
    tree = page.locator("#sessions-view .tree")
    virtual = tree.locator('li.virtual[data-session="-2"]')
    await virtual.wait_for(timeout=LIVE_TIMEOUT)
    assert "-2 (orphaned distributed transaction): not a session" in (
        await virtual.inner_text()
    )
    assert "head blocker (blocks 1)" in await virtual.inner_text()
    cycle = tree.locator('li.cycle-root[data-session="9002"]')
    assert (await cycle.inner_text()).startswith("lock cycle 9002, 9003: ")
    repeated = cycle.locator("li.repeated")
    assert await repeated.inner_text() == "9002 (already above: cycle)"
    await page.locator("#blocking-tree").screenshot(path=str(tmp_path / "tree.png"))

    await page.click("#sessions-view .close-view")
    await page.locator("main").wait_for(state="visible")
    assert browser_page.errors == []


async def with_virtual_and_cycle(route):
    """Replace the GET /api/sessions/blocking response with a graph that no
    drill here produces on demand: SQL Server's blocker -2 (a distributed
    transaction, not a session) waited on by one session, and a lock cycle
    between two sessions, which PostgreSQL breaks within deadlock_timeout."""
    response = await route.fetch()
    graph = await response.json()

    def line(depth, session_id, repeated=False):
        return {
            "depth": depth,
            "session_id": session_id,
            "label": str(session_id),
            "also_waits_on": [],
            "repeated": repeated,
        }

    graph.update(
        nodes=[
            {
                "session_id": -2,
                "label": "-2 (orphaned distributed transaction)",
                "virtual": True,
                "state": None,
            },
            {"session_id": 9001, "label": "9001", "virtual": False, "state": None},
        ],
        edges=[
            {"waiter": 9001, "blocker": -2},
            {"waiter": 9002, "blocker": 9003},
            {"waiter": 9003, "blocker": 9002},
        ],
        head_blockers=[-2],
        blocked_sessions=[9001, 9002, 9003],
        cycles=[[9002, 9003]],
        tree=[
            line(0, -2),
            line(1, 9001),
            line(0, 9002),
            line(1, 9003),
            line(2, 9002, repeated=True),
        ],
    )
    await route.fulfill(response=response, json=graph)
