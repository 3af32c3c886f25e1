"""Reading the government's Liferay sites: valtioneuvosto.fi, stm.fi, vm.fi, intermin.fi, soteuudistus.fi.

Plain functions over HTML/XML strings, so they are tested without Scrapy. The spider in
``spiders/liferay.py`` only fetches and calls these.

URL forms (DOMAIN.md §1.2)::

    https://valtioneuvosto.fi/-/1271139/<slug>            current form, group id 1271139
    https://stm.fi/sv/-/1271139/<slug>?languageId=fi_FI   sv path showing Finnish content
    https://stm.fi/-/<slug>                               older form without a group id

The group id names a *site group*, not an article: valtioneuvosto.fi, vm.fi and
soteuudistus.fi share 1271139, so one article is reachable under several hosts. An article's
identity is therefore group + slug + language (host + slug when there is no group).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from parsel import Selector

from .dates import parse_publication_stamp
from .htmltext import block_text, clean_text, first_text
from .lausuntopalvelu import proposal_ids_in
from .urls import UrlMap, host_of

_ARTICLE_PATH = re.compile(r"^(?:/(?P<lang>fi|sv|en))?/-/(?:(?P<group>\d+)/)?(?P<slug>[\w%-]+)/?$", re.I)
_STAMP_LABELS = r"Julkaisuajankohta|Utgivningsdatum|Publiceringsdatum|Publication date|Julkaistu"
# The type label sits right after the stamp: "Julkaisuajankohta 3.3.2016 12.19 Uutinen".
_TYPE_AFTER_STAMP = re.compile(
    rf"(?:{_STAMP_LABELS})?\s*\d{{1,2}}\.\d{{1,2}}\.\d{{4}}(?:\s+\d{{1,2}}[.:]\d{{2}})?"
    r"(?:\s*\|[^\n]*)?\s*\n\s*(?P<type>[A-ZÅÄÖ][\wåäö ]{2,30})\s*\n"
)
# Older pages open with a language chooser ("This page is in Finnish. Go to the English site »").
_BOILERPLATE = re.compile(
    r"^(?:This page is in \w+\.?.*|Tämä sivu on \w+\.?.*|Den här sidan .*|Denna sida .*|Go to the \w+ site.*|"
    r"Hyppää sisältöön|Hoppa till innehåll|Skip to [Cc]ontent|Sivun alkuun|Till början av sidan|Back to top|"
    r"Lue lisää|Läs mer|Read more)$"
)
_LANG_FROM_ID = {"fi_FI": "fi", "sv_SE": "sv", "sv_FI": "sv", "en_US": "en", "en_GB": "en"}


@dataclass(frozen=True)
class ArticleRef:
    """Where a Liferay article lives, as far as its URL tells."""

    host: str
    lang: str
    group: str
    slug: str

    @property
    def identity(self) -> str:
        """Host-independent identity: ``1271139/slug`` (or ``stm.fi/slug`` for the older form)."""
        return f"{self.group}/{self.slug}" if self.group else f"{self.host}/{self.slug}"

    def canonical_url(self, host: str | None = None) -> str:
        """``https://<host>[/sv|/en]/-/[<group>/]<slug>`` with no query string."""
        prefix = "" if self.lang == "fi" else f"/{self.lang}"
        group = f"{self.group}/" if self.group else ""
        return f"https://{host or self.host}{prefix}/-/{group}{self.slug}"

    def item_id(self) -> str:
        """The stable id of the item, and so its feed GUID: independent of host and crawl order."""
        digest = hashlib.sha1(f"liferay:{self.identity}:{self.lang}".encode()).hexdigest()
        return f"lr-{digest[:16]}"


def article_ref(url: str, content_lang: str | None = None) -> ArticleRef | None:
    """Parse an article URL; ``None`` for hubs, feeds and other pages.

    ``?languageId=fi_FI`` overrides the path prefix, because it means the page shows Finnish
    content on an sv/en path; ``content_lang`` (from the page itself) overrides both.

    >>> article_ref("https://stm.fi/sv/-/1271139/sote?languageId=fi_FI").canonical_url()
    'https://stm.fi/-/1271139/sote'
    """
    parts = urlsplit(url)
    m = _ARTICLE_PATH.match(parts.path)
    if not m or m["slug"].lower() in {"asset_publisher", "rss"}:
        return None
    lang = (m["lang"] or "fi").lower()
    lang_id = parse_qs(parts.query).get("languageId", [""])[0]
    lang = content_lang or _LANG_FROM_ID.get(lang_id, lang)
    return ArticleRef(host=host_of(url), lang=lang, group=m["group"] or "", slug=m["slug"].lower())


@dataclass(frozen=True)
class ParsedArticle:
    """What an article page says, before it is filed under a source."""

    ref: ArticleRef
    url: str
    title: str
    published: datetime | None
    type: str
    tags: tuple[str, ...]
    lang: str
    lead: str
    body: str
    attachments: tuple[dict[str, str], ...]
    related: tuple[str, ...] = ()


def parse_article(html: str, url: str, urls: UrlMap | None = None) -> ParsedArticle | None:
    """Read an article page. ``url`` is the real URL the page was fetched as.

    Returns ``None`` when the URL is not an article URL. Missing fields come back empty (the
    store's schema decides what is fatal), so one bad page never stops a crawl.
    """
    urls = urls or UrlMap()
    sel = Selector(text=html)
    html_lang = (sel.xpath("/html/@lang").get() or "")[:2].lower() or None
    ref = article_ref(url, html_lang if html_lang in {"fi", "sv", "en"} else None)
    if ref is None:
        return None
    canonical = sel.css("link[rel=canonical]::attr(href)").get()
    canonical_ref = article_ref(urls.join(url, canonical), ref.lang) if canonical else None
    host = canonical_ref.host if canonical_ref and canonical_ref.identity == ref.identity else ref.host
    root = (sel.css("article") or sel.css(".journal-content-article") or sel.css("main") or [sel])[0]
    text = page_text(root)
    title = first_text(root, "h1", ".article__title")
    title = title or clean_text(sel.css("meta[property='og:title']::attr(content)").get())
    tags = tuple(t for t in (clean_text(x.xpath("string(.)").get()) for x in root.css(
        ".article__ministries li, .ministry-tag, .tags a, .asset-tag")) if t)
    lead_sel = root.css(".article__lead, .lead, .article-lead")
    lead = block_text(lead_sel[0]) if lead_sel else ""
    body_sel = root.css(".article__body, .article-body, .journal-content-article-body")
    body = block_text(body_sel[0]) if body_sel else _fallback_body(text, title)
    if not lead and body:
        lead, _, body = body.partition("\n\n")
    attachments = tuple(
        {"title": clean_text(a.xpath("string(.)").get()) or href, "url": _on_host(urls.join(url, href), ref.host, host)}
        for a in root.css(".article__attachments a, a[href*='/documents/']")
        for href in [a.attrib.get("href", "")] if href
    )
    return ParsedArticle(
        ref=ref, url=ref.canonical_url(host), title=title, published=parse_publication_stamp(text),
        type=first_text(root, ".article__type", ".article-type") or _type_from_text(text),
        tags=tags, lang=ref.lang, lead=lead, body=body, attachments=_unique(attachments),
        related=tuple(f"lp-{pid}" for pid in proposal_ids_in(html)),
    )


def page_text(sel: Selector) -> str:
    """Visible text of a page region, one line per block, with site chrome removed."""
    raw = "\n".join(sel.xpath(".//text()[not(ancestor::script or ancestor::style or ancestor::nav)]").getall())
    return "\n".join(line for line in clean_text(raw).splitlines() if not _BOILERPLATE.match(line))


def listing_links(html: str, page_url: str, urls: UrlMap | None = None) -> tuple[list[str], str | None]:
    """Article links on a listing (hub) page and the real URL of its next page, if any."""
    urls = urls or UrlMap()
    sel = Selector(text=html)
    content = sel.css(".portlet-content-container") or sel.css("main") or [sel]
    links: list[str] = []
    for node in content:
        for href in node.css("a[href*='/-/']::attr(href)").getall():
            real = urls.join(page_url, href)
            if article_ref(real) and real not in links:
                links.append(real)
    nxt = sel.css("a[rel=next]::attr(href), .pagination .next a::attr(href), a.next::attr(href)").get()
    return links, urls.join(page_url, nxt) if nxt else None


def feed_links(xml: str, urls: UrlMap | None = None) -> list[str]:
    """Article links in an asset-publisher RSS 2.0 or Atom feed (discovery only; pages are read in full)."""
    urls = urls or UrlMap()
    sel = Selector(text=xml, type="xml")
    sel.remove_namespaces()
    found = sel.xpath("//item/link/text() | //entry/link[not(@rel) or @rel='alternate']/@href").getall()
    out: list[str] = []
    for link in (urls.to_real(x.strip()) for x in found):
        if article_ref(link) and link not in out:
            out.append(link)
    return out


def _on_host(url: str, fetched_host: str, canonical_host: str) -> str:
    # A document linked from the same article under another host of the family is the same
    # document; file it under the canonical host so the content hash does not depend on
    # which host happened to be crawled.
    parts = urlsplit(url)
    if host_of(url) != fetched_host or fetched_host == canonical_host:
        return url
    return parts._replace(netloc=canonical_host).geturl()


def _type_from_text(text: str) -> str:
    m = _TYPE_AFTER_STAMP.search(text + "\n")
    return m["type"].strip() if m else ""


def _fallback_body(text: str, title: str) -> str:
    lines = [line for line in text.splitlines() if line != title and not re.match(rf"(?:{_STAMP_LABELS})\b", line)]
    return "\n\n".join(lines)


def _unique(attachments: tuple[dict[str, str], ...]) -> tuple[dict[str, str], ...]:
    seen: dict[str, dict[str, str]] = {}
    for a in attachments:
        seen.setdefault(a["url"], a)
    return tuple(seen.values())
