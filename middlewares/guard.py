"""The guard downloader middleware: boundaries and robots.txt for every request, redirects too.

Replaces Scrapy's ``RobotsTxtMiddleware`` (``ROBOTSTXT_OBEY`` still switches it on): each host's
robots.txt is fetched before its first request, every request to that host waits for it, and a
robots.txt that cannot be read (5xx, timeout) means "try later": the host is not crawled in this
run, and each refused request is counted. Requests outside the configured hosts, on another
port or over another scheme than http(s) are refused before any connection or DNS lookup.
The rules live in :mod:`sotevahti.boundaries`.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request
from scrapy.http.request import NO_CALLBACK
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.error import ConnectError, DNSLookupError, TCPTimedOutError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from sotevahti.boundaries import RobotsRules, refusal, robots_url

_REMOVED = (404, 410)


class Refused(IgnoreRequest):
    """A request the guard would not send; ``reason`` names the rule (``offsite``, ``robots_forbidden``…)."""

    def __init__(self, reason: str, url: str) -> None:
        super().__init__(f"{reason}: {url}")
        self.reason = reason


class GuardMiddleware:
    """Applies :func:`sotevahti.boundaries.refusal` and :class:`~sotevahti.boundaries.RobotsRules`."""

    def __init__(self, crawler: Any) -> None:
        if not crawler.settings.getbool("SOTEVAHTI_GUARD_ENABLED", True):
            raise NotConfigured
        self.crawler = crawler
        self.obey = crawler.settings.getbool("ROBOTSTXT_OBEY")
        self.user_agent = crawler.settings.get("USER_AGENT")
        self.rules = RobotsRules()
        self.pending: dict[str, Deferred[None]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> GuardMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        if request.meta.get("sotevahti_robots"):
            return
        spider = self.crawler.spider
        reason = refusal(request.url, getattr(spider, "configured_hosts", set()), spider.urls)
        if reason is None and self.obey:
            await self._read_robots(request.url)
            reason = self.rules.verdict(request.url, self.user_agent)
        if reason is not None:
            raise Refused(reason, request.url)

    async def _read_robots(self, url: str) -> None:
        netloc, robots = robots_url(url)
        if self.rules.known(netloc):
            return
        if netloc in self.pending:
            waiter: Deferred[None] = Deferred()
            self.pending[netloc].addBoth(lambda _: waiter.callback(None))
            await maybe_deferred_to_future(waiter)
            return
        done: Deferred[None] = Deferred()
        self.pending[netloc] = done
        request = Request(robots, priority=1000, callback=NO_CALLBACK, meta={"sotevahti_robots": True},
                          dont_filter=True)
        try:
            response = await self.crawler.engine.download_async(request)
            self.rules.record(netloc, response.status, response.body)
        except Exception as err:  # a network failure is "try later", whatever its kind
            self.rules.record(netloc, None, b"", error_kind(Failure(err)))
        self.crawler.stats.inc_value("sotevahti/robots_requests")
        del self.pending[netloc]
        done.callback(None)


class WireStats:
    """Counts per source what the server did on the wire, before the HTTP cache sees it:
    ``wire_http_5xx`` and ``wire_<error kind>``. The cache may answer a 5xx or a network error
    with its stored copy (RFC 2616), which keeps the item right but would hide the fault; these
    counters keep it visible in ``status --json`` (``wire_errors``)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> WireStats:
        return cls(crawler)

    def process_response(self, request: Request, response: Any) -> Any:
        if response.status >= 500 and request.meta.get("source"):
            self.crawler.stats.inc_value(f"sotevahti/{request.meta['source']}/wire_http_5xx")
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        if request.meta.get("source"):
            kind = error_kind(Failure(exception))
            self.crawler.stats.inc_value(f"sotevahti/{request.meta['source']}/wire_{kind}")


def error_kind(failure: Failure) -> str:
    """The ``errors_<kind>`` name of a failed download: ``http_404``, ``http_5xx``, ``dns``, ``timeout``,
    ``connection``, ``truncated`` (data loss), ``too_large`` (over ``DOWNLOAD_MAXSIZE``) …"""
    if failure.check(HttpError):
        status = failure.value.response.status
        return f"http_{status}" if status in _REMOVED else f"http_{status // 100}xx"
    name = failure.type.__name__.lower() if failure.type else ""
    # Scrapy ≥ 2.14 wraps Twisted's errors in its own Download*Error classes; go by name too.
    if failure.check(DNSLookupError) or "dns" in name or "resolve" in name:
        return "dns"
    if failure.check(TwistedTimeoutError, TCPTimedOutError) or "timeout" in name or "timedout" in name:
        return "timeout"
    if failure.check(ConnectError) or "connect" in name or "refused" in name:
        return "connection"
    if "dataloss" in name:
        return "truncated"
    if "lost" in name or "reset" in name or "responsefailed" in name or "downloadfailed" in name:
        return "connection"
    if "cancelled" in name:
        return "too_large"   # DOWNLOAD_MAXSIZE (SOTEVAHTI_MAX_PAGE_BYTES) cancelled the download
    return name or "other"
