"""The base every Sotevahti spider builds on: sources from config, the mirror mapping, items,
re-check scheduling of known items, and per-source health counters.

A platform spider fills in ``start`` and its callbacks and calls the domain package to parse;
this class turns what it parsed into a stored item filed under its source.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectError, DNSLookupError, TCPTimedOutError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from crawler import crawl_now
from middlewares.conditional import UNCHANGED
from sotevahti.schedule import is_due
from sotevahti.sources import Source, load_config
from sotevahti.store import Store
from sotevahti.urls import UrlMap
from sotevahti.volatile import strip_volatile

# Item fields a platform may add when it knows them (see sotevahti.schema.ITEM_SCHEMA).
_OPTIONAL = ("kind", "external_id", "register_number", "related", "api_deadlines")
REMOVED_STATUSES = (404, 410)


class SourceSpider(scrapy.Spider):
    """A spider that reads every configured source of its ``platform``.

    Spider argument ``sources``: comma-separated source ids (default: all enabled ones of the
    platform), e.g. ``scrapy crawl liferay -a sources=stm,vm``.
    """

    platform: ClassVar[str]
    sources: list[Source]
    urls: UrlMap
    known: dict[str, dict[str, Any]]
    watched: dict[str, datetime]   # item id -> re-checked on every crawl until then (open deadlines)
    backfilled: set[str]           # sources whose first, deep crawl is done
    now: datetime

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        config = load_config(settings.get("SOTEVAHTI_SOURCES") or None)
        wanted = [s for s in str(kwargs.get("sources") or "").split(",") if s]
        spider.sources = config.select(wanted, platform=cls.platform)
        spider.urls = UrlMap(settings.get("SOTEVAHTI_MIRROR") or None)
        hosts = set().union(*(s.allowed_hosts() for s in spider.sources)) if spider.sources else set()
        if spider.urls.mirror:
            hosts.add("127.0.0.1")
        spider.allowed_domains = sorted(hosts)
        spider.now = crawl_now(settings)
        db = Path(settings.get("SOTEVAHTI_DB"))
        spider.known, spider.watched, spider.backfilled = {}, {}, set()
        if db.exists():
            store = Store(db)
            ids = [s.id for s in spider.sources]
            spider.known = store.known_items(ids)
            spider.watched = store.watched_until(ids, spider.now)
            spider.backfilled = store.backfilled(ids)
            store.close()
        crawler.signals.connect(spider.on_response, signal=signals.response_received)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        """Discovery first (feeds, sitemaps, listings: read on every crawl), then the re-checks
        of known articles that are due. A platform fills in :meth:`follow` and names its
        discovery callbacks; spiders that read one URL per source override this instead."""
        parse_sitemap = getattr(self, "parse_sitemap", None)   # only platforms that read sitemaps
        for source in self.sources:
            for url in source.feed_urls:
                yield self.request(url, self.parse_feed, source)  # type: ignore[attr-defined]
            for url in source.sitemap_urls if parse_sitemap else ():
                yield self.request(url, parse_sitemap, source)
            for url in source.start_urls:
                yield self.request(url, self.parse_listing, source, page=1)  # type: ignore[attr-defined]
        for source in self.sources:
            for url in self.due_rechecks(source):
                for request in self.follow(url, source, discovered=False):
                    yield request

    def follow(self, url: str, source: Source, discovered: bool = True) -> Iterator[Request]:
        """Requests for an article link (the platform's hook); ``discovered`` is false for re-checks."""
        raise NotImplementedError

    def request(self, real_url: str, callback: Callable[..., Any], source: Source, **meta: Any) -> Request:
        """A request for a real URL (fetched through the mirror when one is set)."""
        return Request(self.urls.to_fetch(real_url), callback=callback, errback=self.on_error,
                       meta={"source": source.id, "real_url": real_url, **meta})

    def page_request(self, real_url: str, callback: Callable[..., Any], source: Source, **meta: Any) -> Request:
        """A request for a page that becomes an item: conditional when we stored it before.

        A 304 (or the very bytes we stored) reaches no parser: the item is only marked seen.
        """
        return self.request(real_url, self.parse_item_page, source, conditional=True,
                            item_callback=callback.__name__, **meta)

    def parse_item_page(self, response: Response) -> Iterator[Any]:
        """Hand an item page to the platform's callback, or report it unchanged; the page's
        validators travel with the item, so they are stored in the same transaction."""
        if UNCHANGED in response.flags:
            known = self.known.get(response.meta["real_url"])
            if known is not None:
                if known["kind"] == "page":
                    self.count(self.source_of(response), "links")   # a watched page is its own yield
                yield {"_unchanged": True, "id": known["id"], "source": response.meta["source"]}
            return
        validator = response.meta.get("validator")
        for out in getattr(self, response.meta["item_callback"])(response):
            if validator is not None and isinstance(out, dict) and not out.get("_removed"):
                out["_validator"] = validator
                validator = None   # one page, one item
            yield out

    def should_fetch(self, url: str, source: Source) -> bool:
        """New URLs always; a known article when its re-check is due (see sotevahti.schedule), or
        on every crawl while it has an open deadline or says it is on consultation."""
        known = self.known.get(url)
        if known is None or known["kind"] == "page":
            return True
        if known["removed_at"] is None and (
                self.watched.get(known["id"], self.now) > self.now
                or is_due(url, known["published"], known["last_seen"], self.now)):
            return True
        self.count(source, "skipped_not_due")
        return False

    def next_listing_page(self, source: Source, page: int, links: list[str]) -> bool:
        """Whether to read the listing page after ``page``.

        A source's first crawl reads ``backfill_pages``; after that, up to ``max_pages``, and
        only while the page just read had a link we do not know yet.
        """
        if source.id not in self.backfilled:
            return page < source.backfill_pages
        return page < source.max_pages and any(link not in self.known for link in links)

    def due_rechecks(self, source: Source) -> Iterator[str]:
        """Canonical URLs of the source's known, not removed items: re-checked even when no
        listing links them any more, which is how a withdrawn release is noticed."""
        for url, known in self.known.items():
            if known["source"] == source.id and known["canonical"] and known["removed_at"] is None:
                yield url

    def on_response(self, response: Response, request: Request, spider: scrapy.Spider) -> None:
        source_id = request.meta.get("source")
        if spider is not self or source_id is None:
            return
        self.crawler.stats.inc_value(f"sotevahti/{source_id}/requests")
        self.crawler.stats.inc_value(f"sotevahti/{source_id}/status_{response.status}")

    def on_error(self, failure: Failure) -> Iterator[dict[str, Any]]:
        """Count errors by type per source; a known item answering 404/410 is marked removed."""
        request = failure.request
        source_id = request.meta.get("source", "?")
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # robots.txt said no (or the link left the allowed hosts): politeness, not an error
            self.crawler.stats.inc_value(f"sotevahti/{source_id}/ignored")
            return
        kind = _error_kind(failure)
        self.crawler.stats.inc_value(f"sotevahti/{source_id}/errors_{kind}")
        if failure.check(HttpError) and failure.value.response.status in REMOVED_STATUSES:
            known = self.known.get(request.meta.get("real_url", ""))
            if known is not None:
                yield {"_removed": True, "id": known["id"], "source": source_id,
                       "url": request.meta["real_url"], "status": failure.value.response.status}
        elif not failure.check(HttpError):
            self.logger.warning("%s: %s (%s)", source_id, request.url, failure.getErrorMessage())

    def source_of(self, response: Response) -> Source:
        """The source that led to this response."""
        source_id = response.meta["source"]
        return next(s for s in self.sources if s.id == source_id)

    def real_url(self, response: Response) -> str:
        """The real URL of a response, after redirects."""
        return self.urls.to_real(response.url)

    def count(self, source: Source, what: str, n: int = 1) -> None:
        """Count something per source in the crawl stats (``sotevahti/<source>/<what>``)."""
        self.crawler.stats.inc_value(f"sotevahti/{source.id}/{what}", n)

    def make_item(self, source: Source, *, item_id: str, url: str, title: str, published: datetime | None,
                  text_fields: Mapping[str, Any], urls: list[str]) -> dict[str, Any]:
        """File parsed fields under a source, drop volatile lines and apply its topic filter.

        The decision and the matched stems are stored with the item, so a researcher can see
        why something was (or was not) counted as reform news.
        """
        fields = dict(text_fields)
        lead = strip_volatile(fields.get("lead") or "", source.ignore)
        body = strip_volatile(fields.get("body") or "", source.ignore)
        decision = source.topic.decide(title, lead, body)
        return {
            "id": item_id, "url": url, "source": source.id, "organisation": source.organisation,
            "region": source.region, "title": title, "published": published,
            "type": fields.get("type") or None, "language": fields.get("language") or None,
            "lead": lead, "body": body,
            "tags": list(fields.get("tags") or []), "attachments": list(fields.get("attachments") or []),
            "urls": sorted(set(urls)), "relevant": decision.relevant, "topic_terms": list(decision.terms),
            **{k: fields[k] for k in _OPTIONAL if fields.get(k)},
        }


def _error_kind(failure: Failure) -> str:
    if failure.check(HttpError):
        status = failure.value.response.status
        return f"http_{status}" if status in REMOVED_STATUSES else f"http_{status // 100}xx"
    name = failure.type.__name__.lower() if failure.type else ""
    # Scrapy ≥ 2.14 wraps Twisted's errors in its own Download*Error classes; go by name too.
    if failure.check(DNSLookupError) or "dns" in name or "resolve" in name:
        return "dns"
    if failure.check(TwistedTimeoutError, TCPTimedOutError) or "timeout" in name or "timedout" in name:
        return "timeout"
    if failure.check(ConnectError) or "connect" in name or "refused" in name:
        return "connection"
    return name or "other"
