"""The SLA line on the war room screen and when the feed reads it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tui_fake_source import NOW, FakeSource, fixed_clock
from tui_helpers import wait_for

from engine.events import IncidentChanged, PollCompleted
from engine.incidents.models import Status
from warroom.tui.app import WarRoomApp
from warroom.tui.feed import Feed
from warroom.tui.messages import SlaUpdated
from warroom.tui.widgets.sla import SlaBar, sla_text


def _sla_messages(messages) -> list[SlaUpdated]:
    return [message for message in messages if isinstance(message, SlaUpdated)]


def test_sla_text_of_fake_incidents():
    report = FakeSource().sla(24)

    text = sla_text(report).plain

    assert text.startswith("SLA 24 h: ")
    assert f"{report.open_breaches} open breach(es) of {report.breaches}" in text
    assert "MTTD " in text
    assert "MTTA " in text
    assert "MTTR " in text
    assert "automatic " in text


def test_sla_text_before_first_read():
    assert sla_text(None).plain == "SLA: not read yet"


def test_feed_reads_sla_on_incident_events():
    source = FakeSource()
    feed = Feed(source, fixed_clock)
    feed.everything()
    incident = source.incidents[7]

    messages = feed.messages_for([IncidentChanged(incident, "status")])

    assert len(_sla_messages(messages)) == 1


def test_feed_rereads_sla_after_a_minute():
    source = FakeSource()
    now = [NOW]
    feed = Feed(source, lambda: now[0])
    feed.everything()
    poll = source.last_poll
    assert isinstance(poll, PollCompleted)

    soon = feed.messages_for([poll])
    now[0] = NOW + timedelta(seconds=60)
    later = feed.messages_for([poll])

    assert _sla_messages(soon) == []
    assert len(_sla_messages(later)) == 1


async def test_sla_bar_shows_open_breach(tmp_path: Path) -> None:
    source = FakeSource()
    app = WarRoomApp(
        source, clock=fixed_clock, actor="tester", log_file=tmp_path / "t.log"
    )
    async with app.run_test(size=(120, 36)) as pilot:
        bar = app.screen.query_one(SlaBar)
        late = source.incidents[7]
        late.status = Status.DETECTED
        late.resolved_at = None
        late.detected_at = NOW - timedelta(hours=2)
        source.bus.publish(IncidentChanged(late, "status"))

        await wait_for(pilot, lambda: bar.has_class("-breach"), "the breach colour")
        assert "1 open breach(es)" in str(bar.render())
