#!/usr/bin/env python3
"""Sotevahti: a monitor of Finland's social and health care reform (sote-uudistus).

Commands:
  demo      the whole pipeline, offline, on the bundled mirror
  sources   list the configured sources
  crawl     crawl sources into the database and rebuild the feeds
  feeds     rebuild the feeds from the database
  status    each source's health; --check exits 1 on an alarm
  prune     delete old superseded versions
  search    full-text search over the stored history
  deadlines upcoming or closed deadlines
  history   every version of one item, with diffs
  export    a table as CSV or JSON
  serve     serve public/ on 127.0.0.1
  mirror    serve the bundled mirror of the sites on 127.0.0.1 (for crawl --mirror)
  schedule  crawl on a schedule
  notify    send the alerts that are due to the [[notify]] targets (email, chat; via Apprise)
  extract-deadlines  read deadlines from text (JSONL in, JSONL out)

Every command that touches the database takes --db PATH (default sotevahti.db or $SOTEVAHTI_DB)
and --sources FILE (default sources.toml); --out DIR means DIR/sotevahti.db and DIR/public/.
Errors are one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sotevahti.cli_parser import CliParser, fail  # noqa: E402
from sotevahti.cli_parser import build_parser as build_cli_parser  # noqa: E402
from sotevahti.clock import current_time  # noqa: E402
from sotevahti.lock import CrawlLock, LockedError  # noqa: E402
from sotevahti.publishing import check_public_url  # noqa: E402
from sotevahti.sources import ConfigError, load_config  # noqa: E402
from sotevahti.store import Store, check_database_file, default_db_path  # noqa: E402


class UsageError(Exception):
    """A problem with what the user asked for; printed as one line, exit 2."""


def paths(args: argparse.Namespace) -> tuple[Path, Path]:
    """The database and public directory from --db/--out."""
    if getattr(args, "out", None):
        out = Path(args.out)
        return out / "sotevahti.db", out / "public"
    db = Path(args.db) if args.db else default_db_path()
    return db, db.resolve().parent / "public"


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


# -- commands ----------------------------------------------------------------------------

def cmd_sources(args: argparse.Namespace) -> int:
    """List the configured sources."""
    config = load_config(args.sources)
    rows = [{"id": s.id, "name": s.name, "platform": s.platform, "organisation": s.organisation,
             "region": s.region, "languages": list(s.languages), "start_urls": list(s.start_urls),
             "feed_urls": list(s.feed_urls), "legacy": s.legacy, "enabled": s.enabled} for s in config.sources]
    if args.json:
        print_json(rows)
        return 0
    width = max(len(r["id"]) for r in rows)
    for r in rows:
        flags = (" (legacy)" if r["legacy"] else "") + ("" if r["enabled"] else " (disabled)")
        print(f"{r['id']:<{width}}  {r['platform']:<8} {r['region']:<9} {','.join(r['languages']):<9} "
              f"{r['name']}{flags}")
    return 0


def _config_with_sources(args: argparse.Namespace) -> Any:
    """The config, after checking that every source named on the command line is in it."""
    config = load_config(args.sources)
    for source_id in args.source:
        config.get(source_id)
    return config


def cmd_crawl(args: argparse.Namespace) -> int:
    """Crawl sources into the database, then rebuild the feeds."""
    from crawler import crawl_summary, run_crawl  # Scrapy is imported only by commands that crawl
    from sotevahti.textout import crawl_outcome_line

    config = _config_with_sources(args)
    db, public = paths(args)
    check_database_file(db)   # before the lock: a refused --db leaves nothing behind
    check_public_url(config.feed, config.select(args.source), args.mirror, args.sources or "sources.toml")
    level = "INFO" if args.verbose else "ERROR" if args.quiet or args.json else "WARNING"
    # `schedule` holds the lock for its whole life and tells its own crawls so.
    held = os.environ.get("SOTEVAHTI_LOCK_HELD_BY") == str(os.getppid())
    with contextlib.nullcontext() if held else CrawlLock(db):
        run = run_crawl(config, args.source, db, Path(args.sources) if args.sources else None, public,
                        mirror=args.mirror, log_level=level, now=args.now, log_file=args.log,
                        verbose=args.verbose, progress=not (args.quiet or args.json or args.verbose))
        notified = None if run["status"] == "interrupted" else _notify_after_crawl(config, db, args.now)
    summary = crawl_summary(run, db)
    if notified is not None:   # [[notify]] targets configured
        summary["notifications"] = notified
        if notified["failed"]:
            print(f"monitor.py: notify: {notified['failed']} messages failed; see `monitor.py status`",
                  file=sys.stderr)
    if args.json:
        print_json(summary)
    line = crawl_outcome_line(summary, public, args.log)
    if summary["status"] in ("failed", "interrupted"):
        print(f"monitor.py: {line}", file=sys.stderr)
    elif not (args.quiet or args.json):
        print(line)
    return {"ok": 0, "partial": 0, "interrupted": 130}.get(run["status"], 1)


def _notify_after_crawl(config: Any, db: Path, now: Any) -> dict[str, Any] | None:
    from sotevahti.notify_cli import notify_after_crawl

    return notify_after_crawl(config, db, now or current_time())


def cmd_notify(args: argparse.Namespace) -> int:
    """Send the alerts that are due to the [[notify]] targets; --dry-run only shows them."""
    from sotevahti.notify_cli import format_notify, notify_command

    config = load_config(args.sources)
    _store(args).close()   # the database must exist: a dry run creates nothing
    result = notify_command(config, paths(args)[0], args.now or current_time(), dry_run=args.dry_run)
    print_json(result) if args.json else print(format_notify(result))
    return 1 if result["failed"] else 0


def cmd_feeds(args: argparse.Namespace) -> int:
    """Rebuild the feeds from the database."""
    from sotevahti.feeds import write_feeds

    config = load_config(args.sources)
    store = _store(args)
    written = write_feeds(store, paths(args)[1], config.feed, args.now or current_time())
    store.close()
    if args.json:
        print_json(written.as_json())
    else:
        print(f"wrote {', '.join(p.name for p in written.files().values())} in {paths(args)[1]}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Show each source's health: last success, counts and alarms; --check also runs SQLite's full
    integrity check and exits 1 on any alarm."""
    from sotevahti.lock import lock_holder
    from sotevahti.notify_cli import format_notification_status, status_notifications
    from sotevahti.textout import format_status

    store = _store(args)
    rows = store.source_status()
    last = store.last_run()
    if last and last["status"] == "running" and lock_holder(paths(args)[0]) is None:
        last["status"] = "interrupted"   # its process is gone: killed, or the machine went down
    # The full integrity check reads the whole file (seconds at 100k items): only with --check,
    # the cron form; a plain status checks the tables it shows, in the same time at any size.
    database = {"path": str(paths(args)[0].resolve()), "bytes": store.database_size(),
                "integrity": store.integrity_check(full=args.check),
                "integrity_checked": "full" if args.check else "status tables"}
    notifications = status_notifications(store)
    store.close()
    ok = all(r["ok"] for r in rows) and database["integrity"] == "ok" and (last or {}).get("status") != "interrupted"
    if args.json:
        print_json({"ok": ok, "database": database, "last_run": last, "sources": rows,
                    "notifications": notifications})
    else:
        print(format_status(rows, database, last))
        if notifications:
            print(format_notification_status(notifications))
    return 1 if args.check and not ok else 0


def cmd_prune(args: argparse.Namespace) -> int:
    """Delete superseded versions older than --days; the current version of an item is never removed."""
    store = _store(args)
    before = store.database_size()
    removed = store.prune_versions(args.days, args.now or current_time())
    store.conn.execute("VACUUM")
    result = {"versions_removed": removed, "bytes_before": before, "bytes_after": store.database_size()}
    store.close()
    print_json(result) if args.json else print(
        f"removed {removed} old versions; database {before / 1e6:.1f} MB → {result['bytes_after'] / 1e6:.1f} MB")
    return 0


def _store(args: argparse.Namespace) -> Store:
    db, _public = paths(args)
    if not db.exists():
        raise UsageError(f"no database at {db} (run `monitor.py crawl` or `monitor.py demo` first)")
    return Store(db)


def cmd_search(args: argparse.Namespace) -> int:
    """Full-text search over every stored item, best match first, with snippets."""
    from sotevahti.query import QueryError, search
    from sotevahti.textout import format_search

    try:
        rows = search(_store(args), args.query, region=args.region, since=args.since, kind=args.kind,
                      limit=args.limit)
    except QueryError as e:
        raise UsageError(str(e)) from None
    print_json(rows) if args.json else print(format_search(rows))
    return 0


def cmd_deadlines(args: argparse.Namespace) -> int:
    """List deadlines: --upcoming (soonest first) or --closed; all by default."""
    from sotevahti.query import deadline_list
    from sotevahti.textout import format_deadlines

    rows = deadline_list(_store(args), args.now or current_time(), upcoming=args.upcoming, closed=args.closed,
                         region=args.region)
    print_json(rows) if args.json else print(format_deadlines(rows))
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    """Every version of one item (by id or any of its URLs), with what each edit changed."""
    from sotevahti.query import item_history
    from sotevahti.textout import format_history

    history = item_history(_store(args), args.item)
    if history is None:
        raise UsageError(f"no item with id or URL {args.item!r}")
    print_json(history) if args.json else print(format_history(history))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export a table (default: items) as CSV or JSON, to stdout or --output FILE."""
    from sotevahti.query import export_rows, write_export

    store = _store(args)
    try:
        rows = export_rows(store, args.table)
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                n = write_export(rows, args.format, out)
            print(f"wrote {n} rows of {args.table} to {args.output}", file=sys.stderr)
        else:
            write_export(rows, args.format, sys.stdout)
    except ValueError as e:
        raise UsageError(str(e)) from None
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve public/ read-only on 127.0.0.1 (feeds, calendar, the web page)."""
    from sotevahti.serve import serve_public

    _db, public = paths(args)
    if not public.is_dir():
        raise UsageError(f"no {public} to serve (run `monitor.py crawl` or `monitor.py feeds` first)")
    serve_public(public, args.port)
    return 0


def cmd_schedule(args: argparse.Namespace) -> int:
    """Crawl, publish and check health on a schedule; a failing source never stops the loop."""
    from sotevahti.schedule_loop import run_schedule

    config = _config_with_sources(args)   # an unknown source is refused now, not in every round forever
    db, _public = paths(args)
    check_database_file(db)
    check_public_url(config.feed, config.select(args.source), args.mirror, args.sources or "sources.toml")
    with CrawlLock(db):
        crawl_args = [*args.source, "--db", str(db)] if not args.out else [*args.source, "--out", args.out]
        for flag in ("sources", "mirror", "log"):
            if getattr(args, flag):
                crawl_args += [f"--{flag}", getattr(args, flag)]
        return run_schedule([sys.executable, str(ROOT / "monitor.py"), "crawl", "--quiet", *crawl_args],
                            every=args.every, jitter=args.jitter, max_runs=args.max_runs)


def cmd_extract_deadlines(args: argparse.Namespace) -> int:
    """Read deadlines from text: JSONL on stdin, one answer per line on stdout (or --text)."""
    from sotevahti import lemma_memo
    from sotevahti.extract_cli import format_deadline_human, run_extract_deadlines

    try:
        if args.text is not None:
            print(format_deadline_human(args.text, args.lang, args.ref_date))
            return 0
        return run_extract_deadlines(sys.stdin, sys.stdout)
    finally:
        lemma_memo.save()   # the next call answers these words without loading simplemma


def cmd_probe(args: argparse.Namespace) -> int:
    """Read one page (a saved file or a URL) with a source's rules and show each field and its origin."""
    from sotevahti.probe import ProbeError, format_report, probe

    config = load_config(args.sources)
    try:
        report = probe(args.target, config, args.source, url=args.url)
    except ProbeError as e:
        raise UsageError(str(e)) from None
    print_json(report.as_json()) if args.json else print(format_report(report))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the whole pipeline offline on the bundled mirror, on a fixed simulated day."""
    from sotevahti.demo import format_summary, run_demo

    result = run_demo(Path(args.out or "demo-output"), Path(args.sources) if args.sources else None,
                      faults=args.faults)
    print_json(result) if args.json else print(format_summary(result))
    return 0


def cmd_mirror(args: argparse.Namespace) -> int:
    """Serve the bundled mirror of the real sites on 127.0.0.1 until Ctrl-C (for crawl --mirror)."""
    from sotevahti.demo import mirror_sites
    from sotevahti.mirror.server import serve_mirror

    serve_mirror(mirror_sites(load_config(args.sources)), args.port, args.epoch)
    return 0


# -- parser ------------------------------------------------------------------------------

#: Each command's function; its docstring is the command's help (see sotevahti/cli_parser.py).
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "sources": cmd_sources,
    "crawl": cmd_crawl,
    "feeds": cmd_feeds,
    "search": cmd_search,
    "deadlines": cmd_deadlines,
    "history": cmd_history,
    "export": cmd_export,
    "serve": cmd_serve,
    "schedule": cmd_schedule,
    "notify": cmd_notify,
    "status": cmd_status,
    "prune": cmd_prune,
    "probe": cmd_probe,
    "demo": cmd_demo,
    "mirror": cmd_mirror,
    "extract-deadlines": cmd_extract_deadlines,
}


def build_parser() -> CliParser:
    """The parser of every command (see :mod:`sotevahti.cli_parser`)."""
    return build_cli_parser(COMMANDS, __doc__.split("\n\n")[0])


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except (ConfigError, UsageError, LockedError, RuntimeError) as e:
        fail(str(e))
    except sqlite3.DatabaseError as e:
        fail(f"database {paths(args)[0] if hasattr(args, 'db') else ''}: {e}")
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; stay quiet like other Unix tools.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as e:
        fail(f"{e.strerror or e}: {e.filename}" if e.filename else str(e))
    except KeyboardInterrupt:
        fail("interrupted")


#: Commands that close every database, lock and file before they return (see :func:`exit_now`).
#: The read-only commands leave their store to the garbage collector, which also removes its WAL files.
ENDS_CLOSED = ("crawl",)


def exit_now(code: int | None) -> NoReturn:
    """End the process with ``code`` once logging and output are flushed, skipping the interpreter's teardown.

    Only for a command in :data:`ENDS_CLOSED`: the teardown would free Scrapy's, Twisted's and the
    patterns' objects one by one (a quarter of a second after a crawl) and run nothing else it needs.
    """
    import logging

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    exit_code = main()
    if sys.argv[1:2] and sys.argv[1] in ENDS_CLOSED:
        exit_now(exit_code)
    sys.exit(exit_code)
