"""The deadline half of the store: the ``deadlines`` and ``deadline_events`` tables.

Mixed into :class:`sotevahti.store.Store`, so there is still one store API and every write
runs inside its transactions.

``deadlines``        one row per tracked deadline; ``history`` keeps every earlier date
``deadline_events``  one row per event a reader should see once: opened, extended,
                     closing_soon, closed. The row id is the feed GUID.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from .tracking import (
    RUNNING,
    FoundDeadline,
    StoredDeadline,
    deadline_id,
    is_closing_soon,
    match_deadlines,
    move_event,
    status_at,
    utc_iso,
)

# A consultation deadline read from a press release gives way to the deadline the consultation
# service's API gives for the proposal the release links to: the API is the source of record.
_NOT_SUPERSEDED = (
    "NOT (d.origin = 'text' AND d.kind = 'consultation' AND EXISTS ("
    "SELECT 1 FROM item_links l JOIN deadlines a ON a.item_id = l.target_id AND a.origin = 'api' "
    "WHERE l.item_id = d.item_id AND l.relation = 'related'))"
)


#: Events that can happen again to the same deadline and date; a later one gets ``/2``, ``/3``…
_REPEATABLE = frozenset({"extended", "moved_earlier", "withdrawn"})


def fold_extensions(found: Sequence[FoundDeadline]
                    ) -> tuple[list[FoundDeadline], dict[tuple[str, str, str | None], list[FoundDeadline]]]:
    """Let an extension replace the earlier dates of its kind read from the same text.

    A page that says both "Lausuntoaika päättyy 5.3.2025" and "Lausuntoaikaa on jatkettu 19.3.2025
    saakka" has one deadline, now on 19.3.; 5.3. belongs in its history, not in a row of its own.
    Returns the deadlines to track and, per kept extension's key, the dates it superseded (oldest first).

    >>> from datetime import date
    >>> kept, old = fold_extensions([FoundDeadline("consultation", date(2025, 3, 5), None, "…"),
    ...                              FoundDeadline("consultation", date(2025, 3, 19), None, "…", True)])
    >>> [d.deadline.day for d in kept], [d.deadline.day for d in old[kept[0].key]]
    ([19], [5])
    """
    extensions = [f for f in found if f.extension]
    kept: list[FoundDeadline] = []
    superseded: dict[tuple[str, str, str | None], list[FoundDeadline]] = {}
    for f in found:
        later = None if f.extension else min(
            (e for e in extensions if e.kind == f.kind and e.deadline > f.deadline),
            key=lambda e: e.deadline, default=None)
        if later is None:
            kept.append(f)
        else:
            superseded.setdefault(later.key, []).append(f)
    for olds in superseded.values():
        olds.sort(key=lambda o: o.deadline)
    return kept, superseded


def _hhmm(t: time | None) -> str | None:
    return t.strftime("%H:%M") if t else None


def _time(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


class DeadlineStoreMixin:
    """Deadline storage; needs ``self.conn`` and ``self.atomic()`` from the Store."""

    conn: sqlite3.Connection

    def sync_item_deadlines(self, item_id: str, found: Sequence[FoundDeadline], now: datetime,
                            run_id: int | None, origin: str = "text") -> dict[str, int]:
        """Bring an item's stored deadlines in line with what its text now says.

        A moved date keeps the row (and its id and calendar UID), appends the old date to
        ``history`` and raises ``sequence``; moved later it is ``extended``, moved earlier it is
        an ``moved_earlier`` event and stays ``open``. A deadline the text no longer gives is
        ``withdrawn`` (an event, never a deletion) and comes back if the text does. A deadline already
        past when first seen is stored as ``closed`` without any event: an archive crawl should
        not flood the feed with news of 2016.

        :param origin: ``"text"`` for sentences in the page, ``"api"`` for an authoritative field.
        :return: counts of ``new``, ``moved`` and ``unchanged`` deadlines.
        """
        at = utc_iso(now)
        rows = self.conn.execute(
            "SELECT id, kind, deadline, time FROM deadlines WHERE item_id = ? AND origin = ?", (item_id, origin))
        stored = [StoredDeadline(r[0], r[1], date.fromisoformat(r[2]), _time(r[3])) for r in rows]
        found, superseded = fold_extensions(found)
        plan = match_deadlines(stored, found)
        with self.atomic():  # type: ignore[attr-defined]
            for old, f in plan.unchanged:
                back = status_at(f.deadline, f.time, now, extended=f.extension)
                self.conn.execute("UPDATE deadlines SET last_seen = ?, sentence = ?, "
                                  "status = CASE WHEN status = 'withdrawn' THEN ? ELSE status END WHERE id = ?",
                                  (at, f.sentence, back, old.id))
            for old in plan.gone:
                cur = self.conn.execute("UPDATE deadlines SET status = 'withdrawn', updated_at = ? "
                                        "WHERE id = ? AND status IN ('open', 'extended')", (at, old.id))
                if cur.rowcount:
                    self._event(old.id, item_id, "withdrawn", at, old.deadline, old.time, run_id)
            for old, f in plan.moved:
                event = move_event(old, f)
                status = status_at(f.deadline, f.time, now, extended=event == "extended")
                history = json.loads(self.conn.execute(
                    "SELECT history FROM deadlines WHERE id = ?", (old.id,)).fetchone()[0])
                history.append({"deadline": old.deadline.isoformat(), "time": _hhmm(old.time), "until": at})
                self.conn.execute(
                    "UPDATE deadlines SET deadline=?, time=?, sentence=?, status=?, sequence=sequence+1, "
                    "history=?, last_seen=?, updated_at=? WHERE id=?",
                    (f.deadline.isoformat(), _hhmm(f.time), f.sentence, status, json.dumps(history),
                     at, at, old.id))
                self._event(old.id, item_id, event, at, f.deadline, f.time, run_id, old.deadline, old.time)
            for f in plan.new:
                new_id = deadline_id(item_id, f)
                status = status_at(f.deadline, f.time, now, extended=f.extension)
                # "Lausuntoaika päättyy 5.3. Lausuntoaikaa on jatkettu 19.3. saakka." read for the first time:
                # one deadline at the new date, the original one in its history
                older = superseded.get(f.key, [])
                history = [{"deadline": o.deadline.isoformat(), "time": _hhmm(o.time), "until": at} for o in older]
                self.conn.execute(
                    "INSERT OR IGNORE INTO deadlines (id, item_id, origin, kind, deadline, time, sentence, status, "
                    "history, first_seen, last_seen, first_run) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (new_id, item_id, origin, f.kind, f.deadline.isoformat(), _hhmm(f.time), f.sentence, status,
                     json.dumps(history), at, at, run_id))
                if status != "closed" and older:
                    self._event(new_id, item_id, "extended", at, f.deadline, f.time, run_id,
                                older[-1].deadline, older[-1].time)
                elif status != "closed":
                    self._event(new_id, item_id, "opened", at, f.deadline, f.time, run_id)
        return {"new": len(plan.new), "moved": len(plan.moved), "unchanged": len(plan.unchanged)}

    def advance_deadlines(self, now: datetime, run_id: int | None = None) -> dict[str, int]:
        """Judge every open deadline at ``now``: close the passed ones, warn of the near ones.

        Each *closing soon* and *closed* event is written once per deadline date, however
        often this runs, because its id includes the date.
        """
        at = utc_iso(now)
        counts = {"closed": 0, "closing_soon": 0}
        rows = self.conn.execute(
            f"SELECT id, item_id, deadline, time FROM deadlines WHERE status IN {RUNNING}").fetchall()
        with self.atomic():  # type: ignore[attr-defined]
            for dl_id, item_id, day_s, time_s in rows:
                day, at_time = date.fromisoformat(day_s), _time(time_s)
                if status_at(day, at_time, now, extended=False) == "closed":
                    self.conn.execute("UPDATE deadlines SET status='closed', updated_at=? WHERE id=?", (at, dl_id))
                    counts["closed"] += self._event(dl_id, item_id, "closed", at, day, at_time, run_id)
                elif is_closing_soon(day, at_time, now):
                    counts["closing_soon"] += self._event(dl_id, item_id, "closing_soon", at, day, at_time, run_id)
        return counts

    def deadline_rows(self, *, status: str | None = None, since: date | None = None,
                      limit: int | None = None, relevant_only: bool = False) -> list[dict[str, Any]]:
        """Deadlines joined with their item's title, URL, language and organisation, soonest first.

        :param status: only ``open``, ``extended``, ``closed`` or ``withdrawn`` ones; by default
            every one but ``withdrawn`` (a deadline the text no longer gives).
        :param since: only deadlines on or after this date.
        :param relevant_only: only deadlines of items the topic filter kept.
        """
        where, params = [_NOT_SUPERSEDED, *(["i.relevant = 1"] if relevant_only else [])], []
        where.append("d.status = ?" if status else "d.status != 'withdrawn'")
        params += [status] if status else []
        if since:
            where.append("d.deadline >= ?")
            params.append(since.isoformat())
        sql = ("SELECT d.*, i.title, i.url, i.language, i.organisation, i.region, i.relevant FROM deadlines d "
               "JOIN items i ON i.id = d.item_id" + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY d.deadline, d.time, d.id" + (f" LIMIT {int(limit)}" if limit else ""))
        return self._dicts(sql, params)

    def deadline_events(self, limit: int = 100, *, relevant_only: bool = False) -> list[dict[str, Any]]:
        """The newest deadline events with their item, newest first.

        Events of one run share ``at``; they are ordered by item and deadline, not by ``rowid``, which
        follows the order the crawl's pages happened to arrive in (the same inputs, the same feed).
        """
        sql = ("SELECT e.*, d.kind, d.sentence, d.status, i.title, i.url, i.language, i.organisation, i.region "
               "FROM deadline_events e JOIN deadlines d ON d.id = e.deadline_id JOIN items i ON i.id = e.item_id "
               f"WHERE {_NOT_SUPERSEDED} " + ("AND i.relevant = 1 " if relevant_only else "")
               + "ORDER BY e.at DESC, e.item_id, e.deadline_id, e.rowid DESC LIMIT ?")
        return self._dicts(sql, [limit])

    def count_deadlines(self, run_id: int) -> dict[str, int]:
        """Deadlines first seen in a run, and the run's events by type."""
        found = self.conn.execute("SELECT count(*) FROM deadlines WHERE first_run = ?", (run_id,)).fetchone()[0]
        events = dict(self.conn.execute(
            "SELECT event, count(*) FROM deadline_events WHERE run_id = ? GROUP BY event", (run_id,)))
        return {"found": int(found), **{k: int(v) for k, v in events.items()}}

    def _event(self, dl_id: str, item_id: str, event: str, at: str, day: date, at_time: time | None,
               run_id: int | None, old_day: date | None = None, old_time: time | None = None) -> int:
        guid = f"{dl_id}/{event.replace('_', '-')}" + ("" if event == "opened" else f"/{day.isoformat()}")
        if event in _REPEATABLE:
            # moved to the same date a second time (extended, moved back, extended again): news again
            earlier = self.conn.execute("SELECT count(*) FROM deadline_events WHERE id = ? OR id LIKE ?",
                                        (guid, guid + "/%")).fetchone()[0]
            guid += f"/{earlier + 1}" if earlier else ""
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO deadline_events (id, deadline_id, item_id, event, at, deadline, time, "
            "old_deadline, old_time, run_id) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (guid, dl_id, item_id, event, at, day.isoformat(), _hhmm(at_time),
             old_day.isoformat() if old_day else None, _hhmm(old_time), run_id))
        return cur.rowcount

    def _dicts(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, list(params))
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]
