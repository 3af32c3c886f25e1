"""Input the command line must refuse: one line on stderr, exit 2, and nothing written.

Each case is one that used to end in a traceback, loop forever, or quietly do harm (``prune
--days -1`` deleted the whole version history; query commands added 16 tables to another
program's SQLite file; ``demo --out`` replaced a real crawl's database).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys

import pytest

from sotevahti.store import Store

from .conftest import ROOT, run_monitor


def snapshot(directory):
    """Every file under ``directory`` with a hash of its bytes."""
    return {p.relative_to(directory): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def assert_refused(proc, *words):
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-500:], proc.stderr[-1500:])
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("monitor.py: error: "), proc.stderr[-1500:]
    assert "Traceback" not in proc.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "data" / "sotevahti.db"
    Store(path).close()
    return path


@pytest.mark.parametrize("args, says", [
    (("prune", "--days", "-1"), "between 0 and"),
    (("prune", "--days", "1e8"), "not a whole number"),
    (("prune", "--days", "100000000"), "between 0 and"),
    (("crawl", "stm", "--now", "9999-12-31T23:59+02:00"), "out of range"),
    (("feeds", "--now", "2026-11-24T08:00"), "UTC offset"),
    (("deadlines", "--now", "0001-01-01T00:00+02:00"), "out of range"),
    (("schedule", "--jitter=-5s", "--max-runs", "1"), "not a duration"),
    (("schedule", "--every", "inf", "--max-runs", "1"), "not a duration"),
    (("schedule", "--every", "0", "--max-runs", "1"), "longer than zero"),
    (("schedule", "--every", "0m", "--max-runs", "1"), "longer than zero"),
    (("schedule", "--every", "nan", "--max-runs", "1"), "not a duration"),
    (("schedule", "--every=-1h", "--max-runs", "1"), "not a duration"),
    (("schedule", "--every", "400d", "--max-runs", "1"), "too long"),
    (("schedule", "--max-runs", "-1"), "1 or more"),
    (("schedule", "nosuchsource", "--every", "1h", "--max-runs", "2"), "nosuchsource"),
    (("serve", "--port", "99999"), "the port must be between 0 and 65535"),
    (("crawl", "stm", "--mirror", "not a url"), "not a mirror URL"),
    (("crawl", "stm", "--mirror", "ftp://127.0.0.1:21"), "not a mirror URL"),
    (("search", '"sote AND'), "unbalanced quote"),
    (("search", "( )"), "cannot read the query"),
    (("search", "sote", "--limit", "0"), "1 or more"),
])
def test_bad_input_is_refused_and_writes_nothing(db, args, says):
    before = snapshot(db.parent)
    proc = run_monitor(*args, "--db", str(db), timeout=30)
    assert_refused(proc, says)
    assert snapshot(db.parent) == before


def test_max_pages_below_one_is_refused(tmp_path):
    text = (ROOT / "sources.toml").read_text(encoding="utf-8")
    bad = tmp_path / "sources.toml"
    bad.write_text(text.replace('id = "stm"\n', 'id = "stm"\nmax_pages = 0\n', 1), encoding="utf-8")
    assert 'max_pages = 0' in bad.read_text(encoding="utf-8")
    assert_refused(run_monitor("sources", "--sources", str(bad)), "max_pages")


@pytest.fixture
def foreign_db(tmp_path):
    path = tmp_path / "other" / "app.sqlite"
    path.parent.mkdir()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes (text) VALUES ('ostoslista')")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("command", [("search", "sote"), ("deadlines",), ("history", "x"), ("status",),
                                     ("export",), ("prune", "--days", "30"), ("feeds",), ("crawl", "stm"),
                                     ("schedule", "--max-runs", "1")])
def test_another_programs_database_is_left_alone(foreign_db, command):
    before = snapshot(foreign_db.parent)
    proc = run_monitor(*command, "--db", str(foreign_db), timeout=30)
    assert_refused(proc, "not a Sotevahti database")
    assert snapshot(foreign_db.parent) == before          # no tables added, no -wal, no .lock
    tables = sqlite3.connect(foreign_db).execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    assert tables == [("notes",)]


@pytest.mark.parametrize("content", [b"just some text, not a database\n" * 20, None])
def test_a_bad_db_path_leaves_no_lock_file(tmp_path, content):
    target = tmp_path / "bad.db"
    if content is None:
        target.mkdir()                                    # a directory where the database should be
    else:
        target.write_bytes(content)
    proc = run_monitor("crawl", "stm", "--db", str(target), timeout=30)
    assert_refused(proc, "database")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.db"]


def test_demo_never_replaces_a_real_crawls_database(tmp_path, db):
    out = db.parent
    before = snapshot(out)
    assert_refused(run_monitor("demo", "--out", str(out), timeout=60), "the demo did not make")
    assert snapshot(out) == before


@pytest.mark.parametrize(("name", "value"), [("SOTEVAHTI_CONCURRENT_REQUESTS", "abc"),
                                             ("SOTEVAHTI_CONCURRENT_REQUESTS", "0"),
                                             ("SOTEVAHTI_DOWNLOAD_TIMEOUT", "kymmenen"),
                                             ("SOTEVAHTI_MAX_PAGE_BYTES", "-5")])
def test_a_bad_number_in_the_environment_is_refused_before_a_crawl(tmp_path, name, value):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, str(ROOT / "monitor.py"), "crawl", "stm", "--mirror", "http://127.0.0.1:9",
                           "--out", str(out)], capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={**os.environ, name: value})
    assert_refused(proc, name, repr(value))
    assert not out.exists()
