"""Experiment (not a test, not runtime code): does a small learnt model over the date candidates'
features pick deadlines better than the rules on a fresh batch?

For every date candidate of every labelled case it builds the features the rules look at (cue
strength, vetoes, the roles of the words in the candidate's clause, range, year-less, extension
words, position) and trains a logistic regression (plain Python, SGD with L2) on every case that
is *not* in the held-out batch. On the held-out batch, per case, the most probable candidate is
the answer if its probability is above 0.5. Printed next to the rules' score on the same batch:

    python bench/candidate_model.py --batch 5

The figure to compare is the exact-date F1 per language (the model answers no kind or time).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sotevahti import deadline_candidates as dc  # noqa: E402
from sotevahti import deadline_patterns as cues  # noqa: E402
from sotevahti import deadline_words as dw  # noqa: E402
from sotevahti.dates import find_dates_folded, fold_case  # noqa: E402
from sotevahti.deadlines import extract_deadline  # noqa: E402

DATA = ROOT / "tests" / "data" / "deadline_sentences.jsonl"
ROLES = (dw.ACT, dw.AUTHORITY, dw.USE, dw.GRANT, dw.ELIGIBLE, dw.COUNT, dw.APPEAL, dw.REPORT)


def candidates(case: dict) -> list[tuple[str | None, list[float]]]:
    """(ISO date, feature vector) of every day-precision date of a case, read as one sentence."""
    text = case["text"]
    low = fold_case(text)
    ref = date.fromisoformat(case["ref_date"]) if case["ref_date"] else None
    dates = find_dates_folded(text, low, ref)
    found = dw.words(low, 0, len(low))
    topical = dw.has(found, dw.ACT) or dw.has(found, dw.APPEAL)
    extension_word = cues.EXTENSION.search(low) is not None
    out = []
    prev_end = 0
    for i, m in enumerate(dates):
        if m.precision != "day":
            continue
        after = dc._AFTER_DATE(low, m.end, len(low))
        score = dc.cue_score(low, m, after, prev_end, 0, len(low))
        c_from, c_to = dc.clause_of(dc.clause_marks(low, 0, len(low)), 0, len(low), m.start, m.end)
        vec = [1.0, *(float(score == k) for k in range(4)),
               float(cues.LATER_CUE.match(low, m.end, len(low)) is not None),
               float(dc._LEFT_VETO(low, max(prev_end, m.start - 70, c_from), m.start) is not None),
               float(after is not None and bool(after[4])),
               float(after is not None and after[1] in ("saakka", "asti")),
               float(topical), float(m.is_range), float(m.yearless), float(m.time is not None),
               float(extension_word), float(i == len(dates) - 1), float(len(dates) > 1),
               float(cues.PERIOD_NOUN.search(low, c_from, c_to) is not None),
               float(cues.PERIOD_WORDS.search(low, c_from, c_to) is not None),
               float(dw.has(found, dw.RECURRING)),
               *(float(dw.has(found, role, c_from, c_to)) for role in ROLES),
               *(float(dw.has(found, role)) for role in ROLES)]
        out.append((m.date.isoformat() if m.date else None, vec))
        prev_end = m.end
    return out


def train(rows: list[tuple[list[float], int]], epochs: int = 30, rate: float = 0.1, l2: float = 1e-4) -> list[float]:
    """Logistic regression weights by stochastic gradient descent (fixed seed)."""
    weights = [0.0] * len(rows[0][0])
    order = list(range(len(rows)))
    rng = random.Random(11)
    for _ in range(epochs):
        rng.shuffle(order)
        for i in order:
            x, y = rows[i]
            p = _sigmoid(sum(w * v for w, v in zip(weights, x, strict=True)))
            for j, v in enumerate(x):
                weights[j] -= rate * ((p - y) * v + l2 * weights[j])
    return weights


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def f1(pairs: list[tuple[str | None, str | None]]) -> float:
    """Exact-date F1 of (predicted, labelled) pairs, as bench/score_batches.py counts it."""
    tp = sum(bool(p) and p == g for p, g in pairs)
    fp = sum(bool(p) and p != g for p, g in pairs)
    fn = sum(bool(g) and p != g for p, g in pairs)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def main(argv: list[str] | None = None) -> int:
    """Train without the held-out batch, print model and rules F1 on it; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, required=True, help="held-out fresh batch")
    opts = parser.parse_args(argv)
    cases = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    held = [c for c in cases if c.get("batch") == opts.batch]
    rows = [(vec, int(bool(c["deadline"]) and iso == c["deadline"]))
            for c in cases if c.get("batch") != opts.batch for iso, vec in candidates(c)]
    weights = train(rows)
    for lang in ("fi", "sv"):
        group = [c for c in held if c["lang"] == lang]
        model, rules = [], []
        for case in group:
            scored = [(_sigmoid(sum(w * v for w, v in zip(weights, vec, strict=True))), iso)
                      for iso, vec in candidates(case)]
            best = max(scored, default=(0.0, None))
            model.append((best[1] if best[0] > 0.5 else None, case["deadline"]))
            ref = date.fromisoformat(case["ref_date"]) if case["ref_date"] else None
            got = extract_deadline(case["text"], case["lang"], ref)
            rules.append((got.deadline.isoformat() if got and got.deadline else None, case["deadline"]))
        print(f"batch {opts.batch} {lang}: n={len(group)}  model F1 {f1(model):.3f}  rules F1 {f1(rules):.3f}"
              f"  (trained on {len(rows)} candidates)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
