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

import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import sqlite_utils

from .dates import HELSINKI
from .deadline_gate import may_hold_deadline
from .migrations import check_ours, migrate
from .schema import validate_item
from .store_deadlines import DeadlineStoreMixin
from .store_health import HealthStoreMixin
from .store_history import HistoryStoreMixin
from .store_http import HttpStoreMixin, Validator, says_on_consultation
from .tracking import FoundDeadline, item_deadlines, utc_iso
from .translations import NOT_SECONDARY, TranslationStoreMixin
from .trust import held_long_enough, judge_update
from .xmlsafe import storable

_CONTENT_FIELDS = ("title", "lead", "body")
_FILTER_COLUMNS = frozenset({"region", "organisation", "kind", "language", "source"})


@dataclass(frozen=True)
class UpsertResult:
    """What one batch did."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    #: ``(source, reason, item id)`` of every item whose new content was held back
    held: tuple[tuple[str, str, str], ...] = ()


def dedup_key(item: Mapping[str, Any]) -> str | None:
    """Key that finds one release published by several sources: title, day and organisation.

    Only announcements get one; a consultation or a watched page is its own thing.
    """
    if (item.get("kind") or "announcement") != "announcement":
        return None
    title = " ".join(re.sub(r"[^\w]+", " ", item["title"].casefold()).split())
    day = item["published"].astimezone(HELSINKI).date().isoformat()
    raw = f"{title}|{day}|{item['organisation'].casefold()}"
    return hashlib.sha1(raw.encode()).hexdigest()[:20]


def api_deadlines(item: Mapping[str, Any]) -> list[FoundDeadline]:
    """An item's authoritative deadlines (from an API field) as found deadlines."""
    return [FoundDeadline(kind=d["kind"], deadline=date.fromisoformat(d["deadline"]),
                          time=time.fromisoformat(d["time"]) if d.get("time") else None,
                          sentence=d.get("sentence") or "") for d in item["api_deadlines"]]


def content_hash(item: Mapping[str, Any]) -> str:
    """Hash of what a reader sees: title, lead, body and the attachment URLs."""
    payload = [item.get(k) or "" for k in _CONTENT_FIELDS]
    payload.append(sorted(a["url"] for a in item.get("attachments") or ()))
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


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


class Store(DeadlineStoreMixin, HistoryStoreMixin, HealthStoreMixin, HttpStoreMixin, TranslationStoreMixin):
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

    def upsert_items(self, items: Iterable[Mapping[str, Any]], run_id: int | None, now: datetime,
                     validators: Sequence[Validator] = ()) -> UpsertResult:
        """Store a batch of items in one transaction.

        A new id is inserted, unless it is the same release as a stored item from another source
        (same title, publication day and organisation: a county release copied to sttinfo.fi) or
        has a URL a stored item already has; then its URLs are added to the stored item, and its
        id joins that item for good, even after the county corrects the title. A known id whose content hash changed is
        updated, and its previous content goes to ``item_versions`` with a diff; ``id``,
        ``source`` and ``first_seen`` never change. New content that looks damaged (see
        :func:`sotevahti.trust.judge_update`) is held back instead and reported in ``held``.
        Reading an item clears a pending 404 and restores a withdrawn item. Every URL the item
        was seen under is recorded, links to related items are kept, the deadlines in a new or
        changed item's text are tracked, and authoritative ``api_deadlines`` are synced.

        :param validators: the HTTP validators of the pages these items came from; written in
            the same transaction (none for an item held back), so they never describe content
            that was not stored.
        :raises ValueError: if an item fails :func:`~sotevahti.schema.validate_item`.
        """
        batch = [storable(dict(item)) for item in items]
        for item in batch:
            problems = validate_item(item)
            if problems:
                raise ValueError(f"{item.get('url')}: {'; '.join(problems)}")
        seen_at = utc_iso(now)
        counts = {"new": 0, "updated": 0, "unchanged": 0, "duplicates": 0}
        held: list[tuple[str, str, str]] = []
        stored_as: dict[str, str] = {}
        with self.atomic():
            for item in batch:
                row = self._row(item, seen_at, run_id)
                old = self.conn.execute(
                    "SELECT content_hash, version, title, lead, body, attachments, first_seen, updated_at, "
                    "held_hash, held_since FROM items WHERE id = ?", (row["id"],)).fetchone()
                twin = self._twin_of(row) if old is None else None
                outcome = "duplicates" if twin is not None else "new" if old is None else "unchanged"
                if twin is not None:
                    row["id"] = twin
                    self._link(twin, item["id"], "duplicate", seen_at)
                elif old is None:
                    self.conn.execute(f"INSERT INTO items ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                                      tuple(row.values()))
                    self._track_deadlines(item, now, run_id, new=True)
                elif old[0] != row["content_hash"]:
                    reason = judge_update({"title": old[2], "lead": old[3], "body": old[4]}, row)
                    held_since = datetime.fromisoformat(old[9]) if old[9] else None
                    if reason is None or held_long_enough(reason, old[8], held_since, row["content_hash"], now):
                        row.update(held_hash=None, held_since=None, held_reason=None)
                        self._new_version(row, old, item, seen_at, run_id)
                        self._track_deadlines(item, now, run_id)
                        outcome = "updated"
                    else:
                        self._hold(row["id"], row["content_hash"], old[8], reason, seen_at)
                        held.append((item["source"], reason, row["id"]))
                        outcome = "held"
                if outcome == "unchanged" and old is not None and old[0] == row["content_hash"] and old[8]:
                    # the stored text came back: a text held back before is no longer pending
                    self.conn.execute("UPDATE items SET held_hash = NULL, held_since = NULL, held_reason = NULL "
                                      "WHERE id = ?", (row["id"],))
                if outcome == "held":
                    outcome = "unchanged"
                else:
                    stored_as[item["id"]] = row["id"]
                counts[outcome] += 1
                if outcome != "new":   # a new row was inserted seen, present and not withdrawn
                    self._seen(row["id"], seen_at, run_id)
                for url in {item["url"], *(item.get("urls") or ())}:
                    self.conn.execute("INSERT OR IGNORE INTO item_urls (url, item_id, first_seen) VALUES (?,?,?)",
                                      (url, row["id"], seen_at))
                for target in item.get("related") or ():
                    self._link(row["id"], target, "related", seen_at)
                if twin is None:   # the item's language versions (sotevahti.translations)
                    self.link_translations(row["id"], item.get("language"), {item["url"], *(item.get("urls") or ())},
                                           item.get("translations"), seen_at)
                if item.get("api_deadlines") and twin is None:
                    self.sync_item_deadlines(row["id"], api_deadlines(item), now, run_id, origin="api")
            self._write_validators([v for v in validators if v.item_id in stored_as], stored_as, seen_at)
        return UpsertResult(**counts, held=tuple(held))

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
        where = "WHERE relevant = 1" if relevant_only else ""
        return [r[0] for r in self.conn.execute(f"SELECT DISTINCT {column} FROM items {where} ORDER BY 1") if r[0]]

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

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check``: ``"ok"`` when the file is sound."""
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])

    # -- helpers ------------------------------------------------------------------------

    def _twin_of(self, row: Mapping[str, Any]) -> str | None:
        joined = self.conn.execute("SELECT item_id FROM item_links WHERE target_id = ? AND relation = 'duplicate' "
                                   "ORDER BY first_seen, item_id LIMIT 1", (row["id"],)).fetchone()
        if joined:
            return str(joined[0])
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

    def _hold(self, item_id: str, new_hash: str, held_hash: str | None, reason: str, seen_at: str) -> None:
        """Remember a suspect text (not stored) so that reading it again a day later can confirm it."""
        if held_hash == new_hash:
            return
        self.conn.execute("UPDATE items SET held_hash = ?, held_since = ?, held_reason = ? WHERE id = ?",
                          (new_hash, seen_at, reason, item_id))

    def _seen(self, item_id: str, seen_at: str, run_id: int | None) -> None:
        """The item's page was read: it is not missing, and if it was withdrawn it is back."""
        self.conn.execute(
            "UPDATE items SET last_seen = ?, last_run = ?, missing_since = NULL, missing_status = NULL, "
            "restored_at = CASE WHEN removed_at IS NULL THEN restored_at ELSE ? END, "
            "removed_at = NULL, removed_status = NULL, removed_run = NULL WHERE id = ?",
            (seen_at, run_id, seen_at, item_id))

    def _link(self, item_id: str, target_id: str, relation: str, seen_at: str) -> None:
        self.conn.execute("INSERT OR IGNORE INTO item_links (item_id, target_id, relation, first_seen) "
                          "VALUES (?,?,?,?)", (item_id, target_id, relation, seen_at))

    def _track_deadlines(self, item: Mapping[str, Any], now: datetime, run_id: int | None,
                         new: bool = False) -> None:
        # Read with the item's own publication day as the reference for year-less dates; a text
        # with no date form anywhere has no deadline, and the extractor is skipped for it (its
        # stored deadlines, if any, are still matched against "none": a deleted one is withdrawn).
        text = "\n".join((item["title"], item.get("lead") or "", item.get("body") or ""))
        if new and not may_hold_deadline(text):
            return   # a new item has nothing stored to withdraw either
        found = item_deadlines(item["title"], item.get("lead") or "", item.get("body") or "",
                               item["published"], item.get("language")) if may_hold_deadline(text) else []
        self.sync_item_deadlines(item["id"], found, now, run_id)

    def _row(self, item: Mapping[str, Any], seen_at: str, run_id: int | None) -> dict[str, Any]:
        return {
            "id": item["id"], "url": item["url"], "source": item["source"],
            "organisation": item["organisation"], "region": item["region"], "type": item.get("type") or None,
            "language": item.get("language"), "title": item["title"], "published": utc_iso(item["published"]),
            "lead": item.get("lead") or "", "body": item.get("body") or "",
            "tags": _json_list(item.get("tags")),
            "attachments": _json_list([dict(a) for a in item.get("attachments") or []]),
            "content_hash": content_hash(item), "relevant": int(bool(item["relevant"])),
            "topic_terms": _json_list(item.get("topic_terms")),
            "first_seen": seen_at, "last_seen": seen_at, "first_run": run_id, "last_run": run_id,
            "kind": item.get("kind") or "announcement", "external_id": item.get("external_id"),
            "register_number": item.get("register_number"), "dedup_key": dedup_key(item),
            "on_consultation": int(says_on_consultation(item["title"], item.get("lead"), item.get("body"))),
        }

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


def _json_list(values: Iterable[Any] | None) -> str:
    """A list as JSON text (``[]`` without calling the encoder, the common case)."""
    items = list(values or ())
    return json.dumps(items, ensure_ascii=False) if items else "[]"
