"""%(name)s placeholders to ODBC ? markers."""

from __future__ import annotations

from datetime import date

import pytest

from engine.targets.mssql.params import ParameterError, to_qmark


def test_names_become_markers_in_order():
    sql = (
        "UPDATE healthcare.pharmacy_claims SET updated_at = SYSDATETIME() "
        "WHERE claim_id = %(claim_id)s AND service_date = %(service_date)s"
    )
    params = {"service_date": date(2025, 3, 1), "claim_id": 88121}

    converted, values = to_qmark(sql, params)

    assert converted.endswith("WHERE claim_id = ? AND service_date = ?")
    assert values == [88121, date(2025, 3, 1)]


def test_repeated_name_bound_twice():
    converted, values = to_qmark("SELECT %(n)s + %(n)s", {"n": 2})

    assert converted == "SELECT ? + ?"
    assert values == [2, 2]


def test_double_percent_is_literal():
    converted, values = to_qmark(
        "SELECT name FROM sys.objects WHERE name LIKE N'claims%%' AND 1 = %(one)s",
        {"one": 1},
    )

    assert (
        converted == "SELECT name FROM sys.objects WHERE name LIKE N'claims%' AND 1 = ?"
    )
    assert values == [1]


def test_missing_parameter_rejected():
    with pytest.raises(ParameterError) as raised:
        to_qmark("WAITFOR DELAY %(delay)s; SELECT %(count)s", {"count": 1})

    assert "missing value(s) for parameter(s) delay" in str(raised.value)
    assert "given: count" in str(raised.value)


def test_lone_percent_rejected():
    with pytest.raises(ParameterError, match="lone '%'"):
        to_qmark("SELECT 5 % 2, %(x)s", {"x": 1})


def test_extra_parameters_ignored():
    converted, values = to_qmark("SELECT 1", {"unused": 3})

    assert converted == "SELECT 1"
    assert values == []
