"""``monitor.py notify`` and the notification parts of ``crawl`` and ``status``.

``notify`` takes the crawl lock (one sender at a time, so a ``sending`` row found at the start
is one a dead process left behind); ``crawl`` already holds it when it runs notify after the
crawl. ``--dry-run`` reads the database and sends and records nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from .lock import CrawlLock
from .notify import run_notify
from .notify_store import delivery_status
from .sources import Config
from .store import Store


def notify_command(config: Config, db: Path, now: datetime, *, dry_run: bool) -> dict[str, Any]:
    """What ``monitor.py notify`` does: send (or, with ``dry_run``, list) every due message."""
    if dry_run:
        return _run(config, db, now, dry_run=True)
    with CrawlLock(db):
        return _run(config, db, now, dry_run=False)


def notify_after_crawl(config: Config, db: Path, now: datetime) -> dict[str, Any] | None:
    """Send after a crawl (the caller holds the crawl lock). ``None`` when no target is configured.

    Returns the crawl summary's ``notifications``: ``{"sent", "failed", "by_target": {id: {"sent", "failed"}}}``.
    """
    if not config.notify:
        return None
    result = _run(config, db, now, dry_run=False)
    return {"sent": result["sent"], "failed": result["failed"],
            "by_target": {t["target"]: {s: sum(m["status"] == s for m in t["messages"]) for s in ("sent", "failed")}
                          for t in result["targets"]}}


def status_notifications(store: Store) -> list[dict[str, Any]]:
    """The ``notifications`` of ``status --json``: per target ``sent``, ``failed``, ``last_error``…"""
    return delivery_status(store)


def format_notify(result: Mapping[str, Any]) -> str:
    """The plain-text output of ``notify``: per target, each message's title and outcome."""
    lines = []
    for t in result["targets"]:
        lines.append(f"{t['target']} ({t['mode']}, {t['language']}): {len(t['messages'])} "
                     + ("due" if result["dry_run"] else "messages"))
        for m in t["messages"]:
            mark = {"due": "would send", "sent": "sent", "failed": "FAILED"}[m["status"]]
            lines.append(f"  {mark}: {m['title']}" + (f" ({m['error']})" if m["error"] else ""))
            if result["dry_run"]:
                lines += [f"      {line}" if line else "" for line in m["body"].splitlines()]
    if not result["targets"]:
        lines.append("no [[notify]] targets in the sources file")
    elif result["dry_run"]:
        lines.append(f"dry run: {result['due']} messages due, nothing sent or recorded")
    else:
        lines.append(f"{result['sent']} sent, {result['failed']} failed")
    return "\n".join(lines)


def format_notification_status(rows: Sequence[Mapping[str, Any]]) -> str:
    """Lines for ``status`` (plain text): one per target, with its last error when failing."""
    out = []
    for r in rows:
        line = f"notify {r['target']}: {r['sent']} sent, {r['failed']} failed"
        out.append(line + (f"; last error: {r['last_error']}" if r["last_error"] else ""))
    return "\n".join(out)


def _run(config: Config, db: Path, now: datetime, *, dry_run: bool) -> dict[str, Any]:
    store = Store(db)
    try:
        return run_notify(store, config.notify, now, sources={s.id: s for s in config.sources}, dry_run=dry_run)
    finally:
        store.close()
