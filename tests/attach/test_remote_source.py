"""RemoteSource against a real sidecar: its copy of the engine, its requests
and the error it reports when the sidecar goes away."""

from __future__ import annotations

import pytest

from engine.events import IncidentChanged, PollCompleted, PollFailed
from engine.incidents.models import IncidentNotFound, PostmortemNotFound, Status
from tests.attach.conftest import TOKEN, eventually, next_event
from tests.conftest import fast_config
from warroom.attach.client import SidecarClient, SidecarRejected
from warroom.attach.command import AttachError, check_url, open_remote
from warroom.attach.source import RemoteSource


async def test_connect_reads_the_sidecars_engine(remote, sidecar, engine):
    assert remote.target_name == f"test via {sidecar.url}"
    assert remote.config.warroom.thresholds.long_query_seconds == 7.5
    assert remote.config.warroom.monitor.poll_interval_seconds == 0.25
    assert remote.last_poll is not None
    assert remote.last_poll.snapshot.target == "test"
    own = remote.last_poll.snapshot.own_session_ids
    assert own and own <= {s.session_id for s in remote.last_poll.snapshot.sessions}
    assert [s.name for s in remote.scenarios()] == [s.name for s in engine.scenarios()]
    assert len(remote.history.series("connections")) >= 1


async def test_keys_stay_the_engineers_own(sidecar):
    local = fast_config()
    local.warroom.keys["inject"] = "x"
    source = RemoteSource(SidecarClient(sidecar.url, TOKEN), local)
    await source.connect()
    try:
        assert source.config.warroom.keys["inject"] == "x"
    finally:
        await source.close()


async def test_polls_arrive_as_poll_events(remote, engine):
    queue = remote.bus.subscribe()
    event = await next_event(queue, lambda item: isinstance(item, PollCompleted))

    assert remote.last_poll is event
    assert event.snapshot.counters.connections.value is not None
    assert engine.last_poll is not None
    assert event.snapshot.taken_at <= engine.last_poll.snapshot.taken_at


async def test_new_incident_copied_before_event(remote, engine):
    queue = remote.bus.subscribe()
    created = engine.create_incident("connections", "pool exhausted", "tester")

    # A busy host may open a CPU incident meanwhile; only ours matters here.
    event = await next_event(
        queue,
        lambda item: (
            isinstance(item, IncidentChanged) and item.incident.id == created.id
        ),
    )

    assert event.incident.id == created.id
    assert created.id in [item.id for item in remote.open_incidents()]
    assert event.incident.timeline, "the event carries the full incident"


async def test_status_changes_go_to_the_engine(remote, engine):
    created = engine.create_incident("connections", "pool exhausted", "tester")

    moved = await remote.investigate(created.id, "alice")
    escalated = await remote.escalate(created.id, "alice", "paging the DBA")

    assert moved.status is Status.INVESTIGATING
    assert escalated.status is Status.ESCALATED
    timeline = engine.get_incident(created.id).timeline
    assert timeline[-1].actor == "alice"
    assert timeline[-1].message == "paging the DBA"


async def test_remote_dry_run_changes_nothing(remote, engine):
    created = engine.create_incident("deadlock", "deadlock on claims", "tester")

    plan = await remote.remediate(created.id, "alice", dry_run=True)
    unmoved = engine.get_incident(created.id)
    result = await remote.remediate(created.id, "alice")

    assert (plan.action, plan.dry_run) == ("acknowledge", True)
    assert unmoved.status is Status.DETECTED
    assert unmoved.timeline[-1].action == "remediation (dry run): acknowledge"
    assert (result.action, result.dry_run) == ("acknowledge", False)
    assert engine.get_incident(created.id).status is Status.REMEDIATING


async def test_remediation_follows_sidecar_dry_run(sidecar, engine):
    created = engine.create_incident("deadlock", "deadlock on claims", "tester")
    engine.config.warroom.remediation.dry_run = True
    local = fast_config()
    assert local.warroom.remediation.dry_run is False
    source = RemoteSource(SidecarClient(sidecar.url, TOKEN), local)
    await source.connect()
    try:
        result = await source.remediate(created.id, "alice")
    finally:
        await source.close()

    assert source.config.warroom.remediation.dry_run is True
    assert result.dry_run
    assert engine.get_incident(created.id).status is Status.DETECTED


async def test_forbidden_transition_is_rejected_with_the_reason(remote, engine):
    created = engine.create_incident("connections", "pool exhausted", "tester")

    with pytest.raises(SidecarRejected) as rejected:
        await remote.resolve(created.id, "alice")

    assert rejected.value.status == 409
    assert "cannot move from DETECTED to RESOLVED" in str(rejected.value)
    assert engine.get_incident(created.id).status is Status.DETECTED


async def test_unknown_incident_and_unwritten_postmortem(remote, engine):
    created = engine.create_incident("connections", "pool exhausted", "tester")

    with pytest.raises(IncidentNotFound):
        await remote.get_incident(999_999)
    with pytest.raises(PostmortemNotFound):
        await remote.postmortem(created.id)


async def test_changes_without_token_rejected(sidecar, engine):
    created = engine.create_incident("connections", "pool exhausted", "tester")
    source = RemoteSource(SidecarClient(sidecar.url), fast_config())
    await source.connect()
    try:
        with pytest.raises(SidecarRejected) as rejected:
            await source.investigate(created.id, "mallory")
    finally:
        await source.close()

    assert rejected.value.status == 401
    assert "Authorization: Bearer" in str(rejected.value)
    assert engine.get_incident(created.id).status is Status.DETECTED


async def test_wrong_token_stops_attach_before_the_tui(sidecar):
    with pytest.raises(AttachError) as failed:
        await open_remote(sidecar.url, "not-the-token", fast_config())

    assert "rejected the request" in str(failed.value)
    assert "does not match" in str(failed.value)


async def test_nothing_listening_stops_attach_with_the_address():
    with pytest.raises(AttachError) as failed:
        await open_remote("http://127.0.0.1:9", None, fast_config())

    assert "cannot attach to http://127.0.0.1:9" in str(failed.value)


@pytest.mark.parametrize("url", ["127.0.0.1:8000", "ftp://host", "http://"])
def test_unusable_urls(url):
    with pytest.raises(AttachError, match="http://"):
        check_url(url)


async def test_lost_sidecar_is_reported_and_rejoined(remote, sidecar):
    queue = remote.bus.subscribe()

    await sidecar.stop()
    failed = await next_event(
        queue,
        lambda item: isinstance(item, PollFailed) and "lost the" in item.error,
        timeout=15,
    )

    assert f"lost the sidecar at {sidecar.url}" in failed.error
    assert remote.link_error == failed.error
    assert remote.last_error is None
    assert not remote.connected

    await sidecar.start()
    await eventually(lambda: remote.connected, "a reconnect", timeout=20)
    await eventually(lambda: remote.link_error is None, "the error to clear")
