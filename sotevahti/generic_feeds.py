"""Bytes in: charset repair, feeds, sitemaps and header lines of the sites read generically.

Everything here is re-exported by :mod:`sotevahti.generic`.

RSS 2.0, RSS 1.0 and Atom are read namespace-blind, from bytes, so the XML declaration decides
the encoding: Dynasty serves ``encoding="ISO-8859-1"`` and the bytes really are Latin-1. Feeds
whose bytes contradict their declaration are decoded like HTML and parsed leniently.
"""

from __future__ import annotations

import codecs
import gzip
import html
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector

from .dates import HELSINKI, parse_iso_datetime, parse_publication_stamp
from .htmltext import block_text, clean_text
from .urls import UrlMap
from .xmlsafe import parseable

_ZONES = {"EEST": timezone(timedelta(hours=3)), "EET": timezone(timedelta(hours=2)),
          "UTC": UTC, "GMT": UTC, "Z": UTC}
_STTINFO = re.compile(
    r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})\s+(?:klo\s+)?(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2}))?"
    r"\s*(?P<tz>EEST|EET|UTC|GMT|Z)?\s*\|\s*(?P<org>[^|\n]*?)\s*(?:\|\s*(?P<type>[^|\n]*?)\s*)?(?:$|\n)")
# What sttinfo.fi prints as the last part of its header line.
_RELEASE_TYPES = {"tiedote", "uutinen", "kutsu", "artikkeli", "blogi", "pressmeddelande", "nyhet", "inbjudan",
                  "press release", "news", "invitation", "article"}
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+\d*);", re.I)
_DYNASTY_TITLE = re.compile(
    r"^\s*(?P<board>.+?)\s+(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})\s*/\s*(?P<title>.+?)\s*$", re.S)
_CDATA_WRAP = re.compile(r"^\s*<!\[CDATA\[(.*?)\]\]>\s*$", re.S)
_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.I)
# WHATWG: a page labelled Latin-1 or ASCII is decoded as windows-1252.
_AS_CP1252 = {"iso8859-1", "ascii", "latin-1", "iso-8859-1", "latin1", "us-ascii"}
_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf]|Ã[„–…]|â€")
# The lead byte of a UTF-8 sequence read as cp1252, then its continuation bytes as cp1252 shows them.
_MOJIBAKE_RUN = re.compile("(?:[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                           "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{1,3})+")


# -- bytes to text ------------------------------------------------------------------------------

def decode_html(body: bytes, header_charset: str | None, forced: str | None = None) -> str:
    """Decode a page whatever its ``Content-Type`` charset claims; never raises.

    Characters no parser can hold (C0 controls, lone surrogates) are dropped, so one such
    character cannot lose the page (see :func:`sotevahti.xmlsafe.parseable`).
    """
    return parseable(_decode_html(body, header_charset, forced))


def _decode_html(body: bytes, header_charset: str | None, forced: str | None = None) -> str:
    """:func:`decode_html` before dropping unparseable characters.

    ``forced`` (a source's configured encoding) wins. Otherwise bytes that are valid UTF-8 are
    UTF-8, even under a ``charset=ISO-8859-1`` header (a common server misconfiguration).
    Bytes that are not UTF-8 are decoded by the header's charset, else the ``<meta charset>``
    or XML declaration, else windows-1252. Latin-1 labels decode as windows-1252, like browsers.
    """
    if body.startswith(codecs.BOM_UTF8):
        body = body[len(codecs.BOM_UTF8):]
    elif body[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return body.decode("utf-16", errors="replace")
    if forced and _codec(forced):
        return _decode_as(body, _codec(forced) or "utf-8")
    try:
        return _repair(body.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    m = _DECLARED.search(body[:4096])
    declared = (m[1] or m[2]).decode("ascii", "replace") if m else None
    for label in (header_charset, declared):
        name = _codec(label)
        if name and name not in ("utf-8", "utf-16", "utf-32"):
            return _decode_as(body, name)
    return _decode_as(body, "cp1252")


def charset_lies(body: bytes, header_charset: str) -> bool:
    """Whether a ``Content-Type`` charset contradicts the bytes: UTF-8 bytes labelled Latin-1,
    or bytes that are no UTF-8 labelled UTF-8.

    >>> charset_lies("Yhteistyö".encode(), "iso-8859-1"), charset_lies("Yhteistyö".encode("cp1252"), "utf-8")
    (True, True)
    """
    name = _codec(header_charset)
    if name is None or body.isascii():
        return False
    try:
        body.decode("utf-8")
        valid_utf8 = True
    except UnicodeDecodeError:
        valid_utf8 = False
    return valid_utf8 != (name == "utf-8")


def _codec(label: str | bytes | None) -> str | None:
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "replace")
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return "cp1252" if name in _AS_CP1252 else name


def _decode_as(body: bytes, name: str) -> str:
    try:
        return body.decode(name)
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; Latin-1 maps every byte.
        return body.decode("latin-1" if name == "cp1252" else name, errors="replace")


def _repair(text: str) -> str:
    """Undo UTF-8 read as cp1252 ("hyvinvointialue Ã¤" → "ä") run by run, where that decodes cleanly."""
    if ("Ã" not in text and "Â" not in text and "â€" not in text) or not _MOJIBAKE.search(text):
        return text   # the substring test first: the regex over 62 KiB costs 1-2 ms, ``in`` microseconds

    def fix(m: re.Match[str]) -> str:
        try:  # bytes cp1252 leaves undefined (0x81, 0x8d, 0x8f, 0x90, 0x9d) show up as the same code points
            raw = b"".join(c.encode("latin-1") if "\x80" <= c <= "\x9f" else c.encode("cp1252") for c in m[0])
            return raw.decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return m[0]
    return _MOJIBAKE_RUN.sub(fix, text)


@dataclass(frozen=True)
class FeedEntry:
    """One feed item: real link, title as the feed gives it, publication time, plain-text summary."""

    link: str
    title: str
    published: datetime | None
    summary: str


def sttinfo_header(text: str) -> tuple[datetime | None, str | None, str | None]:
    """Parse ``20.10.2025 15:49:25 EEST | Päijät-Hämeen hyvinvointialue | Tiedote``.

    Returns (aware Helsinki datetime, organisation, type); the parts missing from the text are None.

    >>> sttinfo_header("20.10.2025 15:49:25 EEST | Päijät-Hämeen hyvinvointialue | Tiedote")[0].isoformat()
    '2025-10-20T15:49:25+03:00'
    >>> sttinfo_header("26.11.2021 12:45:52 EET | Tiedote")[1:]
    (None, 'Tiedote')
    """
    m = _STTINFO.search(text or "")
    if not m:
        return None, None, None
    try:
        local = datetime(int(m["y"]), int(m["m"]), int(m["d"]), int(m["H"]), int(m["M"]), int(m["S"] or 0))
    except ValueError:
        return None, None, None
    zone = _ZONES.get(m["tz"] or "")
    when = local.replace(tzinfo=zone).astimezone(HELSINKI) if zone else local.replace(tzinfo=HELSINKI)
    org, kind = m["org"] or None, m["type"] or None
    if kind is None and org and org.lower() in _RELEASE_TYPES:
        org, kind = None, org  # the two-part header "26.11.2021 12:45:52 EET | Tiedote" names no organisation
    return when, org, kind


def dynasty_title(title: str) -> tuple[str, date, str] | None:
    """Split a Dynasty feed title ``Aluehallitus 04.12.2023 / Talousarvio`` into (board, meeting day, item)."""
    m = _DYNASTY_TITLE.match(title or "")
    if not m:
        return None
    try:
        day = date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None
    return m["board"], day, m["title"]


def feed_entries(body: bytes, urls: UrlMap | None = None) -> list[FeedEntry]:
    """Entries of an RSS 2.0 / RSS 1.0 / Atom feed, in feed order; links mapped to real URLs."""
    urls = urls or UrlMap()
    root = _parse_xml(body)
    if root is None:
        return []
    base = _text(root, "./*[local-name()='channel']/*[local-name()='link']") or ""
    out: list[FeedEntry] = []
    for node in root.xpath("//*[local-name()='item' or local-name()='entry']"):
        link = (_text(node, "./*[local-name()='link'][not(@rel) or @rel='alternate']/@href")
                or _text(node, "./*[local-name()='link']")
                or _text(node, "./*[local-name()='guid'][not(@isPermaLink='false')]") or "")
        link = urls.to_real(urljoin(base, _unescape(link).strip())) if link else ""
        when = None
        for name in ("pubDate", "published", "issued", "date", "updated", "modified"):
            value = _text(node, f"./*[local-name()='{name}']")
            if value and (when := _feed_date(value)):
                break
        summary = ""
        for name in ("description", "summary", "encoded", "content"):
            value = _text(node, f"./*[local-name()='{name}']")
            if value and (summary := _plain(value)):
                break
        title = _unescape(_text(node, "./*[local-name()='title']"))
        out.append(FeedEntry(link=link, title=clean_text(title).replace("\n", " "),
                             published=when, summary=summary))
    return out


def sitemap_links(body: bytes, urls: UrlMap | None = None) -> list[tuple[str, datetime | None]]:
    """Page URLs and their ``lastmod`` from a ``<urlset>`` sitemap (empty for a sitemap index)."""
    return _sitemap(body, "urlset", "url", urls)


def sitemap_children(body: bytes, urls: UrlMap | None = None) -> list[str]:
    """Child sitemap URLs from a ``<sitemapindex>`` (empty for a plain sitemap): fetch and read each again."""
    return [url for url, _ in _sitemap(body, "sitemapindex", "sitemap", urls)]


def _sitemap(body: bytes, root_name: str, entry: str, urls: UrlMap | None) -> list[tuple[str, datetime | None]]:
    urls = urls or UrlMap()
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError):
            return []
    root = _parse_xml(body)
    if root is None or etree.QName(root).localname != root_name:
        return []
    out: list[tuple[str, datetime | None]] = []
    for node in root.xpath(f"./*[local-name()='{entry}']"):
        loc = _text(node, "./*[local-name()='loc']").strip()
        if loc:
            lastmod = _text(node, "./*[local-name()='lastmod']").strip()
            out.append((urls.to_real(loc), parse_iso_datetime(lastmod) if lastmod else None))
    return out


def _parse_xml(body: bytes) -> etree._Element | None:
    body = body.lstrip()
    try:
        return etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except etree.XMLSyntaxError:
        pass
    # The bytes contradict the declaration: decode them like HTML and parse leniently.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", decode_html(body, None))
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, encoding="utf-8")
    try:
        return etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError:
        return None


def _text(node: etree._Element, xpath: str) -> str:
    found = node.xpath(xpath)
    if not found:
        return ""
    first = found[0]
    return first if isinstance(first, str) else "".join(first.itertext())


def _unescape(value: str) -> str:
    """Decode HTML entities that Dynasty puts inside CDATA (``keitti&ouml;n``), where XML leaves them."""
    return html.unescape(value) if _ENTITY.search(value) else value


def _feed_date(value: str) -> datetime | None:
    value = value.strip()
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is not None:
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(HELSINKI)
    return parse_iso_datetime(value) or parse_publication_stamp(value)


def _plain(value: str) -> str:
    m = _CDATA_WRAP.match(value)  # the Liferay quirk: an escaped literal CDATA wrapper
    if m:
        value = m[1]
    if "<" not in value:
        return clean_text(html.unescape(value)).replace("\n", " ")
    return block_text(Selector(text=f"<div>{value}</div>").css("div")[0])
