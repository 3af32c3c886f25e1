"""URL helpers shared by every spider: the mirror mapping and plain normalisation.

Tests and the demo serve the real sites from a local mirror, at ``http://127.0.0.1:PORT/<host>/<path>``.
Spiders always think in real URLs: they fetch through :meth:`UrlMap.to_fetch` and record what
they read through :meth:`UrlMap.to_real`, so an item crawled from the mirror has the same
canonical URL and GUID as one crawled from the real site.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit


@dataclass(frozen=True)
class UrlMap:
    """Maps real https URLs onto a local mirror and back; the identity when ``mirror`` is ``None``."""

    mirror: str | None = None

    def to_fetch(self, real_url: str) -> str:
        """The URL to request for a real URL: ``https://stm.fi/x`` → ``http://127.0.0.1:8080/stm.fi/x``."""
        if not self.mirror:
            return real_url
        parts = urlsplit(real_url)
        if not parts.hostname or parts.scheme not in ("http", "https"):
            return real_url
        rest = urlunsplit(("", "", parts.path or "/", parts.query, ""))
        return f"{self.mirror.rstrip('/')}/{parts.hostname}{rest}"

    def to_real(self, fetched_url: str) -> str:
        """The real URL behind a fetched one (inverse of :meth:`to_fetch`)."""
        base = (self.mirror or "").rstrip("/") + "/"
        if not self.mirror or not fetched_url.startswith(base):
            return fetched_url
        host, _, rest = fetched_url[len(base):].partition("/")
        return f"https://{host}/{rest}"

    def join(self, page_real_url: str, href: str) -> str:
        """Resolve a link found on a page to a real URL.

        On the mirror a root-relative link carries the host as its first path segment
        (``/stm.fi/-/1271139/x``); on the real site it does not (``/-/1271139/x``).
        """
        if not self.mirror:
            return urljoin(page_real_url, href)
        fetched = urljoin(self.to_fetch(page_real_url), href)
        return self.to_real(fetched)


def host_of(url: str) -> str:
    """The lower-case host name of a URL, without ``www.``."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


# Query parameters that say how a page was reached, not which page it is: Liferay's
# ``?redirect=`` back link, sttinfo.fi's ``?publisherId=`` of the publisher page it was listed on,
# and click trackers.
_NAVIGATION_PARAMS = {"redirect", "publisherid", "fbclid", "gclid"}
_DEFAULT_PORTS = {"https": 443, "http": 80}


def canonical_item_url(url: str) -> str:
    """One URL per page: lower-case host, no default port, no fragment, no navigation parameters.

    Dynasty feeds link ``https://host:443/cgi/…``; the same item linked without the port is the same item.

    >>> canonical_item_url("https://luhva-d10julk.oncloudos.com:443/cgi/DREQUEST.PHP?page=meetingitem&id=2023277-5")
    'https://luhva-d10julk.oncloudos.com/cgi/DREQUEST.PHP?page=meetingitem&id=2023277-5'
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return url
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = parts.hostname.lower() + (f":{port}" if port and port != _DEFAULT_PORTS[parts.scheme] else "")
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if k.lower() not in _NAVIGATION_PARAMS and not k.lower().startswith("utm_")]
    query = parts.query if len(kept) == len(pairs) else urlencode(kept, safe="/:")
    return urlunsplit((parts.scheme, netloc, parts.path or "/", query, ""))
