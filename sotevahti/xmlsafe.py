"""Text that is safe to store and to publish, whatever a page or an API sent.

Two gates, each the only one of its kind:

- :func:`storable` on the way into the database: a lone surrogate (``"\\ud800"`` from a JSON
  ``\\ud800`` escape) cannot be encoded as UTF-8, so SQLite would refuse the whole batch.
- :func:`public_text` / :func:`public_value` on the way out to a feed, the calendar or the web
  page: XML 1.0 forbids most control characters, and bidirectional overrides (U+202E) let a
  title show text in a different order than it is stored in. Both go; ``]]>`` and ``<script>``
  are left to the serialisers, which escape them (a test checks that they do).

:class:`PublicView` wraps a :class:`~sotevahti.store.Store` so that every row an output reads
passes :func:`public_value`: the one place where strings leave the store for the public.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

# C0 controls except tab, newline and carriage return; DEL and C1 controls; the non-characters
# U+FFFE/U+FFFF; lone surrogates; bidi embeddings, overrides and isolates.
_NOT_PUBLIC = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff"
                         "\u202a-\u202e\u2066-\u2069]")
_SURROGATES = re.compile("[\ud800-\udfff]")
# What lxml refuses to hold in a tree: C0 controls (not tab, newline, CR), U+FFFE/U+FFFF, surrogates.
_NOT_PARSEABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_C0_BYTES = bytes((*range(0x00, 0x09), 0x0b, 0x0c, *range(0x0e, 0x20)))


def parseable(text: str) -> str:
    """A decoded page without the characters lxml cannot hold (a page with one would fail to parse).

    >>> parseable("Ohjaus\x01ryhmä")
    'Ohjausryhmä'
    """
    try:
        raw = text.encode("utf-8")   # no lone surrogate, or this raises
    except UnicodeEncodeError:
        return _NOT_PARSEABLE.sub("", text)
    if not has_control_bytes(raw) and "\ufffe" not in text and "\uffff" not in text:
        return text
    return _NOT_PARSEABLE.sub("", text)


def has_control_bytes(body: bytes) -> bool:
    """Whether raw page bytes hold C0 control characters (which :func:`parseable` drops).

    ``bytes.translate`` deleting them is several times faster than a regex search over a 62 KiB page.
    """
    return len(body.translate(None, _C0_BYTES)) != len(body)


def storable(value: Any) -> Any:
    """``value`` with lone surrogates dropped from every string in it (dicts and lists too).

    >>> storable({"title": "Sote\\ud800-uudistus", "tags": ["a\\udfff"]})
    {'title': 'Sote-uudistus', 'tags': ['a']}
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")   # fails only on a lone surrogate; far cheaper than a regex scan
        except UnicodeEncodeError:
            return _SURROGATES.sub("", value)
        return value
    if isinstance(value, dict):
        return {k: storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(storable(v) for v in value)
    return value


def is_storable(text: str) -> bool:
    """Whether ``text`` can be written as UTF-8 as it is."""
    return not _SURROGATES.search(text)


def public_text(text: str) -> str:
    """A string fit for XML 1.0, iCalendar and HTML: no control characters, no bidi overrides.

    >>> public_text("Pirha\\u0001 tiedottaa \\u202eetsil\\u202c")
    'Pirha tiedottaa etsil'
    """
    return _NOT_PUBLIC.sub("", text) if _NOT_PUBLIC.search(text) else text


def public_value(value: Any) -> Any:
    """:func:`public_text` applied to every string in a row, a list of rows, or a nested structure."""
    if isinstance(value, str):
        return public_text(value)
    if isinstance(value, dict):
        return {k: public_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(public_value(v) for v in value)
    return value


class PublicView:
    """A read-only face of a store for the outputs: every method's result passes :func:`public_value`.

    ``write_feeds`` and ``write_site`` read the database only through this, so no output can
    receive a string that would break its format.
    """

    def __init__(self, store: Any) -> None:
        self._store = store.public_source if isinstance(store, PublicView) else store

    @property
    def public_source(self) -> Any:
        """The wrapped store."""
        return self._store

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if not inspect.ismethod(attr):
            return attr   # the connection too: raw SQL counts (numbers) need no cleaning
        return _cleaned(attr)


def _cleaned(method: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return public_value(method(*args, **kwargs))
    return call
