"""The lemmas looked up before, kept on disk: a process that meets only known words never loads simplemma.

The deadline extractor asks for the Finnish and Swedish lemma of each word of a date sentence
(:mod:`sotevahti.deadline_words`). simplemma's import and the opening of its two dictionaries
cost about 0.09 s of every process that reads one such sentence, even when, as in most re-checks
and one-line ``extract-deadlines --text`` calls, every word has been looked up before. The
answers simplemma gave are kept in the cache directory (:mod:`sotevahti.cache_files`) under a
key made of simplemma's files, so a new simplemma or new dictionaries start a new memo; a form
not in the memo is looked up by simplemma as before. The memo is only ever simplemma's own
answers, so every lemma is what simplemma says.
"""

from __future__ import annotations

import importlib.util
import marshal
from collections.abc import Callable
from pathlib import Path

from .cache_files import cache_dir, read_cache_dict, write_cache_file

#: Entries a memo file keeps at most (a crawl meets a few thousand forms; this bounds a very long run).
MAX_ENTRIES = 200_000

_memo: dict[tuple[str, str], str] | None = None
_new: dict[tuple[str, str], str] = {}


def _path() -> Path | None:
    """The memo file for the installed simplemma, found without importing it (``None``: not installed)."""
    spec = importlib.util.find_spec("simplemma")
    if spec is None or not spec.origin:
        return None
    package = Path(spec.origin).parent
    data = package / "strategies" / "dictionaries" / "data"
    parts = []
    for file in (package / "__init__.py", data / "fi.plzma", data / "sv.plzma"):
        stat = file.stat()
        parts.append(f"{stat.st_size:x}.{int(stat.st_mtime):x}")
    return cache_dir() / f"lemmas-{'-'.join(parts)}.marshal"


def _load() -> dict[tuple[str, str], str]:
    try:
        return read_cache_dict(_path())
    except (OSError, RuntimeError):   # simplemma's files unreadable, or no cache directory at all
        return {}


def lemmatizer(build: Callable[[], Callable[[str, str], str]]) -> Callable[[str, str], str]:
    """``lemmatize(form, lang)`` that answers from the memo and calls ``build()`` (which imports
    simplemma and opens its dictionaries) only for the first form it does not know.

    >>> lemmatize = lemmatizer(lambda: (lambda form, lang: form.rstrip("n")))
    >>> lemmatize("hakemusten", "fi")
    'hakemuste'
    """
    global _memo
    if _memo is None:
        _memo = _load()
    memo = _memo
    real: Callable[[str, str], str] | None = None

    def lemmatize(form: str, lang: str) -> str:
        nonlocal real
        key = (form, lang)
        lemma = memo.get(key)
        if lemma is None:
            if real is None:
                real = build()
            lemma = memo[key] = _new[key] = real(form, lang)
        return lemma

    return lemmatize


def save() -> None:
    """Add the lemmas looked up in this process to the memo file (atomically; no error if it cannot)."""
    if not _new:
        return
    try:
        path = _path()
        if path is None:
            return
        merged = {**_load(), **_new}
        if len(merged) > MAX_ENTRIES:   # keep the newest answers: a fresh memo fills again as words come
            merged = dict(list(_new.items())[-MAX_ENTRIES:])
        if write_cache_file(path, marshal.dumps(merged)):
            _new.clear()
    except (OSError, ValueError, RuntimeError):
        pass
