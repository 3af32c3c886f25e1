"""Volatile page parts that must never count as a change: update stamps, view counters, cookie
banners and the date of the crawl.

changedetection.io users' top complaint is noise (#1337, #2899): "Viimeksi päivitetty" lines and
counters that change on every visit. These are removed from an item's text before it is hashed,
compared or stored, so a re-crawl of an unchanged release writes no new version. Each rule
removes a whole line; a source adds its own rules with ``ignore = ["regex", …]`` in the config.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_DATE = r"\d{1,2}\.\s?\d{1,2}\.(?:\s?\d{4})?"
DEFAULT_RULES: tuple[re.Pattern[str], ...] = tuple(re.compile(p, re.IGNORECASE) for p in (
    # update stamps: "Viimeksi päivitetty 3.3.2025", "Sivua päivitetty 12.1.2026 klo 9.15", "Senast uppdaterad: …"
    rf"^(?:sivua\s+|sivu\s+)?(?:viimeksi\s+)?(?:päivitetty|muokattu|päivitys)\b.{{0,20}}{_DATE}.*$",
    r"^(?:senast\s+)?(?:uppdaterad|ändrad)\b.{0,20}\d.*$",
    r"^(?:last\s+)?(?:updated|modified)\b.{0,20}\d.*$",
    # view and share counters: "Luettu 1 234 kertaa", "Katselukerrat: 87", "Visningar: 12"
    r"^(?:luettu|katsottu)\s+[\d\s]+\s*(?:kertaa|krt)\.?$",
    r"^(?:katselukerrat|lukukerrat|näyttökerrat|visningar|views|jaa|dela|share)\s*:?\s*[\d\s]*$",
    r"^[\d\s]+\s+(?:katselukertaa|lukukertaa|visningar|views)$",
    # cookie banners
    r"^.{0,80}\b(?:evästeitä|evästeet|kakor|cookies)\b.{0,160}$",
    # the date of the visit: "Tänään on tiistai 24.11.2026", "Tulostettu 24.11.2026"
    rf"^(?:tänään|idag|today)\b.{{0,30}}{_DATE}.*$",
    rf"^(?:tulostettu|haettu|utskriven|printed)\b.{{0,10}}{_DATE}.*$",
))


def strip_volatile(text: str, extra: Iterable[re.Pattern[str]] = ()) -> str:
    """Drop volatile lines and normalise whitespace, keeping blank lines between paragraphs.

    >>> strip_volatile("Lausuntoaika päättyy 25.9.2020.\\n\\nViimeksi päivitetty 3.3.2025\\n\\nLuettu 12 kertaa")
    'Lausuntoaika päättyy 25.9.2020.'
    """
    rules = (*DEFAULT_RULES, *extra)
    paragraphs = []
    for block in text.split("\n\n"):
        lines = [" ".join(line.split()) for line in block.splitlines()]
        kept = [line for line in lines if line and not any(rule.search(line) for rule in rules)]
        if kept:
            paragraphs.append("\n".join(kept))
    return "\n\n".join(paragraphs)
