"""Health endpoints against a live target and an unreachable one."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from engine.monitor.poller import stale_after
from tests.api.conftest import AUTH, assert_problem


async def test_health_reports_engine(client, polled):
    response = await client.get("/api/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["sidecar"] == {"host": "127.0.0.1", "port": 8000, "auth": "token"}
    assert body["engine"]["started"] is True
    assert body["engine"]["target"] == "test"
    assert body["engine"]["last_poll_at"] is not None
    assert body["engine"]["last_error"] is None


async def test_sql_health_reachable(client, polled):
    response = await client.get("/api/health/sql")

    assert response.status_code == 200
    body = response.json()
    assert body["reachable"] is True
    assert body["database"] == polled.target.database
    assert body["poll_duration_ms"] >= 0


async def test_snapshot_returns_counters(client, polled):
    response = await client.post("/api/health/snapshot", headers=AUTH)

    assert response.status_code == 200
    body = response.json()
    counters = body["counters"]
    assert counters["connections"]["value"] >= 1
    assert counters["connections"]["reason"] is None
    for figure in counters.values():
        if isinstance(figure, dict) and "value" in figure and figure["value"] is None:
            assert figure["reason"], figure
    assert body["sessions"]["engine_own"] >= 1
    assert body["sessions"]["total"] >= body["sessions"]["client"]


async def test_snapshot_needs_token(client):
    response = await client.post("/api/health/snapshot")

    body = assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in body["detail"]


async def test_health_degraded_when_down(down_client):
    response = await down_client.get("/api/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert "127.0.0.1:1" in body["engine"]["last_error"]
    assert body["engine"]["last_poll_at"] is None


async def test_sql_health_503_when_down(down_client):
    response = await down_client.get("/api/health/sql")

    body = assert_problem(response, 503)
    assert "unreachable" in body["detail"]
    assert "127.0.0.1:1" in body["detail"]
    assert "secret" not in body["detail"]
    assert int(response.headers["retry-after"]) >= 1


async def test_snapshot_503_when_down(down_client):
    response = await down_client.post("/api/health/snapshot", headers=AUTH)

    body = assert_problem(response, 503)
    assert "snapshot of target test failed" in body["detail"]
    assert "secret" not in body["detail"]


async def test_sessions_503_before_any_poll(down_client):
    sessions = await down_client.get("/api/sessions")
    blocking = await down_client.get("/api/sessions/blocking")

    assert "no poll has succeeded" in assert_problem(sessions, 503)["detail"]
    assert_problem(blocking, 503)


async def test_remediate_503_when_down(down_client, down_engine):
    incident = down_engine.create_incident("blocking", "payroll stuck", "test")
    # A session for the action to look up on the target, which is down.
    down_engine.incidents.repository.store.execute(
        "UPDATE incidents SET session_id = 4242 WHERE id = ?", (incident.id,)
    )

    response = await down_client.post(
        f"/api/incidents/{incident.id}/remediate",
        json={"dry_run": True},
        headers=AUTH,
    )

    body = assert_problem(response, 503)
    assert body["type"].endswith("target-unavailable")


async def test_last_snapshot_is_the_engines_last_poll(client, polled):
    response = await client.get("/api/health/snapshot")

    assert response.status_code == 200
    body = response.json()
    taken_at = body["taken_at"]
    assert polled.last_poll is not None
    assert taken_at.startswith(polled.last_poll.snapshot.taken_at.isoformat()[:19])
    assert body["sessions"]["engine_own"] >= 1
    assert body["counters"]["connections"]["value"] >= 1


async def test_last_snapshot_503_before_any_poll(down_client):
    response = await down_client.get("/api/health/snapshot")

    body = assert_problem(response, 503)
    assert "no poll has succeeded" in body["detail"]


async def test_history_one_value_per_poll(client, polled):
    response = await client.get("/api/health/history")

    assert response.status_code == 200
    body = response.json()
    assert body["points"] == polled.history.points
    polls = len(body["taken_at"])
    assert polls >= 1
    assert set(body["series"]) >= {"cpu_percent", "connections", "blocked_sessions"}
    for name, values in body["series"].items():
        assert len(values) == polls, name
    assert body["series"]["connections"][-1] >= 1


async def test_history_is_empty_before_any_poll(down_client):
    response = await down_client.get("/api/health/history")

    assert response.status_code == 200
    body = response.json()
    assert body["taken_at"] == []
    assert all(values == [] for values in body["series"].values())


async def test_settings_leave_out_secrets(client, polled):
    response = await client.get("/api/settings")

    assert response.status_code == 200
    body = response.json()
    thresholds = polled.config.warroom.thresholds
    assert body["thresholds"]["long_query_seconds"] == thresholds.long_query_seconds
    assert body["monitor"]["poll_interval_seconds"] == (
        polled.config.warroom.monitor.poll_interval_seconds
    )
    assert body["target"] == "test"
    text = response.text
    assert "postgresql://" not in text
    assert "token" not in text


async def test_settings_list_exported_columns(client):
    response = await client.get("/api/settings")

    governance = response.json()["governance"]
    assert governance["exported"]["healthcare.patients"][:2] == [
        "patient_id",
        "member_id",
    ]
    assert governance["masking"]["healthcare.patients"]["patient_id"]["rule"] == (
        "hash"
    )


async def test_hung_poll_degrades_health(client, polled):
    # The target hangs mid-poll, so no poll completes after this one.
    await polled._loop.stop()
    last = polled.last_poll
    interval = polled.config.warroom.monitor.poll_interval_seconds
    taken_at = last.snapshot.taken_at - timedelta(seconds=stale_after(interval) + 10)
    polled.last_poll = replace(last, snapshot=replace(last.snapshot, taken_at=taken_at))

    health = await client.get("/api/health")
    sql = await client.get("/api/health/sql")

    assert health.json()["status"] == "degraded"
    body = assert_problem(sql, 503)
    assert body["detail"].startswith("no poll of target test has completed for")
    assert "the target may be hung" in body["detail"]
