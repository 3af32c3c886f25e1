"""Reading sites that have no spider of their own: county news pages, sttinfo.fi, Dynasty minutes.

Plain functions over bytes and strings, so they are tested without Scrapy. A source may name CSS
selectors (``item``, ``next``, ``title``, ``date``, ``body``); wherever one is missing or matches
nothing the generic extraction takes over, and the result says which configured selectors
missed (``misses``: the caller raises a layout alarm) and which fields came from the fallbacks.

Fallback order for the publication time: the ``date`` selector, ``<time datetime>``, the
``article:published_time``/``date``/``DC.date`` meta tags, JSON-LD ``datePublished``, a stamp in
the text (``Julkaistu 3.11.2025``, the sttinfo header, Dynasty's ``Pöytäkirja 04.12.2023/Pykälä
198``), then htmldate. Bodies come from trafilatura, else from the largest text block.

Charset repair, feeds, sitemaps and the sttinfo header live in :mod:`sotevahti.generic_feeds`; they are
re-exported here, so callers import everything from this module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import lxml.html
from parsel import Selector

from .generic_feeds import (
    FeedEntry,
    charset_lies,
    decode_html,
    dynasty_title,
    feed_entries,
    sitemap_children,
    sitemap_links,
    sttinfo_header,
)
from .htmltext import block_text, clean_text, first_text, split_lead
from .liferay import article_ref, language_links, next_page_url
from .page_dates import generic_date as _generic_date
from .page_dates import selected_date as _selected_date
from .page_dates import text_stamp
from .urls import UrlMap, canonical_item_url, host_of

ATTACHMENT = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|odt|ods|odp)(?:$|[?#])", re.I)
_NOT_PAGES = re.compile(r"\.(?:jpe?g|png|gif|svg|webp|zip|mp3|mp4|ics|xml|rss|css|js)(?:$|[?#])", re.I)
_DATE_PATH = re.compile(r"/(?:19|20)\d\d/(?:0?[1-9]|1[0-2])(?:/(?:0?[1-9]|[12]\d|3[01]))?/")
_NEXT_TEXT = re.compile(r"^(?:seuraava|nästa|next)(?:\s+(?:sivu|sida|page))?\s*[›»>→]*$|^[›»→]$", re.I)
_BOILER_TOKEN = re.compile(
    r"(?:^|[-_])(?:cookies?|consent|gdpr|cn-notice|share|sharing|social|breadcrumbs?|skip-link|sidebar|pager"
    r"|pagination|menu|navbar|navigation|banner|widget-area|post-navigation)(?:$|[-_])", re.I)
_LEAD_TOKEN = re.compile(r"(?:^|[-_])(?:lead|ingressi?|intro|article-summary)$", re.I)
_BOILER_TAGS = "script style noscript template nav aside form button iframe svg select".split()
_ROLES = ("navigation", "banner", "contentinfo", "search", "complementary", "dialog")
_STAMP_LINE = re.compile(
    r"^(?:(?:Julkaistu|Julkaisuajankohta|Päivitetty|Muokattu|Publicerad|Artikel publicerad|Uppdaterad"
    r"|Published|Updated|Pöytäkirja)\b[^\n]{0,40}\d{4}[^\n]{0,30}|\d{1,2}\.\d{1,2}\.\d{4}(?:\s+(?:klo\s+)?\d{1,2}[.:]\d\d"
    r"(?::\d\d)?(?:\s*(?:EEST|EET|UTC|GMT))?)?(?:\s*\|[^\n]*)?)$", re.I)
_PARAGRAPH_LINE = re.compile(r"^§\s*\d+$")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
__all__ = ["ATTACHMENT", "FeedEntry", "GenericPage", "Listing", "charset_lies", "decode_html", "dynasty_title",
           "extract_page", "feed_entries", "listing_links", "listing_page", "sitemap_children", "sitemap_links",
           "sttinfo_header", "text_stamp"]


# -- article pages ------------------------------------------------------------------------------

@dataclass(frozen=True)
class GenericPage:
    """What an article page says.

    ``published`` is aware (Europe/Helsinki) or None; ``lead`` is the lead element's text or else the
    first block of the body (then removed from ``body``); ``body`` is plain text, blocks separated by
    a blank line; ``lang`` comes from ``<html lang>``; ``attachments`` are ``{"title", "url"}`` with real
    URLs. ``misses``: configured selectors (``title``, ``date``, ``body``) that matched nothing usable,
    for a layout alarm; ``fallbacks``: fields (``title``, ``published``, ``body``) that generic
    extraction supplied.
    """

    title: str
    published: datetime | None
    lead: str
    body: str
    lang: str | None
    attachments: tuple[dict[str, str], ...]
    misses: tuple[str, ...]
    fallbacks: tuple[str, ...]
    #: ``{lang: URL}`` of the page in the other languages, from its hreflang alternates (county sites
    #: name their Swedish page so); the store links the versions (sotevahti.translations)
    translations: dict[str, str] = field(default_factory=dict)


def extract_page(html: str, url: str, selectors: Mapping[str, str] | None = None,
                 urls: UrlMap | None = None, now: datetime | None = None) -> GenericPage:
    """Read an article page fetched as real URL ``url``, with optional CSS ``selectors``.

    ``now`` is the crawl's time: htmldate takes no date after it (without it, htmldate would read
    the clock, and the same page could get another date on another day).
    """
    urls = urls or UrlMap()
    selectors = selectors or {}
    html = _dynasty_data(_XML_DECL.sub("", html))  # else parsel reads an XHTML page as namespaced XML
    sel = Selector(text=html)
    tree = _clean_tree(html)
    clean = Selector(root=tree)
    root = _content_root(clean)
    misses: list[str] = []
    fallbacks: list[str] = []

    title = first_text(sel, selectors["title"]) if selectors.get("title") else ""
    if not title:
        _note(selectors, "title", misses, fallbacks)
        title = _generic_title(sel, root)

    published = _selected_date(sel, selectors["date"]) if selectors.get("date") else None
    if published is None:
        _note(selectors, "date", misses, fallbacks, field="published")
        published = _generic_date(html, url, sel, root, now)

    body_node = sel.css(selectors["body"]) if selectors.get("body") else []
    body = block_text(body_node[0]) if body_node else ""
    if not body:
        _note(selectors, "body", misses, fallbacks)
        # Dynasty's content block (a fact recorded with the real samples), else generic extraction
        dynasty = clean.css(".data-part-block-htm")
        body = block_text(dynasty[0]) if dynasty else _generic_body(tree, root)
    body = _strip_head(body, title)
    found = {"title": bool(title), "published": published is not None, "body": bool(body)}

    lead_node = next((n for n in root.xpath(".//*[@class]") if any(
        _LEAD_TOKEN.search(c) for c in n.attrib["class"].split())), None)
    lead = ""
    if lead_node is not None:  # block_text reads blocks *inside* a node; the lead may be a <p> itself
        lead = block_text(lead_node) or clean_text(lead_node.xpath("string(.)").get())
        lead = " ".join(lead.split())
    if lead and body.startswith(lead):
        body = body[len(lead):].lstrip()
    elif not lead and body:
        lead, body = split_lead(body)

    scope = (body_node[0] if body_node else root)
    scopes = [scope, root] if scope is not root else [root]
    seen: dict[str, dict[str, str]] = {}
    for node in scopes:
        for a in node.css("a[href]"):
            href = a.attrib["href"].strip()
            if ATTACHMENT.search(href):
                real = urls.join(url, href)
                seen.setdefault(real, {"title": clean_text(a.xpath("string(.)").get()) or real, "url": real})
    lang = (sel.xpath("/html/@lang | /html/@*[name()='xml:lang']").get() or "")[:2].lower()
    own = canonical_item_url(url)
    translations = {k: canonical_item_url(v) for k, v in language_links(sel, url, urls).items()
                    if k in ("fi", "sv", "en") and k != lang and canonical_item_url(v) != own}
    return GenericPage(title=title, published=published, lead=lead, body=body,
                       lang=lang if lang in ("fi", "sv", "en") else None, attachments=tuple(seen.values()),
                       misses=tuple(misses), fallbacks=tuple(f for f in fallbacks if found[f]),
                       translations=translations)


def _note(selectors: Mapping[str, str], key: str, misses: list[str], fallbacks: list[str],
          field: str | None = None) -> None:
    if selectors.get(key):
        misses.append(key)
    fallbacks.append(field or key)


def _clean_tree(html: str) -> lxml.html.HtmlElement:
    """The page without scripts, navigation, site header and footer, asides, cookie banners and share bars."""
    html = _XML_DECL.sub("", html)
    try:
        tree = lxml.html.document_fromstring(html or "<html></html>")
    except (ValueError, lxml.etree.ParserError):
        tree = lxml.html.document_fromstring("<html></html>")
    doomed = tree.xpath(" | ".join(f"//{t}" for t in _BOILER_TAGS))
    doomed += tree.xpath("//header[not(ancestor::article or ancestor::main)]"
                         " | //footer[not(ancestor::article)]")
    doomed += tree.xpath("//*[@role and (" + " or ".join(f"@role='{r}'" for r in _ROLES) + ")]")
    doomed += [el for el in tree.xpath("//*[@class or @id]")
               if any(_BOILER_TOKEN.search(tok) for tok in [*(el.get("class") or "").split(), el.get("id") or ""])]
    for el in doomed:
        if el.getparent() is not None and el.tag not in ("html", "body"):
            el.drop_tree()
    return tree


def _content_root(clean: Selector) -> Selector:
    for query in ("article", "main", "[role=main]", "#content", ".content", "body"):
        found = [n for n in clean.css(query) if clean_text(n.xpath("string(.)").get())]
        if found:
            return max(found, key=lambda n: len(n.xpath("string(.)").get() or "")) if query == "article" else found[0]
    return clean


def _dynasty_data(html: str) -> str:
    """Dynasty's item pages mark their content ``<!--DATABEGIN-->``…``<!--DATAEND-->``: make it the ``<main>``."""
    if "<!--DATABEGIN-->" in html and "<!--DATAEND-->" in html:
        return html.replace("<!--DATABEGIN-->", "<main>", 1).replace("<!--DATAEND-->", "</main>", 1)
    return html


def _generic_title(sel: Selector, root: Selector) -> str:
    # Dynasty pages without an <h1> carry the title as a bold span in div.data-part-block-htm
    # (recorded with the real samples), and in the text as the block after "§ 198".
    title = first_text(root, "h1") or first_text(sel, "h1") or first_text(sel, ".data-part-block-htm span")
    title = title or _minutes_title(block_text(root))
    title = title or clean_text(sel.css("meta[property='og:title']::attr(content)").get())
    if title:
        return title
    page_title = clean_text(sel.css("title::text").get())
    site = clean_text(sel.css("meta[property='og:site_name']::attr(content)").get())
    for sep in (" | ", " - ", " – "):
        head, _, tail = page_title.rpartition(sep)
        if head and (tail == site or len(tail) < 40):
            return head
    return page_title


def _minutes_title(text: str) -> str:
    """The item title of a minutes page: the block after the ``§ 198`` line."""
    blocks = text.split("\n\n")
    at = next((i for i, b in enumerate(blocks[:-1]) if _PARAGRAPH_LINE.match(b)), None)
    return blocks[at + 1] if at is not None else ""


#: trafilatura's date options, given so it does not build its default from the clock: it reads no
#: date here (no metadata is asked for; dates come from page_dates.py, against the crawl's "now").
_NO_TRAFILATURA_DATES = {"original_date": True, "extensive_search": False, "max_date": "2200-01-01"}


def _generic_body(tree: lxml.html.HtmlElement, root: Selector) -> str:
    # Imported here: trafilatura (with courlan and justext) is 0.1 s of start-up, and a crawl of
    # sources with their own parsers never reads a page this way.
    import trafilatura

    text = ""
    try:
        text = trafilatura.extract(lxml.html.tostring(tree, encoding="unicode"), favor_precision=True,
                                   include_comments=False, include_tables=True, deduplicate=False,
                                   date_extraction_params=_NO_TRAFILATURA_DATES) or ""
    except Exception:  # a failing extractor is not fatal: the largest text block follows
        text = ""
    blocks = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    if sum(len(b) for b in blocks) >= 80:
        return "\n\n".join(blocks)
    return _largest_block(root)


def _largest_block(root: Selector) -> str:
    best, best_len = root, 0
    for node in root.xpath(".//*[p or li]"):
        size = sum(len(clean_text(x)) for x in node.xpath("./p//text() | ./ul/li//text() | ./ol/li//text()").getall())
        if size > best_len:
            best, best_len = node, size
    return block_text(best)


def _strip_head(body: str, title: str) -> str:
    """Drop the title and publication stamp lines that generic extraction keeps at the top."""
    blocks = body.split("\n\n")
    # What comes before the title and the stamp line is chrome ("Dynasty tietopalvelu Haku RSS …",
    # the publisher's name above an sttinfo.fi release).
    head = [i for i, b in enumerate(blocks[:15]) if b == title or _STAMP_LINE.match(b)]
    if head:
        blocks = blocks[head[-1] + 1:]
    while blocks and (blocks[0] == title or _STAMP_LINE.match(blocks[0]) or not blocks[0].strip()):
        blocks.pop(0)
    return "\n\n".join(blocks)


# -- listings -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Listing:
    """Item links (real URLs, in page order), the next page, and which selectors missed or fell back."""

    links: tuple[str, ...]
    next_url: str | None
    misses: tuple[str, ...]
    fallbacks: tuple[str, ...]


def listing_links(html: str, page_url: str, selectors: Mapping[str, str] | None,
                  urls: UrlMap | None = None) -> tuple[list[str], str | None]:
    """Item links and the next page's real URL; see :func:`listing_page` for the misses."""
    found = listing_page(html, page_url, selectors, urls)
    return list(found.links), found.next_url


def listing_page(html: str, page_url: str, selectors: Mapping[str, str] | None,
                 urls: UrlMap | None = None) -> Listing:
    """Read a listing page: selector ``item`` (links or their containers) and ``next``, else heuristics.

    The heuristic keeps links on the listing's host, inside ``<main>``/``<article>``/lists and
    outside navigation, whose path lies below the listing's path or carries a date
    (``/2025/10/20/slug/``); files, anchors, mail links and the listing itself are skipped.
    """
    urls = urls or UrlMap()
    selectors = selectors or {}
    html = _XML_DECL.sub("", html)
    sel = Selector(text=html)
    misses: list[str] = []
    fallbacks: list[str] = []
    links: list[str] = []
    if selectors.get("item"):
        for node in sel.css(selectors["item"]):
            href = node.attrib.get("href") if node.root.tag == "a" else node.css("a[href]::attr(href)").get()
            real = urls.join(page_url, href.strip()) if href and not href.startswith(("#", "mailto:", "tel:")) else ""
            if real and urlsplit(real).scheme not in ("http", "https"):
                real = ""   # javascript:, ftp:, data: …
            if real and real not in links:
                links.append(real)
    if not links:
        _note(selectors, "item", misses, fallbacks)
        links = _heuristic_links(html, page_url, urls)
    nxt = None
    if selectors.get("next"):
        node = sel.css(selectors["next"])
        nxt = (node.attrib.get("href") or node.css("a[href]::attr(href)").get()) if node else None
    if not nxt:
        nxt = sel.css("a[rel~=next]::attr(href), link[rel~=next]::attr(href)").get() or next(
            (a.attrib["href"] for a in sel.css("a[href]") if _NEXT_TEXT.match(
                clean_text(a.xpath("string(.)").get()) or a.attrib.get("aria-label", "").strip())), None)
        if nxt:
            fallbacks.append("next")
    next_url = urls.join(page_url, nxt.strip()) if nxt else next_page_url(sel, page_url, urls)
    if not links and "item" in fallbacks:
        fallbacks.remove("item")
    return Listing(tuple(links), next_url if next_url != page_url else None, tuple(misses), tuple(fallbacks))


def _heuristic_links(html: str, page_url: str, urls: UrlMap) -> list[str]:
    clean = Selector(root=_clean_tree(html))
    roots = clean.css("main, [role=main]") or clean.css("article, ul, ol") or clean.css("body")
    base = urlsplit(page_url)
    base_parts = [p for p in base.path.split("/") if p]
    links: list[str] = []
    for root in roots:
        for href in root.css("a[href]::attr(href)").getall():
            href = href.strip()
            if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
                continue
            real = urls.join(page_url, href).split("#")[0]
            parts = urlsplit(real)
            if parts.scheme not in ("http", "https") or host_of(real) != host_of(page_url):
                continue
            if ATTACHMENT.search(parts.path) or _NOT_PAGES.search(parts.path):
                continue
            path = [p for p in parts.path.split("/") if p]
            deeper = len(path) > len(base_parts) and path[:len(base_parts)] == base_parts
            article = deeper or _DATE_PATH.search(parts.path + "/") or article_ref(real) is not None
            if article and path != base_parts and real not in links:
                links.append(real)
    return links
