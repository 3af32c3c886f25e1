"""The command line's parser: which options each ``monitor.py`` command takes.

Every command that touches the database takes ``--db``, ``--out``, ``--sources`` and ``--json``;
commands that act at a moment take ``--now``. A bad argument is one line on stderr and exit 2
(:class:`CliParser`), before anything is read or written. The commands themselves live in
``monitor.py``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping
from datetime import date
from typing import NoReturn

from .cli_args import aware_datetime, interval, jitter, mirror_url, port, positive_int, retention_days

#: The input and output of ``extract-deadlines``, for its --help. Kept here, not beside the
#: extractor, so that building the parser does not compile the deadline patterns (0.1 s).
EXTRACT_HELP = """

Input, one JSON object per line:
  {"text": "Lausuntoaika päättyy 25.9.2020.", "lang": "fi", "ref_date": "2020-09-01"}
Output, one line per input line, in order:
  {"deadline": "2020-09-25", "time": null, "kind": "consultation", "sentence": "…", "note": null}
kind is consultation, application, registration or other; everything is null when the text
names no deadline. A malformed line gets nulls plus "error" and "line", and the exit code is 1.
"""


def fail(message: str) -> NoReturn:
    """Print ``monitor.py: error: message`` on stderr and exit 2."""
    print(f"monitor.py: error: {message}", file=sys.stderr)
    raise SystemExit(2)


class CliParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2, like every other error."""

    def error(self, message: str) -> NoReturn:
        fail(f"{message} (see {self.prog} --help)")


def build_parser(commands: Mapping[str, Callable[[argparse.Namespace], int]], description: str) -> CliParser:
    """The parser of ``monitor.py``: ``commands`` maps each command's name to its function, whose
    docstring is the command's help; every command gets the options the README promises for its kind."""
    parser = CliParser(prog="monitor.py", description=description,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CliParser)

    def command(name: str, *, db: bool = True, listing: bool = False, clock: bool = False) -> argparse.ArgumentParser:
        func = commands[name]
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
            p.add_argument("--now", metavar="ISO", type=aware_datetime,
                           help="act as if it were this time (tests, replays, the demo's day): "
                                "2026-11-24T08:00+02:00 (default: $SOTEVAHTI_NOW or the clock)")
        return p

    command("sources", db=False, listing=True)
    crawl = command("crawl", clock=True)
    crawl.add_argument("source", nargs="*", help="source ids (default: every enabled source)")
    crawl.add_argument("--mirror", metavar="URL", type=mirror_url,
                       help="fetch from a local mirror at URL (see `monitor.py mirror`) instead of the real sites")
    crawl.add_argument("-q", "--quiet", action="store_true", help="print only alarms and failures")
    crawl.add_argument("-v", "--verbose", action="store_true", help="show Scrapy's log (in --log FILE if given)")
    crawl.add_argument("--log", metavar="FILE", help="write Scrapy's log, with every network error, to FILE")
    command("feeds", clock=True)
    search = command("search")
    search.add_argument("query", help='words to find, e.g. "hyvinvointialueiden rahoitus", sote*, '
                        '\'sote OR rahoitus\', \'"hyvinvointialueiden rahoitus" NOT lausunto\'')
    search.add_argument("--region", help="region code, e.g. 08 or national")
    search.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD", help="published on or after")
    search.add_argument("--kind", choices=["announcement", "consultation", "page", "decision"])
    search.add_argument("--limit", type=positive_int, default=20)
    deadlines = command("deadlines", clock=True)
    which = deadlines.add_mutually_exclusive_group()
    which.add_argument("--upcoming", action="store_true", help="open deadlines from today on, soonest first")
    which.add_argument("--closed", action="store_true", help="closed deadlines, newest first")
    deadlines.add_argument("--region", help="region code, e.g. 08 or national")
    history = command("history")
    history.add_argument("item", metavar="ITEM_ID_OR_URL")
    export = command("export")
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument("--table", default="items", help="items (default), deadlines, runs, …")
    export.add_argument("--output", metavar="FILE", help="write here instead of stdout")
    serve = command("serve")
    serve.add_argument("--port", type=port, default=8000)
    schedule = command("schedule")
    schedule.add_argument("source", nargs="*", help="source ids (default: every enabled source)")
    schedule.add_argument("--every", type=interval, default="6h", help="interval, e.g. 6h, 30m (default 6h)")
    schedule.add_argument("--jitter", type=jitter, default="0s", help="random extra wait up to this, e.g. 10m")
    schedule.add_argument("--max-runs", type=positive_int, help="stop after N crawls (default: forever)")
    schedule.add_argument("--mirror", metavar="URL", type=mirror_url, help="crawl a local mirror at URL")
    schedule.add_argument("--log", metavar="FILE", help="append every crawl's Scrapy log to FILE")
    notify = command("notify", clock=True)
    notify.add_argument("--dry-run", action="store_true", help="print what would be sent; send and record nothing")
    status = command("status", clock=True)
    status.add_argument("--check", action="store_true",
                        help="also check the whole database file (slow on a big one) and exit 1 when "
                             "any source has an alarm or the file is damaged (for cron)")
    prune = command("prune", clock=True)
    prune.add_argument("--days", type=retention_days, required=True,
                       help="keep versions superseded in the last N days (0–36500)")
    mirror = sub.add_parser("mirror", help=commands["mirror"].__doc__,
                            description=commands["mirror"].__doc__)
    mirror.set_defaults(func=commands["mirror"])
    mirror.add_argument("--port", type=port, default=8765, help="port on 127.0.0.1 (default 8765)")
    mirror.add_argument("--epoch", type=int, choices=[1, 2, 3], default=1, help="which demo epoch to serve")
    mirror.add_argument("--sources", metavar="FILE", default=os.environ.get("SOTEVAHTI_SOURCES"))
    extract = sub.add_parser("extract-deadlines", help=commands["extract-deadlines"].__doc__,
                             description=(commands["extract-deadlines"].__doc__ or "") + EXTRACT_HELP,
                             formatter_class=argparse.RawDescriptionHelpFormatter)
    extract.set_defaults(func=commands["extract-deadlines"])
    extract.add_argument("--text", help="one text to read; prints a one-line answer")
    extract.add_argument("--lang", choices=["fi", "sv", "en"], help="with --text: the text's language")
    extract.add_argument("--ref-date", type=date.fromisoformat, metavar="YYYY-MM-DD",
                         help="with --text: the publication date that year-less dates are read against")
    probe = command("probe", db=False, listing=True)
    probe.add_argument("target", metavar="URL_OR_FILE", help="a page's URL (fetched once, politely) or a saved file")
    probe.add_argument("--source", metavar="ID", help="read with this source's rules (default: by the page's host)")
    probe.add_argument("--url", metavar="URL", help="the real address of a saved file that does not name it")
    demo = command("demo", db=False, listing=True)
    demo.add_argument("--out", metavar="DIR", help="where to put the demo database and feeds (default: demo-output)")
    demo.add_argument("--faults", metavar="SEED", type=int,
                      help="inject the fault suite's faults into epochs 2-3, each on a page chosen by SEED")
    return parser
