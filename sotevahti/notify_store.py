"""The notification half of the database: ``notify_targets`` and ``deliveries``.

``notify_targets``  one row per configured ``[[notify]]`` id, with the time it was first seen:
                    a new subscriber gets events from then on, never the archive.
``deliveries``      one row per (target, event id). The row is written as ``sending`` and
                    committed *before* the message leaves, then set to ``sent`` or ``failed``.
                    The unique key means an event is never delivered twice; a ``failed`` row,
                    or a ``sending`` row left by a process that died between sending and
                    recording, is tried again by the next run (so a crash resends at most once).

Plain functions over a :class:`~sotevahti.store.Store`, so the store class itself is unchanged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .tracking import utc_iso

#: Migration 9 (``sotevahti/migrations.py``).
NOTIFY_SCHEMA = """
CREATE TABLE IF NOT EXISTS notify_targets (
    id TEXT PRIMARY KEY, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    target TEXT NOT NULL, event_id TEXT NOT NULL, status TEXT NOT NULL, title TEXT,
    first_try_at TEXT NOT NULL, sent_at TEXT, error TEXT, attempts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (target, event_id)
);
CREATE INDEX IF NOT EXISTS deliveries_status ON deliveries(target, status)
"""

#: A failing event is given up after this many attempts (it stays ``failed`` in ``status``).
MAX_ATTEMPTS = 10


def target_created_at(store: Any, target_id: str) -> str | None:
    """When a target was first seen (UTC ISO), or ``None`` for one never seen."""
    row = store.conn.execute("SELECT created_at FROM notify_targets WHERE id = ?", (target_id,)).fetchone()
    return row[0] if row else None


def register_target(store: Any, target_id: str, now: datetime) -> str:
    """Record a target the first time it is seen; return its creation time (UTC ISO)."""
    with store.atomic():
        store.conn.execute("INSERT OR IGNORE INTO notify_targets (id, created_at) VALUES (?, ?)",
                           (target_id, utc_iso(now)))
    return target_created_at(store, target_id) or utc_iso(now)


def delivered_or_given_up(store: Any, target_id: str) -> set[str]:
    """Event ids this target must not be sent again: sent, or failed :data:`MAX_ATTEMPTS` times."""
    rows = store.conn.execute(
        "SELECT event_id FROM deliveries WHERE target = ? AND (status = 'sent' OR attempts >= ?)",
        (target_id, MAX_ATTEMPTS))
    return {r[0] for r in rows}


def pending_event_ids(store: Any, target_id: str) -> set[str]:
    """Event ids of this target whose last try failed or never recorded an outcome (``sending``)."""
    rows = store.conn.execute(
        "SELECT event_id FROM deliveries WHERE target = ? AND status IN ('failed', 'sending') AND attempts < ?",
        (target_id, MAX_ATTEMPTS))
    return {r[0] for r in rows}


def begin_delivery(store: Any, target_id: str, event_id: str, title: str, now: datetime) -> bool:
    """Mark (target, event) ``sending`` and commit, before sending. ``False`` when it was already sent."""
    at = utc_iso(now)
    with store.atomic():
        row = store.conn.execute("SELECT status FROM deliveries WHERE target = ? AND event_id = ?",
                                 (target_id, event_id)).fetchone()
        if row and row[0] == "sent":
            return False
        store.conn.execute(
            "INSERT INTO deliveries (target, event_id, status, title, first_try_at, attempts) "
            "VALUES (?, ?, 'sending', ?, ?, 1) ON CONFLICT (target, event_id) DO UPDATE SET "
            "status = 'sending', title = excluded.title, attempts = attempts + 1",
            (target_id, event_id, title, at))
    return True


def finish_delivery(store: Any, target_id: str, event_id: str, error: str | None, now: datetime) -> None:
    """Record the outcome of a send: ``sent`` (``error`` is ``None``) or ``failed`` with the error."""
    with store.atomic():
        store.conn.execute(
            "UPDATE deliveries SET status = ?, sent_at = ?, error = ? WHERE target = ? AND event_id = ?",
            ("failed" if error else "sent", None if error else utc_iso(now), error, target_id, event_id))


def retire_older_digests(store: Any, target_id: str, sent_event_id: str) -> int:
    """After a digest is sent, earlier digests that failed are no longer due: mark them ``superseded``."""
    with store.atomic():
        return store.conn.execute(
            "UPDATE deliveries SET status = 'superseded' WHERE target = ? AND event_id LIKE 'digest/%' "
            "AND event_id < ? AND status IN ('failed', 'sending')", (target_id, sent_event_id)).rowcount


def last_sent_digest(store: Any, target_id: str) -> str | None:
    """The event id of the newest digest sent to a target (``digest/2026-11-25``), or ``None``."""
    row = store.conn.execute(
        "SELECT max(event_id) FROM deliveries WHERE target = ? AND event_id LIKE 'digest/%' AND status = 'sent'",
        (target_id,)).fetchone()
    return row[0] if row else None


def delivery_status(store: Any) -> list[dict[str, Any]]:
    """Per target: ``sent``, ``failed`` (now failing, incl. given up), ``sending`` (outcome unknown),
    ``last_sent_at``, ``last_error`` and ``failing`` (the event ids still failing, newest tries first)."""
    out = []
    targets = [r[0] for r in store.conn.execute(
        "SELECT id FROM notify_targets UNION SELECT DISTINCT target FROM deliveries ORDER BY 1")]
    for target in targets:
        counts = dict(store.conn.execute(
            "SELECT status, count(*) FROM deliveries WHERE target = ? GROUP BY status", (target,)).fetchall())
        last_sent = store.conn.execute("SELECT max(sent_at) FROM deliveries WHERE target = ?",
                                       (target,)).fetchone()[0]
        failing = store.conn.execute(
            "SELECT event_id, error, attempts FROM deliveries WHERE target = ? AND status = 'failed' "
            "ORDER BY first_try_at DESC, event_id", (target,)).fetchall()
        out.append({"target": target, "sent": counts.get("sent", 0), "failed": counts.get("failed", 0),
                    "sending": counts.get("sending", 0), "last_sent_at": last_sent,
                    "last_error": failing[0][1] if failing else None,
                    "failing": [{"event_id": e, "error": err, "attempts": n} for e, err, n in failing]})
    return out
