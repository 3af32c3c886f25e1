"""The speed shortcuts of the deadline extractor must answer exactly as the scans they stand for."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

from sotevahti import deadline_candidates as dc
from sotevahti import deadline_patterns as cues
from sotevahti import deadlines
from sotevahti.date_patterns import _split_literal
from sotevahti.dates import fold_case

DATA = Path(__file__).parent / "data" / "deadline_sentences.jsonl"
LOWS = [fold_case(json.loads(line)["text"]) for line in DATA.read_text(encoding="utf-8").splitlines()]


def test_every_extension_phrase_holds_a_hint():
    for phrase in cues.EXTENSION_PHRASES:
        literal, _ = _split_literal(phrase)
        assert any(hint in literal for hint in cues.EXTENSION_HINTS), phrase


def test_extension_hints_agree_with_the_scan():
    texts = [*LOWS, "hakuaikaa on jatkettu 5.3.", "remisstiden har förlängts", "the call was reopened"]
    for low in texts:
        if cues.EXTENSION.search(low):
            assert dc._may_extend(low), low
    assert not dc._may_extend("lausuntoaika päättyy 5.3.2026.")


def test_before_cue_shortcut_agrees_with_the_pattern():
    texts = [*LOWS, "hakemus on jätettävä ennen 15.1.2026", "ansökan ska lämnas före den 3 mars",
             "apply before 3 march", "ennen klo 16 perjantaina 5.3."]
    checked = 0
    for low in texts:
        for end in range(len(low) + 1):
            start = max(0, end - 30)
            expected = cues.BEFORE_CUE.search(low, start, end) is not None
            assert dc._before_cue(low, start, end) is expected, (low, end)
            checked += expected
    assert checked >= 4


def _kind_by_two_scans(low: str, clause: tuple[int, int], context: str) -> str:
    """The kind as first written: the clause's rules, then the sentence's, then the context's."""
    if not (clause[1] <= clause[0] or (clause[0] == 0 and clause[1] >= len(low))):
        for kind, rule in cues.KIND_RULES:
            if rule.search(low, clause[0], clause[1]):
                return kind
    return deadlines._kind(low, context)


def test_date_kind_reads_each_rule_once_and_answers_as_two_scans():
    checked = 0
    for low in LOWS:
        marks = dc.clause_marks(low, 0, len(low))
        edges = [0, *(edge for mark in marks for edge in mark), len(low)]
        for c_from, c_to in pairwise(edges):
            for context in ("", "hakuaikaa on jatkettu."):
                assert deadlines._date_kind(low, (c_from, c_to), context) == _kind_by_two_scans(
                    low, (c_from, c_to), context), (low, c_from, c_to)
                checked += 1
    assert checked > 3000


_MARKS = (",", ";", " – ", " — ", " ja ", " and ", " mutta ", " men ", " but ", " och ",
          " så att ", " jotta ", " so that ", " koska ", " eftersom ", " because ", " kun ", " när ")


def _marks_by_find(low: str, s_start: int, s_end: int) -> list[tuple[int, int]]:
    """Clause marks found one literal at a time, as first written."""
    marks = []
    for mark in _MARKS:
        at = low.find(mark, s_start, s_end)
        while at >= 0:
            if mark != " och " or not (low.startswith("till", at - 4) or low.startswith(" med", at + 4)):
                marks.append((at, at + len(mark)))
            at = low.find(mark, at + 1, s_end)
    return sorted(marks)


def test_clause_marks_in_one_scan_agree_with_literal_finds():
    texts = [*LOWS, "haku ja och men, ja  och till och med 5.3.; – kun när", "a ja b och med c till och d"]
    for low in texts:
        for s_start, s_end in ((0, len(low)), (2, len(low) - 3)):
            assert dc.clause_marks(low, s_start, s_end) == _marks_by_find(low, s_start, s_end), low
