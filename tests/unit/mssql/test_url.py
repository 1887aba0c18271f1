"""mssql:// URLs: parsing, redaction and the ODBC connection string."""

from __future__ import annotations

import pytest

from engine.targets.mssql.url import (
    InvalidMssqlUrl,
    connection_string,
    is_mssql_url,
    parse_mssql_url,
    redact_mssql_url,
)

URL = (
    "mssql://warroom_monitor:s3cret@sql1.example.internal:14330/warroom"
    "?encrypt=yes&trust_server_certificate=yes"
)


def test_url_parsed():
    settings = parse_mssql_url(URL, environ={})

    assert settings.host == "sql1.example.internal"
    assert settings.port == 14330
    assert settings.database == "warroom"
    assert settings.user == "warroom_monitor"
    assert settings.password == "s3cret"
    assert settings.encrypt == "yes"
    assert settings.trust_server_certificate is True
    assert settings.driver == "ODBC Driver 18 for SQL Server"
    assert settings.password_source == "the password in the URL"


def test_defaults_and_password_from_environment():
    settings = parse_mssql_url(
        "mssql://sa@localhost/warroom",
        environ={"WARROOM_MSSQL_PASSWORD": "from-env"},
        connect_timeout=3,
        query_timeout=7,
    )

    assert settings.port == 1433
    assert settings.password == "from-env"
    assert settings.password_source == "WARROOM_MSSQL_PASSWORD"
    assert settings.encrypt == "yes"
    assert settings.trust_server_certificate is False
    assert settings.connect_timeout == 3
    assert settings.query_timeout == 7
    assert settings.is_local


def test_timeouts_and_driver_from_options():
    settings = parse_mssql_url(
        "mssql://sa@db/warroom?connect_timeout=2.5&query_timeout=30&driver=FreeTDS",
        environ={},
    )

    assert settings.connect_timeout == 2.5
    assert settings.query_timeout == 30
    assert settings.query_timeout_setting == "query_timeout in the target URL"
    assert settings.is_freetds
    assert not settings.is_local


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://u@h/db", "is not an mssql:// URL"),
        ("mssql://sa@/warroom", "names no host"),
        ("mssql://db.internal/warroom", "names no user"),
        ("mssql://sa@db.internal", "names no database"),
        ("mssql://sa@db.internal:99999/warroom", "invalid port"),
        ("mssql://sa@db/warroom?encrypt=maybe", "encrypt='maybe' is invalid"),
        ("mssql://sa@db/warroom?trust_server_certificate=2", "is invalid"),
        ("mssql://sa@db/warroom?timeout=5", "unknown option(s) timeout"),
        ("mssql://sa@db/warroom?query_timeout=0", "query_timeout='0' is invalid"),
    ],
)
def test_invalid_urls_rejected(url, message):
    with pytest.raises(InvalidMssqlUrl) as raised:
        parse_mssql_url(url, environ={})

    assert message in str(raised.value)


def test_invalid_url_message_hides_password():
    with pytest.raises(InvalidMssqlUrl) as raised:
        parse_mssql_url("mssql://sa:hunter2@db/warroom?encrypt=maybe", environ={})

    assert "hunter2" not in str(raised.value)
    assert "sa:***@db" in str(raised.value)


def test_redaction():
    assert redact_mssql_url(URL).startswith(
        "mssql://warroom_monitor:***@sql1.example.internal:14330/warroom?"
    )
    assert redact_mssql_url("mssql://sa@db/warroom") == "mssql://sa@db/warroom"
    settings = parse_mssql_url(URL, environ={})
    assert "s3cret" not in repr(settings)
    assert settings.describe() == (
        "mssql://warroom_monitor@sql1.example.internal:14330/warroom"
    )


def test_scheme_detection():
    assert is_mssql_url("mssql://sa@db/warroom")
    assert is_mssql_url("MSSQL://sa@db/warroom")
    assert not is_mssql_url("postgresql://u@h/db")
    assert not is_mssql_url(None)


def test_connection_string_microsoft_driver():
    settings = parse_mssql_url(URL, environ={})

    text = connection_string(settings, "warroom-monitor")

    assert text == (
        "DRIVER={ODBC Driver 18 for SQL Server};"
        "SERVER={tcp:sql1.example.internal,14330};Encrypt=yes;"
        "TrustServerCertificate=yes;DATABASE={warroom};UID={warroom_monitor};"
        "PWD={s3cret};APP={warroom-monitor};"
    )


def test_connection_string_braces_values():
    settings = parse_mssql_url("mssql://sa:a%7Db%3BDRIVER%3Dx@db/warroom", environ={})

    text = connection_string(settings, "warroom-admin")

    assert "PWD={a}}b;DRIVER=x};" in text
    assert text.count("DRIVER=") == 2  # the real keyword and the braced text
    assert text.startswith("DRIVER={ODBC Driver 18 for SQL Server};")


def test_connection_string_freetds():
    settings = parse_mssql_url(
        "mssql://sa:pw@127.0.0.1:1433/warroom?driver=FreeTDS", environ={}
    )

    text = connection_string(settings, "warroom-monitor")

    assert "DRIVER={FreeTDS};SERVER={127.0.0.1};PORT=1433;TDS_Version=7.4;" in text
