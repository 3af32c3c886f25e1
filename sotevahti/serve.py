"""``monitor.py serve``: public/ over HTTP on 127.0.0.1, read-only.

The standard library's handler already refuses paths outside its directory (``..`` and
absolute paths are normalised away); this one also refuses every method but GET and HEAD,
follows no symlink out of the directory, serves no hidden or temporary file (a feed being
written, ``*.tmp``), answers a path with a NUL byte with 400, closes idle connections after
:data:`IDLE_TIMEOUT` seconds, sends no directory listings, and gives feeds and the calendar
their proper types.
"""

from __future__ import annotations

import functools
import os
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

TYPES = {".xml": "application/xml; charset=utf-8", ".ics": "text/calendar; charset=utf-8",
         ".opml": "text/x-opml; charset=utf-8", ".html": "text/html; charset=utf-8", ".css": "text/css"}
#: Seconds a connection may sit idle (or trickle its request) before the server closes it.
IDLE_TIMEOUT = 10


class PublicHandler(SimpleHTTPRequestHandler):
    """GET/HEAD of files under the served directory; nothing else."""

    extensions_map: ClassVar[dict[str, str]] = {**SimpleHTTPRequestHandler.extensions_map, **TYPES}
    timeout = IDLE_TIMEOUT

    def send_head(self) -> Any:
        path = self.translate_path(self.path)
        if "\x00" in path:
            self.send_error(400, "Bad path")
            return None
        root = os.path.realpath(self.directory)
        real = os.path.realpath(path)
        inside = os.path.relpath(real, root)
        if inside.startswith(os.pardir) or any(p.startswith(".") or p.endswith(".tmp")
                                                for p in inside.split(os.sep) if p != os.curdir):
            self.send_error(404, "File not found")
            return None
        return super().send_head()

    def list_directory(self, path: str) -> None:  # type: ignore[override]
        self.send_error(404, "No directory listings")
        return None

    def do_POST(self) -> None:
        self.send_error(405, "Read-only")

    do_PUT = do_DELETE = do_PATCH = do_POST  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def make_server(public: Path, port: int = 8000) -> ThreadingHTTPServer:
    """A server for ``public`` on 127.0.0.1:``port`` (0 picks a free port)."""
    handler = functools.partial(PublicHandler, directory=str(public.resolve()))
    return ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve_public(public: Path, port: int = 8000) -> None:
    """Serve until interrupted, printing the address."""
    server = make_server(public, port)
    host, bound = server.server_address[:2]
    print(f"Serving {public} at http://{host}:{bound}/ (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
