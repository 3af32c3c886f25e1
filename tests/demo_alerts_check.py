"""The demo's alert figures, checked against the database and the mail the sink received
(called by ``tests/test_demo.py`` on its demo run, so the demo runs once)."""

from __future__ import annotations

import email
import email.policy
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sotevahti.store import Store
from sotevahti.store_deadlines import _NOT_SUPERSEDED

_SENT_EVENTS = ("opened", "extended", "closing_soon", "closed")


def _mails(folder: str) -> list[email.message.EmailMessage]:
    return [email.message_from_string(p.read_text(encoding="utf-8"), policy=email.policy.default)  # type: ignore[misc]
            for p in sorted(Path(folder).glob("*.eml"))]


def _events_of_run(store: Store, run_id: int) -> set[str]:
    """What the instant target should get for one run, read straight from the tables."""
    new = {r[0] for r in store.conn.execute(
        "SELECT id FROM items WHERE relevant = 1 AND first_run = ?", (run_id,))}
    marks = ",".join("?" * len(_SENT_EVENTS))
    deadline = set()
    for event_id, event, item_id in store.conn.execute(
            f"SELECT e.id, e.event, e.item_id FROM deadline_events e JOIN deadlines d ON d.id = e.deadline_id "
            f"JOIN items i ON i.id = e.item_id WHERE e.run_id = ? AND i.relevant = 1 AND e.event IN ({marks}) "
            f"AND {_NOT_SUPERSEDED}", (run_id, *_SENT_EVENTS)):
        if not (event == "opened" and item_id in new):   # told in the new release's own message
            deadline.add(f"deadline/{event_id}")
    alarms = {f"alarm/{r[0]}" for r in store.conn.execute("SELECT id FROM alarms WHERE first_run = ?", (run_id,))}
    return {f"new/{i}" for i in new} | deadline | alarms


def check_demo_alerts(result: dict[str, Any]) -> None:
    """After epoch 2 the instant target got exactly epoch 2's events and the digest exactly the
    deadlines closing within 14 days; epoch 3 sent only its own news, nothing twice."""
    e1, e2, e3 = result["epochs"]
    assert e1["alerts"] == {"instant": 0, "digest": 0, "failed": 0}   # the archive is not mailed
    assert e2["alerts"]["digest"] == 1 and e3["alerts"]["digest"] == 0 and e2["alerts"]["failed"] == 0
    mails = _mails(result["mail"]["saved_in"])
    assert result["mail"]["received"] == len(mails) == sum(e["alerts"]["instant"] + e["alerts"]["digest"]
                                                           for e in result["epochs"])
    store = Store(result["db"])
    try:
        runs = [r[0] for r in store.conn.execute("SELECT id FROM runs ORDER BY id")]
        sent = {}
        for target, event_id in store.conn.execute(
                "SELECT target, event_id FROM deliveries WHERE status = 'sent' ORDER BY first_try_at, event_id"):
            sent.setdefault(target, []).append(event_id)
        attempts = {r[0] for r in store.conn.execute("SELECT attempts FROM deliveries")}
        for run_id, epoch in zip(runs, (e1, e2, e3), strict=True):
            expected = _events_of_run(store, run_id) if run_id != runs[0] else set()
            assert epoch["alerts"]["instant"] == len(expected)
        expected2, expected3 = _events_of_run(store, runs[1]), _events_of_run(store, runs[2])
        assert set(sent["demo-posti"]) == expected2 | expected3 and len(expected2) >= 8
        assert len(sent["demo-posti"]) == len(set(sent["demo-posti"]))
        assert attempts == {1}
        # the digest of Wednesday 25.11.2026: every relevant deadline open then, closing within 14 days
        day2 = datetime.fromisoformat(result["simulated_day"]) - timedelta(days=1)
        horizon = day2.date() + timedelta(days=14)
        upcoming = {r["url"] for r in store.deadline_rows(relevant_only=True)
                    if day2.date() <= date.fromisoformat(r["deadline"]) <= horizon
                    and datetime.fromisoformat(r["first_seen"]) <= day2
                    and (r["status"] != "closed" or _closed_after(store, r["id"], day2))}
    finally:
        store.close()
    assert sent["demo-viikko"] == ["digest/2026-11-25"]
    digest = [m for m in mails if "päättyy 14 päivän sisällä" in m["Subject"]]
    assert len(digest) == 1
    body = digest[0].get_body(("plain",)).get_content()
    listed = {line.strip() for line in body.splitlines() if line.startswith("  http")}
    assert listed == upcoming and digest[0]["Subject"] == f"{len(upcoming)} määräaikaa päättyy 14 päivän sisällä"
    subjects = [m["Subject"] for m in mails]
    assert len(set(subjects)) == len(subjects)      # nothing sent twice


def _closed_after(store: Store, deadline_id: str, moment: datetime) -> bool:
    row = store.conn.execute("SELECT min(at) FROM deadline_events WHERE deadline_id = ? AND event = 'closed'",
                             (deadline_id,)).fetchone()
    return bool(row[0]) and datetime.fromisoformat(row[0]) > moment
