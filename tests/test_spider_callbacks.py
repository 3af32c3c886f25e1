"""settings.py turns Scrapy's WARN_ON_GENERATOR_RETURN_VALUE off: Scrapy made that check by reading
and parsing a callback's source for every response. The check is made here instead, once, over
every generator method of every spider."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import scrapy
from scrapy.utils.misc import is_generator_with_return_value

import settings
from spiders import base, lausuntopalvelu, liferay, listing, page


def _generator_methods() -> Iterator[tuple[str, object]]:
    for module in (base, lausuntopalvelu, liferay, listing, page):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, scrapy.Spider) and cls.__module__ == module.__name__:
                for name, func in vars(cls).items():
                    if inspect.isgeneratorfunction(func):
                        yield f"{cls.__name__}.{name}", func


def test_no_spider_callback_is_a_generator_that_returns_a_value() -> None:
    methods = dict(_generator_methods())
    assert {"LiferaySpider.parse_article", "ListingSpider.parse_item", "PageSpider.parse_page",
            "SourceSpider.parse_item_page"} <= methods.keys()
    assert [name for name, func in methods.items() if is_generator_with_return_value(func)] == []


def test_the_check_finds_a_generator_that_returns_a_value() -> None:
    def parse(response: object) -> Iterator[int]:
        yield 1
        return 2  # the very mistake the check is for

    assert is_generator_with_return_value(parse)


def test_scrapys_per_response_check_is_off() -> None:
    assert settings.WARN_ON_GENERATOR_RETURN_VALUE is False
