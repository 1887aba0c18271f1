"""Bad input gets a clear error, exit status 2, no traceback, nothing lost."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import psycopg
import pytest

from engine.config import load_config
from engine.paths import CONFIG_DIR
from warroom.datadir import DataDirLock


def run_cli(*args: str, home: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "WARROOM_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "warroom.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def assert_clean_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def test_unreachable_target(tmp_path):
    url = "postgresql://warroom@127.0.0.1:1/claims"

    result = run_cli("drill", "deadlock", "--target", url, home=tmp_path)

    assert_clean_error(result, "cannot connect to postgresql://warroom@127.0.0.1:1")
    assert "--target" in result.stderr
    # The failed start released the data directory.
    DataDirLock(tmp_path).acquire().release()


@pytest.fixture
def password_role(pg_server):
    """A role that must log in with a password over the Unix socket."""
    admin = pg_server.url("postgres")
    hba = pg_server.pgdata / "pg_hba.conf"
    original = hba.read_text()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("DROP ROLE IF EXISTS oncall")
        connection.execute("CREATE ROLE oncall LOGIN PASSWORD 'right-password'")
        hba.write_text("local all oncall scram-sha-256\n" + original)
        connection.execute("SELECT pg_reload_conf()")
    yield admin
    hba.write_text(original)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("SELECT pg_reload_conf()")
        connection.execute("DROP ROLE IF EXISTS oncall")


def test_wrong_password(tmp_path, password_role):
    socket_dir = password_role.split("host=", 1)[1]
    url = f"postgresql://oncall:wrong-password@/postgres?host={socket_dir}"

    result = run_cli("drill", "deadlock", "--target", url, home=tmp_path)

    assert_clean_error(result, "password authentication failed", "oncall:***@")
    assert "wrong-password" not in result.stderr


def test_config_typo(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    for path in CONFIG_DIR.glob("*.yaml"):
        (config / path.name).write_text(path.read_text())
    text = (config / "warroom.yaml").read_text()
    text = text.replace("poll_interval_seconds: 1.0", "pol_interval_seconds: 1.0")
    text = text.replace("clear_polls: 3", "clear_polls: often")
    (config / "warroom.yaml").write_text(text)

    result = run_cli("--config", str(config), "drill", "--all", home=tmp_path)

    assert_clean_error(
        result,
        "2 problem(s)",
        "monitor.pol_interval_seconds: Extra inputs are not permitted",
        "incidents.clear_polls: Input should be a valid integer",
        f"{config / 'warroom.yaml'}:",
    )


def test_second_instance_on_same_data_dir(tmp_path):
    lock = DataDirLock(tmp_path).acquire()
    try:
        result = run_cli("drill", "deadlock", home=tmp_path)
    finally:
        lock.release()

    assert_clean_error(result, f"pid {os.getpid()}", str(tmp_path), "WARROOM_HOME")


def test_reset_needs_confirmation(tmp_path):
    (tmp_path / "warroom.db").write_text("state")

    result = run_cli("reset", home=tmp_path)

    assert_clean_error(result, "--yes")
    assert (tmp_path / "warroom.db").exists()


def test_reset_with_yes_removes_home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "warroom.db").write_text("state")

    result = run_cli("reset", "--yes", home=home)

    assert result.returncode == 0, result.stderr
    assert not home.exists()


def test_scale_must_be_positive(tmp_path):
    result = run_cli("demo", "--scale", "0", home=tmp_path)

    assert result.returncode == 2
    assert "0 is below 1" in result.stderr


def test_drill_all_twice(tmp_path):
    """Every drill passes twice in a row, and no rerun starts within its cooldown.

    The config is the shipped one with a 1 s validation cycle instead of 30 s,
    so the data drills do not wait up to half a minute each for detection.
    """
    config = tmp_path / "config"
    config.mkdir()
    for path in CONFIG_DIR.glob("*.yaml"):
        text = path.read_text()
        if path.name == "validation_rules.yaml":
            text = text.replace("interval_seconds: 30", "interval_seconds: 1")
        (config / path.name).write_text(text)
    arguments = ("--config", str(config), "drill", "--all", "--json")
    first = run_cli(*arguments, home=tmp_path, timeout=600)
    second = run_cli(*arguments, home=tmp_path, timeout=600)

    scenarios = load_config(config, environ={}).chaos.scenarios
    for result in (first, second):
        assert result.returncode == 0, result.stdout + result.stderr
        report = json.loads(result.stdout)
        assert sorted(entry["scenario"] for entry in report) == sorted(scenarios)
        for entry in report:
            assert entry["passed"], entry
            assert entry["rolled_back"] and entry["resolved"], entry
            # A data check running while the inject commits can see the
            # fault in the same instant, so 0 is a real time to detect.
            assert 0 <= entry["seconds_to_detect"] <= entry["seconds_to_resolve"]
        progress = [line for line in result.stderr.splitlines() if "ttd=" in line]
        assert len(progress) == len(scenarios)
    # A slow start of the second process can outlast a cooldown, so whether
    # it printed "waiting" depends on the machine. The gaps do not.
    with sqlite3.connect(tmp_path / "warroom.db") as state:
        rows = state.execute(
            "SELECT scenario, started_at, ended_at FROM drills ORDER BY id"
        ).fetchall()
    for name, scenario in scenarios.items():
        runs = [(start, end) for drilled, start, end in rows if drilled == name]
        assert len(runs) == 2, name
        gap = (
            datetime.fromisoformat(runs[1][0]) - datetime.fromisoformat(runs[0][1])
        ).total_seconds()
        assert gap >= scenario.cooldown_seconds, f"{name} restarted after {gap:.1f} s"


def test_missing_config_folder(tmp_path):
    result = run_cli(
        "--config", str(tmp_path / "nope"), "drill", "--all", home=tmp_path
    )

    assert_clean_error(result, "config folder not found")


def test_misspelled_scenario(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    (config / "chaos_scenarios.yaml").write_text("scenarios:\n  deadlok: {}\n")

    result = run_cli("--config", str(config), "drill", "deadlock", home=tmp_path)

    assert_clean_error(result, "unknown scenario(s) deadlok")


def test_sigterm_mid_drill_rolls_back(tmp_path):
    """A terminated drill still ends its sessions and restores its rows."""
    env = {**os.environ, "WARROOM_HOME": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "warroom.cli", "drill", "long_running_query"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    log = tmp_path / "logs" / "warroom.log"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if log.exists() and "queued behind it" in log.read_text():
            break
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)

    assert process.returncode == 1, stderr
    assert "FAIL long_running_query" in stdout
    assert "drill cancelled" in stdout
    assert "Traceback" not in stderr
    with sqlite3.connect(tmp_path / "warroom.db") as state:
        status, rolled_back = state.execute(
            "SELECT status, rolled_back_at FROM drills"
        ).fetchone()
        pending = state.execute(
            "SELECT count(*) FROM drill_journal WHERE restored_at IS NULL"
        ).fetchone()[0]
    assert status == "cancelled"
    assert rolled_back is not None
    assert pending == 0
    assert "embedded PostgreSQL stopped" in log.read_text()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_answers_and_stops(tmp_path):
    port = free_port()
    env = {**os.environ, "WARROOM_HOME": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "warroom.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    health = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and health is None:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/api/health", timeout=2
            ) as response:
                health = json.loads(response.read())
        except OSError:
            time.sleep(0.3)
    # An open event stream must not hold the shutdown.
    stream = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/events", timeout=10)
    first = stream.readline()
    stopping = time.monotonic()
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    stopped_in = time.monotonic() - stopping
    rest = stream.read()
    stream.close()

    assert first.startswith(b":"), first
    assert b": sidecar stopping" in rest
    assert stopped_in < 10, f"serve took {stopped_in:.1f} s to stop"
    assert health is not None, stderr
    assert health["engine"]["target"] == "demo"
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr


def test_serve_port_taken(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = run_cli("serve", "--port", str(port), home=tmp_path)

    assert_clean_error(result, f"could not listen on 127.0.0.1:{port}", "--port")


def test_serve_refuses_open_bind_without_token(tmp_path):
    result = run_cli("serve", "--host", "0.0.0.0", home=tmp_path)

    assert_clean_error(result, "token")
