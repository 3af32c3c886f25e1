"""Failure is loud: a crawl where nothing worked says so and exits 1, a partial one lists its
alarms, network tracebacks go to the log file only, a crawl without a network ends quickly,
Ctrl-C stops a crawl within 5 s, and a plain ``scrapy crawl`` honours the crawl lock.

The servers here are tiny ones of the test's own on 127.0.0.1: a closed port (connection
refused), a listening socket that never accepts (dropped packets: the connection hangs), and
a server that takes a minute to answer.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sotevahti.lock import CrawlLock

from .conftest import ROOT, run_monitor, with_now

LIFERAY = ("valtioneuvosto", "stm", "vm")


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_crawl_where_every_source_failed_exits_1_in_one_line(tmp_path):
    mirror = f"http://127.0.0.1:{closed_port()}"
    log = tmp_path / "crawl.log"
    started = time.monotonic()
    proc = run_monitor("crawl", *LIFERAY, "--out", str(tmp_path / "out"), "--mirror", mirror, "-q",
                       "--log", str(log), timeout=60)
    took = time.monotonic() - started
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert "Traceback" not in proc.stderr and len(lines) <= 2 * len(LIFERAY) + 1, proc.stderr[-3000:]
    assert all(line.startswith("alarm: ") for line in lines[:-1])
    assert lines[-1].startswith("monitor.py: run 1 failed: every source failed (stm, valtioneuvosto, vm)")
    detail = log.read_text()
    assert "ERROR" in detail and "connect" in detail   # the detail is kept, in the log
    assert took < 30, f"{took:.0f} s"
    again = run_monitor(*with_now(("crawl", *LIFERAY, "--out", str(tmp_path / "out2"), "--mirror", mirror,
                                   "--json")), timeout=60)
    assert again.returncode == 1
    summary = json.loads(again.stdout)
    assert summary["status"] == "failed" and summary["failing_sources"] == sorted(LIFERAY)
    assert summary["alarms"] and "Traceback" not in again.stderr


def test_a_crawl_where_some_sources_failed_is_partial_and_lists_the_alarms(mirror, tmp_path):
    # keusote's site is not in the mirror: every request of it is a 404, so it finds nothing.
    proc = run_monitor(*with_now(("crawl", "stm", "keusote", "--out", str(tmp_path / "out"),
                                  "--mirror", mirror.url, "--json")))
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads(proc.stdout)
    assert summary["status"] == "partial" and summary["failing_sources"] == ["keusote"]
    assert any(a.startswith("keusote: ") for a in summary["alarms"])
    quiet = run_monitor(*with_now(("crawl", "stm", "keusote", "--out", str(tmp_path / "out"),
                                   "--mirror", mirror.url, "-q")))
    assert quiet.returncode == 0 and quiet.stdout == ""
    assert "Traceback" not in quiet.stderr


def test_without_a_network_a_crawl_ends_quickly_even_when_packets_are_dropped(tmp_path):
    """A socket that listens but never accepts, with its queue full: new connections hang like
    dropped packets. Without giving the host up, every request waited out its timeout and its
    retries (253 s against the real sites); now the crawl ends in about one timeout."""
    sink = socket.socket()
    sink.bind(("127.0.0.1", 0))
    sink.listen(0)
    fillers = []
    for _ in range(3):   # fill the accept queue; the next SYNs are dropped
        f = socket.socket()
        f.setblocking(False)
        f.connect_ex(sink.getsockname())
        fillers.append(f)
    try:
        started = time.monotonic()
        proc = run_monitor(*with_now(("crawl", *LIFERAY, "--out", str(tmp_path / "out"), "-q", "--mirror",
                                      f"http://127.0.0.1:{sink.getsockname()[1]}")), timeout=120)
        took = time.monotonic() - started
    finally:
        for f in fillers:
            f.close()
        sink.close()
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "every source failed" in proc.stderr and "Traceback" not in proc.stderr
    # one mirror timeout (10 s) for the first requests, then the host is given up
    assert took < 40, f"{took:.0f} s"


class SlowServer:
    """Answers robots.txt at once and everything else after ``delay`` seconds."""

    def __init__(self, delay: float) -> None:
        self.requests = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != "/robots.txt":
                    outer.requests.set()
                    time.sleep(delay)
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slow_server():
    server = SlowServer(delay=60)
    yield server
    server.close()


def start_crawl(slow_server, out) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(ROOT / "monitor.py"),
                             *with_now(("crawl", *LIFERAY, "--out", str(out), "--mirror", slow_server.url, "-q"))],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_ctrl_c_stops_a_crawl_within_5_s_and_says_so(slow_server, tmp_path):
    proc = start_crawl(slow_server, tmp_path / "out")
    try:
        assert slow_server.requests.wait(30), "the crawl never reached the server"
        time.sleep(0.5)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=20)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert took < 5, f"stopped {took:.1f} s after Ctrl-C"
    assert proc.returncode == 130, err[-2000:]
    assert "SIGINT: stopping the crawl" in err and "interrupted" in err.splitlines()[-1]
    assert "Traceback" not in err
    runs = sqlite3.connect(tmp_path / "out" / "sotevahti.db").execute("SELECT status FROM runs").fetchall()
    assert runs == [("interrupted",)]


def test_plain_scrapy_crawl_honours_the_crawl_lock(slow_server, tmp_path):
    db = tmp_path / "sotevahti.db"
    env = {**os.environ, "SOTEVAHTI_DB": str(db), "SOTEVAHTI_PUBLIC_DIR": str(tmp_path / "public"),
           "SOTEVAHTI_HTTPCACHE": str(tmp_path / "httpcache"), "SOTEVAHTI_MIRROR": slow_server.url}
    with CrawlLock(db):
        proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "liferay", "-a", "sources=stm",
                               "-L", "INFO"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert "another crawl is already running on" in proc.stderr, proc.stderr[-3000:]
    assert "'finish_reason': 'locked'" in proc.stderr
    assert not slow_server.requests.is_set()           # nothing was fetched
    assert not db.exists()                             # and nothing written
