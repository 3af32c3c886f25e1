"""When to re-check a known article: often while it is fresh, rarely once it is old.

Listing pages, feeds and the API are read on every crawl (that is how new items are found).
A known article is fetched again only when it is due: every day during its first 30 days, every
week until it is a year old, then every month. Corrections cluster in the first days after
publication; a 2016 release is rarely edited. Watched pages are checked on every crawl.
Each check is a conditional GET, so even a due article usually costs a 304.

Due times are spread: each URL has its own phase within its interval (a stable hash of the URL),
and an article is due at the first point of its phase grid after its last check. Articles
backfilled on the same day therefore fall due on different days, one interval's share a day,
instead of as one cohort on days 7, 14, 21 … Articles with an open deadline are re-checked on
every crawl whatever their age (``spiders/base.py`` asks :meth:`Store.watched_until`).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

#: (age limit, interval): the first row whose limit the article's age is under applies.
SCHEDULE: tuple[tuple[timedelta, timedelta], ...] = (
    (timedelta(days=30), timedelta(days=1)),
    (timedelta(days=365), timedelta(days=7)),
    (timedelta.max, timedelta(days=30)),
)
#: Crawls scheduled "daily" drift by minutes; an article checked 23 h 30 min ago is due.
SLACK = timedelta(hours=1)


def recheck_interval(published: datetime, now: datetime) -> timedelta:
    """How often an article of this age is re-checked.

    >>> from datetime import UTC
    >>> recheck_interval(datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 24, tzinfo=UTC)).days
    1
    """
    age = now - published
    return next(interval for limit, interval in SCHEDULE if age < limit)


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
#: A re-check is never due again sooner than this after the last one.
MIN_GAP = timedelta(hours=12)


def phase(key: str, interval: timedelta) -> timedelta:
    """A key's stable offset within an interval, in whole days (the same in every run and machine)."""
    digest = int.from_bytes(hashlib.sha1(key.encode()).digest()[:8], "big")
    return timedelta(days=digest % max(interval.days, 1))


def next_due(key: str, published: datetime, last_checked: datetime, now: datetime) -> datetime:
    """When a known article is next due.

    Daily ones a day after the last check. Longer intervals run on a grid of days of their own:
    the first grid day (UTC midnight) at least :data:`MIN_GAP` after the last check, where the
    grid is offset by :func:`phase`.

    >>> from datetime import UTC
    >>> pub, seen = datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 11, 24, 10, tzinfo=UTC)
    >>> 0 < (next_due("https://stm.fi/-/1271139/a", pub, seen, seen) - seen).days <= 7
    True
    """
    interval = recheck_interval(published, now)
    if interval <= timedelta(days=1):
        return last_checked + interval
    offset = phase(key, interval)
    steps = (last_checked + MIN_GAP - _EPOCH - offset) // interval + 1
    return _EPOCH + offset + steps * interval


def is_due(key: str, published: datetime, last_checked: datetime | None, now: datetime) -> bool:
    """Whether a known article should be fetched in a crawl at ``now``.

    ``key`` spreads the re-checks (see :func:`phase`): the item's id, not the URL a crawl happened to
    meet it under, so that the day it is due does not depend on which of its addresses came first.
    """
    if last_checked is None:
        return True
    return now >= next_due(key, published, last_checked, now) - SLACK
