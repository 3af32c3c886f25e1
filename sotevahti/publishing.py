"""Publishing the feeds: a real crawl needs a real ``public_url``, and a WebSub hub hears of changes.

**What counts as a real crawl.** ``monitor.py crawl`` and ``monitor.py schedule`` without
``--mirror`` fetch the real sites, and the feeds they write are meant to be read by others; their
``<atom:link rel="self">``, OPML links and GUID-free entry links must then not point at
``https://example.org/sotevahti/``. A crawl with ``--mirror`` (the demo, the tests, trying things
out) is not real, nor is one whose sources are all on 127.0.0.1 or localhost. ``monitor.py feeds``
only rebuilds files from a database a crawl made, so it is not checked: a real database's crawl
was already refused.

**WebSub** (W3C, 2018). With ``[feed] websub_hub`` set, every feed names the hub
(``<atom:link rel="hub">``), and after a crawl each feed file the crawl changed is announced to
the hub with a ``hub.mode=publish`` POST, so the hub's subscribers get it at once instead of at
their next poll. A hub that fails is one warning; the crawl stays successful.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

from .sources import ConfigError, FeedSettings, Source

#: The placeholder in ``sources.toml`` and :class:`~sotevahti.sources.FeedSettings`.
EXAMPLE_PUBLIC_URL = FeedSettings().public_url
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: Seconds one hub request may take.
HUB_TIMEOUT = 10.0


def is_real_crawl(sources: Iterable[Source], mirror: str | None) -> bool:
    """Whether a crawl of ``sources`` reads the real sites: no ``--mirror``, and some URL off this machine.

    >>> is_real_crawl([], "http://127.0.0.1:8765")
    False
    """
    if mirror:
        return False
    return any((urlsplit(u).hostname or "") not in LOCAL_HOSTS for s in sources for u in s.urls())


def check_public_url(settings: FeedSettings, sources: Iterable[Source], mirror: str | None,
                     where: str = "sources.toml") -> None:
    """Refuse a real crawl whose feeds would say they live at the example address.

    :raises ConfigError: one line naming the file and the key to set.
    """
    if settings.public_url.rstrip("/") == EXAMPLE_PUBLIC_URL.rstrip("/") and is_real_crawl(sources, mirror):
        raise ConfigError(
            f"{where}: [feed] public_url is still the example {EXAMPLE_PUBLIC_URL}; set it to the address the "
            'feeds will be served from, e.g. public_url = "https://sotevahti.example.fi/" (README: Publish the feeds)')


def changed_feed_urls(changed: Sequence[Path], public_dir: Path, settings: FeedSettings) -> list[str]:
    """Public URLs of the changed feed files (``.xml`` under ``public_dir``), in the order written.

    >>> changed_feed_urls([Path("p/feed.xml"), Path("p/feeds/language/sv.xml")], Path("p"),
    ...                   FeedSettings(public_url="https://sotevahti.example.fi/"))
    ['https://sotevahti.example.fi/feed.xml', 'https://sotevahti.example.fi/feeds/language/sv.xml']
    """
    base = settings.public_url.rstrip("/")
    out = []
    for path in changed:
        if path.suffix == ".xml":
            out.append(f"{base}/{Path(path).resolve().relative_to(Path(public_dir).resolve()).as_posix()}")
    return out


def ping_hub(hub: str, feed_urls: Sequence[str], user_agent: str, timeout: float = HUB_TIMEOUT) -> str | None:
    """POST ``hub.mode=publish&hub.url=<feed>`` to ``hub`` for each feed URL; stops at the first failure.

    :return: ``None`` when every ping was accepted (any 2xx), else one warning line.
    """
    for url in feed_urls:
        body = urlencode({"hub.mode": "publish", "hub.url": url}).encode()
        request = Request(hub, data=body, method="POST", headers={
            "User-Agent": user_agent, "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urlopen(request, timeout=timeout) as response:
                status = response.status
        except HTTPError as e:
            status = e.code
        except (URLError, OSError, ValueError) as e:
            reason = getattr(e, "reason", e)
            return f"WebSub hub {hub} did not take the ping for {url}: {reason}"
        if not 200 <= status < 300:
            return f"WebSub hub {hub} answered {status} to the ping for {url}"
    return None


def announce_changes(changed: Sequence[Path], public_dir: Path, settings: FeedSettings,
                     user_agent: str) -> dict[str, object]:
    """Ping the configured hub about the changed feeds (nothing without a hub or a change).

    :return: ``{"hub", "pinged": [feed URLs], "warning": str | None}``: the crawl's ``websub`` record.
    """
    urls = changed_feed_urls(changed, public_dir, settings) if settings.websub_hub else []
    warning = ping_hub(settings.websub_hub, urls, user_agent) if urls else None
    return {"hub": settings.websub_hub or None, "pinged": [] if warning else urls, "warning": warning}
