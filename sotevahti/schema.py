"""The explicit item schema: what a stored item must look like, checked before every write.

Spiders produce plain dicts. :func:`validate_item` lists what is wrong with one; an item with
a missing title, URL or publication date is rejected with that reason. :class:`FieldValidity`
counts, per source and field, the share of items whose value is valid, so a selector that
starts returning the wrong thing shows up in the run stats (City Scrapers' validation pipeline).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit


def _nonempty_str(v: Any) -> bool:
    # not v.strip(): that copies a 7 KB body to learn that its first character is a letter
    return isinstance(v, str) and bool(v) and not v.isspace()


def _url(v: Any) -> bool:
    if not isinstance(v, str):
        return False
    parts = urlsplit(v)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _aware_datetime(v: Any) -> bool:
    return isinstance(v, datetime) and v.tzinfo is not None and v.utcoffset() is not None


def _str_list(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v)


def _attachments(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and all(isinstance(a, Mapping) and _url(a.get("url")) for a in v)


def _lang(v: Any) -> bool:
    return v in ("fi", "sv", "en")


#: What an item is: a release or news item, a consultation request, a watched page, a decision.
ITEM_KINDS = ("announcement", "consultation", "page", "decision")


def _api_deadlines(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and all(
        isinstance(d, Mapping) and d.get("kind") and _iso_date(d.get("deadline")) for d in v)


def _iso_date(v: Any) -> bool:
    try:
        date.fromisoformat(v)
    except (TypeError, ValueError):
        return False
    return True


def _translations(value: Any) -> bool:
    return isinstance(value, dict) and all(_lang(k) and _url(v) for k, v in value.items())


@dataclass(frozen=True)
class Field:
    """One field of the schema: its check, whether it is required, and why it matters."""

    check: Callable[[Any], bool]
    required: bool
    doc: str


ITEM_SCHEMA: dict[str, Field] = {
    "id": Field(_nonempty_str, True, "stable id; the feed GUID"),
    "url": Field(_url, True, "canonical URL"),
    "source": Field(_nonempty_str, True, "source id from sources.toml"),
    "organisation": Field(_nonempty_str, True, "publishing organisation"),
    "region": Field(_nonempty_str, True, "'national' or a county code"),
    "title": Field(_nonempty_str, True, "headline"),
    "published": Field(_aware_datetime, True, "publication time, timezone-aware"),
    "type": Field(_nonempty_str, False, "type label as the site writes it (Tiedote, Uutinen …)"),
    "language": Field(_lang, False, "fi, sv or en"),
    "lead": Field(_nonempty_str, False, "lead paragraph, plain text"),
    "body": Field(_nonempty_str, False, "body text, plain, blocks separated by blank lines"),
    "tags": Field(_str_list, False, "ministry tags, one per element"),
    "attachments": Field(_attachments, False, "list of {title, url}"),
    "urls": Field(_str_list, False, "every URL the item was seen under"),
    "relevant": Field(lambda v: isinstance(v, bool), True, "topic filter decision"),
    "topic_terms": Field(_str_list, False, "stems the topic filter matched"),
    "kind": Field(lambda v: v in ITEM_KINDS, False, "announcement, consultation, page or decision"),
    "external_id": Field(_nonempty_str, False, "the source's own id (lausuntopalvelu proposal GUID …)"),
    "register_number": Field(_nonempty_str, False, "diary number, e.g. VN/6671/2026"),
    "related": Field(_str_list, False, "ids of items this one links to (a release → its proposal)"),
    "api_deadlines": Field(_api_deadlines, False, "authoritative deadlines: [{kind, deadline, time, sentence}]"),
    "translations": Field(_translations, False, "{language: URL} of the same release in other languages"),
}


def validate_item(item: Mapping[str, Any]) -> list[str]:
    """Reasons the item cannot be stored; empty when it is valid.

    Unknown keys are an error too: they mean a spider and the schema have drifted apart.

    >>> validate_item({"title": "Sote-uudistus etenee"})[:1]
    ['missing id']
    """
    problems = []
    for name, spec in ITEM_SCHEMA.items():
        value = item.get(name)
        if value is None or value == "":
            if spec.required:
                problems.append(f"missing {name}")
        elif not spec.check(value):
            problems.append(f"invalid {name}: {str(value)[:60]!r}")
    problems += [f"unknown field {k}" for k in item if k not in ITEM_SCHEMA]
    return problems


@dataclass
class FieldValidity:
    """Counts valid values per source and field over a run."""

    seen: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    valid: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))

    def add(self, item: Mapping[str, Any]) -> None:
        """Count one item (valid or not) towards its source's shares."""
        source = str(item.get("source") or "?")
        self.seen[source] += 1
        for name, spec in ITEM_SCHEMA.items():
            value = item.get(name)
            if value not in (None, "") and spec.check(value):
                self.valid[source][name] += 1

    def shares(self) -> dict[str, dict[str, float]]:
        """``{source: {field: share of items with a valid value}}``, rounded to 3 decimals."""
        return {
            src: {name: round(self.valid[src][name] / n, 3) for name in ITEM_SCHEMA}
            for src, n in self.seen.items()
        }
