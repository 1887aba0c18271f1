"""compose.yaml runs SQL Server, loads the demo data and then the sidecar."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from engine.paths import PROJECT_ROOT

COMPOSE_FILE = PROJECT_ROOT / "compose.yaml"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
# ${NAME}, ${NAME:-default} and ${NAME:?message}. $$ is a literal dollar.
VARIABLE = re.compile(r"(?<!\$)\$\{(\w+)")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def service(compose: dict[str, Any], name: str) -> dict[str, Any]:
    return compose["services"][name]


def test_compose_services(compose):
    assert sorted(compose["services"]) == ["init", "mssql", "warroom"]


def test_mssql_image_and_edition(compose):
    mssql = service(compose, "mssql")

    assert mssql["image"] == "mcr.microsoft.com/mssql/server:2022-latest"
    assert mssql["environment"]["ACCEPT_EULA"] == "Y"
    assert mssql["environment"]["MSSQL_PID"] == "Developer"
    assert "${MSSQL_SA_PASSWORD:?" in mssql["environment"]["MSSQL_SA_PASSWORD"]


def test_mssql_health_check_runs_sqlcmd(compose):
    check = service(compose, "mssql")["healthcheck"]
    command = check["test"]

    assert command[0] == "CMD"
    assert command[1] == "/opt/mssql-tools18/bin/sqlcmd"
    assert "-C" in command
    assert "-b" in command
    assert check["retries"] > 0


def test_ports_bound_to_loopback(compose):
    published = {
        name: spec.get("ports", []) for name, spec in compose["services"].items()
    }

    assert published["mssql"] == ["127.0.0.1:${MSSQL_PORT:-1433}:1433"]
    assert published["warroom"] == ["127.0.0.1:${WARROOM_PORT:-8000}:8000"]
    assert published["init"] == []


def test_mssql_data_volume(compose):
    mounts = service(compose, "mssql")["volumes"]

    assert "mssql-data:/var/opt/mssql" in mounts
    assert "mssql-data" in compose["volumes"]


def test_init_waits_for_healthy_server(compose):
    init = service(compose, "init")

    assert init["depends_on"] == {"mssql": {"condition": "service_healthy"}}
    assert init["restart"] == "no"


def test_warroom_waits_for_init(compose):
    warroom = service(compose, "warroom")

    assert warroom["depends_on"] == {
        "init": {"condition": "service_completed_successfully"}
    }


def test_init_mounts_existing_sql_files(compose):
    init = service(compose, "init")
    mounts = [mount.split(":") for mount in init["volumes"]]
    script = init["entrypoint"][-1]

    assert len(mounts) == 2
    for source, target, mode in mounts:
        assert (PROJECT_ROOT / source).is_file(), source
        assert source.startswith("./sql/mssql/")
        assert mode == "ro"
        assert target in script
    # The database first, then the schema before the seed.
    assert script.index("CREATE DATABASE warroom_demo") < script.index("schema.sql")
    assert script.index("schema.sql") < script.index("seed.sql")


def test_warroom_command_targets_mssql(compose):
    warroom = service(compose, "warroom")
    command = warroom["command"]
    target = command[command.index("--target") + 1]

    assert command[:2] == ["warroom", "serve"]
    assert command[command.index("--host") + 1] == "0.0.0.0"
    assert target.startswith("mssql://")
    assert "/warroom_demo?" in target
    assert warroom["build"] == "."
    assert (PROJECT_ROOT / "Dockerfile").is_file()


def test_warroom_requires_a_token(compose):
    environment = service(compose, "warroom")["environment"]

    assert environment["WARROOM_API_TOKEN"].startswith("${WARROOM_API_TOKEN:?")
    assert environment["WARROOM_MSSQL_PASSWORD"].startswith("${MSSQL_SA_PASSWORD:?")


def test_env_example_names_every_variable():
    used = set(VARIABLE.findall(COMPOSE_FILE.read_text()))
    example = {
        line.split("=", 1)[0]
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    }

    assert used == {
        "MSSQL_SA_PASSWORD",
        "WARROOM_API_TOKEN",
        "WARROOM_PORT",
        "MSSQL_PORT",
    }
    assert used <= example


def test_env_file_ignored_by_git():
    ignored = (PROJECT_ROOT / ".gitignore").read_text().splitlines()

    assert ".env" in ignored


def compose_plugin_missing() -> str | None:
    """Return why ``docker compose`` cannot run here, or None when it can."""
    if shutil.which("docker") is None:
        return "no docker client installed"
    result = subprocess.run(
        ["docker", "compose", "version"], capture_output=True, text=True, timeout=30
    )
    if result.returncode != 0:
        return "the docker client has no compose plugin"
    return None


def test_docker_compose_config_accepts_file():
    reason = compose_plugin_missing()
    if reason is not None:
        pytest.skip(reason)
    # The example values replace .env, which a checkout does not have.
    result = subprocess.run(
        [
            "docker", "compose", "--project-directory", str(PROJECT_ROOT),
            "--env-file", str(ENV_EXAMPLE), "-f", str(COMPOSE_FILE),
            "config", "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
