"""The fault suite's harness: three real crawls of a fault-injecting mirror, and the verdicts.

Used by ``tests/test_faults.py`` and by ``python -m tests.fault_report`` (RELIABILITY.md's table).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import feedparser
from icalendar import Calendar
from lxml import etree

from sotevahti.demo import mirror_sites
from sotevahti.mirror.faults import BY_NAME, TIMEOUT_SECONDS, FaultySites, listings_of, plan_faults
from sotevahti.mirror.server import ROBOTS_TXT, Mirror, Page
from sotevahti.sources import load_config
from sotevahti.store import Store

from .conftest import CRAWL_NOW, ROOT, TODAY

SOURCES = ("stm", "vm", "pirha", "omahame", "lapha", "hyvaks")
#: No crawl of the suite may take longer (a hang, a retry storm or a 30 MB page would).
CRAWL_SECONDS = 60
FAULT_NOW = CRAWL_NOW + timedelta(days=31)   # every known article is due for its re-check
HEAL_NOW = FAULT_NOW + timedelta(days=1)     # a second 404 a day later confirms a removal


@dataclass
class Suite:
    """What the three crawls did, for the verdicts."""

    db: Path
    targets: dict[str, str] = field(default_factory=dict)
    target_ids: dict[str, str] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    fault_requests: list[tuple[str, int]] = field(default_factory=list)
    baseline: dict[str, str] = field(default_factory=dict)
    status_faulty: list[dict[str, Any]] = field(default_factory=list)
    removed_after_fault: set[str] = field(default_factory=set)
    outputs_problems: list[str] = field(default_factory=list)
    final: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    removals: dict[str, int] = field(default_factory=dict)
    deadline_moves: dict[str, int] = field(default_factory=dict)

    def served(self, url: str) -> bool:
        """Whether the fault phase requested the target ``url``."""
        host_path = "/" + url.split("://", 1)[1].split("?")[0]
        return any(path.split("?")[0] == host_path for path, _ in self.fault_requests)

    @property
    def outputs_valid(self) -> bool:
        return not self.outputs_problems

    @property
    def lost(self) -> list[str]:
        return sorted(set(self.baseline) - set(self.final))

    @property
    def untouched_changed(self) -> list[str]:
        targeted = set(self.target_ids.values())
        return sorted(i for i, h in self.baseline.items() if i not in targeted and (
            i not in self.final or self.final[i]["content_hash"] != h or self.final[i]["removed_at"]
            or self.versions.get(i)))


def crawl(mirror: Mirror, out: Path, now: Any) -> tuple[dict[str, Any], float]:
    """One ``monitor.py crawl`` of the suite's sources, with a short download timeout."""
    env = {**os.environ, "SOTEVAHTI_DOWNLOAD_TIMEOUT": str(TIMEOUT_SECONDS)}
    started = time.monotonic()
    proc = subprocess.run([sys.executable, str(ROOT / "monitor.py"), "crawl", *SOURCES, "--out", str(out),
                           "--mirror", mirror.url, "--json", "--now", now.isoformat()],
                          capture_output=True, text=True, timeout=CRAWL_SECONDS * 3, cwd=ROOT, env=env)
    return {"returncode": proc.returncode, "stderr": proc.stderr, "stdout": proc.stdout}, time.monotonic() - started


def status(db: Path) -> list[dict[str, Any]]:
    proc = subprocess.run([sys.executable, str(ROOT / "monitor.py"), "status", "--db", str(db), "--json"],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    data = json.loads(proc.stdout)
    return data["sources"] if isinstance(data, dict) else data


def run_fault_suite(out: Path, seed: int) -> Suite:
    """Run the three crawls into ``out`` and collect what the verdicts need."""
    config = load_config(ROOT / "sources.toml")
    faulty = FaultySites(mirror_sites(config, today=TODAY))
    suite = Suite(db=out / "sotevahti.db")
    with Mirror([faulty]) as mirror:
        for phase, now in ((0, CRAWL_NOW), (1, FAULT_NOW), (2, HEAL_NOW)):
            if phase == 1:
                suite.targets = plan_faults(_candidates(suite.db), seed)
                faulty.set_targets(suite.targets, listings_of(config.sources))
                mirror.robots = Page(faulty.robots_txt(ROBOTS_TXT), "text/plain; charset=utf-8")
                suite.baseline, suite.target_ids = _snapshot(suite.db, suite.targets)
            faulty.phase = phase
            first_request = len(mirror.requests)
            run, seconds = crawl(mirror, out, now)
            suite.runs.append(run)
            suite.seconds.append(seconds)
            if phase == 1:
                suite.fault_requests = [(p, s) for _, p, s in mirror.requests[first_request:]]
                suite.status_faulty = status(suite.db)
                suite.removed_after_fault = _removed(suite.db)
                suite.outputs_problems = check_outputs(out / "public")
    _final(suite)
    return suite


def _candidates(db: Path) -> list[str]:
    """Relevant announcements of the suite's sources (so that their entries reach the feeds)."""
    store = Store(db)
    marks = ",".join("?" * len(SOURCES))
    rows = store.conn.execute(f"SELECT url FROM items WHERE kind = 'announcement' AND relevant = 1 "
                              f"AND source IN ({marks})", SOURCES).fetchall()
    store.close()
    return [r[0] for r in rows]


def _snapshot(db: Path, targets: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    store = Store(db)
    baseline = dict(store.conn.execute("SELECT id, content_hash FROM items").fetchall())
    ids = {name: store.conn.execute("SELECT item_id FROM item_urls WHERE url = ?", (url,)).fetchone()[0]
           for name, url in targets.items()}
    store.close()
    return baseline, ids


def _removed(db: Path) -> set[str]:
    store = Store(db)
    removed = {r[0] for r in store.conn.execute("SELECT id FROM items WHERE removed_at IS NOT NULL")}
    store.close()
    return removed


def _final(suite: Suite) -> None:
    store = Store(suite.db)
    suite.final = {r["id"]: r for r in store.db.query("SELECT id, content_hash, removed_at, version FROM items")}
    suite.versions = dict(store.conn.execute("SELECT item_id, count(*) FROM item_versions GROUP BY item_id"))
    suite.removals = {r["id"]: 1 for r in store.latest_removals(1000, relevant_only=False)}
    suite.deadline_moves = dict(store.conn.execute(
        "SELECT item_id, count(*) FROM deadline_events WHERE event IN ('extended', 'moved_earlier', 'withdrawn') "
        "GROUP BY item_id"))
    store.close()


def check_outputs(public: Path) -> list[str]:
    """Every public file parses, and no control character or bidi override reached one."""
    problems = []
    for path in sorted(public.rglob("*.xml")) + sorted(public.rglob("*.opml")):
        try:
            etree.parse(str(path), etree.XMLParser(resolve_entities=False))
        except etree.XMLSyntaxError as err:
            problems.append(f"{path.name}: {err}")
    for name in ("feed.xml", "atom.xml", "deadlines.xml"):
        if feedparser.parse((public / name).read_bytes()).bozo:
            problems.append(f"{name}: feedparser bozo")
    try:
        Calendar.from_ical((public / "deadlines.ics").read_bytes())
    except ValueError as err:
        problems.append(f"deadlines.ics: {err}")
    for path in [*public.rglob("*.html"), *public.rglob("*.xml"), public / "deadlines.ics"]:
        text = path.read_text(encoding="utf-8")
        if "\x01" in text or "\u202e" in text:
            problems.append(f"{path.name}: a control character or an RTL override got through")
        if "<script>alert(1)" in text:
            problems.append(f"{path.name}: hostile <script> written unescaped")
    return problems


def verdicts(suite: Suite) -> dict[str, dict[str, Any]]:
    """Per fault: ``kept`` (no stored item lost or corrupted), ``no_false_entry``, ``shown`` (in
    ``status --json`` of the fault crawl), with the figures behind them in ``detail``."""
    out = {}
    for name, item_id in suite.target_ids.items():
        fault = BY_NAME[name]
        row = suite.final.get(item_id)
        versions = suite.versions.get(item_id, 0)
        changed = row is not None and row["content_hash"] != suite.baseline.get(item_id)
        kept = row is not None and bool(row["removed_at"]) == fault.removal and (
            (changed and versions == 1) if fault.edit else (not changed and versions == 0))
        removed_early = item_id in suite.removed_after_fault
        no_false = (not removed_early and suite.removals.get(item_id, 0) == (1 if fault.removal else 0)
                    and versions == (1 if fault.edit else 0) and not suite.deadline_moves.get(item_id))
        shown_in = [r["source"] for r in suite.status_faulty
                    if any(r.get(group, {}).get(name) for group in ("errors", "warnings", "wire_errors")
                           for name in (fault.shows_as, fault.also) if name)]
        out[name] = {"kept": kept, "no_false_entry": no_false, "shown": bool(shown_in),
                     "detail": {"item": item_id, "url": suite.targets[name], "changed": changed, "versions": versions,
                                "removed": bool(row and row["removed_at"]), "removed_after_one_check": removed_early,
                                "shown_in": shown_in}}
    return out
