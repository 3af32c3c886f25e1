"""Regular expressions and word lists behind sotevahti.dates (DOMAIN.md §2).

Kept apart from the matching logic so both stay short. Every pattern runs on
text folded by ``dates.fold_case`` (lowercase, same offsets), never with
re.IGNORECASE, which is several times slower in CPython.

Speed notes (measured with callgrind, which counts instructions and so is
not fooled by a noisy machine): CPython's ``re`` spends most of its time
scanning, some 30-70 instructions per character, and far less matching.
So a pattern should let the engine reject most positions at their first
character: it begins with a literal (fastest), a character class, or a prefix
tree of literals (``stem_regex``), never with ``\\b`` or a look-behind, which
make it try every position in full. The hot date patterns start with a digit
and put their left guard *after* it: ``\\d(?<![\\d/.,]\\d)`` reads "a digit not
preceded by a digit, slash, dot or comma". ``\\d`` itself is compiled as
``[0-9]`` (``compile_fast``), which is tested about twice as fast.
"""

from __future__ import annotations

import re

from .regex_cache import compile_cached

_SPECIAL = re.compile(r"[\\()\[\]{}?*+|^$.]")


def stem_regex(stems: str | list[str], *, prefix_only: bool = True) -> str:
    """A regex for any of ``stems`` (a ``|``-joined string of literals, or a list), as a prefix tree.

    A list item may end in regex syntax ("avataan(?! uudelleen)"): the
    literal part up to the first special character goes into the tree and the
    rest is kept as that branch's tail. With ``prefix_only`` (for patterns that
    are only searched for, never anchored after), a stem that begins with a
    shorter plain stem is dropped, because the shorter one already matches.

    >>> stem_regex("haku|haet|hakemu|avustu")
    '(?:avustu|ha(?:et|k(?:emu|u)))'
    >>> stem_regex(["senast", "senast den", "sista dag"], prefix_only=False)
    's(?:enast(?: den|)|ista dag)'
    """
    items = stems.split("|") if isinstance(stems, str) else stems
    tree: dict = {}
    for item in items:
        literal, tail = _split_literal(item)
        node = tree
        for ch in literal:
            node = node.setdefault(ch, {})
        node.setdefault("", set()).add(tail)

    def esc(ch: str) -> str:
        return ch if ch.isalnum() or ch in " -" else re.escape(ch)

    def build(node: dict) -> str:
        tails = node.get("", set())
        if prefix_only and "" in tails:
            return ""
        parts = []
        for ch in sorted(k for k in node if k):
            text, child = esc(ch), node[ch]
            while len(child) == 1 and "" not in child:  # follow a chain of single letters
                ((nxt, child),) = child.items()
                text += esc(nxt)
            parts.append(text + build(child))
        parts += sorted(tails, reverse=True)  # the empty tail last
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"

    return build(tree)


def _split_literal(item: str) -> tuple[str, str]:
    r"""Split a regex into its literal head and the rest.

    >>> _split_literal(r"t\.o\.m\.?"), _split_literal(r"ab\.c\d+")
    (('t.o.m', '\\.?'), ('ab.c', '\\d+'))
    """
    literal: list[str] = []
    starts: list[int] = []  # where each literal character begins in ``item``
    i = 0
    while i < len(item):
        ch = item[i]
        if ch == "\\" and i + 1 < len(item) and not item[i + 1].isalnum():
            literal.append(item[i + 1])  # an escaped punctuation mark is a literal
            starts.append(i)
            i += 2
            continue
        if _SPECIAL.match(ch):
            break
        literal.append(ch)
        starts.append(i)
        i += 1
    if literal and i < len(item) and item[i] in "?*+{":  # a quantifier binds the last character
        i = starts.pop()
        literal.pop()
    return "".join(literal), item[i:]


def compile_fast(pattern: str, flags: int = 0) -> re.Pattern[str]:
    r"""``re.compile`` with ``\d`` read as ASCII ``[0-9]``, which ``re`` tests about twice as fast
    as the Unicode digit class (the sources only ever write ASCII digits).

    >>> compile_fast(r"(\d+)[\d.]").pattern
    '([0-9]+)[0-9.]'
    """
    out = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            pair = pattern[i:i + 2]
            out.append(("0-9" if in_class else "[0-9]") if pair == r"\d" else pair)
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
            out.append(ch)
            if pattern[i + 1:i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1:i + 2] == "]":  # a "]" first in a class is a literal
                out.append("]")
                i += 1
        elif ch == "]" and in_class:
            in_class = False
            out.append(ch)
        else:
            out.append(ch)
        i += 1
    return compile_cached("".join(out), flags)


_SPACES = str.maketrans(dict.fromkeys("\xa0\u2007\u2009\u202f\u200b", " "))


def fold_case(text: str) -> str:
    """Lowercase ``text`` keeping every offset, so matches map back onto the original.

    Matching folded text without re.IGNORECASE is several times faster in CPython.

    >>> fold_case("TORSTAINA 7. MARRASKUUTA")
    'torstaina 7. marraskuuta'
    """
    low = text.lower()
    if len(low) != len(text):  # a few letters ("İ") grow when lowered
        low = "".join(ch.lower()[0] for ch in text)
    if "\xa0" in low or "\u202f" in low or "\u2009" in low or "\u200b" in low:
        low = low.translate(_SPACES)  # web pages put no-break spaces in "klo\xa016" and "15.\xa0maaliskuuta"
    return low


DASH = r"\s*[-‒–—]\s*"
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
#: Abbreviated month names, read only next to a day and a year ("15 sept. 2025", "Mar 5, 2025").
MONTH_ABBREVIATIONS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "okt": 10, "oct": 10, "nov": 11, "dec": 12,
}
_ABBR_RE = "(" + "|".join(sorted(MONTH_ABBREVIATIONS, key=len, reverse=True)) + ")"
_YEAR = r"(?:\s+(\d{4})(?!\d))?"
FI_WEEKDAY_STEMS = ("maanantai", "tiistai", "keskiviikko", "torstai", "perjantai", "lauantai", "sunnuntai")
_SV_WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
_EN_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY = stem_regex(
    [w + "[a-zäö]*" for w in FI_WEEKDAY_STEMS]
    + [w + r"\.?" for w in ("ma", "ti", "ke", "pe", "la", "su")] + [r"to\."]  # bare "to" is too often English
    + [w + "(?:en)?" for w in _SV_WEEKDAYS] + [w + ",?" for w in _EN_WEEKDAYS],
    prefix_only=False)
#: The weekday words other than Finnish full forms (which start with FI_WEEKDAY_STEMS), for a
#: quick look-up before WEEKDAY_BEFORE runs.
WEEKDAY_WORDS = frozenset(
    [*("ma", "ti", "ke", "pe", "la", "su"), *("ma.", "ti.", "ke.", "to.", "pe.", "la.", "su."),
     *_SV_WEEKDAYS, *(w + "en" for w in _SV_WEEKDAYS), *_EN_WEEKDAYS, *(w + "," for w in _EN_WEEKDAYS)])
#: What joins two dates into a range: a dash, maybe a weekday after it ("3.11. – perjantai
#: 28.11.2025"), or "to"/"till"/"until" ("from 19 September to 31 October 2025").
RANGE_GAP = compile_fast(DASH + "(?:(?:" + WEEKDAY + r")\s+)?|\s+(?:to|till|until)\s+(?:(?:" + WEEKDAY + r")\s+)?")
#: The same after a start date's own time: "13.10.2025 klo 9.00 – 7.11.2025 klo 16.00".
TIMED_RANGE_GAP = compile_fast(r"\s*\(?(?:klo|kello|kl\.?|klockan)\s*\d{1,2}(?:[.:]\d\d)?\)?"
                               r"(?:" + DASH + r"|\s+(?:till|to|until)(?:\s+den)?\s+)")
#: A weekday right before a date; the caller checks that no letter precedes it.
WEEKDAY_BEFORE = compile_fast(WEEKDAY + r"\s+(?:den\s+)?$")
# "klo 12.10." and the end of "klo 8.30–10.12." are times, not 12 October / 10 December.
TIME_WORD_BEFORE = compile_fast(
    r"(?:(?:klo|kello|kl|klockan|at|ennen|före)\.?\s*|\d[.:]\d\d" + DASH + r")$")

# Each pattern yields one "atom": a single date, possibly partial. The guards
# keep diary numbers (300/04.00.02/2016), decimals and IP-like strings out,
# while letters before the day are allowed ("Kihniössä1.5.2026").
# "15. 3. 2025" (spaced, as word processors write it) only with a year, so "klo 15. 3 henkilöä" stays out.
NUMERIC = compile_fast(r"(\d(?<![\d/.,]\d)\d?)\.(?: (?=\d\d?\. ?(?:19|20)\d\d(?!\d)))?(\d{1,2})"
                       r"(\.(?: (?=(?:19|20)\d\d(?!\d)))?(\d{4})?)?(?!\d)(?!\.\d)")
ISO = compile_fast(
    r"\d(?<![\d-]\d)\d{3}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![\d-])"
)
ODATA = compile_fast(r"/Date\((-?\d+)(?:[+-]\d{4})?\)/")
DMY_HYPHEN = compile_fast(r"(\d(?<![\d-]\d)\d)-(\d{2})-(\d{4})(?!\d)")
FI_DAY_MONTH = compile_fast(
    r"(\d(?<![\d/.,]\d)\d?)(?:\.\s*|\s+(?=päivänä))(?:päivänä\s+)?" + _FI_STEM
    + r"(?:kuu[a-zäö]*|k\.)" + _YEAR)
# "(?<![\w-])" is written after each stem, as "tammi(?<![\w-]tammi)": the same test of the letter
# before the stem, but the pattern now begins with the stems' letters, which ``re`` skips ahead to.
FI_GENITIVE = compile_fast(
    "(" + "|".join(rf"{stem}(?<![\w-]{stem})" for stem in FI_STEMS) + ")"
    + r"kuun\s+(\d{1,2})\.(?:\s*päivä[a-zäö]*)?" + _YEAR)
NAMED_DAY_MONTH = compile_fast(
    r"(\d(?<![\d/.,]\d)\d?)(?:\.|st|nd|rd|th)?\s+(?:of\s+)?(?:" + _NAMED_RE + r"\b" + _YEAR
    + "|" + _ABBR_RE + r"\b\.?\s+(\d{4})(?!\d))")
# Month first ("March 5, 2025", "Mar. 5, 2025"). The caller checks that no letter precedes
# the month (a leading \b would stop the engine from skipping to likely positions).
NAMED_MONTH_DAY = compile_fast(
    "(" + stem_regex([*NAMED_MONTHS, *MONTH_ABBREVIATIONS], prefix_only=False) + r")\b\.?\s+(\d{1,2})"
    r"(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)")
#: What each of FI_DAY_MONTH, FI_GENITIVE and FI_MONTH_ONLY holds: a month stem right before "kuu"
#: or "k.". Those three begin with a look-behind, so ``re`` tries them at every position of a
#: text; this one begins with the stems, so it skips ahead, and a page that only says
#: "hoitotakuu" or "kuuleminen" is not scanned three times.
FI_MONTH_WORD = compile_fast(_FI_STEM + r"k(?:uu|\.)")
FI_MONTH_ONLY = compile_fast(
    r"(?<![\w-])(?:" + _FI_STEM + r"(?:kuu)?" + DASH + r")?" + _FI_STEM + r"kuu[a-zäö]*" + _YEAR)
# A month alone ("i december 2020", "till slutet av september"); "may" and "march" double as
# English words, so the caller drops them without a year. Same caveat about \b as above.
NAMED_MONTH_ONLY = compile_fast(
    "(" + stem_regex(list(NAMED_MONTHS), prefix_only=False) + r")\b(?:\s+(\d{4})(?!\d))?")
#: Cheap gate: the three named-month patterns run only when one of these is a word of
#: the text (a set look-up over the words is cheaper than any regex scan here).
MONTH_WORDS = frozenset([*NAMED_MONTHS, *MONTH_ABBREVIATIONS])


def named_month_possible(low: str) -> bool:
    """Whether a Swedish or English month name (or its abbreviation) is a word of ``low``."""
    # str.replace is several times cheaper than str.translate here
    words = (low.replace(".", " ").replace(",", " ").replace(")", " ").replace("-", " ").replace("–", " ")
             .replace("!", " ").replace(";", " ").split())
    return not MONTH_WORDS.isdisjoint(words)


#: Words after which a bare "5.5" (no final dot, no year) is a date: "Anmälan senast 5.5".
BARE_DATE_CUE = compile_fast(r"(?<!\w)(?:senast|viimeistään|till och med|t\.o\.m\.?|fram till|öppen till|öppet till"
                             r"|pågår till|gick ut|går ut"
                             r"|löper ut|löpte ut|stänger|stängde|stängdes|upphör|upphörde|closes)(?:\s+den)?\s+$")
#: A unit after a number, which makes "5.5" a decimal, not a date.
AMOUNT_AFTER = compile_fast(r"\s*(?:%|\w*pro[sc]ent|milj|mrd|€|euro|e\b|tun|timm|h\b|min|vuo|år|kk|mån|\d)")


# A range start the end completes: "12.–", "14.11.–", "1.9–", "30.12.2025-", "25–".
RANGE_PREFIX = compile_fast(
    r"(?<![\d/.,])(\d{1,2})(\.(?:(\d{1,2})(?:\.(\d{4})?)?)?)?" + DASH + r"$")
BETWEEN_PREFIX = compile_fast(
    r"(?:between|mellan|välillä|from|från)(?:\s+(?:the|den))?\s+(\d{1,2})(?:\.|st|nd|rd|th)?"
    r"(?:\s+" + _NAMED_RE + r")?\s+(?:and|och|ja|to|till|until)(?:\s+(?:the|den))?\s+$")
#: "och"/"and"/"ja" joins two dates into a range only after "mellan"/"between"/"välillä" (BETWEEN_BEFORE).
AND_GAP = compile_fast(r"\s+(?:och|and|ja)(?:\s+(?:the|den))?\s+")
BETWEEN_BEFORE = compile_fast(r"(?<!\w)(?:between|mellan|från|from)(?:\s+(?:the|den))?\s+$")
#: A range start right before a year-less end without its final dot: "15.3–" in "15.3–15.4 varje år".
RANGE_START_BEFORE = compile_fast(r"(?<![\d.])\d{1,2}\.\d{1,2}\.?" + DASH + "$")
#: "15/3/2025": day, month and a four-digit year, not inside a longer slash number.
SLASH_DMY = compile_fast(r"(\d(?<![\d/.]\d)\d?)/(\d{1,2})/((?:19|20)\d\d)(?![\d/])")
# The time written after a date, "klo 16", "(klo 16.00)", "kl. 24.00", "at 4.15 pm",
# "ennen kello 16" (groups 1-3), or a bare "10.12" after a year (groups 4-5): "8.12.2020 10.12"
# is a stamp, not two dates.
TIME_AFTER = compile_fast(
    r"[.,]?\s*\(?(?:(?:ennen|före|viimeistään|senast|fram till|till)\s+)?(?:klo|kello|kl|klockan|at)\.?\s*"
    r"(\d{1,2})(?:[.:](\d{2}))?(?::\d{2})?(?!\d)(?!\.\d)(?:\s*([ap])\.?m\b\.?)?\)?"
    r"|(?<=\d{4})\s+(\d{1,2})[.:](\d{2})(?::\d{2})?(?!\d)(?!\.\d)(?!\s*%)")
STAMP_LABEL = compile_fast(
    r"(?:Julkaisuajankohta|Julkaistu|Viimeksi julkaistu|Utgivningsdatum|Artikel publicerad"
    r"|Publicerad|Senast publicerat|Publication date|Published)\s*:?\s*", re.IGNORECASE)
ISO_FRACTION = compile_fast(r"^(.*T\d{2}:\d{2}:\d{2})\.(\d+)(.*)$")
