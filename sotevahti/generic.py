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

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from urllib.parse import urlsplit

import lxml.html
import trafilatura
from htmldate import find_date
from parsel import Selector

from .dates import HELSINKI, parse_iso_datetime, parse_publication_stamp
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
from .htmltext import block_text, clean_text, first_text
from .urls import UrlMap, host_of

ATTACHMENT = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|odt|ods|odp)(?:$|[?#])", re.I)
_NOT_PAGES = re.compile(r"\.(?:jpe?g|png|gif|svg|webp|zip|mp3|mp4|ics|xml|rss|css|js)(?:$|[?#])", re.I)
_DATE_PATH = re.compile(r"/(?:19|20)\d\d/(?:0?[1-9]|1[0-2])(?:/(?:0?[1-9]|[12]\d|3[01]))?/")
_NEXT_TEXT = re.compile(r"^(?:seuraava|nästa|next)(?:\s+(?:sivu|sida|page))?\s*[›»>→]*$|^[›»→]$", re.I)
_BOILER_TOKEN = re.compile(
    r"(?:^|[-_])(?:cookies?|consent|gdpr|cn-notice|share|sharing|social|breadcrumbs?|skip-link|sidebar|pager"
    r"|pagination|menu|navbar|banner|widget-area|post-navigation)(?:$|[-_])", re.I)
_LEAD_TOKEN = re.compile(r"(?:^|[-_])(?:lead|ingressi?|intro|article-summary)$", re.I)
_BOILER_TAGS = "script style noscript template nav aside form button iframe svg select".split()
_ROLES = ("navigation", "banner", "contentinfo", "search", "complementary", "dialog")
_STAMP_LINE = re.compile(
    r"^(?:(?:Julkaistu|Julkaisuajankohta|Päivitetty|Muokattu|Publicerad|Artikel publicerad|Uppdaterad"
    r"|Published|Updated|Pöytäkirja)\b[^\n]{0,40}\d{4}[^\n]{0,30}|\d{1,2}\.\d{1,2}\.\d{4}(?:\s+(?:klo\s+)?\d{1,2}[.:]\d\d"
    r"(?::\d\d)?)?(?:\s*\|[^\n]*)?)$", re.I)
_MINUTES_STAMP = re.compile(
    r"(?:Pöytäkirja|Protokoll)\s+(\d{1,2})\.(\d{1,2})\.(\d{4})\s*/\s*(?:Pykälä|Paragraf|§)"
    r"|(\d{1,2})\.(\d{1,2})\.(\d{4})\s*§\s*\d+", re.I)
_PUBLISHED_LABEL = re.compile(
    r"\b(?:Julkaistu|Julkaisuajankohta|Julkaisupäivä|Julkaisupäivämäärä|Utgivningsdatum|Publicerad|Publicerat"
    r"|Artikel publicerad|Published|Publication date)\b", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_META_DATES = ("article:published_time", "og:article:published_time", "date", "dc.date", "dc.date.issued",
               "dcterms.created", "datepublished")

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


def extract_page(html: str, url: str, selectors: Mapping[str, str] | None = None,
                 urls: UrlMap | None = None) -> GenericPage:
    """Read an article page fetched as real URL ``url``, with optional CSS ``selectors``."""
    urls = urls or UrlMap()
    selectors = selectors or {}
    html = _XML_DECL.sub("", html)  # else parsel reads an XHTML page as namespaced XML
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
        published = _generic_date(html, url, sel, root)

    body_node = sel.css(selectors["body"]) if selectors.get("body") else []
    body = block_text(body_node[0]) if body_node else ""
    if not body:
        _note(selectors, "body", misses, fallbacks)
        body = _generic_body(tree, root)
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
        lead, _, body = body.partition("\n\n")

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
    return GenericPage(title=title, published=published, lead=lead, body=body,
                       lang=lang if lang in ("fi", "sv", "en") else None, attachments=tuple(seen.values()),
                       misses=tuple(misses), fallbacks=tuple(f for f in fallbacks if found[f]))


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


def _generic_title(sel: Selector, root: Selector) -> str:
    title = first_text(root, "h1") or first_text(sel, "h1")
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


def _selected_date(sel: Selector, query: str) -> datetime | None:
    for node in sel.css(query):
        for attr in ("datetime", "content"):
            value = node.attrib.get(attr)
            if value and (found := parse_iso_datetime(value) or text_stamp(value)):
                return found
        if found := text_stamp(clean_text(node.xpath("string(.)").get())):
            return found
    return None


def text_stamp(text: str, strict: bool = False) -> datetime | None:
    """A publication time in free text: the sttinfo header (with seconds), Dynasty's ``Pöytäkirja
    04.12.2023/Pykälä 198``, a labelled stamp (``Julkaistu 3.11.2025``); unless ``strict``, also any
    stamp :func:`sotevahti.dates.parse_publication_stamp` accepts (a bare date and time, a date alone on a line)."""
    if not text:
        return None
    found = sttinfo_header(text)[0]
    if found:
        return found
    m = _MINUTES_STAMP.search(text)
    if m:
        day, month, year = (int(x) for x in (m.group(1, 2, 3) if m[1] else m.group(4, 5, 6)))
        try:
            return datetime(year, month, day, tzinfo=HELSINKI)
        except ValueError:
            pass
    for label in _PUBLISHED_LABEL.finditer(text):
        if found := parse_publication_stamp(text[label.start():label.end() + 40]):
            return found
    return None if strict else parse_publication_stamp(text)


def _generic_date(html: str, url: str, sel: Selector, root: Selector) -> datetime | None:
    for scope in (root, sel):
        for value in scope.css("time::attr(datetime)").getall():
            if found := parse_iso_datetime(value):
                return found
    for meta in sel.css("meta"):
        key = (meta.attrib.get("property") or meta.attrib.get("name") or meta.attrib.get("itemprop") or "").lower()
        if key in _META_DATES and (found := parse_iso_datetime(meta.attrib.get("content") or "")):
            return found
    for script in sel.css("script[type='application/ld+json']::text").getall():
        try:
            data = json.loads(script, strict=False)
        except ValueError:
            continue
        for value in _json_values(data, "datePublished"):
            if isinstance(value, str) and (found := parse_iso_datetime(value)):
                return found
    text = block_text(root).replace("\n\n", "\n")
    page = block_text(Selector(root=root.root.getroottree().getroot())).replace("\n\n", "\n")
    # Labelled stamps anywhere; unlabelled ones only near the top, where deadlines are rare.
    found = text_stamp(text, strict=True) or text_stamp(page, strict=True) or text_stamp(text[:300])
    return found or _htmldate(html, url)


def _json_values(data: object, key: str) -> Iterator[object]:
    if isinstance(data, dict):
        if key in data:
            yield data[key]
        for value in data.values():
            yield from _json_values(value, key)
    elif isinstance(data, list):
        for value in data:
            yield from _json_values(value, key)


def _htmldate(html: str, url: str) -> datetime | None:
    try:
        found = find_date(html, url=url, original_date=True, outputformat="%Y-%m-%d")
    except Exception:  # htmldate raises on odd input; the date is then unknown, not fatal
        return None
    if not found:
        return None
    try:
        return datetime.combine(datetime.strptime(found, "%Y-%m-%d").date(), time(0), HELSINKI)
    except ValueError:
        return None


def _generic_body(tree: lxml.html.HtmlElement, root: Selector) -> str:
    text = ""
    try:
        text = trafilatura.extract(lxml.html.tostring(tree, encoding="unicode"), favor_precision=True,
                                   include_comments=False, include_tables=True, deduplicate=False) or ""
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
    next_url = urls.join(page_url, nxt.strip()) if nxt else None
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
            if (deeper or _DATE_PATH.search(parts.path + "/")) and path != base_parts and real not in links:
                links.append(real)
    return links
