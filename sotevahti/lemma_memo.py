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
from collections.abc import Callable
from pathlib import Path

from .cache_files import CacheDict, cache_dir

#: Entries a memo file keeps at most (a crawl meets a few thousand forms; this bounds a very long run).
MAX_ENTRIES = 200_000


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


#: ``{(form, language): lemma}``, as simplemma answered.
MEMO = CacheDict(_path, limit=MAX_ENTRIES)


def lemmatizer(build: Callable[[], Callable[[str, str], str]]) -> Callable[[str, str], str]:
    """``lemmatize(form, lang)`` that answers from the memo and calls ``build()`` (which imports
    simplemma and opens its dictionaries) only for the first form it does not know.

    >>> lemmatize = lemmatizer(lambda: (lambda form, lang: form.rstrip("n")))
    >>> lemmatize("hakemusten", "fi")
    'hakemuste'
    """
    memo = MEMO.entries()
    real: Callable[[str, str], str] | None = None

    def lemmatize(form: str, lang: str) -> str:
        nonlocal real
        key = (form, lang)
        lemma = memo.get(key)
        if lemma is None:
            if real is None:
                real = build()
            lemma = real(form, lang)
            MEMO.add(key, lemma)
        return lemma

    return lemmatize


def save() -> None:
    """Add the lemmas looked up in this process to the memo file (atomically; no error if it cannot)."""
    MEMO.save()
