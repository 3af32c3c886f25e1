"""Which date candidate of a sentence is its deadline (DOMAIN.md §3, DEADLINES.md §1).

The extractor (:mod:`sotevahti.deadlines`) finds every date of a text first; this module decides,
for each date of one sentence, whether it is a deadline and how strongly: its cue ("viimeistään",
"senast den", "päättyy", "… mennessä"), the vetoes before it ("tulee voimaan", "järjestetään"),
the clause it stands in, and the lemma roles of the words there (whose action the date is: the
public's, or the authority's decision, payment or a grant's use). :func:`best_candidate` picks the
one the sentence's answer is built from.

>>> from sotevahti.dates import find_dates_folded, fold_case
>>> low = fold_case("Seminaari järjestetään 12.5.2025, ja ilmoittautuminen päättyy 5.5.2025.")
>>> found = sentence_candidates(low, 0, len(low), find_dates_folded(low, low), {})
>>> best_candidate(found).date.date.isoformat()
'2025-05-05'
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from operator import itemgetter
from typing import NamedTuple

from sotevahti import deadline_patterns as cues
from sotevahti import deadline_words as dw
from sotevahti.date_patterns import compile_fast
from sotevahti.dates import END_OF_DAY, DateMatch
from sotevahti.deadline_words import has, words
from sotevahti.token_flags import FLAGS


class Candidate(NamedTuple):
    """A date of a sentence that a cue makes a deadline, with what the decision found out."""

    #: 1 weak (a range in a period sentence), 2 a deadline noun, 3 a cue; +5 for an extension's new date
    score: int
    date: DateMatch  #: the date ("ennen 15.1.2026" already moved to 14.1.)
    when: time | None  #: its time, also when written apart ("5.3.2025 asti klo 16")
    extension: bool  #: whether the date is the new date of an extended deadline
    clause: tuple[int, int]  #: the date's clause, offsets in the folded text


#: Candidates are built from their five fields in order, without NamedTuple's keyword handling.
_new_tuple = tuple.__new__
# Bound methods of the hottest patterns, looked up once.
_AFTER_DATE = cues.AFTER_DATE.match
_LEFT_CUE = cues.LEFT_CUE.search
_NOUN_CUE = cues.NOUN_CUE.match
_LEFT_VETO = cues.LEFT_VETO.search
_TOPIC = cues.TOPIC.search
def cue_score(low: str, m: DateMatch, after: re.Match[str] | None, left_from: int,
               s_start: int, s_end: int, flags: int | None = None) -> int:
    """How strongly a deadline cue is attached to date ``m`` (0 = not at all).

    ``after`` is the AFTER_DATE match at the end of ``m``; ``flags`` are the sentence's token
    flags, if known (a sentence with no word of a cue before a date is not searched for one).
    """
    if after is not None and after[1]:
        return 3
    start = m.start
    cue = (_LEFT_CUE(low, left_from if left_from > start - 90 else start - 90, start)  # right before the date
           if flags is None or flags & cues.LEFT_CUE_GATE else None)
    if cue is not None:
        # A deadline noun ("Hakuaika: …") is a weaker cue than "viimeistään" or "päättyy".
        return 2 if _NOUN_CUE(low, cue.start(), start) else 3
    if m.is_range and cues.PERIOD_WORDS.search(low, s_start, s_end):
        return 1
    return 0


def _time_near_cue(low: str, after: re.Match[str] | None, left_from: int, start: int) -> time | None:
    """A time written apart from its date: "5.3.2025 asti klo 16", "by 4 p.m. on 5 March",
    "klo 12.00 mennessä 30.4.2025"."""
    if after is not None and after[2]:
        return time(int(after[2]), int(after[3] or 0))
    begin = left_from if left_from > start - 40 else start - 40
    if not (low.find("kl", begin, start) >= 0 or low.find("kello", begin, start) >= 0
            or low[max(begin, start - 5):start].rstrip().endswith("on")):
        return None  # cheap test: every form below has "kl", "kello" or "… on" before the date
    early = cues.TIME_BEFORE.search(low, begin, start)
    if early is None:
        return None
    g = early.groupdict()
    if g["h12"]:
        hour = int(g["h12"])
        if not 1 <= hour <= 12:
            return None
        if g["ampm"] is None:  # "12 noon on 6 June"
            return time(12, int(g["m12"] or 0)) if hour == 12 else None
        return time(hour % 12 + (12 if g["ampm"] == "p" else 0), int(g["m12"] or 0))
    hour = int(g["hby"] or g["hat"] or g["hklo"])
    minute = int(g["mby"] or g["mat"] or g["mklo"] or 0)
    if hour == 24 and minute == 0:
        return END_OF_DAY
    return time(hour, minute) if hour < 24 else None


_DURATION_CUES = frozenset(("saakka", "asti"))


def _topical_clause(low: str, left_from: int, s_start: int, start: int, end: int, s_end: int) -> bool:
    """Whether the clause around the date at ``start``..``end`` names something to act on."""
    if _TOPIC(low, left_from, end) is not None:
        return True
    begin = s_start
    for clause in cues.CLAUSE.finditer(low, s_start, start):
        begin = clause.end()
    clause = cues.CLAUSE.search(low, end, s_end)
    stop = clause.start() if clause else s_end
    # "…, mutta sitä on jatkettu 19.3.2025 saakka": an extension refers back to the topic, and so does
    # a period word ("…, ja se on avoinna 30. päivään asti")
    return (_TOPIC(low, begin, stop) is not None or cues.EXTENSION.search(low, begin, stop) is not None
            or cues.PERIOD_WORDS.search(low, begin, stop) is not None)


# Where a clause ends: a comma, semicolon, spaced dash or a co-ordinating conjunction, and the
# subordinators of "senast 12.12. så att de hinner behandlas", "… jotta ne ehditään käsitellä".
# "till och med" ("up to and including") is no break. One scan; a spaced mark's end takes in the
# space after it (looked at, not consumed, so " ja och " gives both marks). "," and ";" are written
# as literals, not "[,;]": only when every branch begins with a literal does ``re`` skip ahead to
# the three possible first characters instead of trying the pattern at every position.
_CLAUSE_MARK = compile_fast(r",|;| (?:–|—|ja|and|mutta|men|but|så att|jotta|so that|koska|eftersom|because"
                            r"|kun|när|och(?! med)(?<!till och))(?= )")
_COMMA_MARK = re.compile("[,;]")
_match_start = re.Match.start
#: The token flag "is the word of a spaced clause mark": a space on each side makes it a whole token
#: ("så att" and "so that" need the token "så" or "so").
_SPACED_MARK_BIT = FLAGS.add_test(frozenset(
    "– — ja and mutta men but så jotta so koska eftersom because kun när och".split()).__contains__)


def clause_marks(low: str, s_start: int, s_end: int, flags: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of every clause mark in the sentence, in order; found once per sentence.

    ``flags`` (the sentence's token flags) may tell that no word of it is a spaced mark ("ja",
    "och", "–", …): then only its commas and semicolons are marks, found by a cheaper scan.
    """
    if flags is not None and not flags & _SPACED_MARK_BIT:
        return [(at, at + 1) for at in map(_match_start, _COMMA_MARK.finditer(low, s_start, s_end))]
    marks = []
    for mark in _CLAUSE_MARK.finditer(low, s_start, s_end):
        start, end = mark.span()
        marks.append((start, end if end - start == 1 else end + 1))
    return marks


def clause_of(marks: list[tuple[int, int]], s_start: int, s_end: int, start: int, end: int) -> tuple[int, int]:
    """The clause of the date at ``start``..``end``: between the nearest clause marks on each
    side, within the sentence (``marks`` from :func:`clause_marks`)."""
    left, right = s_start, s_end
    for mark_start, mark_end in marks:
        if mark_end <= start:
            left = mark_end
        elif mark_start >= end:
            right = mark_start
            break
    return left, right


def _whose_veto(low: str, found_words: dict, c_from: int, c_to: int, s_start: int, s_end: int,
                start: int) -> bool:
    """Whether the date's clause makes it the authority's act, a count, a grant's use or an eligible
    period rather than something the public must do by then (DOMAIN §3.3, issue 11 point 3)."""
    if not found_words.keys() & _VETO_ROLES:
        return False  # the common case: no word of any vetoing role in the sentence
    if (has(found_words, dw.COUNT, c_from, c_to) and cues.PERIOD_NOUN.search(low, c_from, c_to) is None
            and cues.PERIOD_WORDS.search(low, c_from, c_to) is None):
        return True  # "Kyselyyn vastasi 24.11.2025 mennessä yli 3 000": a count; "määräaikaan … mennessä" is not
    if has(found_words, dw.QUESTION, c_from, c_to) and has(found_words, dw.ANSWERED, c_from, c_to):
        return True  # "Hakemuksiin liittyviin kysymyksiin vastataan 1.12. asti": the help desk's hours
    act_here = has(found_words, dw.ACT, c_from, c_to)
    if ((has(found_words, dw.AUTHORITY, c_from, c_to)
         # "Besluten skickas per post under vecka 6, senast den 6 februari": the clause names no action
         or (not act_here and (has(found_words, dw.AUTHORITY, s_start, s_end)
                               or has(found_words, dw.PAYMENT, s_start, s_end))))
            and not has(found_words, dw.APPEAL, c_from, c_to) and cues.PERIOD_NOUN.search(low, c_from, start) is None):
        return True  # "Päätökset pyritään tekemään 15.12. mennessä", "Besluten fattas senast …"
    if (has(found_words, dw.PAYMENT, c_from, c_to)
            and _last(found_words, dw.PAYMENT, start) > _last(found_words, dw.ACT, start)):
        return True  # "Avustukset maksetaan 15.3.2026 mennessä"; not "Utbetalning … ska sökas senast …"
    grant = has(found_words, dw.GRANT, s_start, s_end)
    if grant and not has(found_words, dw.REPORT, c_from, c_to) and (
            has(found_words, dw.USE, c_from, c_to)
            # "Avustus on käytettävä kuluvan vuoden aikana, viimeistään 31.12.2026"
            or (not act_here and has(found_words, dw.USE, s_start, s_end))):
        return True  # "Avustusta voi käyttää 31.12.2026 asti", "Bidraget kan användas t.o.m. …"
    if not has(found_words, dw.ELIGIBLE, c_from, c_to):
        return False
    if _STRICT_CUE_BEFORE.search(low, max(c_from, start - 20), start) is not None:
        return False  # costs do not arise "viimeistään": "… ja viime vuoden kustannuksista viimeistään 30.6.2027"
    # "Hankkeen toteutusaika on 1.1.2026–31.12.2027"; with a grant, the word nearer the date tells:
    # "Stödet kan sökas för kostnader som uppkommit t.o.m. 30.6." is about the costs
    return not act_here or (grant and _last(found_words, dw.ELIGIBLE, start) > _last(found_words, dw.ACT, start))


#: A cue that only a deadline takes, right before its date (an eligible period's end takes "t.o.m.", "asti").
_STRICT_CUE_BEFORE = compile_fast(r"(?:viimeistään|senast(?:\s+den)?)\s+$")
_VETO_ROLES = frozenset((dw.AUTHORITY, dw.COUNT, dw.USE, dw.ELIGIBLE, dw.PAYMENT, dw.QUESTION))


def _last(found_words: dict, role: str, before: int) -> int:
    """Offset of the last word with ``role`` before ``before`` (-1 if none)."""
    return max((at for at in found_words.get(role, ()) if at < before), default=-1)


def sentence_candidates(low: str, s_start: int, s_end: int, dates: list[DateMatch], found_words: dict,
                        flags: int | None = None) -> list[Candidate]:
    """The deadline candidates of the sentence ``low[s_start:s_end]`` (``low`` is the folded text),
    from its ``dates`` in reading order.

    Every date is a candidate; its cue, the vetoes and the roles of the words in its own clause
    decide; a sentence with no word about acting at all has none. ``found_words`` starts empty
    and is filled (by lemma roles) only once a date has a cue, so most sentences never pay for it;
    the topic, too, is looked at only then. ``flags`` (``token_flags.FLAGS.of`` the sentence, when
    it starts ``low`` or follows whitespace) answer the topic and role-hint tests from the cache.
    """
    found = []
    topical = marks = None
    unread = True  # whether the sentence's topic is still to be looked at: only once a date has a cue
    prev_end = prev_veto_end = s_start
    extended = None  # whether the sentence speaks of an extension at all, looked up once
    for m in dates:
        start = m.start
        # Cues and vetoes only count inside the date's own clause: in
        # "saapunut 20.12.2024 ja … 31.1.2025 mennessä" each date has its own.
        left_from = prev_end
        if (low.find(",", prev_end, start) >= 0 or low.find(";", prev_end, start) >= 0
                or low.find("–", prev_end, start) >= 0 or low.find("—", prev_end, start) >= 0):
            for clause in cues.CLAUSE.finditer(low, prev_end, start):
                left_from = clause.end()
        # "8.1.2025 päivätyllä …" describes the earlier date, so the veto window starts after it.
        veto_from = max(left_from, start - 70, prev_veto_end)
        after = _AFTER_DATE(low, m.end, s_end)
        prev_end = prev_veto_end = m.end
        if after is not None and after[4]:  # "1.1.2019 alkaen"
            prev_veto_end = after.end()
            continue
        score = cue_score(low, m, after, left_from, s_start, s_end, flags)
        if not score and cues.LATER_CUE.match(low, m.end, s_end):
            score = 2  # "… 15.10.2025 asti, jolloin hakuaika päättyy"
        if not score:
            continue
        if unread:
            unread = False
            if not (_TOPIC(low, s_start, s_end) is not None if flags is None
                    else cues.TOPIC_FLAG.occurs(flags, low, s_start, s_end)):
                # no action word on the surface: do the lemmas name one?
                found_words.update(words(low, s_start, s_end))
                if not (has(found_words, dw.ACT) or has(found_words, dw.APPEAL)):
                    return found
                topical = True
        if marks is None:
            marks = clause_marks(low, s_start, s_end, flags)
        clause = clause_of(marks, s_start, s_end, start, m.end)
        veto = (_LEFT_VETO(low, max(veto_from, clause[0]), start)
                if flags is None or flags & cues.LEFT_VETO_GATE else None)  # no veto word in the sentence
        if veto is not None and cues.PERIOD_NOUN.search(low, veto.end(), start) is None:
            if topical is None:
                found_words.update(words(low, s_start, s_end))
                topical = True  # the surface topic test passed above
            if not has(found_words, dw.ACT, veto.end(), start):
                # a veto word counts unless a deadline noun or an action stands between it and the date:
                # "Ennakkoäänestyksen aikana kotiäänestykseen on ilmoittauduttava viimeistään 1.4."
                continue
        duration = after is not None and after[1] in _DURATION_CUES
        if topical is None:
            # the lemma roles only matter for vetoes and yearly rules: without a surface hint of one
            # (a cheap scan), the word-by-word look-up is skipped
            if (dw.ROLE_HINT.search(low, s_start, s_end) is not None if flags is None
                    else dw.ROLE_HINT_FLAG.occurs(flags, low, s_start, s_end)):
                found_words.update(words(low, s_start, s_end))
            topical = True
        if (score == 3 and duration
                and not _topical_clause(low, left_from, s_start, start, after.end(), s_end)):
            continue  # "Hanke kestää 31.12.2026 asti, ja sen rahoitus haetaan …": the topic is another clause's
        if _whose_veto(low, found_words, clause[0], clause[1], s_start, s_end, start):
            continue
        when = m.time
        if when is None and m.date is not None:
            when = _time_near_cue(low, after, left_from, start)
            if when is None and not m.is_range and _before_cue(low, max(left_from, start - 30), start):
                m = m._replace(date=m.date - timedelta(days=1))  # "ennen 15.1.2026": by 14.1.
        if extended is None:
            extended = ((_may_extend(low[s_start:s_end]) if flags is None else bool(flags & cues.EXTENSION_HINT_BIT))
                        and cues.EXTENSION.search(low, s_start, s_end) is not None)
        # the date an extension word stands before: right before it, or the sentence's last date
        # ("förlängts från den 10 mars till den 24 mars 2025")
        extension = extended and (len(dates) == 1 or cues.EXTENSION.search(low, left_from, start) is not None
                                  or (m.start == dates[-1].start
                                      and cues.EXTENSION.search(low, s_start, start) is not None))
        found.append(_new_tuple(Candidate, (score + 5 * extension, m, when, extension, clause)))
    return found


def best_candidate(found: list[Candidate]) -> Candidate:
    """The candidate the sentence's answer is built from: the best-scoring one with a day, the
    earliest of equals (a month-only or unresolved date only when nothing better is there)."""
    if len(found) == 1:
        return found[0]  # the common case
    dated = [f for f in found if f.date.precision == "day" and (f.date.date or f.date.day_month)] or found
    return max(dated, key=_SCORE)


_SCORE = itemgetter(0)


def _before_cue(low: str, start: int, end: int) -> bool:
    """Whether "ennen", "före" or "before" ends right before ``end`` (BEFORE_CUE), with a cheap
    look for the words first: most dates have none of them nearby."""
    return ((low.find("ennen", start, end) >= 0 or low.find("före", start, end) >= 0
             or low.find("before", start, end) >= 0) and cues.BEFORE_CUE.search(low, start, end) is not None)


def _may_extend(sentence: str) -> bool:
    """Whether the folded ``sentence`` may hold an EXTENSION phrase (by its EXTENSION_HINTS)."""
    for hint in cues.EXTENSION_HINTS:
        if hint in sentence:
            return True
    return False


__all__ = ["Candidate", "best_candidate", "clause_marks", "clause_of", "cue_score", "sentence_candidates"]
