"""Load the config files, expand ``${VAR}`` references and validate them.

Every problem in every file is collected before anything is raised, so a user
fixes all typos in one pass. Each problem names the file, the line, the key
path and the reason.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from engine.config.models import (
    ChaosConfig,
    JobsConfig,
    PlaybookConfig,
    ValidationConfig,
    WarroomConfig,
    WarroomFile,
)

FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "warroom": ("warroom.yaml", WarroomFile),
    "jobs": ("jobs.yaml", JobsConfig),
    "validation": ("validation_rules.yaml", ValidationConfig),
    "chaos": ("chaos_scenarios.yaml", ChaosConfig),
    "playbook": ("playbook.yaml", PlaybookConfig),
}

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}")

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class ConfigProblem:
    file: Path
    key_path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        key = self.key_path or "(top level)"
        return f"{where}: {key}: {self.message}"


class ConfigError(Exception):
    """One or more config files are invalid; ``problems`` lists each one."""

    def __init__(self, problems: list[ConfigProblem]):
        self.problems = problems
        lines = [f"invalid configuration ({len(problems)} problem(s)):"]
        lines += [f"  {problem}" for problem in problems]
        super().__init__("\n".join(lines))


def load_config(
    config_dir: Path, environ: Mapping[str, str] | None = None
) -> WarroomConfig:
    """Load and validate the files in ``config_dir``.

    A missing file takes its defaults. Raises ConfigError listing every
    problem across all files.
    """
    env = os.environ if environ is None else environ
    if not config_dir.is_dir():
        raise ConfigError(
            [
                ConfigProblem(
                    config_dir,
                    "",
                    "config folder not found; pass --config with the folder "
                    "that holds warroom.yaml",
                )
            ]
        )
    problems: list[ConfigProblem] = []
    sections: dict[str, BaseModel] = {}

    for section, (file_name, model) in FILES.items():
        path = config_dir / file_name
        loaded = _load_file(path, model, env, problems)
        if loaded is not None:
            sections[section] = loaded

    if problems:
        raise ConfigError(problems)
    return WarroomConfig(**sections)


def _load_file(
    path: Path,
    model: type[BaseModel],
    env: Mapping[str, str],
    problems: list[ConfigProblem],
) -> BaseModel | None:
    if not path.exists():
        return model()

    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError) as error:
        problems.append(ConfigProblem(path, "", f"cannot be read: {error}"))
        return None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(error, "problem", None) or str(error)
        problems.append(ConfigProblem(path, "", f"invalid YAML: {reason}", line))
        return None

    if node is None:
        return model()

    lines: dict[KeyPath, int] = {}
    _record_lines(node, (), lines)
    try:
        data = yaml.SafeLoader(text).get_single_data()
    except (yaml.YAMLError, ValueError, TypeError) as error:
        # Unknown tags, a bad !!int, or a list used as a key.
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else _first_bad_scalar_line(node)
        reason = getattr(error, "problem", None) or str(error)
        problems.append(ConfigProblem(path, "", f"invalid YAML: {reason}", line))
        return None
    if not isinstance(data, dict):
        problems.append(
            ConfigProblem(path, "", "must be a mapping of keys to values", 1)
        )
        return None

    before = len(problems)
    data = _expand(data, (), env, path, lines, problems)
    if len(problems) > before:
        return None

    try:
        return model.model_validate(data)
    except ValidationError as error:
        for detail in error.errors():
            key_path = tuple(detail["loc"])
            problems.append(
                ConfigProblem(
                    path,
                    _format_key_path(key_path),
                    detail["msg"],
                    _nearest_line(key_path, lines),
                )
            )
        return None


def _record_lines(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue  # a list or mapping as a key fails when constructed
            key = key_node.value
            _record_lines(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), lines)


def _first_bad_scalar_line(node: yaml.Node) -> int | None:
    """Return the line of the first scalar that cannot be constructed."""
    if isinstance(node, yaml.ScalarNode):
        try:
            yaml.SafeLoader("").construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError):
            return node.start_mark.line + 1
        return None
    children: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            children += [key_node, value_node]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    for child in children:
        line = _first_bad_scalar_line(child)
        if line is not None:
            return line
    return None


def _nearest_line(path: KeyPath, lines: dict[KeyPath, int]) -> int | None:
    # pydantic appends the missing field's name to the location, so fall back
    # to the closest ancestor that exists in the file.
    for length in range(len(path), -1, -1):
        line = lines.get(tuple(path[:length]))
        if line is not None:
            return line
    return None


def _format_key_path(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".")


def _expand(
    value: Any,
    path: KeyPath,
    env: Mapping[str, str],
    file: Path,
    lines: dict[KeyPath, int],
    problems: list[ConfigProblem],
) -> Any:
    if isinstance(value, dict):
        return {
            key: _expand(item, (*path, key), env, file, lines, problems)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [
            _expand(item, (*path, index), env, file, lines, problems)
            for index, item in enumerate(value)
        ]
    if not isinstance(value, str) or "${" not in value:
        return value

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        problems.append(
            ConfigProblem(
                file,
                _format_key_path(path),
                f"environment variable {name} is not set and has no default; "
                f"set it or write ${{{name}:default}}",
                _nearest_line(path, lines),
            )
        )
        return ""

    return _VARIABLE.sub(substitute, value)
