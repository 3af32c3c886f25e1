"""The URL half of the store: which stored item a page is, and every URL an item is known under.

Mixed into :class:`sotevahti.store.Store`. :meth:`Store.upsert_items` records the URLs an item
carries; a URL that turns up later in the same crawl (a second listing linking an article that
was already read) is added by :meth:`add_urls`.

A URL is one page. When a source's items get new ids (issue 10 gave lapha.fi and omahame.fi
Liferay ids, and dropped ``:443`` and ``?publisherId=`` from URLs), an item under a new id whose
URL an item of the same source already has is that item: it joins it as an ``alias``
(``item_links``), its GUID stays, and later edits of the page update it. Migration 11 recorded
the canonical form of every stored URL, so pages stored before that change are found too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from .tracking import utc_iso


class UrlStoreMixin:
    """Late URLs of stored items; needs ``self.conn`` and ``self.atomic()`` from the Store."""

    conn: sqlite3.Connection

    def stored_id(self, item_id: str) -> str | None:
        """The id of the stored item ``item_id`` is: itself, or the item it joined (alias or duplicate)."""
        row = self.conn.execute("SELECT id FROM items WHERE id = ?", (item_id,)).fetchone()
        if row:
            return str(row[0])
        return self._joined(item_id, "alias") or self._joined(item_id, "duplicate")

    def _joined(self, item_id: str, relation: str) -> str | None:
        row = self.conn.execute("SELECT item_id FROM item_links WHERE target_id = ? AND relation = ? "
                                "ORDER BY first_seen, item_id LIMIT 1", (item_id, relation)).fetchone()
        return str(row[0]) if row else None

    def _same_page(self, item: Mapping[str, Any], seen_at: str) -> tuple[str, bool]:
        """``(stored id, joins now)``: the id the item's page is stored under, and whether this is the
        first time the item's own id meets it (then the stored text is re-read, see :meth:`_rebase`).

        An id that is stored, joined before, or a copy joined as a duplicate is left as it is.
        """
        item_id = item["id"]
        if self.conn.execute("SELECT 1 FROM items WHERE id = ?", (item_id,)).fetchone():
            return item_id, False
        alias = self._joined(item_id, "alias")
        if alias or self._joined(item_id, "duplicate"):
            return alias or item_id, False
        owner = self.conn.execute(
            "SELECT u.item_id FROM item_urls u JOIN items i ON i.id = u.item_id WHERE u.url = ? AND i.source = ?",
            (item["url"], item["source"])).fetchone()
        if owner is None:
            return item_id, False
        self.conn.execute("INSERT OR IGNORE INTO item_links (item_id, target_id, relation, first_seen) "
                          "VALUES (?,?,'alias',?)", (owner[0], item_id, seen_at))
        return str(owner[0]), True

    def _rebase(self, row: Mapping[str, Any]) -> None:
        """The stored item's fields as the current code reads its page, with no version and no update
        entry: the page did not change when its id did, only our reading of it."""
        fields = {k: v for k, v in row.items()
                  if k not in ("id", "url", "source", "first_seen", "first_run", "last_seen", "last_run")}
        self.conn.execute(f"UPDATE items SET {', '.join(f'{k} = ?' for k in fields)} WHERE id = ?",
                          (*fields.values(), row["id"]))

    def add_urls(self, pairs: Iterable[tuple[str, str]], now: datetime) -> list[tuple[str, str]]:
        """Record ``(item id, url)`` pairs as URLs of the stored items, in one transaction.

        A URL another item already has stays that item's (a URL is one page). Pairs whose item is
        not stored (yet) are returned, to be tried again after the next batch.
        """
        waiting: list[tuple[str, str]] = []
        with self.atomic():  # type: ignore[attr-defined]
            for item_id, url in pairs:
                stored = self.stored_id(item_id)
                if stored is None:
                    waiting.append((item_id, url))
                    continue
                self.conn.execute("INSERT OR IGNORE INTO item_urls (url, item_id, first_seen) VALUES (?,?,?)",
                                  (url, stored, utc_iso(now)))
        return waiting

    def _twin_of(self, row: Mapping[str, Any]) -> str | None:
        """The stored item a new id joins as a duplicate: the one it joined before, one from another
        source with its URL, or the same release (:func:`~sotevahti.store.dedup_key`)."""
        joined = self._joined(row["id"], "duplicate")
        if joined:
            return joined
        # A URL is one page: an item under a new id whose URL another item already has is that item
        # (else the new item would be stored without a URL of its own).
        owner = self.conn.execute("SELECT item_id FROM item_urls WHERE url = ? AND item_id != ?",
                                  (row["url"], row["id"])).fetchone()
        if owner:
            return str(owner[0])
        if not row.get("dedup_key"):
            return None
        hit = self.conn.execute("SELECT id FROM items WHERE dedup_key = ? AND id != ? ORDER BY first_seen LIMIT 1",
                                (row["dedup_key"], row["id"])).fetchone()
        return hit[0] if hit else None
