"""The one place Sotevahti reads the clock.

Every command that judges time (crawl, feeds, deadlines, prune, status) takes ``--now``; without
it, :func:`current_time` gives ``$SOTEVAHTI_NOW`` when that is set (tests, replays) and the real
clock otherwise. The demo never reads the clock: it runs on :data:`SIMULATED_DAY`.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

from .iso_dates import HELSINKI

#: The demo's first epoch and the mirror's "today": Tuesday 24.11.2026 klo 12.00 in Helsinki.
SIMULATED_DAY = datetime(2026, 11, 24, 12, 0, tzinfo=HELSINKI)
#: Times Sotevahti accepts (``--now``, ``$SOTEVAHTI_NOW``): the reform's years and well beyond.
EARLIEST, LATEST = datetime(1990, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)


class ClockError(ValueError):
    """A fixed time that cannot be used (no UTC offset, out of range, not ISO 8601)."""


def parse_now(value: str) -> datetime:
    """An aware ISO 8601 time between 1990 and 2200.

    >>> parse_now("2026-11-24T08:00+02:00").isoformat()
    '2026-11-24T08:00:00+02:00'
    """
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ClockError(f"not an ISO 8601 time: {value!r} (e.g. 2026-11-24T08:00+02:00)") from None
    if parsed.tzinfo is None:
        raise ClockError(f"give a UTC offset, e.g. {value}+02:00")
    try:
        in_range = EARLIEST <= parsed <= LATEST
    except OverflowError:
        in_range = False
    if not in_range:
        raise ClockError(f"time out of range: {value!r} (between {EARLIEST.year} and {LATEST.year})")
    return parsed


def current_time() -> datetime:
    """``$SOTEVAHTI_NOW`` when set (tests and replays fix it), else the clock, as an aware time."""
    fixed = os.environ.get("SOTEVAHTI_NOW")
    return parse_now(fixed) if fixed else datetime.now(UTC)


def today_in_helsinki(now: datetime | None = None) -> date:
    """The calendar day in Helsinki at ``now`` (default :func:`current_time`).

    >>> today_in_helsinki(datetime(2026, 11, 24, 23, 30, tzinfo=UTC)).isoformat()
    '2026-11-25'
    """
    return (now or current_time()).astimezone(HELSINKI).date()
