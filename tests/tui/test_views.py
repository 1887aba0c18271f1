"""The text of cards, ages and keys, checked without a terminal."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tui_fake_source import COUNTERS, NOW, SERIES, FakeSource

from engine.config.models import ThresholdsConfig
from engine.targets.models import HealthSnapshot
from warroom.tui.keys import help_rows, keymap_from_config
from warroom.tui.views import (
    CRITICAL,
    OK,
    UNKNOWN,
    WARN,
    age,
    cards_of,
    count_text,
    duration,
    next_run_text,
)


def _snapshot() -> HealthSnapshot:
    source = FakeSource()
    assert source.last_poll is not None
    return source.last_poll.snapshot


def test_cards_show_state_and_reason_for_missing_figures() -> None:
    limits = ThresholdsConfig(cpu_percent=90, connections_warn=20)
    cards = {card.key: card for card in cards_of(_snapshot(), SERIES, limits)}
    assert cards["cpu"].value == "76"
    assert cards["cpu"].state == WARN
    assert cards["memory"].state == UNKNOWN
    assert cards["memory"].detail == COUNTERS.memory_percent.reason
    assert cards["memory"].series == ()
    assert cards["connections"].state == OK
    assert cards["connections"].detail == "limit 20 of 100"
    assert cards["blocking"].state == CRITICAL
    assert cards["long_queries"].value == "2"


def test_cards_brief_details() -> None:
    limits = ThresholdsConfig(
        cpu_percent=90, connections_warn=20, long_query_seconds=30
    )
    cards = {card.key: card for card in cards_of(_snapshot(), SERIES, limits)}

    assert cards["cpu"].brief == "/90"
    assert cards["connections"].brief == "/20"
    assert cards["blocking"].brief == "≥5"
    assert cards["long_queries"].brief == "≥30s"


def test_cards_before_the_first_poll() -> None:
    cards = cards_of(None, {}, ThresholdsConfig())
    assert {card.state for card in cards} == {UNKNOWN}
    assert {card.detail for card in cards} == {"no poll yet"}


def test_ages_and_durations() -> None:
    assert age(NOW, NOW - timedelta(seconds=5)) == "5s"
    assert age(NOW, NOW - timedelta(seconds=125)) == "2m05s"
    assert age(NOW, NOW - timedelta(hours=2, minutes=3)) == "2h03m"
    assert age(NOW, None) == "-"
    assert duration(1.25) == "1.2s"
    assert duration(None) == "-"


def test_counts_follow_one_rule() -> None:
    cases = {
        0: "0",
        999: "999",
        1000: "1.0k",
        4856: "4.9k",
        5000: "5.0k",
        9999: "10k",
        27_000: "27k",
        999_499: "999k",
        999_500: "1.0M",
        2_400_000: "2.4M",
        12_500_000: "12M",
        5_000_000_000: "5.0B",
    }
    for rows, expected in cases.items():
        assert count_text(rows) == expected, rows


def test_next_run_today_shows_time_only() -> None:
    # NOW is Friday 2025-03-14 03:00 UTC.
    assert next_run_text(NOW + timedelta(hours=20, minutes=59), NOW) == "23:59"
    assert next_run_text(NOW, NOW, short=True) == "03:00"


def test_next_run_other_day_adds_day() -> None:
    monday = datetime(2025, 3, 17, 7, 30, tzinfo=NOW.tzinfo)
    assert next_run_text(monday, NOW) == "Mon 07:30"
    assert next_run_text(monday, NOW, short=True) == "Mon"
    # A week or more ahead, or an overdue run, shows the date.
    later = NOW + timedelta(days=7)
    assert next_run_text(later, NOW) == "03-21 03:00"
    assert next_run_text(later, NOW, short=True) == "03-21"
    assert next_run_text(NOW - timedelta(hours=4), NOW) == "03-13 23:00"


def test_next_run_compares_utc_days() -> None:
    # 01:00 on Saturday in UTC is still Friday evening in New York.
    new_york = timezone(timedelta(hours=-5))
    saturday = datetime(2025, 3, 14, 20, 0, tzinfo=new_york)
    assert next_run_text(saturday, NOW) == "Sat 01:00"
    now_in_new_york = NOW.astimezone(new_york)
    assert next_run_text(saturday, now_in_new_york) == "Sat 01:00"


def test_keymap_keeps_known_actions_and_reports_the_rest() -> None:
    keymap, problems = keymap_from_config({"inject": "j", "typo": "k", "quit": " "})
    assert keymap == {"inject": "j"}
    assert len(problems) == 2
    assert "keys.typo" in problems[0]
    rows = {row.description: row.keys for row in help_rows(keymap)}
    assert rows["inject a chosen scenario (asks first)"] == "j"
    assert rows["show this list of keys"] == "?"


def test_key_remap_clash_is_ignored():
    from warroom.tui.keys import keymap_from_config

    keymap, problems = keymap_from_config({"inject": "q", "help": "h"})

    assert keymap == {"help": "h"}
    assert len(problems) == 1
    assert "already bound to quit" in problems[0]
