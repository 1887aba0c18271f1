"""The healthcare cards on the war room screen and when the feed redraws them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tui_fake_source import FakeSource, fixed_clock
from tui_helpers import wait_for

from engine.healthcare.monitor import HealthcareRefreshed
from warroom.tui.app import WarRoomApp
from warroom.tui.feed import Feed
from warroom.tui.messages import HealthcareUpdated
from warroom.tui.widgets.healthcare import HealthcareCard, card_text


def _healthcare(messages) -> list[HealthcareUpdated]:
    return [item for item in messages if isinstance(item, HealthcareUpdated)]


def test_feed_redraws_on_refresh():
    source = FakeSource()
    feed = Feed(source, fixed_clock)
    reading = source.healthcare_reading()

    startup = feed.everything()
    polled = feed.messages_for([source.last_poll])
    refreshed = feed.messages_for([HealthcareRefreshed(reading)])

    assert len(_healthcare(startup)) == 1
    assert _healthcare(polled) == []
    assert _healthcare(refreshed)[0].reading == reading


def test_card_text_value_first():
    reading = FakeSource().healthcare_reading()
    rate = reading.figures[1]

    lines = card_text(rate, reading).plain.splitlines()

    assert lines[0] == "17.0% rejection rate"
    assert lines[1] == rate.detail


def test_card_text_na_and_stale():
    reading = FakeSource().healthcare_reading()
    missing = replace(reading.figures[1], value=None, reason="3 adjudicated")
    failed = replace(reading, error="relation does not exist")

    lines = card_text(missing, failed).plain.splitlines()

    assert lines[0] == "n/a rejection rate"
    assert lines[1] == "stale: relation does not exist"


async def test_cards_show_states(tmp_path: Path) -> None:
    app = WarRoomApp(
        FakeSource(), clock=fixed_clock, actor="tester", log_file=tmp_path / "t.log"
    )
    async with app.run_test(size=(80, 24)) as pilot:
        cards = {card.key: card for card in app.screen.query(HealthcareCard)}
        rate = cards["rejection_rate"]

        await wait_for(pilot, lambda: rate.has_class("-warn"), "the warn colour")
        assert list(cards) == [
            "claims_today",
            "rejection_rate",
            "generic_dispensing",
            "adherent_patients",
        ]
        assert cards["claims_today"].has_class("-ok")
        assert rate.region.width >= 18
        assert "read 02:59:20 UTC" in str(rate.tooltip)
