"""A database crawled before issue 10's new ids gets no duplicate on its next crawl.

Issue 10 gave lapha.fi and omahame.fi items Liferay ids, and dropped Dynasty's ``:443`` and
sttinfo.fi's ``?publisherId=`` from item URLs, so the same pages now get other ids. Here the old
rows are written as the old code wrote them (its ids, its URLs, schema 8), the file is opened
with today's code (migration 11) and the same pages are stored again: each joins its old item,
whose id (the feed GUID) stays.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from sotevahti import liferay
from sotevahti.store import Store
from sotevahti.urls import canonical_item_url
from spiders.listing import listing_item_id

from .test_store import NOW, make_item

DAY = timedelta(days=1)
LAPHA = "https://lapha.fi/fi/w/aluehallituksen-kokoustiedote-30.4.2025?redirect=%2Ffi%2Fajankohtaista"
OMAHAME = "https://omahame.fi/fi/-/oma-hame-osallistuu-hyvin-sanottu-keskustelufestivaalille"
DYNASTY = "https://luhva-d10julk.oncloudos.com:443/cgi/DREQUEST.PHP?page=meetingitem&id=2023277-5"
STTINFO = "https://www.sttinfo.fi/tiedote/70817485/lopelle-valmistuu-uusi-ikaihmisten-asumisyksikko?lang=fi" \
          "&publisherId=69820726"


def new_form(url: str) -> tuple[str, str]:
    """``(id, url)`` today's code gives the page at ``url``."""
    ref = liferay.article_ref(url) if "lapha" in url or "omahame" in url else None
    if ref is not None:
        return ref.item_id(), ref.canonical_url()
    canonical = canonical_item_url(url)
    return listing_item_id(canonical), canonical


def old_database(path, *items) -> None:
    """A schema-8 database holding ``items`` as the code before issue 10 stored them."""
    store = Store(path)
    store.upsert_items(list(items), 1, NOW)
    store.conn.execute("PRAGMA user_version = 8")
    store.close()


CASES = {
    "lapha": (LAPHA, {"region": "19", "organisation": "Lapin hyvinvointialue"}),
    "omahame": (OMAHAME, {"region": "05", "organisation": "Kanta-Hämeen hyvinvointialue"}),
    "luvn-dynasty": (DYNASTY, {"region": "32", "organisation": "Länsi-Uudenmaan hyvinvointialue"}),
    "sttinfo-omahame": (STTINFO, {"region": "05", "organisation": "Kanta-Hämeen hyvinvointialue"}),
}


@pytest.mark.parametrize("source", sorted(CASES))
def test_the_next_crawl_joins_the_item_stored_under_the_old_id(source, tmp_path):
    url, fields = CASES[source]
    # the old code read the title wrong (the page's heading, not the release's): no same-release key joins them
    old = make_item(1, id=listing_item_id(url), url=url, source=source, title="Ajankohtaista", **fields)
    new_id, new_url = new_form(url)
    assert new_id != old["id"] and new_url != url          # the id and the URL did change
    old_database(tmp_path / "old.db", old)
    store = Store(tmp_path / "old.db")
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] >= 11
    # today's parser reads the same page better (issue 10 fixed titles, dates and leads)
    again = {**make_item(1, source=source, **fields), "id": new_id, "url": new_url, "urls": [new_url]}
    result = store.upsert_items([again], 2, NOW + DAY)
    assert (result.new, result.updated) == (0, 0)           # no second item, no false "updated" entry
    (row,) = store.db.query("SELECT id, title, version FROM items")
    assert row["id"] == old["id"] and row["version"] == 1    # the old GUID, no version for a re-read
    assert row["title"] == again["title"]                    # ... with the text as read today
    assert {url, new_url} <= set(store.get_item(old["id"])["urls"])
    # a later edit of the page is an edit of the old item, and nothing is stored twice
    edited = {**again, "body": again["body"] + "\n\nKokous siirtyy."}
    assert store.upsert_items([edited], 3, NOW + 2 * DAY).updated == 1
    assert store.upsert_items([edited], 4, NOW + 3 * DAY).unchanged == 1
    assert [r["id"] for r in store.db.query("SELECT id FROM items")] == [old["id"]]
    assert store.get_item(old["id"])["version"] == 2


def test_a_copy_with_a_new_id_stays_a_copy_and_leaves_the_original_alone(tmp_path):
    fields = CASES["omahame"][1]
    county = make_item(1, id="ls-county00000000001", url="https://omahame.fi/fi/uutiset/lopelle", source="omahame",
                       **fields)
    copy = {**county, "id": listing_item_id(STTINFO), "url": STTINFO, "source": "sttinfo-omahame",
            "lead": "Uusi ikäihmisten asumisyksikkö avautuu elokuussa Lopelle."}
    old_database(tmp_path / "old.db", county, copy)
    store = Store(tmp_path / "old.db")
    new_id, new_url = new_form(STTINFO)
    store.upsert_items([{**copy, "id": new_id, "url": new_url, "urls": [new_url]}], 2, NOW + DAY)
    assert [r["id"] for r in store.db.query("SELECT id FROM items")] == [county["id"]]
    assert store.get_item(county["id"])["lead"] == county["lead"]    # the county's text, not the copy's


def test_migration_11_only_adds_urls(tmp_path):
    olds = [make_item(n, id=listing_item_id(u), url=u, source=s, **CASES[s][1])
            for n, (s, (u, _f)) in enumerate(sorted(CASES.items()))]
    old_database(tmp_path / "old.db", *olds)
    conn = sqlite3.connect(tmp_path / "old.db")
    before = conn.execute("SELECT id, url, content_hash FROM items ORDER BY id").fetchall()
    urls_before = set(conn.execute("SELECT url, item_id FROM item_urls").fetchall())
    conn.close()
    store = Store(tmp_path / "old.db")
    assert store.conn.execute("SELECT id, url, content_hash FROM items ORDER BY id").fetchall() == before
    urls_after = set(store.conn.execute("SELECT url, item_id FROM item_urls").fetchall())
    assert urls_before < urls_after
    assert {u for u, _i in urls_after - urls_before} == {new_form(u)[1] for _s, (u, _f) in CASES.items()}
