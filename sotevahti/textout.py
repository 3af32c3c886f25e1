"""Plain-text output of the query commands, with dates in Finnish form (25.9.2020 klo 16.15)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from .display import format_date, format_datetime, phrases


def _when(iso: str | None) -> str:
    return format_datetime(datetime.fromisoformat(iso)) if iso else "–"


def crawl_outcome_line(summary: Mapping[str, Any], public: object, log_file: str | None) -> str:
    """One line for a finished crawl (``monitor.py crawl`` prints it; on failure to stderr).

    >>> crawl_outcome_line({"run_id": 7, "status": "failed", "failing_sources": ["stm", "vm"], "requests": 4,
    ...     "items_new": 0, "items_updated": 0, "items_rejected": 0, "errors": 4}, "public", None)
    'run 7 failed: every source failed (stm, vm); 4 requests, 0 new; see `monitor.py status`'
    """
    failing = ", ".join(summary["failing_sources"])
    if summary["status"] == "interrupted":
        return f"run {summary['run_id']} interrupted: stopped before the end; nothing judged, the next crawl goes on"
    if summary["status"] == "failed":
        return (f"run {summary['run_id']} failed: every source failed ({failing}); {summary['requests']} requests, "
                f"{summary['items_new']} new; see `monitor.py status`" + (f" and {log_file}" if log_file else ""))
    head = f"run {summary['run_id']}: {summary['status']}" + (f" ({failing} failing)" if failing else "")
    errors = f", {summary['errors']} errors logged" + (f" in {log_file}" if log_file else " (see --log FILE)") \
        if summary.get("errors") else ""
    return (f"{head}, {summary['requests']} requests, {summary['items_new']} new, {summary['items_updated']} "
            f"updated, {summary['items_rejected']} rejected{errors}; feeds in {public}")


def format_status(rows: Sequence[Mapping[str, Any]], database: Mapping[str, Any],
                  last_run: Mapping[str, Any] | None = None) -> str:
    """One line per source: last run, last success, counts and its alarms (or ``ok``); then the
    database, and the last run when it did not end well (``interrupted``, ``failed``)."""
    lines = [f"{'source':<22} {'last run':<21} {'last success':<21} {'links':>5} {'items':>5} {'new':>4} "
             f"{'304':>4} {'err':>4}  state"]
    for r in rows:
        state = "ok" if r["ok"] else "; ".join(a["message"] for a in r["alarms"])
        lines.append(f"{r['source']:<22} {_when(r['last_run_at']):<21} {_when(r['last_success_at']):<21} "
                     f"{r['links']:>5} {r['items_found']:>5} {r['items_new']:>4} {r['responses_304']:>4} "
                     f"{sum(r['errors'].values()):>4}  {state}")
    scope = "" if database.get("integrity_checked", "full") == "full" else f" ({database['integrity_checked']})"
    lines.append(f"\nDatabase {database['path']}: {database['bytes'] / 1e6:.1f} MB, "
                 f"integrity {database['integrity']}{scope}")
    if last_run and last_run["status"] not in ("ok", "running"):
        lines.append(f"Last run {last_run['id']} (started {_when(last_run['started'])}): {last_run['status']}")
    return "\n".join(lines)


def format_search(rows: Sequence[Mapping[str, Any]]) -> str:
    """Hits with their date, organisation, title, URL and snippet."""
    if not rows:
        return "Ei osumia."
    out = []
    for r in rows:
        out.append(f"{_when(r['published'])}  {r['organisation']}: {r['title']}\n  {r['url']}\n  {r['snippet']}")
    return "\n\n".join(out)


def format_deadlines(rows: Sequence[Mapping[str, Any]]) -> str:
    """A deadline per line: date, days left, what closes, the item."""
    if not rows:
        return "Ei määräaikoja."
    out = []
    for r in rows:
        closes, closed, _ext = phrases(r["kind"], "fi")
        at = time.fromisoformat(r["time"]) if r["time"] else None
        when = format_date(date.fromisoformat(r["deadline"]), at)
        left = r["days_left"]
        mark = "päättynyt" if r["status"] == "closed" else "tänään" if left == 0 else f"{left} pv"
        soon = " !" if r["status"] != "closed" and left <= 7 else ""
        extended = " (jatkettu)" if r["status"] == "extended" else ""
        verb = closed if r["status"] == "closed" else closes
        out.append(f"{when:<22} {mark:>9}{soon:<2} {verb}{extended}: {r['title']} ({r['organisation']})")
    return "\n".join(out)


def format_history(h: Mapping[str, Any]) -> str:
    """An item and each of its versions, with what every edit added and removed."""
    item = h["item"]
    lines = [f"{item['title']}", f"{item['url']}", f"{item['organisation']}, julkaistu {_when(item['published'])}"]
    if item.get("removed_at"):
        lines.append(f"Poistettu {_when(item['removed_at'])}")
    for v in h["versions"]:
        span = f"{_when(v['seen_from'])} – {_when(v['until']) if v['until'] else 'nyt'}"
        lines.append(f"\nVersio {v['version']} ({span}): {v['title']}")
        change = v["diff_to_next"]
        if change:
            lines += [f"  + {a}" for a in change["added"]] + [f"  - {r}" for r in change["removed"]]
            lines += [f"  + linkki {a['title']} <{a['url']}>" for a in change["links_added"]]
            lines += [f"  - linkki {a['title']} <{a['url']}>" for a in change["links_removed"]]
    for d in h["deadlines"]:
        old = ", ".join(x["deadline"] for x in d["history"])
        lines.append(f"\nMääräaika {d['deadline']} ({d['kind']}, {d['status']})" + (f", aiemmin {old}" if old else ""))
    return "\n".join(lines)
