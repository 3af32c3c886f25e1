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
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sotevahti import cli_args  # noqa: E402
from sotevahti.clock import current_time  # noqa: E402
from sotevahti.lock import CrawlLock, LockedError  # noqa: E402
from sotevahti.publishing import check_public_url  # noqa: E402
from sotevahti.sources import ConfigError, load_config  # noqa: E402
from sotevahti.store import Store, check_database_file, default_db_path  # noqa: E402


class UsageError(Exception):
    """A problem with what the user asked for; printed as one line, exit 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        fail(f"{message} (see {self.prog} --help)")


def fail(message: str) -> NoReturn:
    print(f"monitor.py: error: {message}", file=sys.stderr)
    raise SystemExit(2)


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
    from sotevahti.extract_cli import format_deadline_human, run_extract_deadlines

    if args.text is not None:
        print(format_deadline_human(args.text, args.lang, args.ref_date))
        return 0
    return run_extract_deadlines(sys.stdin, sys.stdout)


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

def build_parser() -> Parser:
    parser = Parser(prog="monitor.py", description=__doc__.split("\n\n")[0],
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def command(name: str, func: Callable[[argparse.Namespace], int], *, db: bool = True,
                listing: bool = False, clock: bool = False) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=func.__doc__, description=func.__doc__)
        p.set_defaults(func=func)
        p.add_argument("--sources", metavar="FILE", default=os.environ.get("SOTEVAHTI_SOURCES"),
                       help="sources config (default: sources.toml)")
        if db:
            p.add_argument("--db", metavar="PATH", help="database (default: $SOTEVAHTI_DB or sotevahti.db)")
            p.add_argument("--out", metavar="DIR", help="use DIR/sotevahti.db and write DIR/public/")
        if listing or db:
            p.add_argument("--json", action="store_true", help="print JSON (stable shape, see README)")
        if clock:
            p.add_argument("--now", metavar="ISO", type=cli_args.aware_datetime,
                           help="act as if it were this time (tests, replays, the demo's day): "
                                "2026-11-24T08:00+02:00 (default: $SOTEVAHTI_NOW or the clock)")
        return p

    command("sources", cmd_sources, db=False, listing=True)
    crawl = command("crawl", cmd_crawl, clock=True)
    crawl.add_argument("source", nargs="*", help="source ids (default: every enabled source)")
    crawl.add_argument("--mirror", metavar="URL", type=cli_args.mirror_url,
                       help="fetch from a local mirror at URL (see `monitor.py mirror`) instead of the real sites")
    crawl.add_argument("-q", "--quiet", action="store_true", help="print only alarms and failures")
    crawl.add_argument("-v", "--verbose", action="store_true", help="show Scrapy's log (in --log FILE if given)")
    crawl.add_argument("--log", metavar="FILE", help="write Scrapy's log, with every network error, to FILE")
    command("feeds", cmd_feeds, clock=True)
    search = command("search", cmd_search)
    search.add_argument("query", help='words to find, e.g. "hyvinvointialueiden rahoitus", sote*, '
                        '\'sote OR rahoitus\', \'"hyvinvointialueiden rahoitus" NOT lausunto\'')
    search.add_argument("--region", help="region code, e.g. 08 or national")
    search.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD", help="published on or after")
    search.add_argument("--kind", choices=["announcement", "consultation", "page", "decision"])
    search.add_argument("--limit", type=cli_args.positive_int, default=20)
    deadlines = command("deadlines", cmd_deadlines, clock=True)
    which = deadlines.add_mutually_exclusive_group()
    which.add_argument("--upcoming", action="store_true", help="open deadlines from today on, soonest first")
    which.add_argument("--closed", action="store_true", help="closed deadlines, newest first")
    deadlines.add_argument("--region", help="region code, e.g. 08 or national")
    history = command("history", cmd_history)
    history.add_argument("item", metavar="ITEM_ID_OR_URL")
    export = command("export", cmd_export)
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument("--table", default="items", help="items (default), deadlines, runs, …")
    export.add_argument("--output", metavar="FILE", help="write here instead of stdout")
    serve = command("serve", cmd_serve)
    serve.add_argument("--port", type=cli_args.port, default=8000)
    schedule = command("schedule", cmd_schedule)
    schedule.add_argument("source", nargs="*", help="source ids (default: every enabled source)")
    schedule.add_argument("--every", type=cli_args.interval, default="6h", help="interval, e.g. 6h, 30m (default 6h)")
    schedule.add_argument("--jitter", type=cli_args.jitter, default="0s", help="random extra wait up to this, e.g. 10m")
    schedule.add_argument("--max-runs", type=cli_args.positive_int, help="stop after N crawls (default: forever)")
    schedule.add_argument("--mirror", metavar="URL", type=cli_args.mirror_url, help="crawl a local mirror at URL")
    schedule.add_argument("--log", metavar="FILE", help="append every crawl's Scrapy log to FILE")
    notify = command("notify", cmd_notify, clock=True)
    notify.add_argument("--dry-run", action="store_true", help="print what would be sent; send and record nothing")
    status = command("status", cmd_status, clock=True)
    status.add_argument("--check", action="store_true",
                        help="also check the whole database file (slow on a big one) and exit 1 when "
                             "any source has an alarm or the file is damaged (for cron)")
    prune = command("prune", cmd_prune, clock=True)
    prune.add_argument("--days", type=cli_args.retention_days, required=True,
                       help="keep versions superseded in the last N days (0–36500)")
    mirror = sub.add_parser("mirror", help=cmd_mirror.__doc__, description=cmd_mirror.__doc__)
    mirror.set_defaults(func=cmd_mirror)
    mirror.add_argument("--port", type=cli_args.port, default=8765, help="port on 127.0.0.1 (default 8765)")
    mirror.add_argument("--epoch", type=int, choices=[1, 2, 3], default=1, help="which demo epoch to serve")
    mirror.add_argument("--sources", metavar="FILE", default=os.environ.get("SOTEVAHTI_SOURCES"))
    from sotevahti.extract_cli import HELP as EXTRACT_HELP

    extract = sub.add_parser("extract-deadlines", help=cmd_extract_deadlines.__doc__,
                             description=cmd_extract_deadlines.__doc__ + EXTRACT_HELP,
                             formatter_class=argparse.RawDescriptionHelpFormatter)
    extract.set_defaults(func=cmd_extract_deadlines)
    extract.add_argument("--text", help="one text to read; prints a one-line answer")
    extract.add_argument("--lang", choices=["fi", "sv", "en"], help="with --text: the text's language")
    extract.add_argument("--ref-date", type=date.fromisoformat, metavar="YYYY-MM-DD",
                         help="with --text: the publication date that year-less dates are read against")
    probe = command("probe", cmd_probe, db=False, listing=True)
    probe.add_argument("target", metavar="URL_OR_FILE", help="a page's URL (fetched once, politely) or a saved file")
    probe.add_argument("--source", metavar="ID", help="read with this source's rules (default: by the page's host)")
    probe.add_argument("--url", metavar="URL", help="the real address of a saved file that does not name it")
    demo = command("demo", cmd_demo, db=False, listing=True)
    demo.add_argument("--out", metavar="DIR", help="where to put the demo database and feeds (default: demo-output)")
    demo.add_argument("--faults", metavar="SEED", type=int,
                      help="inject the fault suite's faults into epochs 2-3, each on a page chosen by SEED")
    return parser


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


if __name__ == "__main__":
    sys.exit(main())
