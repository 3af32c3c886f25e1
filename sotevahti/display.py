"""How dates and deadlines are shown to people: the Finnish way (25.9.2020 klo 16.15).

Swedish pages get ``kl.``, English ones ``at``; the date itself is always D.M.YYYY, as the
sources write it.
"""

from __future__ import annotations

from datetime import date, datetime, time

from .dates import HELSINKI

_CLOCK = {"fi": "klo", "sv": "kl.", "en": "at"}

#: kind -> (closes, closed, extended), per language
DEADLINE_PHRASES: dict[str, dict[str, tuple[str, str, str]]] = {
    "fi": {
        "consultation": ("Lausuntoaika päättyy", "Lausuntoaika päättyi", "Lausuntoaikaa jatkettu"),
        "application": ("Hakuaika päättyy", "Hakuaika päättyi", "Hakuaikaa jatkettu"),
        "registration": ("Ilmoittautuminen päättyy", "Ilmoittautuminen päättyi", "Ilmoittautumisaikaa jatkettu"),
        "other": ("Määräaika päättyy", "Määräaika päättyi", "Määräaikaa jatkettu"),
    },
    "sv": {
        "consultation": ("Remisstiden går ut", "Remisstiden gick ut", "Remisstiden förlängd"),
        "application": ("Ansökningstiden går ut", "Ansökningstiden gick ut", "Ansökningstiden förlängd"),
        "registration": ("Anmälningstiden går ut", "Anmälningstiden gick ut", "Anmälningstiden förlängd"),
        "other": ("Tidsfristen går ut", "Tidsfristen gick ut", "Tidsfristen förlängd"),
    },
    "en": {
        "consultation": ("Consultation closes", "Consultation closed", "Consultation extended"),
        "application": ("Applications close", "Applications closed", "Application period extended"),
        "registration": ("Registration closes", "Registration closed", "Registration extended"),
        "other": ("Deadline", "Deadline passed", "Deadline extended"),
    },
}
_DAYS_LEFT = {
    "fi": ("tänään", "huomenna", "{n} päivää jäljellä"),
    "sv": ("i dag", "i morgon", "{n} dagar kvar"),
    "en": ("today", "tomorrow", "{n} days left"),
}


def format_date(day: date, at: time | None = None, lang: str = "fi") -> str:
    """``25.9.2020`` or ``25.9.2020 klo 16.15`` (``kl. 16.15`` in Swedish).

    >>> format_date(date(2020, 9, 25), time(16, 15))
    '25.9.2020 klo 16.15'
    """
    text = f"{day.day}.{day.month}.{day.year}"
    if at is not None:
        clock = "24.00" if at >= time(23, 59, 59) else f"{at.hour}.{at.minute:02d}"
        text += f" {_CLOCK.get(lang, 'klo')} {clock}"
    return text


def format_datetime(moment: datetime, lang: str = "fi") -> str:
    """An aware datetime in Helsinki time: ``20.3.2020 klo 10.17``."""
    local = moment.astimezone(HELSINKI)
    return format_date(local.date(), local.time().replace(second=0, microsecond=0), lang)


def phrases(kind: str | None, lang: str | None) -> tuple[str, str, str]:
    """(closes, closed, extended) for a deadline kind in a language (Finnish by default)."""
    table = DEADLINE_PHRASES.get(lang or "fi", DEADLINE_PHRASES["fi"])
    return table.get(kind or "other", table["other"])


def days_left_text(days: int, lang: str | None = "fi") -> str:
    """``tänään``, ``huomenna`` or ``5 päivää jäljellä``."""
    today, tomorrow, many = _DAYS_LEFT.get(lang or "fi", _DAYS_LEFT["fi"])
    return today if days <= 0 else tomorrow if days == 1 else many.format(n=days)
