"""Deadline tracking: matching new text against stored deadlines, statuses and events, in the store."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sotevahti.dates import HELSINKI
from sotevahti.deadlines import extract_deadlines
from sotevahti.tracking import (
    FoundDeadline,
    StoredDeadline,
    is_closing_soon,
    item_deadlines,
    match_deadlines,
    status_at,
)

from .test_store import make_item

PUB = datetime(2026, 11, 2, 10, 0, tzinfo=HELSINKI)
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=HELSINKI)


def found(kind, d, t=None, ext=False):
    return FoundDeadline(kind, d, t, "…", ext)


def test_item_deadlines_reads_yearless_dates_against_publication_and_dedupes():
    got = item_deadlines(
        "Kysely sote-palveluista", "Kysely on avoinna 24.11. saakka.",
        "Vastaa kyselyyn. Kysely on avoinna 24.11. saakka. Tulokset julkaistaan keväällä 2027.", PUB)
    assert [(d.kind, d.deadline) for d in got] == [("consultation", date(2026, 11, 24))]


def test_item_deadlines_skips_distractors():
    body = ("Lait tulevat voimaan 1.1.2023. Aluevaalit järjestetään 23.1.2022. "
            "Hakemukset on jätettävä viimeistään 15.12.2026 klo 16.15.")
    got = item_deadlines("Avustushaku hyvinvointialueille", "", body, PUB)
    assert [(d.kind, d.deadline, d.time) for d in got] == [("application", date(2026, 12, 15), time(16, 15))]


def test_match_pairs_a_moved_date_with_the_stored_deadline_of_its_kind():
    stored = [StoredDeadline("dl-a", "consultation", date(2026, 12, 14), None),
              StoredDeadline("dl-b", "other", date(2027, 1, 23), None)]
    plan = match_deadlines(stored, [found("consultation", date(2026, 12, 29), ext=True),
                                    found("other", date(2027, 1, 23)),
                                    found("registration", date(2026, 11, 27), time(16))])
    assert [(s.id, f.deadline) for s, f in plan.moved] == [("dl-a", date(2026, 12, 29))]
    assert [s.id for s, _ in plan.unchanged] == ["dl-b"]
    assert [f.kind for f in plan.new] == ["registration"]


def test_match_never_pairs_across_kinds_and_keeps_vanished():
    stored = [StoredDeadline("dl-a", "consultation", date(2026, 12, 14), None)]
    plan = match_deadlines(stored, [found("application", date(2026, 12, 20))])
    assert plan.moved == [] and len(plan.new) == 1 and plan.unchanged == []


def test_status_and_closing_soon_at_a_given_now():
    assert status_at(date(2026, 11, 24), None, NOW, extended=False) == "open"          # the day itself
    assert status_at(date(2026, 11, 24), time(8, 0), NOW, extended=False) == "closed"  # time passed
    assert status_at(date(2026, 12, 24), None, NOW, extended=True) == "extended"
    assert is_closing_soon(date(2026, 12, 1), None, NOW)        # 7 days
    assert not is_closing_soon(date(2026, 12, 2), None, NOW)    # 8 days
    assert not is_closing_soon(date(2026, 11, 23), None, NOW)   # already closed


def _item(body, **over):
    return make_item(1, title="Lakiluonnos hyvinvointialueiden rahoituksesta lausunnolle", lead="", body=body,
                     published=PUB, **over)


def events(store):
    return [(r["event"], r["deadline"], r["old_deadline"]) for r in
            store.db.query("SELECT * FROM deadline_events ORDER BY rowid")]


def test_store_tracks_opening_extension_closing_soon_and_closing(store):
    store.upsert_items([_item("Lausuntoaika päättyy 14.12.2026.")], 1, NOW)
    (row,) = store.deadline_rows()
    assert (row["status"], row["sequence"], row["deadline"]) == ("open", 0, "2026-12-14")
    dl_id = row["id"]

    store.upsert_items([_item("Lausuntoaikaa on jatkettu 29.12.2026 saakka.")], 2, NOW + timedelta(days=1))
    (row,) = store.deadline_rows()
    assert row["id"] == dl_id                                    # same deadline, same calendar UID
    assert (row["status"], row["sequence"], row["deadline"]) == ("extended", 1, "2026-12-29")
    assert '"deadline": "2026-12-14"' in row["history"]           # the old date is kept

    store.advance_deadlines(datetime(2026, 12, 23, 12, 0, tzinfo=HELSINKI), 3)
    store.advance_deadlines(datetime(2026, 12, 24, 12, 0, tzinfo=HELSINKI), 4)   # no second warning
    store.advance_deadlines(datetime(2026, 12, 30, 0, 1, tzinfo=HELSINKI), 5)
    store.advance_deadlines(datetime(2026, 12, 31, tzinfo=HELSINKI), 6)          # no second "closed"
    assert events(store) == [("opened", "2026-12-14", None), ("extended", "2026-12-29", "2026-12-14"),
                             ("closing_soon", "2026-12-29", None), ("closed", "2026-12-29", None)]
    assert store.deadline_rows()[0]["status"] == "closed"
    guids = [r["id"] for r in store.db.query("SELECT id FROM deadline_events")]
    assert len(set(guids)) == 4 and all(g.startswith(dl_id) for g in guids)


def test_deadline_past_at_first_sight_is_closed_without_events(store):
    store.upsert_items([_item("Lausuntoaika päättyi 25.9.2020.")], 1, NOW)
    assert store.deadline_rows()[0]["status"] == "closed"
    assert events(store) == []


def test_unchanged_item_writes_no_new_events(store):
    store.upsert_items([_item("Hakemukset on jätettävä 15.1.2027 mennessä.")], 1, NOW)
    store.upsert_items([_item("Hakemukset on jätettävä 15.1.2027 mennessä.")], 2, NOW + timedelta(hours=6))
    store.upsert_items([_item("Muokattu johdanto. Hakemukset on jätettävä 15.1.2027 mennessä.")], 3, NOW)
    assert events(store) == [("opened", "2027-01-15", None)]
    assert store.count_deadlines(1) == {"found": 1, "opened": 1}
    assert store.count_deadlines(3) == {"found": 0}


def test_rows_of_irrelevant_items_can_be_left_out(store):
    store.upsert_items([_item("Lausuntoaika päättyy 14.12.2026.", relevant=False)], 1, NOW)
    assert store.deadline_rows() and not store.deadline_rows(relevant_only=True)
    assert store.deadline_events() and not store.deadline_events(relevant_only=True)


def test_leaving_out_vague_notes_finds_the_same_dated_deadlines_on_every_labelled_sentence():
    """``vague=False`` (what item_deadlines asks for) stops early on a text with no date; the
    dated deadlines it finds must be exactly those of the full reading, in the same order."""
    rows = [json.loads(line) for line in
            (Path(__file__).parent / "data" / "deadline_sentences.jsonl").read_text(encoding="utf-8").splitlines()]
    # single sentences, and the same sentences run together as page bodies of 40
    texts = [(r["text"], r["ref_date"]) for r in rows]
    texts += [("\n\n".join(r["text"] for r in rows[i:i + 40]), rows[i]["ref_date"]) for i in range(0, len(rows), 40)]
    dated = notes = 0
    for text, ref in texts:
        ref_date = date.fromisoformat(ref) if ref else None
        full = extract_deadlines(text, ref_date=ref_date)
        short = extract_deadlines(text, ref_date=ref_date, vague=False)
        assert [d for d in short if d.deadline] == [d for d in full if d.deadline], text
        assert all(d in full for d in short) and len(short) <= len(full)
        dated += sum(d.deadline is not None for d in short)
        notes += len(full) - len(short)
    assert dated > 1000 and notes > 20   # dated deadlines, and notes the short reading left out
