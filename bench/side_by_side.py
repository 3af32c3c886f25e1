"""Side by side: bare Scrapy, urlwatch and Sotevahti on one local ministry site, in one run.

The site (bench/bench_site.py) has 2,000 articles of 62 KiB, served on 127.0.0.1 with ETag,
Last-Modified and 304s, every request counted. Each tool fetches it three times: the first
fetch, an unchanged re-check a day later, and a re-check after five new articles and three
extended deadlines (one on an article older than 30 days). ``--big N`` also fills a store with N
synthetic items and times ``feeds``, ``search``, ``deadlines``, ``status`` and an all-304 crawl
at 1k and at N items. Then a 10,000-page crawl measures peak memory.

    python bench/side_by_side.py                 # the full run (about 10-20 minutes here)
    python bench/side_by_side.py --quick         # smaller sizes, for iterating
    python bench/side_by_side.py --json          # one JSON object (keys in RESULTS.md)
    python bench/side_by_side.py --store-only    # one seed crawl, then only the --big store figures

Times are wall seconds of each command as a user runs it (process start included), CPU is
user+system of that process, RSS its peak. With ``--repeat 3`` the median time is kept, for
Sotevahti's and urlwatch's three crawls as for the first fetches (each repeat from a fresh state);
each store command of ``--big`` is run three times at each size and its median kept.
Before the first run the checkout's own modules are compiled to bytecode, as Python does on a
user's first crawl (pip has already compiled Scrapy's and urlwatch's at install); a shell with
``PYTHONDONTWRITEBYTECODE`` set would otherwise recompile them from source in every process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_site import BenchSite, sources_toml  # noqa: E402
from bench_store import fill_store  # noqa: E402

from sotevahti.mirror.server import Mirror  # noqa: E402

TODAY = date(2026, 11, 24)
T0 = datetime(2026, 11, 24, 12, 0, tzinfo=ZoneInfo("Europe/Helsinki"))

# Bare Scrapy gets the same network settings as Sotevahti against the mirror (robots.txt,
# AutoThrottle, concurrency, no delay), so the ratio is what the pipeline costs, not a setting.
BARE_SPIDER = """
import json, sys, scrapy
from scrapy.crawler import CrawlerProcess

urls = [line.strip() for line in open(sys.argv[1]) if line.strip()]

class Bare(scrapy.Spider):
    name = "bare"
    async def start(self):
        for url in urls:
            yield scrapy.Request(url, dont_filter=True)
    def parse(self, response):
        pass

network = json.loads(sys.argv[2])
process = CrawlerProcess({"LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False, **network})
process.crawl(Bare)
process.start()
"""

URLWATCH = "import sys; from urlwatch.cli import main; sys.argv[0] = 'urlwatch'; sys.exit(main())"


class CountingMirror(Mirror):
    """The mirror, also adding up the body bytes it sends."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.bytes_sent = 0
        self._last = threading.local()

    def page(self, raw_path: str, accept: str = ""):  # type: ignore[override]
        page = super().page(raw_path, accept)
        self._last.size = len(page.body) if page is not None else 0
        return page

    def log(self, path: str, status: int) -> None:
        super().log(path, status)
        if status == 200:
            with self._lock:
                self.bytes_sent += getattr(self._last, "size", 0)

    def mark(self) -> tuple[int, int]:
        return len(self.requests), self.bytes_sent

    def since(self, mark: tuple[int, int]) -> tuple[int, int, int]:
        """(requests, 304s, body bytes) since ``mark``."""
        reqs = self.requests[mark[0]:]
        return len(reqs), sum(1 for _e, _p, s in reqs if s == 304), self.bytes_sent - mark[1]


@dataclass
class Measured:
    """One command's figures."""

    wall: float
    cpu: float
    rss_mib: float
    requests: int = 0
    requests_304: int = 0
    bytes: int = 0
    output: str = ""


def run(cmd: list[str], mirror: CountingMirror | None = None, env: dict[str, str] | None = None) -> Measured:
    """Run a command; its wall time, CPU (user+sys), peak RSS, and what the mirror saw meanwhile."""
    mark = mirror.mark() if mirror else (0, 0)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env={**os.environ, **(env or {})}, cwd=ROOT)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, errors = out.read(), err.read()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd[:4])}… failed ({proc.returncode}):\n{errors[-2000:]}")
    requests, r304, sent = mirror.since(mark) if mirror else (0, 0, 0)
    return Measured(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, requests, r304, sent, text)


def median(runs: list[Measured]) -> Measured:
    """The run with the median wall time (its other figures come with it); peak RSS is the largest."""
    ordered = sorted(runs, key=lambda m: m.wall)
    mid = ordered[len(ordered) // 2]
    return Measured(mid.wall, mid.cpu, max(m.rss_mib for m in runs), mid.requests, mid.requests_304, mid.bytes,
                    mid.output)


def crawl_cmd(out: Path, sources: Path, mirror: CountingMirror, now: datetime) -> list[str]:
    return [sys.executable, str(ROOT / "monitor.py"), "crawl", "stm", "--sources", str(sources), "--out", str(out),
            "--mirror", mirror.url, "--now", now.isoformat(), "--json"]


def disk_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def changes_found(out: Path, site: BenchSite) -> int:
    """How many of the 8 changes are in the database (new items) and the deadlines feed (extensions)."""
    new, moved = site.changed_in_epoch_2()
    conn = sqlite3.connect(out / "sotevahti.db")
    found = sum(1 for url in new if conn.execute("SELECT 1 FROM item_urls WHERE url = ?", (url,)).fetchone())
    feed = (out / "public" / "deadlines.xml").read_text(encoding="utf-8")
    for url in moved:
        guid = conn.execute("SELECT e.id FROM deadline_events e JOIN item_urls u ON u.item_id = e.item_id "
                            "WHERE u.url = ? AND e.event = 'extended'", (url,)).fetchone()
        found += bool(guid and guid[0] in feed)
    conn.close()
    return found


def urlwatch_sequence(urls: list[str], mirror: CountingMirror, home: Path) -> dict[str, Measured]:
    """urlwatch watching the same URLs: first run, unchanged re-check, re-check after the change.
    ``home`` (a new folder) holds its configuration and cache."""
    home.mkdir()
    (home / "urls.yaml").write_text("".join(f"---\nurl: {u}\n" for u in urls), encoding="utf-8")
    (home / "urlwatch.yaml").write_text(
        "display:\n  new: true\n  error: true\n  unchanged: false\n"
        "report:\n  text:\n    details: true\n    footer: false\n    line_length: 75\n    minimal: false\n"
        "  stdout:\n    enabled: true\n    color: false\n  html: {diff: unified}\n  email: {enabled: false}\n",
        encoding="utf-8")
    cmd = [sys.executable, "-c", URLWATCH, "--urls", str(home / "urls.yaml"), "--config",
           str(home / "urlwatch.yaml"), "--cache", str(home / "cache.db"), "--hooks", str(home / "hooks.py")]
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home), "XDG_CACHE_HOME": str(home)}
    mirror.epoch = 1
    first = run(cmd, mirror, env)
    unchanged = run(cmd, mirror, env)
    mirror.epoch = 2
    after = run(cmd, mirror, env)
    mirror.epoch = 1
    return {"first": first, "unchanged": unchanged, "change": after}


def sotevahti_sequence(mirror: CountingMirror, site: BenchSite, sources: Path, out: Path,
                       first_only: bool = False) -> dict[str, Measured]:
    """Sotevahti's first crawl, unchanged re-crawl a day later, and re-crawl after the change two days later."""
    mirror.epoch = 1
    first = run(crawl_cmd(out, sources, mirror, T0), mirror)
    first_disk = disk_bytes(out)
    if first_only:
        first.output = str(first_disk)
        return {"first": first}
    unchanged_backup = out.with_name(out.name + "-before-recheck")
    shutil.copytree(out, unchanged_backup)
    unchanged = run(crawl_cmd(out, sources, mirror, T0 + timedelta(days=1)), mirror)
    mirror.epoch = 2
    change = run(crawl_cmd(out, sources, mirror, T0 + timedelta(days=2)), mirror)
    change.output = str(changes_found(out, site))
    mirror.epoch = 1
    first.output = str(first_disk)
    return {"first": first, "unchanged": unchanged, "change": change}


def bare_command(urls: list[str], tmp: Path) -> list[str]:
    """The command that fetches ``urls`` with bare Scrapy and Sotevahti's network settings."""
    import settings as ours

    url_file = tmp / "urls.txt"
    url_file.write_text("\n".join(urls), encoding="utf-8")
    script = tmp / "bare.py"
    script.write_text(BARE_SPIDER, encoding="utf-8")
    network = {"ROBOTSTXT_OBEY": ours.ROBOTSTXT_OBEY, "AUTOTHROTTLE_ENABLED": ours.AUTOTHROTTLE_ENABLED,
               "RETRY_TIMES": ours.RETRY_TIMES, **ours.MIRROR_OVERRIDES}
    return [sys.executable, str(script), str(url_file), json.dumps(network)]


def bare_scrapy(urls: list[str], mirror: CountingMirror, tmp: Path) -> Measured:
    mirror.epoch = 1
    return run(bare_command(urls, tmp), mirror)


def big_store(n: int, mirror: CountingMirror, sources: Path, seeded: Path, tmp: Path) -> dict[str, dict[str, float]]:
    """At 1k and at n synthetic items: feeds, search, deadlines, status and an all-304 crawl."""
    out: dict[str, dict[str, float]] = {}
    for size in sorted({min(1000, n), n}):
        where = tmp / f"big{size}"
        shutil.copytree(seeded, where)
        inserted, insert_s = fill_store(where / "sotevahti.db", size, T0)
        # The fill leaves up to a gigabyte of dirty pages; written back during the commands below,
        # they were timed as the commands' own (feeds at 100k: 2.1 s after a fill, 1.0–1.2 s later).
        os.sync()
        db = ["--db", str(where / "sotevahti.db"), "--sources", str(sources)]
        mon = [sys.executable, str(ROOT / "monitor.py")]
        figures = {"items": float(inserted), "inserts_per_s": inserted / insert_s}
        # Medians of 3: the first command after a fill of 100,000 items shares the disk with the
        # fill's write-back (seen: feeds 1.46 s, then 1.14 s and 1.15 s on the same database).
        figures["feeds"] = median([run([*mon, "feeds", *db, "--out", str(where)]) for _ in range(3)]).wall
        figures["search"] = median([run([*mon, "search", "hyvinvointialueiden rahoitus", *db, "--json"])
                                    for _ in range(3)]).wall
        figures["deadlines"] = median([run([*mon, "deadlines", "--upcoming", *db, "--json"]) for _ in range(3)]).wall
        figures["status"] = median([run([*mon, "status", *db, "--json"]) for _ in range(3)]).wall
        mirror.epoch = 1
        crawl = run(crawl_cmd(where, sources, mirror, T0 + timedelta(days=1)), mirror)
        figures["all304_crawl"] = crawl.wall
        figures["all304_requests"] = float(crawl.requests)
        figures["all304_304s"] = float(crawl.requests_304)
        out[str(size)] = figures
        shutil.rmtree(where)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="articles on the site (default 2000)")
    parser.add_argument("--big", type=int, default=100_000, metavar="N", help="synthetic items for the store test")
    parser.add_argument("--rss-pages", type=int, default=10_000, help="pages of the peak-memory crawl")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each first fetch (median kept)")
    parser.add_argument("--quick", action="store_true", help="500 articles, --big 10000, 2000-page memory crawl, 1 run")
    parser.add_argument("--tiny", action="store_true", help="a functional check only: 45 articles, --big 300")
    parser.add_argument("--no-urlwatch", action="store_true", help="skip urlwatch (its figures come out null)")
    parser.add_argument("--store-only", action="store_true",
                        help="only the --big part: one first crawl as the seed, then the store figures at 1k and N")
    parser.add_argument("--only", choices=("first", "crawls"),
                        help="first: only the first fetches (Sotevahti and bare Scrapy, pipeline_vs_bare); "
                             "crawls: the three crawls of each tool, no store sizes and no memory crawl")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args()
    if args.quick:
        args.articles, args.big, args.rss_pages, args.repeat = 500, 10_000, 2000, 1
    if args.tiny:
        args.articles, args.big, args.rss_pages, args.repeat = 45, 300, 0, 1
    try:
        import urlwatch  # noqa: F401
    except ImportError:
        args.no_urlwatch = True
    if args.only:
        args.big, args.rss_pages = 0, 0
        args.no_urlwatch = args.no_urlwatch or args.only == "first"

    compile_checkout()
    results = measure_store(args) if args.store_only else measure(args)
    if args.json:
        print(json.dumps(results, indent=2, sort_keys=True))
    else:
        print(store_table(results) if args.store_only else table(results))


def compile_checkout() -> None:
    """Write the bytecode of the checkout's modules (``__pycache__``, ignored by git)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "sotevahti", "spiders", "pipelines", "middlewares",
                    "crawler.py", "monitor.py", "settings.py"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


@contextmanager
def served_site(args: argparse.Namespace) -> Iterator[tuple[BenchSite, CountingMirror, Path, Path]]:
    """The bench site served on 127.0.0.1, a temporary folder, and a sources file for it."""
    site = BenchSite(args.articles, TODAY)
    with CountingMirror([site]) as mirror, tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        sources = tmp / "sources.toml"
        sources.write_text(sources_toml(backfill_pages=args.articles // 20 + 20), encoding="utf-8")
        yield site, mirror, tmp, sources


def measure(args: argparse.Namespace) -> dict[str, object]:
    with served_site(args) as (site, mirror, tmp, sources):
        first_only = args.only == "first"
        ours = [sotevahti_sequence(mirror, site, sources, tmp / f"ours{n}", first_only) for n in range(args.repeat)]
        fetched = [path for _e, path, _s in mirror.requests[: ours[0]["first"].requests] if path != "/robots.txt"]
        urls = list(dict.fromkeys(mirror.url + p for p in fetched))
        bare = median([bare_scrapy(urls, mirror, tmp) for _ in range(args.repeat)])
        first = median([o["first"] for o in ours])
        unchanged = None if first_only else median([o["unchanged"] for o in ours])
        change = None if first_only else median([o["change"] for o in ours])
        # urlwatch's runs are repeated as ours are: a single one moved with the machine's speed
        # (its re-check after the change took 10.2 s in one full run and 20.3 s in another)
        watches = [] if args.no_urlwatch else [urlwatch_sequence(urls, mirror, tmp / f"urlwatch{n}")
                                               for n in range(args.repeat)]
        watch = {stage: median([w[stage] for w in watches]) for stage in watches[0]} if watches else None
        big = big_store(args.big, mirror, sources, tmp / "ours0-before-recheck", tmp) if args.big else {}
        if args.rss_pages and args.rss_pages != args.articles:
            rss = peak_rss_crawl(args.rss_pages, tmp)
        else:
            rss = first
    pages = first.requests
    small, large = (big[str(min(1000, args.big))], big[str(args.big)]) if big else ({}, {})
    crawled = not first_only
    return {
        "sizes": {"articles": args.articles, "pages_first_crawl": pages, "big": args.big,
                  "rss_pages": args.rss_pages or pages, "repeat": args.repeat},
        "bare": vars_of(bare),
        "sotevahti": {"first": vars_of(first), "unchanged": vars_of(unchanged) if unchanged else None,
                      "change": vars_of(change) if change else None},
        "urlwatch": {k: vars_of(v) for k, v in watch.items()} if watch else None,
        "big": big,
        "disk_bytes_per_page": int(first.output) / max(pages, 1),
        "pipeline_vs_bare": (pages / first.wall) / (bare.requests / bare.wall),
        # the same ratio in CPU seconds a page: what the load of a shared machine moves least
        "pipeline_cpu_vs_bare": (bare.cpu / bare.requests) / (first.cpu / pages),
        "recrawl_requests_ratio": unchanged.requests / pages if crawled else None,
        "recrawl_cpu_ratio": unchanged.cpu / first.cpu if crawled else None,
        "changes_found_first_crawl": int(change.output) if crawled else None,
        "requests_vs_urlwatch": change.requests / watch["change"].requests if watch else None,
        "urlwatch_time_vs_detect": watch["change"].wall / change.wall if watch else None,
        "feeds_big_vs_1k": large["feeds"] / small["feeds"] if big else None,
        "all304_crawl_big_vs_1k": large["all304_crawl"] / small["all304_crawl"] if big else None,
        "inserts_per_s": large["inserts_per_s"] if big else None,
        "peak_rss_mib_10k": rss.rss_mib if args.rss_pages or not args.only else None,
    }


def measure_store(args: argparse.Namespace) -> dict[str, object]:
    """The ``--big`` figures only: a first crawl of the site seeds the database, then the store test."""
    with served_site(args) as (_site, mirror, tmp, sources):
        mirror.epoch = 1
        seed = tmp / "seed"
        run(crawl_cmd(seed, sources, mirror, T0), mirror)
        big = big_store(args.big, mirror, sources, seed, tmp)
    small, large = big[str(min(1000, args.big))], big[str(args.big)]
    return {"sizes": {"articles": args.articles, "big": args.big}, "big": big,
            "feeds_big_vs_1k": large["feeds"] / small["feeds"],
            "all304_crawl_big_vs_1k": large["all304_crawl"] / small["all304_crawl"],
            "status_big_vs_1k": large["status"] / small["status"],
            "inserts_per_s": large["inserts_per_s"]}


def store_table(r: dict) -> str:
    """The printed table of ``--store-only``: the store lines and their ratios against the targets."""
    lines = [_store_line(f) for f in r["big"].values()]
    lines.append(f"{'figure':28} {'measured':>10}  target")
    for key, op, goal in [("feeds_big_vs_1k", "<=", 3), ("all304_crawl_big_vs_1k", "<=", 3),
                          ("inserts_per_s", ">=", 5000), ("status_big_vs_1k", "", None)]:
        value = r[key]
        if goal is None:
            lines.append(f"{key:28} {value:10.3f}  (no target)")
            continue
        verdict = "met" if (value >= goal if op == ">=" else value <= goal) else "MISSED"
        lines.append(f"{key:28} {value:10.3f}  {op} {goal}  {verdict}")
    return "\n".join(lines)


def _store_line(f: dict) -> str:
    return (f"store of {int(f['items'])} synthetic items: inserts {f['inserts_per_s']:.0f}/s, feeds "
            f"{f['feeds']:.2f} s, search {f['search']:.2f} s, deadlines {f['deadlines']:.2f} s, status "
            f"{f['status']:.2f} s, all-304 crawl {f['all304_crawl']:.2f} s ({int(f['all304_requests'])} "
            f"requests, {int(f['all304_304s'])} × 304)")


def peak_rss_crawl(pages: int, tmp: Path) -> Measured:
    """A first crawl of a site of ``pages`` articles; its peak RSS is the memory figure."""
    site = BenchSite(pages, TODAY)
    with CountingMirror([site]) as mirror:
        sources = tmp / "sources-rss.toml"
        sources.write_text(sources_toml(backfill_pages=pages // 20 + 20), encoding="utf-8")
        return run(crawl_cmd(tmp / "rss", sources, mirror, T0), mirror)


def vars_of(m: Measured) -> dict[str, float]:
    return {"wall_s": round(m.wall, 3), "cpu_s": round(m.cpu, 3), "peak_rss_mib": round(m.rss_mib, 1),
            "requests": m.requests, "requests_304": m.requests_304, "bytes": m.bytes}


def table(r: dict) -> str:
    """The printed table: one row per tool and step, then the ratios against their targets."""
    lines = [f"site: {r['sizes']['articles']} articles, {r['sizes']['pages_first_crawl']} pages on the first crawl; "
             f"median of {r['sizes']['repeat']}",
             f"{'':34} {'wall s':>8} {'cpu s':>8} {'requests':>9} {'304s':>6} {'MB sent':>8} {'RSS MiB':>8}"]

    def row(name: str, m: dict | None) -> None:
        if m:
            lines.append(f"{name:34} {m['wall_s']:8.2f} {m['cpu_s']:8.2f} {m['requests']:9d} {m['requests_304']:6d} "
                         f"{m['bytes'] / 1e6:8.1f} {m['peak_rss_mib']:8.1f}")
    row("bare Scrapy, first fetch", r["bare"])
    for step in ("first", "unchanged", "change"):
        row(f"urlwatch, {step}", (r["urlwatch"] or {}).get(step))
    for step in ("first", "unchanged", "change"):
        row(f"Sotevahti, {step}", r["sotevahti"][step])
    lines.append(f"disk left by the first crawl: {r['disk_bytes_per_page'] / 1024:.1f} KiB per page")
    if r.get("pipeline_cpu_vs_bare") is not None:
        ours_ms = r["sotevahti"]["first"]["cpu_s"] / r["sizes"]["pages_first_crawl"] * 1000
        bare_ms = r["bare"]["cpu_s"] / max(r["bare"]["requests"], 1) * 1000
        lines.append(f"CPU a page, first fetch: Sotevahti {ours_ms:.2f} ms, bare Scrapy {bare_ms:.2f} ms "
                     f"(pipeline_cpu_vs_bare {r['pipeline_cpu_vs_bare']:.3f})")
    lines.extend(_store_line(f) for f in r["big"].values())
    targets = [("pipeline_vs_bare", ">=", 0.85), ("recrawl_requests_ratio", "<=", 0.10),
               ("recrawl_cpu_ratio", "<=", 0.2), ("changes_found_first_crawl", ">=", 8),
               ("requests_vs_urlwatch", "<=", 0.15), ("urlwatch_time_vs_detect", ">=", 10),
               ("feeds_big_vs_1k", "<=", 3), ("all304_crawl_big_vs_1k", "<=", 3), ("inserts_per_s", ">=", 5000),
               ("peak_rss_mib_10k", "<=", 250)]
    lines.append(f"{'figure':28} {'measured':>10}  target")
    for key, op, goal in targets:
        value = r[key]
        if value is None:
            lines.append(f"{key:28} {'n/a':>10}  {op} {goal}")
            continue
        ok = value >= goal if op == ">=" else value <= goal
        lines.append(f"{key:28} {value:10.3f}  {op} {goal}  {'met' if ok else 'MISSED'}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
