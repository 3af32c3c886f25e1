"""The sources config (``sources.toml``): what to crawl, and how to file what is found.

Each ``[[source]]`` names the spider that reads it (``platform``), the organisation and region
its items are filed under, its real https start and feed URLs, and its topic filter. The file
is validated on load; every problem is one line of :class:`ConfigError`, so a typo never
passes silently (urlwatch drops unknown keys; we refuse them).

Example entry::

    [[source]]
    id = "stm"
    name = "Sosiaali- ja terveysministeriö"
    platform = "liferay"
    organisation = "Sosiaali- ja terveysministeriö"
    region = "national"
    languages = ["fi", "sv", "en"]
    start_urls = ["https://stm.fi/ajankohtaista/uutiset"]
    feed_urls = []
    topic = "reform"
"""

from __future__ import annotations

import codecs
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cssselect import SelectorError
from parsel.csstranslator import HTMLTranslator

from .notify_config import NotifyTarget, parse_notify_targets
from .regions import is_known_region
from .schema import ITEM_KINDS
from .topic import DEFAULT_IGNORE, DEFAULT_STEMS, TopicFilter

#: Spiders that exist; a source naming another platform is a config error.
#: liferay: the government sites; lausuntopalvelu: the OData API; listing: any site read through
#: selectors (with generic fallbacks), feeds and sitemaps; page: a watched page (the page is the item).
PLATFORMS: frozenset[str] = frozenset({"liferay", "lausuntopalvelu", "listing", "page"})
SELECTOR_KEYS: frozenset[str] = frozenset({"item", "next", "title", "date", "body"})
LANGUAGES: frozenset[str] = frozenset({"fi", "sv", "en"})

_SOURCE_KEYS = {
    "id": str, "name": str, "platform": str, "organisation": str, "region": str,
    "languages": list, "start_urls": list, "feed_urls": list, "topic": (str, dict),
    "hosts": list, "max_pages": int, "backfill_pages": int, "legacy": bool, "enabled": bool, "notes": str,
    "selectors": dict, "sitemap_urls": list, "organisations": list, "encoding": str, "format": str,
    "item_kind": str, "ignore": list, "expected_cadence_days": int, "max_error_share": float,
    "republishes": str,
}
_REQUIRED = ("id", "name", "platform", "organisation", "region", "languages")
_FEED_KEYS = {"title": str, "description": str, "public_url": str, "language": str, "websub_hub": str}
_TOPIC_KEYS = {"stems": list, "ignore": list, "match_all": bool}
_TOP_KEYS = {"feed", "topics", "source", "notify"}
#: A source id names health counters (``sotevahti/<id>/…``), feed paths and log lines.
_SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class ConfigError(ValueError):
    """A problem in the sources config, phrased as one line for the user."""


@dataclass(frozen=True)
class Source:
    """One configured source: a site (or one section of it) read by one spider."""

    id: str
    name: str
    platform: str
    organisation: str
    region: str
    languages: tuple[str, ...]
    start_urls: tuple[str, ...]
    feed_urls: tuple[str, ...]
    topic: TopicFilter
    hosts: tuple[str, ...]
    max_pages: int = 5
    backfill_pages: int = 20
    legacy: bool = False
    enabled: bool = True
    selectors: Mapping[str, str] = field(default_factory=dict)
    sitemap_urls: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    encoding: str | None = None
    format: str = "atom"
    item_kind: str = "announcement"
    ignore: tuple[re.Pattern[str], ...] = ()
    expected_cadence_days: int | None = None
    max_error_share: float = 0.25
    #: the id of the source whose releases this one copies (sttinfo.fi republishing a county's)
    republishes: str | None = None

    def urls(self) -> tuple[str, ...]:
        """Every configured URL: start pages, feeds and sitemaps."""
        return self.start_urls + self.feed_urls + self.sitemap_urls

    def allowed_hosts(self) -> set[str]:
        """Hosts this source may fetch from: those of its URLs plus ``hosts`` from the config."""
        return {urlsplit(u).hostname or "" for u in self.urls()} | set(self.hosts)


@dataclass(frozen=True)
class FeedSettings:
    """Channel metadata for the published feeds."""

    title: str = "Sotevahti: sote-uudistuksen tiedotteet"
    description: str = ("Sosiaali- ja terveydenhuollon uudistuksen tiedotteet ja uutiset "
                        "ministeriöistä ja hyvinvointialueilta.")
    public_url: str = "https://example.org/sotevahti/"
    language: str = "fi"
    #: a WebSub hub the feeds name (``rel="hub"``) and that each crawl pings about changed feeds
    websub_hub: str = ""


@dataclass(frozen=True)
class Config:
    """The whole sources config."""

    sources: tuple[Source, ...]
    feed: FeedSettings = field(default_factory=FeedSettings)
    #: ``[[notify]]`` targets (see :mod:`sotevahti.notify_config`)
    notify: tuple[NotifyTarget, ...] = ()

    def get(self, source_id: str) -> Source:
        """Return a source by id, or raise :class:`ConfigError` naming the known ids."""
        for s in self.sources:
            if s.id == source_id:
                return s
        known = ", ".join(s.id for s in self.sources)
        raise ConfigError(f"unknown source {source_id!r} (known: {known})")

    def select(self, ids: list[str] | None = None, platform: str | None = None) -> list[Source]:
        """Sources by id (all enabled ones when ``ids`` is empty), optionally of one platform."""
        chosen = [self.get(i) for i in ids] if ids else [s for s in self.sources if s.enabled]
        return [s for s in chosen if platform is None or s.platform == platform]


def default_sources_path() -> Path:
    """``$SOTEVAHTI_SOURCES`` or ``sources.toml`` next to ``monitor.py``."""
    env = os.environ.get("SOTEVAHTI_SOURCES")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "sources.toml"


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read and validate a sources file.

    :param path: the TOML file; defaults to :func:`default_sources_path`.
    :raises ConfigError: on a missing file, bad TOML, an unknown key, a missing or non-https
        URL, an unknown platform or region, or a duplicate id.
    """
    p = Path(path) if path is not None else default_sources_path()
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{p}: file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{p}: not valid TOML: {e}") from None
    return parse_config(raw, str(p))


def parse_config(raw: dict[str, Any], where: str = "sources.toml") -> Config:
    """Validate an already-parsed config mapping (see :func:`load_config`)."""
    _no_unknown(raw, _TOP_KEYS, where)
    feed = FeedSettings(**_checked(raw.get("feed", {}), _FEED_KEYS, f"{where}: [feed]"))
    for key in ("public_url", "websub_hub"):   # issue 14: publishing
        value = getattr(feed, key)
        if value and (urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).hostname):
            raise ConfigError(f"{where}: [feed] {key} {value!r} is not an absolute http(s) URL")
    topics = {"reform": TopicFilter(), "all": TopicFilter(match_all=True)}
    for name, table in raw.get("topics", {}).items():
        topics[name] = _topic(table, f"{where}: [topics.{name}]")
    entries = raw.get("source", [])
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{where}: no [[source]] entries")
    sources: list[Source] = []
    seen: set[str] = set()
    for n, entry in enumerate(entries, 1):
        src = _source(entry, topics, f"{where}: source #{n}")
        if src.id in seen:
            raise ConfigError(f"{where}: duplicate source id {src.id!r}")
        seen.add(src.id)
        sources.append(src)
    ids = {s.id for s in sources}
    for src in sources:
        if src.republishes and (src.republishes not in ids or src.republishes == src.id):
            raise ConfigError(f"{where}: source {src.id!r}: 'republishes' names no other source "
                              f"({src.republishes!r})")
    notify = parse_notify_targets(raw.get("notify", []), where)   # [[notify]]: sotevahti/notify_config.py
    return Config(sources=tuple(sources), feed=feed, notify=notify)


def _source(entry: Any, topics: dict[str, TopicFilter], where: str) -> Source:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: must be a table")
    if isinstance(entry.get("id"), str):
        where = f"{where.rsplit(': ', 1)[0]}: source {entry['id']!r}"
    e = _checked(entry, _SOURCE_KEYS, where)
    for key in _REQUIRED:
        if not e.get(key):
            raise ConfigError(f"{where}: missing required key {key!r}")
    if not _SOURCE_ID.match(e["id"]):
        raise ConfigError(f"{where}: id {e['id']!r} may only hold lower-case letters, digits, '-' and '_'")
    if e["platform"] not in PLATFORMS:
        raise ConfigError(f"{where}: unknown platform {e['platform']!r} (known: {', '.join(sorted(PLATFORMS))})")
    if not is_known_region(e["region"]):
        raise ConfigError(f"{where}: unknown region {e['region']!r} (use 'national', 'hus' or a county code 01-21, 90)")
    bad_langs = set(e["languages"]) - LANGUAGES
    if bad_langs:
        raise ConfigError(f"{where}: unknown language(s) {sorted(bad_langs)} (use fi, sv, en)")
    start, feeds, sitemaps = e.get("start_urls", []), e.get("feed_urls", []), e.get("sitemap_urls", [])
    if not start and not feeds and not sitemaps:
        raise ConfigError(f"{where}: needs at least one URL in start_urls, feed_urls or sitemap_urls")
    selectors = e.get("selectors", {})
    _no_unknown(selectors, SELECTOR_KEYS, f"{where}: selectors")
    if not all(isinstance(v, str) and v.strip() for v in selectors.values()):
        raise ConfigError(f"{where}: every selector must be a non-empty CSS string")
    for key, css in selectors.items():
        try:
            HTMLTranslator().css_to_xpath(css)
        except SelectorError as err:
            raise ConfigError(f"{where}: selector {key!r} is not valid CSS: {css!r} ({err})") from None
    ignore = []
    for pattern in e.get("ignore", []):
        try:
            ignore.append(re.compile(pattern, re.IGNORECASE | re.MULTILINE))
        except re.error as err:
            raise ConfigError(f"{where}: bad regular expression in 'ignore': {pattern!r} ({err})") from None
    max_pages, backfill_pages = e.get("max_pages", 5), e.get("backfill_pages", max(20, e.get("max_pages", 5)))
    if max_pages < 1:
        raise ConfigError(f"{where}: 'max_pages' must be at least 1")
    if backfill_pages < max_pages:
        raise ConfigError(f"{where}: 'backfill_pages' must be at least 'max_pages' ({max_pages})")
    if not 0 < e.get("max_error_share", 0.25) <= 1:
        raise ConfigError(f"{where}: 'max_error_share' must be between 0 and 1")
    if e.get("max_pages", 5) < 1:
        raise ConfigError(f"{where}: 'max_pages' must be at least 1 (listing pages to read per crawl)")
    if e.get("expected_cadence_days", 1) < 1:
        raise ConfigError(f"{where}: 'expected_cadence_days' must be at least 1")
    if e.get("item_kind", "announcement") not in ITEM_KINDS:
        raise ConfigError(f"{where}: 'item_kind' must be one of {', '.join(ITEM_KINDS)}")
    if e.get("format", "atom") not in ("atom", "json"):
        raise ConfigError(f"{where}: 'format' must be \"atom\" or \"json\"")
    if e.get("encoding"):
        try:
            codecs.lookup(e["encoding"])
        except LookupError:
            raise ConfigError(f"{where}: unknown encoding {e['encoding']!r}") from None
    for url in [*start, *feeds, *sitemaps]:
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme != "https" or not parts.hostname:
            raise ConfigError(f"{where}: {url!r} is not an absolute https URL")
    topic = e.get("topic", "reform")
    if isinstance(topic, dict):
        topic_filter = _topic(topic, f"{where}: topic")
    elif topic in topics:
        topic_filter = topics[topic]
    else:
        raise ConfigError(f"{where}: unknown topic {topic!r} (known: {', '.join(sorted(topics))})")
    return Source(
        id=e["id"], name=e["name"], platform=e["platform"], organisation=e["organisation"],
        region=e["region"], languages=tuple(e["languages"]), start_urls=tuple(start),
        feed_urls=tuple(feeds), topic=topic_filter, hosts=tuple(e.get("hosts", [])),
        max_pages=max_pages, backfill_pages=backfill_pages, legacy=e.get("legacy", False),
        enabled=e.get("enabled", True),
        selectors=dict(selectors), sitemap_urls=tuple(sitemaps), organisations=tuple(e.get("organisations", [])),
        encoding=e.get("encoding") or None, format=e.get("format", "atom"),
        item_kind=e.get("item_kind", "announcement"), ignore=tuple(ignore),
        expected_cadence_days=e.get("expected_cadence_days"), max_error_share=float(e.get("max_error_share", 0.25)),
        republishes=e.get("republishes") or None,
    )


def _topic(table: Any, where: str) -> TopicFilter:
    t = _checked(table, _TOPIC_KEYS, where)
    return TopicFilter(
        stems=tuple(t.get("stems", DEFAULT_STEMS)),
        ignore=tuple(t.get("ignore", DEFAULT_IGNORE)),
        match_all=t.get("match_all", False),
    )


def _checked(table: Any, schema: dict[str, Any], where: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table")
    _no_unknown(table, schema, where)
    for key, value in table.items():
        if not isinstance(value, schema[key]) or (isinstance(value, bool) and schema[key] is int):
            if not (schema[key] is float and isinstance(value, int) and not isinstance(value, bool)):
                raise ConfigError(f"{where}: {key!r} has the wrong type ({type(value).__name__})")
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: {key!r} must be a list of strings")
    return table


def _no_unknown(table: dict[str, Any], allowed: Any, where: str) -> None:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")
