"""The deadline calendar, ``public/deadlines.ics``, made with the icalendar library.

One VEVENT per deadline: timed (Europe/Helsinki) when the sentence gives a time, all-day
otherwise. The UID is the deadline's id, which never changes; when a deadline is extended the
same UID comes back with a higher SEQUENCE, so calendar apps move the event instead of adding
a second one.

Yearly rules ("Avustusta haetaan vuosittain 31.1. mennessä", ``recurring`` in the extractor's
answer) are not in the calendar at all, by choice: they have no date of their own, so they never
reach the ``deadlines`` table, and a rule read once from a release may lapse without any page
saying so, which a repeating event would hide. The extractor's JSON keeps their day and month.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from icalendar import Calendar, Event

from .dates import HELSINKI
from .display import format_date, phrases

UID_DOMAIN = "sotevahti"


def build_calendar(deadlines: Iterable[Mapping[str, Any]], now: datetime,
                   name: str = "Sotevahti: määräajat") -> bytes:
    """An iCalendar file of deadlines (rows from :meth:`Store.deadline_rows`).

    >>> from datetime import UTC
    >>> ics = build_calendar([{"id": "dl-1", "deadline": "2020-09-25", "time": "16:15", "kind": "consultation",
    ...     "title": "Lakiluonnokset lausunnolle", "url": "https://stm.fi/-/1271139/x", "language": "fi",
    ...     "sentence": "Lausuntoaika päättyy 25.9.2020 klo 16.15.", "sequence": 0, "status": "open",
    ...     "organisation": "STM"}], datetime(2020, 9, 1, tzinfo=UTC))
    >>> b"DTSTART;TZID=Europe/Helsinki:20200925T161500" in ics
    True
    """
    cal = Calendar()
    cal.add("prodid", "-//Sotevahti//sote-uudistuksen määräajat//FI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Helsinki")
    for d in deadlines:
        cal.add_component(_event(d, now))
    cal.add_missing_timezones()
    return cal.to_ical()


def _event(d: Mapping[str, Any], now: datetime) -> Event:
    day = date.fromisoformat(d["deadline"])
    lang = d.get("language") or "fi"
    closes, _closed, _extended = phrases(d.get("kind"), lang)
    ev = Event()
    ev.add("uid", f"{d['id']}@{UID_DOMAIN}")
    ev.add("sequence", int(d.get("sequence") or 0))
    ev.add("dtstamp", now)
    if d.get("time") and d["time"] < "23:59":
        start = datetime.combine(day, time.fromisoformat(d["time"]), HELSINKI)
        ev.add("dtstart", start)
        ev.add("dtend", start + timedelta(minutes=15))
    else:
        ev.add("dtstart", day)
        ev.add("dtend", day + timedelta(days=1))
    when = format_date(day, time.fromisoformat(d["time"]) if d.get("time") else None, lang)
    ev.add("summary", f"{closes}: {d['title']}")
    ev.add("description", f"{closes} {when}.\n«{d['sentence']}»\n{d.get('organisation') or ''}\n{d['url']}")
    ev.add("url", d["url"])
    ev.add("categories", [d.get("kind") or "other"])
    ev.add("status", "CONFIRMED")
    ev.add("transp", "TRANSPARENT")
    return ev
