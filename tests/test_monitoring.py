"""Change monitoring: volatile parts ignored, withdrawn pages marked, history compact and prunable."""

from __future__ import annotations

import json
from datetime import timedelta

import feedparser

from sotevahti.mirror.server import Mirror, Page
from sotevahti.store import Store
from sotevahti.store_history import COMPRESS_ABOVE
from sotevahti.volatile import strip_volatile

from .conftest import CRAWL_NOW, TOMORROW, run_monitor, with_now
from .test_store import NOW, make_item

DAY_AFTER = (CRAWL_NOW + timedelta(days=2)).isoformat()


class Wrapped:
    """A mirror site with a twist per epoch: volatile lines, or an article that disappears."""

    def __init__(self, site, volatile=False, gone=None):
        self.site, self.volatile, self.gone = site, volatile, gone
        self.hosts = site.hosts
        self.visit = 1   # the volatile lines change with each visit, the content does not

    def render(self, host, path, query, epoch, base):
        if self.gone and epoch >= 2 and path == self.gone:
            return None
        page = self.site.render(host, path, query, epoch, base)
        if page is None or not self.volatile or "/-/" not in path:
            return page
        stamp = (f"<p>Viimeksi päivitetty {self.visit + 1}.11.2026 klo 9.{self.visit:02d}</p>"
                 f"<p>Luettu {self.visit * 117} kertaa</p>").encode()
        body = page.body.replace(b'<div class="article__body">', b'<div class="article__body">' + stamp)
        return Page(body, page.content_type, page.status, page.last_modified, page.headers)


def crawl(mirror, out, *args):
    proc = run_monitor("crawl", *with_now(args), "--out", str(out), "--mirror", mirror.url, "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_strip_volatile_keeps_the_news_and_drops_the_noise():
    text = ("Lausuntoaika päättyy 25.9.2020.\n\nViimeksi päivitetty 3.3.2025 klo 9.15\n\nLuettu 1 234 kertaa\n\n"
            "Sivusto käyttää evästeitä. Hyväksy evästeet.\n\nSenast uppdaterad: 14.3.2025\n\n"
            "Hallitus päivitti linjauksensa 2.3.2026 ja lakiesitys annetaan keväällä.")
    assert strip_volatile(text) == ("Lausuntoaika päättyy 25.9.2020.\n\n"
                                    "Hallitus päivitti linjauksensa 2.3.2026 ja lakiesitys annetaan keväällä.")


def test_volatile_lines_never_make_a_version(site, tmp_path):
    wrapped = Wrapped(site, volatile=True)
    with Mirror([wrapped]) as mirror:
        first = crawl(mirror, tmp_path, "stm")
        wrapped.visit = 2
        second = crawl(mirror, tmp_path, "stm", "--now", TOMORROW)
    assert first["items_new"] > 0
    assert second["items_updated"] == 0 and second["requests"] > second["requests_304"]   # bytes did change
    store = Store(tmp_path / "sotevahti.db")
    noisy = "SELECT 1 FROM items WHERE body LIKE '%Viimeksi päivitetty%' OR body LIKE '%Luettu%'"
    assert not list(store.db.query(noisy))
    assert not list(store.db.query("SELECT 1 FROM item_versions"))


def test_withdrawn_article_is_marked_removed_and_announced(site, tmp_path):
    fresh = next(a for a in site.articles if a.host == "stm.fi" and a.lang == "fi" and a.published.startswith("today"))
    with Mirror([Wrapped(site, gone=fresh.path())]) as mirror:
        crawl(mirror, tmp_path, "stm")
        mirror.epoch = 2
        first_404 = crawl(mirror, tmp_path, "stm", "--now", TOMORROW)
        # one 404 may be transient: it is noted, nothing is published
        assert first_404["sources"]["stm"]["missing"] == 1 and "removed" not in first_404["sources"]["stm"]
        feed = feedparser.parse((tmp_path / "public" / "feed.xml").read_bytes())
        assert not [e for e in feed.entries if e.id.endswith("/removed")]
        run = crawl(mirror, tmp_path, "stm", "--now", DAY_AFTER)
    assert run["sources"]["stm"]["removed"] == 1 and run["sources"]["stm"]["errors_http_404"] == 1
    store = Store(tmp_path / "sotevahti.db")
    (row,) = store.db.query("SELECT * FROM items WHERE url = ?", [fresh.real_url()])
    assert row["removed_at"] and row["removed_status"] == 404      # kept, never deleted
    feed = feedparser.parse((tmp_path / "public" / "feed.xml").read_bytes())
    assert any(e.id == f"{row['id']}/removed" and e.title == f"Poistettu: {fresh.title}" for e in feed.entries)
    assert any(e.id == row["id"] for e in feed.entries)             # the original entry stays as it was
    health = run["alarms"]
    assert not [a for a in health if "stm" in a]                     # a 404 on a known item is no outage


def test_long_versions_are_compressed_and_pruning_keeps_the_current_version(store):
    long_body = "Hyvinvointialueiden rahoitus tarkentuu.\n\n" + ("Pitkä perustelukappale. " * 200)
    assert len(long_body.encode()) > COMPRESS_ABOVE
    store.upsert_items([make_item(1, body=long_body)], 1, NOW - timedelta(days=400))
    store.upsert_items([make_item(1, body=long_body + "\n\nKorjattu luku.")], 2, NOW - timedelta(days=300))
    store.upsert_items([make_item(1, body=long_body + "\n\nKorjattu luku uudelleen.")], 3, NOW)
    raw = list(store.db.query("SELECT body, body_z FROM item_versions ORDER BY version"))
    assert all(r["body"] is None and r["body_z"] for r in raw)
    assert [v["body"] for v in store.item_versions(make_item(1)["id"])] == [long_body, long_body + "\n\nKorjattu luku."]
    assert store.prune_versions(180, NOW) == 1                      # the one superseded 300 days ago
    assert len(store.item_versions(make_item(1)["id"])) == 1
    assert store.get_item(make_item(1)["id"])["body"].endswith("Korjattu luku uudelleen.")


def test_status_and_prune_commands(tmp_path):
    missing = run_monitor("status", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 2 and "no database" in missing.stderr
    Store(tmp_path / "s.db").close()
    proc = run_monitor("status", "--db", str(tmp_path / "s.db"), "--json")
    report = json.loads(proc.stdout)
    assert proc.returncode == 0 and report["ok"] and report["database"]["integrity"] == "ok"
    assert report["database"]["bytes"] > 0 and report["sources"] == []
    pruned = json.loads(run_monitor("prune", "--days", "30", "--db", str(tmp_path / "s.db"), "--json").stdout)
    assert pruned["versions_removed"] == 0
