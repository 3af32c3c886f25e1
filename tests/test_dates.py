"""Tests for sotevahti.dates: the labelled cases in tests/data/dates.jsonl plus pitfalls."""

from __future__ import annotations

import doctest
import json
import random
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from sotevahti import date_patterns, dates, iso_dates
from sotevahti.dates import (
    END_OF_DAY,
    HELSINKI,
    find_dates,
    parse_date,
    parse_iso_datetime,
    parse_publication_stamp,
    resolve_year,
)

DATA = Path(__file__).parent / "data" / "dates.jsonl"


def _load() -> list:
    cases = []
    for number, line in enumerate(DATA.read_text(encoding="utf-8").splitlines(), start=1):
        case = json.loads(line)
        slug = re.sub(r"\W+", "-", case["text"].lower())[:40].strip("-")
        marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if case.get("xfail") else []
        cases.append(pytest.param(case, id=f"{number:03d}-{case['function']}-{slug}", marks=marks))
    return cases


def _hhmm(value: time | None) -> str | None:
    if value is None:
        return None
    return "24:00" if value == END_OF_DAY else value.strftime("%H:%M")


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


@pytest.mark.parametrize("case", _load())
def test_labelled_case(case: dict) -> None:
    text, expect = case["text"], case["expect"]
    if case["function"] == "find_dates":
        ref = date.fromisoformat(case["ref_date"]) if case.get("ref_date") else None
        got = [
            {"date": _iso(m.date), "time": _hhmm(m.time), "range_start": _iso(m.range_start),
             "precision": m.precision}
            for m in find_dates(text, ref)
        ]
        assert got == expect
    elif case["function"] == "parse_publication_stamp":
        stamp = parse_publication_stamp(text)
        assert (stamp.isoformat() if stamp else None) == expect
    else:
        parsed = parse_iso_datetime(text)
        assert (parsed.isoformat() if parsed else None) == expect


def test_labelled_set_is_large_and_valid() -> None:
    lines = DATA.read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 80
    functions = {json.loads(line)["function"] for line in lines}
    assert functions == {"find_dates", "parse_publication_stamp", "parse_iso_datetime"}


def test_doctests() -> None:
    assert doctest.testmod(dates).failed == 0
    assert doctest.testmod(date_patterns).failed == 0
    assert doctest.testmod(iso_dates).attempted and doctest.testmod(iso_dates).failed == 0


# --- pitfalls of DOMAIN.md §2.2 -------------------------------------------------------

def test_bare_time_after_full_date_is_not_a_second_date() -> None:
    found = find_dates("Julkaisuajankohta 8.12.2020 10.12 Tiedote")
    assert len(found) == 1
    assert found[0].date == date(2020, 12, 8)
    assert found[0].time == time(10, 12)


def test_bare_h_mm_after_year_less_date_stays_a_date_pair() -> None:
    # Only a date with a year is a stamp; "3.3. 10.12." are two year-less dates.
    found = find_dates("3.3. 10.12.", ref_date=date(2025, 1, 1))
    assert [m.date for m in found] == [date(2025, 3, 3), date(2025, 12, 10)]


@pytest.mark.parametrize("text", [
    "laki 449/2007", "(13/2020)", "VN/14113/2023", "300/04.00.02/2016", "HE 241/2020 vp",
    "p. 0295 163012", "019 555 555", "20,5 prosenttia", "SOSFS 2008:17",
    "Järjestöavustukset 2024", "vuodelle 2026", "2022 års bidrag", "15,25 miljoonaa",
])
def test_numbers_that_are_not_dates(text: str) -> None:
    assert find_dates(text, ref_date=date(2025, 1, 1)) == []


def test_no_word_boundary_needed_before_day() -> None:
    assert parse_date("Kihniössä1.5.2026") == date(2026, 5, 1)


def test_match_offsets_point_at_the_text() -> None:
    text = "Haku päättyy perjantaina 29.4.2022 klo 16.15."
    m = find_dates(text)[0]
    assert text[m.start:m.end] == m.text == "perjantaina 29.4.2022 klo 16.15"


# --- roll-forward of year-less dates ------------------------------------------------

@pytest.mark.parametrize(("day", "month", "ref", "expected"), [
    (7, 1, date(2025, 12, 29), date(2026, 1, 7)),    # DOMAIN.md example
    (24, 11, date(2025, 11, 3), date(2025, 11, 24)),
    (5, 11, date(2025, 11, 18), date(2025, 11, 5)),  # shortly past: same year
    (1, 9, date(2025, 11, 18), date(2026, 9, 1)),    # 2.5 months back: next year
    (31, 8, date(2025, 11, 18), date(2026, 8, 31)),
    (29, 2, date(2025, 1, 10), date(2028, 2, 29)),   # leap day finds the next leap year
])
def test_resolve_year(day: int, month: int, ref: date, expected: date) -> None:
    assert resolve_year(day, month, ref) == expected


def test_roll_forward_boundary_is_two_calendar_months() -> None:
    ref = date(2025, 5, 20)
    assert resolve_year(20, 3, ref) == date(2025, 3, 20)
    assert resolve_year(19, 3, ref) == date(2026, 3, 19)


def test_year_less_without_reference_is_unresolved() -> None:
    (m,) = find_dates("Lausuntoaika päättyi 5.11.")
    assert m.date is None and m.yearless


def test_invalid_year_less_date_is_ignored() -> None:
    assert find_dates("31.2. mennessä", ref_date=date(2025, 1, 1)) == []


# --- ranges -------------------------------------------------------------------------

@pytest.mark.parametrize("dash", ["-", "–", "—", "‒", " - ", " – ", "  ‒  "])
def test_range_dashes(dash: str) -> None:
    (m,) = find_dates(f"haku 20.10.{dash}17.11.2025 välisenä aikana")
    assert m.is_range
    assert (m.range_start, m.date) == (date(2025, 10, 20), date(2025, 11, 17))


def test_range_start_completed_from_end_and_across_new_year() -> None:
    (m,) = find_dates("30.12.–7.1.", ref_date=date(2025, 12, 15))
    assert (m.range_start, m.date) == (date(2025, 12, 30), date(2026, 1, 7))


def test_single_date_is_not_a_range() -> None:
    (m,) = find_dates("Kysely on avoinna 24.11.2025 saakka.")
    assert not m.is_range and m.range_start is None


# --- times and time zone --------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("5.3.2024 klo 16.15", time(16, 15)), ("5.3.2024 kello 12", time(12, 0)),
    ("5.3.2024 klo 15:45", time(15, 45)), ("5.3.2024 kl. 16.00", time(16, 0)),
    ("5.3.2024 klockan 16", time(16, 0)), ("5.3.2024 ennen kello 16", time(16, 0)),
    ("5.3.2024 kl. 24.00", END_OF_DAY), ("5.3.2024 klo 25.00", None), ("5.3.2024 klo 12.75", None),
])
def test_times(text: str, expected: time | None) -> None:
    assert find_dates(text)[0].time == expected


def test_as_datetime_is_aware_in_helsinki_across_dst() -> None:
    winter = find_dates("15.1.2025 klo 12")[0].as_datetime()
    summer = find_dates("15.7.2025 klo 12")[0].as_datetime()
    assert winter.tzinfo is HELSINKI and summer.tzinfo is HELSINKI
    assert winter.utcoffset() == timedelta(hours=2)
    assert summer.utcoffset() == timedelta(hours=3)
    assert find_dates("15.7.2025")[0].as_datetime() is None  # no time, no instant


def test_publication_stamp_is_aware_helsinki() -> None:
    stamp = parse_publication_stamp("Utgivningsdatum 25.9.2020 17.20")
    assert stamp == datetime(2020, 9, 25, 14, 20, tzinfo=UTC)
    assert stamp.tzinfo is HELSINKI


def test_publication_stamp_prefers_label_over_earlier_body_date() -> None:
    text = "Tiedote (5.6.2020)\nJulkaisuajankohta 29.6.2022 10.16\nUutinen"
    assert parse_publication_stamp(text) == datetime(2022, 6, 29, 10, 16, tzinfo=HELSINKI)


def test_iso_naive_is_helsinki_and_offsets_are_honoured() -> None:
    assert parse_iso_datetime("2026-04-22T10:52:41.58").utcoffset() == timedelta(hours=3)
    assert parse_iso_datetime("2026-01-22T10:00:00Z").hour == 12
    assert parse_iso_datetime("2026-01-22T10:00:00+05:00").hour == 7
    assert parse_iso_datetime("/Date(0)/") == datetime(1970, 1, 1, 2, 0, tzinfo=HELSINKI)
    assert parse_iso_datetime("not a date") is None



# FI_GENITIVE tests the letter before its stem after the stem, so that ``re`` can skip ahead; it
# must find what the look-behind-first form finds, and FI_MONTH_WORD must hold wherever any of the
# three Finnish month patterns matches (it gates them).
_FI_PIECES = ["tammikuun 5.", "helmikuun 12. päivänä 2025", "x-helmikuun 3.", "ahelmikuun 3.", "-joulukuun 24.",
              " maaliskuun  7. ", "kesäkuun 31.", "elokuun 1.2025", "syyskuun 30. päivä 2026", "hoitotakuu", " ",
              "(", "lokakuussa", "2025", "marraskuun 15.", "e", "elo-syyskuussa", "5. huhtik.", "kuuleminen"]


def test_fi_genitive_finds_what_the_look_behind_first_form_finds() -> None:
    from sotevahti.date_patterns import _FI_STEM, _YEAR, FI_GENITIVE, compile_fast

    first = compile_fast(r"(?<![\w-])" + _FI_STEM + r"kuun\s+(\d{1,2})\.(?:\s*päivä[a-zäö]*)?" + _YEAR)
    rng = random.Random(11)
    found = 0
    for _ in range(5000):
        text = "".join(rng.choice(_FI_PIECES) for _ in range(rng.randint(1, 8)))
        expected = [(m.span(), m.groups()) for m in first.finditer(text)]
        assert [(m.span(), m.groups()) for m in FI_GENITIVE.finditer(text)] == expected, text
        found += bool(expected)
    assert 1000 < found < 5000


def test_fi_month_word_is_in_every_finnish_month_match() -> None:
    from sotevahti.date_patterns import FI_DAY_MONTH, FI_GENITIVE, FI_MONTH_ONLY, FI_MONTH_WORD

    rng = random.Random(12)
    matched = 0
    for _ in range(5000):
        text = "".join(rng.choice(_FI_PIECES) for _ in range(rng.randint(1, 6)))
        if any(p.search(text) for p in (FI_DAY_MONTH, FI_GENITIVE, FI_MONTH_ONLY)):
            assert FI_MONTH_WORD.search(text), text
            matched += 1
    assert matched > 1000
    assert FI_MONTH_WORD.search("hoitotakuu ja kuuleminen") is None


def test_a_between_range_reads_an_article_before_its_end_date() -> None:
    # "mellan den 12 och den 26 augusti 2027" (batch 22): "den" stands between "och" and the end day
    (m,) = find_dates("Synpunkter kan lämnas mellan den 12 och den 26 augusti 2027.")
    assert (m.range_start, m.date, m.is_range) == (date(2027, 8, 12), date(2027, 8, 26), True)
    (m,) = find_dates("Comments can be sent between the 3rd and the 17th of May 2027.")
    assert (m.range_start, m.date) == (date(2027, 5, 3), date(2027, 5, 17))
