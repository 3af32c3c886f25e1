"""The deadline feed and calendar parse, with one GUID per event and one UID per deadline."""

from __future__ import annotations

from datetime import datetime, timedelta

import feedparser
from icalendar import Calendar

from sotevahti.feeds import write_feeds
from sotevahti.sources import FeedSettings

from .test_store import make_item
from .test_tracking import NOW, PUB


def _fill(store):
    items = [
        make_item(1, title="Lakiluonnos lausunnolle", published=PUB, lead="",
                  body="Lausuntoaika päättyy 14.12.2026."),
        make_item(2, title="Webinaari hyvinvointialueille", published=PUB, lead="",
                  body="Ilmoittautuminen päättyy 27.11.2026 klo 16."),
        make_item(3, title="Utkast på remiss", published=PUB, lead="", language="sv",
                  body="Utlåtanden ska lämnas senast den 5 januari 2027."),
    ]
    store.upsert_items(items, 1, NOW)
    store.advance_deadlines(NOW, 1)
    edited = make_item(1, title="Lakiluonnos lausunnolle", published=PUB, lead="",
                       body="Lausuntoaikaa on jatkettu 29.12.2026 saakka.")
    store.upsert_items([edited], 2, NOW + timedelta(days=1))


def test_deadline_feeds_parse_and_say_what_happened(store, tmp_path):
    _fill(store)
    paths = write_feeds(store, tmp_path, FeedSettings(), NOW + timedelta(days=1))
    for path in (paths.deadlines, paths.deadlines_atom):
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, feed.get("bozo_exception")
        ids = [e.id for e in feed.entries]
        assert len(ids) == len(set(ids)) == 5
        titles = [e.title for e in feed.entries]
        assert "Lausuntoaikaa jatkettu 14.12.2026 → 29.12.2026: Lakiluonnos lausunnolle" in titles
        assert "Ilmoittautuminen päättyy 27.11.2026 klo 16.00, 3 päivää jäljellä: Webinaari hyvinvointialueille" \
            in titles
        assert "Remisstiden går ut 5.1.2027: Utkast på remiss" in titles
        assert all(e.published_parsed for e in feed.entries)
        assert any("«Ilmoittautuminen päättyy 27.11.2026 klo 16.»" in e.summary for e in feed.entries)


def test_calendar_parses_with_unique_uids_and_extension_sequence(store, tmp_path):
    _fill(store)
    paths = write_feeds(store, tmp_path, FeedSettings(), NOW + timedelta(days=1))
    cal = Calendar.from_ical(paths.ics.read_bytes())
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    uids = [str(e["UID"]) for e in events.values()]
    assert len(uids) == len(set(uids)) == 3
    extended = events["Lausuntoaika päättyy: Lakiluonnos lausunnolle"]
    assert int(extended["SEQUENCE"]) == 1
    assert extended.decoded("DTSTART").isoformat() == "2026-12-29"            # all-day: no time given
    webinar = events["Ilmoittautuminen päättyy: Webinaari hyvinvointialueille"]
    start = webinar.decoded("DTSTART")
    assert isinstance(start, datetime) and start.isoformat() == "2026-11-27T16:00:00+02:00"
    assert "«Ilmoittautuminen päättyy 27.11.2026 klo 16.»" in str(webinar["DESCRIPTION"])
    assert str(webinar["URL"]).startswith("https://stm.fi/")
    # the same deadline keeps its UID across rebuilds
    again = Calendar.from_ical(write_feeds(store, tmp_path, FeedSettings(), NOW).ics.read_bytes())
    assert sorted(str(e["UID"]) for e in again.walk("VEVENT")) == sorted(uids)
