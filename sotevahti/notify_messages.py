"""The text of alert messages, in the subscriber's language (Finnish or Swedish).

An instant message is about one event: its title says what happened and to what, and its body
gives the organisation, the deadline in the reader's form ("pe 11.12.2026 klo 16.00",
"fre 11.12.2026 kl. 16.00") and the link. A digest lists the deadlines closing soon, soonest first.
Dates come from :mod:`sotevahti.display`, as everywhere else in Sotevahti.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from .dates import HELSINKI
from .display import days_left_text, format_date, format_datetime, phrases
from .notify_events import Event
from .regions import region_name
from .tracking import days_left
from .translations import release_of

_WEEKDAY_ABBR = {"fi": ("ma", "ti", "ke", "to", "pe", "la", "su"),
                 "sv": ("mån", "tis", "ons", "tors", "fre", "lör", "sön")}
_WORDS = {
    "fi": {"kinds": {"announcement": "Uusi tiedote", "consultation": "Uusi lausuntopyyntö",
                     "page": "Seurattu sivu muuttui", "decision": "Uusi päätös"},
           "alarm": "Hälytys, lähde {source}", "published": "Julkaistu", "region": "Alue",
           "digest": ("{n} määräaika päättyy {d} päivän sisällä", "{n} määräaikaa päättyy {d} päivän sisällä"),
           "digest_empty": "Ei määräaikoja {d} päivän sisällä", "footer": "Sotevahti"},
    "sv": {"kinds": {"announcement": "Nytt meddelande", "consultation": "Ny remiss",
                     "page": "En bevakad sida ändrades", "decision": "Nytt beslut"},
           "alarm": "Larm, källa {source}", "published": "Publicerad", "region": "Område",
           "digest": ("{n} tidsfrist går ut inom {d} dagar", "{n} tidsfrister går ut inom {d} dagar"),
           "digest_empty": "Inga tidsfrister inom {d} dagar", "footer": "Sotevahti"},
}


@dataclass(frozen=True)
class Message:
    """One message: the title (email subject, chat headline) and a plain-text body."""

    title: str
    body: str


def item_title(store: Any, item: Mapping[str, Any], language: str) -> str:
    """The item's title in ``language``: the one place messages get a title from (the linked
    version's title when its release has one in that language, see :mod:`sotevahti.translations`)."""
    return str(_version_in(store, item, language).get("title") or "")


def item_link(store: Any, item: Mapping[str, Any], language: str) -> str:
    """The address of the item's version in ``language`` (else the item's own)."""
    return str(_version_in(store, item, language).get("url") or "")


def _version_in(store: Any, item: Mapping[str, Any], language: str) -> Mapping[str, Any]:
    if item.get("language") != language and item.get("id"):
        for version in release_of(store, str(item["id"])):
            if version["language"] == language:
                return version
    return item


def deadline_when(day: date, at: time | None, language: str) -> str:
    """A deadline with its weekday, in the reader's form.

    >>> deadline_when(date(2026, 12, 11), time(16, 0), "fi"), deadline_when(date(2026, 12, 11), None, "sv")
    ('pe 11.12.2026 klo 16.00', 'fre 11.12.2026')
    """
    return f"{_WEEKDAY_ABBR[language][day.weekday()]} {format_date(day, at, language)}"


def event_message(store: Any, event: Event, language: str) -> Message:
    """The message for one event in ``language`` (``fi`` or ``sv``)."""
    words = _WORDS[language]
    if event.type == "alarm":
        alarm = event.alarm or {}
        text = str(alarm.get("message") or "").removeprefix(f"{alarm.get('source')}: ")
        return Message(f"{words['alarm'].format(source=alarm.get('source'))}: {text}",
                       f"{alarm.get('message')}\n{format_datetime(datetime.fromisoformat(event.at), language)}\n\n"
                       f"{words['footer']}")
    item = event.item or {}
    title = item_title(store, item, language)
    if event.type == "new":
        head = words["kinds"].get(item.get("kind") or "announcement", words["kinds"]["announcement"])
        dl = event.open_deadline
        deadline_line = _closes_line(dl["kind"], dl["deadline"], dl["time"], language) if dl else None
        subject = f"{head}: {title}"
    else:
        deadline_line = _deadline_event_line(event.deadline or {}, event.at, language)
        subject = f"{deadline_line}: {title}"
    lines = [title, _source_line(item, language)]
    if item.get("published"):
        lines.append(f"{words['published']} {_published(item['published'], language)}")
    if deadline_line:
        lines.append(deadline_line)
    lines += ["", item_link(store, item, language), "", words["footer"]]
    return Message(subject, "\n".join(lines))


def digest_message(store: Any, rows: Sequence[Mapping[str, Any]], within_days: int, language: str) -> Message:
    """A summary of the deadlines closing within ``within_days`` (rows of
    :func:`sotevahti.notify_events.digest_deadlines`), titled e.g. "13 määräaikaa päättyy 14 päivän sisällä"."""
    words = _WORDS[language]
    one, many = words["digest"]
    title = (one if len(rows) == 1 else many).format(n=len(rows), d=within_days) if rows \
        else words["digest_empty"].format(d=within_days)
    lines = []
    for r in rows:
        closes = _closes_line(r["kind"], r["deadline"], r["time"], language)
        item = store.get_item(r["item_id"]) or r
        lines += [f"{closes} ({days_left_text(r['days_left'], language)})",
                  f"  {item_title(store, item, language)} ({r['organisation']})",
                  f"  {item_link(store, item, language) or r['url']}", ""]
    lines.append(words["footer"])
    return Message(title, "\n".join(lines))


def _closes_line(kind: str | None, day: str, at: str | None, language: str) -> str:
    closes, _closed, _extended = phrases(kind, language)
    return f"{closes} {deadline_when(date.fromisoformat(day), time.fromisoformat(at) if at else None, language)}"


def _deadline_event_line(dl: Mapping[str, Any], event_at: str, language: str) -> str:
    """"Lausuntoaikaa jatkettu 4.12.2026 → pe 11.12.2026", "Remisstiden går ut fre 11.12.2026, 5 dagar kvar"."""
    closes, closed, extended = phrases(dl.get("kind"), language)
    day = date.fromisoformat(dl["deadline"])
    when = deadline_when(day, time.fromisoformat(dl["time"]) if dl.get("time") else None, language)
    event = dl.get("event")
    if event == "extended":
        old = f"{format_date(date.fromisoformat(dl['old_deadline']))} → " if dl.get("old_deadline") else ""
        return f"{extended} {old}{when}"
    if event == "closed":
        return f"{closed} {when}"
    if event == "closing_soon":
        return f"{closes} {when}, {days_left_text(days_left(day, datetime.fromisoformat(event_at)), language)}"
    return f"{closes} {when}"


def _source_line(item: Mapping[str, Any], language: str) -> str:
    """"Pirkanmaan hyvinvointialue", or "Tampereen kaupunki, Pirkanmaan hyvinvointialue"."""
    organisation, region = str(item.get("organisation") or ""), item.get("region")
    name = region_name(region, language) if region and region != "national" else ""
    return f"{organisation}, {name}" if name and name != organisation else organisation


def _published(iso: str, language: str) -> str:
    """"24.11.2026 klo 9.00"; a date without a time of day (midnight in Helsinki) as the date alone."""
    moment = datetime.fromisoformat(iso).astimezone(HELSINKI)
    return format_date(moment.date(), None, language) if moment.time() == time(0, 0) \
        else format_datetime(moment, language)
