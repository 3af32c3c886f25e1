"""When a generically read page was published: the fallback chain of :func:`sotevahti.generic.extract_page`.

A configured ``date`` selector first (its ``datetime``/``content`` attribute or its text), then
``<time datetime>``, the ``article:published_time``/``date``/``DC.date`` meta tags, JSON-LD
``datePublished``, a stamp in the text (the sttinfo header, Dynasty's ``Pöytäkirja 04.12.2023/Pykälä
198``, ``Julkaistu 3.11.2025``), then htmldate.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from functools import lru_cache

from parsel import Selector

from .clock import current_time
from .dates import HELSINKI, parse_iso_datetime, parse_publication_stamp
from .generic_feeds import sttinfo_header
from .htmltext import block_text, clean_text

_MINUTES_STAMP = re.compile(
    r"(?:Pöytäkirja|Protokoll)\s+(\d{1,2})\.(\d{1,2})\.(\d{4})\s*/\s*(?:Pykälä|Paragraf|§)"
    r"|(\d{1,2})\.(\d{1,2})\.(\d{4})\s*§\s*\d+", re.I)
_PUBLISHED_LABEL = re.compile(
    r"\b(?:Julkaistu|Julkaisuajankohta|Julkaisupäivä|Julkaisupäivämäärä|Utgivningsdatum|Publicerad|Publicerat"
    r"|Artikel publicerad|Published|Publication date)\b", re.I)
_META_DATES = ("article:published_time", "og:article:published_time", "date", "dc.date", "dc.date.issued",
               "dcterms.created", "datepublished")



def selected_date(sel: Selector, query: str) -> datetime | None:
    """The time in the nodes a ``date`` selector matches: ``datetime``/``content`` attributes, else their text."""
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


def generic_date(html: str, url: str, sel: Selector, root: Selector,
                 now: datetime | None = None) -> datetime | None:
    """The publication time of a page without a working ``date`` selector (see the module docstring).

    ``root`` is the page's content area; ``sel`` the whole page.
    """
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
    return found or _htmldate(html, url, now)


def _json_values(data: object, key: str) -> Iterator[object]:
    if isinstance(data, dict):
        if key in data:
            yield data[key]
        for value in data.values():
            yield from _json_values(value, key)
    elif isinstance(data, list):
        for value in data:
            yield from _json_values(value, key)


@lru_cache(maxsize=1)
def _find_date() -> Callable[..., str | None]:
    """htmldate's ``find_date``, made to read no clock when it is given its latest date.

    htmldate computes its default latest date, the end of today by ``datetime.now()``, before it
    looks at the ``max_date`` it was given, so every call read the clock even though ours always
    gives the crawl's "now". Its ``get_max_date`` in ``htmldate.core`` is replaced once, here, by one
    that computes the default only when no latest date is given (trafilatura's calls, for one), so
    every answer stays the same. Imported on first use: htmldate is 55 ms of start-up, and a source
    with its own date fields never needs it.
    """
    import htmldate.core
    import htmldate.validators

    def max_date_or_end_of_today(max_date: object) -> datetime:
        given = htmldate.validators.check_date_input(max_date, None) if max_date is not None else None
        return given if given is not None else htmldate.validators.get_max_date(max_date)

    htmldate.core.get_max_date = max_date_or_end_of_today
    return htmldate.core.find_date


def _htmldate(html: str, url: str, now: datetime | None) -> datetime | None:
    # htmldate takes no date after the crawl's "now"
    latest = (now or current_time()).astimezone(HELSINKI).date().isoformat()
    try:
        found = _find_date()(html, url=url, original_date=True, outputformat="%Y-%m-%d", max_date=latest)
    except Exception:  # htmldate raises on odd input; the date is then unknown, not fatal
        return None
    if not found:
        return None
    try:
        return datetime.combine(date.fromisoformat(found), time(0), HELSINKI)
    except ValueError:
        return None
