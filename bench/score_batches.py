"""Score the fresh batches of tests/data/deadline_sentences.jsonl, one row per batch (not a test).

Every case added under issue 11 carries ``"batch": N``. A batch is written before it is
run; its score *before* the fixes it prompted is the honest figure and is logged by hand in
tests/data/deadline_batches.md. Run this after writing a batch to get that row:

    python bench/score_batches.py            # every batch
    python bench/score_batches.py --batch 3  # one batch

Per language: precision, recall and F1 of the exact deadline date (a wrong date is both a
false positive and a false negative), and the share of correct dates whose kind is right.
Recurring rules count as right when ``deadline`` is null and ``recurring`` matches.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sotevahti.deadlines import extract_deadline  # noqa: E402

DATA = ROOT / "tests" / "data" / "deadline_sentences.jsonl"


def predict(case: dict) -> dict:
    """The extractor's answer in the labelled fields."""
    ref = date.fromisoformat(case["ref_date"]) if case["ref_date"] else None
    found = extract_deadline(case["text"], case["lang"], ref)
    out = found.to_json() if found else {}
    return {key: out.get(key) for key in ("deadline", "time", "kind", "recurring")}


def score(cases: list[dict]) -> dict:
    """Counts and rates of one group of cases."""
    tp = fp = fn = kind_right = recurring_right = recurring_n = 0
    for case in cases:
        got = predict(case)
        if case.get("recurring"):
            recurring_n += 1
            recurring_right += got["deadline"] is None and got["recurring"] == case["recurring"]
        if got["deadline"] and got["deadline"] == case["deadline"]:
            tp += 1
            kind_right += got["kind"] == case["kind"]
        else:
            fp += bool(got["deadline"])
            fn += bool(case["deadline"])
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"n": len(cases), "tp": tp, "fp": fp, "fn": fn, "f1": f1,
            "kind": kind_right / tp if tp else 1.0, "recurring": (recurring_right, recurring_n)}


def row(name: str, cases: list[dict]) -> str:
    """One markdown table row: batch, then fi and sv figures."""
    cells = [name]
    for lang in ("fi", "sv"):
        s = score([c for c in cases if c["lang"] == lang])
        cells.append(f"{s['n']} | {s['f1']:.3f} (TP {s['tp']} FP {s['fp']} FN {s['fn']}) | {s['kind']:.3f}")
    rec = score(cases)["recurring"]
    cells.append(f"{rec[0]}/{rec[1]}")
    return "| " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> int:
    """Print the table; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, help="only this batch")
    parser.add_argument("--misses", action="store_true", help="also print every wrong answer")
    opts = parser.parse_args(argv)
    cases = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    batches = sorted({c["batch"] for c in cases if "batch" in c})
    if opts.batch is not None:
        batches = [opts.batch]
    print("| batch | fi n | fi F1 exact date | fi kind | sv n | sv F1 exact date | sv kind | recurring |")
    print("|---|---|---|---|---|---|---|---|")
    for number in batches:
        group = [c for c in cases if c.get("batch") == number]
        print(row(str(number), group))
        if opts.misses:
            for case in group:
                got = predict(case)
                want = {k: case.get(k) for k in ("deadline", "time", "kind", "recurring")}
                if got != want:
                    print(f"    MISS {case['lang']} {case['text']!r}\n         want {want}\n         got  {got}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
