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
from collections.abc import Iterable, Mapping, Sequence
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

    def _same_pages(self, pending: Sequence[tuple[dict[str, Any], dict[str, Any]]], stored: Any,
                    seen_at: str) -> bool:
        """Give each pending item the id its page is stored under; true if any item changed id.

        ``stored`` is the round's :class:`~sotevahti.store_upsert._Stored` (what the database holds
        for these items). An item whose id is stored, or that joined an item as a duplicate before,
        is left as it is; one that joined as an alias takes that item's id. A new id whose URL an
        item *of the same source* has is that item: it joins it as an ``alias`` and, this first
        time, the stored text is re-read (:meth:`_rebase`). The item's own id is kept in
        ``item["_given"]`` (for its validator and a duplicate link).
        """
        changed = False
        for item, row in pending:
            item.setdefault("_given", item["id"])
            if row["id"] in stored.old or row["id"] in stored.joined:
                continue
            alias = stored.aliased.get(row["id"])
            owner = stored.url_owner.get(row["url"])
            if alias is None and (owner is None or stored.url_source.get(row["url"]) != item["source"]):
                continue
            if alias is None:
                alias = owner
                self.conn.execute("INSERT OR IGNORE INTO item_links (item_id, target_id, relation, first_seen) "
                                  "VALUES (?,?,'alias',?)", (alias, row["id"], seen_at))
                self._rebase({**row, "id": alias})
            item["id"] = row["id"] = alias
            changed = True
        return changed

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
