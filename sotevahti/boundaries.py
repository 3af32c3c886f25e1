"""Where a crawl may go: configured hosts only, over http(s) on their usual ports, and what
robots.txt allows, asked before a host's first request.

Plain functions and one small state class; ``middlewares/guard.py`` applies them to every
request Scrapy is about to download, redirects included.

In ``--mirror`` mode every real URL is fetched from ``http://127.0.0.1:PORT/<host>/…``, so the
mirror's own address is the one netloc allowed, and the *real* host behind each mirrored URL
must still be a configured one: a link to an unconfigured host is refused on the mirror as it
would be on the web, and a test sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from protego import Protego

from .urls import UrlMap

#: Ports a real https/http site may be reached on.
_USUAL_PORTS = {"https": (None, 443), "http": (None, 80)}


def refusal(url: str, allowed_hosts: set[str], urls: UrlMap) -> str | None:
    """Why ``url`` may not be fetched (``"scheme"``, ``"port"``, ``"offsite"``), or ``None``.

    A host is allowed when it, or a domain it is under, is configured (``www.stm.fi`` under ``stm.fi``).

    >>> refusal("ftp://stm.fi/x", {"stm.fi"}, UrlMap())
    'scheme'
    >>> refusal("https://stm.fi:8443/x", {"stm.fi"}, UrlMap())
    'port'
    >>> m = UrlMap("http://127.0.0.1:8080")
    >>> refusal("http://127.0.0.1:8080/stm.fi/x", {"stm.fi"}, m)
    >>> refusal("http://127.0.0.1:8080/evil.example/x", {"stm.fi"}, m)
    'offsite'

    >>> refusal("http://127.0.0.1:9999/stm.fi/x", {"stm.fi"}, m)
    'port'
    """
    parts = urlsplit(url)
    if parts.scheme not in _USUAL_PORTS or not parts.hostname:
        return "scheme"
    try:
        port = parts.port
    except ValueError:
        return "port"
    if urls.mirror:
        mirror = urlsplit(urls.mirror)
        if (parts.hostname, port) != (mirror.hostname, mirror.port):
            return "port" if parts.hostname == mirror.hostname else "offsite"
        if parts.path in ("/robots.txt", "/"):
            return None
        host = urlsplit(urls.to_real(url)).hostname or ""
    else:
        if port not in _USUAL_PORTS[parts.scheme]:
            return "port"
        host = parts.hostname
    return None if _under(host.lower(), allowed_hosts) else "offsite"


def _under(host: str, allowed: set[str]) -> bool:
    return any(host == a or host.endswith("." + a) or (a.startswith("www.") and host == a[4:]) for a in allowed)


def robots_url(url: str) -> tuple[str, str]:
    """``(netloc, robots.txt URL)`` of the host serving ``url``."""
    parts = urlsplit(url)
    return parts.netloc, f"{parts.scheme}://{parts.netloc}/robots.txt"


@dataclass
class RobotsRules:
    """What each host's robots.txt said in this crawl.

    A host is *unavailable* when its robots.txt could not be read (a 5xx answer, a timeout, a
    reset): that is "try later", so nothing on it is fetched in this crawl. A 4xx answer means
    there are no rules (the usual reading); a 2xx answer is parsed.
    """

    parsers: dict[str, Protego | None] = field(default_factory=dict)
    #: netloc → why its robots.txt could not be read: ``robots_unavailable`` (5xx) or a network error kind
    unavailable: dict[str, str] = field(default_factory=dict)

    def known(self, netloc: str) -> bool:
        """Whether the host's robots.txt has been read (or failed) in this crawl."""
        return netloc in self.parsers or netloc in self.unavailable

    def record(self, netloc: str, status: int | None, body: bytes, error: str = "robots_unavailable") -> None:
        """The answer to the host's robots.txt request; ``status=None`` for a network failure of kind ``error``."""
        if status is None or status >= 500:
            self.unavailable[netloc] = error if status is None else "robots_unavailable"
        elif 200 <= status < 300:
            self.parsers[netloc] = Protego.parse(body.decode("utf-8", errors="replace"))
        else:
            self.parsers[netloc] = None

    def verdict(self, url: str, user_agent: str) -> str | None:
        """``"robots_forbidden"``, why the host is unavailable (``"robots_unavailable"``,
        ``"connection"``…), or ``None`` (allowed)."""
        netloc = urlsplit(url).netloc
        if netloc in self.unavailable:
            return self.unavailable[netloc]
        parser = self.parsers.get(netloc)
        if parser is not None and not parser.can_fetch(url, user_agent):
            return "robots_forbidden"
        return None
