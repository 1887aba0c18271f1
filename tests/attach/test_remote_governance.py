"""RemoteSource's governance reads and catalog scan through the sidecar: the
same catalog, PHI columns, lineage and mask rules as the engine's."""

from __future__ import annotations

from tests.attach.conftest import eventually


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
