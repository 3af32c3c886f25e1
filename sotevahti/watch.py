"""Reading a watched page: the page itself is the item, and what matters is what changes.

A watched page (a regional council's reform page, a project page) has no list of articles; its
text and its document links grow over time. :func:`read_watched_page` returns the main text and
every link in the main content, without navigation, footer or cookie banners, so that the
store's diff shows only real additions such as a new meeting's minutes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from parsel import Selector

from .dates import parse_publication_stamp
from .htmltext import block_text, clean_text, first_text
from .urls import UrlMap

_CHROME = "nav, header, footer, script, style, noscript, .cookies, .cookie-banner, .skip, .skip-to-content"


@dataclass(frozen=True)
class WatchedPage:
    """What a watched page shows now."""

    title: str
    text: str
    links: tuple[dict[str, str], ...]
    published: datetime | None
    lang: str | None


def page_item_id(url: str) -> str:
    """The stable id of a watched page: from its configured URL, never from its content."""
    return "pg-" + hashlib.sha1(url.encode()).hexdigest()[:16]


def read_watched_page(html: str, url: str, urls: UrlMap | None = None) -> WatchedPage:
    """Main text and links of a watched page.

    The main content is ``<main>``, else ``<article>``, else ``#content``, else ``<body>``;
    navigation, header, footer and cookie banners are dropped before reading it.
    """
    urls = urls or UrlMap()
    sel = Selector(text=html)
    for node in sel.css(_CHROME):
        node.drop()
    main = (sel.css("main") or sel.css("article") or sel.css("#content") or sel.css("body") or [sel])[0]
    title = first_text(main, "h1") or clean_text(sel.css("title::text").get()).split(" – ")[0]
    links = {}
    for a in main.css("a[href]"):
        href = a.attrib["href"]
        if href.startswith(("#", "mailto:", "javascript:")):
            continue
        real = urls.join(url, href)
        links.setdefault(real, {"title": clean_text(a.xpath("string(.)").get()) or real, "url": real})
    text = block_text(main)
    lang = (sel.xpath("/html/@lang").get() or "")[:2].lower() or None
    return WatchedPage(title=title, text=text, links=tuple(links.values()),
                       published=parse_publication_stamp(text), lang=lang if lang in ("fi", "sv", "en") else None)
