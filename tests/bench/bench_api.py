"""Throughput and latency of GET /api/dashboard, and server-sent event fan-out.

The server is `warroom serve` in a subprocess, as users run it: one uvicorn
worker on the engine's event loop, the embedded PostgreSQL with demo data at
scale 1 and its demo traffic, polling every second (the shipped config). The
load generator runs in this process, on loopback only.

With WARROOM_BENCH_BASELINE set to another checkout of warroom (a git
worktree of an older commit), a second test measures that tree's server and
this one's in alternating runs and records the ratios. The baseline runs on
WARROOM_BENCH_BASELINE_PYTHON if set (a virtualenv with that commit's
dependencies), else on this interpreter.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from tests.bench.http_load import (
    EventStreamClient,
    LoadResult,
    close_streams,
    open_streams,
    run_load,
)
from tests.bench.report import percentile, record

HOST = "127.0.0.1"
CLIENTS = 50
WARMUP_SECONDS = 3.0
LOAD_SECONDS = 15.0
RUNS = 3
STREAMS = 100
FAN_OUT_POLLS = 10
TARGET_REQUESTS_PER_SECOND = 1000.0
TARGET_P99_MS = 50.0
PROJECT = Path(__file__).resolve().parents[2]
COMMAND = "python -m pytest tests/bench -o python_files='bench_*.py' -k api -s"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Served:
    """A `warroom serve` subprocess with its own data directory."""

    def __init__(
        self, home: Path, source: Path = PROJECT, python: str = sys.executable
    ):
        self.port = free_port()
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("WARROOM_")
        }
        env["WARROOM_HOME"] = str(home)
        env["PYTHONPATH"] = str(source)
        self.log = (home.parent / f"{home.name}-serve.log").open("w")
        self.process = subprocess.Popen(
            [python, "-m", "warroom.cli", "serve", "--port", str(self.port)],
            cwd=source,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_polling(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"warroom serve exited: see {self.log.name}")
            try:
                with urllib.request.urlopen(
                    f"http://{HOST}:{self.port}/api/health", timeout=2
                ) as response:
                    if b'"status":"ok"' in response.read():
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"warroom serve did not poll within {timeout:g} s")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture
def served(tmp_path: Path):
    server = Served(tmp_path / "home")
    try:
        server.wait_until_polling()
        yield server
    finally:
        server.stop()


async def server_cpu_seconds(server: psutil.Process, delay: float) -> float:
    await asyncio.sleep(delay)
    times = server.cpu_times()
    return times.user + times.system


async def measure_dashboard(served: Served) -> dict:
    """Run the 50-client load once, with one event stream counting the polls."""
    port = served.port
    server = psutil.Process(served.process.pid)
    (monitor,) = await open_streams(HOST, port, 1)
    try:
        result, cpu_start, cpu_end = await asyncio.gather(
            run_load(
                HOST, port, "/api/dashboard", CLIENTS, WARMUP_SECONDS, LOAD_SECONDS
            ),
            server_cpu_seconds(server, WARMUP_SECONDS),
            server_cpu_seconds(server, WARMUP_SECONDS + LOAD_SECONDS),
        )
    finally:
        close_streams([monitor])
    polls = [
        receipt
        for receipt in monitor.polls
        if result.window_start <= receipt.clock <= result.window_end
    ]
    gaps = [
        (later.taken_at - earlier.taken_at).total_seconds()
        for earlier, later in zip(polls, polls[1:], strict=False)
    ]
    return {
        **load_figures(result),
        "server_cpu_us": (cpu_end - cpu_start) / len(result.latencies_ms) * 1e6,
        "polls": len(polls),
        "max_poll_gap_s": max(gaps) if gaps else float("nan"),
    }


def load_figures(result: LoadResult) -> dict:
    latencies = result.latencies_ms
    return {
        "requests_per_second": result.requests_per_second,
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": max(latencies),
        "errors": len(result.errors),
        "error_examples": result.errors[:3],
        "body_bytes": (min(result.body_bytes), max(result.body_bytes)),
    }


def fan_out_figures(
    streams: list[EventStreamClient], since: float, until: float
) -> dict:
    """Delivery of the poll events first received in [since, until] to every
    stream: the spread between the first and the last stream, and the delay
    from the poll's taken_at to each receipt."""
    receipts: dict = {}
    for stream in streams:
        for receipt in stream.polls:
            receipts.setdefault(receipt.taken_at, []).append(receipt)
    events = sorted(
        taken_at
        for taken_at, received in receipts.items()
        if since <= min(r.clock for r in received) <= until
    )[:FAN_OUT_POLLS]
    spreads, delays, missing = [], [], 0
    for taken_at in events:
        received = receipts[taken_at]
        missing += len(streams) - len(received)
        clocks = [r.clock for r in received]
        spreads.append((max(clocks) - min(clocks)) * 1000)
        delays.extend((r.wall - taken_at.timestamp()) * 1000 for r in received)
    return {
        "events": len(events),
        "missing": missing,
        "stream_errors": sum(1 for stream in streams if stream.error),
        "spread_p50_ms": statistics.median(spreads),
        "spread_max_ms": max(spreads),
        "delay_p50_ms": percentile(delays, 0.50),
        "delay_p99_ms": percentile(delays, 0.99),
        "delay_max_ms": max(delays),
    }


async def measure_fan_out(port: int) -> dict:
    """Open 100 streams; measure fan-out of 10 polls idle, then of the polls
    during a 50-client dashboard load."""
    streams = await open_streams(HOST, port, STREAMS)
    try:
        # Every stream is subscribed once its headers arrived. A poll first
        # received 0.5 s later was published after all subscriptions unless
        # delivery took longer, which would show as missing receipts.
        since = time.perf_counter() + 0.5
        await asyncio.sleep(0.5 + FAN_OUT_POLLS + 1.5)
        idle = fan_out_figures(streams, since, since + FAN_OUT_POLLS + 0.5)
        load = await run_load(
            HOST, port, "/api/dashboard", CLIENTS, 1.0, FAN_OUT_POLLS + 0.5
        )
        await asyncio.sleep(1.0)
        busy = fan_out_figures(streams, load.window_start, load.window_end)
    finally:
        close_streams(streams)
    return {"idle": idle, "busy": busy, "dashboard": load_figures(load)}


def test_api_dashboard_and_events(served):
    dashboard = [asyncio.run(measure_dashboard(served)) for _ in range(RUNS)]
    fan_out = [asyncio.run(measure_fan_out(served.port)) for _ in range(RUNS)]

    record("api", report(dashboard, fan_out), COMMAND)
    for run in dashboard:
        assert run["errors"] == 0, run["error_examples"]
        assert run["polls"] >= LOAD_SECONDS - 2, run
    for run in fan_out:
        assert run["dashboard"]["errors"] == 0, run["dashboard"]["error_examples"]
        for phase in ("idle", "busy"):
            assert run[phase]["stream_errors"] == 0, run
            assert run[phase]["missing"] == 0, run
            assert run[phase]["events"] >= FAN_OUT_POLLS - 1, run


def test_api_against_baseline(tmp_path):
    """Alternate dashboard runs on WARROOM_BENCH_BASELINE's server and this
    tree's, one server at a time, and record the median ratios."""
    baseline = os.environ.get("WARROOM_BENCH_BASELINE")
    if not baseline:
        pytest.skip("set WARROOM_BENCH_BASELINE to a checkout to compare with")
    baseline_python = os.environ.get("WARROOM_BENCH_BASELINE_PYTHON", sys.executable)
    sides = {
        "baseline": (Path(baseline), baseline_python),
        "this tree": (PROJECT, sys.executable),
    }
    figures: dict[str, list[dict]] = {name: [] for name in sides}
    for run in range(RUNS):
        for name, (source, python) in sides.items():
            home = tmp_path / f"{name.replace(' ', '-')}-{run}"
            server = Served(home, source, python)
            try:
                server.wait_until_polling()
                figures[name].append(asyncio.run(measure_dashboard(server)))
            finally:
                server.stop()

    rows = []
    for key, label in (
        ("requests_per_second", "requests/s"),
        ("p50_ms", "p50 latency, ms"),
        ("p99_ms", "p99 latency, ms"),
        ("server_cpu_us", "server CPU per request, µs"),
    ):
        before = statistics.median(run[key] for run in figures["baseline"])
        after = statistics.median(run[key] for run in figures["this tree"])
        rows.append(f"| {label} | {before:.1f} | {after:.1f} | {after / before:.2f} |")
    body = (
        f"GET /api/dashboard at {CLIENTS} clients as in the table above, "
        f"{RUNS} runs each, alternating between a fresh `warroom serve` of the "
        f"baseline ({describe(Path(baseline))}, HTTP parser "
        f"{http_parser(baseline_python)}) and of this tree "
        f"({describe(PROJECT)}, HTTP parser {http_parser(sys.executable)}). "
        "Medians of the runs; the ratio is this tree over the baseline.\n\n"
        "| figure | baseline | this tree | ratio |\n"
        "| --- | --- | --- | --- |\n" + "\n".join(rows)
    )
    record("api-baseline", body, f"WARROOM_BENCH_BASELINE=DIR {COMMAND}")
    for runs in figures.values():
        for run in runs:
            assert run["errors"] == 0, run["error_examples"]


def http_parser(python: str) -> str:
    """Name the HTTP parser uvicorn picks in ``python``: httptools if installed."""
    found = subprocess.run([python, "-c", "import httptools"], capture_output=True)
    return "httptools" if found.returncode == 0 else "h11"


def describe(source: Path) -> str:
    """Name a checkout by its commit, noting uncommitted changes to tracked
    files; return the path if it is not a git checkout."""
    commit = subprocess.run(
        ["git", "-C", str(source), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not commit:
        return str(source)
    dirty = subprocess.run(
        ["git", "-C", str(source), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"commit {commit} + uncommitted changes" if dirty else f"commit {commit}"


def met(ok: bool) -> str:
    return "met" if ok else "not met"


def runs_table(title: str, rows: list[tuple[str, list[float], int, str]]) -> str:
    """A Markdown table with one column per run, the median and a target."""
    header = " | ".join(f"run {n + 1}" for n in range(RUNS))
    rule = " | ".join("---" for _ in range(RUNS))
    lines = [
        f"| {title} | {header} | median | target |",
        f"| --- | {rule} | --- | --- |",
    ]
    for label, values, digits, target in rows:
        cells = " | ".join(f"{value:.{digits}f}" for value in values)
        median = statistics.median(values)
        lines.append(f"| {label} | {cells} | {median:.{digits}f} | {target} |")
    return "\n".join(lines)


def report(dashboard: list[dict], fan_out: list[dict]) -> str:
    throughput = statistics.median(run["requests_per_second"] for run in dashboard)
    p99 = statistics.median(run["p99_ms"] for run in dashboard)
    sizes = [size for run in dashboard for size in run["body_bytes"]]
    missing = sum(
        run[phase]["missing"] for run in fan_out for phase in ("idle", "busy")
    )

    def load_row(key: str, label: str, digits: int, target: str = ""):
        return (label, [run[key] for run in dashboard], digits, target)

    def fan_row(phase: str, key: str, label: str):
        return (f"{phase}: {label}", [run[phase][key] for run in fan_out], 1, "")

    def busy_row(key: str, label: str, digits: int):
        return (
            f"busy: {label}",
            [run["dashboard"][key] for run in fan_out],
            digits,
            "",
        )

    load_table = runs_table(
        f"GET /api/dashboard, {CLIENTS} clients",
        [
            load_row(
                "requests_per_second",
                "requests/s",
                0,
                f">= 1,000: {met(throughput >= TARGET_REQUESTS_PER_SECOND)}",
            ),
            load_row("p50_ms", "p50 latency, ms", 1),
            load_row("p95_ms", "p95 latency, ms", 1),
            load_row(
                "p99_ms", "p99 latency, ms", 1, f"<= 50: {met(p99 <= TARGET_P99_MS)}"
            ),
            load_row("max_ms", "max latency, ms", 1),
            load_row("server_cpu_us", "server CPU per request, µs", 0),
            load_row("errors", "errors", 0),
            load_row("polls", "polls completed in the window", 0),
            load_row("max_poll_gap_s", "longest gap between polls, s", 2),
        ],
    )
    fan_table = runs_table(
        f"event fan-out, {STREAMS} streams",
        [
            fan_row("idle", "spread_p50_ms", "spread, median of events, ms"),
            fan_row("idle", "spread_max_ms", "spread, max, ms"),
            fan_row("idle", "delay_p50_ms", "delay p50, ms"),
            fan_row("idle", "delay_p99_ms", "delay p99, ms"),
            fan_row("busy", "spread_p50_ms", "spread, median of events, ms"),
            fan_row("busy", "spread_max_ms", "spread, max, ms"),
            fan_row("busy", "delay_p50_ms", "delay p50, ms"),
            fan_row("busy", "delay_p99_ms", "delay p99, ms"),
            busy_row("requests_per_second", "dashboard requests/s", 0),
            busy_row("p99_ms", "dashboard p99 latency, ms", 1),
        ],
    )
    return (
        "`warroom serve` (one uvicorn worker on the engine's event loop) on the "
        "embedded PostgreSQL with demo data at scale 1 and its demo traffic, "
        "polling every second; uvicorn parses HTTP with "
        f"{http_parser(sys.executable)}. The load generator "
        "(`tests/bench/http_load.py`, "
        "asyncio protocols in the pytest process) keeps "
        f"{CLIENTS} keep-alive connections on 127.0.0.1, each sending its next "
        f"request when the last response is complete; {LOAD_SECONDS:g} s "
        f"measured after {WARMUP_SECONDS:g} s of warm-up, {RUNS} runs on one "
        f"server. Dashboard bodies were {min(sizes):,}-{max(sizes):,} bytes. "
        "Polls are counted on an event stream open during the run.\n\n"
        f"{load_table}\n\n"
        f"Server-sent events: {STREAMS} clients on /api/events. For each of "
        f"{FAN_OUT_POLLS} consecutive poll events, the spread is the time from "
        "the first to the last client receiving it, and the delay runs from "
        "the poll's `taken_at` (when its snapshot query started) to each "
        "receipt. Idle: only the streams are open. Busy: the same streams "
        f"during {FAN_OUT_POLLS:g} s of {CLIENTS} dashboard clients. "
        f"Receipts missing over all runs: {missing}.\n\n"
        f"{fan_table}\n\n"
        "Targets: >= 1,000 requests/s and p99 <= 50 ms at "
        f"{CLIENTS} clients on one worker. Throughput "
        f"{met(throughput >= TARGET_REQUESTS_PER_SECOND)}, p99 "
        f"{met(p99 <= TARGET_P99_MS)}."
    )
