"""What a rebuild and a status cost: every query of the feed rebuild is indexed, and a plain
``status`` does not read the whole database file."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from sotevahti import store_history
from sotevahti.feeds import write_feeds
from sotevahti.sources import FeedSettings
from sotevahti.store import STATUS_TABLES, Store
from sotevahti.store_history import _decoded
from tests.test_store import NOW, make_item

#: Tables that grow with the number of items: none may be scanned without an index.
_BIG = ("items", "item_urls", "item_versions", "item_links", "deadlines", "deadline_events", "items_fts")


def _filled(store: Store) -> Store:
    items = [make_item(n, region=("06", "08", "02")[n % 3], language=("fi", "sv")[n % 2],
                       organisation=("Pirkanmaan hyvinvointialue", "Lapin hyvinvointialue")[n % 2])
             for n in range(60)]
    store.upsert_items(items, 1, NOW)
    edited = [dict(make_item(n, region=items[n]["region"], language=items[n]["language"],
                             organisation=items[n]["organisation"]),
                   body=items[n]["body"] + "\n\nLausuntoaikaa on jatkettu 2.10.2020 saakka.") for n in range(0, 60, 7)]
    store.upsert_items(edited, 2, NOW + timedelta(days=1))
    for n in range(3, 60, 11):
        store.mark_removed(items[n]["id"], 404, NOW + timedelta(days=2))
    return store


def _full_scans(store: Store, sql: str) -> list[str]:
    plan = [row[3] for row in store.conn.execute("EXPLAIN QUERY PLAN " + sql)]
    return [p for p in plan if re.match(rf"SCAN ({'|'.join(_BIG)})\b", p) and " USING " not in p]


def test_every_query_of_a_feed_rebuild_is_indexed(tmp_path):
    store = _filled(Store(memory=True))
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    write_feeds(store, tmp_path, FeedSettings(), NOW + timedelta(days=3))
    store.conn.set_trace_callback(None)
    queries = {s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))}
    assert len(queries) > 20   # the feeds, the dimension feeds, the calendar and the web page
    scans = {q[:120]: _full_scans(store, q) for q in queries}
    assert {q: s for q, s in scans.items() if s} == {}


def test_the_guard_sees_a_full_scan():
    store = _filled(Store(memory=True))
    assert _full_scans(store, "SELECT * FROM items WHERE body LIKE '%rahoitus%'") == ["SCAN items"]


def test_dimension_values_are_read_by_skip_scan_and_agree_with_distinct():
    store = _filled(Store(memory=True))
    for column in ("region", "organisation", "kind", "language"):
        plain = [r[0] for r in store.conn.execute(
            f"SELECT DISTINCT {column} FROM items WHERE relevant = 1 ORDER BY 1") if r[0]]
        assert store.distinct_values(column) == plain and plain


def test_plain_status_checks_only_its_tables_and_check_the_whole_file(tmp_path):
    store = _filled(Store(tmp_path / "s.db"))
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    assert store.integrity_check(full=False) == "ok"
    assert statements == [f"PRAGMA quick_check({t})" for t in STATUS_TABLES]
    statements.clear()
    assert store.integrity_check() == "ok" and statements == ["PRAGMA integrity_check"]


def test_hiding_other_language_versions_looks_the_primary_up_by_its_key():
    # The combined feeds hide a release's sv and en versions (translations.NOT_SECONDARY). Left to
    # itself SQLite drove that subquery from `items`, a scan of every item under an index the
    # guard above does not see: 49 ms a feed query at 30,000 items instead of 4.
    from tests.test_translations import versions

    store = _filled(Store(memory=True))
    store.upsert_items(list(versions().values()), 3, NOW + timedelta(days=3))
    assert store.conn.execute("SELECT count(*) FROM item_translations").fetchone()[0] == 3
    where, params = store._filters(None, True, prefix="")
    plan = [row[3] for row in store.conn.execute(
        f"EXPLAIN QUERY PLAN SELECT * FROM items {where} ORDER BY published DESC, id LIMIT 50", params)]
    assert any(p.startswith("SEARCH p USING") and "(id=?)" in p for p in plan), plan
    assert not any(p.startswith("SCAN p") for p in plan), plan
    assert [i["id"] for i in store.latest_items(100)].count(versions()["fi"]["id"]) == 1


def _changes_in_one_pass(store: Store, limit: int, filters: dict[str, str] | None) -> list[dict]:
    """latest_changes as one query reading every walked row whole (its form before the rowid pick)."""
    where, params = store._filters(filters, True, prefix="i.")
    sql = ("SELECT i.*, v.version + 1 AS new_version, v.superseded_at AS changed_at, v.diff, v.title AS old_title "
           f"FROM item_versions v CROSS JOIN items i ON i.id = v.item_id {where} "
           "ORDER BY v.superseded_at DESC, i.id LIMIT ?")
    return [_decoded(r) for r in store.db.query(sql, [*params, limit])]


@pytest.mark.parametrize("first_walk", [256, 2])   # 2: the walk must grow for most filters
def test_latest_changes_picks_the_same_rows_in_the_same_order_as_one_whole_row_pass(monkeypatch, first_walk):
    monkeypatch.setattr(store_history, "EDIT_WALK_FIRST", first_walk)
    store = _filled(Store(memory=True))
    # a second edit of some items three days after the first: two versions of one item, and ties on
    # superseded_at among the items edited at once
    firsts = {r["id"]: r for r in store.db.query("SELECT id, region, language, organisation, body FROM items")}
    again = []
    for n in range(0, 60, 14):
        row = firsts[make_item(n)["id"]]
        again.append(dict(make_item(n, region=row["region"], language=row["language"],
                                    organisation=row["organisation"]),
                          body=row["body"] + "\n\nLausuntoaikaa on jatkettu uudelleen 9.10.2020 saakka."))
    store.upsert_items(again, 3, NOW + timedelta(days=4))
    assert store.conn.execute("SELECT count(DISTINCT superseded_at) FROM item_versions").fetchone()[0] == 2
    # two edited items are the Swedish versions of edited Finnish ones: without a language filter
    # only the primary's edit counts
    for sv, fi in ((make_item(7)["id"], make_item(14)["id"]), (make_item(21)["id"], make_item(28)["id"])):
        store.conn.execute("INSERT INTO item_translations VALUES (?, ?, 'sv', '2025-10-01')", (sv, fi))
        store.conn.execute("INSERT INTO item_translations VALUES (?, ?, 'fi', '2025-10-01')", (fi, fi))
    filters = [None, {"region": "06"}, {"region": "08"}, {"language": "sv"}, {"organisation": "Lapin hyvinvointialue"},
               {"kind": "page"}, {"region": "99"}]
    compared = 0
    for only in filters:
        for limit in (1, 3, 50):
            picked = store.latest_changes(limit, filters=only)
            assert picked == _changes_in_one_pass(store, limit, only)
            compared += len(picked)
    assert compared > 40   # the filters do match edits
    assert make_item(7)["id"] not in {c["id"] for c in store.latest_changes(50)}
    assert make_item(7)["id"] in {c["id"] for c in store.latest_changes(50, filters={"language": "sv"})}
    with pytest.raises(ValueError, match="not a filterable column: title"):   # as latest_items refuses it
        store.latest_changes(50, filters={"title": "x"})


def test_latest_changes_sees_an_edit_made_after_it_was_asked(tmp_path):
    """The edit walk is shared by one rebuild's queries, but never outlives a write: this
    connection's own or another one's."""
    store = _filled(Store(tmp_path / "s.db"))
    before = store.latest_changes(50)
    base = make_item(1, region="08", language="sv", organisation="Lapin hyvinvointialue")
    store.upsert_items([dict(base, body=base["body"] + "\n\nKorjaus.")], 3, NOW + timedelta(days=5))
    mine = store.latest_changes(50)
    assert len(mine) == len(before) + 1 and mine[0]["id"] == base["id"]
    other = Store(tmp_path / "s.db")
    base = make_item(2, region="02", language="fi", organisation="Pirkanmaan hyvinvointialue")
    other.upsert_items([dict(base, body=base["body"] + "\n\nKorjaus.")], 4, NOW + timedelta(days=6))
    other.close()
    theirs = store.latest_changes(50)
    assert len(theirs) == len(mine) + 1 and theirs[0]["id"] == base["id"]
