"""The database schema as numbered migrations, applied in order inside one transaction.

``PRAGMA user_version`` records how far a database has come, so an old file is brought up to
date on open and a new one is built by running them all. Migrations are only ever appended.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import sqlite_utils

from .notify_store import NOTIFY_SCHEMA
from .store_health import HEALTH_SCHEMA
from .translations import TRANSLATIONS_SCHEMA

_V1_ITEMS = """
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

_V2_DEADLINES = """
CREATE TABLE IF NOT EXISTS deadlines (
    id TEXT PRIMARY KEY, item_id TEXT NOT NULL REFERENCES items(id), origin TEXT NOT NULL,
    kind TEXT NOT NULL, deadline TEXT NOT NULL, time TEXT, sentence TEXT, status TEXT NOT NULL,
    sequence INTEGER NOT NULL DEFAULT 0, history TEXT NOT NULL DEFAULT '[]',
    first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, updated_at TEXT, first_run INTEGER
);
CREATE INDEX IF NOT EXISTS deadlines_item ON deadlines(item_id);
CREATE INDEX IF NOT EXISTS deadlines_date ON deadlines(deadline);
CREATE TABLE IF NOT EXISTS deadline_events (
    id TEXT PRIMARY KEY, deadline_id TEXT NOT NULL REFERENCES deadlines(id), item_id TEXT NOT NULL,
    event TEXT NOT NULL, at TEXT NOT NULL, deadline TEXT NOT NULL, time TEXT,
    old_deadline TEXT, old_time TEXT, run_id INTEGER
);
CREATE INDEX IF NOT EXISTS deadline_events_at ON deadline_events(at);
"""

_V3_SOURCES = """
ALTER TABLE items ADD COLUMN kind TEXT NOT NULL DEFAULT 'announcement';
ALTER TABLE items ADD COLUMN external_id TEXT;
ALTER TABLE items ADD COLUMN register_number TEXT;
ALTER TABLE items ADD COLUMN dedup_key TEXT;
CREATE INDEX IF NOT EXISTS items_dedup ON items(dedup_key);
ALTER TABLE item_versions ADD COLUMN diff TEXT;
CREATE TABLE IF NOT EXISTS item_links (
    item_id TEXT NOT NULL, target_id TEXT NOT NULL, relation TEXT NOT NULL, first_seen TEXT NOT NULL,
    PRIMARY KEY (item_id, target_id, relation)
);
CREATE INDEX IF NOT EXISTS item_links_target ON item_links(target_id);
"""

_V4_HISTORY = """
ALTER TABLE items ADD COLUMN removed_at TEXT;
ALTER TABLE items ADD COLUMN removed_status INTEGER;
ALTER TABLE items ADD COLUMN removed_run INTEGER;
ALTER TABLE item_versions ADD COLUMN body_z BLOB;
CREATE INDEX IF NOT EXISTS item_versions_superseded ON item_versions(superseded_at);
"""

_V6_TRUST = """
ALTER TABLE items ADD COLUMN missing_since TEXT;
ALTER TABLE items ADD COLUMN missing_status INTEGER;
ALTER TABLE items ADD COLUMN held_hash TEXT;
ALTER TABLE items ADD COLUMN held_since TEXT;
ALTER TABLE items ADD COLUMN held_reason TEXT;
ALTER TABLE items ADD COLUMN restored_at TEXT;
ALTER TABLE items ADD COLUMN removals INTEGER NOT NULL DEFAULT 0;
UPDATE items SET removals = 1 WHERE removed_at IS NOT NULL
"""

_V8_TRAFFIC = """
CREATE TABLE IF NOT EXISTS http_validators (
    url TEXT PRIMARY KEY, item_id TEXT NOT NULL, etag TEXT, last_modified TEXT, body_hash TEXT NOT NULL,
    checked_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS http_validators_item ON http_validators(item_id);
CREATE TABLE IF NOT EXISTS source_state (source TEXT PRIMARY KEY, backfilled_at TEXT);
ALTER TABLE items ADD COLUMN on_consultation INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS items_removed ON items(removed_at) WHERE removed_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_relevant_published ON items(published) WHERE relevant = 1;
CREATE INDEX IF NOT EXISTS items_region_published ON items(region, published) WHERE relevant = 1;
CREATE INDEX IF NOT EXISTS items_organisation_published ON items(organisation, published) WHERE relevant = 1;
CREATE INDEX IF NOT EXISTS items_kind_published ON items(kind, published) WHERE relevant = 1;
CREATE INDEX IF NOT EXISTS items_language_published ON items(language, published) WHERE relevant = 1;
CREATE INDEX IF NOT EXISTS items_consultation ON items(source) WHERE on_consultation = 1;
CREATE INDEX IF NOT EXISTS deadlines_open ON deadlines(status) WHERE status != 'closed';
DROP TRIGGER IF EXISTS items_au;
CREATE TRIGGER items_au AFTER UPDATE OF title, lead, body ON items BEGIN
  INSERT INTO items_fts (items_fts, rowid, title, lead, body)
    VALUES('delete', old.rowid, old.title, old.lead, old.body);
  INSERT INTO items_fts (rowid, title, lead, body) VALUES (new.rowid, new.title, new.lead, new.body);
END
"""


def _v11_canonical_urls(conn: sqlite3.Connection) -> None:
    """Record the canonical form of every stored URL as a URL of its item (issue 10's URL forms).

    Issue 10 dropped ``:443`` and ``?publisherId=``/``?redirect=`` from item URLs and read lapha.fi
    and omahame.fi as Liferay (``/fi/w/<slug>``). Their items get new ids; with their pages' new
    URLs recorded here, the next crawl finds the stored item (see :mod:`sotevahti.store_urls`)
    and joins it instead of storing it twice. Nothing else changes: ids, GUIDs and URLs stay.
    """
    from .liferay import article_ref
    from .urls import canonical_item_url

    rows = conn.execute("SELECT u.url, u.item_id, u.first_seen FROM item_urls u JOIN items i ON i.id = u.item_id "
                        "WHERE i.kind != 'page'").fetchall()
    for url, item_id, first_seen in rows:
        forms = {canonical_item_url(url)}
        ref = article_ref(url)
        if ref is not None:
            forms.add(ref.canonical_url())
        for form in forms - {url}:
            conn.execute("INSERT OR IGNORE INTO item_urls (url, item_id, first_seen) VALUES (?,?,?)",
                         (form, item_id, first_seen))


#: (version, SQL or a function of the connection): version N is reached by running it on a
#: database at N-1.
MIGRATIONS: list[tuple[int, str | Callable[[sqlite3.Connection], None]]] = [
    (1, _V1_ITEMS),       # items, URLs, versions, runs, rejections (+ FTS, below)
    (2, _V2_DEADLINES),   # deadlines and deadline events
    (3, _V3_SOURCES),     # item kinds, source ids, cross-source duplicates, links, diffs
    (4, _V4_HISTORY),     # removed items, compressed version bodies
    (5, HEALTH_SCHEMA),   # source health per run, and alarms
    (6, _V6_TRUST),       # a missing page's first 404, suspect texts held back, restored items
    (8, _V8_TRAFFIC),     # HTTP validators, backfill state, feed indexes, FTS re-indexed only on text edits
    (9, NOTIFY_SCHEMA),   # notification targets and deliveries (issue 14, sotevahti/notify_store.py)
    (10, TRANSLATIONS_SCHEMA),  # issue 14: linked language versions of one release (sotevahti/translations.py)
    (11, _v11_canonical_urls),  # every stored URL's canonical form, so issue 10's new ids join old items
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def migrate(conn: sqlite3.Connection, db: sqlite_utils.Database) -> int:
    """Apply the missing migrations; the caller holds the transaction. Returns the new version."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, sql in MIGRATIONS:
        if number <= version:
            continue
        if callable(sql):
            sql(conn)
        else:
            for statement in _statements(sql):
                conn.execute(statement)
        if number == 1:
            db["items"].enable_fts(["title", "lead", "body"], create_triggers=True)
        conn.execute(f"PRAGMA user_version = {number}")
        version = number
    return version


class ForeignDatabaseError(sqlite3.DatabaseError):
    """The file is an SQLite database, but not one Sotevahti made (or one a newer version made)."""


def check_ours(conn: sqlite3.Connection) -> None:
    """Refuse a database that another program made, before anything is written to it.

    A Sotevahti database has ``PRAGMA user_version`` ≥ 1; an empty one (version 0, no tables)
    is a new database. Anything else (tables but version 0, or a version from the future) is
    not ours, and migrating it would add our tables to someone else's file.
    """
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    if version == 0 and tables:
        raise ForeignDatabaseError(f"not a Sotevahti database ({tables} tables of another program); "
                                   "give another --db")
    if version > MIGRATIONS[-1][0]:
        raise ForeignDatabaseError(f"made by a newer Sotevahti (schema {version}); upgrade first")


def _statements(sql: str) -> list[str]:
    """Split a script into statements; a trigger's body keeps its inner semicolons."""
    out, pending = [], ""
    for piece in sql.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                out.append(pending)
            pending = ""
    return out
