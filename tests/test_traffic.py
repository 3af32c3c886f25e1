"""A crawl's cost follows its traffic: validators in the database, 304s that cost nothing,
re-checks that follow deadlines and are spread over days, discovery that stops at known pages."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from sotevahti.feeds import write_feeds
from sotevahti.mirror.server import Mirror, Page
from sotevahti.schedule import is_due
from sotevahti.sources import ConfigError, FeedSettings, parse_config
from sotevahti.store import Store
from sotevahti.store_http import Validator, says_on_consultation
from sotevahti.tracking import utc_iso

from .conftest import CRAWL_NOW, TOMORROW, run_monitor, with_now
from .test_store import NOW, make_item


def crawl(mirror, out, *args):
    proc = run_monitor("crawl", *with_now(args), "--out", str(out), "--mirror", mirror.url, "--json")
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    return json.loads(proc.stdout)


# -- validators are stored with the item, never without it --------------------------------------

def test_validators_are_written_in_the_items_transaction(store):
    good = make_item(1)
    validator = Validator(good["url"], good["id"], '"abc"', "Tue, 24 Nov 2026 08:00:00 GMT", "f00")
    store.upsert_items([good], None, NOW, [validator])
    assert store.validators(["stm"])[good["url"]].etag == '"abc"'
    # A batch that fails stores neither its items nor their validators: no validator can ever
    # point at content we did not store (a torn cache entry).
    bad = make_item(2, title="")
    with pytest.raises(ValueError):
        store.upsert_items([make_item(3), bad], None, NOW, [Validator(make_item(3)["url"], make_item(3)["id"],
                                                                     '"x"', None, "h")])
    assert set(store.validators(["stm"])) == {good["url"]}
    assert store.get_item(make_item(3)["id"]) is None


def test_a_duplicate_of_another_source_files_its_validator_under_the_stored_item(store):
    first = make_item(1)
    twin = make_item(2, id="ls-twin", source="sttinfo", url="https://www.sttinfo.fi/tiedote/1",
                     title=first["title"], published=first["published"])
    store.upsert_items([first], None, NOW)
    store.upsert_items([twin], None, NOW, [Validator(twin["url"], "ls-twin", None, None, "h")])
    assert store.validators(["stm"])[twin["url"]].item_id == first["id"]


def test_every_address_of_an_item_gets_its_validator(store):
    # The /-/ and /-// forms of one Liferay article are one page: whichever form a crawl meets
    # first must be asked conditionally, or the 304 count depends on timing.
    item = make_item(1)
    double = item["url"].replace("/-/", "/-//")
    item["urls"] = [item["url"], double]
    store.upsert_items([item], None, NOW, [Validator(item["url"], item["id"], '"abc"', None, "h1")])
    validators = store.validators(["stm"])
    assert validators[double].etag == '"abc"' and validators[double].url == double
    # a form fetched itself keeps its own validator
    store.upsert_items([item], None, NOW + timedelta(days=1), [Validator(double, item["id"], '"new"', None, "h2")])
    validators = store.validators(["stm"])
    assert validators[double].etag == '"new"' and validators[item["url"]].etag == '"abc"'


def test_touching_unchanged_items_moves_last_seen_only(store):
    store.upsert_items([make_item(1)], None, NOW)
    segments = store.conn.execute("SELECT count(*) FROM items_fts_data").fetchone()[0]
    later = NOW + timedelta(days=1)
    assert store.touch_items([make_item(1)["id"]] * 2, 7, later) == 1
    row = store.get_item(make_item(1)["id"])
    assert row["last_seen"] == utc_iso(later) and row["last_run"] == 7 and row["version"] == 1
    # The full-text index is rewritten only when the text changes, not when an item is seen again.
    assert store.conn.execute("SELECT count(*) FROM items_fts_data").fetchone()[0] == segments
    store.upsert_items([make_item(1, title="Hyvinvointialueiden rahoitus muuttuu (1)")], None, later)
    hits = store.conn.execute("SELECT count(*) FROM items_fts WHERE items_fts MATCH 'muuttuu'").fetchone()[0]
    assert hits == 1


# -- re-checks --------------------------------------------------------------------------------

def test_rechecks_of_a_backfilled_cohort_are_spread_over_the_week():
    # 700 articles, all 100 days old, all checked at the same moment (the backfill).
    checked = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    published = checked - timedelta(days=100)
    urls = [f"https://stm.fi/-/1271139/tiedote-{n}" for n in range(700)]
    due_on: Counter[int] = Counter()
    for url in urls:
        for day in range(1, 9):
            if is_due(url, published, checked, checked + timedelta(days=day)):
                due_on[day] += 1
                break
    assert sum(due_on.values()) == 700                      # every one is due within the week (+1 day)
    assert max(due_on.values()) < 150                        # no day carries the cohort (old code: 700 on day 7)
    assert min(due_on[d] for d in range(1, 8)) > 60


def test_daily_rechecks_stay_daily_and_never_twice_in_a_crawl():
    published = datetime(2026, 11, 20, tzinfo=UTC)
    checked = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert not is_due("https://stm.fi/-/1271139/a", published, checked, checked)
    assert is_due("https://stm.fi/-/1271139/a", published, checked, checked + timedelta(hours=23, minutes=30))


def test_the_recheck_day_follows_the_item_not_the_address_it_was_met_under():
    # Two addresses of one 100-day-old article (weekly re-checks): the day it is due must not
    # depend on which address the crawl met first (the spread used to hash the address).
    from types import SimpleNamespace

    from spiders.base import SourceSpider
    checked = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    for n in range(20):
        url = f"https://valtioneuvosto.fi/en/-/1271139/release-{n}"
        row = {"id": f"lr-1271139-release-{n}-en", "kind": "announcement", "removed_at": None,
               "published": checked - timedelta(days=100), "last_seen": checked}
        fetched = []
        for day in range(1, 9):
            spider = SimpleNamespace(known={url: row, url.replace("/-/", "/-//"): row}, watched={},
                                     now=checked + timedelta(days=day), count=lambda *a: None)
            fetched.append({SourceSpider.should_fetch(spider, u, None) for u in spider.known})
        assert all(len(answers) == 1 for answers in fetched), n
        assert sum(answers == {True} for answers in fetched) >= 1


def test_an_open_deadline_keeps_an_old_item_watched_until_a_day_after_it(store):
    now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    old = make_item(1, published=now - timedelta(days=200), body="Lausuntoaika päättyy 4.12.2026.")
    quiet = make_item(2, published=now - timedelta(days=200), body="Ei määräaikoja.", title="Muu asia (2)")
    store.upsert_items([old, quiet], None, now - timedelta(days=200))
    watched = store.watched_until(["stm"], now)
    assert set(watched) == {old["id"]}
    assert watched[old["id"]].date().isoformat() == "2026-12-06"    # the end of 5.12., a day after
    assert store.watched_until(["stm"], datetime(2026, 12, 6, 12, tzinfo=UTC)) == {}


def test_an_item_on_consultation_without_a_readable_deadline_is_watched(store):
    now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    item = make_item(1, published=now - timedelta(days=40), body="Luonnos on lausunnolla keväällä.")
    store.upsert_items([item], None, now)
    assert says_on_consultation(item["body"])
    assert set(store.watched_until(["stm"], now)) == {item["id"]}
    assert store.watched_until(["stm"], now + timedelta(days=60)) == {}


# -- sources.toml ----------------------------------------------------------------------------

def _source(**over):
    entry = {"id": "x", "name": "X", "platform": "liferay", "organisation": "X", "region": "national",
             "languages": ["fi"], "start_urls": ["https://x.fi/uutiset"], **over}
    return {"source": [entry]}


def test_backfill_pages_is_its_own_setting():
    assert parse_config(_source(max_pages=3, backfill_pages=40)).sources[0].backfill_pages == 40
    assert parse_config(_source()).sources[0].backfill_pages == 20
    with pytest.raises(ConfigError, match="'backfill_pages' must be at least 'max_pages'"):
        parse_config(_source(max_pages=10, backfill_pages=5))
    with pytest.raises(ConfigError, match="'backfill_pages' has the wrong type"):
        parse_config(_source(backfill_pages="40"))


# -- public files ----------------------------------------------------------------------------

def test_a_rebuild_rewrites_only_the_files_whose_content_changed(store, tmp_path):
    store.upsert_items([make_item(i) for i in range(5)], None, NOW)
    paths = write_feeds(store, tmp_path, FeedSettings(), NOW)
    stamps = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    rss = paths.rss.read_bytes()
    write_feeds(store, tmp_path, FeedSettings(), NOW + timedelta(minutes=5))
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    assert paths.rss.read_bytes() == rss                  # its lastBuildDate says when it last changed
    store.upsert_items([make_item(9)], None, NOW + timedelta(hours=1))
    write_feeds(store, tmp_path, FeedSettings(), NOW + timedelta(hours=1))
    assert paths.rss.stat().st_mtime_ns != stamps[paths.rss]
    assert make_item(9)["id"].encode() in paths.rss.read_bytes()


# -- whole crawls against the mirror -----------------------------------------------------------

def test_a_304_reaches_no_parser_and_discovery_stops_at_the_first_known_page(mirror, config, tmp_path):
    starts = len(config.get("stm").start_urls)
    first = crawl(mirror, tmp_path, "stm")
    assert first["sources"]["stm"]["listing_pages"] > starts     # the backfill reads deeper
    second = crawl(mirror, tmp_path, "stm", "--now", TOMORROW)
    stm = second["sources"]["stm"]
    # Each listing stops at its first page without an unknown link: page 1, except where page 1
    # links the draft robots.txt disallows (never fetched, so never known): there page 2.
    assert stm["listing_pages"] == starts + 1
    assert second["requests_304"] > 0 and stm["unchanged"] == second["requests_304"]
    assert stm.get("articles", 0) == 0                     # nothing was parsed
    assert second["items_updated"] == 0 and second["items_new"] == 0


class _FailingRecheck:
    """The Liferay site, except that one article answers 500 from epoch 2 on."""

    def __init__(self, site, path):
        self.site, self.path, self.hosts = site, path, site.hosts

    def render(self, host, path, query, epoch, base):
        if epoch >= 2 and f"/{host}{path}" == self.path:
            return Page(b"<html><body>Palvelinvirhe</body></html>", status=500)
        return self.site.render(host, path, query, epoch, base)


def test_a_fault_on_a_recheck_is_an_error_not_a_cached_copy(site, tmp_path):
    article = next(a for a in site.articles if a.host == "stm.fi" and a.lang == "fi" and a.epoch == 1
                   and (CRAWL_NOW.date() - datetime.fromisoformat(a.published.split()[0].replace("today", "")
                                                                   or CRAWL_NOW.date().isoformat()).date()
                        if not a.published.startswith("today") else timedelta(days=0)).days < 30)
    with Mirror([_FailingRecheck(site, f"/stm.fi{article.path()}")]) as m:
        crawl(m, tmp_path, "stm")
        m.epoch = 2
        run = crawl(m, tmp_path, "stm", "--now", TOMORROW)
        statuses = [s for _e, p, s in m.requests if p.startswith(f"/stm.fi{article.path()}") and _e == 2]
    assert statuses and set(statuses) == {500}
    assert run["sources"]["stm"]["errors_http_5xx"] >= 1
    store = Store(tmp_path / "sotevahti.db")
    assert store.conn.execute("SELECT count(*) FROM items WHERE url = ?", (article.real_url(),)).fetchone()[0] == 1
    store.close()
