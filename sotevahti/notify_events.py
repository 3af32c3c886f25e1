"""What a notification target should hear about: events from the store, filtered per target.

Every event already has a record in the store, and its id here is stable across runs:

- ``new/<item id>``: a relevant item first seen (``items.first_seen``) after its source's first
  deep crawl (``source_state.backfilled_at``), so adding a source does not mail out its archive;
- ``deadline/<deadline event id>``: a deadline opened, extended, closing soon or closed
  (``deadline_events``, see :mod:`sotevahti.store_deadlines`);
- ``alarm/<alarm id>``: a source alarm raised (``alarms``, see :mod:`sotevahti.store_health`);
- ``digest/<YYYY-MM-DD>``: a digest target's summary for the day its period began.

An instant target gets the events recorded after its creation and within :data:`EVENT_WINDOW`
(older news is stale news). A deadline opened by the very release that is new in the same crawl
is told in that release's message, not in a second one (unless the target takes no ``new``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from .clock import today_in_helsinki
from .notify_config import WEEKDAYS, NotifyTarget
from .store_deadlines import _NOT_SUPERSEDED
from .tracking import utc_iso
from .translations import release_keys

#: Events older than this are not sent, even to a target that has not heard of them.
EVENT_WINDOW = timedelta(days=14)
#: deadline_events.event -> the event type a target filters on
DEADLINE_EVENT_TYPES = {"opened": "deadline_opened", "extended": "deadline_extended",
                        "closing_soon": "deadline_closing", "closed": "deadline_closed"}
_ITEM_COLUMNS = "i.id, i.title, i.url, i.source, i.organisation, i.region, i.kind, i.language, i.published, " \
                "i.lead, i.body, i.first_seen"


@dataclass(frozen=True)
class Event:
    """One thing to tell: its stable id, type (:data:`~sotevahti.notify_config.EVENT_TYPES`), time
    (UTC ISO), and the item, deadline or alarm it is about."""

    id: str
    type: str
    at: str
    item: Mapping[str, Any] | None = None
    deadline: Mapping[str, Any] | None = None
    alarm: Mapping[str, Any] | None = None
    #: for ``new``: the item's soonest open deadline (kind, deadline, time), shown in the message
    open_deadline: Mapping[str, Any] | None = field(default=None)


def item_matches(target: NotifyTarget, item: Mapping[str, Any]) -> bool:
    """Whether an item passes a target's filter (regions, organisations, kinds, languages, topic words).

    A topic word matches case-insensitively anywhere in the title, lead or body, so
    ``"hyvinvointialue"`` also finds "hyvinvointialueiden rahoitus".
    """
    if target.regions and item.get("region") not in target.regions:
        return False
    if target.organisations and item.get("organisation") not in target.organisations:
        return False
    if target.kinds and item.get("kind") not in target.kinds:
        return False
    if target.languages and item.get("language") not in target.languages:
        return False
    if target.topics:
        text = " ".join(str(item.get(k) or "") for k in ("title", "lead", "body")).lower()
        return any(word in text for word in target.topics)
    return True


def alarm_matches(target: NotifyTarget, alarm: Mapping[str, Any], sources: Mapping[str, Any]) -> bool:
    """An alarm passes on its source's region and organisation; item filters do not apply to it."""
    source = sources.get(alarm["source"])
    if target.regions and getattr(source, "region", None) not in target.regions:
        return False
    return not (target.organisations and getattr(source, "organisation", None) not in target.organisations)


def instant_events(store: Any, target: NotifyTarget, created_at: str, now: datetime,
                   sources: Mapping[str, Any]) -> list[Event]:
    """The events an instant target is due, oldest first, before removing those already delivered.

    :param created_at: the target's creation time (UTC ISO): only events strictly after it count.
    :param sources: configured sources by id (an alarm is filed under its source's region).
    """
    since = max(created_at, utc_iso(now - EVENT_WINDOW))
    until = utc_iso(now)
    events: list[Event] = []
    new_items: set[str] = set()
    if target.wants_event("new"):
        for item in _dicts(store, f"SELECT {_ITEM_COLUMNS} FROM items i WHERE i.relevant = 1 "
                           "AND i.first_seen > ? AND i.first_seen <= ? AND EXISTS (SELECT 1 FROM source_state s "
                           "WHERE s.source = i.source AND s.backfilled_at < i.first_seen) "
                           "ORDER BY i.first_seen, i.id", (since, until)):
            if item_matches(target, item):
                new_items.add(item["id"])
                events.append(Event(f"new/{item['id']}", "new", item["first_seen"], item=item,
                                    open_deadline=_soonest_open_deadline(store, item["id"])))
    rows = _dicts(store, f"SELECT e.id AS event_id, e.event, e.at, e.deadline, e.time, e.old_deadline, e.old_time, "
                  f"d.kind AS deadline_kind, {_ITEM_COLUMNS} FROM deadline_events e "
                  "JOIN deadlines d ON d.id = e.deadline_id JOIN items i ON i.id = e.item_id "
                  f"WHERE i.relevant = 1 AND e.at > ? AND e.at <= ? AND {_NOT_SUPERSEDED} "
                  "ORDER BY e.at, e.item_id, e.deadline_id, e.rowid",
                  (since, until))
    for row in rows:
        kind = DEADLINE_EVENT_TYPES.get(row["event"])
        if kind is None or not target.wants_event(kind) or not item_matches(target, row):
            continue
        if kind == "deadline_opened" and row["id"] in new_items and row["at"] == row["first_seen"]:
            continue   # the new release's own message gives this deadline
        deadline = {k: row[k] for k in ("event", "deadline", "time", "old_deadline", "old_time")}
        deadline["kind"] = row["deadline_kind"]
        item = {k: row[k] for k in row if k not in deadline and k not in ("event_id", "at", "deadline_kind")}
        events.append(Event(f"deadline/{row['event_id']}", kind, row["at"], item=item, deadline=deadline))
    if target.wants_event("alarm"):
        for alarm in _dicts(store, "SELECT id, source, kind, message, first_at FROM alarms "
                            "WHERE first_at > ? AND first_at <= ? ORDER BY first_at, id", (since, until)):
            if alarm_matches(target, alarm, sources):
                events.append(Event(f"alarm/{alarm['id']}", "alarm", alarm["first_at"], alarm=alarm))
    return sorted(one_per_release(store, events, target.language), key=lambda e: (e.at, e.id))


def one_per_release(store: Any, events: list[Event], language: str) -> list[Event]:
    """The events of linked language versions told once per release, in the reader's language.

    The fi and sv versions of one release are each a new item, and a deadline stated in both is
    two deadline events: a reader gets one message, about the version in the target's language
    (else the primary's). Such an event's id names the release, not the version, so a version
    found in a later crawl is not told again.
    """
    keys = release_keys(store, [e.item["id"] for e in events if e.item])
    if not keys:
        return events
    best: dict[tuple[Any, ...], Event] = {}
    out: list[Event] = []
    for event in events:
        item = event.item or {}
        release = keys.get(item.get("id", ""))
        if release is None:
            out.append(event)
            continue
        dl = event.deadline or {}
        what = (event.type, dl.get("event"), dl.get("kind"), dl.get("deadline"), dl.get("old_deadline"))
        rank = (item.get("language") != language, item["id"] != release, item["id"])
        held = best.get((release, *what))
        if held is None or rank < (held.item.get("language") != language, held.item["id"] != release,  # type: ignore[union-attr]
                                   held.item["id"]):  # type: ignore[union-attr]
            best[(release, *what)] = event
    for (release, kind, *rest), event in best.items():
        suffix = "" if kind == "new" else "/" + "/".join(str(v or "") for v in rest)
        out.append(replace(event, id=f"{'new' if kind == 'new' else 'deadline'}/{release}{suffix}"))
    return out


def digest_period_start(target: NotifyTarget, now: datetime) -> date:
    """The Helsinki day the current digest period began: today (daily) or the last ``weekday``.

    >>> from sotevahti.notify_config import NotifyTarget
    >>> from datetime import datetime, timezone, timedelta
    >>> weekly = NotifyTarget(id="t", url="json://x", mode="digest", every="weekly", weekday="monday")
    >>> digest_period_start(weekly, datetime(2026, 11, 26, 12, 0, tzinfo=timezone(timedelta(hours=2)))).isoformat()
    '2026-11-23'
    """
    today = today_in_helsinki(now)
    if target.every != "weekly":
        return today
    return today - timedelta(days=(today.weekday() - WEEKDAYS.index(target.weekday or "monday")) % 7)


def digest_event_id(target: NotifyTarget, created_at: str, now: datetime, last_sent: str | None) -> str | None:
    """The id of the digest due at ``now`` (``digest/2026-11-25``), or ``None`` when none is due.

    A digest is due once per period, from the first period that begins on or after the day the
    target was created, and only if no digest of this or a later period was sent.
    """
    start = digest_period_start(target, now)
    if start < today_in_helsinki(datetime.fromisoformat(created_at)):
        return None
    event_id = f"digest/{start.isoformat()}"
    return None if last_sent is not None and last_sent >= event_id else event_id


def digest_deadlines(store: Any, target: NotifyTarget, now: datetime) -> list[dict[str, Any]]:
    """Open deadlines that close within the target's ``within_days`` and pass its filter, soonest first.

    Rows are :func:`sotevahti.query.deadline_list` rows (``deadline``, ``time``, ``kind``,
    ``days_left``, ``title``, ``url``, ``organisation``, ``item_id``…).
    """
    from .query import deadline_list

    out = []
    for row in deadline_list(store, now, upcoming=True):
        if row["days_left"] > target.within_days:
            continue
        item = store.get_item(row["item_id"]) or {}
        if item_matches(target, item):
            out.append(row)
    return out


def _soonest_open_deadline(store: Any, item_id: str) -> dict[str, Any] | None:
    rows = _dicts(store, "SELECT d.kind, d.deadline, d.time FROM deadlines d WHERE d.item_id = ? "
                  f"AND d.status IN ('open', 'extended') AND {_NOT_SUPERSEDED} ORDER BY d.deadline, d.time LIMIT 1",
                  (item_id,))
    return rows[0] if rows else None


def _dicts(store: Any, sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    cur = store.conn.execute(sql, params)
    names = [c[0] for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur]
