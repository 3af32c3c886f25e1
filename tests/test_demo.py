"""End to end: `monitor.py demo --json`, as the README tells a new user to run it."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
from icalendar import Calendar

from sotevahti.demo import DEMO_PUBLIC_URL
from sotevahti.sources import load_config

from .conftest import ROOT, run_monitor
from .demo_alerts_check import check_demo_alerts
from .test_translations import check_demo_translations


def test_demo_json(tmp_path):
    proc = run_monitor("demo", "--json", "--out", str(tmp_path / "demo"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert set(result) >= {"db", "feeds", "items_by_source", "epochs"}
    assert result["db"] == str(tmp_path / "demo" / "sotevahti.db")
    e1, e2, e3 = result["epochs"]
    assert [e["epoch"] for e in result["epochs"]] == [1, 2, 3]
    for e in result["epochs"]:
        assert set(e) >= {"epoch", "requests", "response_bytes", "items_new", "items_updated", "requests_304"}
    assert e1["items_new"] >= 20 and sum(result["relevant_by_source"].values()) >= 20
    assert e2["items_new"] >= 2 and e2["items_updated"] >= 1
    assert e3["items_new"] == 0 and e3["items_updated"] == 0
    # Every re-check of a known item page is a conditional GET and comes back 304; listings,
    # feeds, sitemaps and the API are read in full (test_traffic checks this request by request).
    assert e3["requests_304"] > e3["requests"] / 2
    assert e3["response_bytes"] < 0.3 * e1["response_bytes"]
    config = load_config(ROOT / "sources.toml")
    assert set(result["items_by_source"]) == {s.id for s in config.sources}
    mirrored = set(result["items_by_source"]) - set(result["sources_not_mirrored"])
    assert {"valtioneuvosto", "stm", "isonet-sote", "lapinliitto-sote"} <= mirrored
    assert all(result["items_by_source"][s] > 0 for s in mirrored), result["items_by_source"]
    for kind in ("rss", "atom"):
        feed = feedparser.parse(open(result["feeds"][kind], "rb").read())
        assert not feed.bozo
        assert len(feed.entries) >= 20
        assert len({e.id for e in feed.entries}) == len(feed.entries)
    # the watched Lapland page gained a meeting document in epoch 2, and the feed says so
    feed = feedparser.parse(open(result["feeds"]["rss"], "rb").read())
    (change,) = [e for e in feed.entries if e.title.startswith("Sivu muuttui: ")]
    assert change.id.endswith("/v2") and "Uusi linkki: " in change.summary
    # a real link an HTML-rendering reader keeps, not "<https://…>" text it drops
    assert '<a href="https://www.lapinliitto.fi/documents/sote-jory-20170524.pdf">Sote jory 20170524</a>' \
        in change.summary and "&lt;https://" not in change.summary
    opml = ET.parse(result["feeds"]["opml"]).getroot()
    urls = [o.get("xmlUrl") for o in opml.iter("outline") if o.get("xmlUrl")]
    assert any(u.endswith("/feeds/region/21-lappi.xml") for u in urls)
    public = Path(result["feeds"]["rss"]).parent
    for url in urls:
        assert url.startswith(DEMO_PUBLIC_URL)          # the demo's own local address, not example.org
        local = public / url.removeprefix(DEMO_PUBLIC_URL)
        parsed = feedparser.parse(local.read_bytes())
        assert not parsed.bozo and parsed.entries, url
    # the Pirkanmaa county site is redesigned in epoch 2: its items vanish and the alarm is loud
    assert e1["alarms"] == []
    assert any(a.startswith("pirha: found no article links") for a in e2["alarms"])
    assert any("selector 'item' matched nothing" in a for a in e2["alarms"])
    health = feedparser.parse(open(result["feeds"]["health"], "rb").read())
    assert not health.bozo and {e.title.split(":")[1].strip() for e in health.entries} == {"pirha"}
    status = run_monitor("status", "--db", result["db"], "--json", "--check")
    assert status.returncode == 1
    report = json.loads(status.stdout)
    assert report["database"]["integrity"] == "ok" and not report["ok"]
    failing = [r["source"] for r in report["sources"] if not r["ok"]]
    assert failing == ["pirha"]
    # deadlines: found in epoch 1, one extended in epoch 2, nothing new in epoch 3
    assert e1["deadlines_found"] >= 5 and e1["deadline_events"].get("closing_soon", 0) >= 1
    assert e2["deadline_events"].get("extended", 0) >= 2   # a release's text and a proposal's API deadline
    assert e3["deadlines_found"] == 0
    assert not {"opened", "extended"} & set(e3["deadline_events"])   # only the calendar moves on
    for kind in ("deadlines", "deadlines_atom"):
        feed = feedparser.parse(open(result["feeds"][kind], "rb").read())
        assert not feed.bozo
        assert len({e.id for e in feed.entries}) == len(feed.entries) >= 5
        assert any(e.id.split("/")[1] == "extended" and " → " in e.title for e in feed.entries)
    cal = Calendar.from_ical(open(result["feeds"]["ics"], "rb").read())
    uids = [str(e["UID"]) for e in cal.walk("VEVENT")]
    assert len(uids) == len(set(uids)) >= 5
    assert any(int(e["SEQUENCE"]) == 1 for e in cal.walk("VEVENT"))
    check_demo_alerts(result)   # issue 14: the instant and weekly digest targets of the demo's SMTP sink
    # issue 14: the fi, sv and en versions of a release are one entry in the combined feed
    check_demo_translations(Path(result["db"]), Path(result["feeds"]["rss"]).parent)


def test_two_demo_runs_print_publish_and_mail_the_same_as_the_readme(tmp_path):
    """The README promises the same output, feeds and page whenever the demo runs, and shows it."""
    runs = []
    for name in ("a", "b"):
        out = tmp_path / name
        proc = run_monitor("demo", "--out", str(out))
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert "epoch 3:" in proc.stdout and "feed.xml" in proc.stdout
        files = {str(f.relative_to(out)): f.read_bytes() for f in sorted(out.rglob("*"))
                 if f.is_file() and f.parts[-2] in ("public", "mail")}
        conn = sqlite3.connect(out / "sotevahti.db")
        stats = conn.execute("SELECT id, requests, response_bytes, requests_304, stats FROM runs "
                             "ORDER BY id").fetchall()
        conn.close()
        runs.append((proc.stdout.replace(str(out), "OUT"), files, stats))
    (first_out, first_files, first_stats), (second_out, second_files, second_stats) = runs
    assert first_out == second_out
    assert len(first_files) > 10 and first_files.keys() == second_files.keys()
    assert [name for name in first_files if first_files[name] != second_files[name]] == []
    assert first_stats == second_stats   # every count of every source, not only the printed totals
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in first_out.splitlines():
        if line.lstrip().startswith("epoch ") and "requests" in line:
            assert line in readme, f"the README's demo output differs from a run: {line!r}"
