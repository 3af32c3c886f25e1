"""The store: idempotent upserts, versions on edits, rejections, runs, WAL and FTS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sotevahti.dates import HELSINKI
from sotevahti.schema import FieldValidity, validate_item
from sotevahti.store import Store

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def make_item(n: int, **over):
    item = {
        "id": f"lr-{n:016x}", "url": f"https://stm.fi/-/1271139/tiedote-{n}", "source": "stm",
        "organisation": "Sosiaali- ja terveysministeriö", "region": "national",
        "title": f"Hyvinvointialueiden rahoitus tarkentuu ({n})",
        "published": datetime(2025, 10, n % 28 + 1, 10, 17, tzinfo=HELSINKI), "type": "Tiedote",
        "language": "fi", "lead": "Valtiovarainministeriö on tarkistanut hyvinvointialueiden rahoituksen.",
        "body": "Hyvinvointialueiden rahoitus kasvaa.\n\nLausuntoaika päättyy 25.9.2020.",
        "tags": ["sosiaali- ja terveysministeriö"], "attachments": [], "urls": [],
        "relevant": True, "topic_terms": ["hyvinvointialue"],
    }
    item.update(over)
    return item


def test_same_batch_twice_creates_no_duplicates(store):
    items = [make_item(i) for i in range(5)]
    first = store.upsert_items(items, None, NOW)
    second = store.upsert_items(items, None, NOW + timedelta(hours=6))
    assert (first.new, first.updated) == (5, 0)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 5)
    assert store.conn.execute("SELECT count(*) FROM items").fetchone()[0] == 5
    row = store.get_item(items[0]["id"])
    assert row["first_seen"] < row["last_seen"]


def test_edit_keeps_guid_source_and_first_seen_and_stores_old_version(store):
    store.upsert_items([make_item(1)], 1, NOW)
    edited = make_item(1, body="Hyvinvointialueiden rahoitus kasvaa.\n\nLausuntoaikaa on jatkettu 2.10.2020 saakka.",
                       source="valtioneuvosto")
    result = store.upsert_items([edited], 2, NOW + timedelta(days=1))
    assert result.updated == 1
    row = store.get_item(edited["id"])
    assert row["version"] == 2 and "jatkettu" in row["body"]
    assert row["source"] == "stm"            # the first filing stays
    assert row["first_seen"] == "2026-11-24T08:00:00+00:00"
    old = store.item_versions(edited["id"])
    assert len(old) == 1 and "25.9.2020" in old[0]["body"] and old[0]["superseded_by_run"] == 2


def test_urls_are_all_recorded(store):
    store.upsert_items([make_item(1, urls=["https://valtioneuvosto.fi/-/1271139/tiedote-1"])], None, NOW)
    store.upsert_items([make_item(1, urls=["https://stm.fi/sv/-/1271139/tiedote-1?languageId=fi_FI"])], None, NOW)
    assert len(store.get_item(make_item(1)["id"])["urls"]) == 3


@pytest.mark.parametrize("field, value, reason", [
    ("title", "", "missing title"),
    ("url", None, "missing url"),
    ("published", None, "missing published"),
    ("published", datetime(2020, 9, 25, 16, 0), "invalid published"),   # naive: no timezone
    ("url", "stm.fi/-/x", "invalid url"),
    ("language", "de", "invalid language"),
])
def test_invalid_items_are_refused_with_reason(store, field, value, reason):
    item = make_item(1, **{field: value})
    assert reason in "; ".join(validate_item(item))
    with pytest.raises(ValueError, match=reason):
        store.upsert_items([item], None, NOW)
    assert store.conn.execute("SELECT count(*) FROM items").fetchone()[0] == 0


def test_failed_batch_writes_nothing(store):
    with pytest.raises(ValueError):
        store.upsert_items([make_item(1), make_item(2, title="")], None, NOW)
    assert store.conn.execute("SELECT count(*) FROM items").fetchone()[0] == 0


def test_runs_count_new_and_updated(store):
    run1 = store.start_run(["stm"], NOW)
    store.upsert_items([make_item(i) for i in range(3)], run1, NOW)
    store.record_rejections([{"source": "stm", "url": "https://stm.fi/-/x", "reason": "missing title"}], run1, NOW)
    row = store.finish_run(run1, NOW, {"requests": 7, "response_bytes": 1234})
    assert (row["items_new"], row["items_updated"], row["items_rejected"]) == (3, 0, 1)
    run2 = store.start_run(["stm"], NOW)
    store.upsert_items([make_item(0, title="Korjattu otsikko"), make_item(1)], run2, NOW)
    row = store.finish_run(run2, NOW, {})
    assert (row["items_new"], row["items_updated"], row["status"]) == (0, 1, "ok")


def test_file_store_uses_wal_and_fts(tmp_path):
    s = Store(tmp_path / "x.db")
    assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    other = make_item(2, title="Metsälaki", relevant=False, lead="Metsälaki muuttuu.", body="Metsät")
    s.upsert_items([make_item(1), other], None, NOW)
    hits = [r["rowid"] for r in s.db.query("SELECT rowid FROM items_fts WHERE items_fts MATCH 'hyvinvointialueiden'")]
    assert len(hits) == 1
    # a checkpoint per 64 MiB of WAL, and the WAL gone with the last connection
    assert s.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 16384
    assert (tmp_path / "x.db-wal").exists()
    s.close()
    assert not (tmp_path / "x.db-wal").exists()
    assert Store(tmp_path / "x.db").integrity_check() == "ok"


def test_latest_items_orders_by_time_and_filters_relevant(store):
    store.upsert_items([make_item(i, relevant=i % 2 == 0) for i in range(6)], None, NOW)
    latest = store.latest_items(10)
    assert all(r["relevant"] for r in latest) and len(latest) == 3
    assert [r["published"] for r in latest] == sorted((r["published"] for r in latest), reverse=True)


def test_field_validity_shares():
    v = FieldValidity()
    v.add(make_item(1))
    v.add(make_item(2, lead="", language="xx"))
    shares = v.shares()["stm"]
    assert shares["title"] == 1.0 and shares["lead"] == 0.5 and shares["language"] == 0.5


def test_same_release_from_another_source_joins_the_stored_item(store):
    county = make_item(7, id="ls-county-release", url="https://omahame.fi/uutiset/sote-keskus-avautuu",
                       source="omahame", organisation="Kanta-Hämeen hyvinvointialue", region="07",
                       title="Sote-keskus avautuu Riihimäellä – ajanvaraus alkaa maanantaina")
    copy = dict(county, id="ls-sttinfo-copy", source="sttinfo-omahame",
                url="https://www.sttinfo.fi/tiedote/70123456/sote-keskus-avautuu-riihimaella?lang=fi",
                title="Sote-keskus avautuu Riihimäellä — ajanvaraus alkaa maanantaina ")   # other dash, trailing space
    other_day = dict(copy, id="ls-other", published=county["published"] + timedelta(days=1),
                     url="https://www.sttinfo.fi/tiedote/70123999/x?lang=fi")
    assert store.upsert_items([county], 1, NOW).new == 1
    result = store.upsert_items([copy], 1, NOW)
    assert (result.new, result.duplicates) == (0, 1)
    row = store.get_item("ls-county-release")
    assert copy["url"] in row["urls"] and store.get_item("ls-sttinfo-copy") is None
    assert store.upsert_items([other_day], 1, NOW).new == 1     # a different day is a different release
    page = make_item(8, kind="page", title=county["title"], organisation=county["organisation"],
                     published=county["published"], id="pg-1", url="https://www.isonet.fi/sote-uudistus")
    assert store.upsert_items([page], 1, NOW).new == 1          # pages are never merged


def test_migrations_bring_an_old_database_up_to_date(tmp_path):
    import sqlite3

    from sotevahti.migrations import MIGRATIONS, SCHEMA_VERSION

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for statement in MIGRATIONS[0][1].split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("INSERT INTO items (id, url, source, organisation, region, title, published, content_hash, "
                 "relevant, first_seen, last_seen) VALUES ('lr-1', 'https://stm.fi/-/1/x', 'stm', 'STM', "
                 "'national', 'Vanha', '2020-01-01T00:00:00+00:00', 'h', 1, 'x', 'x')")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    s = Store(path)
    assert s.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert s.get_item("lr-1")["kind"] == "announcement"          # new column, default filled in
    assert "deadlines" in s.db.table_names() and "item_links" in s.db.table_names()
