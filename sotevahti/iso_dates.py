"""ISO 8601 and OData dates as aware Europe/Helsinki datetimes (DOMAIN.md §1.5, §2.2).

Kept apart from sotevahti.dates, which re-exports both names; the machine-readable
forms need none of its Finnish and Swedish rules.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sotevahti import date_patterns as pat

HELSINKI = ZoneInfo("Europe/Helsinki")


def parse_iso_datetime(value: str) -> datetime | None:
    """Parse ISO 8601 or OData ``/Date(ms)/`` into an aware Helsinki datetime.

    Naive ISO values (lausuntopalvelu Atom: "2026-04-22T10:52:41.58") are
    Helsinki wall time; "Z" and offsets are honoured; ``/Date(ms)/`` is UTC.

    >>> parse_iso_datetime("/Date(1436227199000)/").isoformat()
    '2015-07-07T02:59:59+03:00'
    """
    value = value.strip()
    m = pat.ODATA.fullmatch(value)
    if m:
        return datetime.fromtimestamp(int(m[1]) / 1000, tz=UTC).astimezone(HELSINKI)
    if value[-1:] in ("Z", "z"):
        value = value[:-1] + "+00:00"
    # fromisoformat in 3.11 accepts 3 or 6 fraction digits only; OData sends two.
    frac = pat.ISO_FRACTION.match(value)
    if frac:
        value = f"{frac[1]}.{frac[2][:6].ljust(6, '0')}{frac[3]}"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=HELSINKI)
    return parsed.astimezone(HELSINKI)


__all__ = ["HELSINKI", "parse_iso_datetime"]
