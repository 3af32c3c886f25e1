"""The base every Sotevahti spider builds on: sources from config, the mirror mapping, items,
re-check scheduling of known items, and per-source health counters.

A platform spider fills in ``start`` and its callbacks and calls the domain package to parse;
this class turns what it parsed into a stored item filed under its source.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler import crawl_now
from middlewares.conditional import UNCHANGED
from middlewares.guard import Refused, error_kind
from sotevahti.generic import charset_lies, decode_html
from sotevahti.pagecheck import is_web_url, page_problem
from sotevahti.schedule import is_due
from sotevahti.sources import Source, load_config
from sotevahti.store import Store
from sotevahti.urls import UrlMap
from sotevahti.volatile import strip_volatile
from sotevahti.xmlsafe import has_control_bytes, public_text

# Item fields a platform may add when it knows them (see sotevahti.schema.ITEM_SCHEMA).
_OPTIONAL = ("kind", "external_id", "register_number", "related", "api_deadlines", "translations")
REMOVED_STATUSES = (404, 410)
#: A longer title is cut (and counted): no real release has one, a hostile page might.
MAX_TITLE_CHARS = 1000


class SourceSpider(scrapy.Spider):
    """A spider that reads every configured source of its ``platform``.

    Spider argument ``sources``: comma-separated source ids (default: all enabled ones of the
    platform), e.g. ``scrapy crawl liferay -a sources=stm,vm``.
    """

    platform: ClassVar[str]
    sources: list[Source]
    urls: UrlMap
    known: dict[str, dict[str, Any]]
    #: item id -> the URL its stored page was fetched from (its validators are for that URL)
    fetched_from: dict[str, str]
    watched: dict[str, datetime]   # item id -> re-checked on every crawl until then (open deadlines)
    backfilled: set[str]           # sources whose first, deep crawl is done
    now: datetime
    configured_hosts: set[str]

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        config = load_config(settings.get("SOTEVAHTI_SOURCES") or None)
        wanted = [s for s in str(kwargs.get("sources") or "").split(",") if s]
        spider.sources = config.select(wanted, platform=cls.platform)
        spider.urls = UrlMap(settings.get("SOTEVAHTI_MIRROR") or None)
        hosts = set().union(*(s.allowed_hosts() for s in spider.sources)) if spider.sources else set()
        spider.configured_hosts = set(hosts)
        if spider.urls.mirror:
            hosts.add("127.0.0.1")
        spider.allowed_domains = sorted(hosts)
        spider.now = crawl_now(settings)
        db = Path(settings.get("SOTEVAHTI_DB"))
        spider.known, spider.watched, spider.backfilled, spider.fetched_from = {}, {}, set(), {}
        if db.exists():
            store = Store(db)
            ids = [s.id for s in spider.sources]
            spider.known = store.known_items(ids)
            spider.watched = store.watched_until(ids, spider.now)
            spider.backfilled = store.backfilled(ids)
            spider.fetched_from = store.fetched_urls(ids)
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

    def request(self, real_url: str, callback: Callable[..., Any], source: Source, *, item_page: bool = False,
                **meta: Any) -> Request:
        """A request for a real URL (fetched through the mirror when one is set).

        ``item_page``: an article (the spider has already made sure it asks once). Its request
        skips Scrapy's duplicate filter, so that a redirect to a page already read in this crawl
        (a soft 404 to the listing) or a redirect loop is seen and counted, not silently dropped.
        """
        return Request(self.urls.to_fetch(real_url), callback=callback, errback=self.on_error,
                       meta={"source": source.id, "real_url": real_url, **meta}, dont_filter=item_page)

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
                or is_due(known["id"], known["published"], known["last_seen"], self.now)):
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
        """Count errors by type per source; a known item answering 404/410 is reported missing."""
        request = failure.request
        source_id = request.meta.get("source", "?")
        if failure.check(Refused):
            # offsite, port, scheme and robots_forbidden are politeness; an unreadable robots.txt is a fault
            reason = failure.value.reason
            polite = reason in ("offsite", "port", "scheme", "robots_forbidden")
            self.crawler.stats.inc_value(f"sotevahti/{source_id}/" + (reason if polite else f"errors_{reason}"))
            return
        if failure.check(IgnoreRequest) and "redirect" in str(failure.value).lower():
            self.crawler.stats.inc_value(f"sotevahti/{source_id}/errors_redirect_loop")
            return
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # robots.txt said no (or the link left the allowed hosts): politeness, not an error
            self.crawler.stats.inc_value(f"sotevahti/{source_id}/ignored")
            return
        kind = error_kind(failure)
        self.crawler.stats.inc_value(f"sotevahti/{source_id}/errors_{kind}")
        if failure.check(HttpError) and failure.value.response.status in REMOVED_STATUSES \
                and request.meta.get("redirect_urls"):
            # the article redirected to a page that is missing: the article itself did not answer 404
            self.crawler.stats.inc_value(f"sotevahti/{source_id}/errors_soft_404")
        elif failure.check(HttpError) and failure.value.response.status in REMOVED_STATUSES:
            known = self.known.get(request.meta.get("real_url", ""))
            if known is not None:
                yield {"_removed": True, "id": known["id"], "source": source_id,
                       "url": request.meta["real_url"], "status": failure.value.response.status}
        elif not failure.check(HttpError):
            self.logger.warning("%s: %s (%s)", source_id, request.url, failure.getErrorMessage())

    def text_of(self, response: Response, source: Source) -> str:
        """The page as text, decoded from its bytes and every charset it declares (never by the
        header alone: a UTF-8 Liferay page served as ISO-8859-1 stays UTF-8)."""
        declared = response.headers.get("Content-Type", b"").decode("latin-1")
        charset = declared.partition("charset=")[2].split(";")[0].strip() or None
        if charset and not source.encoding and charset_lies(response.body, charset):
            self.count(source, "charset_mismatch")
        if has_control_bytes(response.body):
            self.count(source, "unsafe_text")   # dropped while decoding: no parser can hold them
        return decode_html(response.body, charset, source.encoding)

    def damaged(self, response: Response, source: Source) -> bool:
        """Whether a page must not be read: cut off, or a known article redirected elsewhere.

        Counted as ``errors_truncated`` or ``errors_soft_404``; the stored item stays as it was.
        """
        problem = page_problem(response.body, response.headers.get("Content-Type", b"").decode("latin-1"),
                               "partial" in response.flags or b"Content-Length" not in response.headers,
                               response.meta.get("real_url", ""), self.real_url(response),
                               response.meta.get("real_url", "") in self.known, source.start_urls)
        if problem:
            self.count(source, f"errors_{problem}")
        return problem is not None

    def follow_all(self, links: Iterable[str], source: Source, **kwargs: Any) -> Iterator[Request]:
        """:meth:`follow` for each link of a page; a link that is no http(s) URL, or that fails,
        is skipped and counted (``skipped_links``, ``errors_bad_link``), never the rest of the page."""
        for link in links:
            yield from self.follow_safely(link, source, **kwargs)

    def follow_safely(self, link: str, source: Source, **kwargs: Any) -> list[Request]:
        """:meth:`follow` for one link, or nothing (counted) when the link is bad."""
        if not isinstance(link, str) or not is_web_url(link):
            self.count(source, "skipped_links")
            return []
        try:
            return list(self.follow(link, source, **kwargs))
        except Exception:  # one bad link must not lose the page
            self.logger.debug("bad link %r on a %s page", link, source.id, exc_info=True)
            self.count(source, "errors_bad_link")
            return []

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
        if len(title) > MAX_TITLE_CHARS:
            self.count(source, "long_titles")
            title = title[:MAX_TITLE_CHARS].rsplit(" ", 1)[0] + "…"
        lead = strip_volatile(fields.get("lead") or "", source.ignore)
        body = strip_volatile(fields.get("body") or "", source.ignore)
        if any(public_text(t) != t for t in (title, lead, body)):
            self.count(source, "unsafe_text")   # stored as read; every output cleans it (sotevahti.xmlsafe)
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
