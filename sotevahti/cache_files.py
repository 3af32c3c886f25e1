"""Where Sotevahti keeps files that only save time: ``$SOTEVAHTI_CACHE_DIR``, else
``$XDG_CACHE_HOME/sotevahti``, else ``~/.cache/sotevahti``.

Deleting the directory is always safe; the next process rebuilds what it needs. Used by the
lemmatiser's dictionary index (:mod:`sotevahti.lemma_index`) and the compiled patterns
(:mod:`sotevahti.regex_cache`).
"""

from __future__ import annotations

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
