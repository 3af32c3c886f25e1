"""Querying the stored history: full-text search, deadlines, an item's versions, exports.

Plain functions over a :class:`~sotevahti.store.Store`, so the CLI commands ``search``,
``deadlines``, ``history`` and ``export`` stay thin and their JSON stays stable.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, TextIO

from .dates import HELSINKI
from .diff import Diff
from .store import Store
from .tracking import days_left
from .translations import deadlines_once

EXPORTABLE = ("items", "item_urls", "item_versions", "item_links", "deadlines", "deadline_events", "runs",
              "rejections", "source_health", "alarms")


class QueryError(ValueError):
    """A search query FTS5 cannot read (an unbalanced quote, an operator with nothing to join)."""


_FTS_TOKEN = re.compile(r'"[^"]*"\*?|[()]|[^\s()"]+|"')
_FTS_OPERATORS = frozenset({"OR", "AND", "NOT"})


def fts_query(text: str) -> str:
    """The FTS5 MATCH expression for a user's query.

    Words are quoted, so punctuation (``sote-uudistus``, ``3.11.``) never becomes FTS syntax, and
    every word must occur. FTS5's own syntax works when given: ``OR``, ``AND``, ``NOT`` (in
    capitals), ``"exact phrases"``, ``(groups)`` and ``prefix*``.

    >>> fts_query('sote OR "hyvinvointialueiden rahoitus" sote-uudistus*')
    '"sote" OR "hyvinvointialueiden rahoitus" "sote-uudistus"*'
    >>> fts_query('"sote AND')
    Traceback (most recent call last):
    ...
    sotevahti.query.QueryError: unbalanced quote in the query: '"sote AND'
    """
    parts = []
    for token in _FTS_TOKEN.findall(text):
        if token == '"':
            raise QueryError(f"unbalanced quote in the query: {text!r}")
        if token in _FTS_OPERATORS or token in "()" or token.startswith('"'):
            parts.append(token)
        elif token.strip("*"):
            prefix = "*" if token.endswith("*") else ""
            parts.append('"' + token.rstrip("*").replace('"', '""') + '"' + prefix)
    return " ".join(parts)


def search(store: Store, query: str, *, region: str | None = None, since: date | None = None,
           kind: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """Items matching ``query`` (see :func:`fts_query`: every word must occur, FTS5 operators
    work), best first. Each row carries a ``snippet`` with the hits in [brackets].

    :raises QueryError: when FTS5 cannot read the query; the message says why.

    >>> # search(store, "hyvinvointialueiden rahoitus", region="08", since=date(2025, 1, 1))
    >>> # search(store, "sote OR rahoitus NOT lausunto*")
    """
    match = fts_query(query)
    if not match:
        return []
    where, params = ["items_fts MATCH ?"], [match]
    if region:
        where.append("i.region = ?")
        params.append(region)
    if kind:
        where.append("i.kind = ?")
        params.append(kind)
    if since:
        where.append("i.published >= ?")
        params.append(datetime.combine(since, datetime.min.time(), HELSINKI).isoformat())
    sql = ("SELECT i.id, i.title, i.url, i.published, i.source, i.organisation, i.region, i.kind, i.language, "
           "snippet(items_fts, -1, '[', ']', '…', 12) AS snippet, bm25(items_fts) AS rank "
           "FROM items_fts JOIN items i ON i.rowid = items_fts.rowid "
           f"WHERE {' AND '.join(where)} ORDER BY rank LIMIT ?")
    try:
        return [dict(r) for r in store.db.query(sql, [*params, limit])]
    except sqlite3.OperationalError as e:
        raise QueryError(f"cannot read the query {query!r}: {e}") from None


def deadline_list(store: Store, now: datetime, *, upcoming: bool = False, closed: bool = False,
                  region: str | None = None) -> list[dict[str, Any]]:
    """Deadlines of relevant items with ``days_left`` at ``now``: soonest first.

    A release's deadline is listed once, however many language versions state it.
    ``upcoming`` keeps open and extended ones from today on; ``closed`` keeps closed ones, newest first.
    """
    today = now.astimezone(HELSINKI).date()
    rows = deadlines_once(store, store.deadline_rows(relevant_only=True, since=today if upcoming else None))
    out = []
    for r in rows:
        if upcoming and r["status"] == "closed":
            continue
        if closed and r["status"] != "closed":
            continue
        if region and r["region"] != region:
            continue
        out.append({
            "id": r["id"], "deadline": r["deadline"], "time": r["time"], "kind": r["kind"], "status": r["status"],
            "days_left": days_left(date.fromisoformat(r["deadline"]), now), "title": r["title"], "url": r["url"],
            "organisation": r["organisation"], "region": r["region"], "sentence": r["sentence"],
            "history": json.loads(r["history"] or "[]"), "item_id": r["item_id"],
        })
    return sorted(out, key=lambda d: d["deadline"], reverse=closed)


def resolve_item(store: Store, id_or_url: str) -> str | None:
    """An item id from an id or any URL the item was seen under."""
    if store.get_item(id_or_url) is not None:
        return id_or_url
    row = store.conn.execute("SELECT item_id FROM item_urls WHERE url = ?", (id_or_url,)).fetchone()
    return row[0] if row else None


def item_history(store: Store, id_or_url: str) -> dict[str, Any] | None:
    """An item with every version, oldest first: what each version said and what the next changed.

    :return: ``{"item": {...}, "versions": [{"version", "title", "seen_from", "until", "diff": {...}}], ...}``
        where the last version is the current one (``until`` null).
    """
    item_id = resolve_item(store, id_or_url)
    if item_id is None:
        return None
    item = store.get_item(item_id)
    assert item is not None
    versions = []
    for v in store.item_versions(item_id):
        diff = Diff.from_json(v.get("diff"))
        versions.append({"version": v["version"], "title": v["title"], "seen_from": v["seen_from"],
                         "until": v["superseded_at"], "body": v["body"],
                         "diff_to_next": {"added": list(diff.added), "removed": list(diff.removed),
                                          "links_added": list(diff.links_added),
                                          "links_removed": list(diff.links_removed)}})
    versions.append({"version": item["version"], "title": item["title"],
                     "seen_from": item.get("updated_at") or item["first_seen"], "until": None,
                     "body": item["body"], "diff_to_next": None})
    deadlines = [d for d in store.deadline_rows() if d["item_id"] == item_id]
    return {"item": {k: item[k] for k in ("id", "url", "urls", "title", "source", "organisation", "region", "kind",
                                          "published", "first_seen", "last_seen", "removed_at", "version")},
            "versions": versions,
            "deadlines": [{**{k: d[k] for k in ("id", "kind", "deadline", "time", "status")},
                           "history": json.loads(d["history"] or "[]")} for d in deadlines]}


def export_rows(store: Store, table: str) -> Iterator[dict[str, Any]]:
    """Every row of an exportable table, streamed; binary columns (compressed bodies) are unpacked."""
    if table not in EXPORTABLE:
        raise ValueError(f"cannot export {table!r} (choose one of {', '.join(EXPORTABLE)})")
    for row in store.db.query(f"SELECT * FROM {table}"):
        if "body_z" in row:
            from .store_history import unpack_body

            row["body"] = unpack_body(row["body"], row.pop("body_z"))
        yield row


def write_export(rows: Iterator[dict[str, Any]], fmt: str, out: TextIO) -> int:
    """Write rows as CSV (header from the first row) or as a JSON array; returns the count."""
    n = 0
    if fmt == "csv":
        writer: csv.DictWriter[str] | None = None
        for row in rows:
            if writer is None:
                # The default "\r\n" terminator makes the writer quote any field holding \r or \n.
                writer = csv.DictWriter(out, fieldnames=list(row))
                writer.writeheader()
            writer.writerow(row)
            n += 1
        return n
    out.write("[")
    for row in rows:
        out.write(("," if n else "") + "\n" + json.dumps(row, ensure_ascii=False, default=str))
        n += 1
    out.write("\n]\n")
    return n
