"""Scrapy settings for Sotevahti.

Polite by default: robots.txt is obeyed, AutoThrottle is on, the
User-Agent names the project, and a known item page is fetched with a conditional GET
(``If-None-Match`` / ``If-Modified-Since`` from the database, see ``middlewares/conditional.py``):
no page bodies are cached on disk.
``monitor.py crawl`` overrides the ``SOTEVAHTI_*`` settings from its command line.
"""

import os

from scrapy.settings import default_settings as _scrapy_defaults

from sotevahti.cli_parser import fail as _fail


def _env_number(name: str, default: float, kind: type = int) -> float:
    """A positive number from ``$name``, or ``default``; anything else is one line on stderr and exit 2."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = 0
    if not value > 0:
        _fail(f"{name} must be a positive {'whole ' if kind is int else ''}number, not {raw!r}")
    return value


BOT_NAME = "sotevahti"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

USER_AGENT = "Sotevahti/0.1 (sote-uudistuksen seuranta; +https://example.org/sotevahti/)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS_PER_DOMAIN = 2
RETRY_TIMES = 2
# A page yields at most a few items and requests; Scrapy's default of 100 parallel item workers
# per response costs more in task switching than it saves.
CONCURRENT_ITEMS = 16
# The demo crawls one request at a time (sotevahti/demo.py): stm.fi and valtioneuvosto.fi both
# list some articles under their own host, and whichever listing answered first decided where the
# article was fetched, so the demo's printed bytes and per-source counts changed between runs.
CONCURRENT_REQUESTS = _env_number("SOTEVAHTI_CONCURRENT_REQUESTS", 16)   # Scrapy's default
REDIRECT_MAX_TIMES = 5   # a redirect loop costs five requests, then counts as errors_redirect_loop
# Scrapy checks that a generator callback has no "return value" by reading and parsing its source
# (inspect + ast) for every response: its cache holds bound methods by weak reference, and a
# request's bound method dies with the request, so the cache never hits. That was about 0.9 ms of
# every page. tests/test_spiders.py makes the same check once over every spider's callbacks.
WARN_ON_GENERATOR_RETURN_VALUE = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19 opens a remote-control HTTP server (code execution on 127.0.0.1) in every crawl by
# default. A scheduled monitor has no use for it nor for the telnet console. Both are left out of
# the base list itself: an ``EXTENSIONS = {path: None}`` entry would still import its module (Scrapy
# loads every override key to normalise it), and the remote control's imports aiohttp, 0.15 s of
# every crawl's start-up. Scrapy's other base extensions are kept, whatever its version adds.
REMOTE_CONTROL_ENABLED = False
EXTENSIONS_BASE = {path: order for path, order in _scrapy_defaults.EXTENSIONS_BASE.items()
                   if path not in ("scrapy.extensions.remote_control.RemoteControl",
                                   "scrapy.extensions.telnet.TelnetConsole")}

DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "fi,sv;q=0.8,en;q=0.6",
}

# Conditional GETs from stored validators (middlewares/conditional.py), no body cache. At 800 it
# adds its headers before WireStats and DownloaderStats count the request, and sees each response
# after them, so byte and status counts are those of the wire: a 304 is a 304 with no body.
# The guard (middlewares/guard.py) replaces Scrapy's robots.txt middleware: each host's robots.txt
# is read before its first request, a 5xx answer means "not this run", and requests to other hosts,
# ports or schemes are refused before any connection.
# Hosts whose connections keep failing are given up for the rest of the crawl (next to the wire).
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "middlewares.guard.GuardMiddleware": 100,
    "middlewares.conditional.ConditionalGetMiddleware": 800,
    "middlewares.guard.WireStats": 940,   # the wire side, like DownloaderStats
    "scrapy.downloadermiddlewares.stats.DownloaderStats": 950,
    "middlewares.reachability.GiveUpUnreachableHosts": 960,
}
SOTEVAHTI_CONDITIONAL_ENABLED = True
# A page larger than this is refused (counted as errors_too_large), never stored.
SOTEVAHTI_MAX_PAGE_BYTES = _env_number("SOTEVAHTI_MAX_PAGE_BYTES", 5_000_000)
DOWNLOAD_MAXSIZE = SOTEVAHTI_MAX_PAGE_BYTES
DOWNLOAD_WARNSIZE = 0
# Tests and the fault suite shorten the timeout so that a hanging server costs seconds, not minutes.
# Bounded: a crawl with no network ends in about one timeout (middlewares/reachability.py), not 45 s per request.
DOWNLOAD_TIMEOUT = _env_number("SOTEVAHTI_DOWNLOAD_TIMEOUT", 30.0, float)

ITEM_PIPELINES = {"pipelines.store.StorePipeline": 300}

# Sotevahti's own settings.
SOTEVAHTI_DB = os.environ.get("SOTEVAHTI_DB", "sotevahti.db")
SOTEVAHTI_SOURCES = os.environ.get("SOTEVAHTI_SOURCES", "")  # empty: sources.toml beside monitor.py
SOTEVAHTI_PUBLIC_DIR = os.environ.get("SOTEVAHTI_PUBLIC_DIR", "public")
SOTEVAHTI_MIRROR = os.environ.get("SOTEVAHTI_MIRROR", "")  # http://127.0.0.1:PORT for tests and the demo
SOTEVAHTI_BATCH_SIZE = 50
SOTEVAHTI_RUN_ID = None  # set by monitor.py crawl; otherwise the pipeline opens its own run

# Against the local mirror there is no one to be polite to: robots.txt, AutoThrottle and
# conditional GETs stay on, but the delays go.
MIRROR_OVERRIDES = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_START_DELAY": 0.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 8.0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    # the mirror answers at once; a hang is a fault, not a slow page (the fault suite sets it lower)
    "DOWNLOAD_TIMEOUT": _env_number("SOTEVAHTI_DOWNLOAD_TIMEOUT", 10.0, float),
}
if SOTEVAHTI_MIRROR:
    globals().update(MIRROR_OVERRIDES)
