"""Scrapy downloader middleware: give up unreachable hosts (see :mod:`sotevahti.reachability`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Request, Response
from twisted.internet.error import ConnectError

from sotevahti.reachability import Reachability


class UnreachableHostConnectError(ConnectError):
    """Not sent: earlier connections to this host failed in this crawl (counted as ``connection``)."""


class GiveUpUnreachableHosts:
    """Fails requests to hosts whose connections keep failing, instead of waiting out timeouts."""

    def __init__(self) -> None:
        self.hosts = Reachability()

    @classmethod
    def from_crawler(cls, crawler: Any) -> GiveUpUnreachableHosts:
        return cls()

    def process_request(self, request: Request) -> None:
        host = urlsplit(request.url).netloc
        if self.hosts.given_up(host):
            raise UnreachableHostConnectError(string=f"{host}: gave up after repeated connection failures")

    def process_response(self, request: Request, response: Response) -> Response:
        self.hosts.answered(urlsplit(request.url).netloc)
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        if not isinstance(exception, UnreachableHostConnectError) and _is_connection_failure(exception):
            self.hosts.failed(urlsplit(request.url).netloc)


def _is_connection_failure(exception: BaseException) -> bool:
    """Refused, timed out, DNS or reset: the host did not answer (Scrapy ≥ 2.14 wraps Twisted's errors)."""
    name = type(exception).__name__.lower()
    return isinstance(exception, ConnectError | TimeoutError) or any(
        word in name for word in ("connect", "timeout", "timedout", "dns", "lookup", "refused", "reset", "lost"))
