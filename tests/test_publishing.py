"""Publishing (issue 14): a real crawl needs a real public_url; WebSub hub links and pings after changes."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import feedparser
import pytest

from settings import USER_AGENT
from sotevahti.feeds import write_feeds
from sotevahti.publishing import announce_changes, changed_feed_urls, check_public_url, is_real_crawl, ping_hub
from sotevahti.sources import ConfigError, FeedSettings, parse_config

from .conftest import ROOT, run_monitor, with_now
from .test_store import make_item

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
PUBLIC = "https://sotevahti.example.fi/"


class Hub:
    """A WebSub hub on 127.0.0.1 that records every POST and answers with ``status``."""

    def __init__(self, status: int = 204) -> None:
        self.status, self.pings = status, []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                hub.pings.append({"form": parse_qs(body), "agent": self.headers.get("User-Agent"),
                                  "type": self.headers.get("Content-Type")})
                self.send_response(hub.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def feeds(self) -> list[str]:
        return [p["form"]["hub.url"][0] for p in self.pings]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hub():
    h = Hub()
    yield h
    h.close()


def test_a_real_crawl_with_the_example_public_url_is_refused_and_writes_nothing(tmp_path):
    proc = run_monitor("crawl", "stm", "--db", str(tmp_path / "real" / "sotevahti.db"), timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "public_url" in proc.stderr and "Traceback" not in proc.stderr
    assert 'public_url = "https://' in proc.stderr            # says how to set it
    assert list(tmp_path.iterdir()) == []                      # no database, no lock, no public/
    sched = run_monitor("schedule", "--max-runs", "1", "--db", str(tmp_path / "s.db"), timeout=60)
    assert sched.returncode == 2 and "public_url" in sched.stderr and list(tmp_path.iterdir()) == []


def test_what_counts_as_a_real_crawl():
    config = parse_config({"source": [
        {"id": "local", "name": "L", "platform": "liferay", "organisation": "STM", "region": "national",
         "languages": ["fi"], "start_urls": ["https://127.0.0.1:8443/ajankohtaista"]},
        {"id": "stm", "name": "STM", "platform": "liferay", "organisation": "STM", "region": "national",
         "languages": ["fi"], "start_urls": ["https://stm.fi/ajankohtaista"]}]})
    local, real = config.sources
    assert not is_real_crawl([local], None)
    assert is_real_crawl([local, real], None)
    assert not is_real_crawl([real], "http://127.0.0.1:8765")     # the demo and the tests: --mirror
    check_public_url(FeedSettings(public_url=PUBLIC), [real], None)   # a real address: fine
    with pytest.raises(ConfigError, match="public_url is still the example"):
        check_public_url(FeedSettings(), [real], None)


@pytest.mark.parametrize("key, value", [("websub_hub", "hub.example.fi"), ("websub_hub", "ftp://hub.example.fi/"),
                                        ("public_url", "sotevahti/")])
def test_feed_urls_are_validated(key, value):
    with pytest.raises(ConfigError, match=key):
        parse_config({"feed": {key: value}, "source": [
            {"id": "stm", "name": "STM", "platform": "liferay", "organisation": "STM", "region": "national",
             "languages": ["fi"], "start_urls": ["https://stm.fi/ajankohtaista"]}]})


def test_feeds_name_the_hub_in_rss_and_atom(store, tmp_path):
    store.upsert_items([make_item(1)], None, NOW)
    settings = FeedSettings(public_url=PUBLIC, websub_hub="https://hub.example.fi/")
    paths = write_feeds(store, tmp_path, settings, NOW)
    for path, self_url in ((paths.rss, f"{PUBLIC}feed.xml"), (paths.atom, f"{PUBLIC}atom.xml"),
                           (tmp_path / "feeds/language/fi.xml", f"{PUBLIC}feeds/language/fi.xml")):
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, path
        links = {(link.get("rel"), link.get("href")) for link in feed.feed.links}
        assert ("hub", "https://hub.example.fi/") in links and ("self", self_url) in links, links
    plain = write_feeds(store, tmp_path / "plain", FeedSettings(public_url=PUBLIC), NOW)
    assert b'rel="hub"' not in plain.rss.read_bytes() and b'rel="hub"' not in plain.atom.read_bytes()


def test_changed_feeds_are_pinged_and_unchanged_ones_are_not(store, tmp_path, hub):
    settings = FeedSettings(public_url=PUBLIC, websub_hub=hub.url)
    store.upsert_items([make_item(1)], None, NOW)
    first = write_feeds(store, tmp_path, settings, NOW)
    record = announce_changes(first.changed, tmp_path, settings, USER_AGENT)
    assert record["warning"] is None
    assert hub.feeds() == record["pinged"] == changed_feed_urls(first.changed, tmp_path, settings)
    assert {f"{PUBLIC}feed.xml", f"{PUBLIC}atom.xml", f"{PUBLIC}feeds/language/fi.xml"} <= set(hub.feeds())
    assert not any(u.endswith((".ics", ".opml", ".html")) for u in hub.feeds())
    assert {p["form"]["hub.mode"][0] for p in hub.pings} == {"publish"}
    assert {p["agent"] for p in hub.pings} == {USER_AGENT}
    assert {p["type"] for p in hub.pings} == {"application/x-www-form-urlencoded"}
    hub.pings.clear()
    again = write_feeds(store, tmp_path, settings, datetime(2026, 11, 24, 16, 0, tzinfo=UTC))
    assert again.changed == ()
    assert announce_changes(again.changed, tmp_path, settings, USER_AGENT)["pinged"] == [] and hub.pings == []
    store.upsert_items([make_item(2, language="sv", url="https://stm.fi/sv/-/1271139/nytt")], None, NOW)
    third = write_feeds(store, tmp_path, settings, NOW)
    announce_changes(third.changed, tmp_path, settings, USER_AGENT)
    assert f"{PUBLIC}feeds/language/sv.xml" in hub.feeds() and f"{PUBLIC}feeds/language/fi.xml" not in hub.feeds()


def test_a_failing_hub_is_one_warning():
    broken = Hub(status=500)
    try:
        warning = ping_hub(broken.url, [f"{PUBLIC}feed.xml", f"{PUBLIC}atom.xml"], USER_AGENT)
        assert warning is not None and "500" in warning and "\n" not in warning
        assert len(broken.pings) == 1                      # it stops at the first failure
    finally:
        broken.close()
    unreachable = ping_hub("http://127.0.0.1:9/hub", [f"{PUBLIC}feed.xml"], USER_AGENT, timeout=2)
    assert unreachable is not None and "did not take the ping" in unreachable


def test_a_crawl_pings_the_hub_after_a_change_and_not_after_a_quiet_crawl(mirror, tmp_path, hub):
    text = (ROOT / "sources.toml").read_text(encoding="utf-8")
    sources = tmp_path / "sources.toml"
    sources.write_text(text.replace('public_url = "https://example.org/sotevahti/"',
                                    f'public_url = "{PUBLIC}"\nwebsub_hub = "{hub.url}"', 1), encoding="utf-8")
    out = tmp_path / "out"
    args = ("crawl", *with_now(("vm",)), "--out", str(out), "--mirror", mirror.url, "--json", "--sources", str(sources))
    first = run_monitor(*args)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert summary["websub"]["warning"] is None and summary["websub"]["pinged"] == hub.feeds()
    assert f"{PUBLIC}feed.xml" in hub.feeds()
    hub.pings.clear()
    quiet = run_monitor(*args)
    assert quiet.returncode == 0, quiet.stderr
    assert json.loads(quiet.stdout)["websub"]["pinged"] == [] and hub.pings == []
    # a hub that went away is one warning, and the crawl still succeeds
    hub.close()
    (out / "public" / "feed.xml").unlink()
    gone = run_monitor(*args)
    assert gone.returncode == 0
    assert [line for line in gone.stderr.splitlines() if "WebSub" in line] == [gone.stderr.strip().splitlines()[-1]]
    assert Path(out / "public" / "feed.xml").exists()
