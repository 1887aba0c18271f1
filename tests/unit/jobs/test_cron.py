"""Crontab lines keep standard cron meaning on APScheduler triggers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from engine.jobs.cron import CronSyntaxError, build_trigger, weekday_names

NEW_YORK = ZoneInfo("America/New_York")
# Friday 4 December 2026, 10:00 UTC.
FRIDAY = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


def fire_times(cron: str, start: datetime, count: int, zone: str = "UTC"):
    """Return the next ``count`` fire times after ``start``, as the scheduler
    asks for them: each from the previous one."""
    trigger = build_trigger(cron, zone)
    times = []
    previous = None
    now = start
    for _ in range(count):
        moment = trigger.get_next_fire_time(previous, now)
        times.append(moment.astimezone(UTC))
        previous = moment
        now = moment.astimezone(UTC) + timedelta(microseconds=1)
    return times


def days(times) -> list[str]:
    return [moment.strftime("%a %d") for moment in times]


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("0", "sun"),
        ("7", "sun"),
        ("SUN", "sun"),
        ("1", "mon"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("5-7", "fri,sat,sun"),
        ("0,6", "sat,sun"),
        ("sat,sun", "sat,sun"),
        ("mon-wed", "mon,tue,wed"),
        ("*/2", "tue,thu,sat,sun"),
        ("1-5/2", "mon,wed,fri"),
        ("*", "mon,tue,wed,thu,fri,sat,sun"),
    ],
)
def test_weekday_field_conversion(field: str, expected: str):
    assert weekday_names(field) == expected


@pytest.mark.parametrize("cron", ["0 9 * * 0", "0 9 * * 7", "0 9 * * SUN"])
def test_sunday_spellings_fire_on_sunday(cron: str):
    (first,) = fire_times(cron, FRIDAY, 1)

    assert first == datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    assert first.strftime("%A") == "Sunday"


def test_weekdays_skip_the_weekend():
    times = fire_times("0 9 * * 1-5", FRIDAY, 3)

    assert days(times) == ["Mon 07", "Tue 08", "Wed 09"]


def test_monday_is_one():
    (first,) = fire_times("30 6 * * 1", FRIDAY, 1)

    assert first == datetime(2026, 12, 7, 6, 30, tzinfo=UTC)


def test_day_of_month_or_weekday():
    # The 13th or any Friday: Friday the 11th, Sunday the 13th, Friday 18th.
    times = fire_times("0 9 13 * 5", FRIDAY, 4)

    assert days(times) == ["Fri 11", "Sun 13", "Fri 18", "Fri 25"]


def test_day_of_month_alone_ignores_weekday():
    times = fire_times("0 9 13 * *", FRIDAY, 2)

    assert days(times) == ["Sun 13", "Wed 13"]


def test_starred_step_weekday_means_both():
    # Vixie cron treats a field starting with * as unrestricted, so */2 in
    # day-of-week combines with day-of-month by AND: odd days of the month
    # that are a Sunday, Tuesday, Thursday or Saturday.
    times = fire_times("0 9 1-31/2 * */2", FRIDAY, 3)

    assert days(times) == ["Sat 05", "Sun 13", "Tue 15"]


def test_spring_forward_skipped_time_fires_once():
    # 2026-03-08 02:00 EST jumps to 03:00 EDT in New York, so 02:30 never
    # occurs. APScheduler fires at 02:30 EST, which is 03:30 EDT (07:30 UTC).
    start = datetime(2026, 3, 7, 12, 0, tzinfo=NEW_YORK)

    times = fire_times("30 2 * * *", start, 3, "America/New_York")

    assert times[0] == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert times[1] == datetime(2026, 3, 9, 6, 30, tzinfo=UTC)
    assert times[2] == datetime(2026, 3, 10, 6, 30, tzinfo=UTC)


def test_fall_back_repeated_time_fires_once():
    # 2026-11-01 02:00 EDT goes back to 01:00 EST, so 01:30 occurs twice.
    start = datetime(2026, 10, 31, 12, 0, tzinfo=NEW_YORK)

    times = fire_times("30 1 * * *", start, 2, "America/New_York")

    assert times[0] == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    assert times[1] == datetime(2026, 11, 2, 6, 30, tzinfo=UTC)  # next day, EST


def test_fall_back_hourly_job_runs_in_both_passes():
    # A job with * in the hour field runs by elapsed time, as in cron.
    start = datetime(2026, 11, 1, 4, 50, tzinfo=UTC)

    times = fire_times("*/30 * * * *", start, 4, "America/New_York")

    assert times == [
        datetime(2026, 11, 1, 5, 0, tzinfo=UTC),
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        datetime(2026, 11, 1, 6, 0, tzinfo=UTC),
        datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
    ]


def test_time_zone_applies_to_hour():
    (first,) = fire_times("0 6 * * *", FRIDAY, 1, "America/New_York")

    assert first == datetime(2026, 12, 4, 11, 0, tzinfo=UTC)


def test_macro_daily():
    (first,) = fire_times("@daily", FRIDAY, 1)

    assert first == datetime(2026, 12, 5, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "cron",
    ["0 9 * * 8", "0 9 * * 5-1", "0 9 * * funday", "0 9 * *", "61 * * * *"],
)
def test_invalid_crontab_rejected(cron: str):
    with pytest.raises(CronSyntaxError):
        build_trigger(cron, "UTC")
