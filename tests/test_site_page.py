"""The static web page: escaping, the deadline timeline, region pages, feed links, and the page in Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sotevahti.dates import HELSINKI
from sotevahti.feed_sets import feed_specs, main_specs
from sotevahti.site_page import region_label, safe_url, upcoming_deadlines, write_site
from sotevahti.sources import FeedSettings
from sotevahti.store import Store
from sotevahti.tracking import FoundDeadline, days_left

from .conftest import run_monitor
from .test_store import make_item

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
SETTINGS = FeedSettings()
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--hide-scrollbars"]


class Dom(HTMLParser):
    """Every element (tag and attributes) and the text of a page, as a browser would read them."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.chunks: list[str] = []
        self.feed(text)
        self.text = " ".join(" ".join(self.chunks).split())

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.chunks.append(data)

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.elements if tag == name]

    def with_class(self, cls: str) -> list[dict[str, str | None]]:
        return [attrs for _, attrs in self.elements if cls in (attrs.get("class") or "").split()]


def _add(store: Store, n: int, deadlines: list[FoundDeadline] = (), **over) -> str:
    item = make_item(n, body="Hyvinvointialueiden rahoitus kasvaa.", **over)
    store.upsert_items([item], None, NOW)
    if deadlines:
        store.sync_item_deadlines(item["id"], deadlines, NOW, None, origin="api")
    return item["id"]


def _dl(kind: str, day: date, at: time | None = None, extension: bool = False) -> FoundDeadline:
    return FoundDeadline(kind, day, at, "…", extension)


@pytest.fixture
def site(store, tmp_path):
    """A store with deadlines of every kind, a hostile item, a Swedish one and a county one, written out."""
    _add(store, 1, [_dl("consultation", date(2026, 11, 26), time(16, 15))], title="Lausuntopyyntö rahoituksesta")
    _add(store, 2, [_dl("application", date(2026, 12, 1))], title="Avustushaku järjestöille", region="08",
         organisation="Pirkanmaan hyvinvointialue", url="https://www.pirha.fi/-/avustushaku")
    _add(store, 3, [_dl("registration", date(2026, 12, 2))], title="Webinaariin ilmoittautuminen")
    _add(store, 4, [_dl("other", date(2027, 1, 15), extension=True)], title="Selvityspyyntö alueille")
    _add(store, 5, [_dl("consultation", date(2026, 11, 20))], title="Mennyt lausuntoaika")
    _add(store, 6, [_dl("consultation", date(2026, 12, 10))], title="Epäolennainen lausunto", relevant=False)
    _add(store, 7, [_dl("consultation", date(2026, 11, 30))], title=HOSTILE, lead=HOSTILE)
    _add(store, 8, title="Utkast till lag om välfärdsområden", language="sv", type="Pressmeddelande")
    # The schema refuses such a URL, so put it in behind the store's back: the page must still not link it.
    store.conn.execute("UPDATE items SET url = 'javascript:alert(1)' WHERE id = ?", (make_item(7)["id"],))
    paths = write_site(store, tmp_path / "public", SETTINGS, NOW)
    return tmp_path / "public", paths


def test_write_site_writes_index_style_and_a_page_per_region(site, store):
    public, paths = site
    assert paths[0] == public / "index.html" and (public / "style.css").is_file()
    assert {p.name for p in paths if p.parent.name == "alue"} == {"08-pirkanmaa.html", "national.html"}
    page = (public / "index.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fi">' in page
    for label in ("Uusimmat tiedotteet", "Määräajat", "Päivää jäljellä", "Muuttuneet", "Alueet", "Syötteet"):
        assert label in page
    assert "Pirkanmaan hyvinvointialue / Birkalands välfärdsområde" in page
    assert "http" not in (public / "style.css").read_text()          # no external resources
    assert all("<script" not in p.read_text(encoding="utf-8") for p in paths)


def test_hostile_content_is_only_ever_escaped(site):
    public, paths = site
    for path in paths:
        if path.suffix != ".html":
            continue
        page = path.read_text(encoding="utf-8")
        dom = Dom(page)
        assert not dom.tags("script") and not dom.tags("img"), path
        assert "<img" not in page and "onerror=alert" not in page.replace("onerror=alert(2)&gt;", "")
        hrefs = [a["href"] or "" for a in dom.tags("a")]
        assert not any("javascript" in h.lower() for h in hrefs), path
        assert all(urlsplit(h).scheme in ("", "http", "https") and not h.startswith("//") for h in hrefs), hrefs
    index = (public / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in index
    assert HOSTILE in Dom(index).text                                   # shown to the reader as text
    assert 'href="#"' in index                                           # the javascript: link was defused


@pytest.mark.parametrize("url, expected", [
    ("https://stm.fi/-/1271139/x", "https://stm.fi/-/1271139/x"),
    ("http://example.org/a?b=1&c=2", "http://example.org/a?b=1&amp;c=2"),
    ('https://example.org/"><script>', "https://example.org/&quot;&gt;&lt;script&gt;"),
    ("javascript:alert(1)", "#"), ("JavaScript:alert(1)", "#"), (" javascript:alert(1)", "#"),
    ("data:text/html,<script>alert(1)</script>", "#"), ("vbscript:x", "#"), ("//evil.example/x", "#"),
    ("https:alert(1)", "#"), ("https://exa mple.org/", "#"), ("", "#"), (None, "#"),
])
def test_safe_url_lets_only_http_links_through(url, expected):
    assert safe_url(url) == expected


def test_timeline_lists_upcoming_relevant_deadlines_soonest_first(site):
    public, _ = site
    dom = Dom((public / "index.html").read_text(encoding="utf-8"))
    text = dom.text
    order = ["Lausuntopyyntö rahoituksesta", HOSTILE, "Avustushaku järjestöille", "Webinaariin ilmoittautuminen",
             "Selvityspyyntö alueille"]
    timeline = text[text.index("Päivää jäljellä"):text.index("Uusimmat tiedotteet", text.index("Päivää jäljellä"))]
    positions = [timeline.index(t) for t in order]
    assert positions == sorted(positions)
    assert "Mennyt lausuntoaika" not in timeline and "Epäolennainen lausunto" not in timeline
    assert "26.11.2026 klo 16.15" in timeline and "15.1.2027" in timeline
    assert "2 päivää jäljellä" in timeline and "52 päivää jäljellä" in timeline
    for label in ("Lausunto", "Avustushaku", "Ilmoittautuminen", "Muu määräaika", "Määräaikaa jatkettu"):
        assert label in timeline
    rows = [r["class"].split() for r in dom.with_class("deadline")]
    # ≤ 7 days: 26.11. (2 days), 30.11. (6), 1.12. (7); 2.12. (8) and 15.1. are not soon.
    assert ["soon" in r for r in rows] == [True, True, True, False, False]
    assert ["extended" in r for r in rows] == [False, False, False, False, True]
    assert timeline.count("Päättyy pian") == 3


def test_upcoming_drops_a_deadline_whose_hour_passed_today(store):
    _add(store, 1, [_dl("consultation", date(2026, 11, 24), time(9, 0))], title="Aamulla päättyvä")
    _add(store, 2, [_dl("consultation", date(2026, 11, 24))], title="Illalla päättyvä")
    at = datetime(2026, 11, 24, 12, 0, tzinfo=HELSINKI)
    assert [r["title"] for r in upcoming_deadlines(store, at)] == ["Illalla päättyvä"]


def test_announcements_show_date_organisation_type_title_and_lead(site):
    public, _ = site
    page = (public / "index.html").read_text(encoding="utf-8")
    text = Dom(page).text
    assert "Sosiaali- ja terveysministeriö · Tiedote" in text
    assert "Valtiovarainministeriö on tarkistanut hyvinvointialueiden rahoituksen." in text
    assert '<a href="https://stm.fi/-/1271139/tiedote-8" lang="sv">Utkast till lag om välfärdsområden</a>' in page
    assert "Epäolennainen lausunto" not in text                      # irrelevant items stay off the page
    assert "klo" in text and "2025" in text


def test_region_page_holds_only_its_region_and_links_its_feed(site):
    public, _ = site
    page = (public / "alue" / "08-pirkanmaa.html").read_text(encoding="utf-8")
    text = Dom(page).text
    assert "Pirkanmaan hyvinvointialue / Birkalands välfärdsområde" in text
    assert "Avustushaku järjestöille" in text and "Lausuntopyyntö rahoituksesta" not in text
    assert 'href="../feeds/region/08-pirkanmaa.xml"' in page and 'href="../style.css"' in page
    assert 'href="../index.html"' in page
    assert region_label("national") == "Valtakunnallinen / Hela landet"


def test_index_links_every_feed_the_opml_file_and_the_calendar(site, store):
    public, _ = site
    hrefs = {a["href"] for a in Dom((public / "index.html").read_text(encoding="utf-8")).tags("a")}
    wanted = {s.path for s in [*main_specs(SETTINGS), *feed_specs(store, SETTINGS)]}
    assert wanted | {"feeds.opml", "deadlines.ics", "alue/08-pirkanmaa.html", "alue/national.html"} <= hrefs


def test_changes_show_edits_and_withdrawals(store, tmp_path):
    _add(store, 1, title="Muokattava tiedote")
    store.upsert_items([make_item(1, title="Muokattava tiedote", body="Uusi kappale lisättiin.")], None,
                       NOW + timedelta(hours=1))
    _add(store, 2, title="Poistettu tiedote")
    store.mark_removed(make_item(2)["id"], 404, NOW + timedelta(hours=2))
    write_site(store, tmp_path, SETTINGS, NOW + timedelta(hours=3))
    text = Dom((tmp_path / "index.html").read_text(encoding="utf-8")).text
    changes = text[text.index("Muuttuneet", text.index("Muuttuneet") + 1):]
    assert changes.index("Poistettu tiedote") < changes.index("Muokattava tiedote")
    assert "Lisätty: Uusi kappale lisättiin." in changes and "Sivu ei ole enää saatavilla." in changes


# -- the page in a real browser ---------------------------------------------------------------


CHROMIUM_NAMES = ("chromium", "chromium-browser")
CHROMIUM_PATHS = ("/usr/bin/chromium",)


def _chromium() -> str:
    """Chromium's path; without it the browser tests skip (CI sets SOTEVAHTI_REQUIRE_CHROMIUM=1: they fail)."""
    path = next((p for p in (*map(shutil.which, CHROMIUM_NAMES), *CHROMIUM_PATHS) if p and Path(p).exists()), None)
    if path is None:
        message = "Chromium is needed for the browser tests and is not installed (apt-get install -y chromium)"
        if os.environ.get("SOTEVAHTI_REQUIRE_CHROMIUM"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def _run_chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def test_without_chromium_the_browser_tests_skip_with_the_reason(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM_PATHS", ())
    monkeypatch.delenv("SOTEVAHTI_REQUIRE_CHROMIUM", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium is needed for the browser tests"):
        _chromium()
    monkeypatch.setenv("SOTEVAHTI_REQUIRE_CHROMIUM", "1")     # CI: a missing browser is a failure
    with pytest.raises(pytest.fail.Exception):
        _chromium()


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The demo database, one hostile item added, written out with :func:`write_site`, and opened in Chromium."""
    tmp = tmp_path_factory.mktemp("page")
    proc = run_monitor("demo", "--json", "--out", str(tmp / "demo"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    store = Store(tmp / "demo" / "sotevahti.db")
    now = datetime.fromisoformat(store.runs(1)[0]["started"])
    title = ("<script>document.body.setAttribute('data-pwned','1')</script>"
             "<img src=x onerror=\"document.body.setAttribute('data-pwned','2')\">")
    hostile = make_item(999, title=title, lead=title, body="", published=now - timedelta(hours=1),
                        url="https://stm.fi/-/1/hostile")
    store.upsert_items([hostile], None, now)
    store.sync_item_deadlines(hostile["id"], [_dl("consultation", now.astimezone(HELSINKI).date() + timedelta(3))],
                              now, None, origin="api")
    write_site(store, tmp / "site", SETTINGS, now)
    dump = _run_chromium(tmp / "profile", "--dump-dom", (tmp / "site" / "index.html").as_uri())
    assert dump.returncode == 0 and "</html>" in dump.stdout, dump.stderr[-2000:]
    shot = tmp / "page.png"
    run = _run_chromium(tmp / "profile", f"--screenshot={shot}", "--window-size=1280,2000",
                        (tmp / "site" / "index.html").as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    yield {"store": store, "now": now, "dom": Dom(dump.stdout), "shot": shot, "tmp": tmp, "title": title}
    store.close()


def test_chromium_shows_the_upcoming_deadlines_with_days_left(demo_site):
    store, now, dom = demo_site["store"], demo_site["now"], demo_site["dom"]
    upcoming = upcoming_deadlines(store, now)
    assert len(upcoming) >= 5
    for row in upcoming:
        assert " ".join(row["title"].split()) in dom.text
    rows = dom.with_class("deadline")
    assert len(rows) == len(upcoming)
    soon = [r for r in upcoming if days_left(date.fromisoformat(r["deadline"]), now) <= 7]
    assert soon and len([r for r in rows if "soon" in r["class"].split()]) == len(soon)
    assert dom.text.count("Päättyy pian") == len(soon)
    assert "päivää jäljellä" in dom.text and "Päivää jäljellä" in dom.text


def test_chromium_shows_the_latest_announcements(demo_site):
    store, dom = demo_site["store"], demo_site["dom"]
    latest = store.latest_items(10)
    assert latest
    for item in latest:
        assert " ".join(item["title"].split()) in dom.text
    assert "Uusimmat tiedotteet" in dom.text and "/ Birkalands välfärdsområde" in dom.text


def test_chromium_runs_no_script_from_content(demo_site):
    dom = demo_site["dom"]
    assert not dom.tags("script") and not dom.tags("img")
    (body,) = dom.tags("body")
    assert "data-pwned" not in body                              # neither the script nor onerror ran
    assert demo_site["title"] in dom.text                         # the title is there, as text


def test_chromium_screenshot_is_a_real_picture(demo_site):
    shot = demo_site["shot"]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000


def test_demo_page_if_the_demo_writes_one(demo_site):
    own = demo_site["tmp"] / "demo" / "public" / "index.html"
    if not own.exists():       # the demo does not write the page (yet): the page written above stands in
        return
    dump = _run_chromium(demo_site["tmp"] / "profile", "--dump-dom", own.as_uri())
    assert dump.returncode == 0, dump.stderr[-2000:]
    dom = Dom(dump.stdout)
    for item in demo_site["store"].latest_items(5):
        if item["id"] != make_item(999)["id"]:
            assert " ".join(item["title"].split()) in dom.text
