"""Standard crontab lines as APScheduler 3.x triggers.

APScheduler's CronTrigger numbers day_of_week from 0 = Monday, and matches a
day only when day-of-month and day-of-week both match. Standard cron (Vixie
cron and cronie) numbers 0 and 7 as Sunday, and when both day fields are
restricted (neither starts with ``*``) it runs on a day that matches either.
This module converts the weekday field to APScheduler's day names and builds
two triggers joined by an OrTrigger for the either-day case.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}

# Standard cron's weekday numbers: the index in this tuple, and 7 for Sunday.
_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# APScheduler's day_of_week order, Monday first.
_APSCHEDULER_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class CronSyntaxError(ValueError):
    """A crontab line that standard cron would not accept."""


def build_trigger(expression: str, timezone: str) -> BaseTrigger:
    """Build the trigger for a five-field crontab line in an IANA time zone."""
    line = MACROS.get(expression.strip().lower(), expression)
    fields = line.split()
    if len(fields) != 5:
        raise CronSyntaxError(
            f"crontab {expression!r} has {len(fields)} field(s); expected 5 "
            "(minute hour day-of-month month day-of-week) or a macro such as "
            "@daily"
        )
    minute, hour, day, month, weekday = fields
    zone = ZoneInfo(timezone)
    days = weekday_names(weekday)
    try:
        if _restricted(day) and _restricted(weekday):
            trigger: BaseTrigger = OrTrigger(
                [
                    CronTrigger(
                        minute=minute, hour=hour, day=day, month=month, timezone=zone
                    ),
                    CronTrigger(
                        minute=minute,
                        hour=hour,
                        month=month,
                        day_of_week=days,
                        timezone=zone,
                    ),
                ]
            )
        else:
            trigger = CronTrigger(
                minute=minute,
                hour=hour,
                day=day,
                month=month,
                day_of_week=days,
                timezone=zone,
            )
    except ValueError as error:
        raise CronSyntaxError(f"invalid crontab {expression!r}: {error}") from None
    if _restricted(minute) and _restricted(hour):
        trigger = OncePerWallTime(trigger)
    return trigger


def weekday_names(field: str) -> str:
    """Convert a standard cron weekday field to APScheduler day names.

    ``0``, ``7`` and ``SUN`` are Sunday and ``1-5`` is Monday to Friday.
    Lists, ranges, steps and three-letter names are accepted.
    """
    chosen: set[int] = set()
    for item in field.lower().split(","):
        chosen |= _weekday_item(item, field)
    return ",".join(
        name for name in _APSCHEDULER_DAYS if _CRON_DAYS.index(name) in chosen
    )


def _weekday_item(item: str, field: str) -> set[int]:
    span, _, step_text = item.partition("/")
    step = 1
    if step_text:
        if not step_text.isdigit() or int(step_text) == 0:
            raise CronSyntaxError(f"invalid step {item!r} in day-of-week {field!r}")
        step = int(step_text)
    if span == "*":
        first, last = 0, 6
    elif "-" in span:
        start, _, end = span.partition("-")
        first, last = _weekday_number(start, field), _weekday_number(end, field)
        if first > last:
            raise CronSyntaxError(
                f"range {span!r} in day-of-week {field!r} runs backwards; "
                "write it as a list, e.g. 5-6,0"
            )
    elif step_text:
        raise CronSyntaxError(
            f"step {item!r} in day-of-week {field!r} needs a range or *"
        )
    else:
        first = last = _weekday_number(span, field)
    return {number % 7 for number in range(first, last + 1, step)}


def _weekday_number(text: str, field: str) -> int:
    if text in _CRON_DAYS:
        return _CRON_DAYS.index(text)
    if text.isdigit() and int(text) <= 7:
        return int(text)
    raise CronSyntaxError(
        f"invalid day-of-week {text!r} in {field!r}; use 0-7 (0 and 7 are "
        "Sunday) or sun-sat"
    )


def _restricted(field: str) -> bool:
    # Vixie cron's test: a field that starts with * counts as unrestricted,
    # even with a step such as */2.
    return not field.startswith("*")


class OncePerWallTime(BaseTrigger):
    """Skip the second pass through an hour repeated when clocks go back.

    Standard cron runs a job with a fixed minute and hour once when that
    wall-clock time occurs twice, while APScheduler 3.x fires at both. A
    time that clocks skip in spring is left to APScheduler, which fires at
    the same offset from the skipped hour (02:30 EST is 03:30 EDT).
    """

    def __init__(self, trigger: BaseTrigger):
        self.trigger = trigger

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        candidate = self.trigger.get_next_fire_time(previous_fire_time, now)
        while candidate is not None and _second_pass(candidate):
            after = candidate.astimezone(UTC) + timedelta(microseconds=1)
            candidate = self.trigger.get_next_fire_time(candidate, after)
        return candidate

    def __str__(self) -> str:
        return str(self.trigger)


def _second_pass(moment: datetime) -> bool:
    return moment.fold == 1 and moment.replace(fold=0).utcoffset() != moment.utcoffset()
