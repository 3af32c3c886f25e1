"""Sentence splitting for the deadline extractor, without breaking dates or abbreviations.

>>> t = "Haku päättyy 5.11. Lisätietoja antaa esim. Kela."
>>> [t[a:b] for a, b in split_sentences(t)]
['Haku päättyy 5.11.', 'Lisätietoja antaa esim. Kela.']
"""

from __future__ import annotations

import re

from sotevahti.dates import DateMatch, find_dates

# Abbreviations whose dot never ends a sentence ("klo. 16", "p. 0295 …", "esim. Kela").
_ABBREVIATIONS = frozenset((
    "klo", "kl", "p", "puh", "esim", "jne", "mm", "ns", "ks", "vrt", "yms", "tms", "ym", "n",
    "ts", "os", "nro", "t.ex", "bl.a", "dvs", "ca", "resp", "s", "kpl", "milj", "mrd", "sid",
    "st", "prof", "dos", "tri", "ins", "eng", "etc", "e.g", "i.e", "vs", "no",
))
# Starts with a character class, so the engine jumps straight to the candidates.
_BOUNDARY = re.compile(r"[.!?\n](?:(?<=[.!?])[.!?]*[\"”»)]?\s+(?=[\"“”«(]?[A-ZÅÄÖ])|(?<=\n)\n*)")
_LAST_WORD = re.compile(r"(\S+)$")
_CAPITAL = re.compile(r"[A-ZÅÄÖ]")


def split_sentences(text: str, dates: list[DateMatch] | None = None) -> list[tuple[int, int]]:
    """Split ``text`` into sentence spans (start, end) without breaking dates.

    A dot ends a sentence only before whitespace and a capital, and never inside
    a date ("TORSTAINA 7. MARRASKUUTA 2013") or after an abbreviation
    ("klo.", "p.", "esim.", "jne."). Newlines always end a sentence.

    >>> t = "Haku päättyy 5.11. Lisätietoja antaa esim. Kela."
    >>> [t[a:b] for a, b in split_sentences(t)]
    ['Haku päättyy 5.11.', 'Lisätietoja antaa esim. Kela.']
    """
    if dates is None:
        dates = find_dates(text)
    out: list[tuple[int, int]] = []
    start = 0
    span_index = 0  # boundaries and dates both come in text order: walk them together
    for b in _BOUNDARY.finditer(text):
        dot = b.start()
        newline = text[dot] == "\n"
        if newline and text[max(0, dot - 80):dot].rstrip().endswith(":"):
            continue  # "Hakuaika:\n1.8.‒1.9.2025" is one statement
        if not newline:
            while span_index < len(dates) and dates[span_index].end - 1 <= dot:
                span_index += 1
            if span_index < len(dates) and dates[span_index].start <= dot:
                continue
            word = _LAST_WORD.search(text, max(0, dot - 12), dot)
            if word is not None and (word[1].lower().lstrip("(") in _ABBREVIATIONS
                                     or _CAPITAL.fullmatch(word[1])):
                continue
        _push(text, start, dot if newline else b.end(), out)
        start = b.end()
    _push(text, start, len(text), out)
    return out


def sentences_of(text: str, low: str, dates: list[DateMatch]) -> list[tuple[int, int]]:
    """``split_sentences``, with a shortcut for the commonest input, a single sentence.

    If ``low`` has no whitespace but plain spaces (``isprintable``) and no
    ".", "!", "?", closing quote or bracket before a space, no sentence boundary
    can match, and the costlier scan is skipped.
    """
    if "\n" in low or not low.isprintable() or _MAYBE_BREAK(low):
        return split_sentences(text, dates)
    start, end = len(text) - len(text.lstrip()), len(text.rstrip())
    return [(start, end)] if end > start else []


# A space after a sentence mark; it starts with a literal, which ``re`` finds fastest.
_MAYBE_BREAK = re.compile(r" (?<=[.!?\"”»)] )").search


def _push(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    if (start < end and text[start].isspace()) or (end > start and text[end - 1].isspace()):
        part = text[start:end]
        stripped = part.lstrip()
        start += len(part) - len(stripped)
        end = start + len(stripped.rstrip())
    if end > start:
        out.append((start, end))


__all__ = ["sentences_of", "split_sentences"]
