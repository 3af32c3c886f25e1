"""``serve`` and the public files under attack: no symlink out of public/, no NUL-byte traceback,
no idle connection held forever, no temporary file served; concurrent and killed writers of the
feeds never leave a broken or empty file behind."""

from __future__ import annotations

import os
import socket
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from sotevahti.atomic_files import STALE_AFTER, remove_stale_temporaries, write_atomic
from sotevahti.feeds import write_feeds
from sotevahti.serve import PublicHandler, make_server
from sotevahti.sources import load_config
from sotevahti.store import Store

from .conftest import CRAWL_NOW, ROOT


@pytest.fixture
def served(tmp_path, monkeypatch):
    public = tmp_path / "public"
    public.mkdir()
    (public / "feed.xml").write_text("<rss/>", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("salasana", encoding="utf-8")
    (public / "leak.txt").symlink_to(secret)
    (public / "outside").symlink_to(tmp_path, target_is_directory=True)
    (public / "feed.xml.tmp").write_bytes(b"")                     # what a killed writer used to leave
    (public / ".atom.xml.k3j2.tmp").write_bytes(b"<feed")         # a writer's temporary file, half done
    monkeypatch.setattr(PublicHandler, "timeout", 1)
    server = make_server(public, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", server.server_address[1]
    server.shutdown()
    server.server_close()


def status_of(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_serve_keeps_to_public_and_never_serves_temporary_files(served):
    base, _port = served
    assert status_of(f"{base}/feed.xml") == 200
    assert status_of(f"{base}/leak.txt") == 404                  # a symlink out of public/
    assert status_of(f"{base}/outside/secret.txt") == 404
    assert status_of(f"{base}/feed.xml.tmp") == 404
    assert status_of(f"{base}/.atom.xml.k3j2.tmp") == 404
    assert status_of(f"{base}/%00") in (400, 404)
    assert status_of(f"{base}/feed.xml%00.html") in (400, 404)
    assert status_of(f"{base}/feed.xml") == 200                  # and the server still answers


def test_serve_closes_idle_connections(served):
    _base, port = served
    with socket.create_connection(("127.0.0.1", port), timeout=10) as idle:
        started = time.monotonic()
        assert idle.recv(1024) == b""                            # closed by the server, not by us
        assert time.monotonic() - started < 5


def test_write_atomic_uses_unique_names_and_never_leaves_a_partial_file(tmp_path):
    target = tmp_path / "feed.xml"
    payloads = [f"<rss>{n}</rss>".encode() * 2000 for n in range(8)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda p: write_atomic(target, p), payloads * 5))
    assert target.read_bytes() in payloads
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.xml"]


def test_concurrent_feed_writers_do_not_collide(tmp_path):
    db = tmp_path / "sotevahti.db"
    Store(db).close()
    feed = load_config(ROOT / "sources.toml").feed
    errors = []

    def writer():
        store = Store(db)
        try:
            for _ in range(6):
                write_feeds(store, tmp_path / "public", feed, CRAWL_NOW)
        except Exception as e:
            errors.append(e)
        finally:
            store.close()

    threads = [threading.Thread(target=writer) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    public = tmp_path / "public"
    assert not list(public.rglob("*.tmp"))
    assert (public / "feed.xml").stat().st_size > 0 and (public / "index.html").stat().st_size > 0


def test_left_overs_of_a_killed_writer_are_removed(tmp_path):
    stale, fresh = tmp_path / ".feed.xml.a1.tmp", tmp_path / ".feed.xml.b2.tmp"
    stale.write_bytes(b"")
    fresh.write_bytes(b"<rss")
    old = fresh.stat().st_mtime - STALE_AFTER - 60     # the file system's clock, whatever the process's says
    os.utime(stale, (old, old))
    assert remove_stale_temporaries(tmp_path) == 1
    assert not stale.exists() and fresh.exists()     # a writer still at work keeps its file
