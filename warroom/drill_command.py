"""`warroom drill`: run chaos drills without the TUI and report the figures."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from engine.chaos.interlocks import (
    ConflictingIncident,
    CooldownActive,
    DrillAlreadyRunning,
    InterlockError,
)
from engine.service import Engine
from engine.store.drills import DrillRecord


async def run_drills(engine: Engine, scenarios: list[str], as_json: bool) -> int:
    """Run each scenario in turn with automatic remediation; return the exit code."""
    results: list[dict[str, Any]] = []
    for name in scenarios:
        try:
            drill = await _run_one(engine, name, as_json)
        except InterlockError as refused:
            summary = _refusal(name, str(refused))
            line = f"FAIL {name:<20} not started: {refused}"
        else:
            summary = _summary(drill)
            line = _line(drill)
        results.append(summary)
        # With --json the report goes to stdout at the end. The progress goes
        # to stderr as each drill ends, so a long run shows it is alive.
        print(line, file=sys.stderr if as_json else sys.stdout, flush=True)

    if as_json:
        print(json.dumps(results, indent=2))
    return 0 if all(result["passed"] for result in results) else 1


# How long a drill waits for an incident left by the previous one to resolve.
CONFLICT_WAIT_SECONDS = 120.0


async def _run_one(engine: Engine, name: str, quiet: bool) -> DrillRecord:
    waited = 0.0
    while True:
        try:
            task = engine.trigger_drill(name, "cli", auto_remediate=True)
            break
        except CooldownActive as cooling:
            # A second run in a row waits out the cooldown instead of failing.
            if not quiet:
                print(f"{name}: waiting {cooling.remaining:.0f} s for its cooldown")
            await asyncio.sleep(cooling.remaining + 0.1)
        except (ConflictingIncident, DrillAlreadyRunning) as busy:
            # The previous drill's escalated incidents resolve once their
            # condition stays clear; wait for that, within a limit.
            if waited >= CONFLICT_WAIT_SECONDS:
                raise
            if not quiet and waited == 0:
                print(f"{name}: waiting: {busy}")
            await asyncio.sleep(1.0)
            waited += 1.0
    return await task


def _refusal(scenario: str, reason: str) -> dict[str, Any]:
    return {
        "scenario": scenario,
        "status": "not started",
        "passed": False,
        "detected": False,
        "seconds_to_detect": None,
        "resolved": False,
        "seconds_to_resolve": None,
        "rolled_back": False,
        "incident_id": None,
        "error": reason,
    }


def _summary(drill: DrillRecord) -> dict[str, Any]:
    return {
        "scenario": drill.scenario,
        "status": drill.status,
        "passed": drill.passed,
        "detected": drill.detected_at is not None,
        "seconds_to_detect": _round(drill.seconds_to_detect),
        "resolved": drill.resolved_at is not None,
        "seconds_to_resolve": _round(drill.seconds_to_resolve),
        "rolled_back": drill.rolled_back_at is not None,
        "incident_id": drill.incident_id,
        "error": drill.error,
    }


def _round(value: float | None) -> float | None:
    return round(value, 3) if value is not None else None


def _line(drill: DrillRecord) -> str:
    def seconds(value: float | None) -> str:
        return f"{value:.2f} s" if value is not None else "-"

    verdict = "PASS" if drill.passed else "FAIL"
    text = (
        f"{verdict} {drill.scenario:<20} detected={_yes(drill.detected_at)} "
        f"ttd={seconds(drill.seconds_to_detect)} "
        f"ttr={seconds(drill.seconds_to_resolve)} "
        f"rolled_back={_yes(drill.rolled_back_at)}"
    )
    if drill.error:
        text += f"  ({drill.error})"
    return text


def _yes(value: object) -> str:
    return "yes" if value is not None else "no"


def print_error(message: str) -> None:
    print(f"warroom: {message}", file=sys.stderr)
