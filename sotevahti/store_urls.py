"""The URL half of the store: every URL an item is known under, added after the item was stored.

Mixed into :class:`sotevahti.store.Store`. :meth:`Store.upsert_items` records the URLs an item
carries; a URL that turns up later in the same crawl (a second listing linking an article that
was already read) is added here, to the item it belongs to.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from .tracking import utc_iso


class UrlStoreMixin:
    """Late URLs of stored items; needs ``self.conn`` and ``self.atomic()`` from the Store."""

    conn: sqlite3.Connection

    def stored_id(self, item_id: str) -> str | None:
        """The id of the stored item ``item_id`` is: itself, or the item it joined as a duplicate."""
        row = self.conn.execute("SELECT id FROM items WHERE id = ?", (item_id,)).fetchone()
        if row:
            return str(row[0])
        joined = self.conn.execute("SELECT item_id FROM item_links WHERE target_id = ? AND relation = 'duplicate' "
                                   "ORDER BY first_seen, item_id LIMIT 1", (item_id,)).fetchone()
        return str(joined[0]) if joined else None

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
