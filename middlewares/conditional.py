"""Conditional GETs without a body cache: validators from the database, 304s that cost nothing.

Replaces Scrapy's filesystem HTTP cache, which wrote about 92 KB and 7 files per page and turned
every 304 back into the cached 200 to be parsed again. For a request the spider marks
``conditional`` (an item page), this middleware sends the ``If-None-Match`` /
``If-Modified-Since`` of the response the stored item came from; the validators live in the
``http_validators`` table and are written with the item, in the same transaction.

A 304, or a 200 whose body is byte for byte the one stored (same hash), is flagged
``unchanged`` and the spider hands on only "seen again". Any other answer, errors included,
goes on as it came: a fault on a re-checked page is a fault, never hidden behind a copy.
Placed before ``DownloaderStats`` (850), so Scrapy's byte and status counts stay those of the wire.

Settings: ``SOTEVAHTI_CONDITIONAL_ENABLED`` (default true).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

from sotevahti.store import Store
from sotevahti.store_http import Validator

UNCHANGED = "unchanged"


def body_hash(body: bytes) -> str:
    """The hash stored for a response body (SHA-1, hex)."""
    return hashlib.sha1(body).hexdigest()


class ConditionalGetMiddleware:
    """Adds stored validators to item-page requests and flags unchanged answers."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.db_path = crawler.settings.get("SOTEVAHTI_DB")
        self.validators: dict[str, Validator] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> ConditionalGetMiddleware:
        if not crawler.settings.getbool("SOTEVAHTI_CONDITIONAL_ENABLED", True):
            raise NotConfigured
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        return mw

    def spider_opened(self, spider: Any) -> None:
        sources = [s.id for s in getattr(spider, "sources", ())]
        # No database yet: nothing to revalidate, and this must not create one (a crawl refused by
        # the crawl lock writes nothing).
        if not sources or not self.db_path or not Path(self.db_path).exists():
            return
        store = Store(self.db_path)
        self.validators = store.validators(sources)
        store.close()

    def process_request(self, request: Request) -> None:
        if not request.meta.get("conditional"):
            return
        known = self.validators.get(request.meta.get("real_url", request.url))
        if known is None:
            return
        if known.etag:
            request.headers["If-None-Match"] = known.etag
        if known.last_modified:
            request.headers["If-Modified-Since"] = known.last_modified
        request.meta["handle_httpstatus_list"] = [*request.meta.get("handle_httpstatus_list", ()), 304]

    def process_response(self, request: Request, response: Response) -> Response:
        if not request.meta.get("conditional"):
            return response
        url = request.meta.get("real_url", request.url)
        known = self.validators.get(url)
        if response.status == 304 and known is not None:
            response.flags.append(UNCHANGED)
            self.crawler.stats.inc_value("sotevahti/conditional/not_modified")
            return response
        if response.status != 200:
            return response
        digest = body_hash(response.body)
        if known is not None and known.body_hash == digest:
            response.flags.append(UNCHANGED)
            self.crawler.stats.inc_value("sotevahti/conditional/same_body")
            return response
        header = response.headers.get
        request.meta["validator"] = Validator(
            url=url, item_id="", etag=_text(header("ETag")), last_modified=_text(header("Last-Modified")),
            body_hash=digest)
        return response


def _text(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value else None
