"""When to re-check a known article: often while it is fresh, rarely once it is old.

Listing pages, feeds and the API are read on every crawl (that is how new items are found).
A known article is fetched again only when it is due: every day during its first 30 days, every
week until it is a year old, then every month. Corrections cluster in the first days after
publication; a 2016 release is rarely edited. Watched pages are checked on every crawl.
Each check is a conditional GET, so even a due article usually costs a 304.
"""

from __future__ import annotations

from datetime import datetime, timedelta

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


def is_due(published: datetime, last_checked: datetime | None, now: datetime) -> bool:
    """Whether a known article should be fetched in a crawl at ``now``."""
    if last_checked is None:
        return True
    return now - last_checked >= recheck_interval(published, now) - SLACK
