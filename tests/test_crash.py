"""Crash safety: a crawl killed with SIGKILL mid-run leaves a consistent database, and the next run completes.

The promise (DEVELOPERS.md): writes are transactional and batched; a crash or kill at any moment
leaves a consistent database, nothing committed before the kill is lost and nothing is duplicated.

A plain ``scrapy crawl`` (so that ``-s SOTEVAHTI_BATCH_SIZE=5`` can make batches small) crawls
the five Liferay sources from a mirror whose article pages answer slowly and one at a time, so
that batches are committed along the way. Once at least ten items are committed, the whole
process group gets SIGKILL. Then ``monitor.py crawl`` runs again into the same database (and
its HTTP validators), at full speed, and must finish the job.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from sotevahti.mirror.liferay_site import LiferaySite, expected_items
from sotevahti.mirror.server import Mirror, Page

from .conftest import CRAWL_NOW, ROOT, run_monitor

LIFERAY = ("valtioneuvosto", "stm", "vm", "intermin", "soteuudistus")
BATCH_SIZE = 5
KILL_AFTER = 10        # committed items
ARTICLE_DELAY = 0.2    # seconds per article page while slow


class SlowLiferaySite:
    """The Liferay mirror, with article pages that take ``delay`` seconds and are served one at a time.

    Serving one article at a time (an overloaded server) makes the crawl last several seconds
    whatever the spider's concurrency; set ``delay = 0`` to serve at full speed again.
    """

    def __init__(self, site: LiferaySite, delay: float) -> None:
        self.site = site
        self.hosts = site.hosts
        self.delay = delay
        self._one_at_a_time = threading.Lock()

    def render(self, host: str, path: str, query: str, epoch: int, base: str) -> Page | None:
        page = self.site.render(host, path, query, epoch, base)
        article = ((host, path) not in self.site.listings and (host, path) not in self.site.feeds
                   and not path.startswith("/documents/"))
        if page is not None and article and self.delay:
            with self._one_at_a_time:
                time.sleep(self.delay)
        return page


def committed_ids(db: Path) -> set[str] | None:
    """Item ids committed so far, read through a read-only connection; ``None`` before the schema exists."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    except sqlite3.DatabaseError:
        return None
    try:
        return {row[0] for row in conn.execute("SELECT id FROM items")}
    except sqlite3.DatabaseError:   # no file yet, or no items table yet
        return None
    finally:
        conn.close()


def test_sigkill_mid_crawl_loses_nothing_and_the_next_run_completes(site, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    db = out / "sotevahti.db"   # where `monitor.py crawl --out` looks
    expected = expected_items(site, 1)
    slow = SlowLiferaySite(site, ARTICLE_DELAY)
    with Mirror([slow]) as mirror:
        env = {**os.environ, "SOTEVAHTI_DB": str(db), "SOTEVAHTI_PUBLIC_DIR": str(out / "public"),
               "SOTEVAHTI_MIRROR": mirror.url}
        log = (tmp_path / "killed-crawl.log").open("w+")
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "scrapy", "crawl", "liferay", "-a", "sources=" + ",".join(LIFERAY),
             "-s", f"SOTEVAHTI_BATCH_SIZE={BATCH_SIZE}", "-s", f"SOTEVAHTI_NOW={CRAWL_NOW.isoformat()}",
             "-L", "WARNING"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            before: set[str] = set()
            while len(before) < KILL_AFTER:
                if proc.poll() is not None:
                    log.seek(0)
                    raise AssertionError(f"crawl ended ({proc.returncode}) before {KILL_AFTER} items were "
                                         f"committed ({len(before)}):\n{log.read()[-3000:]}")
                assert time.monotonic() - started < 40, f"only {len(before)} items committed after 40 s"
                time.sleep(0.05)
                before = committed_ids(db) or set()
            os.killpg(proc.pid, signal.SIGKILL)
            killed_at = time.monotonic() - started
            assert proc.wait(timeout=10) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            log.close()

        # The database as the killed crawl left it (opened read-write, as the next run would).
        conn = sqlite3.connect(db)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            conn.execute("INSERT INTO items_fts(items_fts) VALUES ('integrity-check')")  # raises if corrupt
            after = {row[0] for row in conn.execute("SELECT id FROM items")}
            assert before <= after, "items committed before the kill were lost"
            assert len(after) < len(expected), "the kill came too late: the crawl had already finished"
            assert conn.execute("SELECT count(*) - count(DISTINCT url) FROM items").fetchone()[0] == 0
            assert not conn.execute("SELECT url FROM item_urls GROUP BY url HAVING count(DISTINCT item_id) > 1"
                                    ).fetchall()
            # batches are all-or-nothing: every committed item has its URLs, every URL its item
            assert not conn.execute("SELECT id FROM items WHERE id NOT IN (SELECT item_id FROM item_urls)").fetchall()
            assert not conn.execute("SELECT url FROM item_urls WHERE item_id NOT IN (SELECT id FROM items)").fetchall()
            assert len(after) % BATCH_SIZE == 0, f"{len(after)} items: a batch was half-written"
            # HTTP validators were written with their items, never ahead of them: none points at
            # content that was not stored (a torn cache entry would make a 304 hide a lost item).
            validated = {row[0] for row in conn.execute("SELECT item_id FROM http_validators")}
            assert validated and validated <= after
            (killed,) = conn.execute("SELECT id, status, finished FROM runs").fetchall()
            assert killed[1] == "running" and killed[2] is None   # never closed, and not claimed 'ok'
        finally:
            conn.close()

        # `status` tells the killed run apart from a running one, and --check fails on it.
        status = run_monitor("status", "--db", str(db), "--json", "--check")
        assert status.returncode == 1, status.stderr[-2000:]
        assert json.loads(status.stdout)["last_run"] == {**json.loads(status.stdout)["last_run"],
                                                         "id": killed[0], "status": "interrupted"}
        assert "interrupted" in run_monitor("status", "--db", str(db)).stdout

        # The next run, at full speed from the same mirror (so the stored validators apply), finishes the job.
        slow.delay = 0
        proc2 = run_monitor("crawl", *LIFERAY, "--out", str(out), "--mirror", mirror.url, "--json",
                            "--now", CRAWL_NOW.isoformat(), timeout=90)
    elapsed = time.monotonic() - started
    assert proc2.returncode == 0, proc2.stderr[-3000:]
    summary = json.loads(proc2.stdout)
    assert summary["status"] == "ok"
    assert summary["items_new"] == len(expected) - len(after)
    assert summary["items_updated"] == 0

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT id, url FROM items").fetchall()
        urls = [url for _, url in rows]
        assert len(urls) == len(set(urls)) == len(expected)
        assert set(urls) == set(expected)
        assert after <= {item_id for item_id, _ in rows}
        assert not conn.execute("SELECT url FROM item_urls GROUP BY url HAVING count(DISTINCT item_id) > 1"
                                ).fetchall()
        runs = conn.execute("SELECT id, status FROM runs ORDER BY id").fetchall()
        assert runs == [(killed[0], "interrupted"), (summary["run_id"], "ok")]   # the next run closed it
    finally:
        conn.close()
    print(f"committed before kill: >= {len(before)}, after kill: {len(after)}, "
          f"after rerun: {len(rows)} of {len(expected)}; killed at {killed_at:.1f} s, done at {elapsed:.1f} s")
