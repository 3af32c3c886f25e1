"""Argument types of the command line: each refuses what it cannot honour with one clear line.

Used as ``type=`` in argparse, so a bad value ends as ``monitor.py: error: …`` with exit 2 before
anything is written: no negative retention, no endless or zero intervals, no port out of range.
"""

from __future__ import annotations

import argparse
import math
import re
from datetime import datetime
from urllib.parse import urlsplit

from .clock import ClockError, parse_now

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
#: The longest interval ``schedule`` accepts (a year): anything longer is a typo.
MAX_INTERVAL = 366 * 86400
#: The longest retention ``prune --days`` accepts (a century).
MAX_DAYS = 36500


def aware_datetime(value: str) -> datetime:
    """``--now``: an ISO 8601 time with a UTC offset, between 1990 and 2200."""
    try:
        return parse_now(value)
    except ClockError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _seconds(value: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", value)
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration: {value!r} (use e.g. 90s, 30m, 6h, 1d)")
    seconds = float(match[1]) * _UNITS.get(match[2] or "s", 1)
    if not math.isfinite(seconds) or seconds > MAX_INTERVAL:
        raise argparse.ArgumentTypeError(f"duration too long: {value!r} (at most 366d)")
    return seconds


def interval(value: str) -> float:
    """``--every``: a positive duration, ``90s``, ``10m``, ``6h``, ``1d`` → seconds.

    >>> interval("6h")
    21600.0
    """
    seconds = _seconds(value)
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"the interval must be longer than zero: {value!r}")
    return seconds


def jitter(value: str) -> float:
    """``--jitter``: a duration of zero or more → seconds."""
    return _seconds(value)


def _whole_number(value: str, low: int, high: int | None, what: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < low or (high is not None and number > high):
        bound = f"between {low} and {high}" if high is not None else f"{low} or more"
        raise argparse.ArgumentTypeError(f"{what} must be {bound}: {value!r}")
    return number


def positive_int(value: str) -> int:
    """A whole number ≥ 1 (``--max-runs``, ``--limit``)."""
    return _whole_number(value, 1, None, "the number")


def retention_days(value: str) -> int:
    """``prune --days``: a whole number of days, 0 to 36500."""
    return _whole_number(value, 0, MAX_DAYS, "days")


def port(value: str) -> int:
    """``serve --port`` / ``mirror --port``: 0 (any free port) to 65535."""
    return _whole_number(value, 0, 65535, "the port")


def mirror_url(value: str) -> str:
    """``--mirror``: an ``http://host:port`` base URL, e.g. ``http://127.0.0.1:8765``."""
    parts = urlsplit(value.strip())
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a mirror URL: {value!r} (e.g. http://127.0.0.1:8765)") from None
    if (parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/")
            or parts.query or parts.fragment):
        raise argparse.ArgumentTypeError(f"not a mirror URL: {value!r} (e.g. http://127.0.0.1:8765)")
    return value.strip().rstrip("/")
