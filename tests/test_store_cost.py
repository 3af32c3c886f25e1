"""What a rebuild and a status cost: every query of the feed rebuild is indexed, and a plain
``status`` does not read the whole database file."""

from __future__ import annotations

import re
from datetime import timedelta

from sotevahti.feeds import write_feeds
from sotevahti.sources import FeedSettings
from sotevahti.store import STATUS_TABLES, Store
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
