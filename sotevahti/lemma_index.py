"""simplemma's Finnish and Swedish dictionaries, opened in a tenth of a second instead of ten.

simplemma's default dictionary decodes the whole front-coded stream of a language into a Python
dict before its first look-up: 3.5 million Finnish forms, 7–9 s of CPU here, plus 2 s for
Swedish, paid by every crawl process that meets one date sentence. Its stream dictionary reads
the same stream on demand but still walks every record once to find its block starts (3 s).
This module keeps those block starts on disk, keyed by simplemma's version and the dictionary
file, with the decompressed stream beside them, so a process reads two files (tens of milliseconds).
The look-ups are simplemma's own over the same data, so every lemma is what simplemma says.

The index lives in ``$SOTEVAHTI_CACHE_DIR``, else ``$XDG_CACHE_HOME/sotevahti``, else
``~/.cache/sotevahti``; when none can be written the index is built in memory, as before.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Mapping
from pathlib import Path

import simplemma

from .cache_files import cache_dir, write_cache_file

try:  # simplemma >= 2.0
    from simplemma.strategies import DefaultStrategy
    from simplemma.strategies.dictionaries import frontcode
    from simplemma.strategies.dictionaries.stream_dictionary_factory import StreamDictionaryFactory, StreamMap
except ImportError:  # pragma: no cover - older simplemma: its default dictionaries
    StreamMap = None  # type: ignore[assignment,misc]

_DATA_DIR = Path(simplemma.__file__).parent / "strategies" / "dictionaries" / "data"


def _index_path(lang: str) -> Path:
    stat = (_DATA_DIR / f"{lang}.plzma").stat()
    return cache_dir() / f"lemma-{simplemma.__version__}-{lang}-{stat.st_size}-{int(stat.st_mtime)}.idx"


if StreamMap is not None:

    class IndexedStreamMap(StreamMap):  # type: ignore[misc,valid-type]
        """simplemma's stream dictionary with its block index read from (or written to) the cache."""

        def __init__(self, lang: str) -> None:
            try:
                path = _index_path(lang)
                size, firsts, blocks = marshal.loads(path.read_bytes())
                data = path.with_suffix(".raw").read_bytes()   # the stream as decompressed, 19 MB for fi
                if len(data) != size:
                    raise ValueError("stream and index differ")
                self._rev, self._count, self._pos = frontcode._read_header(data)
            except (OSError, ValueError, EOFError, TypeError):
                super().__init__(lang)
                _save(lang, self._data, (len(self._data), self._firsts, self._blocks))
                return
            self._data, self._firsts, self._blocks = data, firsts, blocks

    class IndexedStreamFactory(StreamDictionaryFactory):  # type: ignore[misc,valid-type]
        """The dictionary factory that hands out :class:`IndexedStreamMap` dictionaries."""

        __slots__ = ()

        def _get_dictionary_uncached(self, lang: str) -> Mapping[str, str]:
            return IndexedStreamMap(lang)


def _save(lang: str, data: bytes, index: tuple[int, list[bytes], list[tuple[int, bytes, bytes]]]) -> None:
    """Write the stream and its index atomically; a cache that cannot be written only costs the next
    process time."""
    try:
        path = _index_path(lang)
    except OSError:
        return
    if write_cache_file(path.with_suffix(".raw"), data):
        write_cache_file(path, marshal.dumps(index))


def lemmatizer() -> Callable[[str, str], str]:
    """``lemmatize(form, lang)``: simplemma's lemma of ``form``, from the indexed dictionaries.

    >>> lemmatizer()("hakemusten", "fi")
    'hakemus'
    """
    if StreamMap is None:  # pragma: no cover
        return lambda form, lang: simplemma.lemmatize(form, lang=lang)
    lemma = simplemma.Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=IndexedStreamFactory()))
    return lambda form, lang: lemma.lemmatize(form, lang=lang)
