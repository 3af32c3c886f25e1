"""The deadline feed: one entry per deadline event, so a reader hears each one exactly once.

``public/deadlines.xml`` (RSS) and ``public/deadlines-atom.xml`` list the newest events:

- *opened*: "Lausuntoaika päättyy 25.9.2020: <title>"
- *extended*: "Lausuntoaikaa jatkettu 25.9.2020 → 2.10.2020: <title>"
- *moved earlier*: "Lausuntoaika päättyy 25.9.2020 (aikaistettu, ennen 2.10.2020): <title>"
- *withdrawn*: "Lausuntoaika päättyy 25.9.2020: ei enää tekstissä: <title>"
- *closing soon*: "Lausuntoaika päättyy 29.11.2026, 5 päivää jäljellä: <title>"
- *closed*: "Lausuntoaika päättyi 25.9.2020: <title>"

The GUID is the event's id (``dl-…/extended/2020-10-02``), never the item's, so an extension
shows up as news even to a reader who already has the release.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from .dates import HELSINKI
from .display import days_left_text, format_date, phrases
from .regions import region_name
from .tracking import days_left

EVENT_LIMIT = 100
EVENT_LABELS = {"opened": "Uusi määräaika", "extended": "Määräaikaa jatkettu",
                "moved_earlier": "Määräaikaa aikaistettu", "withdrawn": "Määräaika poistui tekstistä",
                "closing_soon": "Päättyy pian", "closed": "Päättynyt"}
_EARLIER = {"fi": "aikaistettu", "sv": "tidigarelagd", "en": "moved earlier"}
_WITHDRAWN = {"fi": "ei enää tekstissä", "sv": "inte längre i texten", "en": "no longer in the text"}


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _time(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


def event_title(event: Mapping[str, Any]) -> str:
    """The entry title of a deadline event, in the item's language.

    >>> event_title({"event": "opened", "kind": "consultation", "language": "fi", "deadline": "2020-09-25",
    ...              "time": None, "title": "Sote-uudistuksen lakiluonnokset lausunnolle", "at": ""})
    'Lausuntoaika päättyy 25.9.2020: Sote-uudistuksen lakiluonnokset lausunnolle'
    """
    lang = event.get("language") or "fi"
    closes, closed, extended = phrases(event.get("kind"), lang)
    day = format_date(_day(event["deadline"]), _time(event.get("time")), lang)
    kind = event["event"]
    if kind == "extended" and event.get("old_deadline"):
        old = format_date(_day(event["old_deadline"]), _time(event.get("old_time")), lang)
        head = f"{extended} {old} → {day}"
    elif kind == "extended":
        head = f"{extended} {day}"
    elif kind == "moved_earlier":
        was = {"fi": "ennen", "sv": "tidigare", "en": "was"}.get(lang, "ennen")
        old = format_date(_day(event["old_deadline"]), _time(event.get("old_time")), lang) \
            if event.get("old_deadline") else ""
        head = f"{closes} {day} ({_EARLIER.get(lang, _EARLIER['fi'])}" + (f", {was} {old})" if old else ")")
    elif kind == "withdrawn":
        head = f"{closes} {day}: {_WITHDRAWN.get(lang, _WITHDRAWN['fi'])}"
    elif kind == "closing_soon":
        left = days_left(_day(event["deadline"]), datetime.fromisoformat(event["at"]))
        head = f"{closes} {day}, {days_left_text(left, lang)}"
    elif kind == "closed":
        head = f"{closed} {day}"
    else:
        head = f"{closes} {day}"
    return f"{head}: {event['title']}"


DESCRIPTION = "Lausuntopyyntöjen, avustushakujen ja ilmoittautumisten määräajat: uudet, jatketut, pian päättyvät."


def event_entry(ev: Mapping[str, Any]) -> dict[str, Any]:
    """A feed entry (for :func:`sotevahti.feeds.build_feed`) of one deadline event.

    Its GUID is the event's id, so every event reaches a reader exactly once.
    """
    at = datetime.fromisoformat(ev["at"]).astimezone(HELSINKI)
    label = EVENT_LABELS.get(ev["event"], ev["event"])
    categories = [c for c in (label, ev.get("kind"), ev.get("organisation"),
                              region_name(ev["region"]) if ev.get("region") else None) if c]
    return {"guid": ev["id"], "title": event_title(ev), "url": ev["url"], "published": at, "updated": at,
            "description": f"{label}. {ev.get('organisation') or ''}: «{ev['sentence']}»",
            "categories": categories, "language": ev.get("language")}
