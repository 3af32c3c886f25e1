"""The store: every write to the SQLite database goes through :class:`Store`.

Tables (see :data:`SCHEMA`):

``items``          one row per announcement; ``id`` is the permanent feed GUID
``item_urls``      every URL an item was seen under (one release on stm.fi and valtioneuvosto.fi)
``item_versions``  earlier contents of an item, kept when a re-crawl finds it edited
``runs``           one row per crawl, with Scrapy's stats and per-source figures
``rejections``     items that failed the schema, with the reason
``deadlines``      deadlines read from items, and ``deadline_events`` (see store_deadlines.py)
``items_fts``      FTS5 over title, lead and body

Writes are batched and each batch is one ``BEGIN IMMEDIATE`` transaction in WAL mode, so a
crash at any moment leaves every committed batch intact and nothing half-written. Times are
stored as UTC ISO 8601 strings, which sort correctly; they are shown in Europe/Helsinki.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from .schema import validate_item
from .store_deadlines import DEADLINE_SCHEMA, DeadlineStoreMixin
from .tracking import item_deadlines, utc_iso

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY, url TEXT NOT NULL, source TEXT NOT NULL, organisation TEXT NOT NULL,
    region TEXT NOT NULL, type TEXT, language TEXT, title TEXT NOT NULL, published TEXT NOT NULL,
    lead TEXT, body TEXT, tags TEXT, attachments TEXT, content_hash TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1, relevant INTEGER NOT NULL, topic_terms TEXT,
    first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, updated_at TEXT,
    first_run INTEGER, last_run INTEGER
);
CREATE INDEX IF NOT EXISTS items_published ON items(published);
CREATE INDEX IF NOT EXISTS items_source ON items(source);
CREATE TABLE IF NOT EXISTS item_urls (
    url TEXT PRIMARY KEY, item_id TEXT NOT NULL REFERENCES items(id), first_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS item_urls_item ON item_urls(item_id);
CREATE TABLE IF NOT EXISTS item_versions (
    item_id TEXT NOT NULL REFERENCES items(id), version INTEGER NOT NULL, title TEXT, lead TEXT,
    body TEXT, attachments TEXT, content_hash TEXT NOT NULL, seen_from TEXT NOT NULL,
    superseded_at TEXT NOT NULL, superseded_by_run INTEGER, PRIMARY KEY (item_id, version)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT NOT NULL, finished TEXT,
    status TEXT NOT NULL, sources TEXT NOT NULL, requests INTEGER, response_bytes INTEGER,
    requests_304 INTEGER, items_new INTEGER, items_updated INTEGER, items_rejected INTEGER,
    stats TEXT
);
CREATE TABLE IF NOT EXISTS rejections (
    id INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER, source TEXT, url TEXT,
    reason TEXT NOT NULL, seen TEXT NOT NULL
);
"""
SCHEMA = SCHEMA + DEADLINE_SCHEMA
SCHEMA_VERSION = 2  # 2: deadlines and deadline_events
_CONTENT_FIELDS = ("title", "lead", "body")


@dataclass(frozen=True)
class UpsertResult:
    """What one batch did."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0


def content_hash(item: Mapping[str, Any]) -> str:
    """Hash of what a reader sees: title, lead, body and the attachment URLs."""
    payload = [item.get(k) or "" for k in _CONTENT_FIELDS]
    payload.append(sorted(a["url"] for a in item.get("attachments") or ()))
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def default_db_path() -> Path:
    """``$SOTEVAHTI_DB`` or ``sotevahti.db`` in the current directory."""
    return Path(os.environ.get("SOTEVAHTI_DB", "sotevahti.db"))


class Store(DeadlineStoreMixin):
    """The Sotevahti database.

    :param path: database file; created with its schema when missing.
    :param memory: use a private in-memory database (tests).
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, memory: bool = False) -> None:
        if memory:
            conn = sqlite3.connect(":memory:", isolation_level=None)
        else:
            p = Path(path) if path is not None else default_db_path()
            p.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(p), isolation_level=None, timeout=30)
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        conn.execute("PRAGMA busy_timeout = 30000")
        if not memory:
            self.db.enable_wal()
        conn.execute("PRAGMA synchronous = NORMAL")
        self._migrate()

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    @contextmanager
    def atomic(self) -> Iterator[Store]:
        """One write transaction (``BEGIN IMMEDIATE``); nested calls become savepoints."""
        if self.conn.in_transaction:
            with self.db.atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version >= SCHEMA_VERSION:
            return
        with self.atomic():
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self.conn.execute(statement)
            if "items_fts" not in self.db.table_names():
                self.db["items"].enable_fts(["title", "lead", "body"], create_triggers=True)
            self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- runs ---------------------------------------------------------------------------

    def start_run(self, sources: Iterable[str], now: datetime) -> int:
        """Open a run row (status ``running``) and return its id.

        :param sources: ids of the sources the crawl will read.
        :param now: the start time (aware).
        """
        with self.atomic():
            cur = self.conn.execute(
                "INSERT INTO runs (started, status, sources) VALUES (?, 'running', ?)",
                (utc_iso(now), json.dumps(sorted(sources))),
            )
            return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, now: datetime, stats: Mapping[str, Any], status: str = "ok") -> dict[str, Any]:
        """Close a run: store Scrapy's stats and count what the run added and changed.

        New and updated counts are derived from the items themselves, so they are right even
        when several spiders wrote into the run.

        :return: the finished run row.
        """
        with self.atomic():
            new = self._scalar("SELECT count(*) FROM items WHERE first_run = ?", run_id)
            updated = self._scalar(
                "SELECT count(DISTINCT item_id) FROM item_versions WHERE superseded_by_run = ?", run_id)
            rejected = self._scalar("SELECT count(*) FROM rejections WHERE run_id = ?", run_id)
            self.conn.execute(
                "UPDATE runs SET finished=?, status=?, requests=?, response_bytes=?, requests_304=?, "
                "items_new=?, items_updated=?, items_rejected=?, stats=? WHERE id=?",
                (utc_iso(now), status, int(stats.get("requests", 0)), int(stats.get("response_bytes", 0)),
                 int(stats.get("requests_304", 0)), new, updated, rejected,
                 json.dumps(stats, ensure_ascii=False, default=str, sort_keys=True), run_id),
            )
        return self.get_run(run_id)

    def get_run(self, run_id: int) -> dict[str, Any]:
        """One run row as a dict, with ``stats`` and ``sources`` decoded."""
        row = self.db["runs"].get(run_id)
        row["stats"] = json.loads(row["stats"] or "{}")
        row["sources"] = json.loads(row["sources"])
        return row

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest runs, newest first."""
        ids = [r[0] for r in self.conn.execute("SELECT id FROM runs ORDER BY id DESC LIMIT ?", (limit,))]
        return [self.get_run(i) for i in ids]

    # -- items --------------------------------------------------------------------------

    def upsert_items(self, items: Iterable[Mapping[str, Any]], run_id: int | None, now: datetime) -> UpsertResult:
        """Store a batch of items in one transaction.

        A new id is inserted. A known id whose content hash changed is updated, and its previous
        content goes to ``item_versions``; ``id``, ``source`` and ``first_seen`` never change.
        Every URL the item was seen under is recorded, and the deadlines in a new or changed
        item's text are tracked (:meth:`sync_item_deadlines`). Items must already be valid.

        :raises ValueError: if an item fails :func:`~sotevahti.schema.validate_item`.
        """
        batch = list(items)
        for item in batch:
            problems = validate_item(item)
            if problems:
                raise ValueError(f"{item.get('url')}: {'; '.join(problems)}")
        seen_at = utc_iso(now)
        new = updated = unchanged = 0
        with self.atomic():
            for item in batch:
                row = self._row(item, seen_at, run_id)
                old = self.conn.execute(
                    "SELECT content_hash, version, title, lead, body, attachments, first_seen, updated_at "
                    "FROM items WHERE id = ?", (row["id"],)).fetchone()
                if old is None:
                    self.db["items"].insert(row)
                    self._track_deadlines(item, now, run_id)
                    new += 1
                elif old[0] != row["content_hash"]:
                    self.db["item_versions"].insert({
                        "item_id": row["id"], "version": old[1], "title": old[2], "lead": old[3],
                        "body": old[4], "attachments": old[5], "content_hash": old[0],
                        "seen_from": old[7] or old[6], "superseded_at": seen_at, "superseded_by_run": run_id,
                    })
                    for keep in ("source", "first_seen", "first_run"):
                        row.pop(keep)
                    row.update(version=old[1] + 1, updated_at=seen_at)
                    self.db["items"].update(row["id"], row)
                    self._track_deadlines(item, now, run_id)
                    updated += 1
                else:
                    self.conn.execute("UPDATE items SET last_seen=?, last_run=? WHERE id=?",
                                      (seen_at, run_id, row["id"]))
                    unchanged += 1
                for url in {item["url"], *(item.get("urls") or ())}:
                    self.conn.execute("INSERT OR IGNORE INTO item_urls (url, item_id, first_seen) VALUES (?,?,?)",
                                      (url, row["id"], seen_at))
        return UpsertResult(new=new, updated=updated, unchanged=unchanged)

    def record_rejections(self, rejections: Iterable[Mapping[str, Any]], run_id: int | None, now: datetime) -> int:
        """Store rejected items (``source``, ``url``, ``reason``); returns how many."""
        rows = [{"run_id": run_id, "source": r.get("source"), "url": r.get("url"), "reason": r["reason"],
                 "seen": utc_iso(now)} for r in rejections]
        with self.atomic():
            self.db["rejections"].insert_all(rows)
        return len(rows)

    def get_item(self, item_id: str) -> dict[str, Any] | None:
        """One item with its JSON fields decoded and its URLs, or ``None``."""
        rows = self._items("WHERE id = ?", (item_id,))
        return rows[0] if rows else None

    def latest_items(self, limit: int = 50, *, relevant_only: bool = True) -> list[dict[str, Any]]:
        """The newest items by publication time (relevant ones only by default)."""
        where = "WHERE relevant = 1" if relevant_only else ""
        return self._items(f"{where} ORDER BY published DESC, id LIMIT ?", (limit,))

    def item_versions(self, item_id: str) -> list[dict[str, Any]]:
        """Earlier versions of an item, oldest first."""
        return list(self.db.query(
            "SELECT * FROM item_versions WHERE item_id = ? ORDER BY version", [item_id]))

    def counts_by_source(self, *, relevant_only: bool = False) -> dict[str, int]:
        """``{source_id: number of stored items}``."""
        where = "WHERE relevant = 1" if relevant_only else ""
        return dict(self.conn.execute(f"SELECT source, count(*) FROM items {where} GROUP BY source ORDER BY source"))

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check``: ``"ok"`` when the file is sound."""
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])

    # -- helpers ------------------------------------------------------------------------

    def _track_deadlines(self, item: Mapping[str, Any], now: datetime, run_id: int | None) -> None:
        # Read with the item's own publication day as the reference for year-less dates.
        found = item_deadlines(item["title"], item.get("lead") or "", item.get("body") or "",
                               item["published"], item.get("language"))
        self.sync_item_deadlines(item["id"], found, now, run_id)

    def _row(self, item: Mapping[str, Any], seen_at: str, run_id: int | None) -> dict[str, Any]:
        return {
            "id": item["id"], "url": item["url"], "source": item["source"],
            "organisation": item["organisation"], "region": item["region"], "type": item.get("type") or None,
            "language": item.get("language"), "title": item["title"], "published": utc_iso(item["published"]),
            "lead": item.get("lead") or "", "body": item.get("body") or "",
            "tags": json.dumps(list(item.get("tags") or []), ensure_ascii=False),
            "attachments": json.dumps([dict(a) for a in item.get("attachments") or []], ensure_ascii=False),
            "content_hash": content_hash(item), "relevant": int(bool(item["relevant"])),
            "topic_terms": json.dumps(list(item.get("topic_terms") or []), ensure_ascii=False),
            "first_seen": seen_at, "last_seen": seen_at, "first_run": run_id, "last_run": run_id,
        }

    def _items(self, tail: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        rows = list(self.db.query(f"SELECT * FROM items {tail}", list(params)))
        for row in rows:
            for key in ("tags", "attachments", "topic_terms"):
                row[key] = json.loads(row[key] or "[]")
            row["relevant"] = bool(row["relevant"])
            row["urls"] = [r[0] for r in self.conn.execute(
                "SELECT url FROM item_urls WHERE item_id = ? ORDER BY first_seen, url", (row["id"],))]
        return rows

    def _scalar(self, sql: str, *params: Any) -> int:
        return int(self.conn.execute(sql, params).fetchone()[0])
