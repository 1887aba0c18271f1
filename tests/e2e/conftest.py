"""A real `warroom serve` on the embedded target, and headless Chromium.

The browser is Debian's chromium package at /usr/bin/chromium (CI's .ci/run
installs it), driven through Playwright's own driver. The tests do not
download Playwright's browsers.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
]
TOKEN = "e2e-dashboard-token-7f3a"
STARTUP_SECONDS = 60.0
STOP_SECONDS = 20.0

# Variables that would point the server at another target or postmortem folder.
_CLEARED = ("WARROOM_TARGET_URL", "WARROOM_TARGET_NAME", "WARROOM_POSTMORTEM_DIR")


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> float:
        """Send SIGTERM and wait for the exit; return the seconds it took."""
        started = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError(
                    f"warroom serve did not stop within {STOP_SECONDS:g} s of "
                    f"SIGTERM:\n{self.output()}"
                ) from None
        return time.monotonic() - started


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_polled(server: Server) -> None:
    """Wait for the sidecar to respond and the engine to finish a poll."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(
                f"warroom serve exited with {server.process.returncode}:\n"
                f"{server.output()}"
            )
        try:
            health = httpx.get(f"{server.url}api/health", timeout=2).json()
        except (httpx.HTTPError, ValueError):
            health = {}
        if health.get("status") == "ok":
            return
        time.sleep(0.25)
    raise AssertionError(
        f"warroom serve did not report a poll within {STARTUP_SECONDS:g} s:\n"
        f"{server.output()}"
    )


@pytest.fixture(scope="session")
def seeded_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder whose embedded database contains the demo data, made once
    per session. Each server starts from a copy, which skips initdb and the
    load."""
    from engine.seed.loader import load_demo_data
    from engine.targets.embedded import DEMO_DATABASE, EmbeddedServer

    home = tmp_path_factory.mktemp("seeded") / "home"
    server = EmbeddedServer(home / "pgdata")
    server.start()
    try:
        server.ensure_database(DEMO_DATABASE)
        load_demo_data(server.url(DEMO_DATABASE), 1)
    finally:
        server.stop()
    return home


@pytest.fixture
def warroom_server(tmp_path: Path, seeded_home: Path) -> Iterator[Server]:
    """`warroom serve` on the embedded target with an API token, in its own
    data folder under the test's temporary directory."""
    # cp -a keeps the files' owner: as root, pgserver runs PostgreSQL as its
    # own user, which must own the data directory.
    subprocess.run(["cp", "-a", str(seeded_home), str(tmp_path / "home")], check=True)
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in _CLEARED}
    env.update(WARROOM_HOME=str(tmp_path / "home"), WARROOM_API_TOKEN=TOKEN)
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "warroom.cli", "serve", "--port", str(port)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, f"http://127.0.0.1:{port}/", log_path)
    try:
        wait_until_polled(server)
        yield server
    finally:
        server.stop()


@dataclass
class BrowserPage:
    page: object
    """A playwright.async_api.Page."""
    errors: list[Exception]
    """Uncaught errors of the page's scripts."""


@pytest.fixture
async def browser_page() -> AsyncIterator[BrowserPage]:
    """A page in headless Chromium at 1280x800."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 800})
            opened = BrowserPage(page, [])
            page.on("pageerror", lambda error: opened.errors.append(error))
            yield opened
        finally:
            await browser.close()


async def open_with_token(browser_page: BrowserPage, server: Server, timeout_ms: int):
    """Open the dashboard of ``server``, wait for its live stream, and enter
    the API token and the actor name "e2e tester"; return the page."""
    page = browser_page.page
    await page.goto(server.url)
    await page.wait_for_selector(".stream-live", timeout=timeout_ms)
    await page.fill("#token", TOKEN)
    await page.fill("#actor", "e2e tester")
    await page.click("#use-token")
    return page


async def get_json(server: Server, path: str):
    """Return the decoded body of GET ``path`` on ``server``, which must be 200."""
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.get(path)
    assert response.status_code == 200, response.text
    return response.json()
