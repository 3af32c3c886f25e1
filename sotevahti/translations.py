"""Linked translations: the Finnish, Swedish and English versions of one release.

The government's Liferay sites publish a release in several languages under different slugs
(``https://stm.fi/-/1271139/sote-uudistuksen-lakiluonnokset-lausuntokierrokselle`` and
``https://stm.fi/sv/-/1271139/utkasten-till-lagar-om-social-och-halsovardsreformen-sands-pa-remiss``),
and each page names the others in ``<link rel="alternate" hreflang>``. Each language version
stays an item of its own, with its own permanent id (GUID); they are *linked*, never merged:

``item_alternates``    what a page claimed: item → (language, URL of the same release in it)
``item_translations``  the resolved links: item → ``release_key`` (the release's primary item) and its language

A claim is resolved in both directions when an item is stored: its alternate URLs are looked
up among the stored items' URLs, and the stored claims are looked up among its own URLs, so
the versions link whichever is crawled first. The *primary* version, whose GUID the combined
feeds use, is the one from the earliest crawl, and among versions of the same crawl the
Finnish one, then Swedish, then English: a release already published under one GUID keeps it
when a translation turns up later.

Outputs use the links so: the combined feeds (``feed.xml``, region, organisation and kind
feeds) and the web page's lists show one entry per release, the primary; each language feed
shows its own language's version; a deadline stated in every version is one calendar event.
An edit or withdrawal of a non-primary version shows in its own language's feed only. Other code
asks for a release's title in one language with :func:`title_in` (messages in the reader's language).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

#: The order in which a version becomes the release's primary (within one crawl).
LANGUAGE_RANK = {"fi": 0, "sv": 1, "en": 2}

TRANSLATIONS_SCHEMA = """
CREATE TABLE IF NOT EXISTS item_alternates (
    item_id TEXT NOT NULL, language TEXT NOT NULL, url TEXT NOT NULL, first_seen TEXT NOT NULL,
    PRIMARY KEY (item_id, language)
);
CREATE INDEX IF NOT EXISTS item_alternates_url ON item_alternates(url);
CREATE TABLE IF NOT EXISTS item_translations (
    item_id TEXT PRIMARY KEY, release_key TEXT NOT NULL, language TEXT NOT NULL, first_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS item_translations_release ON item_translations(release_key);
DELETE FROM http_validators WHERE item_id LIKE 'lr-%'
"""
# The last statement: stored Liferay articles never kept their alternates, so their pages are
# read in full (not answered with a 304) the next time they are re-checked, and linked then.

#: SQL condition (on ``items`` as ``{p}``) that hides a release's other language versions when
#: its primary is relevant, so a combined output lists the release once.
# CROSS JOIN keeps SQLite's join order (translations first, then the primary by its key): left to
# itself the planner scanned every item for the primary: 49 ms for a 50-entry feed query at 30,000
# items, against 4 ms without the condition and 4 ms now.
NOT_SECONDARY = ("{p}id NOT IN (SELECT t.item_id FROM item_translations t CROSS JOIN items p ON p.id = t.release_key "
                 "WHERE t.item_id != t.release_key AND p.relevant = 1)")


def _conn(store_or_conn: Any) -> sqlite3.Connection:
    """The connection of a :class:`~sotevahti.store.Store` (or a PublicView of one), or a connection."""
    if isinstance(store_or_conn, sqlite3.Connection):
        return store_or_conn
    inner = getattr(store_or_conn, "public_source", store_or_conn)
    return inner.conn


def release_of(store_or_conn: Any, item_id: str) -> list[dict[str, Any]]:
    """Every language version of the item's release, primary first; ``[]`` for an unlinked item.

    Each row: ``id``, ``language``, ``title``, ``url``, ``primary`` (bool).
    """
    conn = _conn(store_or_conn)
    rows = conn.execute(
        "SELECT i.id, t.language, i.title, i.url, t.item_id = t.release_key FROM item_translations t "
        "JOIN items i ON i.id = t.item_id WHERE t.release_key = "
        "(SELECT release_key FROM item_translations WHERE item_id = ?)", (item_id,)).fetchall()
    out = [{"id": r[0], "language": r[1], "title": r[2], "url": r[3], "primary": bool(r[4])} for r in rows]
    return sorted(out, key=lambda r: (not r["primary"], LANGUAGE_RANK.get(r["language"], 9), r["id"]))


def title_in(store_or_conn: Any, item_id: str, language: str) -> str:
    """The item's title in ``language``: its linked version's title when the release has one in
    that language, else the item's own title (``""`` for an unknown id).

    >>> title_in(store, "lr-3f1c…", "sv")   # doctest: +SKIP
    'Utkasten till lagar om social- och hälsovårdsreformen sänds på remiss'
    """
    for version in release_of(store_or_conn, item_id):
        if version["language"] == language:
            return str(version["title"])
    row = _conn(store_or_conn).execute("SELECT title FROM items WHERE id = ?", (item_id,)).fetchone()
    return str(row[0]) if row else ""


def release_keys(store_or_conn: Any, item_ids: Iterable[str]) -> dict[str, str]:
    """``{item id: release key}`` for the linked ones among ``item_ids`` (one query)."""
    ids = list(dict.fromkeys(item_ids))
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return dict(_conn(store_or_conn).execute(
        f"SELECT item_id, release_key FROM item_translations WHERE item_id IN ({marks})", ids).fetchall())


def one_per_release(rows: Sequence[Mapping[str, Any]], keys: Mapping[str, str],
                    fields: Sequence[str]) -> list[Mapping[str, Any]]:
    """Rows (deadlines or deadline events, each with ``item_id`` and ``language``) with the copies
    that other language versions of the same release hold removed: rows are the same when their
    release and ``fields`` agree; the primary's row is kept, else the best-ranked language's.
    Order is kept.

    >>> rows = [{"item_id": "sv1", "language": "sv", "deadline": "2026-12-08"},
    ...         {"item_id": "fi1", "language": "fi", "deadline": "2026-12-08"}]
    >>> [r["item_id"] for r in one_per_release(rows, {"sv1": "fi1", "fi1": "fi1"}, ["deadline"])]
    ['fi1']
    """
    best: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for row in rows:
        release = keys.get(row["item_id"], row["item_id"])
        key = (release, *(row.get(f) for f in fields))
        rank = (row["item_id"] != release, LANGUAGE_RANK.get(row.get("language") or "", 9), row["item_id"])
        held = best.get(key)
        if held is None or rank < (held["item_id"] != release, LANGUAGE_RANK.get(held.get("language") or "", 9),
                                   held["item_id"]):
            best[key] = row
    kept = {id(r) for r in best.values()}
    return [r for r in rows if id(r) in kept]


#: What makes two deadlines of one release's versions the same deadline, and two events the same event.
SAME_DEADLINE = ("kind", "deadline")
SAME_EVENT = ("event", "kind", "deadline", "old_deadline")


def deadlines_once(store_or_conn: Any, rows: Sequence[Mapping[str, Any]],
                   fields: Sequence[str] = SAME_DEADLINE) -> list[Mapping[str, Any]]:
    """Deadline rows (or, with :data:`SAME_EVENT`, deadline events) with each release's deadline
    once: the fi and sv versions of a call for applications both say "16.12.2026 klo 16.15", and
    the calendar gets one event, the primary's (see :func:`one_per_release`)."""
    return one_per_release(rows, release_keys(store_or_conn, [r["item_id"] for r in rows]), fields)


class TranslationStoreMixin:
    """The store's half that links language versions; mixed into :class:`sotevahti.store.Store`."""

    conn: sqlite3.Connection

    def link_translations(self, item_id: str, language: str | None, urls: Iterable[str],
                          alternates: Mapping[str, str] | None, seen_at: str) -> str | None:
        """Record an item's alternate-language URLs and link it with the stored versions they name,
        and with stored items whose claims name one of its ``urls``. Call it inside the upsert's
        transaction. Returns the release key, or ``None`` while the item has no linked version.
        """
        if not language:
            return None
        claims = {lang: url for lang, url in (alternates or {}).items() if lang != language and url}
        self.conn.executemany(
            "INSERT INTO item_alternates (item_id, language, url, first_seen) VALUES (?,?,?,?) "
            "ON CONFLICT(item_id, language) DO UPDATE SET url = excluded.url",
            [(item_id, lang, url, seen_at) for lang, url in sorted(claims.items())])
        partners: list[str] = []
        for url in claims.values():
            partners += [r[0] for r in self.conn.execute("SELECT item_id FROM item_urls WHERE url = ?", (url,))]
        for url in set(urls):
            partners += [r[0] for r in self.conn.execute("SELECT item_id FROM item_alternates WHERE url = ?", (url,))]
        members = self._release_members(item_id)
        for partner in dict.fromkeys(p for p in partners if p != item_id):
            group = self._release_members(partner)
            if set(group.values()) & set(members.values()):
                continue   # two versions in one language are not translations of each other
            members.update(group)
        if len(members) < 2:
            return None
        return self._write_release(members, seen_at)

    def language_versions(self, item_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """``{item id: its release's other language versions}`` (``id``, ``language``, ``title``,
        ``url``), for the linked ones among ``item_ids``; for the web page's language links."""
        keys = release_keys(self.conn, item_ids)
        if not keys:
            return {}
        marks = ",".join("?" * len(set(keys.values())))
        rows = self.conn.execute(
            "SELECT t.release_key, i.id, t.language, i.title, i.url FROM item_translations t "
            f"JOIN items i ON i.id = t.item_id WHERE t.release_key IN ({marks})", sorted(set(keys.values())))
        by_release: dict[str, list[dict[str, Any]]] = {}
        for key, vid, lang, title, url in rows:
            by_release.setdefault(key, []).append({"id": vid, "language": lang, "title": title, "url": url})
        return {item_id: sorted((v for v in by_release.get(key, []) if v["id"] != item_id),
                                key=lambda v: LANGUAGE_RANK.get(v["language"], 9))
                for item_id, key in keys.items()}

    def _release_members(self, item_id: str) -> dict[str, str]:
        """``{item id: language}`` of the item's release (just the item when it is unlinked)."""
        rows = self.conn.execute(
            "SELECT item_id, language FROM item_translations WHERE release_key = "
            "(SELECT release_key FROM item_translations WHERE item_id = ?)", (item_id,)).fetchall()
        if rows:
            return dict(rows)
        own = self.conn.execute("SELECT language FROM items WHERE id = ?", (item_id,)).fetchone()
        return {item_id: own[0]} if own and own[0] else {}

    def _write_release(self, members: Mapping[str, str], seen_at: str) -> str:
        marks = ",".join("?" * len(members))
        runs = dict(self.conn.execute(f"SELECT id, first_run FROM items WHERE id IN ({marks})", list(members)))
        primary = min(members, key=lambda i: (runs.get(i) or 0, LANGUAGE_RANK.get(members[i], 9), i))
        self.conn.executemany(
            "INSERT INTO item_translations (item_id, release_key, language, first_seen) VALUES (?,?,?,?) "
            "ON CONFLICT(item_id) DO UPDATE SET release_key = excluded.release_key",
            [(i, primary, lang, seen_at) for i, lang in sorted(members.items())])
        return primary
