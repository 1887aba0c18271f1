"""SQL Server target over pyodbc. pyodbc is imported only when a connection
opens, so the PostgreSQL path never needs it."""

from engine.targets.mssql.target import MssqlTarget
from engine.targets.mssql.url import (
    InvalidMssqlUrl,
    MssqlSettings,
    is_mssql_url,
    parse_mssql_url,
    redact_mssql_url,
)

__all__ = [
    "InvalidMssqlUrl",
    "MssqlSettings",
    "MssqlTarget",
    "is_mssql_url",
    "parse_mssql_url",
    "redact_mssql_url",
]
