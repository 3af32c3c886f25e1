"""The batched upsert decides every item as a one-by-one upsert would, and writes a batch at once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sotevahti.store import Store
from tests.test_store import NOW, make_item

_TABLES = {
    "items": "SELECT id, url, source, title, body, version, content_hash, first_seen, last_seen, held_hash, "
             "removed_at, restored_at FROM items ORDER BY id",
    "item_urls": "SELECT url, item_id FROM item_urls ORDER BY url",
    "item_links": "SELECT item_id, target_id, relation FROM item_links ORDER BY 1, 2, 3",
    "item_versions": "SELECT item_id, version, content_hash FROM item_versions ORDER BY 1, 2",
    "deadlines": "SELECT id, item_id, deadline, status FROM deadlines ORDER BY id",
    "deadline_events": "SELECT id, event FROM deadline_events ORDER BY id",
}


def _state(store: Store) -> dict[str, list[tuple]]:
    return {name: store.conn.execute(sql).fetchall() for name, sql in _TABLES.items()}


def _tangled_batch() -> list[dict]:
    """Items that depend on earlier items of the same batch: the same id twice (the second an edit),
    a copy under another id with the same title, day and organisation, an item whose URL an earlier
    item of the batch listed, and an item of its own in between."""
    original = make_item(1)
    edited = make_item(1, body=original["body"] + "\n\nLausuntoaikaa on jatkettu 2.10.2020 saakka.")
    copy = make_item(1, id="sttinfo-1", url="https://www.sttinfo.fi/tiedote/1", source="sttinfo")
    listed = make_item(2, urls=["https://valtioneuvosto.fi/-/1271139/tiedote-3"])
    same_page = make_item(3, id="lr-other", url="https://valtioneuvosto.fi/-/1271139/tiedote-3")
    return [original, make_item(4), edited, copy, listed, same_page, make_item(4)]


@pytest.mark.parametrize("later", [False, True], ids=["empty store", "after a first crawl"])
def test_one_batch_equals_one_by_one(later):
    batched, single = Store(memory=True), Store(memory=True)
    if later:
        for s in (batched, single):
            s.upsert_items([make_item(1), make_item(5)], 1, NOW - timedelta(days=2))
            s.mark_removed(make_item(5)["id"], 404, NOW - timedelta(days=1))
    items = [*_tangled_batch(), make_item(5)]
    result = batched.upsert_items(items, 2, NOW)
    singles = [single.upsert_items([item], 2, NOW) for item in items]
    assert _state(batched) == _state(single)
    for key in ("new", "updated", "unchanged", "duplicates"):
        assert getattr(result, key) == sum(getattr(r, key) for r in singles), key
    assert result.duplicates >= 1   # the copy joined the original
    # an id of the same source under a URL another item has is that item: an alias, not a new item
    links = _state(batched)["item_links"]
    assert (make_item(2)["id"], "lr-other", "alias") in links
    assert result.updated >= 1


def test_a_batch_reads_the_store_with_a_few_queries_not_a_few_per_item():
    store = Store(memory=True)
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    store.upsert_items([make_item(n, title=f"Uutinen {n}", body="Ei päivämääriä.") for n in range(200)], None, NOW)
    store.conn.set_trace_callback(None)
    queries = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "items_fts" not in s]
    assert store.conn.execute("SELECT count(*) FROM items").fetchone()[0] == 200
    # items, links, URLs, dedup keys, and pages named as translations: once for the whole batch
    assert len(queries) <= 5, queries[:10]
