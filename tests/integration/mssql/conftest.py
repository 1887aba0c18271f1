"""The live SQL Server suite: runs against WARROOM_MSSQL_URL, and is skipped
with that reason (shown in the pytest summary) when it is unset.

The URL is ``mssql://USER@HOST:PORT/DATABASE?encrypt=yes&...`` with the
password in the URL or in WARROOM_MSSQL_PASSWORD. The login needs VIEW SERVER
STATE and the right to KILL (ALTER ANY CONNECTION), as sa has. Chaos tests
use a global temporary table of their own, so they need no demo data.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

URL_VARIABLE = "WARROOM_MSSQL_URL"
SKIP_REASON = f"{URL_VARIABLE} is not set"
HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    if os.environ.get(URL_VARIABLE):
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if HERE in Path(item.fspath).parents:
            item.add_marker(skip)
            item.add_marker(pytest.mark.mssql)


@pytest.fixture
def mssql_settings():
    from engine.targets.mssql import parse_mssql_url

    return parse_mssql_url(os.environ[URL_VARIABLE], query_timeout=30)


@pytest.fixture
async def mssql_target(mssql_settings):
    from engine.targets.mssql import MssqlTarget

    target = MssqlTarget(mssql_settings, name="live")
    await target.connect()
    yield target
    await target.close()
