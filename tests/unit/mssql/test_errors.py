"""Messages for a missing driver, a failed login and a timeout."""

from __future__ import annotations

import importlib.abc
import logging
import sys

import pytest

from engine.targets.base import TargetUnreachable
from engine.targets.mssql.connection import MssqlConnection
from engine.targets.mssql.errors import (
    DeadlockVictim,
    LoginFailed,
    OdbcDriverMissing,
    TargetTimeout,
    load_pyodbc,
    translate,
)
from tests.unit.mssql.conftest import PASSWORD
from tests.unit.mssql.fake_pyodbc import Error

LOGIN_FAILED = Error(
    "28000",
    "[28000] [Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Login failed "
    "for user 'warroom_monitor'. (18456) (SQLDriverConnect)",
)


class _BrokenLibrary(importlib.abc.MetaPathFinder):
    """Fail the pyodbc import the way a wheel without libodbc.so.2 does."""

    def find_spec(self, name, path=None, target=None):
        if name == "pyodbc":
            raise ImportError(
                "libodbc.so.2: cannot open shared object file: No such file or "
                "directory"
            )
        return None


def test_pyodbc_not_installed(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyodbc", None)

    with pytest.raises(OdbcDriverMissing) as raised:
        load_pyodbc()

    message = str(raised.value)
    assert "pip install 'warroom[mssql]'" in message
    assert "ODBC Driver 18 for SQL Server" in message
    assert "msodbcsql18" in message
    assert "tdsodbc" in message


def test_libodbc_missing(monkeypatch):
    monkeypatch.delitem(sys.modules, "pyodbc", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_BrokenLibrary(), *sys.meta_path])

    with pytest.raises(OdbcDriverMissing) as raised:
        load_pyodbc()

    message = str(raised.value)
    assert "libodbc.so.2" in message
    assert "apt-get install unixodbc" in message
    assert "msodbcsql18" in message


async def test_driver_not_installed(install_pyodbc, settings):
    install_pyodbc(drivers=["PostgreSQL Unicode"])

    with pytest.raises(OdbcDriverMissing) as raised:
        await MssqlConnection.open(settings, "warroom-monitor")

    message = str(raised.value)
    assert "the ODBC driver 'ODBC Driver 18 for SQL Server' is not installed" in message
    assert "'PostgreSQL Unicode'" in message
    assert "msodbcsql18" in message
    assert "driver=FreeTDS" in message


async def test_login_failure_names_server_and_user(install_pyodbc, settings, caplog):
    install_pyodbc(connect_error=LOGIN_FAILED)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(LoginFailed) as raised:
        await MssqlConnection.open(settings, "warroom-monitor")

    message = str(raised.value)
    assert isinstance(raised.value, TargetUnreachable)
    assert "sql1.example.internal:1433" in message
    assert "'warroom_monitor'" in message
    assert "WARROOM_MSSQL_PASSWORD" in message
    assert PASSWORD not in message
    assert PASSWORD not in caplog.text


async def test_password_scrubbed_from_driver_message(install_pyodbc, settings, caplog):
    # Should a driver ever echo the connection string, the password stays out.
    echoed = Error(
        "08001",
        f"[08001] [unixODBC]cannot connect with PWD={{{PASSWORD}}} (0) "
        "(SQLDriverConnect)",
    )
    install_pyodbc(connect_error=echoed)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(TargetUnreachable) as raised:
        await MssqlConnection.open(settings, "warroom-monitor")

    assert PASSWORD not in str(raised.value)
    assert "PWD={***}" in str(raised.value)
    assert PASSWORD not in caplog.text


async def test_connect_passes_timeouts(install_pyodbc, settings):
    fake = install_pyodbc()

    connection = await MssqlConnection.open(settings, "warroom-monitor")
    await connection.close()

    (_, options) = fake.connect_calls[0]
    assert options == {"autocommit": True, "timeout": 5}
    assert fake.connections[0].timeout == 5
    assert connection.session_id == 51


def test_connect_timeout_names_setting(settings):
    error = Error(
        "HYT00",
        "[HYT00] [Microsoft][ODBC Driver 18 for SQL Server]Login timeout expired "
        "(0) (SQLDriverConnect)",
    )

    translated = translate(error, settings, "connect")

    assert isinstance(translated, TargetTimeout)
    assert "timed out after 5 s" in str(translated)
    assert "target.connect_timeout_seconds" in str(translated)


def test_query_timeout_names_setting(settings):
    error = Error(
        "HYT00",
        "[HYT00] [Microsoft][ODBC Driver 18 for SQL Server]Query timeout expired "
        "(0) (SQLExecDirectW)",
    )

    translated = translate(error, settings, "snapshot")

    assert isinstance(translated, TargetTimeout)
    assert str(translated).startswith("snapshot on mssql://warroom_monitor@")
    assert "target.statement_timeout_seconds" in str(translated)


def test_deadlock_victim_mapped():
    error = Error(
        "40001",
        "[40001] [Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Transaction "
        "(Process ID 63) was deadlocked on lock resources with another process "
        "and has been chosen as the deadlock victim. Rerun the transaction. "
        "(1205) (SQLExecDirectW)",
    )

    translated = translate(error, _settings(), "UPDATE healthcare.pharmacy_claims")

    assert isinstance(translated, DeadlockVictim)
    assert translated.native_error == 1205
    assert translated.sqlstate == "40001"
    assert "deadlock victim (SQL Server error 1205)" in str(translated)
    assert "Process ID 63" in str(translated)


def test_server_error_keeps_number():
    error = Error(
        "42000",
        "[42000] [Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Process ID "
        "999 is not an active process ID. (6106) (SQLExecDirectW)",
    )

    translated = translate(error, _settings(), "KILL 999")

    assert translated.native_error == 6106
    assert str(translated) == (
        "KILL 999 failed on mssql://warroom_monitor@sql1.example.internal:1433/"
        "warroom: Process ID 999 is not an active process ID. (6106)"
    )


def _settings():
    from engine.targets.mssql.url import MssqlSettings

    return MssqlSettings(
        host="sql1.example.internal",
        port=1433,
        database="warroom",
        user="warroom_monitor",
        password=PASSWORD,
    )
