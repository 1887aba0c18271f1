"""Fixtures for the SQL Server adapter's tests on recorded rows."""

from __future__ import annotations

import sys

import pytest

from engine.targets.mssql.url import MssqlSettings
from tests.unit.mssql import fake_pyodbc

PASSWORD = "Tr0ub4dor&3-never-shown"


@pytest.fixture
def settings() -> MssqlSettings:
    return MssqlSettings(
        host="sql1.example.internal",
        port=1433,
        database="warroom",
        user="warroom_monitor",
        password=PASSWORD,
    )


@pytest.fixture
def install_pyodbc(monkeypatch):
    """Install a fake pyodbc module: ``install_pyodbc(**options)``."""

    def install(**options):
        fake = fake_pyodbc.module(**options)
        monkeypatch.setitem(sys.modules, "pyodbc", fake)
        return fake

    return install
