"""Time to detect and time to resolve per drill, 5 runs each, at a 1 s poll
and a 5 s data check cycle."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from engine.chaos.scenarios import SCENARIOS
from engine.service import Engine
from engine.targets.postgres import PostgresTarget
from tests.bench.report import record, summary
from tests.conftest import fast_config

RUNS = 5
CHECK_INTERVAL = 5.0
# Found by a poll: the drill's sessions, locks and connections.
SESSION_DRILLS = frozenset({"long_running_query", "connection_flood", "deadlock"})
# Found when the job's run fails, which takes the statement timeout.
JOB_DRILLS = frozenset({"job_failure"})


@pytest.fixture
async def engine_at_one_second(database_url: str, tmp_path: Path):
    config = fast_config()
    config.warroom.monitor.poll_interval_seconds = 1.0
    config.warroom.incidents.clear_polls = 3
    config.validation.interval_seconds = CHECK_INTERVAL
    instance = Engine(
        config,
        PostgresTarget(database_url, name="bench", is_local=True),
        tmp_path / "state.db",
    )
    await instance.start()
    yield instance
    await instance.stop()


async def test_drill_times(engine_at_one_second):
    engine = engine_at_one_second
    rows = []
    late = []
    timeout = engine.config.target.statement_timeout_seconds
    # A drill starts right after the previous one resolved, and so right after
    # a poll and a data check. A random pause spreads the injects over the
    # interval of whatever finds the fault, so the figures are not locked to
    # its phase.
    phase = random.Random(7)
    for scenario in SCENARIOS:
        detect, resolve = [], []
        spread = 1.0 if scenario in SESSION_DRILLS | JOB_DRILLS else CHECK_INTERVAL
        for _ in range(RUNS):
            await asyncio.sleep(phase.uniform(0.0, spread))
            drill = await asyncio.wait_for(
                engine.trigger_drill(scenario, "bench", auto_remediate=True), 120
            )
            assert drill.passed, f"{scenario}: {drill.status} {drill.error}"
            detect.append(drill.seconds_to_detect)
            resolve.append(drill.seconds_to_resolve)
        ttd, ttr = summary(detect), summary(resolve)
        if scenario in SESSION_DRILLS:
            found_by, limit = "poll", 2.0
        elif scenario in JOB_DRILLS:
            found_by, limit = "job history", timeout + 2.0
        else:
            found_by, limit = "data checks", CHECK_INTERVAL + 1.0
        if ttd["max"] > limit:
            late.append(f"{scenario} detected in {ttd['max']:.2f} s > {limit:g} s")
        rows.append(
            f"| {scenario} | {found_by} | {ttd['median']:.2f} | {ttd['max']:.2f} "
            f"| {limit:g} | {ttr['median']:.2f} | {ttr['max']:.2f} |"
        )

    body = (
        f"{RUNS} runs per scenario at a 1 s poll, clear_polls 3, a "
        f"{CHECK_INTERVAL:g} s data check cycle (validation.interval_seconds), "
        f"a {timeout:g} s statement timeout, automatic remediation, demo data at "
        "scale 1, no demo traffic. Times in seconds from the end of the inject; "
        "each inject starts at a random point of the poll interval (of the data "
        "check cycle for the data drills). Time to "
        "resolve includes the 3 clear polls that damp flapping; a data drill "
        "checks again at once after its remediation.\n\n"
        "| scenario | found by | detect median | detect max | detect limit "
        "| resolve median | resolve max |\n"
        "| --- | --- | --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n\n"
        "Targets: time to detect <= 2 s for the session drills; within one data "
        f"check cycle plus a poll ({CHECK_INTERVAL:g} + 1 s) for the data drills; "
        "within the statement timeout plus 2 s for the job drill, whose fault "
        "is a statement that runs into that timeout."
    )
    record(
        "drills",
        body,
        "python -m pytest tests/bench -o python_files='bench_*.py' -k drill -s",
    )
    assert not late, late
