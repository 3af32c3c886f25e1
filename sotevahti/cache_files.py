"""Where Sotevahti keeps files that only save time: ``$SOTEVAHTI_CACHE_DIR``, else
``$XDG_CACHE_HOME/sotevahti``, else ``~/.cache/sotevahti``.

Deleting the directory is always safe; the next process rebuilds what it needs. Used by the
lemmatiser's dictionary index (:mod:`sotevahti.lemma_index`), the lemmas already looked up
(:mod:`sotevahti.lemma_memo`) and the compiled patterns (:mod:`sotevahti.regex_cache`).
"""

from __future__ import annotations

import marshal
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def cache_dir() -> Path:
    """The cache directory (see the module docstring); it may not exist yet.

    A process with no home directory (``HOME`` unset and no password entry, as under some
    schedulers) gets one under the system's temporary directory instead of an error.
    """
    if explicit := os.environ.get("SOTEVAHTI_CACHE_DIR"):
        return Path(explicit)
    if base := os.environ.get("XDG_CACHE_HOME"):
        return Path(base) / "sotevahti"
    try:
        return Path.home() / ".cache" / "sotevahti"
    except RuntimeError:   # "Could not determine home directory"
        return Path(tempfile.gettempdir()) / f"sotevahti-cache-{os.getuid() if hasattr(os, 'getuid') else 0}"


def read_cache_dict(path: Path | None) -> dict:
    """The dict a cache file holds (``marshal``), or an empty one when there is no readable one."""
    try:
        value = marshal.loads(path.read_bytes()) if path else {}
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    return value if isinstance(value, dict) else {}


def write_cache_file(path: Path, content: bytes) -> bool:
    """Write ``content`` to ``path`` atomically (a reader sees the old file or the new one, never a
    part); ``False``, and nothing left behind, when it cannot be written: a cache only saves time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.replace(tmp, path)
        return True
    except OSError:
        return False
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


class CacheDict:
    """A dict kept in one cache file (``marshal``): read on first use in a process, and what the
    process added merged back into the file by :meth:`save`, atomically.

    The lemma memo and the compiled patterns are such dicts. ``path`` names the file (``None``:
    nothing to keep); a file or directory that cannot be read or written only costs time.
    ``limit`` bounds the file: past it, only this process's entries are kept.
    """

    def __init__(self, path: Callable[[], Path | None], limit: int | None = None) -> None:
        self._path = path
        self._limit = limit
        self._entries: dict[Any, Any] | None = None
        self._added: dict[Any, Any] = {}

    def entries(self) -> dict[Any, Any]:
        """Every entry: the file's and this process's (the dict itself, for fast lookups)."""
        if self._entries is None:
            self._entries = {**self._read(), **self._added}
        return self._entries

    def add(self, key: Any, value: Any) -> None:
        """Record an entry, to be written by :meth:`save`."""
        self.entries()[key] = value
        self._added[key] = value

    def save(self) -> None:
        """Merge this process's entries into the file (no error if it cannot)."""
        if not self._added:
            return
        merged = {**self._read(), **self._added}
        if self._limit is not None and len(merged) > self._limit:
            merged = dict(list(self._added.items())[-self._limit:])
        try:
            path, content = self._path(), marshal.dumps(merged)
        except (OSError, ValueError):
            return
        if path is not None and write_cache_file(path, content):
            self._added.clear()

    def reset(self) -> None:
        """Forget what was read and added, as a new process starts (for tests)."""
        self._entries = None
        self._added = {}

    def _read(self) -> dict[Any, Any]:
        try:
            return read_cache_dict(self._path())
        except OSError:   # the key of the file could not be made (a file it is named by is unreadable)
            return {}
