"""Config loading: the shipped files, ${VAR} expansion and collected errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.config import ConfigError, ConfigProblem, WarroomConfig, load_config
from engine.paths import CONFIG_DIR


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def load_problems(directory: Path, environ: dict[str, str] | None = None):
    with pytest.raises(ConfigError) as caught:
        load_config(directory, environ=environ or {})
    return caught.value.problems


# --- the shipped config -----------------------------------------------------


def test_shipped_config_loads() -> None:
    config = load_config(CONFIG_DIR, environ={})

    assert isinstance(config, WarroomConfig)
    assert config.target.name == "demo"
    assert config.target.url is None
    assert config.target.is_embedded
    assert config.target.chaos_allowed
    assert config.warroom.sidecar.port == 8000
    # NOTE: ${WARROOM_API_TOKEN:} yields "" here, not None, because only
    # target.url turns a blank value into None.
    assert not config.warroom.sidecar.token
    assert config.warroom.thresholds.connections_warn == 20
    assert config.warroom.incidents.clear_polls == 3


def test_shipped_config_lists_scenarios() -> None:
    config = load_config(CONFIG_DIR, environ={})

    assert set(config.chaos.scenarios) == {
        "long_running_query",
        "connection_flood",
        "deadlock",
        "data_corruption",
        "orphaned_records",
        "job_failure",
        "claim_volume_spike",
        "phi_exposure",
        "formulary_change",
    }
    assert config.chaos.scenarios["deadlock"].max_duration_seconds == 60
    assert len(config.jobs.jobs) == 15
    assert len(config.validation.rules) == 24
    assert config.playbook.kinds["validation"].action == "quarantine_data"


def test_shipped_config_reads_environment() -> None:
    environ = {
        "WARROOM_TARGET_NAME": "prod",
        "WARROOM_TARGET_URL": "postgresql://db.example/app",
        "WARROOM_PORT": "9001",
    }

    config = load_config(CONFIG_DIR, environ=environ)

    assert config.target.name == "prod"
    assert config.target.url == "postgresql://db.example/app"
    assert not config.target.is_embedded
    assert not config.target.chaos_allowed
    assert config.warroom.sidecar.port == 9001


def test_missing_files_take_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path, environ={})

    assert config == WarroomConfig()


def test_empty_file_takes_defaults(tmp_path: Path) -> None:
    write(tmp_path, "warroom.yaml", "# nothing here yet\n")

    config = load_config(tmp_path, environ={})

    assert config.warroom.monitor.poll_interval_seconds == 1.0


# --- ${VAR} expansion ---------------------------------------------------------


def test_variable_set(tmp_path: Path) -> None:
    write(tmp_path, "warroom.yaml", "target:\n  name: ${NAME}\n")

    config = load_config(tmp_path, environ={"NAME": "orders"})

    assert config.target.name == "orders"


def test_variable_set_beats_default(tmp_path: Path) -> None:
    write(tmp_path, "warroom.yaml", "target:\n  name: ${NAME:fallback}\n")

    config = load_config(tmp_path, environ={"NAME": "orders"})

    assert config.target.name == "orders"


def test_variable_unset_uses_default(tmp_path: Path) -> None:
    write(tmp_path, "warroom.yaml", "target:\n  name: ${NAME:fallback}\n")

    config = load_config(tmp_path, environ={})

    assert config.target.name == "fallback"


def test_variable_empty_default_is_embedded(tmp_path: Path) -> None:
    write(tmp_path, "warroom.yaml", "target:\n  url: ${URL:}\n")

    config = load_config(tmp_path, environ={})

    assert config.target.url is None


def test_variable_inside_text(tmp_path: Path) -> None:
    write(tmp_path, "warroom.yaml", "target:\n  name: ${ENV:dev}-${REGION}-db\n")

    config = load_config(tmp_path, environ={"REGION": "eu"})

    assert config.target.name == "dev-eu-db"


def test_variable_converted_to_field_type(tmp_path: Path) -> None:
    write(tmp_path, "warroom.yaml", "sidecar:\n  port: ${PORT:8123}\n")

    config = load_config(tmp_path, environ={})

    assert config.warroom.sidecar.port == 8123


def test_variable_in_list_item(tmp_path: Path) -> None:
    text = (
        "jobs:\n  - name: nightly\n    cron: ${CRON:0 3 * * *}\n"
        "    action: catalog_scan\n"
    )
    write(tmp_path, "jobs.yaml", text)

    config = load_config(tmp_path, environ={})

    assert config.jobs.jobs[0].cron == "0 3 * * *"


def test_variable_unset_without_default(tmp_path: Path) -> None:
    path = write(tmp_path, "warroom.yaml", "target:\n  name: demo\n  url: ${DB_URL}\n")

    problems = load_problems(tmp_path)

    assert len(problems) == 1
    problem = problems[0]
    assert problem.file == path
    assert problem.key_path == "target.url"
    assert problem.line == 3
    assert "DB_URL" in problem.message
    assert "not set" in problem.message


def test_variable_unset_in_list_item(tmp_path: Path) -> None:
    text = "jobs:\n  - name: nightly\n    cron: ${CRON}\n    action: x\n"
    write(tmp_path, "jobs.yaml", text)

    problems = load_problems(tmp_path)

    assert [problem.key_path for problem in problems] == ["jobs[0].cron"]
    assert problems[0].line == 3


def test_two_unset_variables_both_reported(tmp_path: Path) -> None:
    write(tmp_path, "warroom.yaml", "target:\n  name: ${ONE}\n  url: ${TWO}\n")

    problems = load_problems(tmp_path)

    assert [problem.key_path for problem in problems] == ["target.name", "target.url"]
    assert "ONE" in problems[0].message
    assert "TWO" in problems[1].message


# --- errors collected across files --------------------------------------------

WARROOM_BAD = """\
monitor:
  poll_interval_seconds: 0.01
  history_minutes: ten
  pol_interval_seconds: 2
"""

JOBS_BAD = """\
jobs:
  - name: nightly
    cron: 5
    action: statistics_maintenance
  - name: weekly
    action: catalog_scan
"""

VALIDATION_BAD = """\
rules:
  - name: a
    table: t: u
"""

CHAOS_BAD = """\
- deadlock
- connection_flood
"""


@pytest.fixture
def bad_dir(tmp_path: Path) -> Path:
    write(tmp_path, "warroom.yaml", WARROOM_BAD)
    write(tmp_path, "jobs.yaml", JOBS_BAD)
    write(tmp_path, "validation_rules.yaml", VALIDATION_BAD)
    write(tmp_path, "chaos_scenarios.yaml", CHAOS_BAD)
    return tmp_path


def problems_in(problems: list[ConfigProblem], name: str) -> list[ConfigProblem]:
    return [problem for problem in problems if problem.file.name == name]


def test_errors_collected_from_all_files(bad_dir: Path) -> None:
    problems = load_problems(bad_dir)

    assert len(problems) == 7
    assert {problem.file.name for problem in problems} == {
        "warroom.yaml",
        "jobs.yaml",
        "validation_rules.yaml",
        "chaos_scenarios.yaml",
    }


def test_errors_carry_full_file_path(bad_dir: Path) -> None:
    problems = load_problems(bad_dir)

    for problem in problems:
        assert problem.file.parent == bad_dir


def test_error_value_out_of_range(bad_dir: Path) -> None:
    problems = problems_in(load_problems(bad_dir), "warroom.yaml")

    problem = problems[0]
    assert problem.key_path == "monitor.poll_interval_seconds"
    assert problem.line == 2
    assert "greater than or equal to 0.1" in problem.message


def test_error_wrong_type(bad_dir: Path) -> None:
    problems = problems_in(load_problems(bad_dir), "warroom.yaml")

    problem = problems[1]
    assert problem.key_path == "monitor.history_minutes"
    assert problem.line == 3
    assert "valid integer" in problem.message


def test_error_typo_key(bad_dir: Path) -> None:
    problems = problems_in(load_problems(bad_dir), "warroom.yaml")

    problem = problems[2]
    assert problem.key_path == "monitor.pol_interval_seconds"
    assert problem.line == 4
    assert "Extra inputs are not permitted" in problem.message


def test_error_in_list_item(bad_dir: Path) -> None:
    problems = problems_in(load_problems(bad_dir), "jobs.yaml")

    problem = problems[0]
    assert problem.key_path == "jobs[0].cron"
    assert problem.line == 3
    assert "valid string" in problem.message


def test_error_missing_field_points_to_item(bad_dir: Path) -> None:
    problems = problems_in(load_problems(bad_dir), "jobs.yaml")

    problem = problems[1]
    assert problem.key_path == "jobs[1].cron"
    assert problem.line == 5
    assert problem.message == "Field required"


def test_error_invalid_yaml(bad_dir: Path) -> None:
    problems = problems_in(load_problems(bad_dir), "validation_rules.yaml")

    assert len(problems) == 1
    problem = problems[0]
    assert problem.key_path == ""
    assert problem.line == 3
    assert problem.message.startswith("invalid YAML: ")
    assert "mapping values are not allowed" in problem.message


def test_error_list_instead_of_mapping(bad_dir: Path) -> None:
    problems = problems_in(load_problems(bad_dir), "chaos_scenarios.yaml")

    assert len(problems) == 1
    problem = problems[0]
    assert problem.key_path == ""
    assert problem.line == 1
    assert problem.message == "must be a mapping of keys to values"


def test_error_text_lists_every_problem(bad_dir: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(bad_dir, environ={})
    text = str(caught.value)

    assert text.splitlines()[0] == "invalid configuration (7 problem(s)):"
    assert len(text.splitlines()) == 8
    for problem in caught.value.problems:
        assert str(problem) in text


def test_problem_text_names_file_line_key() -> None:
    problem = ConfigProblem(
        Path("/etc/warroom/warroom.yaml"),
        "monitor.poll_interval_seconds",
        "Input should be greater than or equal to 0.1",
        2,
    )

    assert str(problem) == (
        "/etc/warroom/warroom.yaml:2: monitor.poll_interval_seconds: "
        "Input should be greater than or equal to 0.1"
    )


def test_problem_text_top_level_without_line() -> None:
    problem = ConfigProblem(Path("jobs.yaml"), "", "cannot be read: denied")

    assert str(problem) == "jobs.yaml: (top level): cannot be read: denied"


# --- only ConfigError escapes ---------------------------------------------------

BAD_FILES = [
    pytest.param("monitor:\n  pol_interval_seconds: 1\n", id="typo-key"),
    pytest.param("monitor:\n  history_minutes: [1, 2]\n", id="wrong-type"),
    pytest.param("incidents:\n  clear_polls: 0\n", id="out-of-range"),
    pytest.param("monitor: {poll_interval_seconds: 1\n", id="invalid-yaml"),
    pytest.param("- target\n- monitor\n", id="list"),
    pytest.param("just text\n", id="scalar"),
    pytest.param("monitor:\n", id="null-section"),
    pytest.param("1: one\n", id="integer-key"),
    pytest.param("a: 1\n---\nb: 2\n", id="two-documents"),
    pytest.param("monitor: !custom {}\n", id="unknown-tag"),
    pytest.param("monitor:\n  history_minutes: !!int ten\n", id="bad-int-tag"),
    pytest.param("? [a, b]\n: 1\n", id="complex-key"),
]


@pytest.mark.parametrize("text", BAD_FILES)
def test_bad_file_raises_config_error(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "warroom.yaml", text)

    try:
        load_config(tmp_path, environ={})
    except ConfigError as error:
        problems = error.problems
    else:
        pytest.fail("load_config accepted an invalid file")

    assert len(problems) >= 1
    for problem in problems:
        assert problem.file == path
        assert problem.line is not None
        assert problem.message


def test_pydantic_error_not_raised(tmp_path: Path) -> None:
    write(tmp_path, "warroom.yaml", "monitor:\n  history_minutes: 0\n")

    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, environ={})

    assert type(caught.value) is ConfigError
    assert caught.value.__cause__ is None
