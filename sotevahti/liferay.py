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
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from lxml import etree
from parsel import Selector

from .dates import parse_publication_stamp
from .htmltext import (
    block_lines_of_parts,
    block_text,
    clean_text,
    css,
    first_of,
    first_text,
    is_prose,
    split_lead,
    string_of,
    tree_of,
)
from .lausuntopalvelu import proposal_ids_in
from .urls import UrlMap, host_of

# ``/-/<slug>``, ``/-/<group>/<slug>``, the real ``/-//<group>/<slug>`` and the ``/w/<slug>`` of newer
# Liferay sites (lapha.fi: ``/fi/w/<slug>``, ``/sme/w/<slug>``), each with an optional language prefix.
_ARTICLE_PATH = re.compile(
    r"^(?:/(?P<prefix>[a-z]{2,3}))?/(?P<form>-|w)/+(?:(?P<group>\d+)/)?(?P<slug>[\w%.-]+)/?$", re.I)
_NOT_SLUGS = {"asset_publisher", "rss", "documents", "c", "image", "web", "group"}
_PREFIX_LANG = {"sme": "se", "smn": "se", "sms": "se"}
_STAMP_LABELS = r"Julkaisuajankohta|Utgivningsdatum|Publiceringsdatum|Publication date|Julkaistu"
_DATE = r"\d{1,2}\.\d{1,2}\.\d{4}"
# "Julkaisuajankohta 8.12.2020 10.12", "Publication date 16.9.2020 16.43 | Published in English on …",
# and the 2026 stm.fi layout: "19.3.2026" alone on a line, the time "10.46" on the next.
_STAMP_LINE = re.compile(rf"^(?:(?:{_STAMP_LABELS}):?\s*)?{_DATE}(?:\s+(?:klo\s+)?\d{{1,2}}[.:]\d{{2}})?(?:\s*\|.*)?$")
_TIME_LINE = re.compile(r"^\d{1,2}[.:]\d{2}$")
# Kanta-Häme's asset publisher: "UUTINEN / 26.09.2023" (type, then the day).
_KIND_STAMP = re.compile(rf"^(?P<type>[A-ZÅÄÖ]{{3,20}})\s*/\s*(?P<date>{_DATE})$")
# "Tiedote", "Type:Press release", "Press release 580/2020" (a numbered release).
_TYPE_LINE = re.compile(r"^(?:(?P<label>Type|Tyyppi|Typ)\s*:\s*)?(?P<type>[A-ZÅÄÖ][\wåäöÅÄÖ -]{1,30}?)"
                        r"(?P<number>\s+\d{1,4}/\d{4})?$")
# Unlabelled, unnumbered type lines are accepted only from the types the sites are known to use.
_KNOWN_TYPES = {t.lower() for t in (
    "Tiedote", "Uutinen", "Artikkeli", "Kolumni", "Blogi", "Puhe", "Kannanotto", "Tausta-aineisto",
    "Pressmeddelande", "Nyhet", "Artikel", "Kolumn", "Blogg", "Tal", "Press release", "News", "News item",
    "Article", "Column", "Blog", "Speech", "Statement")}
# A tag line after the stamp on the 2026 layout: an abbreviation such as "STM" or "VM".
_TAG_ABBREVIATION = re.compile(r"^[A-ZÅÄÖ]{2,6}$")
# Ministry tags run together when their elements carry no spaces: "sisäministeriösosiaali- ja …".
_RUN_TOGETHER = re.compile(r"(?<=ministeriö)(?=[a-zåäö])|(?<=ministeriet)(?=[a-zåäö])|(?<=[a-zåäö])(?=[A-ZÅÄÖ])")
_ORGANISATION = re.compile(r"ministeri|Ministry|Department|Government|Valtioneuvosto|Statsrådet|virasto", re.I)
# Site chrome: skip links, "back to top", "read more", and the language chooser, which on the real
# sites is about 47 lines in 12 languages ("This page is in Finnish. Go to the English site »",
# "Eller välj språk:", "Dahje vállje giela:", "Или выберите язык:" …).
_BOILERPLATE = re.compile(
    r"^(?:Hyppää sisältöön|Hoppa till innehåll|Skip to [Cc]ontent|Sivun alkuun|Till början av sidan|Back to top"
    r"|Lue lisää|Läs mer|Read more|Takaisin edelliselle sivulle|Tillbaka till föregående sida"
    r"|.{0,120}»"
    r"|(?:\w+\s+){0,4}(?:kieli|språk|language|giela|язык|мову|langue|Sprache|lingua|idioma|keel|valoda|luqadda|اللغة):"
    r"|This page is in \w+\.?.*|Tämä sivu on \w+\.?.*|Den här sidan .*|Denna sida .*|Go to the \w+ site.*)$", re.I)
_LANG_FROM_ID = {"fi_FI": "fi", "sv_SE": "sv", "sv_FI": "sv", "en_US": "en", "en_GB": "en"}


@dataclass(frozen=True)
class ArticleRef:
    """Where a Liferay article lives, as far as its URL tells.

    ``form`` is ``-`` (``/-/…``, the ministries) or ``w`` (``/fi/w/<slug>``, lapha.fi); ``prefix``
    is the language segment of a ``/w/`` path as the site writes it (``fi``, ``sme``).
    """

    host: str
    lang: str
    group: str
    slug: str
    form: str = "-"
    prefix: str = ""

    @property
    def identity(self) -> str:
        """Host-independent identity: ``1271139/slug`` (or ``stm.fi/slug`` for the forms without a group)."""
        return f"{self.group}/{self.slug}" if self.group else f"{self.host}/{self.slug}"

    def canonical_url(self, host: str | None = None) -> str:
        """``https://<host>[/sv|/en]/-/[<group>/]<slug>`` (``https://<host>/<prefix>/w/<slug>``), no query."""
        if self.form == "w":
            return f"https://{host or self.host}{'/' + self.prefix if self.prefix else ''}/w/{self.slug}"
        prefix = "" if self.lang == "fi" else f"/{self.lang}"
        group = f"{self.group}/" if self.group else ""
        return f"https://{host or self.host}{prefix}/-/{group}{self.slug}"

    def item_id(self) -> str:
        """The stable id of the item, and so its feed GUID: independent of host, path form and crawl order."""
        digest = hashlib.sha1(f"liferay:{self.identity}:{self.lang}".encode()).hexdigest()
        return f"lr-{digest[:16]}"


def article_ref(url: str, content_lang: str | None = None) -> ArticleRef | None:
    """Parse an article URL; ``None`` for hubs, feeds and other pages.

    ``/-/``, ``/-//`` and ``/w/`` paths are articles; ``?redirect=`` and every other query part
    are dropped. ``?languageId=fi_FI`` overrides an sv/en path prefix, because it shows the
    Finnish original there; other ``languageId`` values only switch the site chrome (the
    article stays in its path's language), so they do not make a second item.
    ``content_lang`` (from the page itself) overrides both.

    >>> article_ref("https://valtioneuvosto.fi/en/-//10616/budget-proposal").canonical_url()
    'https://valtioneuvosto.fi/en/-/10616/budget-proposal'
    >>> article_ref("https://stm.fi/sv/-/1271139/sote?languageId=fi_FI").canonical_url()
    'https://stm.fi/-/1271139/sote'
    """
    parts = urlsplit(url)
    m = _ARTICLE_PATH.match(parts.path)
    if not m or m["slug"].lower() in _NOT_SLUGS:
        return None
    prefix = (m["prefix"] or "").lower()
    lang = _PREFIX_LANG.get(prefix, prefix or "fi")
    if _LANG_FROM_ID.get(parse_qs(parts.query).get("languageId", [""])[0]) == "fi":
        lang = "fi"
    lang = content_lang or lang
    form = m["form"].lower()
    return ArticleRef(host=host_of(url), lang=lang, group=m["group"] or "", slug=m["slug"].lower(), form=form,
                      prefix=prefix if form == "w" else "")


@dataclass(frozen=True)
class ParsedArticle:
    """What an article page says, before it is filed under a source.

    ``language_links`` maps a language to the URL of the same article in it, from
    ``<link rel="alternate" hreflang>`` (see :func:`translation_urls`).
    """

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
    language_links: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ArticleHead:
    """What the lines of an article's text say around its stamp (see :func:`read_head`)."""

    published: datetime | None
    type: str
    tags: tuple[str, ...]
    body_lines: tuple[str, ...]


def parse_article(html: str, url: str, urls: UrlMap | None = None) -> ParsedArticle | None:
    """Read an article page. ``url`` is the real URL the page was fetched as.

    Returns ``None`` when the URL is not an article URL. Missing fields come back empty (the
    store's schema decides what is fatal), so one bad page never stops a crawl. The structure
    read is the one the real pages have: ``<h1>``, the stamp line (``Julkaisuajankohta 8.12.2020
    10.12``), the type line after it, the ministry tags before it; class names are used when
    present, but nothing depends on them.
    """
    urls = urls or UrlMap()
    sel = Selector(text=html)
    html_lang = (sel.xpath("/html/@lang").get() or "")[:2].lower() or None
    ref = article_ref(url, html_lang if html_lang in {"fi", "sv", "en"} else None)
    if ref is None:
        return None
    doc = sel.root   # queried with lxml directly from here on (sotevahti.htmltext.css)
    canonical = first_of(css(doc, "link[rel=canonical]::attr(href)"))
    canonical_ref = article_ref(urls.join(url, canonical), ref.lang) if canonical else None
    host = canonical_ref.host if canonical_ref and canonical_ref.identity == ref.identity else ref.host
    root = (css(doc, "article") or css(doc, ".journal-content-article") or css(doc, "main") or [doc])[0]
    title = first_text(root, "h1", ".article__title") or first_text(doc, "h1")
    title = title or clean_text(first_of(css(doc, "meta[property='og:title']::attr(content)")))
    lead_sel = css(root, ".article__lead, .lead, .article-lead")
    body_sel = css(root, ".article__body, .article-body, .journal-content-article-body")
    # one walk of the article for its own lines, its lead's and its body's
    lead_el, body_el = (lead_sel[0] if lead_sel else None), (body_sel[0] if body_sel else None)
    root_lines, (lead_lines, body_lines) = block_lines_of_parts(root, (lead_el, body_el))
    root_text = _visible(root_lines)
    head = read_head(root_text, title)
    tags = tuple(t for t in (clean_text(string_of(x)) for x in css(
        root, ".article__ministries li, .ministry-tag, .tags a, .asset-tag")) if t) or head.tags
    lead = "\n\n".join(lead_lines)
    body = "\n\n".join(body_lines) if body_sel else "\n\n".join(head.body_lines)
    if not lead and body:
        lead, body = split_lead(body)
    attachments = tuple(
        {"title": clean_text(string_of(a)) or href, "url": _on_host(urls.join(url, href), ref.host, host)}
        for a in css(root, ".article__attachments a, a[href*='/documents/']")
        for href in [a.attrib.get("href", "")] if href
    )
    return ParsedArticle(
        ref=ref, url=ref.canonical_url(host), title=title, published=head.published,
        type=first_text(root, ".article__type", ".article-type") or head.type,
        tags=tags, lang=ref.lang, lead=lead, body=body, attachments=_unique(attachments),
        related=_related_proposals(root, root_text),
        language_links=language_links(doc, url, urls),
    )


def read_head(text: str, title: str) -> ArticleHead:
    """Read the stamp, type and tags from an article's text lines; the lines after them are the body.

    >>> head = read_head("Otsikko\nsisäministeriösosiaali- ja terveysministeriö\n"
    ...                  "Julkaisuajankohta 8.12.2020 10.12\nTiedote\nHallitus esittää.", "Otsikko")
    >>> head.published.isoformat(), head.type, head.tags
    ('2020-12-08T10:12:00+02:00', 'Tiedote', ('sisäministeriö', 'sosiaali- ja terveysministeriö'))
    """
    lines = text.splitlines()
    stamps = [i for i, line in enumerate(lines) if _STAMP_LINE.match(line) or _KIND_STAMP.match(line)]
    # A teaser of the same article may come first (lapha.fi repeats title and date above the
    # article): the stamp that counts is the first one within three lines after the last title.
    after_title = [i for i in stamps if title and title in lines[max(0, i - 3):i]]
    at = after_title[-1] if after_title else (stamps[0] if stamps else None)
    if at is None:
        start = lines.index(title) + 1 if title in lines else 0
        rest = tuple(line for line in lines[start:] if line != title)
        return ArticleHead(parse_publication_stamp(text), "", (), rest)
    stamp, kind = lines[at], ""
    if m := _KIND_STAMP.match(stamp):
        kind, stamp = m["type"].capitalize(), m["date"]
    end = at + 1
    if end < len(lines) and _TIME_LINE.match(lines[end]):
        stamp, end = f"{stamp} {lines[end]}", end + 1
    tags: list[str] = []
    before = lines[at - 1] if at > 0 and lines[at - 1] != title else ""
    if before and not is_prose(before):
        parts = [t.strip() for t in _RUN_TOGETHER.split(before) if t.strip()]
        if len(parts) > 1 or _ORGANISATION.search(before):  # not a caption or a topic link
            tags = parts
    while end < len(lines):
        line = lines[end]
        if not kind and (found := _type_of(line)):
            kind = found
        elif _TAG_ABBREVIATION.match(line):
            tags.append(line)
        else:
            break
        end += 1
    body = tuple(line for line in lines[end:] if line != title)
    return ArticleHead(parse_publication_stamp(stamp), kind, tuple(tags), body)


def language_links(sel: Selector | etree._Element, url: str, urls: UrlMap | None = None) -> dict[str, str]:
    """``{lang: real URL}`` of the page's translations, from ``<link rel="alternate" hreflang>``."""
    urls = urls or UrlMap()
    found: dict[str, str] = {}
    for link in css(sel, "link[rel=alternate][hreflang]"):
        lang = (link.attrib.get("hreflang") or "")[:2].lower()
        href = link.attrib.get("href")
        if href and lang and lang != "x-":
            found.setdefault(lang, urls.join(url, href))
    return found


def translation_urls(article: ParsedArticle) -> dict[str, str]:
    """``{lang: canonical URL}`` of the article's versions in the other languages (fi, sv, en), from its
    hreflang alternates; a link to the same slug in another language path (the site chrome
    switched, the article untranslated) is no translation and is left out.

    The store links the versions by these URLs (:mod:`sotevahti.translations`).
    """
    out: dict[str, str] = {}
    for lang, url in article.language_links.items():
        ref = article_ref(url, lang) if lang in ("fi", "sv", "en") and lang != article.lang else None
        if ref is not None and ref.identity != article.ref.identity:
            out[lang] = ref.canonical_url()
    return out


def _type_of(line: str) -> str:
    m = _TYPE_LINE.match(line)
    if not m or _TAG_ABBREVIATION.match(m["type"]):
        return ""
    if m["label"] or m["number"] or m["type"].lower() in _KNOWN_TYPES:
        return m["type"].strip()
    return ""


def page_text(sel: Selector | etree._Element) -> str:
    """Visible text of a page region, one line per block (``<p>``, ``<li>``, heading, bare text), with
    navigation and site chrome (skip links, the language chooser) removed."""
    return _visible(block_text(sel, skip_nav=True).split("\n\n"))


def _visible(blocks: list[str]) -> str:
    """The blocks of a region without its chrome lines, one a line."""
    return "\n".join(b for b in blocks if b and not _BOILERPLATE.match(b))


def listing_links(html: str, page_url: str, urls: UrlMap | None = None) -> tuple[list[str], str | None]:
    """Article links (``/-/``, ``/-//``, ``/w/``) on a listing (hub) page and the real URL of its next page."""
    urls = urls or UrlMap()
    doc = tree_of(Selector(text=html))
    content = css(doc, ".portlet-content-container") or css(doc, "main") or [doc]
    links: list[str] = []
    for node in content:
        for href in css(node, "a[href*='/-/']::attr(href), a[href*='/w/']::attr(href)"):
            real = urls.join(page_url, href)
            if article_ref(real) and real not in links:
                links.append(real)
    nxt = first_of(css(doc, "a[rel=next]::attr(href), .pagination .next a::attr(href), a.next::attr(href)"))
    return links, urls.join(page_url, nxt) if nxt else next_page_url(doc, page_url, urls)


def next_page_url(sel: Selector | etree._Element, page_url: str, urls: UrlMap | None = None) -> str | None:
    """The next page of Liferay's own pager, which has no ``rel=next``.

    Liferay's default pager (``ul.pagination > li.page-item > a.page-link`` with an icon) links
    pages by the portlet's ``_<portlet id>_cur=N`` parameter; the next page is the link whose
    ``…_cur`` is one more than this page's (1 when the URL has none). Disabled items link
    ``javascript:;`` and are skipped.
    """
    urls = urls or UrlMap()
    current = next((int(v[0]) for k, v in parse_qs(urlsplit(page_url).query).items()
                    if k.endswith("_cur") and v and v[0].isdigit()), 1)
    for href in css(sel, "a[href*='_cur=']::attr(href)"):
        real = urls.join(page_url, href.strip())
        for key, values in parse_qs(urlsplit(real).query).items():
            if key.endswith("_cur") and values and values[0] == str(current + 1):
                return real
    return None


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


def _related_proposals(root: etree._Element, root_text: str) -> tuple[str, ...]:
    """``lp-<GUID>`` of the lausuntopalvelu requests the article links to or names.

    Looked for in the article's own links and text, not in the whole page: a link in the site's
    chrome (a sidebar of other consultations) is no relation of this release, and the article is
    a fifth of a 62 KiB page.
    """
    hrefs = [a.get("href") or "" for a in root.iter("a")]
    return tuple(f"lp-{pid}" for pid in proposal_ids_in("\n".join([*hrefs, root_text])))


def _on_host(url: str, fetched_host: str, canonical_host: str) -> str:
    # A document linked from the same article under another host of the family is the same
    # document; file it under the canonical host so the content hash does not depend on
    # which host happened to be crawled.
    parts = urlsplit(url)
    if host_of(url) != fetched_host or fetched_host == canonical_host:
        return url
    return parts._replace(netloc=canonical_host).geturl()


def _unique(attachments: tuple[dict[str, str], ...]) -> tuple[dict[str, str], ...]:
    seen: dict[str, dict[str, str]] = {}
    for a in attachments:
        seen.setdefault(a["url"], a)
    return tuple(seen.values())
