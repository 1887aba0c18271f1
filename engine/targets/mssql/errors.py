"""Turn pyodbc's errors into the engine's TargetError family, with messages
that name the server, the user or the setting involved, never the password."""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

from engine.targets.base import TargetError, TargetUnreachable
from engine.targets.mssql.url import DEFAULT_DRIVER, MssqlSettings

INSTALL_DRIVER = (
    f"install Microsoft's {DEFAULT_DRIVER!r} (the msodbcsql18 package from "
    "Microsoft's package repository, installed with ACCEPT_EULA=Y), or "
    "FreeTDS's driver (Debian: apt-get install tdsodbc) and add driver=FreeTDS "
    "to the mssql:// URL or the target.database block"
)

# SQL Server error numbers that the engine treats specially.
LOGIN_FAILED = 18456
DEADLOCK_VICTIM = 1205
NOT_AN_ACTIVE_PROCESS = 6106

_NATIVE_ERROR = re.compile(r"\((-?\d+)\)")
_VENDOR_PREFIX = re.compile(r"^(\[[^\]]*\]\s*)+")
_CALL_SUFFIX = re.compile(r"\s*\((SQL\w+)\)\s*$")


class OdbcDriverMissing(TargetError):
    """pyodbc, the unixODBC library or the named ODBC driver is not installed."""


class LoginFailed(TargetUnreachable):
    """The server rejected the user name or password."""


class TargetTimeout(TargetError):
    """A connect or a query ran past its timeout setting."""


class DeadlockVictim(TargetError):
    """The server chose this session as a deadlock victim (error 1205)."""


def load_pyodbc() -> ModuleType:
    """Import pyodbc, or raise OdbcDriverMissing saying what to install.

    The import is lazy so the PostgreSQL path never needs pyodbc or libodbc.
    """
    try:
        import pyodbc
    except ModuleNotFoundError as error:
        if error.name != "pyodbc":
            raise
        raise OdbcDriverMissing(
            "pyodbc is not installed, and SQL Server targets need it: run "
            "pip install 'warroom[mssql]'; then " + INSTALL_DRIVER
        ) from None
    except ImportError as error:
        # The pyodbc wheel links against unixODBC's libodbc.so.2 and does not
        # ship it.
        raise OdbcDriverMissing(
            f"pyodbc cannot load the unixODBC driver manager ({error}): install "
            "it (Debian: apt-get install unixodbc), then " + INSTALL_DRIVER
        ) from None
    return pyodbc


def check_driver(installed: list[str], settings: MssqlSettings) -> None:
    """Raise OdbcDriverMissing unless ``settings.driver`` is installed."""
    if settings.driver in installed:
        return
    found = ", ".join(repr(name) for name in installed) or "none"
    raise OdbcDriverMissing(
        f"the ODBC driver {settings.driver!r} is not installed (installed "
        f"drivers: {found}); {INSTALL_DRIVER}"
    )


def sqlstate_of(error: BaseException) -> str:
    args = getattr(error, "args", ())
    return str(args[0]) if len(args) >= 2 else ""


def native_error_of(error: BaseException) -> int | None:
    """Return SQL Server's error number from a pyodbc message, if it has one."""
    for number in _NATIVE_ERROR.findall(_raw_message(error)):
        if number != "0":
            return int(number)
    return None


def server_message(error: BaseException, settings: MssqlSettings) -> str:
    """Return the driver's message without its vendor prefix or the password."""
    text = _raw_message(error).strip()
    text = _VENDOR_PREFIX.sub("", text)
    text = _CALL_SUFFIX.sub("", text)
    return scrub(text, settings)


def scrub(text: str, settings: MssqlSettings) -> str:
    if settings.password:
        text = text.replace(settings.password, "***")
    return text


def translate(
    error: BaseException, settings: MssqlSettings, operation: str
) -> TargetError:
    """Map one pyodbc error from ``operation`` to the engine's error type.

    ``operation`` is ``connect`` for a login or a short description of the
    statement (``snapshot``, ``KILL 53``).
    """
    translated = _classify(error, settings, operation)
    # Callers such as kill_session act on the server's error number.
    translated.sqlstate = sqlstate_of(error)  # type: ignore[attr-defined]
    translated.native_error = native_error_of(error)  # type: ignore[attr-defined]
    return translated


def _classify(
    error: BaseException, settings: MssqlSettings, operation: str
) -> TargetError:
    state = sqlstate_of(error)
    number = native_error_of(error)
    message = server_message(error, settings)
    where = settings.describe()

    if state == "28000" or number == LOGIN_FAILED:
        return LoginFailed(
            f"login failed for user {settings.user!r} on {settings.server}: "
            f"{message}. Check the user and the password in "
            f"{settings.password_source}"
        )
    if state in ("HYT00", "HYT01"):
        if operation == "connect":
            return TargetTimeout(
                f"connecting to {where} timed out after "
                f"{settings.connect_timeout:g} s; raise "
                f"{settings.connect_timeout_setting} or check that the server "
                "listens on that host and port"
            )
        return TargetTimeout(
            f"{operation} on {where} timed out after {settings.query_timeout:g} s; "
            f"raise {settings.query_timeout_setting} if the server is just slow"
        )
    if state == "40001" or number == DEADLOCK_VICTIM:
        return DeadlockVictim(
            f"deadlock victim (SQL Server error 1205) in {operation}: {message}"
        )
    if state == "IM002":
        return OdbcDriverMissing(
            f"the ODBC driver {settings.driver!r} was not found: {message}; "
            + INSTALL_DRIVER
        )
    if state.startswith("08") or operation == "connect":
        return TargetUnreachable(f"cannot reach {where} ({operation}): {message}")
    return TargetError(f"{operation} failed on {where}: {message}")


def _raw_message(error: BaseException) -> str:
    args: tuple[Any, ...] = getattr(error, "args", ())
    if len(args) >= 2:
        return str(args[1])
    return str(error)
