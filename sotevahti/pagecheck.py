"""Is a fetched page whole, and is it the page that was asked for?

Plain functions over bytes and URLs, used by every spider before it parses a page:

``truncated``  an HTML page whose length the server did not give (or whose connection ended
               early) and that stops before ``</html>``: a download cut off at 90 % looks like a
               shorter article, and must not become one
``soft_404``   a known article that now redirects to a listing, a start page or the site's root
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

_END_OF_HTML = re.compile(rb"</html\s*>|</body\s*>", re.I)
_TAIL = 2048


def is_web_url(url: str) -> bool:
    """Whether a link is an absolute http(s) URL with a host (``javascript:``, ``ftp:``, ``mailto:`` are not).

    >>> is_web_url("https://stm.fi/-/1271139/x"), is_web_url("javascript:void(0)"), is_web_url("ftp://stm.fi/a")
    (True, False, False)
    """
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def looks_truncated(body: bytes, content_type: str, length_unknown: bool) -> bool:
    """An HTML page with no (trustworthy) length that ends before its closing tags.

    >>> looks_truncated(b"<html><body><p>Hyvinvointialueet", "text/html", True)
    True
    >>> looks_truncated(b"<html><body><p>Hyvinvointialueet</p></body></html>", "text/html", True)
    False
    """
    if not length_unknown or "html" not in content_type.lower() or not body.strip():
        return False
    return not _END_OF_HTML.search(body[-_TAIL:])


def is_soft_404(requested: str, landed: str, known: bool, listing_urls: Iterable[str]) -> bool:
    """A known article whose request ended on another page that is a listing or the site's root.

    >>> is_soft_404("https://www.pirha.fi/-/uutinen-1", "https://www.pirha.fi/uutiset", True,
    ...             ["https://www.pirha.fi/uutiset"])
    True
    """
    if not known or not requested or _path(requested) == _path(landed):
        return False
    listings = {_path(u) for u in listing_urls}
    landed_path = _path(landed)
    return landed_path in listings or urlsplit(landed).path in ("", "/")


def page_problem(body: bytes, content_type: str, length_unknown: bool, requested: str, landed: str,
                 known: bool, listing_urls: Iterable[str]) -> str | None:
    """``"truncated"``, ``"soft_404"`` or ``None`` for a page that may be read."""
    if looks_truncated(body, content_type, length_unknown):
        return "truncated"
    if is_soft_404(requested, landed, known, listing_urls):
        return "soft_404"
    return None


def _path(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return (parts.hostname or "").removeprefix("www."), parts.path.rstrip("/")
