"""Connection settings for SQL Server: parsed from an ``mssql://`` URL or from
the ``target.database`` block, redacted for messages, and turned into an ODBC
connection string."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

DEFAULT_DRIVER = "ODBC Driver 18 for SQL Server"
DEFAULT_PORT = 1433
PASSWORD_ENV = "WARROOM_MSSQL_PASSWORD"
SCHEME = "mssql"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

_TRUE = {"yes", "true", "1", "on"}
_FALSE = {"no", "false", "0", "off"}
_ENCRYPT_VALUES = {"yes": "yes", "no": "no", "strict": "strict"}
_QUERY_OPTIONS = (
    "encrypt",
    "trust_server_certificate",
    "driver",
    "connect_timeout",
    "query_timeout",
)


class InvalidMssqlUrl(ValueError):
    """The URL or database block cannot describe a SQL Server connection."""


@dataclass(frozen=True)
class MssqlSettings:
    """Connection settings for one server. ``repr`` leaves out the password."""

    host: str
    port: int
    database: str
    user: str
    password: str | None = field(default=None, repr=False)
    encrypt: str = "yes"
    trust_server_certificate: bool = False
    driver: str = DEFAULT_DRIVER
    connect_timeout: float = 5.0
    query_timeout: float = 5.0
    # Where each timeout was set, so a timeout error can name the setting.
    connect_timeout_setting: str = "target.connect_timeout_seconds"
    query_timeout_setting: str = "target.statement_timeout_seconds"
    password_source: str = PASSWORD_ENV

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def is_local(self) -> bool:
        return self.host.lower() in LOCAL_HOSTS

    @property
    def is_freetds(self) -> bool:
        return "freetds" in self.driver.lower()

    def describe(self) -> str:
        """Return ``mssql://user@host:port/database`` without the password."""
        return f"{SCHEME}://{self.user}@{self.server}/{self.database}"


def is_mssql_url(url: str | None) -> bool:
    return bool(url) and urlsplit(url.strip()).scheme.lower() == SCHEME


def redact_mssql_url(url: str) -> str:
    """Return the URL with any password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def parse_mssql_url(
    url: str,
    *,
    connect_timeout: float = 5.0,
    query_timeout: float = 5.0,
    environ: Mapping[str, str] | None = None,
) -> MssqlSettings:
    """Parse ``mssql://USER[:PASSWORD]@HOST[:PORT]/DATABASE?OPTIONS``.

    The password is the URL's own when it has one, otherwise the value of
    WARROOM_MSSQL_PASSWORD. Options: encrypt (yes, no, strict),
    trust_server_certificate (yes, no), driver, connect_timeout and
    query_timeout in seconds. The timeouts given here are the defaults that
    the URL's options override. Raises InvalidMssqlUrl naming the bad part.
    """
    env = os.environ if environ is None else environ
    shown = redact_mssql_url(url)
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != SCHEME:
        raise InvalidMssqlUrl(f"{shown} is not an mssql:// URL")
    if not parts.hostname:
        raise InvalidMssqlUrl(f"{shown} names no host: write mssql://USER@HOST/DB")
    if not parts.username:
        raise InvalidMssqlUrl(f"{shown} names no user: write mssql://USER@HOST/DB")
    database = unquote(parts.path.lstrip("/"))
    if not database or "/" in database:
        raise InvalidMssqlUrl(f"{shown} names no database: end the URL with /DATABASE")
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise InvalidMssqlUrl(f"{shown} has an invalid port") from None

    options = _parse_options(parts.query, shown)
    password = unquote(parts.password) if parts.password is not None else None
    password_source = "the password in the URL"
    if password is None:
        password = env.get(PASSWORD_ENV) or None
        password_source = PASSWORD_ENV
    settings = MssqlSettings(
        host=parts.hostname,
        port=port,
        database=database,
        user=unquote(parts.username),
        password=password,
        encrypt=_encrypt(options.get("encrypt", "yes"), shown),
        trust_server_certificate=_flag(
            options.get("trust_server_certificate", "no"),
            "trust_server_certificate",
            shown,
        ),
        driver=options.get("driver", DEFAULT_DRIVER),
        connect_timeout=connect_timeout,
        query_timeout=query_timeout,
        password_source=password_source,
    )
    if "connect_timeout" in options:
        settings = replace(
            settings,
            connect_timeout=_seconds(options["connect_timeout"], "connect_timeout"),
            connect_timeout_setting="connect_timeout in the target URL",
        )
    if "query_timeout" in options:
        settings = replace(
            settings,
            query_timeout=_seconds(options["query_timeout"], "query_timeout"),
            query_timeout_setting="query_timeout in the target URL",
        )
    return settings


def _parse_options(query: str, shown: str) -> dict[str, str]:
    options = dict(parse_qsl(query, keep_blank_values=True))
    unknown = sorted(set(options) - set(_QUERY_OPTIONS))
    if unknown:
        raise InvalidMssqlUrl(
            f"{shown}: unknown option(s) {', '.join(unknown)}; the known ones "
            f"are {', '.join(_QUERY_OPTIONS)}"
        )
    return options


def _encrypt(value: str, shown: str) -> str:
    word = value.strip().lower()
    if word in _TRUE:
        return "yes"
    if word in _FALSE:
        return "no"
    if word in _ENCRYPT_VALUES:
        return _ENCRYPT_VALUES[word]
    raise InvalidMssqlUrl(
        f"{shown}: encrypt={value!r} is invalid; use yes, no or strict"
    )


def _flag(value: str, name: str, shown: str) -> bool:
    word = value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise InvalidMssqlUrl(f"{shown}: {name}={value!r} is invalid; use yes or no")


def _seconds(value: str, name: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if seconds <= 0:
        raise InvalidMssqlUrl(f"{name}={value!r} is invalid; give seconds above 0")
    return seconds


def _braced(value: str) -> str:
    # An ODBC value in braces may contain anything but NUL; a closing brace
    # is written twice.
    if "\x00" in value:
        raise InvalidMssqlUrl("a connection setting contains a NUL character")
    return "{" + value.replace("}", "}}") + "}"


def connection_string(settings: MssqlSettings, application_name: str) -> str:
    """Build the ODBC connection string for one connection.

    Every value that comes from the user is braced, so a ``;`` in a password
    or database name cannot add a keyword.
    """
    parts = [f"DRIVER={_braced(settings.driver)}"]
    if settings.is_freetds:
        # FreeTDS takes the port as its own keyword and needs TDS 7.4 for
        # the data types of SQL Server 2012 and newer.
        parts += [
            f"SERVER={_braced(settings.host)}",
            f"PORT={settings.port}",
            "TDS_Version=7.4",
            # NOTE: FreeTDS's encryption keyword, untested against a server.
            f"Encryption={'require' if settings.encrypt != 'no' else 'off'}",
        ]
    else:
        parts += [
            f"SERVER={_braced(f'tcp:{settings.host},{settings.port}')}",
            f"Encrypt={settings.encrypt}",
            "TrustServerCertificate="
            + ("yes" if settings.trust_server_certificate else "no"),
        ]
    parts += [
        f"DATABASE={_braced(settings.database)}",
        f"UID={_braced(settings.user)}",
    ]
    if settings.password is not None:
        parts.append(f"PWD={_braced(settings.password)}")
    parts.append(f"APP={_braced(application_name)}")
    return ";".join(parts) + ";"
