"""A cheap test that a text may hold a dated deadline, run before the full extractor.

The extractor (:mod:`sotevahti.deadlines`) splits every text into sentences and reads each one;
at thousands of items a second that is most of an insert. Every dated deadline needs a date,
and every date form we read has digits next to a dot, a dash, a month name or a long digit run
(``25.9.``, ``2020-09-25``, ``14. joulukuuta``, ``den 5 mars``, ``September 25``,
``/Date(1436227199000)/``). A text with none of these cannot yield a dated deadline, so the
extractor is skipped for it. ``tests/test_deadline_gate.py`` runs every labelled case through
this gate, so a new date form the extractor learns fails that test until the gate knows it too.
"""

from __future__ import annotations

import re

_FI_MONTHS = "tammi|helmi|maalis|huhti|touko|kesä|heinä|elo|syys|loka|marras|joulu"
_SHORT_MONTHS = "jan|feb|mar|apr|maj|may|jun|jul|aug|sep|okt|oct|nov|dec"
_AFTER = re.compile(rf"\s?[.\-–‒—/]\s?\d|\s?\.?\s?(?:{_FI_MONTHS}|{_SHORT_MONTHS})", re.IGNORECASE)
_STEMS = tuple(f"{_FI_MONTHS}|{_SHORT_MONTHS}".split("|"))


def may_hold_deadline(text: str) -> bool:
    """False only when no date form can be in ``text``, so no dated deadline either.

    Only the surroundings of each digit run are looked at, so a long text costs little.

    >>> may_hold_deadline("Lausuntoaika päättyy 15.1.2027.")
    True
    >>> may_hold_deadline("Hyvinvointialueiden rahoitus tarkentuu (12)")
    False
    """
    for start, end in _digit_runs(text):
        if end - start >= 6 or _AFTER.match(text, end, end + 16):
            return True
        before = text[max(0, start - 16):start]
        if before[-1:].isspace() and before.split()[-1:] and before.split()[-1].casefold().startswith(_STEMS):
            return True
    return False


def _digit_runs(text: str) -> list[tuple[int, int]]:
    """Spans of the runs of ASCII digits, found with ``str.find`` (far faster than a regex scan)."""
    where = []
    for digit in "0123456789":
        i = text.find(digit)
        while i != -1:
            where.append(i)
            i = text.find(digit, i + 1)
    where.sort()
    runs: list[tuple[int, int]] = []
    for i in where:
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs
