"""Deadline extraction from Finnish, Swedish and English announcement text.

Implements the output contract of DOMAIN.md §3.4: a deadline is the last day
to act, past or future; ranges give their end, extensions the new date; dates
that are not attached to a deadline cue (entry into force, meetings, elections,
publication stamps) are ignored; vague or relative deadlines give no date but
keep an explanatory note.

>>> extract_deadline("Lakiluonnokset ovat lausuntokierroksella 25.9.2020 saakka.").to_json()
... # doctest: +NORMALIZE_WHITESPACE
{'deadline': '2020-09-25', 'time': None, 'kind': 'consultation',
 'sentence': 'Lakiluonnokset ovat lausuntokierroksella 25.9.2020 saakka.', 'note': None,
 'recurring': None}
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from dateutil.relativedelta import relativedelta

from sotevahti import deadline_patterns as cues
from sotevahti import deadline_words as dw
from sotevahti.dates import END_OF_DAY, DateMatch, find_dates_folded, fold_case
from sotevahti.deadline_candidates import best_candidate, sentence_candidates
from sotevahti.deadline_words import has
from sotevahti.sentences import sentences_of, split_sentences
from sotevahti.token_flags import FLAGS

KINDS = ("consultation", "application", "registration", "other")
#: Up to this many characters, a text's token flags are looked up once for the whole of it.
_WHOLE_TEXT_FLAGS = 1000
_HALF_YEAR = timedelta(days=183)


@dataclass(frozen=True)
class Deadline:
    """One deadline found in a text.

    ``deadline`` is None for negatives that still deserve a note, e.g. the
    relative "14 päivän kuluessa päätöksen tiedoksisaannista" or a year-less
    "Lausuntoaika päättyi 5.11." read without a reference date.
    """

    deadline: date | None
    time: time | None
    kind: str | None
    sentence: str
    note: str | None = None
    extension: bool = False
    past: bool = False
    #: (day, month) of a yearly rule ("vuosittain 31.1. mennessä"); ``deadline`` is then None.
    recurring: tuple[int, int] | None = None

    def to_json(self) -> dict:
        """The JSON shape of §3.4: ISO date, "HH:MM" time, kind, sentence, note, and
        ``recurring`` ({"day", "month"} of a yearly rule, else null)."""
        return {
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "time": format_time(self.time),
            "kind": self.kind,
            "sentence": self.sentence,
            "note": self.note,
            "recurring": {"day": self.recurring[0], "month": self.recurring[1]} if self.recurring else None,
        }


def _deadline(deadline: date | None, clock: time | None, kind: str | None, sentence: str, note: str | None = None,
              extension: bool = False, past: bool = False, recurring: tuple[int, int] | None = None) -> Deadline:
    """A Deadline built at half the cost of the frozen dataclass's own __init__ (same fields)."""
    found = object.__new__(Deadline)
    found.__dict__.update(deadline=deadline, time=clock, kind=kind, sentence=sentence, note=note,
                          extension=extension, past=past, recurring=recurring)
    return found


def format_time(value: time | None) -> str | None:
    """"HH:MM", with "kl. 24.00" kept as the ISO 8601 end of day "24:00"."""
    if value is None:
        return None
    return "24:00" if value == END_OF_DAY else f"{value.hour:02d}:{value.minute:02d}"


def classify_kind(sentence: str) -> str:
    """Kind of a deadline sentence: consultation, application, registration or other.

    >>> classify_kind("Avustushaku on avoinna 9.10.2023 – 3.11.2023 klo 15:45 saakka.")
    'application'
    """
    return _kind(fold_case(sentence))


def _kind(low: str, context: str = "") -> str:
    """The kind of folded ``low``; if nothing in it tells, of ``context``, the sentence before
    ("Hakuaikaa on jatkettu. Uusi määräaika on 20.2.2026 klo 16.")."""
    for text in (low, context) if context else (low,):
        for kind, rule in cues.KIND_RULES:
            if rule.search(text):
                return kind
    return "other"


def _make(sentence: str, low: str, m: DateMatch, when: time | None, ref_date: date | None,
          extension: bool, context: str = "", clause: tuple[int, int] = (0, 0),
          recurring: bool = False, flags: int | None = None) -> Deadline:
    """The Deadline for date ``m`` of ``sentence`` (``low`` is its folded form, ``clause`` the
    date's clause in it, ``flags`` its token flags)."""
    if flags is None:
        flags = FLAGS.of(low)
    if m.precision != "day":
        return _deadline(None, None, None, sentence,
                        note=f"vague deadline: month only ({m.text})")
    if recurring and m.yearless and m.day_month:
        day, month = m.day_month
        return _deadline(None, None, None, sentence, note=f"recurring deadline: every year by {day}.{month}.",
                        recurring=m.day_month)
    if m.date is None:
        return _deadline(None, None, None, sentence,
                        note=f"year-less date {m.text!r} needs a reference date"
                             f" ({_kind(low)})")
    notes = []
    if m.is_range:
        notes.append(f"range {m.text!r}: end taken")
    if extension:
        notes.append("extended deadline")
    if m.yearless:
        notes.append("year resolved from reference date")
    day = m.date
    if ref_date is not None and day < ref_date:
        past = True  # no need to look at the verb
    else:
        past = cues.PAST_FLAG.occurs(flags, low)
        if m.yearless and past and ref_date is not None and day > ref_date + _HALF_YEAR:
            # "Lausuntoaika päättyi 20.12." in a release of 10.1.: the roll-forward
            # rule would say next December, but the verb says it is already over.
            day = day - relativedelta(years=1)
    return _deadline(day, when, _date_kind(low, clause, context, flags), sentence,
                    note="; ".join(notes) or None, extension=extension, past=past)


def _date_kind(low: str, clause: tuple[int, int], context: str, flags: int | None = None) -> str:
    """The kind of the date whose clause is ``clause`` in the folded sentence ``low``: the first
    rule that matches the clause, which beats a word in a side clause; else the first that matches
    the sentence; else the sentence before (``context``); else "other".

    Each rule is searched over the sentence at most once, and only when its token flag (of
    ``flags``, the sentence's) says it matches; the clause is searched only for a rule that
    matched the sentence, and not even then when the leftmost match settles it.
    """
    if flags is None:
        flags = FLAGS.of(low)
    c_from, c_to = clause
    whole = c_to <= c_from or (c_from == 0 and c_to >= len(low))
    in_sentence = None
    for kind, rule, bit, rest, gate in cues.KIND_FLAGS:
        if not flags & bit and (rest is None or not flags & gate or rest.search(low) is None):
            continue  # Flag.occurs, written out: the rule does not match the sentence
        if whole:
            return kind  # it matches (the flag says so), and where does not matter
        m = rule.search(low)
        if m is None:
            continue
        if in_sentence is None:
            in_sentence = kind
        at = m.start()
        if at >= c_to:
            continue  # the leftmost match is after the clause, so none is in it
        if (at >= c_from and m.end() <= c_to) or rule.search(low, c_from, c_to):
            return kind
    if in_sentence is not None:
        return in_sentence
    return _kind(context) if context else "other"


def _vague_note(sentence: str, low: str, flags: int | None) -> Deadline | None:
    """The note of a sentence without a dated deadline whose phrase makes it relative or vague
    ("14 päivän kuluessa"), if it speaks of acting at all (``flags``: its token flags, if known)."""
    if flags is None:
        if cues.VAGUE_ANY.search(low) is None:  # the common case: no flags are worth looking up
            return None
        flags = FLAGS.of(low)
    elif not cues.VAGUE_ANY_FLAG.occurs(flags, low):
        return None
    if not (cues.TOPIC_FLAG.occurs(flags, low) or cues.ANY_CUE_FLAG.occurs(flags, low)):
        return None
    for rule, note in cues.VAGUE:
        if rule.search(low):
            return _deadline(None, None, None, sentence, note=note)
    return None


def extract_deadlines(text: str, lang: str | None = None,
                      ref_date: date | None = None, *, vague: bool = True) -> list[Deadline]:
    """Every deadline in ``text``, in reading order (at most one per sentence).

    ``ref_date`` (the page's publication date) resolves year-less dates; ``lang``
    ("fi", "sv", "en") is accepted for callers' convenience, but the cue sets of
    all three languages are always tried because pages mix them. ``vague=False`` leaves
    out the notes without a date ("keväällä 2026"), so a text with no date is done as soon
    as its dates are looked for: most stored releases name none.

    >>> [d.deadline.isoformat() for d in extract_deadlines(
    ...     "Lausuntoaika päättyi 5.11. Kysely on avoinna 24.11. saakka.",
    ...     ref_date=date(2025, 10, 20))]
    ['2025-11-05', '2025-11-24']
    """
    del lang  # the cues of fi/sv/en do not collide, so no per-language switch
    low = fold_case(text)
    # A long text (a page body) is mostly sentences without dates: only those with one look up
    # their words' flags, and its dates are found without them.
    text_flags = FLAGS.of(low) if len(low) <= _WHOLE_TEXT_FLAGS else None
    all_dates = find_dates_folded(text, low, ref_date, text_flags)
    if not (all_dates or vague):
        return []
    result: list[Deadline] = []
    next_date = 0
    previous = ""  # the folded sentence before, for the kind of a sentence that does not name it
    for s_start, s_end in sentences_of(text, low, all_dates):
        while next_date < len(all_dates) and all_dates[next_date].start < s_start:
            next_date += 1
        first = next_date
        while next_date < len(all_dates) and all_dates[next_date].start < s_end:
            next_date += 1
        sentence, s_low = text[s_start:s_end], low[s_start:s_end]
        flags = text_flags if s_start == 0 and s_end == len(low) else None  # one sentence: the text's
        found, found_words = [], {}
        if next_date > first:  # only a sentence with dates has candidates
            if flags is None:
                flags = FLAGS.of(s_low)
            # the flags stand for searches within low's bounds unless a letter before may be looked at
            found = sentence_candidates(low, s_start, s_end, all_dates[first:next_date], found_words,
                                        flags if s_start == 0 or low[s_start - 1].isspace() else None)
        if found:
            _, m, when, extension, clause = best_candidate(found)
            result.append(_make(sentence, s_low, m, when, ref_date, extension, previous,
                                (clause[0] - s_start, clause[1] - s_start), has(found_words, dw.RECURRING),
                                flags))
            previous = s_low
            continue
        note = _vague_note(sentence, s_low, flags) if vague else None
        if note is not None:
            result.append(note)
        previous = s_low
    return result


def extract_deadline(text: str, lang: str | None = None,
                     ref_date: date | None = None) -> Deadline | None:
    """The best deadline in ``text``, or None when it names none.

    Dated deadlines win over notes; an extension wins over the original date.

    >>> d = extract_deadline("Hakemusten on oltava perillä 7. tammikuuta kello 12 mennessä.",
    ...                      ref_date=date(2025, 12, 29))
    >>> d.deadline, d.time, d.kind
    (datetime.date(2026, 1, 7), datetime.time(12, 0), 'application')
    """
    found = extract_deadlines(text, lang, ref_date)
    if len(found) < 2:  # the common case, one sentence
        return found[0] if found else None
    dated = [d for d in found if d.deadline is not None]
    if not dated:
        return found[0]
    extended = [d for d in dated if d.extension]
    return (extended or dated)[0]


__all__ = ["KINDS", "Deadline", "classify_kind", "extract_deadline", "extract_deadlines",
           "format_time", "split_sentences"]
