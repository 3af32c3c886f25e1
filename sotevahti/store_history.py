"""The history half of the store: earlier versions, removed items, re-check bookkeeping, pruning.

Mixed into :class:`sotevahti.store.Store`. A superseded version keeps its diff against the
version that replaced it; bodies above :data:`COMPRESS_ABOVE` bytes are stored zlib-compressed,
because old versions are read rarely and a county site's long pages add up.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from .diff import diff_versions
from .tracking import utc_iso
from .translations import NOT_SECONDARY
from .trust import removal_confirmed

COMPRESS_ABOVE = 2048

#: Versions the edit walk reads at first; it reads four times as many while a filter lacks edits.
EDIT_WALK_FIRST = 256
#: The order of :meth:`HistoryStoreMixin.latest_changes` (versions newest first, ``CROSS JOIN``
#: keeping them the outer loop); the rowid makes it total when one item changed twice at once.
_EDIT_ORDER = "ORDER BY v.superseded_at DESC, i.id, v.rowid"
#: The columns feeds filter items and edits on (in the order :meth:`HistoryStoreMixin._edit_walk` reads them).
FILTER_COLUMNS = ("region", "organisation", "kind", "language", "source")


def _edit_filter(relevant_only: bool, filters: Mapping[str, str] | None) -> Callable[[tuple[Any, ...]], bool]:
    """Whether a row of the edit walk passes what ``Store._filters`` would ask of its item; the
    columns are looked up once, not per walked row."""
    filters = filters or {}
    for column in filters:
        if column not in FILTER_COLUMNS:
            raise ValueError(f"not a filterable column: {column}")
    wanted = [(3 + FILTER_COLUMNS.index(column), value) for column, value in filters.items()]
    any_language = "language" in filters   # one entry per release, unless a language is asked for

    def matches(walked: tuple[Any, ...]) -> bool:
        return ((not relevant_only or walked[1] == 1) and all(walked[i] == value for i, value in wanted)
                and (any_language or bool(walked[2])))
    return matches


def pack_body(body: str | None) -> tuple[str | None, bytes | None]:
    """``(body, None)`` for short texts, ``(None, zlib bytes)`` for long ones."""
    if body is None or len(body.encode()) <= COMPRESS_ABOVE:
        return body, None
    return None, zlib.compress(body.encode(), 9)


def unpack_body(body: str | None, body_z: bytes | None) -> str | None:
    """Inverse of :func:`pack_body`."""
    return zlib.decompress(body_z).decode() if body_z is not None else body


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    """An items row with its JSON list columns (``tags``, ``attachments``, ``topic_terms``) decoded."""
    for key in ("tags", "attachments", "topic_terms"):
        if isinstance(row.get(key), str):
            row[key] = json.loads(row[key] or "[]")
    return row


class HistoryStoreMixin:
    """Versions, removals and pruning; needs ``self.conn``, ``self.db`` and ``self.atomic()``."""

    conn: sqlite3.Connection
    db: sqlite_utils.Database

    def item_versions(self, item_id: str) -> list[dict[str, Any]]:
        """Earlier versions of an item, oldest first."""
        rows = list(self.db.query("SELECT * FROM item_versions WHERE item_id = ? ORDER BY version", [item_id]))
        for row in rows:
            row["body"] = unpack_body(row["body"], row.pop("body_z"))
        return rows

    def latest_changes(self, limit: int = 50, *, relevant_only: bool = True,
                       filters: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        """The newest edits of stored items: the item as it is now plus the version it replaced.

        Each row has the item's fields and ``new_version``, ``changed_at`` and ``diff`` (JSON),
        newest edit first (then by item id). The edits are picked from :meth:`_edit_walk`, which
        one rebuild of the feeds shares, and only the ``limit`` picked rows are read whole.
        """
        depth, matches = EDIT_WALK_FIRST, _edit_filter(relevant_only, filters)
        while True:
            walked, complete = self._edit_walk(depth)
            picked = [row[0] for row in walked if matches(row)][:limit]
            if len(picked) >= limit or complete:
                break
            depth *= 4
        if not picked:
            return []
        marks = ",".join("?" * len(picked))
        rows = self.db.query(
            "SELECT i.*, v.version + 1 AS new_version, v.superseded_at AS changed_at, v.diff, v.title AS old_title "
            f"FROM item_versions v CROSS JOIN items i ON i.id = v.item_id WHERE v.rowid IN ({marks}) "
            f"{_EDIT_ORDER}", picked)
        return [_decoded(r) for r in rows]

    def _edit_walk(self, depth: int) -> tuple[list[tuple[Any, ...]], bool]:
        """The newest ``depth`` (or more) versions as ``(rowid, relevant, primary, region, organisation,
        kind, language, source)``, and whether that is all of them.

        A rebuild asks for the edits of some 60 filters (each region, organisation, kind and
        language, for the feeds and the web page). Walking the versions once and filtering here
        costs one walk; a walk per filter cost 0.3 s of a rebuild at 100,000 items (each walked
        item's row is read past its body to reach ``relevant`` and ``kind``). The walk is kept
        until this connection writes or another one commits.
        """
        state = (self.conn.total_changes, self.conn.execute("PRAGMA data_version").fetchone()[0])
        memo = getattr(self, "_edit_walk_memo", None)
        if memo is not None and memo[0] == state and (memo[2] or len(memo[1]) >= depth):
            return memo[1], memo[2]
        walked = self.conn.execute(
            f"SELECT v.rowid, i.relevant, {NOT_SECONDARY.format(p='i.')}, i.{', i.'.join(FILTER_COLUMNS)} "
            f"FROM item_versions v CROSS JOIN items i ON i.id = v.item_id {_EDIT_ORDER} LIMIT ?", (depth,)).fetchall()
        self._edit_walk_memo = (state, walked, len(walked) < depth)
        return walked, len(walked) < depth

    def _new_version(self, row: dict[str, Any], old: tuple[Any, ...], item: Mapping[str, Any], seen_at: str,
                     run_id: int | None) -> None:
        # old = (content_hash, version, title, lead, body, attachments, first_seen, updated_at)
        change = diff_versions(old[4], row["body"], json.loads(old[5] or "[]"), item.get("attachments") or [])
        body, body_z = pack_body(old[4])
        self.db["item_versions"].insert({
            "item_id": row["id"], "version": old[1], "title": old[2], "lead": old[3], "body": body, "body_z": body_z,
            "attachments": old[5], "content_hash": old[0], "seen_from": old[7] or old[6],
            "superseded_at": seen_at, "superseded_by_run": run_id, "diff": change.to_json(),
        })
        keep = ["source", "first_seen", "first_run"]
        if row["kind"] == "page":
            keep.append("published")  # a watched page's "published" is when we first saw it
        for key in keep:
            row.pop(key)
        row.update(version=old[1] + 1, updated_at=seen_at)
        self.db["items"].update(row["id"], row)

    def known_items(self, sources: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Every URL of the sources' stored items, with what re-check scheduling needs.

        :return: ``{url: {"id", "source", "canonical", "published", "last_seen", "removed_at", "kind"}}``
            with times as aware datetimes; ``canonical`` is true for the item's own URL.
        """
        ids = list(sources)
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            "SELECT u.url, i.id, i.source, u.url = i.url, i.published, i.last_seen, i.removed_at, i.kind "
            f"FROM item_urls u JOIN items i ON i.id = u.item_id WHERE i.source IN ({marks})", ids)
        return {url: {"id": iid, "source": src, "canonical": bool(canon), "published": datetime.fromisoformat(pub),
                      "last_seen": datetime.fromisoformat(seen), "removed_at": removed, "kind": kind}
                for url, iid, src, canon, pub, seen, removed, kind in rows}

    def record_missing(self, item_id: str, status: int, now: datetime, run_id: int | None = None) -> str:
        """A known item's page answered 404 or 410 at ``now``.

        The first such answer only notes when the page went missing; a second one at least a
        day later (:func:`sotevahti.trust.removal_confirmed`) marks the item removed, so one
        transient 404 publishes nothing. Reading the page again in between clears the note.

        :return: ``"missing"`` (first answer, or a second one too soon), ``"removed"`` (newly
            removed) or ``"already_removed"``.
        """
        row = self.conn.execute("SELECT missing_since, removed_at FROM items WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            return "missing"
        if row[1] is not None:
            return "already_removed"
        since = datetime.fromisoformat(row[0]) if row[0] else None
        if removal_confirmed(since, now):
            return "removed" if self.mark_removed(item_id, status, now, run_id) else "already_removed"
        if since is None:
            with self.atomic():  # type: ignore[attr-defined]
                self.conn.execute("UPDATE items SET missing_since = ?, missing_status = ? WHERE id = ?",
                                  (utc_iso(now), status, item_id))
        return "missing"

    def mark_removed(self, item_id: str, status: int, now: datetime, run_id: int | None = None) -> bool:
        """Mark an item withdrawn (its page answers 404 or 410). It is never deleted.

        :return: whether the item was newly marked (a second 404 changes nothing).
        """
        with self.atomic():  # type: ignore[attr-defined]
            cur = self.conn.execute(
                "UPDATE items SET removed_at = ?, removed_status = ?, removed_run = ?, removals = removals + 1 "
                "WHERE id = ? AND removed_at IS NULL", (utc_iso(now), status, run_id, item_id))
            return cur.rowcount == 1

    def latest_removals(self, limit: int = 50, *, relevant_only: bool = True,
                        filters: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        """Items that were withdrawn, newest first."""
        where, params = self._filters(filters, relevant_only, prefix="")  # type: ignore[attr-defined]
        where = (where + " AND " if where else "WHERE ") + "removed_at IS NOT NULL"
        sql = f"SELECT * FROM items INDEXED BY items_removed {where} ORDER BY removed_at DESC LIMIT ?"
        return [_decoded(r) for r in self.db.query(sql, [*params, limit])]

    def prune_versions(self, older_than_days: int, now: datetime) -> int:
        """Delete superseded versions older than ``older_than_days``; the current version (in
        ``items``) is never touched. Returns how many versions went.
        """
        cutoff = utc_iso(now - timedelta(days=older_than_days))
        with self.atomic():  # type: ignore[attr-defined]
            cur = self.conn.execute("DELETE FROM item_versions WHERE superseded_at < ?", (cutoff,))
        return cur.rowcount

    def database_size(self) -> int:
        """Bytes used by the database file (pages × page size, WAL not included)."""
        pages = self.conn.execute("PRAGMA page_count").fetchone()[0]
        return int(pages * self.conn.execute("PRAGMA page_size").fetchone()[0])
