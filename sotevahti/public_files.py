"""Writing the public files: atomically, and only when what a reader sees has changed.

Every crawl rebuilds the feeds, the calendar and the web page, but most crawls change few of
them. A file whose content is the same as on disk, apart from its build stamp
(``<lastBuildDate>``, the feed's ``<updated>``, OPML ``<dateCreated>``, ``DTSTAMP``, the page's
"Päivitetty" line), is left alone: its stamp then says when its content last changed, readers
and mirrors that poll by ``Last-Modified`` see nothing new, and a crawl writes only what changed.
"""

from __future__ import annotations

import re
from pathlib import Path

from .atomic_files import write_atomic

# The page's "Päivitetty" line is a stamp; the demo's "Simuloitu päivä" line is content.
_STAMPS = re.compile(rb"<lastBuildDate>[^<]*</lastBuildDate>|<dateCreated>[^<]*</dateCreated>|DTSTAMP:[^\r\n]*"
                     rb"|<p(?: class=\"stamp\")?>P\xc3\xa4ivitetty [^<]*</p>")
_FEED_UPDATED = re.compile(rb"<updated>[^<]*</updated>")


def _without_stamps(data: bytes) -> bytes:
    return _FEED_UPDATED.sub(b"", _STAMPS.sub(b"", data), count=1)


def write_if_changed(path: Path, data: bytes | str) -> bool:
    """Write ``data`` to ``path`` through a unique temporary file and a rename, unless only its build
    stamp differs from what is there. Returns whether the file was written."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if _without_stamps(path.read_bytes()) == _without_stamps(raw):
            return False
    except FileNotFoundError:
        pass
    write_atomic(path, raw)   # a unique temporary name, then a rename
    return True
