"""A fault-injecting mirror: the real mirror's sites, with chosen pages made to fail.

:class:`FaultySites` wraps the mirror's site families. Each
target page answers with its fault instead (:data:`FAULTS` lists them all) once ``phase`` is 1;
a fault marked ``once`` heals in phase 2. :func:`plan_faults` gives every fault its own target page,
picked with a seeded random generator from the pages a first crawl stored, so ``--faults 13``
always injects the same faults into the same pages.

Used by ``tests/test_faults.py`` and by ``monitor.py demo --faults SEED``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from .server import Page, Site

#: The hang is this much longer than the crawl's download timeout (``SOTEVAHTI_DOWNLOAD_TIMEOUT``).
HANG_SECONDS = 6.0
TIMEOUT_SECONDS = 4.0
HOSTILE = ("Ohjaus\x01ryhmä ]]> <script>alert(1)</script> \u202eeteet\u202c "
           '<a href="javascript:alert(1)">linkki</a>')


@dataclass(frozen=True)
class Fault:
    """One kind of fault.

    :param name: its id in tests and in RELIABILITY.md.
    :param must: what the crawl must do, in words.
    :param shows_as: the ``status --json`` error or warning counter that must show it; ``also``
        names another that may show it instead.
    :param once: heals in the epoch after it first appears.
    :param removal: the page really went: one removal entry (on the second check) is right.
    :param edit: the page really changed (hostile content): one update entry is right.
    """

    name: str
    must: str
    shows_as: str
    also: str | None = None
    once: bool = False
    removal: bool = False
    edit: bool = False


FAULTS: tuple[Fault, ...] = (
    Fault("http_500", "count a 5xx error, keep the item", "http_5xx"),
    Fault("http_503_retry_after", "count a 5xx error, keep the item", "http_5xx"),
    Fault("hang", "time out within the download timeout, keep the item", "timeout"),
    Fault("reset", "count a connection error, keep the item", "connection"),
    Fault("truncated_with_length", "refuse the cut body (data loss), keep the item", "truncated"),
    Fault("truncated_no_length", "refuse the cut body (no </html>), keep the item", "truncated"),
    Fault("wrong_charset_header", "decode UTF-8 bytes as UTF-8 despite charset=iso-8859-1: no change",
          "charset_mismatch"),
    Fault("cp1252_as_utf8", "decode Windows-1252 bytes labelled UTF-8 correctly: no change", "charset_mismatch"),
    Fault("latin1_as_utf8", "decode ISO-8859-1 bytes labelled UTF-8 correctly: no change", "charset_mismatch"),
    Fault("mojibake", "keep the stored text when the new one has mojibake", "mojibake"),
    Fault("redirect_loop", "stop after the redirect limit, keep the item", "redirect_loop"),
    Fault("offsite_redirect", "not follow a redirect to an unconfigured host", "offsite"),
    Fault("other_port_redirect", "not follow a redirect to the same host on another port", "port"),
    Fault("soft_404_redirect", "a redirect to the listing is a soft 404, not a version", "soft_404"),
    Fault("soft_404_listing_body", "a body that is no article is a health event, not a version", "not_article"),
    Fault("shrunk_body", "a body much shorter than the stored one is held back (as no article when the cut "
          "leaves no text)", "shrunk", also="not_article"),
    Fault("http_404_once", "one 404 publishes nothing", "http_404", once=True),
    Fault("http_410_once", "one 410 publishes nothing", "http_410", once=True),
    Fault("http_404_always", "two 404s a day apart: removed, announced once", "http_404", removal=True),
    Fault("http_410_always", "two 410s a day apart: removed, announced once", "http_410", removal=True),
    Fault("huge_page", "refuse a 30 MB page (size limit), keep the item", "too_large"),
    Fault("robots_forbids_path", "not fetch a path robots.txt forbids, keep the item", "robots_forbidden"),
    Fault("hostile_content", "store and publish control characters, ]]>, <script>, RTL overrides and a "
          "1 MB title safely: every feed, the .ics and the page stay valid", "unsafe_text", edit=True),
)
BY_NAME = {f.name: f for f in FAULTS}


def fault_page(fault: str, page: Page, real_url: str, mirror: str, listing: str | None = None) -> Page:
    """What a target page answers under ``fault`` (``mirror`` is the mirror's base URL, ``listing``
    the mirror URL of the site's news listing)."""
    parts = urlsplit(real_url)
    here = f"{mirror}/{parts.hostname}{parts.path}" + (f"?{parts.query}" if parts.query else "")
    text = page.body.decode("utf-8", errors="replace")
    if fault == "http_500":
        return Page(b"<html><body>Internal error</body></html>", status=500)
    if fault == "http_503_retry_after":
        return Page(b"<html><body>Busy</body></html>", status=503, headers={"Retry-After": "120"})
    if fault == "hang":
        return replace(page, delay=HANG_SECONDS)
    if fault == "reset":
        return replace(page, reset=True)
    if fault == "truncated_with_length":
        return replace(page, truncate=0.9)
    if fault == "truncated_no_length":
        return replace(page, truncate=0.9, send_length=False)
    if fault == "wrong_charset_header":
        return replace(page, content_type="text/html; charset=iso-8859-1")
    if fault in ("cp1252_as_utf8", "latin1_as_utf8"):
        codec = "cp1252" if fault == "cp1252_as_utf8" else "latin-1"
        # what a real Latin-1 server sends for a character its charset lacks: a character reference
        body = text.replace('charset="utf-8"', "").replace("charset=utf-8", "").encode(
            codec, errors="xmlcharrefreplace")
        return replace(page, body=body, content_type="text/html; charset=utf-8")
    if fault == "mojibake":   # the server itself broke its text: "yhteisty�alueet"
        return replace(page, body=text.replace("ä", "\ufffd").replace("ö", "\ufffd").encode("utf-8"))
    if fault == "redirect_loop":
        return Page(b"", status=302, headers={"Location": here})
    if fault == "offsite_redirect":
        return Page(b"", status=302, headers={"Location": f"{mirror}/evil.example{parts.path}"})
    if fault == "other_port_redirect":
        host = urlsplit(mirror).hostname
        return Page(b"", status=301, headers={"Location": f"http://{host}:9/{parts.hostname}{parts.path}"})
    if fault == "soft_404_redirect":   # to the site's news listing (or its root, when none is known)
        return Page(b"", status=302, headers={"Location": listing or f"{mirror}/{parts.hostname}/"})
    if fault == "soft_404_listing_body":
        return replace(page, body=b"<html><head><title>Pirha nyt</title></head><body><main><h1>Pirha nyt</h1>"
                                  b"<time datetime='2026-12-01T10:00:00+02:00'>1.12.2026</time>"
                                  b"<ul><li><a href='/x'>Uutiset</a></li></ul></main></body></html>")
    if fault == "shrunk_body":
        return replace(page, body=_shrunk(text).encode("utf-8"))
    if fault.startswith("http_404") or fault.startswith("http_410"):
        status = 404 if fault.startswith("http_404") else 410
        return Page(b"<html><body><h1>Sivua ei loytynyt</h1></body></html>", status=status)
    if fault == "huge_page":
        return replace(page, body=page.body + b"<!--" + b"x" * 30_000_000 + b"-->")
    if fault == "hostile_content":
        return replace(page, body=_hostile(text).encode("utf-8"))
    return page


def _hostile(html: str) -> str:
    """The page with a 1 MB hostile heading and a hostile paragraph at the end of its article text."""
    title = "Ohjaus\x01ryhmä " + "pitkä otsikko " * 75_000
    html = re.sub(r"(<h1[^>]*>).*?(</h1>)", lambda m: m[1] + title + m[2], html, count=1, flags=re.S)
    end = max(html.rfind("</main>"), html.rfind("</article>"))
    last = html.rfind("</p>", 0, end if end > 0 else len(html))
    return html[: last + 4] + f"<p>{HOSTILE}</p>" + html[last + 4:] if last >= 0 else html


def _shrunk(html: str) -> str:
    """The page with all but the first paragraph of its article text gone (a server cut it)."""
    start = max(html.find("<main"), html.find("<article"), html.find("<h1"))
    first = html.find("<p", start)
    end = html.find("</p>", first)
    if first < 0 or end < 0:
        return html
    close = html.rfind("</main>") if "</main>" in html else html.rfind("</body>")
    return html[: end + 4] + html[close:]


class FaultySites:
    """The mirror's sites, with :class:`Fault` s applied to target pages while ``phase`` is 1 or more.

    ``phase`` 0: no faults (the first crawl); 1: every fault; 2 and on: the ``once`` faults have
    healed. The sites' own content follows the mirror's epoch as usual.

    :param sites: the mirror's site families.
    :param targets: ``{fault name: real URL}`` (see :func:`plan_faults`); may be set later.
    """

    def __init__(self, sites: Sequence[Site], targets: Mapping[str, str] | None = None) -> None:
        self.sites = list(sites)
        self.phase = 0
        self.hosts = frozenset().union(*(s.hosts for s in self.sites))
        self.set_targets(targets or {})

    def set_targets(self, targets: Mapping[str, str], listings: Mapping[str, str] | None = None) -> None:
        """Choose the target page of each fault: ``{fault name: real URL}``; ``listings`` gives
        each host's news listing (a real URL), where a soft 404 redirects to."""
        self.targets = dict(targets)
        self.listings = dict(listings or {})
        self._by_path = {_key(u): f for f, u in self.targets.items()}

    def render(self, host: str, path: str, query: str, epoch: int, base: str, *, accept: str = "") -> Page | None:
        page = self._inner(host, path, query, epoch, base, accept)
        fault = self._by_path.get((host, path, query))
        if fault is None or page is None or self.phase < 1 or (BY_NAME[fault].once and self.phase > 1):
            return page
        real = f"https://{host}{path}" + (f"?{query}" if query else "")
        listing = self.listings.get(host)
        return fault_page(fault, page, real, base, f"{base}/{listing.split('://', 1)[1]}" if listing else None)

    def _inner(self, host: str, path: str, query: str, epoch: int, base: str, accept: str) -> Page | None:
        import inspect

        for site in self.sites:
            if host in site.hosts:
                extra = {"accept": accept} if "accept" in inspect.signature(site.render).parameters else {}
                return site.render(host, path, query, epoch, base, **extra)
        return None

    def robots_txt(self, base: bytes) -> bytes:
        """The mirror's robots.txt plus a rule forbidding the ``robots_forbids_path`` target."""
        url = self.targets.get("robots_forbids_path")
        if not url:
            return base
        parts = urlsplit(url)
        return base + f"Disallow: /{parts.hostname}{parts.path}\n".encode()


def listings_of(sources: Sequence[Any]) -> dict[str, str]:
    """``{host: first start URL}`` of configured sources: each site's news listing."""
    out: dict[str, str] = {}
    for source in sources:
        for url in source.start_urls:
            out.setdefault(urlsplit(url).hostname or "", url)
    return out


def _key(url: str) -> tuple[str | None, str, str]:
    parts = urlsplit(url)
    return parts.hostname, parts.path, parts.query


def plan_faults(candidates: Sequence[str], seed: int, faults: Sequence[Fault] = FAULTS) -> dict[str, str]:
    """Give each fault its own target among ``candidates`` (real URLs of stored article pages).

    >>> plan_faults(["https://stm.fi/-/1", "https://stm.fi/-/2"], 13, FAULTS[:2]) == \\
    ...     plan_faults(["https://stm.fi/-/2", "https://stm.fi/-/1"], 13, FAULTS[:2])
    True
    """
    pool = sorted(set(candidates))
    if len(pool) < len(faults):
        raise ValueError(f"{len(faults)} faults need as many target pages; only {len(pool)} given")
    random.Random(seed).shuffle(pool)
    return {f.name: url for f, url in zip(faults, pool, strict=False)}
