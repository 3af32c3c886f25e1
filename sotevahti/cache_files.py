"""Where Sotevahti keeps files that only save time: ``$SOTEVAHTI_CACHE_DIR``, else
``$XDG_CACHE_HOME/sotevahti``, else ``~/.cache/sotevahti``.

Deleting the directory is always safe; the next process rebuilds what it needs. Used by the
lemmatiser's dictionary index (:mod:`sotevahti.lemma_index`) and the compiled patterns
(:mod:`sotevahti.regex_cache`).
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """The cache directory (see the module docstring); it may not exist yet."""
    if explicit := os.environ.get("SOTEVAHTI_CACHE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sotevahti"
