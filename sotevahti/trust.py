"""Whether what a re-crawl read may replace what is stored, and whether a missing page is gone.

Plain functions, no database and no clock: :class:`sotevahti.store.Store` applies them and
passes "now" in. A bad fetch must never become news, so the rules are one-sided: content that
looks damaged is not a new version but a health event (counted as ``errors_<reason>`` for its
source), and the stored version stays.

``mojibake``     the new text has U+FFFD or UTF-8-read-as-Latin-1 sequences the stored one has
                 not ("yhteistyÃ¶alueet", "yhteisty�alueet"): a decoding fault, never stored
``not_article``  the new body is empty or nearly so while the stored one was a real text (a soft
                 404: an article that redirects to a listing, an error page answered with 200)
``shrunk``       the new body is less than half the stored one, or shorter and without most of the
                 stored lines (a truncated download, or a cut page padded with the site's footer);
                 stored only when the same text is read again at least a day later
``soft_404``     (counted by the spiders) a known article redirected to a listing page

A page that answers 404 or 410 is *missing*; it is *removed* (and announced) only when it is
still missing on a later check at least :data:`CONFIRM_AFTER` later, so one transient 404 is
never news.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

#: A second failing check this much later confirms a removal or a shrunk text (a day, with the
#: same slack as the re-check schedule).
CONFIRM_AFTER = timedelta(hours=23)
#: A body shorter than this share of the stored one is suspect.
SHRINK_RATIO = 0.5
#: Stored bodies shorter than this are too short to judge shrinking by.
MIN_JUDGED_CHARS = 120
#: A body under this many characters is no article when the stored one was one.
NOT_ARTICLE_CHARS = 40
#: Reasons that no second sighting can confirm.
NEVER_ACCEPTED = frozenset({"mojibake", "not_article"})

_BROKEN = re.compile("\ufffd|[ÃÂ][\u0080-\u00bf\u2013-\u203a\u20ac\u0152\u0153\u0160\u0161\u0178]|â€")


def broken_chars(text: str) -> int:
    """How many decoding faults ``text`` shows: replacement characters and mojibake pairs.

    >>> broken_chars("Yhteistyöalueet"), broken_chars("YhteistyÃ¶alueet"), broken_chars("Yhteisty\\ufffdalueet")
    (0, 1, 1)
    """
    return len(_BROKEN.findall(text))


def _text(fields: Mapping[str, Any]) -> str:
    return "\n".join(str(fields.get(k) or "") for k in ("title", "lead", "body"))


def _body_len(fields: Mapping[str, Any]) -> int:
    return len((fields.get("lead") or "").strip()) + len((fields.get("body") or "").strip())


def judge_update(stored: Mapping[str, Any], new: Mapping[str, Any]) -> str | None:
    """Why ``new`` (title, lead, body) may not replace ``stored``, or ``None`` when it may.

    >>> old = {"title": "Yhteistyöalueet", "lead": "", "body": "Hyvinvointialueet tekevät yhteistyötä. " * 20}
    >>> judge_update(old, {**old, "body": old["body"] + "Lisäys."}) is None
    True
    >>> judge_update(old, {**old, "title": "YhteistyÃ¶alueet"})
    'mojibake'
    >>> judge_update(old, {**old, "body": old["body"][:200]})
    'shrunk'
    >>> judge_update(old, {"title": "Pirha nyt", "lead": "", "body": ""})
    'not_article'
    """
    if broken_chars(_text(new)) > broken_chars(_text(stored)):
        return "mojibake"
    old_len, new_len = _body_len(stored), _body_len(new)
    if old_len >= NOT_ARTICLE_CHARS and new_len < NOT_ARTICLE_CHARS:
        return "not_article"
    if old_len >= MIN_JUDGED_CHARS and (new_len < old_len * SHRINK_RATIO or (
            new_len < old_len and _kept_share(stored, new) < SHRINK_RATIO)):
        return "shrunk"
    return None


def _lines(fields: Mapping[str, Any]) -> list[str]:
    text = f"{fields.get('lead') or ''}\n{fields.get('body') or ''}"
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _kept_share(stored: Mapping[str, Any], new: Mapping[str, Any]) -> float:
    """The share of the stored text (by characters) whose lines are still in the new text: a cut
    page whose extractor fell back to the footer is shorter *and* has lost most of the article."""
    old, now = _lines(stored), set(_lines(new))
    total = sum(len(line) for line in old)
    return sum(len(line) for line in old if line in now) / total if total else 1.0


def held_long_enough(reason: str, held_hash: str | None, held_since: datetime | None, new_hash: str,
                     now: datetime) -> bool:
    """Whether a suspect text has been read unchanged long enough to be the page's real text.

    Only a ``shrunk`` text can be: the same shorter text, read again a day after it was first
    held back, is a real edit (a ministry cut a page), not a truncated download.
    """
    return (reason not in NEVER_ACCEPTED and held_hash == new_hash and held_since is not None
            and now - held_since >= CONFIRM_AFTER)


def removal_confirmed(missing_since: datetime | None, now: datetime) -> bool:
    """Whether a page that is missing now was already missing at least a day ago.

    >>> from datetime import UTC
    >>> first = datetime(2026, 11, 24, 12, tzinfo=UTC)
    >>> removal_confirmed(None, first), removal_confirmed(first, first + timedelta(hours=2))
    (False, False)
    >>> removal_confirmed(first, first + timedelta(days=1))
    True
    """
    return missing_since is not None and now - missing_since >= CONFIRM_AFTER
