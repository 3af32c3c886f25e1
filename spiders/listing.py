"""The config-driven listing spider: every site that has no spider of its own.

A source gives start (listing) pages, feeds and sitemaps, and optionally CSS selectors for item
links, the next page, and the title, date and body of an item page. Wherever a selector is
missing or matches nothing, generic extraction takes over (trafilatura for the text; htmldate,
``<time datetime>`` and meta tags for the date), so a layout we never configured still yields
items, and a configured selector that stops matching is counted as a layout alarm.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from scrapy.http import Request, Response
from w3lib.url import canonicalize_url

from sotevahti import generic
from sotevahti.pagecheck import is_web_url
from sotevahti.sources import Source
from sotevahti.urls import canonical_item_url

from .base import SourceSpider


def listing_item_id(url: str) -> str:
    """A stable id from the item's canonical URL (query sorted, fragment dropped)."""
    return "ls-" + hashlib.sha1(canonicalize_url(url).encode()).hexdigest()[:16]


class ListingSpider(SourceSpider):
    """``platform = "listing"``: county sites, sttinfo.fi, Dynasty minutes and the like."""

    name = "listing"
    platform = "listing"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.requested: set[str] = set()

    def parse_listing(self, response: Response) -> Iterator[Request]:
        source = self.source_of(response)
        self.count(source, "listing_pages")
        html = self.text_of(response, source)
        links, next_page = generic.listing_links(html, self.real_url(response), source.selectors, self.urls)
        if source.selectors.get("item") and not links:
            self.count(source, "selector_miss_item")
        yield from self.follow_all(links, source)
        page = response.meta["page"]
        if next_page and self.next_listing_page(source, page, links):
            yield self.request(next_page, self.parse_listing, source, page=page + 1)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        source = self.source_of(response)
        self.count(source, "feeds")
        for entry in generic.feed_entries(response.body):
            yield from self.follow_safely(self.urls.to_real(entry.link), source, hint=entry)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        source = self.source_of(response)
        self.count(source, "sitemaps")
        for child in generic.sitemap_children(response.body):
            if is_web_url(child):
                yield self.request(self.urls.to_real(child), self.parse_sitemap, source)
        # Newest first, and only as many as a listing would show: a county sitemap lists every page.
        entries = sorted(generic.sitemap_links(response.body), key=lambda e: e[1].isoformat() if e[1] else "",
                         reverse=True)
        yield from self.follow_all((self.urls.to_real(url) for url, _lastmod in entries[: source.max_pages * 20]),
                                   source)

    def follow(self, url: str, source: Source, hint: Any = None, discovered: bool = True) -> Iterator[Request]:
        url = canonical_item_url(url)
        self.count(source, "links" if discovered else "rechecked")
        if url in self.requested:
            return
        self.requested.add(url)
        if self.should_fetch(url, source):
            yield self.page_request(url, self.parse_item, source, item_page=True, hint=hint)

    def parse_item(self, response: Response) -> Iterator[dict[str, Any]]:
        source = self.source_of(response)
        self.count(source, "articles")
        if self.damaged(response, source):
            return
        real = self.real_url(response)
        page = generic.extract_page(self.text_of(response, source), real, source.selectors, self.urls, self.now)
        for miss in page.misses:
            self.count(source, f"selector_miss_{miss}")
        hint = response.meta.get("hint")
        url = response.meta["real_url"]
        yield self.make_item(
            source, item_id=listing_item_id(url), url=url,
            title=page.title or (hint.title if hint else ""),
            published=page.published or (hint.published if hint else None),
            text_fields={"language": page.lang or source.languages[0], "lead": page.lead, "body": page.body,
                         "attachments": page.attachments, "kind": source.item_kind,
                         "type": "Päätös" if source.item_kind == "decision" else None,
                         "translations": page.translations},
            urls=[url, real],
        )
