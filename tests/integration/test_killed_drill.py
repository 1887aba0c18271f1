"""A drill whose process is killed (SIGKILL) after the inject is rolled back
by the next engine start: every scenario, on the real embedded PostgreSQL."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from engine.chaos.scenarios import SCENARIOS
from engine.config import load_config
from engine.paths import CONFIG_DIR
from tests.integration.test_data_drills import table_digests

TARGET_NAME = "killed"


def drill_config(folder: Path) -> Path:
    """The shipped config with chaos allowed on a URL target, a fixed target
    name and a one-second validation cycle."""
    folder.mkdir()
    for path in CONFIG_DIR.glob("*.yaml"):
        text = path.read_text()
        if path.name == "warroom.yaml":
            text = text.replace("  # allow_chaos: true", "  allow_chaos: true")
            text = text.replace("${WARROOM_TARGET_NAME:demo}", TARGET_NAME)
        if path.name == "validation_rules.yaml":
            text = text.replace("interval_seconds: 30", "interval_seconds: 1")
        (folder / path.name).write_text(text)
    return folder


def chaos_sessions(url: str) -> int:
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE application_name LIKE 'warroom-chaos-%'"
        ).fetchone()[0]


INJECTED = "waiting for the war room to detect"
REMEDIATED = " remediated: "


def kill_after(
    url: str, config: Path, home: Path, scenario: str, phase: str = INJECTED
) -> None:
    """Run the drill in its own process and SIGKILL it once the log shows
    ``phase``."""
    env = {**os.environ, "WARROOM_HOME": str(home)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "warroom.cli",
            "--config",
            str(config),
            "drill",
            scenario,
            "--target",
            url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    log = home / "logs" / "warroom.log"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if log.exists() and phase in log.read_text():
                break
            if process.poll() is not None:
                pytest.fail(f"drill ended before the kill: {log.read_text()}")
            time.sleep(0.05)
        else:
            pytest.fail(f"the drill never reached {phase!r}")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)


def quarantined(url: str) -> int:
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT count(*) FROM public.warroom_quarantine"
        ).fetchone()[0]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
async def test_killed_drill_rolled_back_at_next_start(database_url, tmp_path, scenario):
    await kill_and_recover(database_url, tmp_path, scenario, INJECTED)


@pytest.mark.parametrize(
    "scenario",
    ["data_corruption", "orphaned_records", "claim_volume_spike", "formulary_change"],
)
async def test_drill_killed_after_remediation_rolled_back(
    database_url, tmp_path, scenario
):
    """Rows remediation moved to the quarantine come back (or go, when the
    drill added them), and changes it recorded are removed."""
    await kill_and_recover(database_url, tmp_path, scenario, REMEDIATED)


async def kill_and_recover(database_url, tmp_path, scenario, phase) -> None:
    from engine.service import Engine
    from engine.targets.postgres import PostgresTarget

    tables = SCENARIOS[scenario].touched_tables or ("healthcare.pharmacy_claims",)
    tables += ("public.warroom_quarantine",)
    before = table_digests(database_url, tables)
    config_dir = drill_config(tmp_path / "config")

    kill_after(database_url, config_dir, tmp_path, scenario, phase)

    if phase == REMEDIATED and scenario != "formulary_change":
        assert quarantined(database_url) > 0

    state = tmp_path / "warroom.db"
    with sqlite3.connect(state) as connection:
        (status,) = connection.execute("SELECT status FROM drills").fetchone()
    assert status == "running"
    config = load_config(config_dir, environ={})
    target = PostgresTarget(database_url, name=TARGET_NAME, is_local=True)
    engine = Engine(config, target, state)
    await engine.start(poll=False)
    await engine.stop()

    with sqlite3.connect(state) as connection:
        (status,) = connection.execute("SELECT status FROM drills").fetchone()
        (pending,) = connection.execute(
            "SELECT count(*) FROM drill_journal WHERE restored_at IS NULL"
        ).fetchone()
    assert status == "interrupted"
    assert pending == 0
    assert chaos_sessions(database_url) == 0
    assert table_digests(database_url, tables) == before
