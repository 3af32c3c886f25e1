"""Running crawls: Scrapy settings for a crawl, one run row around it, feeds after it.

``monitor.py crawl`` calls :func:`run_crawl`. All spiders of one crawl share one Twisted
reactor, which cannot be restarted, so a process runs at most one crawl; the demo runs each
epoch's crawl in a subprocess.
"""

from __future__ import annotations

import gc
import shutil
import signal
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

# Imported here, near the bottom of the stack: its module makes deprecated aliases with
# inspect.stack(), which reads the source of every frame above it. Imported where Scrapy first
# needs it, deep under the engine's frames, that took about 0.2 s of every crawl.
import scrapy.core.downloader.handlers.http11  # noqa: F401
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.ossignal import install_shutdown_handlers
from twisted.internet.defer import DeferredList

import settings as project_settings
from sotevahti import lemma_memo
from sotevahti.clock import current_time
from sotevahti.feeds import FeedPaths, write_feeds
from sotevahti.health import FAILURE_KINDS
from sotevahti.publishing import announce_changes
from sotevahti.sources import Config, load_config
from sotevahti.store import Store

#: Seconds a Ctrl-C'd crawl may take to finish the requests in flight before the reactor stops.
STOP_GRACE = 3.0


def crawl_settings(db: Path, sources_file: Path | None, public_dir: Path, *, mirror: str | None = None,
                   run_id: int | None = None, log_level: str = "WARNING", now: datetime | None = None,
                   log_file: str | None = None, verbose: bool = False) -> Settings:
    """Scrapy settings for one crawl into ``db``.

    With ``mirror`` (``http://127.0.0.1:PORT``) every real URL is fetched from the local mirror,
    and the delays shrink to nothing; robots.txt, AutoThrottle and conditional GETs stay on.
    Scrapy's log (with the tracebacks of network errors) goes to ``log_file``, to stderr only
    with ``verbose`` and no file, and nowhere otherwise: failures reach the user as alarms.
    """
    s = Settings()
    s.setmodule(project_settings, priority="project")
    s.set("SOTEVAHTI_DB", str(db), priority="cmdline")
    s.set("SOTEVAHTI_SOURCES", str(sources_file) if sources_file else "", priority="cmdline")
    s.set("SOTEVAHTI_PUBLIC_DIR", str(public_dir), priority="cmdline")
    s.set("SOTEVAHTI_RUN_ID", run_id, priority="cmdline")
    s.set("LOG_LEVEL", "INFO" if log_file and not verbose else log_level, priority="cmdline")
    s.set("LOG_ENABLED", bool(verbose or log_file), priority="cmdline")
    if log_file:
        s.set("LOG_FILE", str(log_file), priority="cmdline")
        s.set("LOG_FILE_APPEND", True, priority="cmdline")
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
    """The crawl's "now": the ``SOTEVAHTI_NOW`` setting when a test or a replay fixes it, else
    :func:`sotevahti.clock.current_time`."""
    fixed = settings.get("SOTEVAHTI_NOW")
    return datetime.fromisoformat(fixed) if fixed else current_time()


def write_public(store: Store, settings: Settings | Mapping[str, Any], now: datetime) -> FeedPaths:
    """Rebuild the public files (feeds, calendar) from the database."""
    config = load_config(settings.get("SOTEVAHTI_SOURCES") or None)
    return write_feeds(store, Path(settings.get("SOTEVAHTI_PUBLIC_DIR")), config.feed, now)


def ping_websub(paths: FeedPaths, settings: Settings | Mapping[str, Any]) -> dict[str, Any]:
    """Tell the configured WebSub hub which feeds the rebuild changed; a failing hub is one warning on stderr."""
    config = load_config(settings.get("SOTEVAHTI_SOURCES") or None)
    record = announce_changes(paths.changed, Path(settings.get("SOTEVAHTI_PUBLIC_DIR")), config.feed,
                              str(settings.get("USER_AGENT") or project_settings.USER_AGENT))
    if record["warning"]:
        print(f"warning: {record['warning']}", file=sys.stderr)
    return record


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
              progress: bool = False, log_file: str | None = None, verbose: bool = False) -> dict[str, Any]:
    """Crawl the chosen sources (all enabled ones when empty) into ``db`` and rebuild the feeds.

    Call it holding the crawl lock: runs left ``running`` by a killed crawl are closed as
    ``interrupted`` first. After the spiders, every open deadline is judged at ``now``. SIGINT
    or SIGTERM stops the crawl within :data:`STOP_GRACE` seconds; the run is then closed as
    ``interrupted`` and nothing else is judged.

    :param now: the crawl's time; :func:`sotevahti.clock.current_time` when ``None``. Tests pass a fixed one.
    :param progress: show a live progress line per source on stderr.
    :return: the finished run row: ``status`` is ``ok``, ``partial`` (some sources failed),
        ``failed`` (all did) or ``interrupted``; ``stats["alarms"]`` lists the alarms.
    """
    sources = config.select(source_ids)
    store = Store(db)
    started = now or current_time()
    store.close_interrupted_runs(started)
    run_id = store.start_run([s.id for s in sources], started)
    settings = crawl_settings(db, sources_file, public_dir, mirror=mirror, run_id=run_id, log_level=log_level,
                              now=now, log_file=log_file, verbose=verbose)
    process = CrawlerProcess(settings)
    loader = SpiderLoader.from_settings(settings)
    crawlers = []
    # A source that republishes another one read by a different spider (sttinfo.fi copies of
    # omahame.fi, a Liferay site) is crawled after that spider, so the county's own item is
    # stored first whatever the timing: the copy joins it, never the other way round.
    platform_of = {s.id: s.platform for s in config.sources}
    later = {s.platform for s in sources if s.republishes and platform_of.get(s.republishes, s.platform) != s.platform}
    first_runs, then = [], []
    for platform in sorted({s.platform for s in sources}):
        crawler = process.create_crawler(loader.load(platform))
        crawlers.append(crawler)
        ids = ",".join(s.id for s in sources if s.platform == platform)
        if platform in later:
            then.append((crawler, ids))
        else:
            first_runs.append(process.crawl(crawler, sources=ids))
    if then:
        DeferredList(first_runs).addBoth(lambda _: [process.crawl(c, sources=ids) for c, ids in then])
    loop = _start_progress(crawlers) if progress else None
    interrupted = _stop_on_signals(process)
    _freeze_startup_objects()
    try:
        process.start(install_signal_handlers=False)
    finally:
        gc.unfreeze()   # a process that runs more than one crawl (the tests) collects as before afterwards
        lemma_memo.save()   # the words this crawl's deadline sentences were the first to look up
    if loop is not None and loop.running:
        loop.stop()
    if progress:
        print(("\r\033[K" if sys.stderr.isatty() else "") + progress_line(crawlers), file=sys.stderr)
    stats = run_stats(c.stats.get_stats() for c in crawlers)
    if interrupted:
        run = store.finish_run(run_id, now or current_time(), stats, "interrupted")
        run["stats"].update(alarms=[], deadlines={"found": 0})
        run["feeds"] = None
        store.close()
        return run
    failed = {s.id: str(c.stats.get_value("finish_reason")) for c in crawlers for s in sources
              if s.platform == c.spidercls.platform and c.stats.get_value("finish_reason") != "finished"}
    run = finish_crawl(store, run_id, stats, sources, settings, now or current_time(), failed)
    store.close()
    return run


def _freeze_startup_objects() -> None:
    """Move every object alive before the reactor starts (modules, settings, compiled patterns) out of
    the garbage collector's sight: a crawl allocates a tree per page, and each full collection would
    otherwise walk the whole start-up heap again (measured: about a quarter of the parse time).

    No collection first: it cost 55-73 ms of every crawl's start, to free the 26 unreachable
    objects the imports leave; frozen with the rest, they are collected after ``gc.unfreeze()``."""
    gc.freeze()


def crawl_summary(run: Mapping[str, Any], db: Path) -> dict[str, Any]:
    """The stable JSON of ``monitor.py crawl --json`` for a finished run row (see README)."""
    stats = run["stats"]
    return {
        "run_id": run["id"], "status": run["status"], "requests": run["requests"],
        "response_bytes": run["response_bytes"], "requests_304": run["requests_304"],
        "items_new": run["items_new"], "items_updated": run["items_updated"],
        "items_rejected": run["items_rejected"], "alarms": stats["alarms"],
        "failing_sources": stats.get("failing_sources", []), "errors": stats.get("errors", 0),
        "deadlines": stats["deadlines"], "sources": stats["sources"], "db": str(db.resolve()),
        "feeds": run["feeds"].as_json() if run["feeds"] else None,
        "websub": run.get("websub"),
    }


def _stop_on_signals(process: CrawlerProcess) -> list[int]:
    """On SIGINT/SIGTERM: say so on stderr, stop the spiders, and stop the reactor after
    :data:`STOP_GRACE` s even if requests are still hanging; a second signal stops it at once.

    :return: a list that gets the signal number when one arrived.
    """
    from twisted.internet import reactor

    received: list[int] = []

    def stop_now() -> None:
        if reactor.running:
            reactor.stop()

    def on_reactor(signum: int) -> None:
        if len(received) > 1:
            stop_now()
            return
        name = signal.Signals(signum).name
        print(f"monitor.py: {name}: stopping the crawl (within {STOP_GRACE:.0f} s)", file=sys.stderr, flush=True)
        process.stop()
        reactor.callLater(STOP_GRACE, stop_now)

    def handler(signum: int, _frame: Any) -> None:
        received.append(signum)
        reactor.callFromThread(on_reactor, signum)

    reactor.addSystemEventTrigger("after", "startup", install_shutdown_handlers, handler)
    return received


def run_outcome(ran: Sequence[str], source_status: Sequence[Mapping[str, Any]]) -> tuple[str, list[str]]:
    """``("ok" | "partial" | "failed", failing source ids)`` of a crawl of the sources ``ran``.

    A source failed when, after the run, it has an alarm that says it did not work
    (:data:`sotevahti.health.FAILURE_KINDS`: the spider failed, nothing was found, too many errors).

    >>> run_outcome(["stm", "vm"], [{"source": "vm", "alarms": [{"kind": "no_items"}]}])
    ('partial', ['vm'])
    """
    failing = sorted(r["source"] for r in source_status
                     if r["source"] in ran and any(a["kind"] in FAILURE_KINDS for a in r["alarms"]))
    if not failing:
        return "ok", []
    return ("failed" if set(failing) >= set(ran) else "partial"), failing


def finish_crawl(store: Store, run_id: int, stats: dict[str, Any], sources: Sequence[Any],
                 settings: Settings | Mapping[str, Any], now: datetime,
                 failed: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Everything after the spiders: source health, deadline statuses at ``now``, the run row,
    every public file. New alarms are printed to stderr. Used by ``monitor.py crawl`` and by the
    pipeline under a plain ``scrapy crawl``, so both end a crawl the same way.
    """
    new_alarms = store.record_health(run_id, now, stats["sources"], stats["field_validity"], sources, failed)
    store.mark_backfilled([s.id for s in sources if s.id not in (failed or {}) and not _had_errors(stats, s.id)], now)
    ran = {s.id for s in sources}
    health = store.source_status()
    stats["alarms"] = [a["message"] for row in health if row["source"] in ran for a in row["alarms"]]
    status, stats["failing_sources"] = run_outcome(sorted(ran), health)
    store.advance_deadlines(now, run_id)
    stats["deadlines"] = store.count_deadlines(run_id)
    run = store.finish_run(run_id, now, stats, status)
    run["feeds"] = write_public(store, settings, now)
    run["websub"] = ping_websub(run["feeds"], settings)
    for alarm in new_alarms:
        print(f"alarm: {alarm.message}", file=sys.stderr)
    return run


def _had_errors(stats: Mapping[str, Any], source_id: str) -> bool:
    """Whether any request of the source failed in this run (its backfill is then not complete)."""
    counts = stats["sources"].get(source_id, {})
    return any(k.startswith("errors_") and v for k, v in counts.items())
