"""The whole on-call loop through the API: a drill injects blocking, the
incident appears, a person remediates it, it resolves, the postmortem reads."""

from __future__ import annotations

from tests.api.conftest import AUTH, eventually


async def test_drill_to_postmortem(client):
    started = await client.post(
        "/api/chaos/trigger",
        json={"scenario": "long_running_query", "auto_remediate": False},
        headers=AUTH,
    )
    assert started.status_code == 202, started.text
    drill_id = started.json()["drill_id"]

    async def blocking_incident():
        page = await client.get(
            "/api/incidents", params={"kind": "blocking", "open": "true"}
        )
        items = page.json()["items"]
        return items[0] if items else None

    incident = await eventually(blocking_incident)
    assert incident["drill_id"] == drill_id
    assert incident["status"] == "DETECTED"
    assert incident["session_id"] is not None

    remediated = await client.post(
        f"/api/incidents/{incident['id']}/remediate",
        json={"dry_run": False},
        headers={**AUTH, "X-Warroom-Actor": "dana"},
    )
    assert remediated.status_code == 200, remediated.text
    result = remediated.json()
    assert result["action"] == "kill_blocking_session"
    assert result["succeeded"] is True
    assert result["terminated"] == [incident["session_id"]]

    async def resolved():
        body = (await client.get(f"/api/incidents/{incident['id']}")).json()
        return body if body["status"] == "RESOLVED" else None

    final = await eventually(resolved)
    actors = {entry["actor"] for entry in final["timeline"]}
    assert "dana" in actors
    assert final["seconds_to_resolve"] is not None

    postmortem = await client.get(f"/api/incidents/{incident['id']}/postmortem")
    assert postmortem.status_code == 200
    assert "Root cause" in postmortem.json()["markdown"]

    async def drill_finished():
        drills = (await client.get("/api/chaos/drills")).json()
        drill = next(item for item in drills if item["id"] == drill_id)
        return drill if drill["ended_at"] else None

    try:
        drill = await eventually(drill_finished)
    except AssertionError as error:
        # List what the drill still waits for, so a failure in CI shows the cause.
        still_open = (
            await client.get("/api/incidents", params={"open": "true"})
        ).json()
        summary = [
            (item["id"], item["kind"], item["status"], item["drill_id"], item["title"])
            for item in still_open["items"]
        ]
        raise AssertionError(
            f"drill {drill_id} not ended; open incidents: {summary}"
        ) from error
    assert drill["status"] == "passed", drill["error"]
    assert drill["incident_id"] == incident["id"]
    assert drill["seconds_to_detect"] < 2.0
