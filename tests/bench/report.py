"""Write benchmark figures into their section of docs/BENCHMARKS.md."""

from __future__ import annotations

import os
import platform
import statistics
from datetime import UTC, datetime
from pathlib import Path

import psutil

BENCHMARKS = Path(__file__).resolve().parents[2] / "docs" / "BENCHMARKS.md"


def machine() -> str:
    cpu = cpu_model() or platform.processor() or platform.machine()
    memory = psutil.virtual_memory().total / 2**30
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {memory:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def cpu_model() -> str | None:
    """Return the first "model name" in /proc/cpuinfo, or None off Linux."""
    try:
        lines = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip() == "model name":
            return f"{value.strip()}, {platform.machine()}"
    return None


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(values),
        "p95": percentile(values, 0.95),
        "max": max(values),
    }


def record(section: str, body: str, command: str) -> None:
    """Replace the text between the section's markers in docs/BENCHMARKS.md."""
    start, end = f"<!-- bench:{section} -->", f"<!-- /bench:{section} -->"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = (
        f"{start}\n"
        f"Measured {stamp} on {machine()}.\n"
        f"Command: `{command}`\n\n"
        f"{body.strip()}\n"
        f"{end}"
    )
    text = BENCHMARKS.read_text(encoding="utf-8")
    if start in text and end in text:
        before = text.split(start, 1)[0]
        after = text.split(end, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    BENCHMARKS.write_text(text, encoding="utf-8")
    print(f"\n{block}\n")
