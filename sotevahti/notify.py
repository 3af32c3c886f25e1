"""Send what is due to every ``[[notify]]`` target, through Apprise, and record each delivery.

Apprise (https://github.com/caronc/apprise) does the sending: email, Matrix, Slack, Teams,
Telegram, ntfy, webhooks. For each target, in order:

1. the events it is due (:mod:`sotevahti.notify_events`), minus those already sent;
2. for each: a ``sending`` row is committed, the message is sent, and the row becomes ``sent``
   or ``failed`` (:mod:`sotevahti.notify_store`). A failure is tried again by the next run.

``now`` is always an argument (``--now``, :func:`sotevahti.clock.current_time`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from .notify_config import NotifyTarget
from .notify_events import digest_deadlines, digest_event_id, instant_events
from .notify_messages import Message, digest_message, event_message
from .notify_store import (
    begin_delivery,
    delivered_or_given_up,
    finish_delivery,
    last_sent_digest,
    register_target,
    retire_older_digests,
    target_created_at,
)
from .tracking import utc_iso

#: ``send(apprise_url, message)`` returns ``None`` on success, else a one-line error.
Sender = Callable[[str, Message], "str | None"]


def apprise_send(url: str, message: Message) -> str | None:
    """Send one plain-text message to an Apprise URL; ``None`` when it was accepted, else the error.

    >>> apprise_send("nosuchscheme://x", Message("Otsikko", "Teksti"))
    'the Apprise URL was not accepted (unknown scheme or malformed)'
    """
    import apprise

    sender = apprise.Apprise()
    if not sender.add(url):
        return "the Apprise URL was not accepted (unknown scheme or malformed)"
    with apprise.LogCapture(level=apprise.logging.WARNING) as log:
        ok = sender.notify(title=message.title, body=message.body, body_format=apprise.NotifyFormat.TEXT)
    if ok:
        return None
    lines = [re.sub(r"^\S+ \S+ - \w+ - ", "", line).strip() for line in log.getvalue().splitlines()]
    return next((line for line in reversed(lines) if line), "sending failed")


def run_notify(store: Any, targets: tuple[NotifyTarget, ...], now: datetime, *, sources: Mapping[str, Any],
               dry_run: bool = False, send: Sender = apprise_send) -> dict[str, Any]:
    """Send every due message of every target; with ``dry_run``, only say what would be sent.

    A dry run records nothing (not even a new target's creation).

    :param sources: configured sources by id (alarms are filtered on their source's region).
    :return: ``{"now", "dry_run", "sent", "failed", "targets": [{"target", "mode", "language",
        "messages": [{"event_id", "title", "body", "status", "error"}]}]}``; ``status`` is ``sent``,
        ``failed`` or (dry run) ``due``.
    """
    out: list[dict[str, Any]] = []
    for target in targets:
        created = (target_created_at(store, target.id) or utc_iso(now)) if dry_run \
            else register_target(store, target.id, now)
        messages = []
        for event_id, message in due_messages(store, target, created, now, sources):
            entry: dict[str, Any] = {"event_id": event_id, "title": message.title, "body": message.body,
                                     "status": "due", "error": None}
            if not dry_run:
                entry["error"] = _deliver(store, target, event_id, message, now, send)
                entry["status"] = "failed" if entry["error"] else "sent"
            messages.append(entry)
        out.append({"target": target.id, "mode": target.mode, "language": target.language, "messages": messages})
    count = {s: sum(m["status"] == s for t in out for m in t["messages"]) for s in ("sent", "failed", "due")}
    return {"now": now.isoformat(), "dry_run": dry_run, "sent": count["sent"], "failed": count["failed"],
            **({"due": count["due"]} if dry_run else {}), "targets": out}


def due_messages(store: Any, target: NotifyTarget, created_at: str, now: datetime,
                 sources: Mapping[str, Any]) -> list[tuple[str, Message]]:
    """``(event id, message)`` for everything this target is due at ``now`` and has not been sent."""
    done = delivered_or_given_up(store, target.id)
    if target.mode == "digest":
        event_id = digest_event_id(target, created_at, now, last_sent_digest(store, target.id))
        if event_id is None or event_id in done:
            return []
        rows = digest_deadlines(store, target, now)
        return [(event_id, digest_message(store, rows, target.within_days, target.language))] if rows else []
    return [(e.id, event_message(store, e, target.language))
            for e in instant_events(store, target, created_at, now, sources) if e.id not in done]


def _deliver(store: Any, target: NotifyTarget, event_id: str, message: Message, now: datetime,
             send: Sender) -> str | None:
    if not begin_delivery(store, target.id, event_id, message.title, now):
        return None   # sent meanwhile (cannot happen under the crawl lock; harmless if it does)
    try:
        error = send(target.apprise_url(), message)
    except ValueError as e:   # url_env not set
        error = str(e)
    except Exception as e:
        error = f"{type(e).__name__}: {e}"
    finish_delivery(store, target.id, event_id, error, now)
    if error is None and target.mode == "digest":
        retire_older_digests(store, target.id, event_id)   # a missed week's digest is not due any more
    return error
