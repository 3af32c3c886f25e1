"""Source health: did each source work in this run, and if not, what broke.

Plain functions, no database and no clock: :mod:`sotevahti.store_health` keeps the history and
the alarms, and passes "now" in.

Monitors of this kind fail silently: a feed generator returns an empty feed after a site
redesign, a change detector's scheduler stops for weeks and nobody notices. Each rule here turns
one such silent failure into an :class:`Alarm` with a concrete one-line message:

``crawl_failed``   the spider that read the source did not finish
``no_items``       no article links and no stored items (or every item rejected by the schema)
``errors``         too large a share of the source's requests failed (404/410 are not failures)
``layout_changed`` a configured CSS selector matched nothing
``validity_drop``  far fewer items than usual have a valid title, date, body, lead or URL
``stale``          no new item for longer than the source's expected cadence

The per-source counters are those of ``crawler.run_stats()``: ``links``, ``articles``, ``items``,
``rejected``, ``listing_pages``, ``feeds``, ``api_pages``, ``sitemaps``, ``selector_miss_<name>``,
``requests``, ``status_<code>`` and ``errors_<type>``. A missing counter counts as 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from .dates import HELSINKI

#: Every kind of alarm, in the order :func:`evaluate_source` reports them.
ALARM_KINDS = ("crawl_failed", "no_items", "errors", "layout_changed", "validity_drop", "stale")
#: Fields whose share of valid values is watched for drops.
VALIDITY_FIELDS = ("title", "published", "body", "lead", "url")
#: A share this far below the median of earlier runs is a drop.
VALIDITY_DROP = 0.2
#: How many earlier runs (with data) the medians are taken over.
HISTORY_WINDOW = 5
#: Fewer requests than this are too few to judge an error share.
MIN_REQUESTS = 4
DEFAULT_MAX_ERROR_SHARE = 0.25
#: Error types that are the site's answer, not a failure: a withdrawn release answers 404 or 410
#: and is tracked as a removed item.
NOT_FAILURES = frozenset({"http_404", "http_410"})

#: Counters that are no failure but that a reader of ``status`` should see: a lying charset header,
#: links skipped as no web URL, requests refused as offsite / on another port / by robots.txt, a
#: page missing once (a second 404 a day later removes it), text that every output must clean.
WARNINGS = ("charset_mismatch", "skipped_links", "offsite", "port", "scheme", "robots_forbidden", "missing",
            "long_titles", "unsafe_text")

_EPSILON = 1e-9
_SELECTOR_ORDER = ("item", "title", "date", "body")
_PAGES_READ = (("listing_pages", "listing page"), ("feeds", "feed"), ("api_pages", "API page"),
               ("sitemaps", "sitemap"))


@dataclass(frozen=True)
class Alarm:
    """One problem of one source in one run.

    :param source: the source id.
    :param kind: one of :data:`ALARM_KINDS`.
    :param message: one line, starting with the source id, with the figures that prove it.
    :param detail: the figures as data (JSON-serialisable).
    """

    source: str
    kind: str
    message: str
    detail: dict[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.kind not in ALARM_KINDS:
            raise ValueError(f"unknown alarm kind: {self.kind}")


def evaluate_source(source_id: str, counts: Mapping[str, int], validity: Mapping[str, float] | None,
                    history: Sequence[Mapping[str, Any]], last_new_item_at: datetime | None, now: datetime,
                    expected_cadence_days: int | None = None,
                    max_error_share: float = DEFAULT_MAX_ERROR_SHARE, *,
                    crawl_failed: str | None = None) -> list[Alarm]:
    """Judge one source after one run; an empty list means it is healthy.

    :param counts: this run's counters of the source (see the module docstring).
    :param validity: ``{field: share 0..1 of items with a valid value}`` of this run, or ``None``
        when the source stored no items.
    :param history: the source's earlier runs, newest first, each
        ``{"counts": {...}, "validity": {...} | None, "at": "<UTC ISO time>"}``.
    :param last_new_item_at: when the newest item first stored from this source was first seen.
    :param now: the time of the judgement (aware).
    :param expected_cadence_days: a new item is expected at least this often; ``None``: no
        expectation, no ``stale`` alarm.
    :param max_error_share: the largest share of failed requests that is still fine.
    :param crawl_failed: the finish reason of the spider that read the source, when it was not
        ``"finished"`` (e.g. ``"shutdown"``).
    """
    found = [
        _crawl_failed(source_id, crawl_failed),
        _no_items(source_id, counts, history),
        _errors(source_id, counts, max_error_share),
        _layout_changed(source_id, counts),
        _validity_drop(source_id, validity, history),
        _stale(source_id, last_new_item_at, history, now, expected_cadence_days),
    ]
    return [a for a in found if a is not None]


def alarm_id(alarm: Alarm, first_run: int) -> str:
    """The permanent feed GUID of one occurrence of an alarm: source, kind and its first run.

    An alarm that persists over several runs keeps the id of the run it appeared in, so it is
    one feed entry; after a recovery the same problem is a new occurrence with a new id.

    >>> alarm_id(Alarm("pirha", "no_items", "pirha: …"), 12)
    'health/pirha/no_items/run-12'
    """
    return f"health/{alarm.source}/{alarm.kind}/run-{int(first_run)}"


def summarise(counts: Mapping[str, int], items_new: int = 0) -> dict[str, Any]:
    """The stable per-source figures of one run, for ``status --json``.

    ``items_found`` is the item pages read (``articles``), or the items stored for sources
    that get whole items from a feed or an API; ``items_new`` comes from the database.
    """
    return {
        "requests": _n(counts, "requests"),
        "responses_304": _n(counts, "status_304"),
        "errors": error_counts(counts),
        "links": _n(counts, "links"),
        "items_found": _n(counts, "articles") or _n(counts, "items"),
        "items_new": int(items_new),
        "parse_failures": _n(counts, "rejected"),
        "selector_misses": selector_misses(counts),
        "warnings": {k: _int(counts[k]) for k in WARNINGS if _int(counts.get(k, 0)) > 0},
        # what the servers did, counted before the HTTP cache (which may answer with its stored copy)
        "wire_errors": {k.removeprefix("wire_"): _int(v) for k, v in sorted(counts.items())
                        if k.startswith("wire_") and _int(v) > 0},
    }


def error_counts(counts: Mapping[str, int]) -> dict[str, int]:
    """Failed requests by type: ``errors_<type>`` counters, plus responses with status ≥ 500.

    A 5xx response may be counted both as ``status_503`` and as ``errors_http_5xx``; the 5xx
    statuses only add to ``http_5xx`` what the ``errors_http_5…`` counters do not already hold.
    """
    out = {k.removeprefix("errors_"): _int(v) for k, v in counts.items() if k.startswith("errors_") and _int(v) > 0}
    server = sum(n for code, n in _statuses(counts).items() if code >= 500)
    named = sum(n for t, n in out.items() if t.startswith("http_5"))
    if server > named:
        out["http_5xx"] = out.get("http_5xx", 0) + server - named
    return dict(sorted(out.items()))


def selector_misses(counts: Mapping[str, int]) -> dict[str, int]:
    """``{selector name: pages it matched nothing on}``, listing selectors first."""
    misses = {k.removeprefix("selector_miss_"): _int(v) for k, v in counts.items()
              if k.startswith("selector_miss_") and _int(v) > 0}
    order = {name: i for i, name in enumerate(_SELECTOR_ORDER)}
    return dict(sorted(misses.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))


def run_yield(counts: Mapping[str, int]) -> int:
    """What a run of a source yielded: the article links it discovered, or else its stored items.

    A source of a family may find links whose items are filed under another source; items
    stored only by re-checking known articles (``rechecked``) are no yield of the source.
    """
    return _n(counts, "links") or (0 if _n(counts, "rechecked") else _n(counts, "items"))


# -- the rules ----------------------------------------------------------------------------


def _crawl_failed(sid: str, reason: str | None) -> Alarm | None:
    if not reason or reason == "finished":
        return None
    return Alarm(sid, "crawl_failed", f"{sid}: the crawl did not finish (finish reason '{reason}'); "
                 "the figures of this run are incomplete", {"finish_reason": reason})


def _no_items(sid: str, counts: Mapping[str, int], history: Sequence[Mapping[str, Any]]) -> Alarm | None:
    links, items, rejected = _n(counts, "links"), _n(counts, "items"), _n(counts, "rejected")
    if items == 0 and rejected:
        return Alarm(sid, "no_items", f"{sid}: stored no items: all {_plural(rejected, 'item')} read were "
                     "rejected by the schema (missing title or date)",
                     {"links": links, "items": 0, "rejected": rejected})
    # Discovery is what proves a source works: re-checks of known items (``rechecked``) still
    # store items after a redesign broke the listing, so they must not hide the alarm.
    if links or (items and not _n(counts, "rechecked")):
        return None
    read = {key: _n(counts, key) for key, _ in _PAGES_READ}
    what = _read_text(counts)
    detail: dict[str, Any] = {"links": 0, "items": 0, "pages_read": read, "requests": _n(counts, "requests"),
                              "earlier_runs": len(history)}
    productive = [(run_yield(h.get("counts") or {}), h) for h in history]
    productive = [(y, h) for y, h in productive if y > 0]
    if productive:
        typical = round(median(y for y, _ in productive[:HISTORY_WINDOW]))
        last = productive[0][1].get("at")
        detail.update(usual_yield=typical, last_yield_at=last)
        when = f"; last yield on {_day(last)}" if last else ""
        message = f"{sid}: found no article links and stored no items ({what}); " \
                  f"used to yield {_plural(typical, 'item')} per run{when}"
    elif history:
        message = f"{sid}: found no article links and stored no items ({what}); it has never yielded any " \
                  f"in {_plural(len(history), 'earlier run')} either: broken or misconfigured source"
    else:
        message = f"{sid}: found no article links and stored no items in its first run ({what}); " \
                  "a new source that finds nothing is broken"
    return Alarm(sid, "no_items", message, detail)


def _errors(sid: str, counts: Mapping[str, int], max_share: float) -> Alarm | None:
    failures = {t: n for t, n in error_counts(counts).items() if t not in NOT_FAILURES}
    # ``requests`` counts responses: a timeout or a DNS failure got none, so it is added.
    attempts = _n(counts, "requests") + sum(n for t, n in failures.items() if not t.startswith("http_"))
    if attempts < MIN_REQUESTS:
        return None
    total = sum(failures.values())
    share = total / attempts
    if share <= max_share:
        return None
    types = ", ".join(f"{t} {n}" for t, n in sorted(failures.items(), key=lambda kv: (-kv[1], kv[0])))
    return Alarm(sid, "errors", f"{sid}: {total} of {_plural(attempts, 'request')} failed ({share:.0%}; {types}), "
                 f"above the {max_share:.0%} limit",
                 {"requests": attempts, "errors": failures, "share": round(share, 3), "max_share": max_share})


def _layout_changed(sid: str, counts: Mapping[str, int]) -> Alarm | None:
    misses = selector_misses(counts)
    if not misses:
        return None
    parts, pages_of = [], {}
    for name, n in misses.items():
        key, label = ("listing_pages", "listing page") if name == "item" else ("articles", "item page")
        pages = _n(counts, key)
        pages_of[name] = pages
        parts.append((name, f"{n} of {_plural(pages, label)}" if pages > n else _plural(n, label)))
    if len(parts) == 1:
        message = f"{sid}: configured selector '{parts[0][0]}' matched nothing on {parts[0][1]}"
    else:
        message = f"{sid}: configured selectors matched nothing: " + ", ".join(f"'{n}' on {on}" for n, on in parts)
    return Alarm(sid, "layout_changed", message, {"misses": misses, "pages": pages_of})


def _validity_drop(sid: str, validity: Mapping[str, float] | None,
                   history: Sequence[Mapping[str, Any]]) -> Alarm | None:
    if not validity:
        return None
    drops: dict[str, dict[str, Any]] = {}
    for name in VALIDITY_FIELDS:
        if name not in validity:
            continue
        past = [float(h["validity"][name]) for h in history
                if h.get("validity") and h["validity"].get(name) is not None][:HISTORY_WINDOW]
        if not past:
            continue
        usual, now = median(past), float(validity[name])
        if usual - now >= VALIDITY_DROP - _EPSILON:
            drops[name] = {"share": now, "median": usual, "runs": len(past)}
    if not drops:
        return None
    parts = ", ".join(f"{name} {d['share']:.0%} (median {d['median']:.0%} over {_plural(d['runs'], 'run')})"
                      for name, d in drops.items())
    return Alarm(sid, "validity_drop", f"{sid}: fewer items have a valid value than before: {parts}",
                 {"fields": drops})


def _stale(sid: str, last_new: datetime | None, history: Sequence[Mapping[str, Any]], now: datetime,
           cadence: int | None) -> Alarm | None:
    if not cadence:
        return None
    detail: dict[str, Any] = {"expected_cadence_days": cadence}
    if last_new is None:
        if not history:
            return None
        since = history[-1].get("at")
        age = _age_days(now - datetime.fromisoformat(since)) if since else None
        detail.update(age_days=age, last_new_item_at=None, since=since)
        return Alarm(sid, "stale", f"{sid}: no item stored in any of its {len(history) + 1} runs"
                     + (f" over {_fmt_days(age)} days since {_day(since)}" if since else "")
                     + f" (expected a new one at least every {_plural(cadence, 'day')})", detail)
    if now - last_new <= timedelta(days=cadence):
        return None
    age = _age_days(now - last_new)
    detail.update(age_days=age, last_new_item_at=last_new.isoformat())
    return Alarm(sid, "stale", f"{sid}: no new item for {_fmt_days(age)} days (expected at least one every "
                 f"{_plural(cadence, 'day')}); the last one was first seen on {_day(last_new)}", detail)


# -- helpers ------------------------------------------------------------------------------


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _n(counts: Mapping[str, Any], key: str) -> int:
    return _int(counts.get(key))


def _statuses(counts: Mapping[str, Any]) -> dict[int, int]:
    return {int(k.removeprefix("status_")): _int(v) for k, v in counts.items()
            if k.startswith("status_") and k.removeprefix("status_").isdigit()}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _read_text(counts: Mapping[str, int]) -> str:
    read = [_plural(_n(counts, key), label) for key, label in _PAGES_READ if _n(counts, key)]
    text = "read " + ", ".join(read) if read else "read no listing page, feed, API page or sitemap"
    errors = error_counts(counts)
    if errors:
        text += "; errors: " + ", ".join(f"{t} {n}" for t, n in errors.items())
    return text


def _age_days(delta: timedelta) -> float:
    return round(delta.total_seconds() / 86400, 1)


def _fmt_days(days: float | None) -> str:
    return f"{days:g}" if days is not None else "?"


def _day(value: str | datetime) -> str:
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at.astimezone(HELSINKI).date().isoformat()
