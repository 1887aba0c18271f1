"""GET /api/validation/scorecard and POST /api/validation/run."""

from __future__ import annotations

import psycopg

from tests.api.conftest import AUTH, assert_problem


async def test_scorecard_before_any_run(client, engine):
    engine.checks.scorecard = None

    response = await client.get("/api/validation/scorecard")

    assert response.status_code == 200
    body = response.json()
    assert body["configured"] is True
    assert body["rules"] == len(engine.config.validation.rules)
    assert body["run_at"] is None
    assert body["pass_percent"] is None
    assert body["results"] == []


async def test_run_needs_the_token(client):
    response = await client.post("/api/validation/run")

    assert_problem(response, 401)


async def test_run_scores_every_rule(client, engine):
    response = await client.post("/api/validation/run", headers=AUTH)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["error"] is None
    assert body["run_at"] is not None
    assert len(body["results"]) == len(engine.config.validation.rules)
    assert body["evaluated"] == len(body["results"])
    assert body["pass_percent"] == 100.0
    assert {result["outcome"] for result in body["results"]} == {"pass"}


async def test_failed_rule_shows_count_and_samples(client, database_url):
    with psycopg.connect(database_url, autocommit=True) as connection:
        (customer_id,) = connection.execute(
            "INSERT INTO commerce.customers (email, first_name, last_name, state) "
            "VALUES (NULL, 'No', 'Email', 'TX') RETURNING customer_id"
        ).fetchone()
    try:
        response = await client.post("/api/validation/run", headers=AUTH)
        scorecard = await client.get("/api/validation/scorecard")
    finally:
        with psycopg.connect(database_url, autocommit=True) as connection:
            connection.execute(
                "DELETE FROM commerce.customers WHERE customer_id = %s", [customer_id]
            )

    assert response.status_code == 200
    assert scorecard.json() == response.json()
    results = {result["rule"]: result for result in response.json()["results"]}
    email = results["customers_email_present"]
    assert email["outcome"] == "fail"
    assert email["violations"] == 1
    assert email["samples"] == [{"customer_id": customer_id}]
    assert response.json()["pass_percent"] < 100


async def test_dashboard_lists_failing_rules(client, database_url):
    with psycopg.connect(database_url, autocommit=True) as connection:
        (customer_id,) = connection.execute(
            "INSERT INTO commerce.customers (email, first_name, last_name, state) "
            "VALUES (NULL, 'No', 'Email', 'TX') RETURNING customer_id"
        ).fetchone()
    try:
        ran = await client.post("/api/validation/run", headers=AUTH)
        dashboard = await client.get("/api/dashboard")
    finally:
        with psycopg.connect(database_url, autocommit=True) as connection:
            connection.execute(
                "DELETE FROM commerce.customers WHERE customer_id = %s", [customer_id]
            )

    assert ran.status_code == 200
    panel = dashboard.json()["validation"]
    scorecard = ran.json()
    assert panel["run_at"] == scorecard["run_at"]
    assert panel["passed"] == scorecard["passed"]
    assert panel["evaluated"] == scorecard["evaluated"]
    assert panel["pass_percent"] == scorecard["pass_percent"]
    assert panel["error"] is None
    failing = {rule["rule"]: rule for rule in panel["failing"]}
    assert failing["customers_email_present"] == {
        "rule": "customers_email_present",
        "table": "commerce.customers",
        "severity": "warning",
        "violations": 1,
    }
    assert "samples" not in failing["customers_email_present"]


async def test_dashboard_before_first_run(client, engine):
    engine.checks.scorecard = None
    # Publish anything, so the dashboard builds its panels again.
    engine.create_incident("connections", "pool exhausted", "tester")

    panel = (await client.get("/api/dashboard")).json()["validation"]

    assert panel["run_at"] is None
    assert panel["pass_percent"] is None
    assert panel["failing"] == []
    assert panel["message"] == "no validation run yet"
