"""``monitor.py schedule``: crawl, publish and check health, again and again.

Each round runs ``monitor.py crawl`` in a subprocess (Scrapy's reactor cannot restart in one
process); the crawl also rebuilds the feeds and records source health. A failing source or a
failed round is logged and the loop goes on: a schedule that silently stops is the bug we are
avoiding (changedetection.io #4214).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime


def run_schedule(command: Sequence[str], every: float, jitter: float = 0.0, max_runs: int | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 run: Callable[..., subprocess.CompletedProcess[bytes]] = subprocess.run,
                 env: dict[str, str] | None = None) -> int:
    """Run ``command`` every ``every`` seconds (+ up to ``jitter``), ``max_runs`` times or forever.

    :return: 0 when every round succeeded, else 1 (after all rounds ran).
    """
    child_env = {**os.environ, **(env or {}), "SOTEVAHTI_LOCK_HELD_BY": str(os.getpid())}
    failures, rounds = 0, 0
    while max_runs is None or rounds < max_runs:
        rounds += 1
        started = datetime.now(UTC)
        result = run(list(command), env=child_env)
        took = (datetime.now(UTC) - started).total_seconds()
        state = "ok" if result.returncode == 0 else f"failed (exit {result.returncode})"
        failures += result.returncode != 0
        print(f"{started.isoformat(timespec='seconds')} round {rounds}: {state} in {took:.0f} s", file=sys.stderr,
              flush=True)
        if max_runs is not None and rounds >= max_runs:
            break
        sleep(max(0.0, every - took) + random.uniform(0, jitter))
    return 1 if failures else 0
