"""The base every Sotevahti spider builds on: sources from config, the mirror mapping, items.

A platform spider fills in ``start`` and its callbacks and calls the domain package to parse;
this class turns what it parsed into a stored item filed under its source.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar

import scrapy
from scrapy.http import Request, Response

from sotevahti.sources import Source, load_config
from sotevahti.urls import UrlMap

# Item fields a platform may add when it knows them (see sotevahti.schema.ITEM_SCHEMA).
_OPTIONAL = ("kind", "external_id", "register_number", "related", "api_deadlines")


class SourceSpider(scrapy.Spider):
    """A spider that reads every configured source of its ``platform``.

    Spider argument ``sources``: comma-separated source ids (default: all enabled ones of the
    platform), e.g. ``scrapy crawl liferay -a sources=stm,vm``.
    """

    platform: ClassVar[str]
    sources: list[Source]
    urls: UrlMap

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
        return spider

    def request(self, real_url: str, callback: Callable[..., Any], source: Source, **meta: Any) -> Request:
        """A request for a real URL (fetched through the mirror when one is set)."""
        return Request(self.urls.to_fetch(real_url), callback=callback,
                       meta={"source": source.id, "real_url": real_url, **meta})

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
        """File parsed fields under a source and apply its topic filter.

        The decision and the matched stems are stored with the item, so a researcher can see
        why something was (or was not) counted as reform news.
        """
        fields = dict(text_fields)
        decision = source.topic.decide(title, fields.get("lead"), fields.get("body"))
        return {
            "id": item_id, "url": url, "source": source.id, "organisation": source.organisation,
            "region": source.region, "title": title, "published": published,
            "type": fields.get("type") or None, "language": fields.get("language") or None,
            "lead": fields.get("lead") or "", "body": fields.get("body") or "",
            "tags": list(fields.get("tags") or []), "attachments": list(fields.get("attachments") or []),
            "urls": sorted(set(urls)), "relevant": decision.relevant, "topic_terms": list(decision.terms),
            **{k: fields[k] for k in _OPTIONAL if fields.get(k)},
        }
