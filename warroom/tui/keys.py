"""Every key of the war room as data.

Each binding has an id equal to its action name. ``config/warroom.yaml`` may
remap any id under ``keys:`` (action name to key, several keys separated by
commas). The footer shows the bindings marked ``show``, and the help screen
lists them all, with Textual's tab and shift+tab.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from textual.binding import Binding

log = logging.getLogger(__name__)


def _bind(
    keys: str, action: str, description: str, *, show: bool = True, display: str = ""
) -> Binding:
    return Binding(
        keys,
        action,
        description,
        show=show,
        key_display=display or None,
        id=action,
    )


APP_BINDINGS: list[Binding] = [
    _bind("question_mark", "help", "help", display="?"),
    _bind("g", "sessions", "sessions"),
    _bind("q", "quit", "quit"),
]

WAR_ROOM_BINDINGS: list[Binding] = [
    _bind("c", "inject", "inject"),
    _bind("C,x", "inject_random", "random drill", show=False, display="shift+c or x"),
    _bind("i", "investigate", "investigate"),
    _bind("r", "remediate", "remediate"),
    _bind("e", "escalate", "escalate"),
    _bind("s", "resolve", "resolve"),
    _bind("t,enter", "open", "open", show=False),
    _bind("p", "postmortem", "postmortem", show=False),
    _bind("J", "run_job", "run job", show=False, display="shift+j"),
    _bind("H", "job_history", "job history", show=False, display="shift+h"),
    _bind("v", "validation", "validation", show=False),
    _bind("V", "run_checks", "run rules", show=False, display="shift+v"),
    _bind("G", "governance", "governance", show=False, display="shift+g"),
]

# The war room's run_checks binding again, so one remap moves both.
VALIDATION_BINDINGS: list[Binding] = [
    _bind("V", "run_checks", "run rules now", display="shift+v"),
]

GOVERNANCE_BINDINGS: list[Binding] = [
    _bind("S", "scan_catalog", "rescan catalog", display="shift+s"),
    _bind("c", "classify_column", "classify"),
]

BACK_BINDINGS: list[Binding] = [
    _bind("escape", "back", "back", display="esc"),
]


@dataclass(frozen=True)
class HelpRow:
    keys: str
    description: str
    where: str


# Longer words for the help screen than the footer has room for.
_HELP_TEXT = {
    "help": "show this list of keys",
    "sessions": "sessions and blocking graph; again: back",
    "quit": "quit the war room",
    "inject": "inject a chosen scenario (asks first)",
    "inject_random": "inject a random ready scenario (asks first)",
    "investigate": "mark selected incident INVESTIGATING",
    "remediate": "dry-run the selected incident's playbook, then ask to run it",
    "escalate": "escalate the selected incident",
    "resolve": "resolve selected (REMEDIATING or ESCALATED)",
    "open": "open selected: timeline and postmortem",
    "postmortem": "postmortem of selected or latest resolved",
    "run_job": "run the job selected in the jobs panel now (asks first)",
    "job_history": "run history of the job selected in the jobs panel (or enter)",
    "validation": "every validation rule's outcome and sample keys (or click)",
    "run_checks": "run the validation rules now (war room and validation screen)",
    "governance": "catalog, PHI columns and their masks, ETL lineage",
    "scan_catalog": "scan the target's catalog again now",
    "classify_column": "classify the highlighted column as a PHI type or as none "
    "(asks which)",
    "back": "close this screen",
}

_GROUPS: tuple[tuple[str, list[Binding]], ...] = (
    ("everywhere", APP_BINDINGS),
    ("war room", WAR_ROOM_BINDINGS),
    ("governance", GOVERNANCE_BINDINGS),
    ("other screens", BACK_BINDINGS),
)

# Textual's own focus keys, which config/warroom.yaml cannot remap. The help
# lists them because tab is how the focus reaches the jobs panel.
_FOCUS_ROWS = (
    HelpRow(
        "tab",
        "move to the next panel or table, e.g. the jobs panel for shift+j and shift+h",
        "everywhere",
    ),
    HelpRow("shift+tab", "move to the previous panel or table", "everywhere"),
)

ACTIONS = frozenset(binding.id for _, group in _GROUPS for binding in group)


def keymap_from_config(keys: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """Return the usable remaps and a problem line for each unusable one."""
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for action, key in keys.items():
        if action not in ACTIONS:
            problems.append(
                f"keys.{action} in config/warroom.yaml names no action; "
                f"known actions: {', '.join(sorted(ACTIONS))}"
            )
            continue
        if not str(key).strip():
            problems.append(f"keys.{action} in config/warroom.yaml is empty")
            continue
        keymap[action] = str(key).strip()
    problems += _drop_clashes(keymap)
    for problem in problems:
        log.warning("%s", problem)
    return keymap, problems


def _drop_clashes(keymap: dict[str, str]) -> list[str]:
    """Remove remaps whose key another action already uses; describe each."""
    in_force = {
        binding.id: keymap.get(binding.id or "", binding.key)
        for _, group in _GROUPS
        for binding in group
    }
    problems = []
    for action in list(keymap):
        mine = {key.strip() for key in keymap[action].split(",")}
        for other, keys in in_force.items():
            if other == action:
                continue
            shared = mine & {key.strip() for key in keys.split(",")}
            if shared:
                problems.append(
                    f"keys.{action} in config/warroom.yaml uses "
                    f"{', '.join(sorted(shared))}, already bound to {other}; "
                    "remap ignored"
                )
                del keymap[action]
                in_force[action] = _default_keys(action)
                break
    return problems


def _default_keys(action: str) -> str:
    for _, group in _GROUPS:
        for binding in group:
            if binding.id == action:
                return binding.key
    return ""


def help_rows(keymap: Mapping[str, str]) -> list[HelpRow]:
    """Return every binding with the keys in force after the user's remaps,
    and the focus keys after the keys that work everywhere."""
    rows = []
    for where, group in _GROUPS:
        for binding in group:
            keys = keymap.get(binding.id or "", binding.key)
            rows.append(
                HelpRow(_display(keys, binding), _HELP_TEXT[binding.action], where)
            )
        if group is APP_BINDINGS:
            rows += _FOCUS_ROWS
    return rows


def _display(keys: str, binding: Binding) -> str:
    if binding.key_display and keys == binding.key:
        return binding.key_display
    names = {
        "question_mark": "?",
        "escape": "esc",
        "C": "shift+c",
        "G": "shift+g",
        "H": "shift+h",
        "J": "shift+j",
        "S": "shift+s",
        "V": "shift+v",
    }
    return " or ".join(names.get(key.strip(), key.strip()) for key in keys.split(","))
