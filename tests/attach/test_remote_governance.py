"""RemoteSource's governance reads, catalog scan and classification through
the sidecar: the same catalog, PHI columns, lineage and mask rules as the
engine's, and a classification recorded in the engine's catalog."""

from __future__ import annotations

import pytest

from engine.events import CatalogChanged
from tests.attach.conftest import eventually, next_event
from warroom.attach.client import SidecarRejected


async def test_governance_matches_engine(remote, engine):
    await eventually(lambda: engine.last_catalog_scan() is not None, "first scan")

    catalog = await remote.catalog()
    assert catalog == engine.catalog()
    phi = await remote.phi_columns()
    assert phi == engine.phi_columns()
    assert len(phi) > 0
    scan = await remote.last_catalog_scan()
    assert scan is not None
    assert scan.id == engine.last_catalog_scan().id

    lineage = await remote.lineage(50)
    expected = await engine.lineage(50)
    assert lineage.rows == expected.rows
    assert lineage.note == expected.note

    masking = remote.config.warroom.governance.masking
    assert masking == engine.config.warroom.governance.masking

    record = await remote.scan_catalog("tester")
    assert record.id == scan.id + 1
    assert engine.last_catalog_scan().id == record.id


async def test_classify_reaches_engine(remote, engine):
    await eventually(lambda: engine.last_catalog_scan() is not None, "first scan")
    column = engine.phi_columns()[0].column
    table = f"{column.table_schema}.{column.table_name}"

    await remote.classify_column(table, column.column_name, "none", "alice", "test")

    entry = next(item for item in engine.catalog() if item.column == column)
    assert entry.classification == "none"
    assert entry.classified_by == "alice"
    assert entry.classification_reason == "test"
    assert entry in await remote.catalog()

    with pytest.raises(SidecarRejected) as rejected:
        await remote.classify_column(table, "no_such_column", "phone", "alice")
    assert rejected.value.status == 404
    assert "no_such_column" in str(rejected.value)


async def test_catalog_changes_reach_remote_bus(remote, engine):
    await eventually(lambda: engine.last_catalog_scan() is not None, "first scan")
    column = engine.phi_columns()[0].column
    table = f"{column.table_schema}.{column.table_name}"
    events = remote.bus.subscribe()

    def by(actor):
        # The engine's scheduled scans send events too.
        return lambda event: isinstance(event, CatalogChanged) and event.actor == actor

    await engine.scan_catalog("bob")
    scanned = await next_event(events, by("bob"))
    engine.classify_column(table, column.column_name, "none", "alice")
    classified = await next_event(events, by("alice"))

    assert scanned == CatalogChanged("scanned", "bob")
    assert classified == CatalogChanged("classified", "alice")
