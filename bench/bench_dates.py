"""Throughput of extract_deadline against a naive dateutil baseline (not a test).

Runs both over the labelled sentences in tests/data/deadline_sentences.jsonl,
repeated N times, in the same process, and prints sentences per second, the
ratio, and how often each one's date agrees with the label (the baseline has
no idea which date is the deadline, so that number is for context only).

    .venv/bin/python bench/bench_dates.py --repeat 50
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

from dateutil import parser as dateutil_parser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from sotevahti.deadlines import extract_deadline  # noqa: E402

DATA = ROOT / "tests" / "data" / "deadline_sentences.jsonl"


def load() -> list[dict]:
    """The labelled cases, with ``ref_date`` parsed."""
    cases = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    for case in cases:
        case["ref"] = date.fromisoformat(case["ref_date"]) if case["ref_date"] else None
    return cases


def ours(case: dict) -> str | None:
    """Deadline as ISO text from our extractor."""
    found = extract_deadline(case["text"], case["lang"], case["ref"])
    return found.deadline.isoformat() if found and found.deadline else None


def baseline(case: dict) -> str | None:
    """dateutil's fuzzy parse: the first thing that looks like a date, or None."""
    default = dateutil_parser.parse("1900-01-01")
    try:
        parsed = dateutil_parser.parse(case["text"], fuzzy=True, dayfirst=True, default=default)
    except (ValueError, OverflowError):
        return None
    return None if parsed == default else parsed.date().isoformat()


def measure(func, cases: list[dict], repeat: int) -> tuple[float, int]:
    """Sentences per second over ``repeat`` passes, and agreement with the labels."""
    started = time.perf_counter()
    for _ in range(repeat):
        for case in cases:
            func(case)
    elapsed = time.perf_counter() - started
    agree = sum(func(case) == case["deadline"] for case in cases)
    return len(cases) * repeat / elapsed, agree


def main(argv: list[str] | None = None) -> int:
    """Print the comparison; returns 0."""
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--repeat", type=int, default=20, help="passes over the set (default 20)")
    opts = args.parse_args(argv)
    cases = load()
    total = len(cases) * opts.repeat
    print(f"{len(cases)} labelled sentences x {opts.repeat} = {total} calls each")
    ours_rate, ours_agree = measure(ours, cases, opts.repeat)
    base_rate, base_agree = measure(baseline, cases, opts.repeat)
    print(f"extract_deadline            {ours_rate:10,.0f} sentences/s   "
          f"deadline agrees with label {ours_agree}/{len(cases)}")
    print(f"dateutil parse(fuzzy=True)  {base_rate:10,.0f} sentences/s   "
          f"date agrees with label     {base_agree}/{len(cases)}")
    print(f"ratio extract_deadline / baseline: {ours_rate / base_rate:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
