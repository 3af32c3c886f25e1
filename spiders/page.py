"""The watched-page spider: each configured URL is one item, re-read on every crawl.

The store compares the new text and links with the stored version and keeps a diff; the feed
then says what the page gained ("Uusi linkki: Sote jory 20170524").
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.http import Request, Response

from crawler import crawl_now
from sotevahti.watch import page_item_id, read_watched_page

from .base import SourceSpider


class PageSpider(SourceSpider):
    """Static pages watched for changes (``platform = "page"``)."""

    name = "page"
    platform = "page"

    async def start(self) -> AsyncIterator[Request]:
        for source in self.sources:
            for url in source.start_urls:
                yield self.page_request(url, self.parse_page, source, page_url=url)

    def parse_page(self, response: Response) -> Iterator[dict[str, Any]]:
        source = self.source_of(response)
        self.count(source, "links")
        if self.damaged(response, source):
            return
        page = read_watched_page(self.text_of(response, source), self.real_url(response), self.urls)
        published = page.published or _last_modified(response) or crawl_now(self.crawler.settings)
        configured = response.meta["page_url"]
        yield self.make_item(
            source, item_id=page_item_id(configured), url=configured, title=page.title, published=published,
            text_fields={"type": "Sivu", "language": page.lang or source.languages[0], "lead": "",
                         "body": page.text, "attachments": page.links, "kind": "page"},
            urls=[configured, self.real_url(response)],
        )


def _last_modified(response: Response) -> Any:
    raw = response.headers.get("Last-Modified")
    try:
        return parsedate_to_datetime(raw.decode()) if raw else None
    except (TypeError, ValueError):
        return None
