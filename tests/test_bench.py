"""The side-by-side benchmark runs end to end at a tiny size and prints every figure the issue asks for.

Only a functional check: no time is asserted (benchmarks are never timed tests), but the
detection figure is, because it is a count, not a time.
"""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import ROOT

KEYS = {"pipeline_vs_bare", "recrawl_requests_ratio", "recrawl_cpu_ratio", "changes_found_first_crawl",
        "requests_vs_urlwatch", "urlwatch_time_vs_detect", "feeds_big_vs_1k", "all304_crawl_big_vs_1k",
        "inserts_per_s", "peak_rss_mib_10k"}


def test_side_by_side_tiny_prints_every_key():
    script = ROOT / "bench" / "side_by_side.py"
    proc = subprocess.run([sys.executable, str(script), "--tiny", "--no-urlwatch", "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    figures = json.loads(proc.stdout)
    assert KEYS <= set(figures)
    assert figures["changes_found_first_crawl"] == 8           # 5 new items + 3 extended deadlines, one crawl
    assert figures["urlwatch"] is None and figures["requests_vs_urlwatch"] is None
    first = figures["sotevahti"]["first"]
    assert first["requests"] == figures["sizes"]["pages_first_crawl"] > 45
    assert figures["sotevahti"]["unchanged"]["requests_304"] > 0
    assert all(isinstance(figures[k], (int, float)) for k in KEYS - {"requests_vs_urlwatch", "urlwatch_time_vs_detect"})
