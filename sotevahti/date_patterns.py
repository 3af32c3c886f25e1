"""Regular expressions and word lists behind sotevahti.dates (DOMAIN.md §2).

Kept apart from the matching logic so both stay short. Every pattern runs on
text folded by ``dates.fold_case`` (lowercase, same offsets), never with
re.IGNORECASE, which is several times slower in CPython.

Speed note: CPython's ``re`` can skip quickly to the positions where a pattern
may start only when the pattern begins with a literal or a character class.
So the hot patterns start with ``\\d`` and put their left guard *after* the
first digit: ``\\d(?<![\\d/.,]\\d)`` reads "a digit not preceded by a digit,
slash, dot or comma".
"""

from __future__ import annotations

import re

DASH = r"\s*[-‒–—]\s*"
DASH_RE = re.compile(DASH)
FI_STEMS = ("tammi", "helmi", "maalis", "huhti", "touko", "kesä",
            "heinä", "elo", "syys", "loka", "marras", "joulu")
_FI_STEM = "(" + "|".join(FI_STEMS) + ")"
NAMED_MONTHS = {
    "januari": 1, "january": 1, "februari": 2, "february": 2, "mars": 3, "march": 3,
    "april": 4, "maj": 5, "may": 5, "juni": 6, "june": 6, "juli": 7, "july": 7,
    "augusti": 8, "august": 8, "september": 9, "oktober": 10, "october": 10,
    "november": 11, "december": 12,
}
_NAMED_RE = "(" + "|".join(sorted(NAMED_MONTHS, key=len, reverse=True)) + ")"
_YEAR = r"(?:\s+(\d{4})(?!\d))?"
WEEKDAY = (
    r"(?:maanantai|tiistai|keskiviikko|torstai|perjantai|lauantai|sunnuntai)[a-zäö]*"
    r"|(?:ma|ti|ke|pe|la|su)\.?|to\."  # bare "to" is too often English
    r"|(?:måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag)(?:en)?"
    r"|(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday),?"
)
WEEKDAY_BEFORE = re.compile(r"(?<![\w-])(?:" + WEEKDAY + r")\s+(?:den\s+)?$")
# "klo 12.10." and the end of "klo 8.30–10.12." are times, not 12 October / 10 December.
TIME_WORD_BEFORE = re.compile(
    r"(?:(?:klo|kello|kl|klockan|at|ennen|före)\.?\s*|\d[.:]\d\d" + DASH + r")$")

# Each pattern yields one "atom": a single date, possibly partial. The guards
# keep diary numbers (300/04.00.02/2016), decimals and IP-like strings out,
# while letters before the day are allowed ("Kihniössä1.5.2026").
NUMERIC = re.compile(r"(\d(?<![\d/.,]\d)\d?)\.(\d{1,2})(\.(\d{4})?)?(?!\d)(?!\.\d)")
ISO = re.compile(
    r"\d(?<![\d-]\d)\d{3}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![\d-])"
)
ODATA = re.compile(r"/Date\((-?\d+)(?:[+-]\d{4})?\)/")
DMY_HYPHEN = re.compile(r"(\d(?<![\d-]\d)\d)-(\d{2})-(\d{4})(?!\d)")
FI_DAY_MONTH = re.compile(
    r"(\d(?<![\d/.,]\d)\d?)(?:\.\s*|\s+(?=päivänä))(?:päivänä\s+)?" + _FI_STEM
    + r"(?:kuu[a-zäö]*|k\.)" + _YEAR)
FI_GENITIVE = re.compile(
    r"(?<![\w-])" + _FI_STEM + r"kuun\s+(\d{1,2})\.(?:\s*päivä[a-zäö]*)?" + _YEAR)
NAMED_DAY_MONTH = re.compile(
    r"(\d(?<![\d/.,]\d)\d?)(?:\.|st|nd|rd|th)?\s+(?:of\s+)?" + _NAMED_RE + r"\b" + _YEAR)
NAMED_MONTH_DAY = re.compile(
    r"\b" + _NAMED_RE + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)")
FI_MONTH_ONLY = re.compile(
    r"(?<![\w-])(?:" + _FI_STEM + r"(?:kuu)?" + DASH + r")?" + _FI_STEM + r"kuu[a-zäö]*" + _YEAR)
# "may" and "march" double as English words, so alone they need a year.
NAMED_MONTH_ONLY = re.compile(
    r"\b(?:(?!may\b|march\b)" + _NAMED_RE + r"\b" + _YEAR + r"|(may|march)\s+(\d{4})(?!\d))")
# Cheap gate: the three named-month patterns run only when a month name occurs.
NAMED_GATE = re.compile(r"januar|februar|mar(?:s|ch)\b|april|ma[jy]\b|jun[ie]|jul[iy]\b|august"
                        r"|september|o[ck]tober|november|december")

# A range start the end completes: "12.–", "14.11.–", "1.9–", "30.12.2025-", "25–".
RANGE_PREFIX = re.compile(
    r"(?<![\d/.,])(\d{1,2})(\.(?:(\d{1,2})(?:\.(\d{4})?)?)?)?" + DASH + r"$")
BETWEEN_PREFIX = re.compile(
    r"(?:between|mellan|välillä|from|från)(?:\s+(?:the|den))?\s+(\d{1,2})(?:\.|st|nd|rd|th)?"
    r"\s+(?:and|och|ja|to|till|until)\s+$")
# "klo 16", "(klo 16.00)", "kl. 24.00", "at 4.15 pm", "ennen kello 16".
TIME_AFTER = re.compile(
    r"[.,]?\s*\(?(?:(?:ennen|före|viimeistään|senast)\s+)?(?:klo|kello|kl|klockan|at)\.?\s*"
    r"(\d{1,2})(?:[.:](\d{2}))?(?::\d{2})?(?!\d)(?!\.\d)(?:\s*([ap])\.?m\b\.?)?\)?")
# Only after a date with a year: "8.12.2020 10.12" is a stamp, not two dates.
BARE_TIME_AFTER = re.compile(r"\s+(\d{1,2})[.:](\d{2})(?::\d{2})?(?!\d)(?!\.\d)(?!\s*%)")
STAMP_LABEL = re.compile(
    r"(?:Julkaisuajankohta|Julkaistu|Viimeksi julkaistu|Utgivningsdatum|Artikel publicerad"
    r"|Publicerad|Senast publicerat|Publication date|Published)\s*:?\s*", re.IGNORECASE)
ISO_FRACTION = re.compile(r"^(.*T\d{2}:\d{2}:\d{2})\.(\d+)(.*)$")
