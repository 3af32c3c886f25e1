"""``monitor.py serve``: public/ over HTTP on 127.0.0.1, read-only.

The standard library's handler already refuses paths outside its directory (``..`` and
absolute paths are normalised away); this one also refuses every method but GET and HEAD,
sends no directory listings, and gives feeds and the calendar their proper types.
"""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

TYPES = {".xml": "application/xml; charset=utf-8", ".ics": "text/calendar; charset=utf-8",
         ".opml": "text/x-opml; charset=utf-8", ".html": "text/html; charset=utf-8", ".css": "text/css"}


class PublicHandler(SimpleHTTPRequestHandler):
    """GET/HEAD of files under the served directory; nothing else."""

    extensions_map: ClassVar[dict[str, str]] = {**SimpleHTTPRequestHandler.extensions_map, **TYPES}

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
