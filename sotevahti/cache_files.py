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
from pathlib import Path


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
