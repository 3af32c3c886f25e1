"""Crawl benchmark: the whole Sotevahti pipeline against a bare Scrapy spider, in the same run.

Both crawl the local mirror (no network). Sotevahti's crawl parses, validates, stores, tracks
deadlines, records health and writes every feed, the calendar and the web page; the bare
spider fetches the same URLs and does nothing with them. The ratios show what the pipeline
costs on top of Scrapy itself. Each is run --repeat times; the median wall time and the
largest peak RSS are printed.

    python bench/bench_crawl.py --repeat 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(Path(__file__).resolve().parent))

from side_by_side import bare_command  # noqa: E402

from sotevahti.demo import mirror_sites  # noqa: E402
from sotevahti.mirror.server import Mirror  # noqa: E402
from sotevahti.sources import load_config  # noqa: E402


def timed(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (kB) of a command, from GNU time."""
    proc = subprocess.run(["/usr/bin/time", "-f", "%e %M", *cmd], capture_output=True, text=True, check=True)
    wall, rss = proc.stderr.strip().splitlines()[-1].split()
    return float(wall), int(rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    config = load_config(ROOT / "sources.toml")
    with Mirror(mirror_sites(config)) as mirror, tempfile.TemporaryDirectory() as tmp:
        ids = [s.id for s in config.sources if s.enabled and all(mirror.serves(u) for u in s.urls())]
        ours, bare = [], []
        for n in range(args.repeat):
            out = Path(tmp) / f"run{n}"
            before = len(mirror.requests)
            ours.append(timed([sys.executable, str(ROOT / "monitor.py"), "crawl", *ids, "--out", str(out),
                               "--mirror", mirror.url, "--json"]))
            fetched = [path for _e, path, _s in mirror.requests[before:] if path != "/robots.txt"]
            bare.append(timed(bare_command([mirror.url + p for p in fetched], Path(tmp))))
        pages = len(fetched)
        items = json.loads(subprocess.run([sys.executable, str(ROOT / "monitor.py"), "export", "--format", "json",
                                           "--db", str(out / "sotevahti.db")], capture_output=True,
                                          text=True).stdout)
    ours_wall, bare_wall = statistics.median(w for w, _ in ours), statistics.median(w for w, _ in bare)
    ours_rss, bare_rss = max(r for _, r in ours), max(r for _, r in bare)
    print(f"mirror crawl of {len(ids)} sources: {pages} pages fetched, {len(items)} items stored "
          f"(median of {args.repeat} runs)")
    print(f"  sotevahti crawl (parse, store, deadlines, health, feeds, page): {ours_wall:6.2f} s  "
          f"peak RSS {ours_rss / 1024:6.1f} MB")
    print(f"  bare Scrapy, same URLs, no processing:                         {bare_wall:6.2f} s  "
          f"peak RSS {bare_rss / 1024:6.1f} MB")
    print(f"  ratio: {ours_wall / bare_wall:.2f}x time, {ours_rss / bare_rss:.2f}x memory; "
          f"{len(items) / ours_wall:.0f} items/s end to end")


if __name__ == "__main__":
    main()
