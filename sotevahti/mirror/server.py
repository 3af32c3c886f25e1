"""The local mirror: an HTTP server on 127.0.0.1 that serves our own copies of the real sites.

Every mirrored host lives under its own path prefix: ``http://127.0.0.1:PORT/stm.fi/ajankohtaista/uutiset``
is the mirror's ``https://stm.fi/ajankohtaista/uutiset`` (see :class:`sotevahti.urls.UrlMap`).
The mirror moves through *epochs* (new articles, edits) so that re-crawls have something to
find. Like a real server it sends ``ETag`` and ``Last-Modified`` and answers conditional GETs
with 304, and it logs every request so tests can check what a spider fetched.
"""

from __future__ import annotations

import hashlib
import inspect
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol
from urllib.parse import urlsplit


@dataclass
class Page:
    """One response: body, content type, status and when it last changed."""

    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    last_modified: datetime | None = None
    headers: dict[str, str] = field(default_factory=dict)
    #: Faults a test may inject (see :mod:`sotevahti.mirror.faults`): wait this long before answering,
    #: send only this share of the body, leave out ``Content-Length`` (the connection's end ends
    #: the body), or reset the connection instead of answering.
    delay: float = 0.0
    truncate: float | None = None
    send_length: bool = True
    reset: bool = False


class Site(Protocol):
    """A mirrored site family: answers a request path (below the host prefix) for an epoch."""

    hosts: frozenset[str]

    def render(self, host: str, path: str, query: str, epoch: int, base: str) -> Page | None:
        """The page at ``host`` + ``path``, or ``None`` for 404. ``base`` is the mirror's URL.

        A site that negotiates content may take an extra keyword ``accept`` (the request's
        ``Accept`` header); the mirror passes it only to sites whose ``render`` has it.
        """


ROBOTS_TXT = b"""# Mirror of the sites' robots.txt files, merged: each path starts with the host.
User-agent: *
Disallow: /stm.fi/-/1410845/tyoversio-
Disallow: /valtioneuvosto.fi/haku
"""


class Mirror:
    """Serves a set of :class:`Site` objects on ``127.0.0.1`` at a free port.

    Use as a context manager; ``mirror.url`` is the base URL and ``mirror.epoch`` can be set
    between crawls.
    """

    def __init__(self, sites: list[Site], epoch: int = 1) -> None:
        self.sites = sites
        # Which sites negotiate content (take the Accept header), decided once, not per request.
        self._negotiates = {id(s) for s in sites if "accept" in inspect.signature(s.render).parameters}
        self.epoch = epoch
        #: what ``/robots.txt`` answers; a fault test may make it forbid more, or fail
        self.robots = Page(ROBOTS_TXT, "text/plain; charset=utf-8")
        self.requests: list[tuple[int, str, int]] = []  # (epoch, path, status)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._server.handle_error = self._handle_error  # type: ignore[method-assign]
        self._thread: threading.Thread | None = None

    def _handle_error(self, request: object, client_address: object) -> None:
        """A client that hung up (a fault test's reset, a refused 30 MB page) is no mirror error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        ThreadingHTTPServer.handle_error(self._server, request, client_address)  # type: ignore[arg-type]

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Mirror:
        """Start serving in a background thread."""
        self._thread = threading.Thread(target=self._server.serve_forever, name="mirror", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> Mirror:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serves(self, url: str) -> bool:
        """Whether a real URL's host is mirrored here."""
        host = urlsplit(url).hostname or ""
        return any(host in site.hosts for site in self.sites)

    def page(self, raw_path: str, accept: str = "") -> Page | None:
        """Resolve a request path such as ``/stm.fi/-/1271139/x?languageId=fi_FI``."""
        parts = urlsplit(raw_path)
        if parts.path == "/robots.txt":
            return self.robots
        host, _, rest = parts.path.lstrip("/").partition("/")
        for site in self.sites:
            if host in site.hosts:
                extra = {"accept": accept} if id(site) in self._negotiates else {}
                return site.render(host, "/" + rest, parts.query, self.epoch, self.url, **extra)
        return None

    def log(self, path: str, status: int) -> None:
        with self._lock:
            self.requests.append((self.epoch, path, status))


def _handler_for(mirror: Mirror) -> Callable[..., BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "SotevahtiMirror/1"

        def do_GET(self) -> None:
            try:
                self._answer()
            except (BrokenPipeError, ConnectionResetError):   # the client gave up (a size limit, a timeout)
                self.close_connection = True

        def _answer(self) -> None:
            page = mirror.page(self.path, self.headers.get("Accept", ""))
            if page is None:
                page = Page(b"<html><body><h1>404</h1></body></html>", status=404)
            if page.delay:
                mirror.log(self.path, -1)   # logged on arrival: the client will have given up
                time.sleep(page.delay)
            if page.reset:
                mirror.log(self.path, 0)
                # SO_LINGER 0: close() sends RST, which the client sees as "connection reset"
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
                return
            # The type and a fault's framing are part of the representation: a new charset header or
            # a cut body must not be answered with 304 from the client's copy of the whole page.
            framing = f"{page.content_type}|{page.truncate}|{page.send_length}".encode()
            etag = '"' + hashlib.sha1(page.body + framing).hexdigest()[:20] + '"'
            status = page.status
            if status == 200 and self.headers.get("If-None-Match") == etag:
                status = 304
            mirror.log(self.path, status)
            self.send_response(status)
            if page.status == 200:
                self.send_header("ETag", etag)
                if page.last_modified:
                    self.send_header("Last-Modified", format_datetime(page.last_modified.astimezone(UTC), usegmt=True))
            for key, value in page.headers.items():
                self.send_header(key, value)
            if status == 304:
                self.end_headers()
                return
            self.send_header("Content-Type", page.content_type)
            if page.send_length:
                self.send_header("Content-Length", str(len(page.body)))
            self.end_headers()
            sent = page.body if page.truncate is None else page.body[: int(len(page.body) * page.truncate)]
            self.wfile.write(sent)
            self.close_connection = True if page.truncate is not None or not page.send_length else \
                self.close_connection

        def finish(self) -> None:
            try:
                super().finish()
            except OSError:   # a reset or abandoned connection
                pass

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # the request log above is the record; stderr stays quiet

    return Handler
