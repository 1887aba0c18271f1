"""The sample query per dialect, and the catalog in the state database:
replacing a scan, added and dropped columns, and classifications."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.governance.catalog import sample_query
from engine.store.database import Store
from engine.store.governance import (
    CONFIG_ACTOR,
    FIRST_SCAN_ACTOR,
    ColumnNotFound,
    GovernanceRepository,
    ScannedColumn,
)
from engine.targets.mssql.target import MssqlDialect
from engine.targets.postgres import PostgresDialect

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def column(name: str, category: str | None = None, confidence: float = 0.9):
    return ScannedColumn(
        table_schema="healthcare",
        table_name="patients",
        table_type="BASE TABLE",
        column_name=name,
        ordinal=1,
        data_type="text",
        is_nullable=True,
        category=category,
        confidence=confidence if category else None,
        reason="name: test" if category else None,
        detected_by="classifier" if category else None,
    )


@pytest.fixture
def repository(tmp_path: Path) -> GovernanceRepository:
    return GovernanceRepository(Store(tmp_path / "state.db"))


def by_name(repository: GovernanceRepository) -> dict:
    return {entry.column.column_name: entry for entry in repository.catalog("demo")}


def test_sample_query_postgres_quotes_names():
    query = sample_query(PostgresDialect(), "health care", 'pa"t', ["a%b"])

    assert query == ('SELECT "a%%b" FROM "health care"."pa""t" LIMIT %(sample_rows)s')


def test_sample_query_mssql_uses_top():
    query = sample_query(MssqlDialect(), "healthcare", "pat]ients", ["zip"])

    assert query == "SELECT TOP (%(sample_rows)s) [zip] FROM [healthcare].[pat]]ients]"


def test_first_scan_records_no_changes(repository):
    record = repository.replace_catalog(
        "demo", T0, [column("zip_code", "zip_code"), column("gender")], 1, {}, 0.5
    )

    entries = by_name(repository)
    assert (record.added, record.dropped, record.columns) == (0, 0, 2)
    assert entries["zip_code"].classification == "zip_code"
    assert entries["zip_code"].classified_by == FIRST_SCAN_ACTOR
    assert entries["gender"].classification is None


def test_first_scan_without_acceptance(repository):
    repository.replace_catalog("demo", T0, [column("ssn", "ssn")], 1, {}, None)

    assert by_name(repository)["ssn"].classification is None


def test_low_confidence_not_accepted(repository):
    repository.replace_catalog(
        "demo", T0, [column("ssn", "ssn", confidence=0.4)], 1, {}, 0.5
    )

    assert by_name(repository)["ssn"].classification is None


def test_rescan_records_added_and_dropped(repository):
    repository.replace_catalog("demo", T0, [column("a"), column("b")], 1, {}, 0.5)
    later = T0 + timedelta(hours=1)

    record = repository.replace_catalog(
        "demo", later, [column("b"), column("c")], 1, {"x.y": "denied"}, 0.5
    )

    changes = {(c.change, c.column_name) for c in repository.changes("demo")}
    entries = by_name(repository)
    assert (record.added, record.dropped) == (1, 1)
    assert changes == {("added", "c"), ("dropped", "a")}
    assert set(entries) == {"b", "c"}
    assert entries["b"].first_seen_at == T0
    assert entries["c"].first_seen_at == later
    assert record.sample_errors == {"x.y": "denied"}
    assert repository.latest_scan("demo") == record


def test_dropped_column_loses_classification(repository):
    ssn = column("ssn", "ssn")
    repository.replace_catalog("demo", T0, [ssn], 1, {}, 0.5)
    repository.replace_catalog("demo", T0, [], 1, {}, 0.5)

    repository.replace_catalog("demo", T0, [ssn], 1, {}, 0.5)

    assert by_name(repository)["ssn"].classification is None


def test_classify_records_actor(repository):
    repository.replace_catalog("demo", T0, [column("notes", "ssn")], 1, {}, None)

    repository.classify(
        "demo", ("healthcare", "patients", "notes"), "none", "free text", "dana", T0
    )

    entry = by_name(repository)["notes"]
    assert entry.classification == "none"
    assert entry.classified_by == "dana"
    assert entry.classified_at == T0
    assert entry.classification_reason == "free text"


CONFIGURED = {("healthcare", "patients", "last_name"): "person_name"}


def test_configured_wins_over_first_scan(repository):
    last_name = column("last_name", "person_name")

    repository.replace_catalog("demo", T0, [last_name], 1, {}, 0.5, CONFIGURED)

    entry = by_name(repository)["last_name"]
    assert entry.classification == "person_name"
    assert entry.classified_by == CONFIG_ACTOR
    assert "governance.classifications" in (entry.classification_reason or "")


def test_configured_applies_to_later_column(repository):
    repository.replace_catalog("demo", T0, [column("a")], 1, {}, 0.5, CONFIGURED)
    later = T0 + timedelta(hours=1)
    columns = [column("a"), column("last_name", "person_name")]

    repository.replace_catalog("demo", later, columns, 1, {}, 0.5, CONFIGURED)

    entry = by_name(repository)["last_name"]
    assert entry.classification == "person_name"
    assert entry.classified_by == CONFIG_ACTOR
    assert entry.classified_at == later


def test_configured_keeps_first_time(repository):
    last_name = column("last_name", "person_name")
    repository.replace_catalog("demo", T0, [last_name], 1, {}, 0.5, CONFIGURED)
    later = T0 + timedelta(hours=1)

    repository.replace_catalog("demo", later, [last_name], 1, {}, 0.5, CONFIGURED)

    assert by_name(repository)["last_name"].classified_at == T0


def test_configured_never_replaces_person(repository):
    last_name = column("last_name", "person_name")
    repository.replace_catalog("demo", T0, [last_name], 1, {}, None)
    key = ("healthcare", "patients", "last_name")
    repository.classify("demo", key, "none", "test data", "dana", T0)

    repository.replace_catalog("demo", T0, [last_name], 1, {}, 0.5, CONFIGURED)

    entry = by_name(repository)["last_name"]
    assert entry.classification == "none"
    assert entry.classified_by == "dana"


def test_classify_unknown_column(repository):
    with pytest.raises(ColumnNotFound, match="healthcare.patients.ssn"):
        repository.classify(
            "demo", ("healthcare", "patients", "ssn"), "ssn", "", "dana", T0
        )


def test_targets_kept_apart(repository):
    repository.replace_catalog("demo", T0, [column("a")], 1, {}, 0.5)

    repository.replace_catalog("other", T0, [column("z")], 1, {}, 0.5)

    assert set(by_name(repository)) == {"a"}
