"""Which of the extractor's word patterns occur in a sentence, read from a per-word cache.

The deadline extractor asks of every sentence whether it holds a topic word, a past-tense
verb, a vague phrase, a word of each kind and so on. Each question was a ``re`` search over the
whole sentence, and a search over a prefix tree of a hundred stems costs a few microseconds,
because ``re`` enters the tree at every letter. The words of public-sector text repeat,
though, so the answer for one whitespace-separated token is worth keeping.

A pattern's stems are split in two (:func:`token_local`):

- **token-local** stems, whose matches never contain whitespace and whose look-arounds only
  test that the neighbour is not a letter ("sök(?<!\\wsök)", "hae(?<!\\whae)\\b",
  "vastaa(?![nv])"). Such a stem matches somewhere in a sentence exactly when it matches
  inside one of the sentence's tokens, because a token's neighbours are whitespace or the
  string's edge. Their answers are cached per token as one bit of an int.
- the **rest** (several words, "gick ut", "frågor om"; or a look-ahead that could reach the
  next word, "avataan(?! uudelleen)"), still searched over the sentence, as one smaller
  pattern whose first letters let ``re`` skip ahead.

So ``flag.occurs(flags, text)`` equals ``pattern.search(text) is not None`` by construction; a
test holds every flagged pattern to that over the labelled sentences and over random
windows of them.

>>> registry = TokenFlags()
>>> topic = registry.add(["haku", "lausun", "gick ut"])
>>> [topic.occurs(registry.of(text), text) for text in ("hakuaika päättyy 5.3.", "ansökan gick ut", "Kysely")]
[True, True, False]
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sotevahti.date_patterns import _split_literal, compile_fast, stem_regex

# What may follow a stem's literal head and keep it token-local: a run of letters (\w, [\w-]),
# a word boundary, a negative look-behind that repeats the stem ("(?<!\wsök)"), a negative
# look-ahead for a set of letters ("(?![nv])") and optional letter endings ("(?:en|et)?").
# Every piece is unable to match whitespace, so neither can a look-around built of them.
_NO_SPACE = r"[^\s\\()\[\]{}?*+|^$.]"
_LOCAL_TAIL = re.compile(
    r"(?:\\w[*+]|\[\\w-\][*+]|\\b"
    rf"|\(\?<!\\w{_NO_SPACE}+\)"                                     # (?<!\wsök)
    rf"|\(\?!(?:\[[^\s\]\\^]+\]|{_NO_SPACE}+)\)"                      # (?![nv]), (?!e)
    rf"|\(\?:{_NO_SPACE}+(?:\|{_NO_SPACE}+)*\)\??"                     # (?:en|et)?
    rf"|{_NO_SPACE}[?*+]?)*")                                          # letters, "-?"
#: Cleared when it grows past this many tokens, so a long crawl's memory stays bounded.
_CACHE_LIMIT = 200_000


def token_local(item: str) -> bool:
    r"""Whether every match of the stem regex ``item`` lies inside one whitespace-separated token
    and its look-arounds read a whitespace neighbour as they read the string's edge.

    >>> token_local(r"sök(?<!\wsök)"), token_local("gick ut"), token_local("avataan(?! uudelleen)")
    (True, False, False)
    """
    literal, tail = _split_literal(item)
    return bool(literal) and not any(ch.isspace() for ch in literal) and _LOCAL_TAIL.fullmatch(tail) is not None


class Flag:
    """One flagged pattern: its bit in a token's flags, the regex of its other stems, and the bit
    that those need (a word of one of their heads, see :meth:`TokenFlags.add_gate`)."""

    __slots__ = ("bit", "gate", "rest")

    def __init__(self, bit: int, rest: re.Pattern[str] | None, gate: int = -1) -> None:
        self.bit, self.rest, self.gate = bit, rest, gate

    def occurs(self, flags: int, text: str, start: int = 0, end: int = 1 << 62) -> bool:
        """Whether the pattern matches in ``text[start:end]``, given ``flags`` = ``FLAGS.of`` of that
        slice (for a slice of a longer text, only when the slice starts the text or follows
        whitespace: a look-behind may otherwise read the letter before it)."""
        if flags & self.bit:
            return True
        rest = self.rest
        return rest is not None and flags & self.gate != 0 and rest.search(text, start, end) is not None


class TokenFlags:
    """The registry of flagged patterns and the per-token cache of their bits."""

    def __init__(self) -> None:
        self._tests: list[tuple[int, Callable[[str], object]]] = []
        self._cache: dict[str, int] = {}

    def add(self, items: list[str], *, prefix_only: bool = True,
            compiler: Callable[[str], re.Pattern[str]] = compile_fast) -> Flag:
        """Flag ``compiler(stem_regex(items, prefix_only=prefix_only))``; returns its :class:`Flag`."""
        local = [item for item in items if token_local(item)]
        rest = [item for item in items if not token_local(item)]
        bit = 1 << len(self._tests)
        self._tests.append((bit, compiler(stem_regex(local, prefix_only=prefix_only)).search if local
                           else lambda token: None))
        self._cache.clear()
        if not rest:
            return Flag(bit, None)
        return Flag(bit, compiler(stem_regex(rest, prefix_only=prefix_only)), self.add_gate(rest))

    def add_gate(self, items: list[str]) -> int:
        """The bit of "a token holds a word of each of ``items``' literal heads": a match of their
        stem regex anywhere in a sentence needs one, so without it the search can be skipped. The
        longest word of a head stands for it ("senast publicerat" by "publicerat", which is rarer).
        An item without a literal head sets the bit for every token (no gate)."""
        heads = [_split_literal(item)[0].split() for item in items]
        if not all(heads):
            return self.add_test(lambda token: True)
        return self.add_test(re.compile(stem_regex(sorted({max(words, key=len) for words in heads}))).search)

    def add_test(self, test: Callable[[str], object]) -> int:
        """Flag a plain test of one token (e.g. "is a month name"); returns its bit."""
        bit = 1 << len(self._tests)
        self._tests.append((bit, test))
        self._cache.clear()
        return bit

    def _compute(self, token: str) -> int:
        bits = 0
        for bit, test in self._tests:
            if test(token):
                bits |= bit
        cache = self._cache
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[token] = bits
        return bits

    @property
    def test_count(self) -> int:
        """How many token tests a new token runs (one per flagged pattern, test and gate)."""
        return len(self._tests)

    def clear_cache(self) -> None:
        """Forget every token's flags (the next look-up of each runs its tests again)."""
        self._cache.clear()

    def of(self, text: str) -> int:
        """The OR of the flags of ``text``'s whitespace-separated tokens."""
        cache = self._cache
        bits = 0
        for token in text.split():
            found = cache.get(token)
            bits |= self._compute(token) if found is None else found
        return bits


#: The extractor's one registry (deadline_patterns and deadline_words add their patterns to it).
FLAGS = TokenFlags()

__all__ = ["FLAGS", "Flag", "TokenFlags", "token_local"]
