"""Tracking deadlines over time: what an item's text says now against what we stored before.

Plain functions, no database: :mod:`sotevahti.store_deadlines` persists what they decide.

A deadline keeps its identity when its date moves. Re-reading an edited release that now says
"Lausuntoaikaa on jatkettu 2.10.2020 saakka" instead of "Lausuntoaika päättyy 25.9.2020" pairs
the new date with the stored consultation deadline of the same item, so the stored row becomes
*extended* and keeps 25.9.2020 in its history instead of a second, unrelated deadline appearing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from .dates import HELSINKI

CLOSING_SOON_DAYS = 7


@dataclass(frozen=True)
class FoundDeadline:
    """A dated deadline read from an item's text (or given by an API)."""

    kind: str
    deadline: date
    time: time | None
    sentence: str
    extension: bool = False

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.kind, self.deadline.isoformat(), self.time.strftime("%H:%M") if self.time else None)


@dataclass(frozen=True)
class StoredDeadline:
    """The part of a stored deadline row that matching needs."""

    id: str
    kind: str
    deadline: date
    time: time | None

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.kind, self.deadline.isoformat(), self.time.strftime("%H:%M") if self.time else None)


@dataclass(frozen=True)
class Plan:
    """How newly found deadlines relate to stored ones."""

    unchanged: list[tuple[StoredDeadline, FoundDeadline]]
    moved: list[tuple[StoredDeadline, FoundDeadline]]
    new: list[FoundDeadline]
    #: stored deadlines the text no longer gives at all
    gone: list[StoredDeadline] = field(default_factory=list)


def item_deadlines(title: str, lead: str, body: str, published: datetime,
                   lang: str | None = None) -> list[FoundDeadline]:
    """The dated deadlines in an item's text, year-less dates read against its publication day.

    Vague ones ("keväällä 2026") are left out: they have no date to track. The same deadline
    repeated in the lead and the body counts once.

    >>> pub = datetime(2020, 9, 1, 10, 0, tzinfo=HELSINKI)
    >>> [d.deadline.isoformat() for d in item_deadlines("Lakiluonnokset lausunnolle", "",
    ...     "Lakiluonnokset ovat lausuntokierroksella 25.9. saakka.", pub)]
    ['2020-09-25']
    """
    # Imported here: the extractor's patterns take 0.1 s to compile, and most commands that
    # import this module (status, search, feeds, an all-304 crawl) never read a text.
    from .deadlines import extract_deadlines

    text = "\n\n".join(t for t in (title, lead, body) if t)
    ref = published.astimezone(HELSINKI).date()
    out: dict[tuple[str, str, str | None], FoundDeadline] = {}
    for d in extract_deadlines(text, lang, ref, vague=False):
        if d.deadline is None or d.kind is None:
            continue
        found = FoundDeadline(d.kind, d.deadline, d.time, d.sentence, d.extension)
        out.setdefault(found.key, found)
    return list(out.values())


def match_deadlines(stored: Sequence[StoredDeadline], found: Sequence[FoundDeadline]) -> Plan:
    """Pair found deadlines with stored ones.

    Exact matches (kind, date, time) first; then, per kind, the stored deadlines that vanished
    from the text are paired in date order with the new dates of that kind: those moved.
    Whatever is left over is new; stored deadlines left over are ``gone`` (the caller keeps
    them, marked withdrawn, and never deletes them).
    """
    by_key = {s.key: s for s in stored}
    unchanged, rest = [], []
    for f in found:
        if f.key in by_key:
            unchanged.append((by_key.pop(f.key), f))
        else:
            rest.append(f)
    moved, new = [], []
    leftovers = sorted(by_key.values(), key=lambda s: s.deadline)
    for f in sorted(rest, key=lambda f: f.deadline):
        partner = next((s for s in leftovers if s.kind == f.kind), None)
        if partner is None:
            new.append(f)
        else:
            leftovers.remove(partner)
            moved.append((partner, f))
    return Plan(unchanged=unchanged, moved=moved, new=new, gone=leftovers)


def move_event(old: StoredDeadline, new: FoundDeadline) -> str:
    """``extended`` when a deadline moved later, ``moved_earlier`` when it moved earlier.

    >>> old = StoredDeadline("dl-1", "consultation", date(2020, 10, 2), None)
    >>> move_event(old, FoundDeadline("consultation", date(2020, 9, 25), None, "…"))
    'moved_earlier'
    """
    return "moved_earlier" if deadline_end(new.deadline, new.time) < deadline_end(old.deadline, old.time) \
        else "extended"


def deadline_id(item_id: str, found: FoundDeadline) -> str:
    """A stable id for a deadline first seen as ``found`` in ``item_id``; it never changes after."""
    raw = "|".join([item_id, *(str(k) for k in found.key)])
    return "dl-" + hashlib.sha1(raw.encode()).hexdigest()[:16]


def utc_iso(dt: datetime) -> str:
    """A timezone-aware datetime as a sortable UTC string: ``2020-03-20T08:17:00+00:00``."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime")
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def deadline_end(day: date, at: time | None) -> datetime:
    """The last moment to act: the given time, or the end of the day, in Helsinki."""
    return datetime.combine(day, at or time(23, 59, 59), HELSINKI)


def days_left(day: date, now: datetime) -> int:
    """Whole days from ``now``'s Helsinki date to the deadline (0 on the day itself)."""
    return (day - now.astimezone(HELSINKI).date()).days


#: Deadline statuses still running: judged by ``advance_deadlines`` and listed as upcoming.
RUNNING = ("open", "extended")


def status_at(day: date, at: time | None, now: datetime, extended: bool) -> str:
    """``closed`` once the deadline has passed, else ``extended`` or ``open``.

    (A deadline the text no longer gives is ``withdrawn``; that is decided by the store.)
    """
    if now > deadline_end(day, at):
        return "closed"
    return "extended" if extended else "open"


def is_closing_soon(day: date, at: time | None, now: datetime) -> bool:
    """Open, and at most :data:`CLOSING_SOON_DAYS` days to go."""
    return now <= deadline_end(day, at) and days_left(day, now) <= CLOSING_SOON_DAYS
