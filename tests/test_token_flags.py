"""The token flags (sotevahti/token_flags.py) answer the extractor's sentence-wide pattern tests from
a per-word cache; every answer must equal the ``re`` search it stands for."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import pytest

from sotevahti import date_patterns, deadline_patterns, deadline_words, token_flags
from sotevahti.dates import MONTH_WORD_BIT, WEEKDAY_BIT, _weekday_start, find_dates_folded, fold_case
from sotevahti.deadline_candidates import _may_extend, clause_marks, sentence_candidates
from sotevahti.token_flags import FLAGS, TokenFlags, token_local

_LABELLED = Path(__file__).parent / "data" / "deadline_sentences.jsonl"
_CASES = [json.loads(line) for line in _LABELLED.read_text(encoding="utf-8").splitlines()]
_LOWS = [fold_case(case["text"]) for case in _CASES]
_FLAGGED = [*deadline_patterns.FLAGGED, (deadline_words.ROLE_HINT, deadline_words.ROLE_HINT_FLAG)]
# Words at the edges of the stems' rules: look-behinds, look-aheads, several words, hyphens, case endings.
_TRICKY = ("avataan uudelleen", "avataan", "avataan, uudelleen", "ansök", "sök", "x-sök", "sök-", "hae", "hae,",
           "hae-", "haetaan", "(hae)", "svar", "svaret", "svarstid", "motsvar", "vastaan", "vastaa", "vastaav",
           "gick ut", "gick\u00a0ut", "gick", "ut", "frågor om", "frågor", "stängd", "stängde", "stängdes",
           "päättyi", "päättyi.", "eipäättyi", "kesällä", "kesällä,", "kesälläkin", "ends", "ends.", "trends",
           "maanantai-iltaan", "maanantaihin", "till och med", "och med", "senast publicerat", "14 päivän kuluessa",
           "vuoden 2026", "selvitys tuen käytöstä", "kysymyksiä", "var", "vara", "oli", "olin", "5.3.2025", "—",
           "mars", "mars,", "(mars)", "marsch", "15 sept. 2025", "augusti-september", "maj!", "dec.", "x")


def _windows(seed: int, count: int) -> list[str]:
    """Labelled sentences, random slices of them (cutting words in two), and random mixes of the
    tricky words with spaces, punctuation and non-breaking spaces between them."""
    rng = random.Random(seed)
    out = list(_LOWS)
    for _ in range(count):
        low = rng.choice(_LOWS)
        a = rng.randrange(len(low))
        out.append(low[a:rng.randrange(a, len(low) + 1)])
        seps = (" ", "  ", ", ", "\u00a0", "\n", "-", "")
        out.append("".join(rng.choice(_TRICKY) + rng.choice(seps) for _ in range(rng.randint(1, 6))))
    return out


_WINDOWS = _windows(2026, 6000)


@pytest.mark.parametrize("number", range(len(_FLAGGED)))
def test_a_flag_answers_as_its_pattern_searched_over_the_text(number: int) -> None:
    pattern, flag = _FLAGGED[number]
    hits = 0
    for text in _WINDOWS:
        expected = pattern.search(text) is not None
        assert flag.occurs(FLAGS.of(text), text) is expected, (pattern.pattern[:60], text)
        hits += expected
    assert 0 < hits < len(_WINDOWS)  # the windows hold both answers for every pattern


def test_a_flag_answers_as_its_pattern_within_bounds_after_whitespace() -> None:
    checked = 0
    for low in _LOWS:
        for start in [0, *(i + 1 for i, ch in enumerate(low) if ch == " ")][:6]:
            for pattern, flag in _FLAGGED:
                got = flag.occurs(FLAGS.of(low[start:]), low, start, len(low))
                assert got is (pattern.search(low, start, len(low)) is not None), (pattern.pattern[:60], low, start)
                checked += 1
    assert checked > 50_000


@pytest.mark.parametrize(("pattern", "gate", "closed_for"), [
    (deadline_patterns.LEFT_VETO, deadline_patterns.LEFT_VETO_GATE, "hakuaika päättyy 5.3.2025"),
    (deadline_patterns.LEFT_CUE, deadline_patterns.LEFT_CUE_GATE, "aluevaalit järjestetään 23.1.2022"),
])
def test_a_gate_is_set_wherever_its_pattern_matches(pattern, gate: int, closed_for: str) -> None:
    matched = 0
    for text in _WINDOWS:
        ends = [len(text)] if pattern is not deadline_patterns.LEFT_CUE else range(len(text) + 1)  # LEFT_CUE ends in $
        for end in ends:
            if pattern.search(text, 0, end) is not None:
                assert FLAGS.of(text) & gate, text
                matched += 1
    assert matched > 100
    assert not FLAGS.of(closed_for) & gate  # the gate does close


def test_the_weekday_bit_is_set_wherever_a_weekday_stands_before_a_position() -> None:
    weekdays = 0
    texts = [*_WINDOWS, "(ma) 5.3.", "(ma 5.3.", "x-ma 5.3.", "fredagen den 5 mars", "to. 6.11.", "fooma 5.3."]
    for text in texts:
        flags = FLAGS.of(text)
        for start in range(len(text)):
            if _weekday_start(text, start) is not None:
                assert flags & WEEKDAY_BIT, (text, start)
                weekdays += 1
    assert weekdays > 100
    assert not FLAGS.of("hakuaika päättyy 5.3.2025") & WEEKDAY_BIT


def test_the_extension_hint_bit_is_may_extend() -> None:
    hints = 0
    for text in _WINDOWS:
        assert bool(FLAGS.of(text) & deadline_patterns.EXTENSION_HINT_BIT) is _may_extend(text), text
        hints += _may_extend(text)
    assert hints > 100


def test_clause_marks_are_the_same_with_flags_and_without() -> None:
    spaced = 0
    for text in [*_WINDOWS, "haku ja och men, ja  och till och med 5.3.; – kun när", "a ja b och med c till och d"]:
        flags = FLAGS.of(text)
        assert clause_marks(text, 0, len(text), flags) == clause_marks(text, 0, len(text)), text
        spaced += any(end - start > 1 for start, end in clause_marks(text, 0, len(text)))
    assert spaced > 100


def test_the_month_word_bit_is_named_month_possible() -> None:
    months = 0
    for text in _WINDOWS:
        expected = date_patterns.named_month_possible(text)
        assert bool(FLAGS.of(text) & MONTH_WORD_BIT) is expected, text
        months += expected
    assert months > 100


def test_candidates_are_the_same_with_flags_and_without() -> None:
    with_dates = 0
    for case, low in zip(_CASES, _LOWS, strict=True):
        ref = date.fromisoformat(case["ref_date"]) if case["ref_date"] else None
        dates = find_dates_folded(case["text"], low, ref)
        if dates:
            words_a: dict = {}
            words_b: dict = {}
            assert (sentence_candidates(low, 0, len(low), dates, words_a, FLAGS.of(low))
                    == sentence_candidates(low, 0, len(low), dates, words_b)), case["text"]
            assert words_a == words_b
            with_dates += 1
    assert with_dates > 2000


@pytest.mark.parametrize(("item", "local"), [
    (r"sök(?<!\wsök)", True), (r"hae(?<!\whae)\b", True), ("vastaa(?![nv])", True), (r"stängd(?!e)", True),
    (r"svar(?<!\wsvar)(?:en|et)?\b", True), (r"jatket(?:aan|tiin|tu|ty)\b", True), ("haku", True),
    # several words, or a look-around that could read across a space: searched over the sentence
    ("gick ut", False), ("avataan(?! uudelleen)", False), (r"vuoden\s+\d{4}", False), (r"a(?<!\w.)", False),
    (r"a(?![^x])", False), (r"a(?=\s)", False), (r"\w*kysely\w*", False), ("x.y", False),
])
def test_token_local_keeps_only_stems_that_cannot_reach_past_a_word(item: str, local: bool) -> None:
    assert token_local(item) is local


def test_a_look_ahead_into_the_next_word_would_be_wrong_token_by_token() -> None:
    # why token_local() sends "avataan(?! uudelleen)" to the sentence-wide rest
    registry = TokenFlags()
    flag = registry.add(["avataan(?! uudelleen)"])
    assert flag.rest is not None
    assert not flag.occurs(registry.of("haku avataan uudelleen"), "haku avataan uudelleen")
    assert flag.occurs(registry.of("haku avataan maanantaina"), "haku avataan maanantaina")


def test_the_cache_starts_afresh_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(token_flags, "_CACHE_LIMIT", 3)
    registry = TokenFlags()
    flag = registry.add(["haku"])
    registry.of("a b c")
    assert len(registry._cache) == 3
    assert flag.occurs(registry.of("hakuaika"), "hakuaika")
    assert len(registry._cache) == 1
    registry.clear_cache()
    assert registry._cache == {} and registry.test_count == 1  # "haku" alone: one test, no rest, no gate
