"""The store: every write to the SQLite database goes through :class:`Store`.

Tables (created by :mod:`sotevahti.migrations`):

``items``          one row per announcement; ``id`` is the permanent feed GUID
``item_urls``      every URL an item was seen under (one release on stm.fi and valtioneuvosto.fi)
``item_versions``  earlier contents of an item, kept when a re-crawl finds it edited
``runs``           one row per crawl, with Scrapy's stats and per-source figures
``rejections``     items that failed the schema, with the reason
``deadlines``      deadlines read from items, and ``deadline_events`` (see store_deadlines.py)
``item_links``     related items: a release → its proposal, a duplicate → the item it joined
``item_translations``  the language versions of one release, linked (see translations.py)
``items_fts``      FTS5 over title, lead and body

Writes are batched and each batch is one ``BEGIN IMMEDIATE`` transaction in WAL mode, so a
crash at any moment leaves every committed batch intact and nothing half-written. Times are
stored as UTC ISO 8601 strings, which sort correctly; they are shown in Europe/Helsinki.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from .migrations import check_ours, migrate
from .store_deadlines import DeadlineStoreMixin
from .store_health import HealthStoreMixin
from .store_history import FILTER_COLUMNS, HistoryStoreMixin
from .store_http import HttpStoreMixin
from .store_upsert import UpsertResult, UpsertStoreMixin, api_deadlines, content_hash, dedup_key
from .store_urls import UrlStoreMixin
from .tracking import utc_iso
from .translations import NOT_SECONDARY, TranslationStoreMixin

# the upsert and its plain helpers live in store_upsert.py; re-exported for callers of this module
__all__ = ["Store", "UpsertResult", "api_deadlines", "check_database_file", "content_hash", "dedup_key",
           "default_db_path"]

#: WAL pages between automatic checkpoints (64 MiB at SQLite's 4 KiB pages).
WAL_CHECKPOINT_PAGES = 16384
#: The small tables ``status`` reads, checked by its quick integrity check.
STATUS_TABLES = ("runs", "source_health", "alarms", "source_state")
_FILTER_COLUMNS = frozenset(FILTER_COLUMNS)


def default_db_path() -> Path:
    """``$SOTEVAHTI_DB`` or ``sotevahti.db`` in the current directory."""
    return Path(os.environ.get("SOTEVAHTI_DB", "sotevahti.db"))


def check_database_file(path: str | os.PathLike[str]) -> None:
    """Raise :class:`sqlite3.DatabaseError` unless ``path`` is missing (a new database) or a
    Sotevahti database; opens it read-only, so a refused file is left exactly as it was."""
    p = Path(path)
    if p.is_dir():
        raise sqlite3.DatabaseError("a directory, not a database file")
    if not p.exists():
        return
    conn = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True)
    try:
        check_ours(conn)
    finally:
        conn.close()


class Store(UpsertStoreMixin, DeadlineStoreMixin, HistoryStoreMixin, HealthStoreMixin, HttpStoreMixin,
            UrlStoreMixin, TranslationStoreMixin):
    """The Sotevahti database.

    :param path: database file; created with its schema when missing.
    :param memory: use a private in-memory database (tests).
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, memory: bool = False) -> None:
        if memory:
            conn = sqlite3.connect(":memory:", isolation_level=None)
        else:
            p = Path(path) if path is not None else default_db_path()
            check_database_file(p)
            p.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(p), isolation_level=None, timeout=30)
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        conn.execute("PRAGMA busy_timeout = 30000")
        if not memory:
            self.db.enable_wal()
            # Checkpoint every 64 MiB of WAL, not SQLite's 4 MiB: a batch of 1,000 releases writes
            # about 20 MiB, and its index and full-text pages were copied into the file by every
            # checkpoint again. Measured on 60,000 inserted items: 2,400–2,600/s → 2,770–3,070/s.
            # A kill loses nothing either way (the WAL is replayed); at the last close SQLite
            # checkpoints and deletes the WAL, so no 64 MiB file is left behind.
            conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
        conn.execute("PRAGMA synchronous = NORMAL")
        # 16 MiB of page cache (SQLite's default is 2 MiB): the indexes a batch inserts into stay
        # in memory at 100,000 items; it is only allocated as pages are read.
        conn.execute("PRAGMA cache_size = -16384")
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
        with self.atomic():
            migrate(self.conn, self.db)

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

    def close_interrupted_runs(self, now: datetime) -> list[int]:
        """Mark every run still ``running`` as ``interrupted`` (its process was killed).

        Call it only while holding the crawl lock, when no other crawl can be running.
        :return: the ids of the runs closed.
        """
        with self.atomic():
            ids = [r[0] for r in self.conn.execute("SELECT id FROM runs WHERE status = 'running' ORDER BY id")]
            self.conn.executemany("UPDATE runs SET status = 'interrupted', finished = ? WHERE id = ?",
                                  [(utc_iso(now), i) for i in ids])
        return ids

    def last_run(self) -> dict[str, Any] | None:
        """The newest run row (``id``, ``started``, ``finished``, ``status``), or ``None``."""
        row = self.conn.execute("SELECT id, started, finished, status FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        return dict(zip(("id", "started", "finished", "status"), row, strict=True)) if row else None

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

    def latest_items(self, limit: int = 50, *, relevant_only: bool = True,
                     filters: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        """The newest items by publication time (relevant ones only by default).

        :param filters: equality filters on ``region``, ``organisation``, ``kind``, ``language``
            or ``source``, e.g. ``{"region": "08"}``. Without a ``language`` filter, a release's
            linked language versions are one row: its primary's.
        """
        where, params = self._filters(filters, relevant_only, prefix="")
        return self._items(f"{where} ORDER BY published DESC, id LIMIT ?", (*params, limit))

    def distinct_values(self, column: str, *, relevant_only: bool = True) -> list[str]:
        """The values a filterable column takes among stored items, e.g. every region with items."""
        if column not in _FILTER_COLUMNS:
            raise ValueError(f"not a filterable column: {column}")
        if not relevant_only:
            return [r[0] for r in self.conn.execute(f"SELECT DISTINCT {column} FROM items ORDER BY 1") if r[0]]
        # A skip scan of the partial index (column, published) WHERE relevant = 1: one index seek per
        # value, so the cost follows the number of regions or organisations, not of items.
        sql = (f"WITH RECURSIVE v(x) AS (SELECT min({column}) FROM items WHERE relevant = 1 UNION ALL "
               f"SELECT (SELECT min({column}) FROM items WHERE relevant = 1 AND {column} > v.x) FROM v "
               "WHERE v.x IS NOT NULL) SELECT x FROM v WHERE x IS NOT NULL")
        return [r[0] for r in self.conn.execute(sql) if r[0]]

    @staticmethod
    def _filters(filters: Mapping[str, str] | None, relevant_only: bool, prefix: str) -> tuple[str, list[str]]:
        clauses, params = ([f"{prefix}relevant = 1"] if relevant_only else []), []
        for column, value in (filters or {}).items():
            if column not in _FILTER_COLUMNS:
                raise ValueError(f"not a filterable column: {column}")
            clauses.append(f"{prefix}{column} = ?")
            params.append(value)
        if "language" not in (filters or {}):   # one entry per release, unless a language is asked for
            clauses.append(NOT_SECONDARY.format(p=prefix))
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), params

    def counts_by_source(self, *, relevant_only: bool = False) -> dict[str, int]:
        """``{source_id: number of stored items}``."""
        where = "WHERE relevant = 1" if relevant_only else ""
        return dict(self.conn.execute(f"SELECT source, count(*) FROM items {where} GROUP BY source ORDER BY source"))

    def integrity_check(self, *, full: bool = True) -> str:
        """``"ok"`` when the file is sound, else SQLite's first complaint.

        :param full: SQLite's ``PRAGMA integrity_check`` over the whole file (it reads every page
            and checks every index against its table: seconds at 100,000 items). ``False``: only
            ``PRAGMA quick_check`` of the tables ``status`` reads (:data:`STATUS_TABLES`), which
            costs the same at any number of items.
        """
        if full:
            return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])
        for table in STATUS_TABLES:
            result = str(self.conn.execute(f"PRAGMA quick_check({table})").fetchone()[0])
            if result != "ok":
                return result
        return "ok"

    # -- helpers ------------------------------------------------------------------------

    def _seen(self, item_ids: Iterable[str], seen_at: str, run_id: int | None) -> None:
        """These items' pages were read: they are not missing, and a withdrawn one is back."""
        self.conn.executemany(
            "UPDATE items SET last_seen = ?, last_run = ?, missing_since = NULL, missing_status = NULL, "
            "restored_at = CASE WHEN removed_at IS NULL THEN restored_at ELSE ? END, "
            "removed_at = NULL, removed_status = NULL, removed_run = NULL WHERE id = ?",
            [(seen_at, run_id, seen_at, item_id) for item_id in item_ids])

    def _items(self, tail: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        rows = list(self.db.query(f"SELECT * FROM items {tail}", list(params)))
        # One query for every row's URLs, not one per row: feeds read 50 items per file.
        urls: dict[str, list[str]] = {row["id"]: [] for row in rows}
        if urls:
            marks = ",".join("?" * len(urls))
            for item_id, url in self.conn.execute(
                    f"SELECT item_id, url FROM item_urls WHERE item_id IN ({marks}) ORDER BY first_seen, url",
                    list(urls)):
                urls[item_id].append(url)
        for row in rows:
            for key in ("tags", "attachments", "topic_terms"):
                row[key] = json.loads(row[key] or "[]")
            row["relevant"] = bool(row["relevant"])
            row["urls"] = urls[row["id"]]
        return rows

    def _scalar(self, sql: str, *params: Any) -> int:
        return int(self.conn.execute(sql, params).fetchone()[0])

