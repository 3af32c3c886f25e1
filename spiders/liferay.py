"""The Liferay spider: every government site on the shared Liferay install.

Discovers articles from asset-publisher RSS feeds and paginated listing pages, then reads each
article page in full (feeds carry only a title and a twice-wrapped description). One article
reachable under several hosts or language paths is fetched once and stored once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Request, Response

from sotevahti import liferay
from sotevahti.sources import Source
from sotevahti.urls import host_of

from .base import SourceSpider


class LiferaySpider(SourceSpider):
    """valtioneuvosto.fi, stm.fi, vm.fi, intermin.fi and soteuudistus.fi (``platform = "liferay"``)."""

    name = "liferay"
    platform = "liferay"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # identity+language -> every real URL it was linked under in this crawl
        self.aliases: dict[tuple[str, str], set[str]] = {}
        # identity+language -> id of its item, once known (stored before, or read in this crawl)
        self.item_ids: dict[tuple[str, str], str] = {}

    def parse_feed(self, response: Response) -> Iterator[Request]:
        source = self.source_of(response)
        self.count(source, "feeds")
        yield from self.follow_all(liferay.feed_links(self.text_of(response, source), self.urls), source)

    def parse_listing(self, response: Response) -> Iterator[Request]:
        source = self.source_of(response)
        self.count(source, "listing_pages")
        links, next_page = liferay.listing_links(self.text_of(response, source), self.real_url(response), self.urls)
        yield from self.follow_all(links, source)
        page = response.meta["page"]
        if next_page and self.next_listing_page(source, page, links):
            yield self.request(next_page, self.parse_listing, source, page=page + 1)

    def follow(self, url: str, source: Source, discovered: bool = True) -> Iterator[Request | dict[str, Any]]:
        ref = liferay.article_ref(url)
        if ref is None:
            return
        self.count(source, "links" if discovered else "rechecked")
        key = (ref.identity, ref.lang)
        if key in self.aliases:
            if url not in self.aliases[key] and key in self.item_ids:
                # linked after its article was read (or without a fetch): the item still gets the URL
                yield {"_late_url": True, "id": self.item_ids[key], "url": url, "source": source.id}
            self.aliases[key].add(url)
            return
        self.aliases[key] = {url}
        fetch = url
        if url in self.known:
            item_id = self.known[url]["id"]
            self.item_ids[key] = item_id
            # A known article is asked for where its stored page came from, whichever of its
            # addresses (another host, /-// or /-/) this crawl met first: the validators are for
            # that page, so an unchanged article is a 304 however the responses were ordered.
            stored_from = self.fetched_from.get(item_id, url)
            if host_of(stored_from) in self.configured_hosts:   # not a host this crawl may not visit
                fetch = stored_from
                self.aliases[key].add(fetch)
        if self.should_fetch(fetch, source):
            yield self.page_request(fetch, self.parse_article, source, item_page=True, key=key)

    def owner_of(self, canonical_url: str, discovered_by: Source) -> Source:
        """The source whose own site the article lives on, else the one that found it.

        valtioneuvosto.fi's feed links stm.fi releases too; filing them under STM keeps the
        organisation right and makes the choice independent of crawl order.
        """
        host = host_of(canonical_url)
        for source in self.sources:
            if any(host_of(u) == host for u in source.start_urls + source.feed_urls):
                return source
        return discovered_by

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        source = self.source_of(response)
        self.count(source, "articles")
        if self.damaged(response, source):
            return
        real = self.real_url(response)
        article = liferay.parse_article(self.text_of(response, source), real, self.urls)
        if article is None:
            # a known article that now answers with some other page is a soft 404, not news
            self.count(source, "errors_not_article" if response.meta["real_url"] in self.known else "not_articles")
            return
        self.item_ids[response.meta["key"]] = article.ref.item_id()
        owner = self.owner_of(article.url, source)
        if owner is not source:
            self.count(source, "filed_elsewhere")  # found here, filed under the family member it belongs to
        yield self.make_item(
            owner, item_id=article.ref.item_id(), url=article.url, title=article.title,
            published=article.published,
            text_fields={"type": article.type, "language": article.lang, "lead": article.lead,
                         "body": article.body, "tags": article.tags, "attachments": article.attachments,
                         "related": list(article.related), "translations": liferay.translation_urls(article)},
            urls=[article.url, real, *self.aliases.get(response.meta["key"], ())],
        )
