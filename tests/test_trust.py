"""Issue 13, pipeline and content: one bad page never corrupts, drops or falsely announces anything.

Each test here is the regression test of one defect of the issue; the crawl-level versions of
the same faults are in test_faults.py.
"""

from __future__ import annotations

import json
from datetime import timedelta

import feedparser
import pytest
from icalendar import Calendar
from lxml import etree
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from pipelines.store import StorePipeline
from sotevahti import lausuntopalvelu as lp
from sotevahti.boundaries import RobotsRules, refusal
from sotevahti.feeds import change_entry, write_feeds
from sotevahti.mirror.server import Mirror, Page
from sotevahti.sources import ConfigError, FeedSettings, load_config, parse_config
from sotevahti.urls import UrlMap
from spiders.listing import ListingSpider

from .conftest import ROOT, run_monitor, with_now
from .test_sources import GOOD
from .test_store import NOW, make_item

DAY = timedelta(days=1)
LONG_BODY = "\n\n".join(f"Kappale {n}: hyvinvointialueet tekevät yhteistyötä yhteistyöalueilla." for n in range(12))


def entries(store, tmp_path):
    write_feeds(store, tmp_path, FeedSettings(), NOW + 3 * DAY)
    return feedparser.parse((tmp_path / "feed.xml").read_bytes()).entries


# -- false or corrupted entries ---------------------------------------------------------------

@pytest.mark.parametrize("broken", [
    {"title": "Hyvinvointialueiden yhteistyÃ¶alueet"},                  # UTF-8 read as Latin-1
    {"body": LONG_BODY.replace("yhteistyö", "yhteisty\ufffd")},          # Windows-1252 read as UTF-8
])
def test_mojibake_never_replaces_the_stored_text(store, broken, tmp_path):
    good = make_item(1, title="Hyvinvointialueiden yhteistyöalueet", body=LONG_BODY)
    store.upsert_items([good], 1, NOW)
    result = store.upsert_items([{**good, **broken}], 2, NOW + DAY)
    assert result.updated == 0 and result.held == (("stm", "mojibake", good["id"]),)
    row = store.get_item(good["id"])
    assert row["title"] == good["title"] and row["body"] == LONG_BODY and row["version"] == 1
    assert not [e for e in entries(store, tmp_path) if e.title.startswith("Päivitetty")]
    # a day later the same broken text is still refused: a decoding fault is never the page's text
    assert store.upsert_items([{**good, **broken}], 3, NOW + 3 * DAY).updated == 0


def test_truncated_or_no_longer_an_article_is_a_health_event_not_a_version(store):
    good = make_item(1, body=LONG_BODY)
    store.upsert_items([good], 1, NOW)
    cut = store.upsert_items([make_item(1, body=LONG_BODY[: len(LONG_BODY) // 3], lead="")], 2, NOW + DAY)
    soft_404 = store.upsert_items([make_item(1, title="Pirha nyt", lead="", body="")], 3, NOW + DAY)
    assert [h[1] for h in cut.held + soft_404.held] == ["shrunk", "not_article"]
    assert store.get_item(good["id"])["title"] == good["title"] and not store.item_versions(good["id"])


def test_a_shorter_text_read_again_a_day_later_is_a_real_edit(store):
    store.upsert_items([make_item(1, body=LONG_BODY)], 1, NOW)
    short = make_item(1, body=LONG_BODY[:200], lead="")
    assert store.upsert_items([short], 2, NOW + DAY).updated == 0
    assert store.upsert_items([short], 3, NOW + DAY + timedelta(hours=2)).updated == 0   # too soon
    assert store.upsert_items([short], 4, NOW + 2 * DAY).updated == 1


def test_one_404_publishes_nothing_two_a_day_apart_remove_once(store, tmp_path):
    item = make_item(1)
    store.upsert_items([item], 1, NOW)
    assert store.record_missing(item["id"], 404, NOW + DAY) == "missing"
    assert store.record_missing(item["id"], 404, NOW + DAY + timedelta(hours=3)) == "missing"
    assert not store.latest_removals(relevant_only=False)
    store.upsert_items([item], 2, NOW + 2 * DAY)                  # the page is back: the note is cleared
    assert store.record_missing(item["id"], 410, NOW + 3 * DAY) == "missing"
    assert store.record_missing(item["id"], 410, NOW + 4 * DAY) == "removed"
    assert store.record_missing(item["id"], 410, NOW + 5 * DAY) == "already_removed"
    removed = [e for e in entries(store, tmp_path) if e.id.endswith("/removed")]
    assert len(removed) == 1


def test_a_restored_article_is_no_longer_withdrawn(store):
    item = make_item(1)
    store.upsert_items([item], 1, NOW)
    store.mark_removed(item["id"], 404, NOW + DAY)
    store.upsert_items([item], 2, NOW + 2 * DAY)
    row = store.get_item(item["id"])
    assert row["removed_at"] is None and row["restored_at"] and not store.latest_removals(relevant_only=False)


def copy_of(item, **over):
    """The sttinfo.fi copy of a county release: another id, URL and source, the same title/day/organisation."""
    return {**item, "id": "ls-sttinfo000000001", "url": "https://www.sttinfo.fi/tiedote/1/x", "source": "sttinfo",
            **over}


def test_a_copy_stays_joined_after_the_county_corrects_the_title(store):
    county = make_item(1, id="ls-county00000000001", url="https://omahame.fi/uutiset/x", source="omahame")
    store.upsert_items([county], 1, NOW)
    store.upsert_items([copy_of(county)], 1, NOW)
    fixed = {"title": "Hyvinvointialueiden rahoitus tarkentuu (korjattu)"}
    # the corrected copy may be read before the corrected original: it must still join, not stand alone
    store.upsert_items([copy_of(county, **fixed)], 2, NOW + DAY)
    store.upsert_items([{**county, **fixed}], 2, NOW + DAY)
    assert [r["id"] for r in store.db.query("SELECT id FROM items")] == [county["id"]]


def test_no_item_is_stored_without_a_url_of_its_own(store):
    first = make_item(1)
    store.upsert_items([first], 1, NOW)
    # the same page under another id (an id scheme change, a second discovery path): one item
    store.upsert_items([make_item(1, id="lr-other0000000001", title="Toinen otsikko")], 2, NOW + DAY)
    assert [r["id"] for r in store.db.query("SELECT id FROM items")] == [first["id"]]
    assert not list(store.db.query("SELECT id FROM items i WHERE NOT EXISTS (SELECT 1 FROM item_urls u "
                                   "WHERE u.url = i.url AND u.item_id = i.id)"))


def test_copies_are_stored_after_originals_whatever_the_arrival_order(tmp_path):
    config = load_config(ROOT / "sources.toml")
    crawler = get_crawler(ListingSpider, {"SOTEVAHTI_DB": str(tmp_path / "t.db"), "SOTEVAHTI_RUN_ID": 1,
                                          "SOTEVAHTI_NOW": NOW.isoformat(), "SOTEVAHTI_BATCH_SIZE": 1})
    crawler.spider = type("S", (), {"sources": config.select(["omahame", "sttinfo-omahame"])})()
    pipeline = StorePipeline(crawler)
    pipeline.open_spider()
    county = make_item(1, id="ls-county00000000001", url="https://omahame.fi/uutiset/x", source="omahame",
                       organisation="Kanta-Hämeen hyvinvointialue")
    pipeline.process_item(copy_of(county, source="sttinfo-omahame"))     # the copy arrives first
    pipeline.process_item(county)
    pipeline.close_spider()
    from sotevahti.store import Store

    store = Store(tmp_path / "t.db")
    assert [r[0] for r in store.conn.execute("SELECT id FROM items")] == [county["id"]]   # the county's GUID
    assert len(store.get_item(county["id"])["urls"]) == 2


def test_a_deadline_moved_earlier_is_not_extended_and_a_deleted_one_is_not_open(store):
    later = make_item(1, body="Lausuntoaika päättyy 20.12.2026.", published=NOW - 5 * DAY)
    store.upsert_items([later], 1, NOW)
    store.upsert_items([{**later, "body": "Lausuntoaika päättyy 15.12.2026."}], 2, NOW + DAY)
    (ev,) = [e for e in store.deadline_events() if e["event"] != "opened"]
    assert ev["event"] == "moved_earlier"
    assert store.deadline_rows()[0]["status"] != "extended"
    store.upsert_items([{**later, "body": "Lausuntopyyntö julkaistiin."}], 3, NOW + 2 * DAY)
    assert store.deadline_rows() == []                                  # no longer listed as open
    assert store.deadline_events()[0]["event"] == "withdrawn"


def test_edit_and_removal_entries_have_whole_categories_and_real_links(store, tmp_path):
    store.upsert_items([make_item(1, tags=["sosiaali- ja terveysministeriö", "sote-uudistus"])], 1, NOW)
    store.upsert_items([make_item(1, tags=["sosiaali- ja terveysministeriö", "sote-uudistus"],
                                  attachments=[{"title": "Muistio", "url": "https://stm.fi/documents/m.pdf?a=1&b=2"}])],
                       2, NOW + DAY)
    (change,) = store.latest_changes()
    entry = change_entry(change)
    assert "sote-uudistus" in entry["categories"] and all(len(c) > 1 for c in entry["categories"])
    assert '<a href="https://stm.fi/documents/m.pdf?a=1&amp;b=2">Muistio</a>' in entry["html"]
    (e,) = [e for e in entries(store, tmp_path) if e.title.startswith("Päivitetty")]
    assert {t.term for t in e.tags} >= {"sote-uudistus", "Päivitetty"} and not [t for t in e.tags if len(t.term) == 1]


# -- one bad value loses everything -----------------------------------------------------------

HOSTILE = "Ohjaus\x01ryhmä ]]> <script>alert(1)</script> \u202eeteet\u202c \ud800 \x0b"


def test_every_output_survives_any_unicode(store, tmp_path):
    store.upsert_items([make_item(1, title=HOSTILE, lead=HOSTILE, body=HOSTILE + " Lausuntoaika päättyy 1.12.2026.",
                                  tags=[HOSTILE], published=NOW - DAY)], 1, NOW)
    write_feeds(store, tmp_path, FeedSettings(), NOW)
    for path in [*tmp_path.rglob("*.xml"), tmp_path / "feeds.opml"]:
        etree.parse(str(path))                                       # raises on an invalid character
        assert "\x01" not in path.read_text(encoding="utf-8") and "\u202e" not in path.read_text(encoding="utf-8")
    assert feedparser.parse((tmp_path / "feed.xml").read_bytes()).entries[0].title.startswith("Ohjausryhmä ]]>")
    assert Calendar.from_ical((tmp_path / "deadlines.ics").read_bytes()).walk("VEVENT")
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page and "\x01" not in page


def test_a_lone_surrogate_in_the_api_json_loses_nothing(store):
    doc = {"d": {"results": [{"Id": f"0f5c1a9e-0000-0000-0000-00000000000{n}", "Name": f"Lausuntopyyntö {n}\ud800",
                              "Goals": "Hyvinvointialueiden rahoitus \udfff", "PublishedOn": "/Date(1763976000000)/",
                              "Deadline": "/Date(1766568000000)/", "OrganizationName": "Valtiovarainministeriö"}
                             for n in range(3)]}}
    body = json.dumps(doc).encode()       # "\ud800" travels as a JSON escape, as the API sends it
    proposals, _ = lp.parse_proposals(body, "application/json", base_url="https://www.lausuntopalvelu.fi/api/x")
    assert len(proposals) == 3 and "\ud800" in proposals[0].name      # what reached the pipeline before
    items = [make_item(n, id=p.item_id, title=p.name, lead=p.goals, url=p.participation_url, kind="consultation")
             for n, p in enumerate(proposals)]
    assert store.upsert_items(items, 1, NOW).new == 3
    assert all("\ud800" not in r["title"] for r in store.db.query("SELECT title FROM items"))


def test_one_unstorable_item_loses_only_itself(tmp_path):
    crawler = get_crawler(ListingSpider, {"SOTEVAHTI_DB": str(tmp_path / "t.db"), "SOTEVAHTI_RUN_ID": 1,
                                          "SOTEVAHTI_NOW": NOW.isoformat(), "SOTEVAHTI_BATCH_SIZE": 50})
    crawler.spider = type("S", (), {"sources": []})()
    pipeline = StorePipeline(crawler)
    pipeline.open_spider()
    for n in range(5):
        # valid by the schema, but its attachment holds a value no JSON column can take
        odd = [{"title": "Liite", "url": "https://stm.fi/documents/l.pdf", "size": object()}] if n == 2 else []
        pipeline.process_item(make_item(n, attachments=odd))
    pipeline.close_spider()
    from sotevahti.store import Store

    assert Store(tmp_path / "t.db").conn.execute("SELECT count(*) FROM items").fetchone()[0] == 4
    assert crawler.stats.get_value("sotevahti/stm/errors_store") == 1


def listing_spider(tmp_path, mirror_url: str) -> ListingSpider:
    crawler = get_crawler(ListingSpider, {"SOTEVAHTI_DB": str(tmp_path / "none.db"),
                                          "SOTEVAHTI_SOURCES": str(ROOT / "sources.toml"),
                                          "SOTEVAHTI_MIRROR": mirror_url, "SOTEVAHTI_NOW": NOW.isoformat()})
    return ListingSpider.from_crawler(crawler, sources="pirha")


def test_a_javascript_or_ftp_link_first_on_a_listing_loses_nothing(tmp_path):
    base = "http://127.0.0.1:8099"
    spider = listing_spider(tmp_path, base)
    links = "".join(f'<a class="news-card__link" href="/www.pirha.fi/ajankohtaista/pirha-nyt/uutinen-{n}">U{n}</a>'
                    for n in range(6))
    html = (f'<html><body><main><a class="news-card__link" href="javascript:void(0)">x</a>'
            f'<a class="news-card__link" href="ftp://www.pirha.fi/a.txt">f</a>{links}</main></body></html>')
    url = f"{base}/www.pirha.fi/ajankohtaista/pirha-nyt"
    source = spider.sources[0]
    request = Request(url, meta={"source": "pirha", "real_url": "https://www.pirha.fi/ajankohtaista/pirha-nyt",
                                 "page": 1})
    response = HtmlResponse(url, body=html.encode(), encoding="utf-8", request=request)
    requests = list(spider.parse_listing(response))
    wanted = {f"{base}/www.pirha.fi/ajankohtaista/pirha-nyt/uutinen-{n}" for n in range(6)}
    assert source.selectors["item"] == "a.news-card__link"
    assert wanted <= {r.url for r in requests} and all(r.url.startswith(base) for r in requests)


def test_follow_all_counts_bad_links_and_keeps_the_rest(tmp_path):
    spider = listing_spider(tmp_path, "http://127.0.0.1:8099")
    source = spider.sources[0]
    links = ["javascript:void(0)", "ftp://www.pirha.fi/a.txt", "https://www.pirha.fi/a", 42,
             "https://www.pirha.fi/b"]
    requests = list(spider.follow_all(links, source))
    assert [r.meta["real_url"] for r in requests] == ["https://www.pirha.fi/a", "https://www.pirha.fi/b"]
    assert spider.crawler.stats.get_value("sotevahti/pirha/skipped_links") == 3


@pytest.mark.parametrize("change, message", [
    ({"platform": "listing", "selectors": {"item": "a[href"}}, "selector 'item' is not valid CSS"),
    ({"id": "stm/x"}, "may only hold lower-case letters"),
    ({"id": "STM"}, "may only hold lower-case letters"),
])
def test_bad_selector_or_unsafe_id_is_refused_by_validation(change, message):
    with pytest.raises(ConfigError) as err:
        parse_config({"source": [{**GOOD, **change}]})
    assert message in str(err.value) and "\n" not in str(err.value)


def test_cli_refuses_a_bad_selector_in_one_line(tmp_path):
    bad = tmp_path / "s.toml"
    bad.write_text((ROOT / "sources.toml").read_text(encoding="utf-8").replace(
        'item = "h2.node__title a"', 'item = "h2.node__title a["'))
    proc = run_monitor("sources", "--sources", str(bad))
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0 and "not valid CSS" in proc.stderr


# -- politeness and boundaries ----------------------------------------------------------------

def test_boundaries_refuse_other_ports_schemes_and_unconfigured_hosts_on_the_mirror():
    mirror = UrlMap("http://127.0.0.1:8080")
    hosts = {"www.pirha.fi", "stm.fi"}
    assert refusal("http://127.0.0.1:8080/www.pirha.fi/x", hosts, mirror) is None
    assert refusal("http://127.0.0.1:8081/www.pirha.fi/x", hosts, mirror) == "port"
    assert refusal("http://127.0.0.1:8080/evil.example/x", hosts, mirror) == "offsite"
    assert refusal("ftp://stm.fi/x", hosts, UrlMap()) == "scheme"
    assert refusal("https://stm.fi:444/x", hosts, UrlMap()) == "port"
    assert refusal("https://pirha.fi/x", hosts, UrlMap()) is None


def test_robots_5xx_is_try_later_and_4xx_is_no_rules():
    rules = RobotsRules()
    rules.record("a:1", 503, b"")
    rules.record("b:1", 404, b"")
    rules.record("c:1", 200, b"User-agent: *\nDisallow: /x")
    assert rules.verdict("http://a:1/y", "Sotevahti") == "robots_unavailable"
    assert rules.verdict("http://b:1/x", "Sotevahti") is None
    assert rules.verdict("http://c:1/x/1", "Sotevahti") == "robots_forbidden"


def crawl_with_robots(site, tmp_path, robots: Page):
    with Mirror([site]) as mirror:
        mirror.robots = robots
        proc = run_monitor("crawl", *with_now(("stm",)), "--out", str(tmp_path), "--mirror", mirror.url, "--json")
        return proc, [p for _, p, _ in mirror.requests]


def test_robots_disallow_all_lets_no_queued_request_escape(site, tmp_path):
    proc, paths = crawl_with_robots(site, tmp_path, Page(b"User-agent: *\nDisallow: /\n", "text/plain"))
    assert paths == ["/robots.txt"], paths
    assert json.loads(proc.stdout)["sources"]["stm"]["robots_forbidden"] > 0


def test_robots_503_means_the_host_is_not_crawled_this_run(site, tmp_path):
    proc, paths = crawl_with_robots(site, tmp_path, Page(b"busy", "text/plain", status=503))
    assert set(paths) == {"/robots.txt"}, paths                   # tried (with retries), nothing else
    run = json.loads(proc.stdout)
    assert run["sources"]["stm"]["errors_robots_unavailable"] > 0
    status = json.loads(run_monitor("status", "--db", str(tmp_path / "sotevahti.db"), "--json").stdout)
    (stm,) = [r for r in status["sources"] if r["source"] == "stm"]
    assert stm["errors"]["robots_unavailable"] > 0 and not stm["ok"]
