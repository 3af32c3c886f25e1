"""Running crawls: Scrapy settings for a crawl, one run row around it, feeds after it.

``monitor.py crawl`` calls :func:`run_crawl`. All spiders of one crawl share one Twisted
reactor, which cannot be restarted, so a process runs at most one crawl; the demo runs each
epoch's crawl in a subprocess.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

import settings as project_settings
from sotevahti.feeds import FeedPaths, write_feeds
from sotevahti.sources import Config, load_config
from sotevahti.store import Store


def crawl_settings(db: Path, sources_file: Path | None, public_dir: Path, *, mirror: str | None = None,
                   run_id: int | None = None, log_level: str = "WARNING", now: datetime | None = None) -> Settings:
    """Scrapy settings for one crawl into ``db``.

    With ``mirror`` (``http://127.0.0.1:PORT``) every real URL is fetched from the local mirror,
    and the delays shrink to nothing; robots.txt, AutoThrottle and conditional GETs stay on.
    """
    s = Settings()
    s.setmodule(project_settings, priority="project")
    s.set("SOTEVAHTI_DB", str(db), priority="cmdline")
    s.set("SOTEVAHTI_SOURCES", str(sources_file) if sources_file else "", priority="cmdline")
    s.set("SOTEVAHTI_PUBLIC_DIR", str(public_dir), priority="cmdline")
    s.set("SOTEVAHTI_RUN_ID", run_id, priority="cmdline")
    s.set("LOG_LEVEL", log_level, priority="cmdline")
    s.set("SOTEVAHTI_NOW", now.isoformat() if now else "", priority="cmdline")
    if mirror:
        s.set("SOTEVAHTI_MIRROR", mirror, priority="cmdline")
        s.setdict(project_settings.MIRROR_OVERRIDES, priority="cmdline")
    return s


def run_stats(all_stats: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Merge the Scrapy stats of a crawl's spiders into the run's stats.

    Byte and request counts are Scrapy's own (``downloader/*``); per-source figures come from
    the ``sotevahti/<source>/<what>`` counters the spiders and the pipeline keep.
    """
    out: dict[str, Any] = {"requests": 0, "response_bytes": 0, "requests_304": 0, "errors": 0,
                           "sources": {}, "field_validity": {}, "finish_reasons": []}
    for stats in all_stats:
        out["requests"] += int(stats.get("downloader/request_count", 0))
        out["response_bytes"] += int(stats.get("downloader/response_bytes", 0))
        out["requests_304"] += int(stats.get("downloader/response_status_count/304", 0))
        out["errors"] += int(stats.get("log_count/ERROR", 0))
        out["finish_reasons"].append(str(stats.get("finish_reason", "")))
        out["field_validity"].update(stats.get("sotevahti/field_validity", {}))
        for key, value in stats.items():
            parts = key.split("/")
            if len(parts) == 3 and parts[0] == "sotevahti":
                src = out["sources"].setdefault(parts[1], {})
                src[parts[2]] = src.get(parts[2], 0) + value
    return out


def crawl_now(settings: Settings | Mapping[str, Any]) -> datetime:
    """The crawl's "now": ``SOTEVAHTI_NOW`` when a test or a replay fixes it, else the clock."""
    fixed = settings.get("SOTEVAHTI_NOW")
    return datetime.fromisoformat(fixed) if fixed else datetime.now(UTC)


def write_public(store: Store, settings: Settings | Mapping[str, Any], now: datetime) -> FeedPaths:
    """Rebuild the public files (feeds, calendar) from the database."""
    config = load_config(settings.get("SOTEVAHTI_SOURCES") or None)
    return write_feeds(store, Path(settings.get("SOTEVAHTI_PUBLIC_DIR")), config.feed, now)


def progress_line(crawlers: Iterable[Any], width: int = 200) -> str:
    """``stm 14 sivua 9 kohdetta 0 virhettä | vm …``: pages fetched, items stored, errors, per source."""
    per_source: dict[str, dict[str, int]] = {}
    for crawler in crawlers:
        for key, value in crawler.stats.get_stats().items():
            parts = key.split("/")
            if len(parts) == 3 and parts[0] == "sotevahti" and isinstance(value, int):
                counts = per_source.setdefault(parts[1], {"pages": 0, "items": 0, "errors": 0})
                if parts[2] == "requests":
                    counts["pages"] += value
                elif parts[2] == "items":
                    counts["items"] += value
                elif parts[2].startswith("errors_"):
                    counts["errors"] += value
    line = " | ".join(f"{sid} {c['pages']} s. {c['items']} kohd. {c['errors']} virh."
                      for sid, c in sorted(per_source.items()))
    return line[: width - 1]


def _start_progress(crawlers: list[Any]) -> Any:
    """Print :func:`progress_line` every 2 s while the reactor runs: in place on a terminal."""
    from twisted.internet import task

    tty = sys.stderr.isatty()
    width = shutil.get_terminal_size((200, 20)).columns if tty else 200

    def report() -> None:
        line = progress_line(crawlers, width)
        if line:
            print(("\r\033[K" if tty else "") + line, end="" if tty else "\n", file=sys.stderr, flush=True)

    loop = task.LoopingCall(report)
    loop.start(2.0, now=False)
    return loop


def run_crawl(config: Config, source_ids: list[str], db: Path, sources_file: Path | None, public_dir: Path,
              *, mirror: str | None = None, log_level: str = "WARNING", now: datetime | None = None,
              progress: bool = False) -> dict[str, Any]:
    """Crawl the chosen sources (all enabled ones when empty) into ``db`` and rebuild the feeds.

    After the spiders, every open deadline is judged at ``now`` (closing soon, closed).

    :param now: the crawl's time; the clock when ``None``. Tests pass a fixed one.
    :param progress: show a live progress line per source on stderr.
    :return: the finished run row, with ``alarms`` listing sources that yielded no items.
    """
    sources = config.select(source_ids)
    store = Store(db)
    started = now or datetime.now(UTC)
    run_id = store.start_run([s.id for s in sources], started)
    settings = crawl_settings(db, sources_file, public_dir, mirror=mirror, run_id=run_id, log_level=log_level,
                              now=now)
    process = CrawlerProcess(settings)
    loader = SpiderLoader.from_settings(settings)
    crawlers = []
    for platform in sorted({s.platform for s in sources}):
        crawler = process.create_crawler(loader.load(platform))
        crawlers.append(crawler)
        process.crawl(crawler, sources=",".join(s.id for s in sources if s.platform == platform))
    loop = _start_progress(crawlers) if progress else None
    process.start()
    if loop is not None and loop.running:
        loop.stop()
    if progress:
        print(("\r\033[K" if sys.stderr.isatty() else "") + progress_line(crawlers), file=sys.stderr)
    stats = run_stats(c.stats.get_stats() for c in crawlers)
    failed = {s.id: str(c.stats.get_value("finish_reason")) for c in crawlers for s in sources
              if s.platform == c.spidercls.platform and c.stats.get_value("finish_reason") != "finished"}
    run = finish_crawl(store, run_id, stats, sources, settings, now or datetime.now(UTC), failed)
    store.close()
    return run


def finish_crawl(store: Store, run_id: int, stats: dict[str, Any], sources: Sequence[Any],
                 settings: Settings | Mapping[str, Any], now: datetime,
                 failed: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Everything after the spiders: source health, deadline statuses at ``now``, the run row,
    every public file. New alarms are printed to stderr. Used by ``monitor.py crawl`` and by the
    pipeline under a plain ``scrapy crawl``, so both end a crawl the same way.
    """
    status = "ok" if all(r == "finished" for r in stats["finish_reasons"]) else "failed"
    new_alarms = store.record_health(run_id, now, stats["sources"], stats["field_validity"], sources, failed)
    store.mark_backfilled([s.id for s in sources if s.id not in (failed or {}) and not _had_errors(stats, s.id)], now)
    ran = {s.id for s in sources}
    stats["alarms"] = [a["message"] for row in store.source_status() if row["source"] in ran for a in row["alarms"]]
    store.advance_deadlines(now, run_id)
    stats["deadlines"] = store.count_deadlines(run_id)
    run = store.finish_run(run_id, now, stats, status)
    run["feeds"] = write_public(store, settings, now)
    for alarm in new_alarms:
        print(f"alarm: {alarm.message}", file=sys.stderr)
    return run


def _had_errors(stats: Mapping[str, Any], source_id: str) -> bool:
    """Whether any request of the source failed in this run (its backfill is then not complete)."""
    counts = stats["sources"].get(source_id, {})
    return any(k.startswith("errors_") and v for k, v in counts.items())
