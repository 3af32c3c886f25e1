"""Linked translations (issue 14): one release in fi, sv and en is one announcement with language versions."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import feedparser
from icalendar import Calendar

from sotevahti.dates import HELSINKI
from sotevahti.feeds import write_feeds
from sotevahti.liferay import parse_article, translation_urls
from sotevahti.mirror.liferay_site import load_articles
from sotevahti.sources import FeedSettings
from sotevahti.store import Store
from sotevahti.translations import deadlines_once, release_of, title_in

from .test_store import make_item

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
FI_URL = "https://stm.fi/-/1271139/sote-uudistuksen-lakiluonnokset-lausuntokierrokselle"
SV_URL = "https://stm.fi/sv/-/1271139/utkasten-till-lagar-om-social-och-halsovardsreformen-sands-pa-remiss"
EN_URL = "https://stm.fi/en/-/1271139/draft-acts-on-the-health-and-social-services-reform-out-for-comments"


def versions(**over):
    """The fi, sv and en versions of one release, each naming the others."""
    urls = {"fi": FI_URL, "sv": SV_URL, "en": EN_URL}
    titles = {"fi": "Sote-uudistuksen lakiluonnokset lausuntokierrokselle",
              "sv": "Utkasten till lagar om social- och hälsovårdsreformen sänds på remiss",
              "en": "Draft acts on the health and social services reform out for comments"}
    bodies = {"fi": "Lausunnot pyydetään antamaan 25.9.2020 mennessä.",
              "sv": "Utlåtanden ska lämnas senast den 25 september 2020.",
              "en": "Comments are requested by 25 September 2020."}
    out = {}
    for n, lang in enumerate(("fi", "sv", "en"), 1):
        out[lang] = make_item(n, url=urls[lang], language=lang, title=titles[lang], body=bodies[lang],
                              published=datetime(2020, 6, 15, 13, 0, tzinfo=HELSINKI),
                              translations={k: v for k, v in urls.items() if k != lang}, **over.get(lang, {}))
    return out


def test_versions_are_linked_with_their_own_guids_and_the_finnish_one_is_primary(store):
    v = versions()
    run = store.start_run(["stm"], NOW)
    store.upsert_items([v["sv"]], run, NOW)        # the Swedish page is read first
    store.upsert_items([v["en"], v["fi"]], run, NOW)
    release = release_of(store, v["en"]["id"])
    assert [(r["id"], r["language"], r["primary"]) for r in release] == [
        (v["fi"]["id"], "fi", True), (v["sv"]["id"], "sv", False), (v["en"]["id"], "en", False)]
    assert store.conn.execute("SELECT count(*) FROM items").fetchone()[0] == 3     # linked, not merged
    assert title_in(store, v["fi"]["id"], "sv") == v["sv"]["title"]
    assert title_in(store.conn, v["sv"]["id"], "en") == v["en"]["title"]
    assert title_in(store, v["sv"]["id"], "fi") == v["fi"]["title"]
    # the combined list has the release once, under the primary's GUID; a language list its own version
    assert [i["id"] for i in store.latest_items(10)] == [v["fi"]["id"]]
    assert [i["title"] for i in store.latest_items(10, filters={"language": "sv"})] == [v["sv"]["title"]]
    assert [i["id"] for i in store.latest_items(10, filters={"region": "national"})] == [v["fi"]["id"]]


def test_claims_from_one_side_are_enough_and_unlinked_items_fall_back_to_their_own_title(store):
    v = versions()
    v["sv"].pop("translations")                     # only the Finnish page names its translation
    store.upsert_items([v["fi"]], None, NOW)
    store.upsert_items([v["sv"]], None, NOW)
    assert {r["language"] for r in release_of(store, v["sv"]["id"])} == {"fi", "sv"}
    lone = make_item(9, url="https://stm.fi/-/1271139/toinen-tiedote")
    store.upsert_items([lone], None, NOW)
    assert release_of(store, lone["id"]) == []
    assert title_in(store, lone["id"], "sv") == lone["title"]
    assert title_in(store, "lr-unknown", "sv") == ""


def test_a_translation_found_in_a_later_crawl_keeps_the_published_guid(store):
    v = versions()
    first = store.start_run(["stm"], NOW)
    store.upsert_items([v["sv"]], first, NOW)       # only the Swedish version is online at first
    assert [i["id"] for i in store.latest_items(10)] == [v["sv"]["id"]]
    second = store.start_run(["stm"], NOW)
    store.upsert_items([v["fi"]], second, NOW)
    assert [i["id"] for i in store.latest_items(10)] == [v["sv"]["id"]]   # no second entry for the release
    assert release_of(store, v["fi"]["id"])[0]["id"] == v["sv"]["id"]


def test_two_versions_in_one_language_are_never_linked(store):
    v = versions()
    other_fi = make_item(7, url="https://stm.fi/-/1271139/eri-tiedote", translations={"sv": SV_URL})
    store.upsert_items([v["fi"], v["sv"]], None, NOW)
    store.upsert_items([other_fi], None, NOW)
    assert {r["id"] for r in release_of(store, v["sv"]["id"])} == {v["fi"]["id"], v["sv"]["id"]}
    assert release_of(store, other_fi["id"]) == []


def test_a_deadline_stated_in_every_version_is_one_calendar_event(store, tmp_path):
    v = versions()
    then = datetime(2020, 6, 16, 9, 0, tzinfo=HELSINKI)   # the day after the release, the deadline ahead
    store.upsert_items(list(v.values()), None, then)
    rows = store.deadline_rows()
    assert {r["item_id"] for r in rows} >= {v["fi"]["id"], v["sv"]["id"]}    # stored per version
    (once,) = deadlines_once(store, rows)
    assert once["item_id"] == v["fi"]["id"] and once["deadline"] == "2020-09-25"
    settings = FeedSettings(public_url="http://127.0.0.1:8000/")
    paths = write_feeds(store, tmp_path, settings, then)
    cal = Calendar.from_ical(paths.ics.read_bytes())
    assert len(cal.walk("VEVENT")) == 1
    events = feedparser.parse(paths.deadlines.read_bytes()).entries
    assert len(events) == 1 and events[0].id.startswith(once["id"])
    combined = feedparser.parse(paths.rss.read_bytes()).entries
    assert [e.id for e in combined] == [v["fi"]["id"]]
    sv_feed = feedparser.parse((tmp_path / "feeds/language/sv.xml").read_bytes()).entries
    assert [e.title for e in sv_feed] == [v["sv"]["title"]]
    page = paths.html.read_text()
    assert f'lang="sv" hreflang="sv">{v["sv"]["title"]}</a>' in page and "På svenska:" in page


def test_mirror_pages_name_their_translations_as_the_real_sites_do(site):
    articles = {a.slug: a for a in load_articles()}
    fi = articles["hallituksen-esitys-sote-uudistukseksi-ja-uudistusta-koskeva-lainsaadanto-etenee-eduskuntaan"]
    page = site.render(fi.host, fi.path(), "", 1, "http://127.0.0.1:1")
    html = page.body.decode()
    assert '<link rel="alternate" hreflang="sv-SE" href="https://valtioneuvosto.fi/sv/-/1271139/' in html
    assert 'hreflang="x-default"' in html
    parsed = parse_article(html, fi.real_url())
    found = translation_urls(parsed)
    assert set(found) == {"sv", "en"}
    sv = next(a for a in articles.values() if a.release == fi.release and a.lang == "sv")
    assert found["sv"] == sv.real_url()
    # an article without translations has no alternates
    lone = articles["tasavallan-presidentti-vahvisti-sote-uudistuksen-lait"]
    assert "hreflang" not in site.render(lone.host, lone.path(), "", 1, "http://x").body.decode()


def test_migration_keeps_ids_and_makes_liferay_articles_read_in_full_once(tmp_path):
    path = tmp_path / "old.db"
    s = Store(path)
    s.upsert_items([make_item(1)], None, NOW)
    s.conn.execute("INSERT INTO http_validators (url, item_id, etag, body_hash, checked_at) "
                   "VALUES ('https://stm.fi/-/1271139/tiedote-1', ?, '\"e1\"', 'h', 'x')", (make_item(1)["id"],))
    s.conn.execute("DROP TABLE item_translations")
    s.conn.execute("DROP TABLE item_alternates")
    s.conn.execute("PRAGMA user_version = 8")     # a database from before issue 14
    s.close()
    s = Store(path)
    assert s.get_item(make_item(1)["id"])["title"] == make_item(1)["title"]
    assert s.conn.execute("SELECT count(*) FROM http_validators").fetchone()[0] == 0
    assert s.conn.execute("SELECT count(*) FROM item_translations").fetchone()[0] == 0
    s.close()


def check_demo_translations(db: Path, public: Path) -> None:
    """Called by tests/test_demo.py on the demo's output: one entry per release, Swedish titles in sv."""
    conn = sqlite3.connect(db)
    releases: dict[str, dict[str, tuple[str, str]]] = {}
    for key, lang, item_id, title in conn.execute(
            "SELECT t.release_key, t.language, t.item_id, i.title FROM item_translations t "
            "JOIN items i ON i.id = t.item_id"):
        releases.setdefault(key, {})[lang] = (item_id, title)
    conn.close()
    assert len(releases) >= 3 and any(set(r) == {"fi", "sv", "en"} for r in releases.values()), releases
    combined = [e.id for e in feedparser.parse((public / "feed.xml").read_bytes()).entries]
    sv_titles = [e.title for e in feedparser.parse((public / "feeds/language/sv.xml").read_bytes()).entries]
    fi_titles = {e.title for e in feedparser.parse((public / "feeds/language/fi.xml").read_bytes()).entries}
    for key, langs in releases.items():
        assert sum(item_id in combined for item_id, _ in langs.values()) <= 1, key
        assert all(item_id not in combined for item_id, _ in langs.values() if item_id != key), key
        assert langs["sv"][1] in sv_titles and langs["fi"][1] not in sv_titles, key
        assert langs["sv"][1] not in fi_titles
    assert any(key in combined for key in releases)   # under the primary's GUID
    # a deadline stated in the fi and the sv version is one calendar event, the Finnish one's
    conn = sqlite3.connect(db)
    url_of = dict(conn.execute("SELECT url, item_id FROM item_urls"))
    conn.close()
    release_of_item = {item_id: key for key, langs in releases.items() for item_id, _ in langs.values()}
    cal = Calendar.from_ical((public / "deadlines.ics").read_bytes())
    seen: dict[tuple[str, str], list[str]] = {}
    for event in cal.walk("VEVENT"):
        item_id = url_of.get(str(event.get("URL")))
        if item_id in release_of_item:
            day = event.decoded("DTSTART").date().isoformat()
            seen.setdefault((release_of_item[item_id], day), []).append(item_id)
    assert seen and all(len(ids) == 1 for ids in seen.values()), seen
    assert any(item_id == key for (key, _), ids in seen.items() for item_id in ids)


def test_county_pages_name_their_swedish_version_and_are_linked(store):
    from sotevahti.generic import extract_page

    fi_url = "https://pirha.fi/-/aluehallitus-kasittelee-palveluverkkoa"
    sv_url = "https://pirha.fi/sv/-/regionstyrelsen-behandlar-servicenatet"
    head = (f'<link rel="alternate" hreflang="fi" href="{fi_url}">'
            f'<link rel="alternate" hreflang="sv" href="{sv_url}?redirect=%2Fsv">')
    fi_page = extract_page(f'<html lang="fi"><head>{head}</head><body><h1>Aluehallitus käsittelee palveluverkkoa'
                           "</h1><p>Pirkanmaan hyvinvointialueen aluehallitus käsittelee palveluverkkoa.</p>"
                           "</body></html>", fi_url)
    assert fi_page.translations == {"sv": sv_url}              # no navigation parameters, not itself
    sv_page = extract_page(f'<html lang="sv"><head>{head}</head><body><h1>Regionstyrelsen behandlar servicenätet'
                           "</h1></body></html>", sv_url)
    assert sv_page.translations == {"fi": fi_url}
    fi = make_item(1, url=fi_url, source="pirha", title=fi_page.title, translations=fi_page.translations)
    sv = make_item(2, url=sv_url, source="pirha", language="sv", title=sv_page.title)
    store.upsert_items([fi, sv], None, NOW)
    assert title_in(store, fi["id"], "sv") == "Regionstyrelsen behandlar servicenätet"
