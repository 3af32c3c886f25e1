"""Scrapy settings for Sotevahti.

Polite by default (DEVELOPERS.md promise 5): robots.txt is obeyed, AutoThrottle is on, the
User-Agent names the project, and every request carries ``Cache-Control: max-age=0`` so that
Scrapy's RFC 2616 cache revalidates with a conditional GET instead of trusting a stale copy.
``monitor.py crawl`` overrides the ``SOTEVAHTI_*`` settings from its command line.
"""

import os

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
REDIRECT_MAX_TIMES = 5   # a redirect loop costs five requests, then counts as errors_redirect_loop
TELNETCONSOLE_ENABLED = False

DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "fi,sv;q=0.8,en;q=0.6",
    "Cache-Control": "max-age=0",
}

HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "scrapy.extensions.httpcache.RFC2616Policy"
HTTPCACHE_DIR = os.environ.get("SOTEVAHTI_HTTPCACHE", "httpcache")

# Count requests and bytes on the wire side of the HTTP cache (default 850 sits before it, so a
# revalidated page would be counted as a full 200 with its cached body instead of a 304).
# The guard (middlewares/guard.py) replaces Scrapy's robots.txt middleware: each host's robots.txt
# is read before its first request, a 5xx answer means "not this run", and requests to other hosts,
# ports or schemes are refused before any connection.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "middlewares.guard.GuardMiddleware": 100,
    "middlewares.guard.WireStats": 940,   # wire side of the HTTP cache (900), like DownloaderStats
    "scrapy.downloadermiddlewares.stats.DownloaderStats": 950,
}
# A page larger than this is refused (counted as errors_too_large), never stored.
SOTEVAHTI_MAX_PAGE_BYTES = int(os.environ.get("SOTEVAHTI_MAX_PAGE_BYTES", 5_000_000))
DOWNLOAD_MAXSIZE = SOTEVAHTI_MAX_PAGE_BYTES
DOWNLOAD_WARNSIZE = 0
# Tests and the fault suite shorten the timeout so that a hanging server costs seconds, not minutes.
DOWNLOAD_TIMEOUT = float(os.environ.get("SOTEVAHTI_DOWNLOAD_TIMEOUT", 45))

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
}
if SOTEVAHTI_MIRROR:
    globals().update(MIRROR_OVERRIDES)
