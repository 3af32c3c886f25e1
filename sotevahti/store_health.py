"""The health half of the store: the ``source_health`` and ``alarms`` tables.

Mixed into :class:`sotevahti.store.Store`, so there is still one store API and every write
runs inside its transactions. The rules live in :mod:`sotevahti.health`.

``source_health``  one row per source per run: its counters, field validity, new items, alarms
``alarms``         one row per occurrence of a problem; the row id is the feed GUID. An alarm
                   raised again in the next run of its source is the same row (``last_run``
                   moves on); one no longer raised gets ``cleared_at``; raised again after
                   that, it is a new row.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from .dates import HELSINKI
from .health import Alarm, alarm_id, evaluate_source, summarise
from .tracking import utc_iso

#: The tables, for migration 4. Plain statements separated by ";" (``migrate`` splits on it).
HEALTH_SCHEMA = """
CREATE TABLE IF NOT EXISTS source_health (
    run_id INTEGER NOT NULL, source TEXT NOT NULL, at TEXT NOT NULL,
    counts TEXT NOT NULL DEFAULT '{}', validity TEXT, items_new INTEGER NOT NULL DEFAULT 0,
    ok INTEGER NOT NULL, alarms TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (run_id, source)
);
CREATE INDEX IF NOT EXISTS source_health_source ON source_health(source, run_id);
CREATE TABLE IF NOT EXISTS alarms (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, kind TEXT NOT NULL, message TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}', first_run INTEGER NOT NULL, first_at TEXT NOT NULL,
    last_run INTEGER NOT NULL, last_at TEXT NOT NULL, last_message TEXT, cleared_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS alarms_active ON alarms(source, kind) WHERE cleared_at IS NULL;
CREATE INDEX IF NOT EXISTS alarms_first_at ON alarms(first_at);
CREATE INDEX IF NOT EXISTS alarms_cleared_at ON alarms(cleared_at);
"""

#: The informational page an alarm entry links to; ``#<source>`` is appended.
DEFAULT_STATUS_URL = "https://example.org/sotevahti/status"
#: How many earlier runs of a source are read as its history.
HISTORY_RUNS = 20


class HealthStoreMixin:
    """Source health storage; needs ``self.conn`` and ``self.atomic()`` from the Store."""

    conn: sqlite3.Connection

    def record_health(self, run_id: int, now: datetime, per_source: Mapping[str, Mapping[str, int]],
                      validity: Mapping[str, Mapping[str, float]], sources: Sequence[Any],
                      failed: Mapping[str, str] | None = None) -> list[Alarm]:
        """Judge every source of a finished run, store its health and bring the alarms up to date.

        Call it after the run's items are stored. A source in ``sources`` is judged when it
        was part of the run (its id is in the run row's ``sources``; every source when the
        run has no row); a source without any counter is judged on zeros, which is the point.
        All in one transaction.

        :param per_source: ``stats["sources"]`` of :func:`crawler.run_stats`.
        :param validity: ``stats["field_validity"]``.
        :param sources: configured sources: objects with ``id`` and, optionally,
            ``expected_cadence_days`` and ``max_error_share``.
        :param failed: ``{source id: finish reason}`` for sources whose spider did not finish.
        :return: the alarms raised for the first time in this run (new occurrences).
        """
        at = utc_iso(now)
        in_run = self._run_source_ids(run_id)
        failed = failed or {}
        new: list[Alarm] = []
        with self.atomic():  # type: ignore[attr-defined]
            for source in sources:
                sid = source.id
                if in_run is not None and sid not in in_run:
                    continue
                counts = {str(k): int(v) for k, v in (per_source.get(sid) or {}).items()
                          if isinstance(v, int | float) and not isinstance(v, bool)}
                shares = dict(validity.get(sid) or {}) or None
                items_new = int(self.conn.execute(
                    "SELECT count(*) FROM items WHERE first_run = ? AND source = ?", (run_id, sid)).fetchone()[0])
                last_seen = self.conn.execute("SELECT max(first_seen) FROM items WHERE source = ?",
                                              (sid,)).fetchone()[0]
                alarms = evaluate_source(
                    sid, counts, shares, self._health_history(sid, run_id),
                    datetime.fromisoformat(last_seen) if last_seen else None, now,
                    expected_cadence_days=getattr(source, "expected_cadence_days", None),
                    max_error_share=getattr(source, "max_error_share", 0.25),
                    crawl_failed=failed.get(sid))
                self.conn.execute(
                    "INSERT OR REPLACE INTO source_health (run_id, source, at, counts, validity, items_new, ok, "
                    "alarms) VALUES (?,?,?,?,?,?,?,?)",
                    (run_id, sid, at, json.dumps(counts, sort_keys=True),
                     json.dumps(shares, sort_keys=True) if shares is not None else None, items_new,
                     int(not alarms), json.dumps([a.kind for a in alarms])))
                new += self._sync_alarms(sid, alarms, run_id, at)
        return new

    def source_status(self) -> list[dict[str, Any]]:
        """Every source with health rows, by id: its last run's figures and its active alarms.

        Each row: ``source``, ``last_run``, ``last_run_at``, ``last_success_at`` (the last run
        that raised neither ``no_items`` nor ``crawl_failed``), the :func:`~sotevahti.health.summarise`
        figures of the last run (``requests``, ``responses_304``, ``errors``, ``links``,
        ``items_found``, ``items_new``, ``parse_failures``, ``selector_misses``), ``alarms``
        (active ones: ``kind``, ``message``, ``since``, ``id``) and ``ok`` (no active alarm).
        """
        rows = self._health_rows(
            "SELECT h.* FROM source_health h WHERE h.run_id = "
            "(SELECT max(run_id) FROM source_health WHERE source = h.source) ORDER BY h.source")
        out = []
        for row in rows:
            sid = row["source"]
            success = self.conn.execute(
                "SELECT max(at) FROM source_health WHERE source = ? "
                "AND NOT EXISTS (SELECT 1 FROM json_each(source_health.alarms) "
                "WHERE value IN ('crawl_failed', 'no_items'))",
                (sid,)).fetchone()[0]
            active = self._health_rows(
                "SELECT id, kind, coalesce(last_message, message) AS message, first_at AS since FROM alarms "
                "WHERE source = ? AND cleared_at IS NULL ORDER BY first_at, kind", (sid,))
            out.append({"source": sid, "last_run": row["run_id"], "last_run_at": row["at"],
                        "last_success_at": success,
                        **summarise(json.loads(row["counts"] or "{}"), row["items_new"]),
                        "alarms": [{"kind": a["kind"], "message": a["message"], "since": a["since"], "id": a["id"]}
                                   for a in active],
                        "ok": not active})
        return out

    def health_entries(self, limit: int = 100, base_url: str = DEFAULT_STATUS_URL) -> list[dict[str, Any]]:
        """Feed entries (the :func:`~sotevahti.feeds.build_feed` shape) for alarms, newest first.

        An alarm is one entry from when it was first raised (its GUID is the alarm id, and its
        title and text are those of its first run, so a persisting alarm does not change); a
        cleared one adds a recovery entry with GUID ``<alarm id>/cleared``.

        :param base_url: the status page; an entry links to ``<base_url>#<source>``.
        """
        raised = self._health_rows("SELECT * FROM alarms ORDER BY first_at DESC, id DESC LIMIT ?", (limit,))
        cleared = self._health_rows("SELECT * FROM alarms WHERE cleared_at IS NOT NULL "
                                    "ORDER BY cleared_at DESC, id DESC LIMIT ?", (limit,))
        entries = [_raised_entry(a, base_url) for a in raised] + [_cleared_entry(a, base_url) for a in cleared]
        entries.sort(key=lambda e: (e["published"], e["guid"]), reverse=True)
        return entries[:limit]

    # -- internals ----------------------------------------------------------------------

    def _run_source_ids(self, run_id: int) -> Collection[str] | None:
        row = self.conn.execute("SELECT sources FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None or not row[0]:
            return None
        try:
            return set(json.loads(row[0]))
        except (TypeError, ValueError):
            return None

    def _health_history(self, sid: str, run_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT counts, validity, at FROM source_health WHERE source = ? AND run_id < ? "
            "ORDER BY run_id DESC LIMIT ?", (sid, run_id, HISTORY_RUNS))
        return [{"counts": json.loads(c or "{}"), "validity": json.loads(v) if v else None, "at": a}
                for c, v, a in rows]

    def _sync_alarms(self, sid: str, alarms: Sequence[Alarm], run_id: int, at: str) -> list[Alarm]:
        active = dict(self.conn.execute(
            "SELECT kind, id FROM alarms WHERE source = ? AND cleared_at IS NULL", (sid,)).fetchall())
        new = []
        for alarm in alarms:
            if alarm.kind in active:
                self.conn.execute("UPDATE alarms SET last_run = ?, last_at = ?, last_message = ? WHERE id = ?",
                                  (run_id, at, alarm.message, active[alarm.kind]))
                continue
            # The id is taken when a run is recorded twice: the row cleared on the first go comes back.
            self.conn.execute(
                "INSERT INTO alarms (id, source, kind, message, detail, first_run, first_at, last_run, last_at, "
                "last_message) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET cleared_at = NULL, "
                "last_run = excluded.last_run, last_at = excluded.last_at, last_message = excluded.last_message",
                (alarm_id(alarm, run_id), sid, alarm.kind, alarm.message,
                 json.dumps(alarm.detail, ensure_ascii=False, sort_keys=True, default=str), run_id, at, run_id, at,
                 alarm.message))
            new.append(alarm)
        raised = {a.kind for a in alarms}
        for kind, aid in active.items():
            if kind not in raised:
                self.conn.execute("UPDATE alarms SET cleared_at = ? WHERE id = ?", (at, aid))
        return new

    def _health_rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, list(params))
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]


def _local(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(HELSINKI)


def _status_url(base_url: str, source: str) -> str:
    return f"{base_url.split('#')[0]}#{source}"


def _raised_entry(alarm: Mapping[str, Any], base_url: str) -> dict[str, Any]:
    at = _local(alarm["first_at"])
    text = f"{alarm['message']}. First raised on {at:%Y-%m-%d %H:%M} (run {alarm['first_run']})."
    # Messages start with the source id already: "pirha: …" is not repeated in the title.
    message = alarm["message"].removeprefix(f"{alarm['source']}: ")
    return {"guid": alarm["id"], "title": f"Lähde hälyttää: {alarm['source']}: {message}",
            "url": _status_url(base_url, alarm["source"]), "published": at, "updated": at, "description": text,
            "categories": [alarm["kind"], alarm["source"]], "language": "fi"}


def _cleared_entry(alarm: Mapping[str, Any], base_url: str) -> dict[str, Any]:
    at = _local(alarm["cleared_at"])
    first = _local(alarm["first_at"])
    text = (f"{alarm['source']}: the {alarm['kind']} alarm raised on {first:%Y-%m-%d %H:%M} (run {alarm['first_run']}) "
            f"is no longer raised; last raised in run {alarm['last_run']}. Was: {alarm['message']}")
    return {"guid": f"{alarm['id']}/cleared", "title": f"Lähde toipui: {alarm['source']}: {alarm['kind']}",
            "url": _status_url(base_url, alarm["source"]), "published": at, "updated": at, "description": text,
            "categories": [alarm["kind"], alarm["source"]], "language": "fi"}
