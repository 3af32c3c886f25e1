"""Issue 11 in the pipeline: extensions keep one deadline with its history; yearly rules stay out
of the store, the calendar and the feeds, but keep their day and month in the extractor's JSON."""

from __future__ import annotations

import doctest
import json
from datetime import date, datetime

from sotevahti import deadline_words, store_deadlines
from sotevahti.dates import HELSINKI
from sotevahti.deadlines import extract_deadline, extract_deadlines
from sotevahti.ical import build_calendar
from sotevahti.store_deadlines import fold_extensions
from sotevahti.tracking import FoundDeadline, item_deadlines

from .test_store import make_item

PUB = datetime(2026, 2, 2, 10, 0, tzinfo=HELSINKI)
NOW = datetime(2026, 2, 10, 9, 0, tzinfo=HELSINKI)
EXTENDED_PAGE = ("Lausuntoaika päättyy 5.3.2026. Lausuntoaikaa on jatkettu 19.3.2026 saakka, "
                 "koska luonnosta on täydennetty.")


def _item(body: str) -> dict:
    return make_item(1, title="Lakiluonnos lausunnolle", lead="", body=body, published=PUB)


def _events(store) -> list[tuple]:
    return [(r["event"], r["deadline"], r["old_deadline"])
            for r in store.db.query("SELECT * FROM deadline_events ORDER BY rowid")]


def test_first_read_of_an_extended_page_stores_one_deadline_with_its_history(store):
    store.upsert_items([_item(EXTENDED_PAGE)], 1, NOW)
    (row,) = store.deadline_rows()
    assert (row["deadline"], row["status"]) == ("2026-03-19", "extended")
    assert [h["deadline"] for h in json.loads(row["history"])] == ["2026-03-05"]
    assert _events(store) == [("extended", "2026-03-19", "2026-03-05")]


def test_extension_added_later_moves_the_stored_deadline(store):
    store.upsert_items([_item("Lausuntoaika päättyy 5.3.2026.")], 1, NOW)
    (first,) = store.deadline_rows()
    store.upsert_items([_item(EXTENDED_PAGE)], 2, NOW)
    (row,) = store.deadline_rows()
    assert row["id"] == first["id"] and row["deadline"] == "2026-03-19" and row["sequence"] == 1
    assert _events(store) == [("opened", "2026-03-05", None), ("extended", "2026-03-19", "2026-03-05")]
    store.upsert_items([_item(EXTENDED_PAGE)], 3, NOW)  # read again: nothing new
    assert len(_events(store)) == 2 and len(store.deadline_rows()) == 1


def test_fold_extensions_keeps_other_kinds_and_later_dates():
    ext = FoundDeadline("consultation", date(2026, 3, 19), None, "…", True)
    old = FoundDeadline("consultation", date(2026, 3, 5), None, "…")
    other = FoundDeadline("application", date(2026, 3, 1), None, "…")
    after = FoundDeadline("consultation", date(2026, 4, 1), None, "…")  # later than the extension: its own
    kept, superseded = fold_extensions([old, other, ext, after])
    assert kept == [other, ext, after]
    assert superseded == {ext.key: [old]}


def test_extension_in_one_sentence_gives_the_new_date():
    for text in ("Alun perin 28.11.2025 päättyväksi ilmoitettua hakuaikaa on pidennetty 5.12.2025 asti.",
                 "Ansökningstiden har förlängts från den 10 mars till den 24 mars 2025.",
                 "Tidsfristen för ansökningar, som ursprungligen var 15.9, har flyttats till 29.9.2025."):
        found = extract_deadline(text, ref_date=date(2025, 9, 1))
        assert found.extension, text
    assert [d.deadline for d in extract_deadlines(EXTENDED_PAGE)] == [date(2026, 3, 5), date(2026, 3, 19)]


def test_recurring_rule_answers_day_and_month_and_no_date():
    found = extract_deadline("Avustusta haetaan vuosittain 31.1. mennessä.", ref_date=date(2025, 6, 1))
    assert found.deadline is None and found.kind is None and found.recurring == (31, 1)
    assert found.to_json()["recurring"] == {"day": 31, "month": 1}
    assert found.to_json()["sentence"] == "Avustusta haetaan vuosittain 31.1. mennessä."
    assert "every year" in found.note
    dated = extract_deadline("Avustusta haetaan 31.1.2026 mennessä.")
    assert dated.deadline == date(2026, 1, 31) and dated.recurring is None


def test_recurring_rule_stays_out_of_store_and_calendar(store):
    body = "Selvitys avustuksen käytöstä on toimitettava vuosittain 30.4. mennessä."
    assert item_deadlines("Avustukset", "", body, PUB) == []
    store.upsert_items([_item(body)], 1, NOW)
    assert store.deadline_rows() == []
    assert b"BEGIN:VEVENT" not in build_calendar(store.deadline_rows(), NOW)


def test_doctests_of_the_new_modules():
    for module in (deadline_words, store_deadlines):
        assert doctest.testmod(module).failed == 0, module.__name__
