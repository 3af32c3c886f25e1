"""What ``probe`` was given, so it warns only about what such a page should have.

A saved page is not always a whole page. The archived samples in ``shared/real-samples/`` show
the other forms: a text extraction that stops inside the page head (menus and the language
chooser, no article yet), a file of sttinfo.fi header lines, a markup excerpt of an item page's
content area. A missing title or date is news on a whole article page and expected on those; a
listing saved as text keeps no links, and a configured selector cannot match where no markup
survived. Those are said as notes, not warnings.
"""

from __future__ import annotations

from typing import Any

from parsel import Selector

from . import liferay
from .generic import sttinfo_header
from .urls import canonical_item_url

#: the warnings that mean "not an article" rather than "a broken article"
NO_TITLE, NO_DATE = "no title found", "no publication date found"


def header_lines(text: str) -> list[tuple[str, str]] | None:
    """``(header line, page URL or "")`` when every line of ``text`` is an sttinfo.fi header line.

    >>> header_lines("# seen on sttinfo.fi\\n26.11.2021 12:45:52 EET | Tiedote\\thttps://www.sttinfo.fi/tiedote/1")
    [('26.11.2021 12:45:52 EET | Tiedote', 'https://www.sttinfo.fi/tiedote/1')]
    """
    rows = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        header, _, url = line.partition("\t")
        if sttinfo_header(header)[0] is None:
            return None
        rows.append((header.strip(), url.strip()))
    return rows or None


def header_fields(rows: list[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """Each header line's time, organisation and type, in the order of the lines."""
    read = [sttinfo_header(header) for header, _url in rows]
    return {
        "published": {"value": [when.isoformat() for when, _o, _t in read if when], "from": "sttinfo header line"},
        "organisation": {"value": [org or "-" for _w, org, _t in read], "from": "sttinfo header line"},
        "type": {"value": [kind or "-" for _w, _o, kind in read], "from": "sttinfo header line"},
    }


def header_links(rows: list[tuple[str, str]]) -> list[str]:
    """The page addresses given with the header lines, canonical."""
    return [canonical_item_url(url) for _header, url in rows if url]


def is_whole_page(html: str) -> bool:
    """Whether ``html`` is a page as a server sends it (it has a ``<title>``), not an excerpt."""
    return bool(Selector(text=html).css("title"))


def settle_kind(report: Any, html: str, form: str) -> None:
    """Re-read ``report`` (a :class:`~sotevahti.probe.ProbeReport`) for the form of its input.

    ``form`` is ``html`` or ``text`` (see :func:`sotevahti.probe.read_input`). A page with neither
    title nor date that is not a whole page is a ``page head`` (a text that stops before the
    article) or a ``fragment`` (a markup excerpt). On a text sample, zero links and unmatched
    selectors are notes: the archive kept no links or markup.
    """
    whole = form == "html" and is_whole_page(html)
    fields = report.fields
    nothing = not (fields.get("title") or {}).get("value") and not (fields.get("published") or {}).get("value")
    not_a_listing = report.kind == "listing" and not report.links and liferay.article_ref(report.url) is not None
    if not whole and ((report.kind == "article" and nothing) or not_a_listing):
        report.kind = "page head" if form == "text" else "fragment"
        report.warnings = [w for w in report.warnings if w not in (NO_TITLE, NO_DATE) and not w.startswith("zero")]
        report.notes.append("no article content in this " + (
            "text: it stops in the page's head (menus, language chooser)" if form == "text"
            else "excerpt: it has no <title>, so it is a piece of a page, not a page"))
    if form != "text":
        return
    if report.kind == "listing" and not report.links:
        report.warnings = [w for w in report.warnings if not w.startswith("zero article links")]
        report.notes.append("a text sample keeps no links: the listing's article links cannot be checked here")
    misses = [w for w in report.warnings if w.startswith("configured selector")]
    if misses:
        report.warnings = [w for w in report.warnings if w not in misses]
        report.notes.append(f"{len(misses)} configured selector(s) not checked: a text sample keeps no markup")
