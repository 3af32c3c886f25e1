"""Feeds built from the store parse cleanly, with stable GUIDs and timezone-aware dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import feedparser

from sotevahti.feeds import FEED_LIMIT, write_feeds
from sotevahti.sources import FeedSettings

from .test_store import NOW, make_item


def test_rss_and_atom_are_valid(store, tmp_path):
    store.upsert_items([make_item(i, relevant=i != 3) for i in range(60)], None, NOW)
    paths = write_feeds(store, tmp_path / "public", FeedSettings(), datetime(2026, 11, 24, tzinfo=UTC))
    for path in (paths.rss, paths.atom):
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, feed.get("bozo_exception")
        assert len(feed.entries) == FEED_LIMIT
        guids = [e.id for e in feed.entries]
        assert len(set(guids)) == len(guids)
        assert make_item(3)["id"] not in guids           # not relevant → not in the feed
        assert feed.feed.title.startswith("Sotevahti")
        for e in feed.entries:
            assert e.link.startswith("https://stm.fi/-/1271139/")
            assert e.published.endswith(("+02:00", "+03:00", "+0200", "+0300"))
            assert e.summary.startswith("Valtiovarainministeriö")
    rss = feedparser.parse(paths.rss.read_bytes())
    assert rss.feed.language == "fi"
    assert rss.feed.link == "https://example.org/sotevahti/"
    text = paths.rss.read_text(encoding="utf-8")
    assert 'isPermaLink="false"' in text
    assert 'rel="self"' in text and "https://example.org/sotevahti/feed.xml" in text
    terms = {t.term for t in rss.entries[0].tags}
    assert {"Sosiaali- ja terveysministeriö", "Valtakunnallinen", "Tiedote"} <= terms


def test_guid_survives_an_edit_and_the_edit_is_its_own_entry(store, tmp_path):
    store.upsert_items([make_item(1)], None, NOW)
    p1 = write_feeds(store, tmp_path, FeedSettings(), NOW)
    (original,) = [e.id for e in feedparser.parse(p1.rss.read_bytes()).entries]
    edited = make_item(1, body="Hyvinvointialueiden rahoitus kasvaa.\n\nLausuntoaikaa on jatkettu 2.10.2020 saakka.")
    store.upsert_items([edited], None, NOW + timedelta(hours=6))
    p2 = write_feeds(store, tmp_path, FeedSettings(), NOW + timedelta(hours=6))
    feed = feedparser.parse(p2.rss.read_bytes())
    assert not feed.bozo
    by_id = {e.id: e for e in feed.entries}
    assert set(by_id) == {original, f"{original}/v2"}
    update = by_id[f"{original}/v2"]
    assert update.title == "Päivitetty: " + edited["title"]
    assert "Lisätty: Lausuntoaikaa on jatkettu 2.10.2020 saakka." in update.summary
    assert "Poistettu: Lausuntoaika päättyy 25.9.2020." in update.summary
