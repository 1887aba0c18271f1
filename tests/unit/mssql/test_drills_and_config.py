"""Chaos on SQL Server targets: the deadlock victim, the interlock, and the
config that picks the adapter."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from engine.chaos.interlocks import ChaosNotAllowed, InterlockState, check_interlocks
from engine.chaos.scenarios.base import DrillContext
from engine.chaos.scenarios.deadlock import _finish
from engine.config.models import KNOWN_SCENARIOS, ScenarioConfig, TargetConfig
from engine.targets.mssql import MssqlTarget
from engine.targets.mssql.errors import translate
from engine.targets.postgres import PostgresTarget
from tests.unit.mssql.fake_pyodbc import Error
from warroom.runtime import StartupError, build_target

VICTIM = Error(
    "40001",
    "[40001] [Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Transaction "
    "(Process ID 63) was deadlocked on lock resources with another process and "
    "has been chosen as the deadlock victim. Rerun the transaction. (1205) "
    "(SQLExecDirectW)",
)
DATABASE_BLOCK = {
    "host": "sql1.example.internal",
    "database": "warroom",
    "user": "warroom_monitor",
}


class VictimSession:
    """A chaos session whose next statement is chosen as deadlock victim."""

    session_id = 63

    def __init__(self, settings):
        self.settings = settings
        self.closed = False

    async def execute(self, sql, params=None):
        raise translate(VICTIM, self.settings, "touch_claim")

    async def close(self):
        self.closed = True


async def test_deadlock_victim_recorded_not_failed(settings):
    progress: list[tuple[str, str]] = []
    context = DrillContext(
        drill_id=1,
        target=MssqlTarget(settings),
        journal=None,
        params={},
        progress=lambda phase, message: progress.append((phase, message)),
    )
    session = VictimSession(settings)

    await _finish(context, session, {"claim_id": 1, "service_date": "2025-03-01"})

    assert session.closed
    (phase, message) = progress[0]
    assert phase == "deadlock"
    assert message.startswith("session 63: deadlock victim (SQL Server error 1205)")


@pytest.mark.parametrize(
    "target",
    [
        TargetConfig(name="sql1", url="mssql://sa@sql1.example.internal/warroom"),
        TargetConfig(name="sql1", url="mssql://sa@127.0.0.1/warroom"),
        TargetConfig(name="sql1", database=DATABASE_BLOCK),
    ],
    ids=["remote-url", "local-url", "database-block"],
)
@pytest.mark.parametrize("scenario", KNOWN_SCENARIOS)
def test_sql_server_refuses_chaos_by_default(target, scenario):
    state = InterlockState(
        now=datetime.now(UTC),
        last_ended=None,
        running_drill=None,
        conflicting_incident=None,
    )

    with pytest.raises(ChaosNotAllowed) as raised:
        check_interlocks(scenario, ScenarioConfig(), target, state)

    assert "chaos is not allowed on target 'sql1'" in str(raised.value)
    assert "target.allow_chaos: true" in str(raised.value)


def test_allow_chaos_opens_sql_server():
    target = TargetConfig(database=DATABASE_BLOCK, allow_chaos=True)

    assert target.chaos_allowed
    assert not target.is_embedded


def test_database_block_defaults():
    block = TargetConfig(database=DATABASE_BLOCK).database

    assert block.port == 1433
    assert block.password_env == "WARROOM_MSSQL_PASSWORD"
    assert block.encrypt == "yes"
    assert block.trust_server_certificate is False
    assert block.connect_timeout_seconds is None


@pytest.mark.parametrize(
    ("block", "field"),
    [
        ({**DATABASE_BLOCK, "kind": "postgresql"}, "kind"),
        ({**DATABASE_BLOCK, "port": 70000}, "port"),
        ({**DATABASE_BLOCK, "password_env": "not a name"}, "password_env"),
        ({**DATABASE_BLOCK, "password": "inline"}, "password"),
        ({**DATABASE_BLOCK, "encrypt": "maybe"}, "encrypt"),
        ({**DATABASE_BLOCK, "query_timeout_seconds": 0}, "query_timeout_seconds"),
        ({"host": "h", "user": "u"}, "database"),
    ],
)
def test_database_block_rejects_bad_input(block, field):
    with pytest.raises(ValidationError) as raised:
        TargetConfig(database=block)

    assert field in str(raised.value)


def test_url_and_block_are_exclusive():
    with pytest.raises(ValidationError, match="keep one"):
        TargetConfig(url="mssql://sa@db/warroom", database=DATABASE_BLOCK)


def test_adapter_chosen_by_scheme(monkeypatch):
    monkeypatch.setenv("WARROOM_MSSQL_PASSWORD", "pw")

    mssql = build_target(TargetConfig(), "mssql://sa@db.internal/warroom")
    postgres = build_target(TargetConfig(), "postgresql://u@db.internal/warroom")

    assert isinstance(mssql, MssqlTarget)
    assert mssql.settings.host == "db.internal"
    assert isinstance(postgres, PostgresTarget)


def test_adapter_from_database_block(monkeypatch):
    monkeypatch.setenv("SQL1_PASSWORD", "pw")
    config = TargetConfig(
        name="sql1",
        connect_timeout_seconds=4,
        database={
            **DATABASE_BLOCK,
            "password_env": "SQL1_PASSWORD",
            "query_timeout_seconds": 20,
        },
    )

    target = build_target(config, None)

    assert isinstance(target, MssqlTarget)
    assert target.name == "sql1"
    assert target.settings.password == "pw"
    assert target.settings.connect_timeout == 4
    assert target.settings.query_timeout == 20
    assert target.settings.query_timeout_setting == (
        "target.database.query_timeout_seconds"
    )
    assert not target.is_local


def test_database_block_needs_password_variable(monkeypatch):
    monkeypatch.delenv("WARROOM_MSSQL_PASSWORD", raising=False)

    with pytest.raises(StartupError) as raised:
        build_target(TargetConfig(database=DATABASE_BLOCK), None)

    assert "WARROOM_MSSQL_PASSWORD is not set" in str(raised.value)
    assert "warroom_monitor@sql1.example.internal" in str(raised.value)


def test_invalid_mssql_url_is_startup_error(monkeypatch):
    monkeypatch.setenv("WARROOM_MSSQL_PASSWORD", "pw")

    with pytest.raises(StartupError, match="names no database"):
        build_target(TargetConfig(), "mssql://sa:secret@db.internal")


def test_yaml_database_block_loads(tmp_path):
    from engine.config.loader import load_config

    (tmp_path / "warroom.yaml").write_text(
        "target:\n"
        "  name: sql1\n"
        "  database:\n"
        "    host: 127.0.0.1\n"
        "    database: warroom\n"
        "    user: sa\n"
        "    encrypt: no\n"
        "    trust_server_certificate: yes\n"
    )

    config = load_config(tmp_path, environ={})

    assert config.target.database.encrypt == "no"
    assert config.target.database.trust_server_certificate is True
    assert config.target.url is None
    assert not config.target.chaos_allowed
