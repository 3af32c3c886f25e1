"""The traffic half of the store: HTTP validators, re-check facts and each source's backfill state.

Mixed into :class:`sotevahti.store.Store`.

``http_validators``  per fetched item URL: the ``ETag``, ``Last-Modified`` and body hash of the
                     response the item was stored from. Written in the same transaction as the
                     item (:meth:`Store.upsert_items`), so a crawl killed between the two can
                     never leave validators that point at content we did not store.
``source_state``     when a source's first, deep crawl (``backfill_pages``) completed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from .dates import HELSINKI
from .tracking import utc_iso

#: Words saying a release is out for comments: "on lausunnolla", "är ute på remiss", "out for consultation".
_ON_CONSULTATION = ("lausunnolla", "lausuntokierroksella", "kommentoitavana", "på remiss",
                    "out for consultation", "consultation round")
_ON_CONSULTATION_BYTES = tuple(dict.fromkeys(
    form.encode() for word in _ON_CONSULTATION for form in (word, word.replace("å", "Å"))))
#: A part of every phrase above: a text with none of these says none of them (four searches, not seven).
_CONSULTATION_CUES = (b"lausun", b"kommentoitav", b"remiss", b"consultation")
assert all(any(cue in phrase for cue in _CONSULTATION_CUES) for phrase in _ON_CONSULTATION_BYTES)
#: How long an item that says it is on consultation, but gives no readable deadline, is re-checked daily.
CONSULTATION_WATCH = timedelta(days=90)


def says_on_consultation(*texts: str | None) -> bool:
    """Whether a text says the matter is out for comments.

    >>> says_on_consultation("Luonnos hallituksen esitykseksi on lausunnolla 12.1.2027 asti.")
    True
    >>> says_on_consultation("Förslaget är ute PÅ REMISS till 12.1.2027."), says_on_consultation("Lausunto annettu.")
    (True, False)
    """
    # UTF-8 bytes lowered (ASCII letters only) are far cheaper than casefolding a long Finnish
    # text; the one non-ASCII letter of the phrases, "å", is looked for in both cases. No phrase
    # holds a newline, so each text is searched on its own (as if they were joined by newlines).
    for text in texts:
        if not text:
            continue
        try:
            raw = text.encode().lower()
        except UnicodeEncodeError:   # a lone surrogate (the store drops them before it gets here)
            if any(word in text.casefold() for word in _ON_CONSULTATION):
                return True
            continue
        if any(cue in raw for cue in _CONSULTATION_CUES) and any(word in raw for word in _ON_CONSULTATION_BYTES):
            return True
    return False


@dataclass(frozen=True)
class Validator:
    """What a server said about a page we stored an item from."""

    url: str
    item_id: str
    etag: str | None
    last_modified: str | None
    body_hash: str


class HttpStoreMixin:
    """Validators, touches of unchanged items, open-deadline facts and backfill state."""

    conn: sqlite3.Connection

    def validators(self, sources: Iterable[str]) -> dict[str, Validator]:
        """``{url: Validator}`` for the stored items of these sources.

        Every URL an item is known under gets a validator: its own where that URL was fetched, else
        the item's most recently checked one. The forms of one Liferay address (``/-/`` and ``/-//``,
        ``?languageId=``) are one page, and which form a crawl meets first depends on timing; without
        this, the form not stored would be fetched in full and the 304 count would vary run to run.
        """
        ids = list(sources)
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            "SELECT v.url, v.item_id, v.etag, v.last_modified, v.body_hash FROM http_validators v "
            f"JOIN items i ON i.id = v.item_id WHERE i.source IN ({marks}) ORDER BY v.checked_at, v.url", ids)
        exact = {r[0]: Validator(*r) for r in rows}
        latest = {v.item_id: v for v in exact.values()}   # ordered by checked_at: the last one wins
        aliases = self.conn.execute(
            "SELECT u.url, u.item_id FROM item_urls u JOIN items i ON i.id = u.item_id "
            f"WHERE i.source IN ({marks})", ids)
        for url, item_id in aliases:
            if url not in exact and item_id in latest:
                exact[url] = replace(latest[item_id], url=url)
        return exact

    def fetched_urls(self, sources: Iterable[str]) -> dict[str, str]:
        """``{item id: URL}``: where each stored item's page was last fetched from (its validators)."""
        ids = list(sources)
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            "SELECT v.item_id, v.url FROM http_validators v JOIN items i ON i.id = v.item_id "
            f"WHERE i.source IN ({marks}) ORDER BY v.checked_at, v.url", ids)
        return dict(rows)   # ordered by time: the last fetch wins

    def _write_validators(self, validators: Sequence[Validator], ids: Mapping[str, str], seen_at: str) -> None:
        rows = [(v.url, ids.get(v.item_id, v.item_id), v.etag, v.last_modified, v.body_hash, seen_at)
                for v in validators]
        self.conn.executemany(
            "INSERT OR REPLACE INTO http_validators (url, item_id, etag, last_modified, body_hash, checked_at) "
            "VALUES (?,?,?,?,?,?)", rows)

    def touch_items(self, item_ids: Iterable[str], run_id: int | None, now: datetime) -> int:
        """Items whose page answered 304 (or the same bytes): seen now, as when read in full (a
        pending 404 is cleared, a withdrawn item is back), and nothing else changes.

        :return: how many items were touched.
        """
        at = utc_iso(now)
        ids = list(dict.fromkeys(item_ids))
        with self.atomic():  # type: ignore[attr-defined]
            self._seen(ids, at, run_id)  # type: ignore[attr-defined]
        return len(ids)

    def watched_until(self, sources: Iterable[str], now: datetime) -> dict[str, datetime]:
        """Items re-checked on every crawl whatever their age, and until when.

        An item with a deadline is watched until a day after its latest deadline that has not
        yet passed by more than a day; one that says it is on consultation but gives no readable
        deadline, for :data:`CONSULTATION_WATCH` after publication.
        """
        ids = list(sources)
        marks = ",".join("?" * len(ids))
        since = (now - timedelta(days=1)).date().isoformat()
        out: dict[str, datetime] = {}
        for item_id, deadline in self.conn.execute(
                f"SELECT d.item_id, max(d.deadline) FROM deadlines d JOIN items i ON i.id = d.item_id "
                f"WHERE d.deadline >= ? AND i.source IN ({marks}) GROUP BY d.item_id", [since, *ids]):
            out[item_id] = datetime.fromisoformat(deadline).replace(tzinfo=HELSINKI) + timedelta(days=2)
        for item_id, published in self.conn.execute(
                f"SELECT id, published FROM items WHERE on_consultation = 1 AND source IN ({marks})", ids):
            until = datetime.fromisoformat(published) + CONSULTATION_WATCH
            if item_id not in out and until >= now:
                out[item_id] = until
        return out

    def mark_backfilled(self, sources: Iterable[str], now: datetime) -> None:
        """Record that these sources' first deep crawl is done (later crawls stop at known pages)."""
        with self.atomic():  # type: ignore[attr-defined]
            self.conn.executemany("INSERT OR IGNORE INTO source_state (source, backfilled_at) VALUES (?, ?)",
                                  [(s, utc_iso(now)) for s in sources])

    def backfilled(self, sources: Iterable[str]) -> set[str]:
        """The sources among these whose backfill is done."""
        ids = list(sources)
        marks = ",".join("?" * len(ids))
        return {r[0] for r in self.conn.execute(
            f"SELECT source FROM source_state WHERE backfilled_at IS NOT NULL AND source IN ({marks})", ids)}
