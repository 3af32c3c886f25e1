"""Finnish, Swedish and English date recognition for Sotevahti.

We write this ourselves (no dateparser): the sources use a small set of forms
(DOMAIN.md §2) and their pitfalls (year-less dates, ranges completed from the
end, bare times after dates, statute and diary numbers) need rules that a
generic parser gets wrong.

>>> [m.date.isoformat() for m in find_dates("lausuntokierroksella 25.9.2020 saakka")]
['2020-09-25']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

from dateutil.relativedelta import relativedelta

from sotevahti import date_patterns as pat
from sotevahti.date_patterns import fold_case
from sotevahti.iso_dates import HELSINKI, parse_iso_datetime
from sotevahti.token_flags import FLAGS

#: "kl. 24.00" means the very end of the day; ``time`` cannot hold 24:00, so
#: this sentinel stands in for it and serialisers print it as "24:00".
END_OF_DAY = time(23, 59, 59, 999999)

#: A year-less date falling more than this before the reference date is read
#: as next year's (§2.2: "7. tammikuuta" in a release of 29.12.2025 = 2026).
ROLL_FORWARD = relativedelta(months=2)

_DASHES = "-‒–—"
_BETWEEN_WORDS = ("and", "och", "ja", "to", "till", "until")
#: An article may stand between the joining word and the end date: "mellan den 12 och den 26 augusti".
_BETWEEN_ARTICLES = tuple(f"{word} {article}" for word in _BETWEEN_WORDS for article in ("den", "the"))
_TIME_AFTER = pat.TIME_AFTER.match


class DateMatch(NamedTuple):
    """One date (or date range) found in a text.

    ``date`` is the resolved day (the end day for ranges), or None when the
    text gave no year and there was no reference date to resolve it against.
    ``precision`` is "day", or "month" for "lokakuussa" / "i december 2020",
    where ``date`` is the first day of that month. Immutable; ``m._replace(date=…)``
    gives a changed copy.
    """

    start: int
    end: int
    text: str
    date: date | None
    time: time | None = None
    is_range: bool = False
    range_start: date | None = None
    yearless: bool = False
    precision: str = "day"
    #: (day, month) of the end day as written, kept even when no year resolves it
    #: ("vuosittain 31.1. mennessä" is a yearly rule, not one date).
    day_month: tuple[int, int] | None = None

    def as_datetime(self) -> datetime | None:
        """Aware Europe/Helsinki datetime when both day and time are known."""
        if self.date is None or self.time is None:
            return None
        return datetime.combine(self.date, self.time, tzinfo=HELSINKI)


#: ``tuple.__new__``: a DateMatch is built from its ten fields in order, without the keyword
#: handling of NamedTuple's own ``__new__`` (a third of its cost; a text has a date or two).
_new_tuple = tuple.__new__


@dataclass(slots=True)
class _Atom:
    start: int
    end: int
    day: int | None
    month: int
    year: int | None
    precision: str = "day"
    moment: datetime | None = None  # ISO / OData values arrive with their own time
    start_atom: _Atom | None = None
    time: time | None = None
    named: bool = False  # month written as a word, so "25–26 september" may drop the dot


#: The token flag "a Swedish or English month name is a word of it": ``named_month_possible`` of a
#: text is true exactly when it is true of one of its whitespace-separated tokens.
MONTH_WORD_BIT = FLAGS.add_test(pat.named_month_possible)
_WEEKDAY_WORD = pat.compile_fast(pat.WEEKDAY).fullmatch


def _weekday_token(token: str) -> bool:
    """Whether ``token`` ends in a weekday that starts it or follows a mark other than "-": what
    ``_weekday_start`` needs of the word before a date ("tiistaina", "(fredagen", "to.")."""
    return any(_WEEKDAY_WORD(token, at) for at in
               (0, *(i + 1 for i, ch in enumerate(token) if not ch.isalnum() and ch != "-")))


#: The token flag of ``_weekday_token``: a text without it has no weekday before a date.
WEEKDAY_BIT = FLAGS.add_test(_weekday_token)

_DAYS_IN_MONTH = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _valid(day: int, month: int, year: int | None) -> bool:
    if not (1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month]):
        return False
    if month == 2 and day == 29 and year is not None:
        return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return True  # a year-less 29.2. passes


def _fi_month(stem: str) -> int:
    return pat.FI_STEMS.index(stem) + 1


def _weekday_start(low: str, start: int) -> int | None:
    """Where a weekday written right before ``start`` begins ("tiistaina 11.1.", "fredagen den 5")."""
    if start < 3 or not low[start - 1].isspace():
        return None
    # Cheap test on the word before (or before "den"); the regex below has the last word.
    word_start = low.rfind(" ", 0, start - 1) + 1
    word = low[word_start:start - 1]
    if word == "den" and word_start > 1:
        word = low[low.rfind(" ", 0, word_start - 1) + 1:word_start - 1]
    if word and not (word in pat.WEEKDAY_WORDS or word.startswith(pat.FI_WEEKDAY_STEMS)):
        return None
    m = pat.WEEKDAY_BEFORE.search(low, max(0, start - 25), start)
    if m is None or (m.start() and (low[m.start() - 1].isalnum() or low[m.start() - 1] == "-")):
        return None
    return m.start()


def _bare_deadline_date(low: str, start: int, end: int) -> bool:
    """Whether "5.5" is a date because a deadline word comes right before ("Anmälan senast 5.5 till …")
    and no unit after ("senast 5.5 %", "viimeistään 1.5 tunnin")."""
    before = low[max(0, start - 16):start]
    if not before.endswith(" ") or not pat.BARE_DATE_CUE.search(before):
        return False
    return pat.AMOUNT_AFTER.match(low, end) is None


def _collect_atoms(text: str, low: str, named_month: object, weekday: object = True) -> list[_Atom]:
    """The date atoms of ``text`` (folded: ``low``); ``named_month`` says whether a Swedish or
    English month name is one of its words (``named_month_possible``), ``weekday`` whether a word
    may be a weekday before a date (false only when ``_weekday_start`` would find none)."""
    found: list[_Atom] = []
    if "-" in low:
        for m in pat.ISO.finditer(text):
            dt = parse_iso_datetime(m.group(0))
            if dt is not None:
                has_time = len(m.group(0)) > 10
                found.append(_Atom(m.start(), m.end(), dt.day, dt.month, dt.year,
                                   moment=dt if has_time else None))
        for m in pat.DMY_HYPHEN.finditer(low):
            if _valid(int(m[1]), int(m[2]), int(m[3])):
                found.append(_Atom(m.start(), m.end(), int(m[1]), int(m[2]), int(m[3])))
    if "/date(" in low:
        for m in pat.ODATA.finditer(text):
            dt = parse_iso_datetime(m.group(0))
            if dt is not None:
                found.append(_Atom(m.start(), m.end(), dt.day, dt.month, dt.year, moment=dt))
    if "/" in low:  # "15/3/2025"; statute and diary numbers ("449/2007", "VN/14113/2023") have no D/M/YYYY
        for m in pat.SLASH_DMY.finditer(low):
            if _valid(int(m[1]), int(m[2]), int(m[3])):
                found.append(_Atom(m.start(), m.end(), int(m[1]), int(m[2]), int(m[3])))
    for m in pat.NUMERIC.finditer(low):
        day_text, month_text, dot, year_text = m.groups()
        day, month = int(day_text), int(month_text)
        year = int(year_text) if year_text else None
        if not _valid(day, month, year):
            continue
        start = m.start()
        if year is None:
            if pat.TIME_WORD_BEFORE.search(low, max(0, start - 25), start):
                continue
            if (not dot and (not weekday or _weekday_start(low, start) is None)
                    and not _bare_deadline_date(low, start, m.end())
                    and not pat.RANGE_START_BEFORE.search(low, max(0, start - 12), start)):
                continue  # "11.1" without the final dot only after "tisdag", "senast" or a range start "15.3–"
        found.append(_Atom(start, m.end(), day, month, year))
    if ("kuu" in low or "k." in low) and pat.FI_MONTH_WORD.search(low):
        for m in pat.FI_DAY_MONTH.finditer(low):
            day, month, year = int(m[1]), _fi_month(m[2]), _int(m[3])
            if _valid(day, month, year):
                found.append(_Atom(m.start(), m.end(), day, month, year, named=True))
        for m in pat.FI_GENITIVE.finditer(low):
            day, month, year = int(m[2]), _fi_month(m[1]), _int(m[3])
            if _valid(day, month, year):
                found.append(_Atom(m.start(), m.end(), day, month, year, named=True))
        for m in pat.FI_MONTH_ONLY.finditer(low):
            atom = _Atom(m.start(), m.end(), None, _fi_month(m[2]), _int(m[3]), precision="month")
            if m[1]:  # "elo-syyskuussa": only the last month carries the ending
                atom.start_atom = _Atom(m.start(), m.start(), None, _fi_month(m[1]), None, "month")
            found.append(atom)
    if named_month:
        for m in pat.NAMED_DAY_MONTH.finditer(low):
            day, year = int(m[1]), _int(m[3] or m[5])
            month = pat.NAMED_MONTHS[m[2]] if m[2] else pat.MONTH_ABBREVIATIONS[m[4]]
            if _valid(day, month, year):
                found.append(_Atom(m.start(), m.end(), day, month, year, named=True))
        for m in pat.NAMED_MONTH_DAY.finditer(low):
            if not _word_start(low, m.start()):
                continue
            day, year = int(m[2]), int(m[3])
            month = pat.NAMED_MONTHS.get(m[1]) or pat.MONTH_ABBREVIATIONS[m[1]]
            if _valid(day, month, year):
                found.append(_Atom(m.start(), m.end(), day, month, year, named=True))
        for m in pat.NAMED_MONTH_ONLY.finditer(low):
            name, year = m.groups()
            if _word_start(low, m.start()) and (year or name not in ("may", "march")):
                found.append(_Atom(m.start(), m.end(), None, pat.NAMED_MONTHS[name], _int(year), "month"))
    if len(found) < 2:
        return found
    for before, after in pairwise(found):
        if before.end > after.start:
            break
    else:
        return found  # in reading order, none overlapping: what the sort and the pass below give
    found.sort(key=_reading_order)
    kept: list[_Atom] = []
    for atom in found:
        if not kept or atom.start >= kept[-1].end:
            kept.append(atom)
    return kept


def _reading_order(atom: _Atom) -> tuple[int, int]:
    """Sort key of atoms: by start, the longest first."""
    return atom.start, atom.start - atom.end


def _word_start(low: str, i: int) -> bool:
    return not i or not (low[i - 1].isalnum() or low[i - 1] == "_")


def _int(value: str | None) -> int | None:
    return int(value) if value else None


def _bare_day_range(tail: str, prefix: re.Match[str], atom: _Atom) -> bool:
    """Swedish "1–31.10.2025", "1–28.4.": a bare day before a day and month, earlier in its month, after
    no clock word."""
    return (atom.day is not None and int(prefix[1]) < atom.day
            and not pat.TIME_WORD_BEFORE.search(tail, 0, prefix.start()))


def _range_prefix(text: str, atom: _Atom, prev: _Atom | None) -> tuple[re.Match[str], int] | None:
    """The start of a range that ``atom`` ends: "12.–", "14.11.–", "between 1 and"."""
    i = atom.start
    while i and text[i - 1].isspace():
        i -= 1
    if not i or not (text[i - 1] in _DASHES or text.endswith(_BETWEEN_WORDS, 0, i)
                     or text.endswith(_BETWEEN_ARTICLES, 0, i)):
        return None  # the common case, settled without slicing
    tail = text[max(0, atom.start - 36):atom.start]
    stripped = tail.rstrip()
    prefix = None
    if stripped and stripped[-1] in _DASHES:
        prefix = pat.RANGE_PREFIX.search(tail)
        if prefix is not None and not (prefix[2] or atom.named or _bare_day_range(tail, prefix, atom)):
            prefix = None  # "25–26" needs a month word after it
    elif stripped.endswith(_BETWEEN_WORDS) or stripped.endswith(_BETWEEN_ARTICLES):
        prefix = pat.BETWEEN_PREFIX.search(tail)
    if prefix is None:
        return None
    offset = atom.start - len(tail)
    if prev is not None and offset + prefix.start() < prev.end:
        return None
    return prefix, offset


def _merge_ranges(text: str, atoms: list[_Atom]) -> list[_Atom]:
    merged: list[_Atom] = []
    for atom in atoms:
        prev = merged[-1] if merged else None
        if (prev is not None and prev.moment is None and atom.moment is None
                and prev.precision == atom.precision == "day"
                and (pat.RANGE_GAP.fullmatch(text, prev.end, atom.start)
                     or ("kl" in text[prev.end:atom.start]
                         and pat.TIMED_RANGE_GAP.fullmatch(text, prev.end, atom.start))
                     or (pat.AND_GAP.fullmatch(text, prev.end, atom.start)  # "mellan 1 mars och 31 augusti"
                         and pat.BETWEEN_BEFORE.search(text, max(0, prev.start - 16), prev.start)))):
            merged[-1] = atom
            atom.start_atom, atom.start = prev, prev.start
            continue
        if atom.precision == "day" and atom.moment is None:
            found = _range_prefix(text, atom, prev)
            if found is not None:
                prefix, offset = found
                day = int(prefix[1])
                ranged = prefix.re is pat.RANGE_PREFIX
                month = int(prefix[3]) if ranged and prefix[3] else atom.month
                if not ranged and prefix[2]:  # "mellan 1 mars och 31 augusti 2025"
                    month = pat.NAMED_MONTHS[prefix[2]]
                year = int(prefix[4]) if ranged and prefix[4] else None
                if _valid(day, month, year):
                    start = offset + prefix.start()
                    atom.start_atom = _Atom(start, start, day, month, year)
                    atom.start = start
        merged.append(atom)
    return merged


def _attach_times(text: str, atoms: list[_Atom], weekday: object = True) -> list[_Atom]:
    out: list[_Atom] = []
    consumed = 0
    for atom in atoms:
        if atom.start < consumed:
            continue  # swallowed as the time of the previous date
        if atom.precision == "day" and atom.moment is None:
            m = _TIME_AFTER(text, atom.end)
            if m is not None:
                hour, minute, ampm, bare_hour, bare_minute = m.groups()
                if hour is not None:
                    hour = int(hour)
                    if ampm and 1 <= hour <= 12:  # "at 4.15 pm"
                        hour = hour % 12 + (12 if ampm == "p" else 0)
                elif atom.year is not None:
                    hour, minute = int(bare_hour), bare_minute
                parsed = _make_time(hour, int(minute) if minute else 0) if hour is not None else None
                if parsed is not None:
                    atom.time, atom.end = parsed, m.end()
        at = _weekday_start(text, atom.start) if weekday else None
        if at is not None:
            atom.start = at
        consumed = atom.end
        out.append(atom)
    return out


def _make_time(hour: int, minute: int) -> time | None:
    if hour == 24 and minute == 0:
        return END_OF_DAY
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def resolve_year(day: int, month: int, ref_date: date) -> date | None:
    """Place a year-less ``D.M.`` in the year the reference date implies.

    >>> resolve_year(7, 1, date(2025, 12, 29))  # "7. tammikuuta" in a late-December release
    datetime.date(2026, 1, 7)
    """
    if not _valid(day, month, None):
        return None
    limit = _roll_limit(ref_date)
    for year in range(ref_date.year, ref_date.year + 5):
        if _valid(day, month, year):  # 29.2. waits for a leap year
            candidate = date(year, month, day)
            if candidate >= limit:
                return candidate
    return None


@lru_cache(maxsize=256)
def _roll_limit(ref_date: date) -> date:
    """The earliest day a year-less date may fall on before rolling to next year."""
    return ref_date - ROLL_FORWARD


def _resolve(atom: _Atom, ref_date: date | None) -> date | None:
    day = atom.day or 1
    if atom.year is not None:
        return date(atom.year, atom.month, day) if _valid(day, atom.month, atom.year) else None
    return resolve_year(day, atom.month, ref_date) if ref_date else None


def find_dates(text: str, ref_date: date | None = None) -> list[DateMatch]:
    """Find every date, range and month mention in ``text``, in order.

    Year-less dates resolve against ``ref_date`` (the page's publication
    date); without one their ``date`` is None.

    >>> m = find_dates("Avustushaku on avoinna 9.10.2023 – 3.11.2023 klo 15:45 saakka.")[0]
    >>> m.range_start, m.date, m.time
    (datetime.date(2023, 10, 9), datetime.date(2023, 11, 3), datetime.time(15, 45))
    """
    return find_dates_folded(text, fold_case(text), ref_date)


def find_dates_folded(text: str, low: str, ref_date: date | None = None,
                      flags: int | None = None) -> list[DateMatch]:
    """``find_dates`` for a caller that already holds ``low = fold_case(text)`` (and maybe its
    ``flags = token_flags.FLAGS.of(low)``, which tell whether it names a month)."""
    if flags is None:
        named_month, weekday = pat.named_month_possible(low), True
    else:
        named_month, weekday = flags & MONTH_WORD_BIT, flags & WEEKDAY_BIT
    atoms = _collect_atoms(text, low, named_month, weekday)
    if not atoms:
        return []
    atoms = _attach_times(low, _merge_ranges(low, atoms), weekday)
    matches: list[DateMatch] = []
    for atom in atoms:
        if atom.moment is not None:
            matches.append(_new_tuple(DateMatch, (atom.start, atom.end, text[atom.start:atom.end],
                                                  atom.moment.date(), atom.moment.timetz().replace(tzinfo=None),
                                                  False, None, False, "day", None)))
            continue
        if atom.year is not None and atom.day is not None:  # already checked by _collect_atoms
            end = date(atom.year, atom.month, atom.day)
        else:
            end = _resolve(atom, ref_date)
        start = None
        if atom.start_atom is not None:
            first = atom.start_atom
            if first.year is None and atom.year is not None:
                first.year = atom.year
            start = _resolve(first, ref_date)
            if start is not None and end is not None and first.year is None:
                start = start.replace(year=end.year) if _valid(start.day, start.month, end.year) else start
            if start is not None and end is not None and start > end:
                start = start - relativedelta(years=1)  # "30.12.–7.1." crosses the new year
        matches.append(_new_tuple(DateMatch, (atom.start, atom.end, text[atom.start:atom.end], end, atom.time,
                                              atom.start_atom is not None, start, atom.year is None,
                                              atom.precision, (atom.day, atom.month) if atom.day else None)))
    return matches


def parse_date(text: str, ref_date: date | None = None) -> date | None:
    """The first day-precision date in ``text`` ("25. syyskuuta 2020" → 2020-09-25)."""
    for m in find_dates(text, ref_date):
        if m.precision == "day":
            return m.date
    return None


def parse_publication_stamp(text: str) -> datetime | None:
    """Return the publication stamp of a page as an aware Helsinki datetime.

    Prefers a labelled stamp ("Julkaisuajankohta 3.3.2016 12.19",
    "Utgivningsdatum …", "Publication date …", "Julkaistu: … klo 15:45"),
    then a bare "20.3.2020 10.17", then a date standing alone on a line.
    With no time the result is midnight Helsinki of that day, because the day
    is what year-less deadlines resolve against. None when there is no stamp.

    >>> parse_publication_stamp("Julkaisuajankohta 3.3.2016 12.19 Uutinen").isoformat()
    '2016-03-03T12:19:00+02:00'
    """
    found = [m for m in find_dates(text) if m.date is not None and m.precision == "day"]
    chosen = None
    for label in pat.STAMP_LABEL.finditer(text):
        chosen = next((m for m in found if m.start == label.end()), None)
        if chosen:
            break
    if chosen is None:
        chosen = next((m for m in found if m.time is not None and not m.is_range), None)
    if chosen is None:
        chosen = next((m for m in found if _alone_on_line(text, m)), None)
    if chosen is None:
        return None
    return datetime.combine(chosen.date, chosen.time or time(0, 0), tzinfo=HELSINKI)


def _alone_on_line(text: str, m: DateMatch) -> bool:
    line_start = text.rfind("\n", 0, m.start) + 1
    line_end = text.find("\n", m.end)
    line_end = len(text) if line_end < 0 else line_end
    return not text[line_start:m.start].strip() and not text[m.end:line_end].strip()


__all__ = [
    "END_OF_DAY", "HELSINKI", "DateMatch", "find_dates", "find_dates_folded", "fold_case", "parse_date",
    "parse_iso_datetime", "parse_publication_stamp", "resolve_year",
]
