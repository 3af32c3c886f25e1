"""Throughput and exactness of extract_deadline against dateparser's search_dates (not a test).

Both run over the labelled sentences in tests/data/deadline_sentences.jsonl in the
same process. Our extractor is timed over ``--rounds`` rounds of ``--repeat``
passes each and reports its best round (as ``timeit`` does: the machine's noise
only ever slows a round down) and the median round, by wall clock and by CPU
time, and once more through ``extract-deadlines``'s own JSONL loop. The word-role
cache and the token-flag cache are warm in the timed rounds (a crawl meets most
word forms again); the first, uncached look-ups are timed on their own lines. dateparser is two to three
orders of magnitude slower, so it gets ``--dp-repeat`` passes (default 1).

Exactness: for us, how many labelled deadlines come out exactly right (and how
many whole answers, date + time + kind, negatives included); for dateparser,
which has no notion of a deadline, how many labelled deadline dates appear
anywhere among the dates it finds, and how many are the last date it finds.

    .venv/bin/pip install -r bench/requirements.txt   # once, for the comparison
    .venv/bin/python bench/bench_dates.py --repeat 20 --rounds 5

Without dateparser the comparison is skipped with a message, and our figures
are still printed.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from sotevahti import deadline_words  # noqa: E402
from sotevahti.dates import fold_case  # noqa: E402
from sotevahti.deadlines import extract_deadline  # noqa: E402
from sotevahti.extract_cli import run_extract_deadlines  # noqa: E402
from sotevahti.lemma_index import lemmatizer  # noqa: E402
from sotevahti.token_flags import FLAGS  # noqa: E402

DATA = ROOT / "tests" / "data" / "deadline_sentences.jsonl"


def load() -> list[dict]:
    """The labelled cases, with ``ref_date`` parsed."""
    cases = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    for case in cases:
        case["ref"] = date.fromisoformat(case["ref_date"]) if case["ref_date"] else None
    return cases


def ours(case: dict) -> dict:
    """Our answer as the labelled fields: deadline (ISO), time ("HH:MM"), kind."""
    found = extract_deadline(case["text"], case["lang"], case["ref"])
    if found is None:
        return {"deadline": None, "time": None, "kind": None}
    out = found.to_json()
    return {key: out[key] for key in ("deadline", "time", "kind")}


def make_dateparser() -> Callable[[dict], list[str]] | None:
    """A function giving the ISO dates dateparser finds in a case, or None if it is not installed."""
    try:
        from dateparser.search import search_dates
    except ImportError:
        return None

    def found(case: dict) -> list[str]:
        ref = case["ref"] or date(2025, 1, 1)
        settings = {"DATE_ORDER": "DMY", "RELATIVE_BASE": datetime(ref.year, ref.month, ref.day)}
        hits = search_dates(case["text"], languages=[case["lang"]], settings=settings) or []
        return [value.date().isoformat() for _, value in hits]

    return found


def rates(func: Callable[[dict], object], cases: list[dict], repeat: int) -> tuple[float, float]:
    """Sentences per second of one round of ``repeat`` passes, garbage collection off, by wall
    time and by this process's CPU time (``time.process_time``: its one core only, which the
    other processes of a shared machine cannot inflate), both clocks read around the same work."""
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(repeat):
            for case in cases:
                func(case)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        if gc_was_on:
            gc.enable()
    return len(cases) * repeat / wall, len(cases) * repeat / cpu


def stream_rate(cases: list[dict], repeat: int) -> float:
    """Sentences per CPU-second through ``monitor.py extract-deadlines``'s own loop
    (``run_extract_deadlines``: JSON in, extraction, JSON out, flush), in memory, process start left out."""
    lines = "".join(json.dumps({"text": c["text"], "lang": c["lang"], "ref_date": c["ref_date"]},
                               ensure_ascii=False) + "\n" for c in cases)
    best = 0.0
    for _ in range(repeat):
        stdin, stdout = io.StringIO(lines), io.StringIO()
        started = time.process_time()
        run_extract_deadlines(stdin, stdout)
        best = max(best, len(cases) / (time.process_time() - started))
    return best


def lemma_cost(cases: list[dict]) -> tuple[int, float]:
    """Distinct word forms of the cases and the microseconds per form of looking up its Finnish and
    Swedish lemmas in simplemma (a new lemmatiser, its dictionaries opened before the clock): what
    a word costs the first time any process meets it, before the lemma memo
    (``sotevahti/lemma_memo.py``) answers it for later processes."""
    forms = sorted({form for case in cases for form in deadline_words.WORD.findall(fold_case(case["text"]))})
    lemmatize = lemmatizer()
    lemmatize("lausunto", "fi"), lemmatize("remiss", "sv")
    started = time.process_time()
    for form in forms:
        lemmatize(form, "fi"), lemmatize(form, "sv")
    return len(forms), (time.process_time() - started) / len(forms) * 1e6


def token_flag_cost(cases: list[dict]) -> tuple[int, int, float]:
    """Distinct whitespace-separated tokens of the cases, the number of token tests, and the
    microseconds per token of their first (uncached) look-up in the extractor's token flags."""
    tokens = sorted({token for case in cases for token in fold_case(case["text"]).split()})
    FLAGS.clear_cache()
    started = time.process_time()
    for token in tokens:
        FLAGS.of(token)
    return len(tokens), FLAGS.test_count, (time.process_time() - started) / len(tokens) * 1e6


def main(argv: list[str] | None = None) -> int:
    """Print the comparison; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="passes per round for us (default 20)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds for us; best is reported (default 5)")
    parser.add_argument("--dp-repeat", type=int, default=1, help="passes for dateparser (default 1)")
    opts = parser.parse_args(argv)
    cases = load()
    positives = [case for case in cases if case["deadline"]]
    print(f"{len(cases)} labelled sentences, {len(positives)} with a deadline date")

    for case in cases:  # warm up, as dateparser is below
        ours(case)
    rounds = [rates(ours, cases, opts.repeat) for _ in range(opts.rounds)]
    best, median = max(wall for wall, _ in rounds), statistics.median(wall for wall, _ in rounds)
    cpu = max(cpu for _, cpu in rounds)
    answers = [ours(case) for case in cases]
    right = sum(a["deadline"] == c["deadline"] for a, c in zip(answers, cases, strict=True) if c["deadline"])
    whole = sum(a == {k: c[k] for k in ("deadline", "time", "kind")} for a, c in zip(answers, cases, strict=True))
    print(f"extract_deadline          {best:10,.0f} sentences/s (best of {opts.rounds} rounds x {opts.repeat} passes;"
          f" median {median:,.0f})")
    print(f"  per CPU-second of this process (one core, lemmatiser included): {cpu:,.0f} sentences/s")
    print(f"  through extract-deadlines (run_extract_deadlines, JSON in and out), per CPU-second:"
          f" {stream_rate(cases, opts.rounds):,.0f} sentences/s")
    n_forms, per_form = lemma_cost(cases)
    print(f"  lemmatiser: {n_forms:,} distinct word forms, first look-up {per_form:.1f} µs each"
          f" (simplemma fi+sv), then remembered")
    n_tokens, n_tests, per_token = token_flag_cost(cases)
    print(f"  token flags: {n_tokens:,} distinct tokens, first look-up {per_token:.1f} µs each"
          f" ({n_tests} pattern tests), then cached")
    print(f"  labelled deadlines exactly right: {right}/{len(positives)};"
          f" whole answers (date, time, kind; negatives too) right: {whole}/{len(cases)}")

    search = make_dateparser()
    if search is None:
        print("dateparser not installed, skipping comparison (pip install -r bench/requirements.txt)")
        return 0
    for lang in sorted({case["lang"] for case in cases}):  # load each language's data before timing
        search(next(case for case in cases if case["lang"] == lang))
    dp_rate, dp_cpu = rates(search, cases, opts.dp_repeat)
    dp_found = [search(case) for case in positives]
    anywhere = sum(case["deadline"] in dates for case, dates in zip(positives, dp_found, strict=True))
    last = sum(bool(dates) and dates[-1] == case["deadline"] for case, dates in zip(positives, dp_found, strict=True))
    print(f"dateparser.search_dates   {dp_rate:10,.0f} sentences/s ({opts.dp_repeat} pass);"
          f" per CPU-second {dp_cpu:,.0f}")
    print(f"  labelled deadline dates among the dates it finds: {anywhere}/{len(positives)};"
          f" as the last date it finds: {last}/{len(positives)}")
    print(f"ratio extract_deadline / dateparser: {best / dp_rate:,.0f}x by wall clock,"
          f" {cpu / dp_cpu:,.0f}x by CPU time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
