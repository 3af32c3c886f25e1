"""The query side of the CLI on the demo's database: search, deadlines, history, export; plus the
crawl lock, serve, schedule and the Datasette metadata."""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.request

import pytest

from sotevahti.lock import CrawlLock
from sotevahti.serve import make_server
from sotevahti.store import Store

from .conftest import ROOT, run_monitor


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    proc = run_monitor("demo", "--json", "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def cli(demo, *args):
    proc = run_monitor(*args, "--db", demo["db"])
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.parametrize("words, seed_title", [
    ("muutosjohtajaksi", "Sote-uudistuksen muutostuki valmisteilla, muutosjohtajaksi 33 hakijaa"),      # seed 004
    ("alueellisen valmistelun jaosto*", "Sote-uudistuksen alueellisen valmistelun jaoston toiminta käynnistyi"),
    ("lausuntokierroksella pelastustoimen", "Sote-uudistus"),                                             # seed 000
    ("Sote-Savotta", "Sote-uudistus Lapissa"),                                                            # seed 002
])
def test_search_finds_the_seeds(demo, words, seed_title):
    rows = json.loads(cli(demo, "search", words, "--json"))
    assert seed_title in [r["title"] for r in rows]
    hit = next(r for r in rows if r["title"] == seed_title)
    assert "[" in hit["snippet"] and hit["url"].startswith("https://")
    assert seed_title in cli(demo, "search", words)    # the human form shows it too


def test_search_filters_and_odd_input(demo):
    lapland = json.loads(cli(demo, "search", "sote*", "--region", "21", "--json"))
    assert lapland and {r["region"] for r in lapland} == {"21"}
    recent = json.loads(cli(demo, "search", "hyvinvointialue*", "--since", "2026-01-01", "--json"))
    assert recent and all(r["published"] >= "2025-12-31" for r in recent)
    assert json.loads(cli(demo, "search", ': ^ ; -', "--json")) == []        # punctuation is no FTS syntax
    assert "Ei osumia." in cli(demo, "search", "qwertyzzz")


def test_search_takes_fts5_operators(demo):
    """`sote OR rahoitus` used to be searched as the three words "sote" "OR" "rahoitus": nothing found."""
    either = {r["id"] for r in json.loads(cli(demo, "search", "muutosjohtajaksi OR Sote-Savotta", "--json"))}
    one = {r["id"] for r in json.loads(cli(demo, "search", "muutosjohtajaksi", "--json"))}
    other = {r["id"] for r in json.loads(cli(demo, "search", "Sote-Savotta", "--json"))}
    assert one and other and either == one | other
    phrase = json.loads(cli(demo, "search", '"alueellisen valmistelun"', "--json"))
    assert phrase and all("[alueellisen] [valmistelun]" in r["snippet"].lower() or "alueellisen" in
                          r["snippet"].lower() for r in phrase)
    without = {r["id"] for r in json.loads(cli(demo, "search", "sote* NOT muutosjohtajaksi", "--json",
                                               "--limit", "500"))}
    assert without and not without & one
    bad = run_monitor("search", '"sote AND', "--db", demo["db"])
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "unbalanced quote" in bad.stderr


def test_deadlines_upcoming_json(demo):
    rows = json.loads(cli(demo, "deadlines", "--upcoming", "--json"))
    assert len(rows) >= 5
    assert [r["deadline"] for r in rows] == sorted(r["deadline"] for r in rows)
    assert all(r["status"] in ("open", "extended") and r["days_left"] >= 0 for r in rows)
    assert {"consultation", "application"} <= {r["kind"] for r in rows}
    assert set(rows[0]) >= {"deadline", "time", "kind", "status", "days_left", "title", "url", "organisation"}
    text = cli(demo, "deadlines", "--upcoming")
    assert " !" in text and "pv" in text                                      # the closing-soon mark
    closed = json.loads(cli(demo, "deadlines", "--closed", "--json"))
    assert closed and all(r["status"] == "closed" for r in closed)


def test_history_shows_the_edit(demo):
    store = Store(demo["db"])
    (edited,) = [r for r in store.db.query("SELECT id, url FROM items WHERE version > 1 AND kind = 'announcement'")]
    history = json.loads(cli(demo, "history", edited["url"], "--json"))
    assert [v["version"] for v in history["versions"]] == [1, 2]
    change = history["versions"][0]["diff_to_next"]
    assert any("pidennetty" in line for line in change["added"])
    text = cli(demo, "history", edited["id"])
    assert "Versio 1" in text and "Versio 2" in text and "+ Lausuntoaikaa on pidennetty" in text
    missing = run_monitor("history", "https://stm.fi/-/ei-ole", "--db", demo["db"])
    assert missing.returncode == 2 and "no item" in missing.stderr


def test_export_csv_and_json(demo, tmp_path):
    rows = list(csv.DictReader(io.StringIO(cli(demo, "export", "--format", "csv"))))
    store = Store(demo["db"])
    assert len(rows) == store.conn.execute("SELECT count(*) FROM items").fetchone()[0]
    assert {"id", "url", "title", "published", "region"} <= set(rows[0])
    out = tmp_path / "deadlines.json"
    cli(demo, "export", "--format", "json", "--table", "deadlines", "--output", str(out))
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert len(exported) == store.conn.execute("SELECT count(*) FROM deadlines").fetchone()[0]
    bad = run_monitor("export", "--table", "sqlite_master", "--db", demo["db"])
    assert bad.returncode == 2 and "cannot export" in bad.stderr


def test_second_crawl_is_refused_cleanly(tmp_path):
    db = tmp_path / "sotevahti.db"
    with CrawlLock(db):
        proc = run_monitor("crawl", "stm", "--db", str(db), "--mirror", "http://127.0.0.1:9")
    assert proc.returncode == 2
    assert proc.stderr.startswith("monitor.py: error: another crawl is already running on")
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr and "database is locked" not in proc.stderr


def test_schedule_refused_while_a_crawl_runs_and_loops_otherwise(tmp_path):
    db = tmp_path / "sotevahti.db"
    with CrawlLock(db):
        refused = run_monitor("schedule", "--max-runs", "1", "--db", str(db), "--mirror", "http://127.0.0.1:9")
    assert refused.returncode == 2 and "another crawl is already running" in refused.stderr
    # an unreachable source fails each round, and the loop still runs every round
    proc = run_monitor("schedule", "vm", "--every", "1s", "--max-runs", "2", "--db", str(db),
                       "--mirror", "http://127.0.0.1:9", timeout=240)
    assert proc.returncode == 1                     # nothing worked, and the schedule says so at the end
    assert "round 1: failed (exit 1)" in proc.stderr and "round 2: failed (exit 1)" in proc.stderr
    assert proc.stderr.count("alarm: vm: found no article links") == 1   # raised once, not every round
    assert proc.stderr.count("every source failed (vm)") == 2            # but each failed round is loud
    assert [r["status"] for r in Store(db).runs()] == ["failed", "failed"]


def test_serve_is_read_only_and_stays_in_public(demo):
    from pathlib import Path
    from threading import Thread

    public = Path(demo["feeds"]["rss"]).parent
    server = make_server(public, 0)
    Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with urllib.request.urlopen(f"{base}/deadlines.ics") as r:
            assert r.headers["Content-Type"].startswith("text/calendar") and b"BEGIN:VCALENDAR" in r.read()
        for path in ("/../sotevahti.db", "/%2e%2e/sotevahti.db", "/feeds/"):
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(base + path)
            assert err.value.code == 404
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(urllib.request.Request(f"{base}/feed.xml", data=b"x", method="POST"))
        assert err.value.code == 405
    finally:
        server.shutdown()
        server.server_close()


def test_datasette_metadata_matches_the_schema(tmp_path):
    meta = json.loads((ROOT / "metadata.json").read_text(encoding="utf-8"))
    store = Store(tmp_path / "sotevahti.db")
    tables = meta["databases"]["sotevahti"]["tables"]
    for name, spec in tables.items():
        columns = {c.name for c in store.db[name].columns}
        assert columns, name
        for facet in spec.get("facets", []):
            assert facet in columns, (name, facet)
        for key in ("sort", "sort_desc", "label_column"):
            if key in spec:
                assert spec[key] in columns, (name, key)
    assert tables["items"]["fts_table"] in store.db.table_names()
