"""``monitor.py probe``: read one page with a source's rules and say what came out, and from where.

Like ``scrapy parse``, for checking a new county before it goes into ``sources.toml``: a saved
file is read offline; a URL is fetched once, with the crawler's user agent and only when the
site's robots.txt allows it. A page is read as a feed (RSS/Atom), a listing (its article links
and next page) or an article (title, time, type, lead, …), each field with where it came from
and warnings for what usually means wrong rules: no date, a lead that reads as navigation, a
title that is just the site's name, a listing with no article links. Input that is not a whole
page (a page head, header lines, a markup excerpt) is named as such and warned about only for
what it should have (:mod:`sotevahti.probe_kinds`).

Text files in the form of ``shared/real-samples/`` (page text in reading order, optionally
headed by ``URL: …`` and ``---``) are wrapped in the plainest HTML that keeps that order.
"""

from __future__ import annotations

import re
import urllib.robotparser
from dataclasses import asdict, dataclass, field
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from parsel import Selector

from . import generic, liferay
from .htmltext import is_prose
from .probe_kinds import header_fields, header_lines, header_links, settle_kind
from .sources import Config, Source
from .urls import canonical_item_url, host_of

_URL_LINE = re.compile(r"^(?:URL:\s*)?(https?://\S+)\s*$")
_URLS = re.compile(r"https?://[^\s<>\"']+")
_BULLET = re.compile(r"^\s*(?:[•*]|-\s)\s*")
_FEED_ROOT = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF)\b", re.S)


class ProbeError(ValueError):
    """Input probe cannot read: no such file, not a page, unknown source."""


@dataclass
class ProbeReport:
    """What one page gave: ``kind`` is ``article``, ``listing``, ``feed``, or for input that is not a
    whole page ``page head``, ``header lines`` or ``fragment``; ``fields`` maps a field name to
    ``{"value", "from"}``; ``links`` are article links; ``warnings`` are what looks wrong, ``notes``
    what could not be checked in this input."""

    url: str
    source: str | None
    platform: str
    kind: str
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)
    next_page: str | None = None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The report as the JSON object ``probe --json`` prints."""
        return asdict(self)


def wrap_text_sample(text: str, url: str | None = None) -> tuple[str | None, str]:
    """A text sample as ``(its URL or None, plain HTML)``: a paragraph per line, bullets as list items,
    lines that repeat the URL's slug as ``<h1>``, bare URLs as links.

    >>> wrap_text_sample("URL: https://stm.fi/-/x\n---\nOtsikko\n• yksi")[1].count("<li>")
    1
    """
    given, lines, extra = url, text.splitlines(), []
    if "---" in lines[:6]:
        head, lines = lines[:lines.index("---")], lines[lines.index("---") + 1:]
        found = [u for line in head for u in _URLS.findall(line)]
        url, extra = (found[0], found[1:]) if found else (None, [])
    elif lines and (m := _URL_LINE.match(lines[0])):
        url, lines = m[1], lines[1:]
    url = given or url
    lang = "en" if url and urlsplit(url).path.startswith("/en/") else "fi"
    slug = _slug(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]) if url else ""
    out: list[str] = []
    in_list = False
    for line in (x.strip() for x in lines):
        if not line or line.startswith("#"):
            continue
        bullet = bool(_BULLET.match(line))
        if bullet != in_list:
            out.append("<ul>" if bullet else "</ul>")
            in_list = bullet
        body = _URLS.sub(lambda m: f'<a href="{escape(m[0])}">{escape(m[0])}</a>', escape(_BULLET.sub("", line)))
        own = _slug(line)
        heading = len(slug) >= 12 and (own.startswith(slug) or (slug.startswith(own) and len(own) >= 0.6 * len(slug)))
        tag = "li" if bullet else ("h1" if heading else "p")
        out.append(f"<{tag}>{body}</{tag}>")
    if in_list:
        out.append("</ul>")
    out += [f'<p><a href="{escape(u)}">{escape(u)}</a></p>' for u in extra]
    return url, f'<html lang="{lang}"><body>{"".join(out)}</body></html>'


def _cdata_feed(text: str) -> bytes | None:
    """Feed values quoted one per line as ``<![CDATA[…]]>`` (title, then link): as a one-item RSS feed."""
    values = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not values or not all(v.startswith("<![CDATA[") and v.endswith("]]>") for v in values):
        return None
    link = next((v for v in values if "http" in v), "")
    title = next((v for v in values if v != link), "")
    return (f"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>Dynasty</title>"
            f"<item><title>{title}</title><link>{link}</link></item></channel></rss>").encode()


def read_input(target: str, fetch: bool = True) -> tuple[str, bytes, str]:
    """``(url, bytes, form)`` of a file or URL; ``form`` is ``html``, ``feed`` or ``text``.

    Raises :class:`ProbeError` for a missing file, an empty or binary one, or a disallowed URL.
    """
    if re.match(r"^https?://", target):
        if not fetch:
            raise ProbeError(f"not fetching {target}")
        return target, _fetch(target), "html"
    path = Path(target)
    if not path.is_file():
        raise ProbeError(f"no such file: {target}")
    body = path.read_bytes()
    if not body.strip() or b"\x00" in body[:2048]:
        raise ProbeError(f"not HTML or a feed: {target}")
    if _FEED_ROOT.match(body):
        return "", body, "feed"
    if b"<%" in body:
        raise ProbeError(f"a server template, not a page: {target}")
    if (feed := _cdata_feed(body.decode("utf-8", "replace"))) is not None:
        return "", feed, "feed"
    head = body[:4096].lower()
    if b"<html" in head or b"<body" in head or b"<!doctype html" in head or b"<div" in head or b"<p" in head:
        return "", body, "html"
    if body.lstrip()[:1] in (b"{", b"["):
        raise ProbeError(f"not HTML or a feed (JSON?): {target}")
    return "", body, "text"


def probe(target: str, config: Config, source_id: str | None = None, fetch: bool = True,
          url: str | None = None) -> ProbeReport:
    """Read ``target`` (a file or URL) with the rules of ``source_id`` (else of the source whose host it is).

    ``url`` is the real address of a saved file, when the file does not say it.
    """
    source = _source(config, source_id)
    found_url, body, form = read_input(target, fetch)
    url = url or found_url
    html = generic.decode_html(body, None, source.encoding if source else None)
    headers = header_lines(html) if form == "text" else None
    if form == "text":
        sample_url, html = wrap_text_sample(html, url or None)
        url = sample_url or url
    url = url or _page_url(html) or (source.urls()[0] if source and source.urls() else "")
    if source is None and url:
        source = _source_of_host(config, host_of(url))
    platform = source.platform if source else ("liferay" if liferay.article_ref(url) else "listing")
    if form == "feed":
        return _probe_feed(body, url, source, platform)
    if headers:
        return ProbeReport(url, source.id if source else None, platform, "header lines",
                           fields=header_fields(headers), links=header_links(headers))
    report = _probe_liferay(html, url, source) if platform == "liferay" else _probe_generic(html, url, source, platform)
    settle_kind(report, html, form)
    return report


def _source_of_host(config: Config, host: str) -> Source | None:
    """The source whose own site ``host`` is (its start or feed URLs), else one that may follow links there."""
    own = next((s for s in config.sources if any(host_of(u) == host for u in s.urls())), None)
    return own or next((s for s in config.sources
                        if host in {host_of(f"https://{h}/") for h in s.allowed_hosts()}), None)


def format_report(report: ProbeReport) -> str:
    """The report as text: one ``field  value  (from)`` line each, then links and warnings."""
    lines = [f"url       {report.url or '-'}", f"source    {report.source or '-'} ({report.platform})",
             f"kind      {report.kind}"]
    for name, found in report.fields.items():
        value = found["value"]
        shown = ", ".join(value) if isinstance(value, list) else str(value if value not in (None, "") else "-")
        shown = shown if len(shown) <= 100 else shown[:97] + "…"
        lines.append(f"{name:<9} {shown}  [{found['from']}]")
    if report.kind not in ("article", "page head", "fragment"):
        lines.append(f"links     {len(report.links)}")
        lines += [f"  {link}" for link in report.links]
        lines.append(f"next      {report.next_page or '-'}")
    lines += [f"note      {n}" for n in report.notes]
    lines += [f"warning   {w}" for w in report.warnings] or ["warnings  none"]
    return "\n".join(lines)


def _probe_feed(body: bytes, url: str, source: Source | None, platform: str) -> ProbeReport:
    entries = generic.feed_entries(body)
    links = [canonical_item_url(e.link) for e in entries if e.link]
    if platform == "liferay":
        links = [liferay.article_ref(x).canonical_url() for x in links if liferay.article_ref(x)]  # type: ignore[union-attr]
    report = ProbeReport(url, source.id if source else None, platform, "feed", links=links)
    report.fields["entries"] = {"value": len(entries), "from": "feed"}
    if entries:
        first = entries[0]
        report.fields["title"] = {"value": first.title, "from": "feed <title>"}
        report.fields["published"] = {"value": first.published.isoformat() if first.published else None,
                                      "from": "feed date" if first.published else "none (the page is read for it)"}
    if not links:
        report.warnings.append("zero article links in the feed")
    return report


def _probe_liferay(html: str, url: str, source: Source | None) -> ProbeReport:
    sid = source.id if source else None
    article = liferay.parse_article(html, url)
    if article is None:
        links, nxt = liferay.listing_links(html, url)
        report = ProbeReport(url, sid, "liferay", "listing",
                             links=[liferay.article_ref(x).canonical_url() for x in links  # type: ignore[union-attr]
                                    if liferay.article_ref(x)], next_page=nxt)
        if not report.links:
            report.warnings.append("zero article links on a listing (no /-/, /-// or /w/ article paths)")
        return report
    sel = Selector(text=html)
    title_from = "<h1>" if sel.css("h1") else "og:title"
    report = ProbeReport(article.url, sid, "liferay", "article")
    report.fields = {
        "title": {"value": article.title, "from": title_from if article.title else "none"},
        "published": {"value": article.published.isoformat() if article.published else None,
                      "from": "stamp line in the text" if article.published else "none"},
        "type": {"value": article.type, "from": "type line after the stamp" if article.type else "none"},
        "tags": {"value": list(article.tags), "from": "tag elements or the line before the stamp"},
        "language": {"value": article.lang, "from": "<html lang>, languageId or the path"},
        "lead": {"value": article.lead, "from": "lead element or first prose block after the stamp"},
        "attachments": {"value": [a["url"] for a in article.attachments], "from": "/documents/ links"},
        "language_links": {"value": [f"{k}={v}" for k, v in article.language_links.items()],
                           "from": "<link rel=alternate hreflang>"},
    }
    _article_warnings(report, article.title, article.published is not None, article.lead, sel, source)
    return report


def _probe_generic(html: str, url: str, source: Source | None, platform: str) -> ProbeReport:
    sid = source.id if source else None
    selectors = source.selectors if source else {}
    listing = generic.listing_page(html, url, selectors)
    page = generic.extract_page(html, url, selectors)
    is_listing = bool(source and url in source.start_urls) or (page.published is None and len(listing.links) >= 3)
    if is_listing:
        report = ProbeReport(url, sid, platform, "listing", links=[canonical_item_url(x) for x in listing.links],
                             next_page=listing.next_url)
        report.fields["links"] = {"value": len(listing.links),
                                  "from": "fallback" if "item" in listing.fallbacks or not selectors.get("item")
                                  else "selector item"}
        if not listing.links:
            report.warnings.append("zero article links on a listing")
        return report
    report = ProbeReport(canonical_item_url(url), sid, platform, "article")

    def origin(name: str, key: str) -> str:
        if name in page.fallbacks or not selectors.get(key):
            return "fallback (generic extraction)"
        return f"selector {key}: {selectors[key]}"
    report.fields = {
        "title": {"value": page.title, "from": origin("title", "title")},
        "published": {"value": page.published.isoformat() if page.published else None,
                      "from": origin("published", "date") if page.published else "none"},
        "language": {"value": page.lang, "from": "<html lang>"},
        "lead": {"value": page.lead, "from": "lead element or first prose block"},
        **_header_fields(html),
        "attachments": {"value": [a["url"] for a in page.attachments], "from": "document links"},
    }
    for miss in page.misses:
        report.warnings.append(f"configured selector {miss!r} matched nothing")
    _article_warnings(report, page.title, page.published is not None, page.lead, Selector(text=html), source)
    return report


def _header_fields(html: str) -> dict[str, dict[str, Any]]:
    """Organisation and type from an sttinfo.fi header line (``… EET | Org | Tiedote``), when there is one."""
    text = "\n".join(Selector(text=html).xpath("//body//text()").getall())
    when, organisation, kind = generic.sttinfo_header(text)
    if when is None:
        return {}
    return {"organisation": {"value": organisation, "from": "sttinfo header line"},
            "type": {"value": kind, "from": "sttinfo header line"}}


def _article_warnings(report: ProbeReport, title: str, dated: bool, lead: str, sel: Selector,
                      source: Source | None) -> None:
    if not dated:
        report.warnings.append("no publication date found")
    if not title:
        report.warnings.append("no title found")
    if lead and not is_prose(lead):
        report.warnings.append(f"lead looks like navigation, not prose: {lead[:60]!r}")
    site_names = {clean for clean in (sel.css("meta[property='og:site_name']::attr(content)").get(),
                                      source.name if source else None,
                                      source.organisation if source else None) if clean}
    if title and title in site_names:
        report.warnings.append(f"title equals the site name: {title!r}")


def _source(config: Config, source_id: str | None) -> Source | None:
    if source_id is None:
        return None
    found = next((s for s in config.sources if s.id == source_id), None)
    if found is None:
        raise ProbeError(f"unknown source: {source_id}")
    return found


def _page_url(html: str) -> str:
    sel = Selector(text=html)
    return (sel.css("link[rel=canonical]::attr(href)").get() or sel.css("meta[property='og:url']::attr(content)").get()
            or "").strip()


def _fetch(url: str) -> bytes:
    from settings import DOWNLOAD_TIMEOUT, USER_AGENT  # the crawler's own settings: same agent, same timeout

    robots = urllib.robotparser.RobotFileParser()
    parts = urlsplit(url)
    robots.set_url(f"{parts.scheme}://{parts.netloc}/robots.txt")
    try:
        robots.read()
    except OSError:
        robots.allow_all = True
    if not robots.can_fetch(USER_AGENT, url):
        raise ProbeError(f"robots.txt of {parts.netloc} does not allow {url}")
    try:
        with urlopen(Request(url, headers={"User-Agent": USER_AGENT}), timeout=DOWNLOAD_TIMEOUT) as response:
            return response.read()
    except OSError as exc:
        raise ProbeError(f"could not fetch {url}: {exc}") from exc


def _slug(text: str) -> str:
    table = str.maketrans("äöåÄÖÅ", "aoaAOA")
    return re.sub(r"[^a-z0-9]+", "", text.translate(table).lower())
