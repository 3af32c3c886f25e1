"""The offline demo: the whole pipeline against the bundled mirror, through three epochs.

Epoch 1 is the initial site; epoch 2 adds two articles and edits one; epoch 3 changes nothing,
so its crawl should be answered mostly with 304s and store nothing new. The demo never reads
the clock: the mirror's "today" and epoch 1 are :data:`~sotevahti.clock.SIMULATED_DAY`
(24.11.2026 klo 12.00), and the epochs are crawled a day apart (``crawl --now``), so its output
is the same on any date and at any hour. Each epoch's crawl is the real ``monitor.py crawl`` in a
subprocess (Scrapy's reactor cannot be restarted).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import textwrap
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from .clock import SIMULATED_DAY
from .demo_alerts import MAIL_URL_ENV, alert_lines, demo_sources_file, epoch_alerts
from .display import format_datetime
from .feeds import write_feeds
from .mirror.county_sites import CountySites
from .mirror.faults import FaultySites, listings_of, plan_faults
from .mirror.lausuntopalvelu_site import LausuntopalveluSite
from .mirror.liferay_site import LiferaySite
from .mirror.server import ROBOTS_TXT, Mirror, Page, Site
from .mirror.smtp_sink import SmtpSink
from .mirror.watched_site import WatchedSite
from .sources import Config, load_config
from .store import Store

MONITOR = Path(__file__).resolve().parent.parent / "monitor.py"
EPOCHS = (1, 2, 3)
#: The demo's feeds say they live here: `monitor.py serve --out demo-output` (issue 14).
DEMO_PUBLIC_URL = "http://127.0.0.1:8000/"
#: The file that marks a directory as demo output, which the next demo may replace.
MARKER = ".sotevahti-demo"
_OUTPUTS = ("sotevahti.db", "sotevahti.db-wal", "sotevahti.db-shm", "sotevahti.db.lock", "sotevahti.httpcache",
            "public", "mail", "demo-sources.toml")


class DemoError(RuntimeError):
    """A crawl inside the demo failed."""


def run_demo(out: Path, sources_file: Path | None = None, faults: int | None = None) -> dict[str, Any]:
    """Run the demo into ``out`` (``out/sotevahti.db``, ``out/public/``) and return its summary.

    Earlier demo output in ``out`` is removed first, so every demo starts from an empty database;
    a database in ``out`` that no demo wrote (no :data:`MARKER` file) is never touched.

    :raises DemoError: when ``out`` holds a database the demo did not make.

    :param faults: a seed: inject every fault of :mod:`sotevahti.mirror.faults` into epochs 2 and 3
        (the ``once`` faults heal in epoch 3), each on a page the seed picks; the result then has
        ``"faults": {fault name: real URL}``.
    :return: ``{"db", "feeds": {"rss", "atom", "deadlines", "deadlines_atom", "ics"}, "items_by_source",
        "epochs": [...]}`` with absolute paths.
    """
    out = out.resolve()
    if (out / "sotevahti.db").exists() and not (out / MARKER).exists():
        raise DemoError(f"{out} holds a database the demo did not make; give another --out")
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("Output of `monitor.py demo`; the next demo replaces this folder's database.\n")
    for stale in _OUTPUTS:
        target = out / stale
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    config = load_config(sources_file)
    epochs = []
    days = [SIMULATED_DAY + timedelta(days=epoch - 1) for epoch in EPOCHS]
    sites = mirror_sites(config, today=SIMULATED_DAY.date())
    faulty = FaultySites(sites) if faults is not None else None
    crawl_sources = demo_sources_file(config, sources_file, out)   # + the demo's [[notify]] targets
    with Mirror([faulty] if faulty else sites) as mirror, SmtpSink(save_dir=out / "mail") as sink:
        # Only the sources the mirror has pages for: the other counties would be 404s here.
        mirrored = [s.id for s in config.sources if s.enabled and all(mirror.serves(u) for u in s.urls())]
        for epoch, day in zip(EPOCHS, days, strict=True):
            mirror.epoch = epoch
            sink.stamp_at = day   # the mail of this crawl is dated its simulated day
            if faulty is not None and faults is not None:
                inject_faults(faulty, mirror, out / "sotevahti.db", config, faults, phase=epoch - 1)
            # Epochs are a day apart, so that the daily re-check of fresh articles comes due.
            run = _crawl(out, mirror.url, crawl_sources, mirrored, day, {MAIL_URL_ENV: sink.apprise_url()},
                         faults=faulty is not None)
            epochs.append({
                "epoch": epoch, "requests": run["requests"], "response_bytes": run["response_bytes"],
                "requests_304": run["requests_304"], "items_new": run["items_new"],
                "items_updated": run["items_updated"], "items_rejected": run["items_rejected"],
                "deadlines_found": run["deadlines"]["found"],
                "deadline_events": {k: v for k, v in run["deadlines"].items() if k != "found"},
                "alarms": run["alarms"], "alerts": epoch_alerts(run),
            })
    store = Store(out / "sotevahti.db")
    # The public files once more, saying on the page that the day is simulated, at the demo's own
    # address (where `monitor.py serve --out DIR` serves them), not the config's public_url.
    feed_settings = dataclasses.replace(config.feed, public_url=DEMO_PUBLIC_URL, websub_hub="")
    feeds = write_feeds(store, out / "public", feed_settings, days[-1], simulated=True).as_json()
    counts = {s.id: 0 for s in config.sources} | store.counts_by_source()
    relevant = {s.id: 0 for s in config.sources} | store.counts_by_source(relevant_only=True)
    store.close()
    return {
        **({"faults": faulty.targets, "fault_seed": faults} if faulty else {}),
        "simulated_day": days[-1].isoformat(),
        "db": str(out / "sotevahti.db"),
        "feeds": feeds,
        "items_by_source": counts,
        "relevant_by_source": relevant,
        "sources_not_mirrored": [s.id for s in config.sources if s.id not in mirrored],
        "epochs": epochs,
        "mail": {"received": len(sink.raw), "saved_in": str(out / "mail")},
    }


def mirror_sites(config: Config, today: date | None = None) -> list[Site]:
    """Every mirrored site family, serving what ``config`` points the spiders at, with dates
    relative to ``today`` (default: the demo's simulated day, never the clock)."""
    today = today or SIMULATED_DAY.date()
    sites: list[Site] = [LiferaySite(config, today=today), WatchedSite(), LausuntopalveluSite(today=today),
                         CountySites(today=today)]
    return sites


def inject_faults(faulty: FaultySites, mirror: Mirror, db: Path, config: Config, seed: int, phase: int) -> None:
    """Before epoch 2, give each fault a target among the stored announcements; then move the phase on."""
    if phase == 1:
        store = Store(db)
        urls = [r[0] for r in store.conn.execute("SELECT url FROM items WHERE kind = 'announcement' AND relevant = 1")]
        store.close()
        faulty.set_targets(plan_faults(urls, seed), listings_of(config.sources))
        mirror.robots = Page(faulty.robots_txt(ROBOTS_TXT), "text/plain; charset=utf-8")
    faulty.phase = phase


def _crawl(out: Path, mirror_url: str, sources_file: Path | None, source_ids: list[str],
           now: datetime, extra_env: dict[str, str] | None = None, faults: bool = False) -> dict[str, Any]:
    cmd = [sys.executable, str(MONITOR), "crawl", *source_ids, "--out", str(out), "--mirror", mirror_url, "--json",
           "--now", now.isoformat()]
    if sources_file:
        cmd += ["--sources", str(sources_file)]
    # A hanging page must cost seconds, not minutes, but only the fault demo has one. Without faults
    # the timeout is long: on a loaded machine a 5 s timeout was seen to fire and retry a page, and
    # the demo's request counts must not depend on the machine's load.
    timeout = "5" if faults else "60"
    env = {**os.environ, "SOTEVAHTI_DOWNLOAD_TIMEOUT": os.environ.get("SOTEVAHTI_DOWNLOAD_TIMEOUT", timeout),
           **(extra_env or {})}
    if not faults:
        # One request at a time, so the order of the responses, and with it every count the demo
        # prints, is the same in every run (it costs the local mirror no time). The fault demo keeps
        # the crawl's concurrency: its hanging pages would otherwise hold up every other request.
        env["SOTEVAHTI_CONCURRENT_REQUESTS"] = "1"
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise DemoError(f"crawl failed (exit {proc.returncode}): {last}")
    return json.loads(proc.stdout)


def format_summary(result: dict[str, Any]) -> str:
    """The demo's human summary: one line per epoch and where the files are."""
    day = datetime.fromisoformat(result["simulated_day"])
    lines = ["Sotevahti demo: three crawls of the local mirror, a day apart, ending on the simulated day",
             f"{format_datetime(day)} (Simuloitu päivä; the real date does not matter)", ""]
    for e in result["epochs"]:
        lines.append(
            f"  epoch {e['epoch']}: {e['requests']:3d} requests ({e['requests_304']} × 304), "
            f"{e['response_bytes']:7d} bytes, {e['items_new']:2d} new, {e['items_updated']} updated, "
            f"{e['deadlines_found']:2d} deadlines found, events: "
            + (", ".join(f"{n} {k}" for k, n in sorted(e["deadline_events"].items())) or "none"))
    lines.append("")
    if "faults" in result:
        lines.append(f"Faults (seed {result['fault_seed']}): {len(result['faults'])} injected into epochs 2-3, "
                     "one page each; see `status --json` for how each source took them. Alarms:")
        lines += [f"  epoch {e['epoch']}: {a}" for e in result["epochs"] for a in e["alarms"]] or ["  none"]
        lines.append("")
    lines += [*alert_lines(result["epochs"], result["mail"]), ""]
    skipped = set(result["sources_not_mirrored"])
    shown = [f"{k} {v}" for k, v in result["items_by_source"].items() if k not in skipped]
    lines += textwrap.wrap("Items by source: " + ", ".join(shown), 100, subsequent_indent="  ")
    lines.append(f"({len(skipped)} configured sources have no pages in the mirror and were not crawled.)")
    lines.append(f"Database:  {result['db']}")
    lines.append(f"Announcements: {result['feeds']['rss']} (Atom: atom.xml)")
    lines.append(f"Deadlines:     {result['feeds']['deadlines']} (Atom: deadlines-atom.xml)")
    lines.append(f"Calendar:      {result['feeds']['ics']}")
    lines.append(f"Every feed:    {result['feeds']['opml']} (per region, organisation, kind, language)")
    lines.append(f"Web page:      {result['feeds']['html']} (open it in a browser; no server needed)")
    return "\n".join(lines)
