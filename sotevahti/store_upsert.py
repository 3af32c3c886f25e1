"""Storing items: the batched upsert behind :meth:`sotevahti.store.Store.upsert_items`.

Mixed into :class:`sotevahti.store.Store`. A batch is one transaction, written in rounds: one
query per table finds what is stored for every item of the round (its row, a duplicate link, the
owner of its URL, a release with the same dedup key), Python decides per item exactly as a
one-by-one upsert would, and the new rows, URLs and links go in with ``executemany``. An item
that shares an id, a URL or a dedup key with an earlier item of the same batch (or would join
an item the round is writing) waits for the next round, which queries again after the earlier
one is written, so every decision sees what the items before it wrote.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from .dates import HELSINKI
from .deadline_gate import may_hold_deadline
from .schema import validate_item
from .store_http import Validator, says_on_consultation
from .tracking import FoundDeadline, item_deadlines, utc_iso
from .trust import held_long_enough, judge_update
from .xmlsafe import storable

_CONTENT_FIELDS = ("title", "lead", "body")
#: The stored columns a decision reads, in the order ``_new_version`` expects them after ``id``.
_OLD_COLUMNS = ("id, content_hash, version, title, lead, body, attachments, first_seen, updated_at, "
                "held_hash, held_since")
#: Values per ``IN (…)`` query (SQLite builds before 3.32 allow 999 parameters).
_CHUNK = 500


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
    """Hash of what a reader sees: title, lead, body and the attachment URLs.

    It is the SHA-256 of ``json.dumps([title, lead, body, sorted attachment URLs],
    ensure_ascii=False)`` in UTF-8: every stored hash was made that way, and a different byte
    would make every stored item look edited. The JSON is built here from the UTF-8 bytes (see
    :func:`_json_string_utf8`), which is a third of the cost of the encoder for a 7 KB body.
    """
    urls = sorted(a["url"] for a in item.get("attachments") or ())
    parts = [_json_string_utf8(item.get(k) or "") for k in _CONTENT_FIELDS]
    parts.append(json.dumps(urls, ensure_ascii=False).encode() if urls else b"[]")
    return hashlib.sha256(b"[" + b", ".join(parts) + b"]").hexdigest()


#: Bytes that ``json.dumps`` writes escaped in a string (other than the newline, done below).
_JSON_ESCAPED = bytes((*range(0x00, 0x0a), *range(0x0b, 0x20), 0x22, 0x5c))


def _json_string_utf8(text: str) -> bytes:
    """``json.dumps(text, ensure_ascii=False).encode()``, with a fast path for the usual text.

    A text whose only escaped character is the newline (no quote, backslash or other control
    character) is the same bytes with each newline written ``\\n``; bytes-level searches are
    far cheaper than the encoder's character loop over a text with ä and ö in it.

    >>> _json_string_utf8('Lausuntoaika päättyy 15.1.2027.\\n\\nLisätietoja') == json.dumps(
    ...     'Lausuntoaika päättyy 15.1.2027.\\n\\nLisätietoja', ensure_ascii=False).encode()
    True
    """
    raw = text.encode()
    if len(raw.translate(None, _JSON_ESCAPED)) != len(raw):
        return json.dumps(text, ensure_ascii=False).encode()
    return b'"' + raw.replace(b"\n", b"\\n") + b'"'


def item_row(item: Mapping[str, Any], seen_at: str, run_id: int | None) -> dict[str, Any]:
    """The ``items`` row of a new item first read at ``seen_at`` (UTC ISO) in run ``run_id``."""
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


def _json_list(values: Iterable[Any] | None) -> str:
    """A list as JSON text (``[]`` without calling the encoder, the common case)."""
    items = list(values or ())
    return json.dumps(items, ensure_ascii=False) if items else "[]"


def _urls_of(item: Mapping[str, Any]) -> list[str]:
    return list(dict.fromkeys((item["url"], *(item.get("urls") or ()))))


@dataclass
class _Stored:
    """What the database holds for one round's items, read with one query per table."""

    old: dict[str, tuple[Any, ...]] = field(default_factory=dict)   # id -> (content_hash, …, held_since)
    joined: dict[str, str] = field(default_factory=dict)            # id -> the item it joined as a duplicate
    url_owner: dict[str, str] = field(default_factory=dict)         # url -> item id
    url_source: dict[str, str] = field(default_factory=dict)        # url -> the owner's source
    aliased: dict[str, str] = field(default_factory=dict)           # id -> the item it joined as an alias
    by_key: dict[str, list[str]] = field(default_factory=dict)      # dedup key -> ids, first seen first

    def twin(self, row: Mapping[str, Any]) -> str | None:
        """The stored item a new row is a copy of: joined before, same URL, or same release."""
        if row["id"] in self.joined:
            return self.joined[row["id"]]
        # A URL is one page: an item under a new id whose URL another item already has is that item
        # (else the new item would be stored without a URL of its own).
        owner = self.url_owner.get(row["url"])
        if owner is not None and owner != row["id"]:
            return owner
        return next((i for i in self.by_key.get(row.get("dedup_key") or "", ()) if i != row["id"]), None)


@dataclass
class _Writes:
    """One round's rows, written with ``executemany`` once every item is decided."""

    inserts: list[dict[str, Any]] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    unhold: list[str] = field(default_factory=list)
    urls: list[tuple[str, str, str]] = field(default_factory=list)
    links: list[tuple[str, str, str, str]] = field(default_factory=list)
    #: (item, new?) whose text deadlines are tracked; (stored id, item) whose API deadlines are synced
    texts: list[tuple[Mapping[str, Any], bool]] = field(default_factory=list)
    apis: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    #: (stored id, language, URLs, alternate-language URLs) of items whose language versions are linked
    translations: list[tuple[str, str | None, set[str], Mapping[str, str] | None]] = field(default_factory=list)


class UpsertStoreMixin:
    """The item upsert; needs the Store's ``conn``, ``atomic()``, ``_seen``, ``_new_version`` and
    ``sync_item_deadlines``."""

    conn: sqlite3.Connection

    def upsert_items(self, items: Iterable[Mapping[str, Any]], run_id: int | None, now: datetime,
                     validators: Sequence[Validator] = ()) -> UpsertResult:
        """Store a batch of items in one transaction.

        A new id is inserted, unless it is the same release as a stored item from another source
        (same title, publication day and organisation: a county release copied to sttinfo.fi) or
        has a URL a stored item already has; then its URLs are added to the stored item, and its
        id joins that item for good, even after the county corrects the title. A known id whose
        content hash changed is updated, and its previous content goes to ``item_versions`` with
        a diff; ``id``, ``source`` and ``first_seen`` never change. New content that looks
        damaged (see :func:`sotevahti.trust.judge_update`) is held back instead and reported in
        ``held``. Reading an item clears a pending 404 and restores a withdrawn item. Every URL
        the item was seen under is recorded, links to related items are kept, the deadlines in a
        new or changed item's text are tracked, and authoritative ``api_deadlines`` are synced.
        The result is the same as upserting the items one by one, in order.

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
        pending = [(item, item_row(item, seen_at, run_id)) for item in batch]
        with self.atomic():  # type: ignore[attr-defined]
            while pending:
                stored = self._stored(pending)
                if self._same_pages(pending, stored, seen_at):  # type: ignore[attr-defined]
                    stored = self._stored(pending)   # rare: a page stored under an older id
                this_round, pending = _independent(pending, stored)
                writes = _Writes()
                for item, row in this_round:
                    outcome = self._decide(item, row, stored, writes, now, seen_at, run_id, held)
                    if outcome != "held":
                        stored_as[item["_given"]] = row["id"]
                    counts["unchanged" if outcome == "held" else outcome] += 1
                self._write(writes, now, seen_at, run_id)
            self._write_validators(  # type: ignore[attr-defined]
                [v for v in validators if v.item_id in stored_as], stored_as, seen_at)
        return UpsertResult(**counts, held=tuple(held))

    def _decide(self, item: Mapping[str, Any], row: dict[str, Any], stored: _Stored, writes: _Writes,
                now: datetime, seen_at: str, run_id: int | None, held: list[tuple[str, str, str]]) -> str:
        """One item's outcome (``new``, ``updated``, ``unchanged``, ``duplicates`` or ``held``); an
        edit is written at once (rare), everything else is queued in ``writes``."""
        old = stored.old.get(row["id"])
        twin = stored.twin(row) if old is None else None
        outcome = "duplicates" if twin is not None else "new" if old is None else "unchanged"
        if twin is not None:
            row["id"] = twin
            writes.links.append((twin, item["_given"], "duplicate", seen_at))
        elif old is None:
            writes.inserts.append(row)
            writes.texts.append((item, True))
        elif old[0] != row["content_hash"]:
            reason = judge_update({"title": old[2], "lead": old[3], "body": old[4]}, row)
            held_since = datetime.fromisoformat(old[9]) if old[9] else None
            if reason is None or held_long_enough(reason, old[8], held_since, row["content_hash"], now):
                row.update(held_hash=None, held_since=None, held_reason=None)
                self._new_version(row, old, item, seen_at, run_id)  # type: ignore[attr-defined]
                writes.texts.append((item, False))
                outcome = "updated"
            else:
                if old[8] != row["content_hash"]:
                    # remember the suspect text (not stored), so reading it again a day later can confirm it
                    self.conn.execute("UPDATE items SET held_hash = ?, held_since = ?, held_reason = ? "
                                      "WHERE id = ?", (row["content_hash"], seen_at, reason, row["id"]))
                held.append((item["source"], reason, row["id"]))
                outcome = "held"
        elif old[8]:
            writes.unhold.append(row["id"])   # the stored text came back: nothing held back is pending
        if outcome != "new":   # a new row is inserted seen, present and not withdrawn
            writes.seen.append(row["id"])
        writes.urls.extend((url, row["id"], seen_at) for url in _urls_of(item))
        writes.links.extend((row["id"], target, "related", seen_at) for target in item.get("related") or ())
        if twin is None:   # the item's language versions (sotevahti.translations)
            writes.translations.append((row["id"], item.get("language"), {item["url"], *(item.get("urls") or ())},
                                        item.get("translations")))
        if item.get("api_deadlines") and twin is None:
            writes.apis.append((row["id"], item))
        return outcome

    def _write(self, writes: _Writes, now: datetime, seen_at: str, run_id: int | None) -> None:
        """Write one decided round, in the order a one-by-one upsert writes each item."""
        if writes.inserts:
            columns = list(writes.inserts[0])
            self.conn.executemany(
                f"INSERT INTO items ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [tuple(r[c] for c in columns) for r in writes.inserts])
        for item, new in writes.texts:
            self._track_deadlines(item, now, run_id, new=new)
        self.conn.executemany("UPDATE items SET held_hash = NULL, held_since = NULL, held_reason = NULL "
                              "WHERE id = ?", [(i,) for i in writes.unhold])
        self._seen(writes.seen, seen_at, run_id)  # type: ignore[attr-defined]
        self.conn.executemany("INSERT OR IGNORE INTO item_urls (url, item_id, first_seen) VALUES (?,?,?)",
                              writes.urls)
        self.conn.executemany("INSERT OR IGNORE INTO item_links (item_id, target_id, relation, first_seen) "
                              "VALUES (?,?,?,?)", writes.links)
        self._link_translations(writes.translations, seen_at)
        for item_id, item in writes.apis:
            self.sync_item_deadlines(item_id, api_deadlines(item), now, run_id,  # type: ignore[attr-defined]
                                     origin="api")

    def _link_translations(self, entries: Sequence[tuple[str, str | None, set[str], Mapping[str, str] | None]],
                           seen_at: str) -> None:
        """Link the round's items with their language versions. Most items name no translation and
        are named by none (one query for the round tells), and are skipped."""
        unclaimed = {url for _id, lang, urls, alternates in entries if lang and not _claims(lang, alternates)
                     for url in urls}
        named: set[str] = set()
        for chunk in _chunks(sorted(unclaimed)):
            named.update(r[0] for r in self.conn.execute(
                f"SELECT url FROM item_alternates WHERE url IN ({','.join('?' * len(chunk))})", chunk))
        for item_id, language, urls, alternates in entries:
            if language and (_claims(language, alternates) or urls & named):
                self.link_translations(item_id, language, urls, alternates, seen_at)  # type: ignore[attr-defined]

    def _stored(self, pending: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]]) -> _Stored:
        """Every stored fact the decisions on ``pending`` read, one query per table and chunk."""
        out = _Stored()
        ids = list(dict.fromkeys(row["id"] for _item, row in pending))
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for r in self.conn.execute(f"SELECT {_OLD_COLUMNS} FROM items WHERE id IN ({marks})", chunk):
                out.old[r[0]] = tuple(r[1:])
            for target, item_id, relation in self.conn.execute(
                    f"SELECT target_id, item_id, relation FROM item_links WHERE relation IN ('duplicate', 'alias') "
                    f"AND target_id IN ({marks}) ORDER BY first_seen DESC, item_id DESC", chunk):
                # the last write wins: the first joined, by time and id
                (out.joined if relation == "duplicate" else out.aliased)[target] = item_id
        urls = list(dict.fromkeys(row["url"] for _item, row in pending))
        for chunk in _chunks(urls):
            for url, item_id, source in self.conn.execute(
                    "SELECT u.url, u.item_id, i.source FROM item_urls u JOIN items i ON i.id = u.item_id "
                    f"WHERE u.url IN ({','.join('?' * len(chunk))})", chunk):
                out.url_owner[url] = item_id
                out.url_source[url] = source
        keys = list(dict.fromkeys(row["dedup_key"] for _item, row in pending if row["dedup_key"]))
        for chunk in _chunks(keys):
            for key, item_id in self.conn.execute(
                    f"SELECT dedup_key, id FROM items WHERE dedup_key IN ({','.join('?' * len(chunk))}) "
                    "ORDER BY first_seen, rowid", chunk):
                out.by_key.setdefault(key, []).append(item_id)
        return out

    def _track_deadlines(self, item: Mapping[str, Any], now: datetime, run_id: int | None,
                         new: bool = False) -> None:
        # Read with the item's own publication day as the reference for year-less dates; a text
        # with no date form anywhere has no deadline, and the extractor is skipped for it (its
        # stored deadlines, if any, are still matched against "none": a deleted one is withdrawn).
        text = "\n".join((item["title"], item.get("lead") or "", item.get("body") or ""))
        if not may_hold_deadline(text):
            if not new:   # a new item has nothing stored to withdraw
                self.sync_item_deadlines(item["id"], [], now, run_id)  # type: ignore[attr-defined]
            return
        found = item_deadlines(item["title"], item.get("lead") or "", item.get("body") or "",
                               item["published"], item.get("language"))
        self.sync_item_deadlines(item["id"], found, now, run_id)  # type: ignore[attr-defined]


def _independent(pending: list[tuple[dict[str, Any], dict[str, Any]]], stored: _Stored
                 ) -> tuple[list[tuple[dict[str, Any], dict[str, Any]]], list[tuple[dict[str, Any], dict[str, Any]]]]:
    """Split ``pending`` into the items that can be decided together now and those that must wait.

    An item waits when its id, one of its URLs, its dedup key or the item it would join is
    claimed by an earlier item of the batch (decided now or waiting), so order is kept.
    """
    claimed: set[tuple[str, str]] = set()
    now_round, later = [], []
    for item, row in pending:
        tokens = {("id", row["id"]), *(("url", u) for u in _urls_of(item))}
        if row["dedup_key"]:
            tokens.add(("key", row["dedup_key"]))
        twin = stored.twin(row) if row["id"] not in stored.old else None
        if twin is not None:
            tokens.add(("id", twin))
        (later if tokens & claimed else now_round).append((item, row))
        claimed |= tokens
    return now_round, later


def _claims(language: str, alternates: Mapping[str, str] | None) -> bool:
    """Whether a page names a version of itself in another language."""
    return any(lang != language and url for lang, url in (alternates or {}).items())


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]
