"""One release under several hosts keeps every URL, whatever order its pages are read in.

The Liferay spider stores an article once even when valtioneuvosto.fi and soteuudistus.fi both
list it (same group id and slug). The item is built when its page is read, with every URL the
crawl had linked it under by then. A listing read after that used to lose its URL: these tests
replay that order by hand, so they fail without the late-URL path, every time.
"""

from __future__ import annotations

from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from pipelines.store import StorePipeline
from sotevahti.mirror.liferay_site import listing_path
from sotevahti.store import Store
from spiders.liferay import LiferaySpider

from .conftest import CRAWL_NOW, ROOT
from .test_store import make_item

MIRROR = "http://127.0.0.1:8097"


def spider_and_pipeline(tmp_path, db_name: str = "t.db") -> tuple[LiferaySpider, StorePipeline]:
    crawler = get_crawler(LiferaySpider, {"SOTEVAHTI_DB": str(tmp_path / db_name), "SOTEVAHTI_RUN_ID": 1,
                                          "SOTEVAHTI_SOURCES": str(ROOT / "sources.toml"),
                                          "SOTEVAHTI_MIRROR": MIRROR, "SOTEVAHTI_NOW": CRAWL_NOW.isoformat()})
    spider = LiferaySpider.from_crawler(crawler, sources="valtioneuvosto,soteuudistus")
    crawler.spider = spider
    pipeline = StorePipeline(crawler)
    pipeline.open_spider()
    return spider, pipeline


def shared_article(site):
    """The English release valtioneuvosto.fi shows and soteuudistus.fi lists too (the one seen lost)."""
    return next(a for a in site.articles if a.epoch == 1 and a.host == "valtioneuvosto.fi"
                and "soteuudistus.fi" in a.also_on)


def article_response(site, request: Request, host: str, article) -> HtmlResponse:
    page = site.render(host, listing_path(article), "", 1, MIRROR)
    return HtmlResponse(request.url, body=page.body, headers={"Content-Type": page.content_type,
                                                             "Content-Length": str(len(page.body))},
                        request=request)


def read_on_valtioneuvosto_first(site, spider):
    """Follow the shared release's valtioneuvosto.fi link and read its page: ``(that URL, the
    soteuudistus.fi URL, the two sources, the items the page gave)``."""
    article = shared_article(site)
    vn, sote = (next(s for s in spider.sources if s.id == i) for i in ("valtioneuvosto", "soteuudistus"))
    first = f"https://valtioneuvosto.fi{listing_path(article)}"
    second = f"https://soteuudistus.fi{listing_path(article)}"
    (request,) = spider.follow(first, vn)
    items = list(spider.parse_item_page(article_response(site, request, "valtioneuvosto.fi", article)))
    return first, second, vn, sote, items


def test_a_listing_read_after_the_article_adds_its_url_to_the_stored_item(site, tmp_path):
    spider, pipeline = spider_and_pipeline(tmp_path)
    # the article is read before soteuudistus.fi's listing page that links it
    first, second, _vn, sote, items = read_on_valtioneuvosto_first(site, spider)
    assert len(items) == 1 and second not in items[0]["urls"]
    late = list(spider.follow(second, sote))
    assert [out["url"] for out in late] == [second]                 # no second request, but the URL travels
    assert list(spider.follow(second, sote)) == []                  # once
    for out in [*items, *late]:
        pipeline.process_item(out)
    pipeline.close_spider()
    store = Store(tmp_path / "t.db")
    (row,) = store.db.query("SELECT id FROM items")
    assert {first, second} <= set(store.get_item(row["id"])["urls"])


def test_a_late_url_waits_for_its_item_and_follows_a_joined_id(tmp_path):
    _spider, pipeline = spider_and_pipeline(tmp_path)
    pipeline.batch_size = 50
    item = make_item(1, source="valtioneuvosto")
    # the URL arrives while its item is still in the pipeline's buffer: stored after the item
    pipeline.process_item(item)
    pipeline.process_item({"_late_url": True, "id": item["id"], "url": "https://soteuudistus.fi/-/x/a",
                           "source": "soteuudistus"})
    pipeline.flush()
    store = Store(tmp_path / "t.db")
    assert "https://soteuudistus.fi/-/x/a" in store.get_item(item["id"])["urls"]
    # an id that joined a stored item as its duplicate: the URL goes to the stored item
    store.upsert_items([make_item(1, id="lr-joined0000000001", url=item["url"])], 1, CRAWL_NOW)
    assert store.add_urls([("lr-joined0000000001", "https://stm.fi/-/x/a")], CRAWL_NOW) == []
    assert "https://stm.fi/-/x/a" in store.get_item(item["id"])["urls"]
    assert store.add_urls([("lr-nosuchitem0000001", "https://stm.fi/-/y")], CRAWL_NOW) == [
        ("lr-nosuchitem0000001", "https://stm.fi/-/y")]
    pipeline.close_spider()


def test_a_known_article_is_asked_for_where_its_page_came_from(site, tmp_path):
    # Crawl 1 read the release on valtioneuvosto.fi; crawl 2 meets it first on soteuudistus.fi.
    # It is asked for on valtioneuvosto.fi, whose validators are stored, so an unchanged page is a
    # 304 whichever listing answered first (the demo's 304 count used to vary with timing).
    spider, pipeline = spider_and_pipeline(tmp_path)
    first, second, vn, sote, items = read_on_valtioneuvosto_first(site, spider)
    for out in [*items, *spider.follow(second, sote)]:
        pipeline.process_item(out)
    pipeline.close_spider()
    store = Store(tmp_path / "t.db")
    (row,) = store.db.query("SELECT id FROM items")
    with store.atomic():
        store.conn.execute("INSERT INTO http_validators (url, item_id, etag, last_modified, body_hash, checked_at) "
                           "VALUES (?,?,?,?,?,?)", (first, row["id"], '"e1"', None, "h", "2026-11-20T10:00:00+00:00"))
        store.conn.execute("UPDATE items SET last_seen = '2025-06-01T10:00:00+00:00'")   # due again
    store.close()
    later, _ = spider_and_pipeline(tmp_path)
    requests = [r for r in later.follow(second, sote) if isinstance(r, Request)]
    assert [r.meta["real_url"] for r in requests] == [first]
    assert list(later.follow(first, vn)) == []      # and only once


def test_a_stored_address_on_a_host_outside_the_crawl_is_not_asked_for(site, tmp_path):
    # The page was stored from soteuudistus.fi; `crawl stm` may not visit that host, so the
    # address it met (on valtioneuvosto.fi) is asked for.
    test_a_known_article_is_asked_for_where_its_page_came_from(site, tmp_path)
    first = f"https://valtioneuvosto.fi{listing_path(shared_article(site))}"
    second = f"https://soteuudistus.fi{listing_path(shared_article(site))}"
    store = Store(tmp_path / "t.db")
    with store.atomic():
        store.conn.execute("UPDATE http_validators SET url = ?", (second,))
        store.conn.execute("UPDATE items SET source = 'stm'")   # an stm item whose page came from elsewhere
    store.close()
    crawler = get_crawler(LiferaySpider, {"SOTEVAHTI_DB": str(tmp_path / "t.db"), "SOTEVAHTI_RUN_ID": 2,
                                          "SOTEVAHTI_SOURCES": str(ROOT / "sources.toml"),
                                          "SOTEVAHTI_MIRROR": MIRROR, "SOTEVAHTI_NOW": CRAWL_NOW.isoformat()})
    alone = LiferaySpider.from_crawler(crawler, sources="stm")
    assert "soteuudistus.fi" not in alone.configured_hosts and alone.fetched_from
    (request,) = [r for r in alone.follow(first, alone.sources[0]) if isinstance(r, Request)]
    assert request.meta["real_url"] == first
