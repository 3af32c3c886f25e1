"""Real crawls (``monitor.py crawl --mirror``) against the local mirror, in subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys

import feedparser

from sotevahti.mirror.liferay_site import expected_items, listing_path
from sotevahti.store import Store

from .conftest import ROOT, TOMORROW, run_monitor, with_now

LIFERAY = ("valtioneuvosto", "stm", "vm", "intermin", "soteuudistus")


def crawl(mirror, out, *sources):
    proc = run_monitor("crawl", *with_now(sources), "--out", str(out), "--mirror", mirror.url, "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_crawl_stores_every_article_once_and_obeys_robots(mirror, site, tmp_path):
    run = crawl(mirror, tmp_path, *LIFERAY)
    store = Store(tmp_path / "sotevahti.db")
    expected = expected_items(site, 1)
    stored = {r["url"]: r for r in store.db.query("SELECT url, id, relevant, source FROM items")}
    assert set(stored) == set(expected)
    assert run["items_new"] == len(expected) and run["items_rejected"] == 0
    for url, article in expected.items():
        assert bool(stored[url]["relevant"]) == article.relevant, url
    # one release under several hosts: one item, with every URL a listing linked it under
    listed = {(host, lang) for (host, _path), lang in site.listings.items()}
    shared = [a for a in expected.values() if any((h, a.lang) in listed for h in a.also_on)]
    assert shared
    for article in shared:
        row = store.get_item(stored[article.real_url()]["id"])
        # (English listings link the real "/en/-//<group>/" form)
        linked = {f"https://{h}{listing_path(article)}" for h in article.hosts() if (h, article.lang) in listed}
        assert len(linked) >= 2 and linked <= set(row["urls"])
    paths = [p for _, p, _ in mirror.requests]
    assert "/robots.txt" in paths
    assert not [p for p in paths if "tyoversio-" in p], "fetched a page robots.txt disallows"
    assert any("_cur=2" in p for p in paths), "pagination was not followed"
    feed = feedparser.parse((tmp_path / "public" / "feed.xml").read_bytes())
    assert not feed.bozo and len(feed.entries) >= 20
    validity = store.runs()[0]["stats"]["field_validity"]
    assert set(validity) == {"valtioneuvosto", "stm", "vm", "intermin", "soteuudistus"}
    assert all(v["title"] == v["published"] == v["url"] == 1.0 for v in validity.values())


def test_recrawl_is_conditional_and_idempotent(mirror, tmp_path):
    first = crawl(mirror, tmp_path, "stm")
    before = len(mirror.requests)
    second = crawl(mirror, tmp_path, "stm")
    assert first["items_new"] > 0 and first["requests_304"] == 0
    assert second["items_new"] == 0 and second["items_updated"] == 0
    # Every known article answers 304; listings and feeds are read in full (they find new items).
    articles = [status for _e, path, status in mirror.requests[before:]
                if "/-/" in path and "asset_publisher" not in path]
    assert articles and set(articles) == {304}
    assert second["requests_304"] == len(articles)
    assert second["response_bytes"] < first["response_bytes"] / 3
    store = Store(tmp_path / "sotevahti.db")
    assert store.conn.execute("SELECT count(*) - count(DISTINCT url) FROM items").fetchone()[0] == 0
    assert [r["status"] for r in store.runs()] == ["ok", "ok"]


def test_edit_in_epoch_2_is_an_update(mirror, site, tmp_path):
    crawl(mirror, tmp_path, *LIFERAY)
    mirror.epoch = 2
    same_day = crawl(mirror, tmp_path, *LIFERAY)
    # New articles are found at once. Known ones are re-checked daily, except those with an open
    # deadline: those are re-checked on every crawl, so the edited consultation (its deadline was
    # extended) is seen on this very crawl.
    assert same_day["items_new"] == len(expected_items(site, 2)) - len(expected_items(site, 1))
    edited = [a for a in site.articles if a.edited_body]
    assert len(edited) == 1 and "Lausuntoaika päättyy" in edited[0].body
    assert same_day["items_updated"] == 1
    assert same_day["deadlines"].get("extended") == 1
    assert same_day["sources"]["stm"]["skipped_not_due"] > 0
    run = crawl(mirror, tmp_path, *LIFERAY, "--now", TOMORROW)
    assert run["items_new"] == 0 and run["items_updated"] == 0
    assert run["requests"] < same_day["requests"] + 10   # old articles (monthly re-check) are still skipped


def test_crawl_with_unreachable_source_raises_an_alarm(tmp_path):
    # No mirror is listening on this port: every request fails, and the run says so.
    proc = run_monitor("crawl", *with_now(("vm",)), "--out", str(tmp_path), "--mirror", "http://127.0.0.1:9", "--json")
    summary = json.loads(proc.stdout)
    (alarm,) = summary["alarms"]
    assert alarm.startswith("vm: found no article links and stored no items") and "connection" in alarm
    assert f"alarm: {alarm}" in proc.stderr
    assert summary["sources"]["vm"]["errors_connection"] >= 1


def test_page_without_a_date_is_rejected_with_reason(config, site, tmp_path):
    from dataclasses import replace

    from sotevahti.mirror.liferay_site import LiferaySite
    from sotevahti.mirror.server import Mirror

    stm = [a for a in site.articles if a.host == "stm.fi" and a.lang == "fi" and a.epoch == 1][:3]
    broken = replace(stm[0], slug="tiedote-ilman-paivamaaraa", published="", seed="")
    with Mirror([LiferaySite(config, today=site.today, articles=[*stm, broken])]) as m:
        run = crawl(m, tmp_path, "stm")
    assert run["items_new"] == 3 and run["items_rejected"] == 1
    store = Store(tmp_path / "sotevahti.db")
    (rejection,) = store.db.query("SELECT url, reason, source FROM rejections")
    assert rejection["url"].endswith("/tiedote-ilman-paivamaaraa") and rejection["reason"] == "missing published"
    assert store.conn.execute("SELECT count(*) FROM items WHERE url LIKE '%ilman-paivamaaraa'").fetchone()[0] == 0


def test_plain_scrapy_commands_work(mirror, tmp_path):
    import os
    import subprocess
    import sys

    from .conftest import ROOT

    listed = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT, capture_output=True, text=True)
    assert {"liferay", "page"} <= set(listed.stdout.split()), listed.stderr[-1000:]
    env = {**os.environ, "SOTEVAHTI_DB": str(tmp_path / "s.db"), "SOTEVAHTI_PUBLIC_DIR": str(tmp_path / "pub"),
           "SOTEVAHTI_MIRROR": mirror.url}
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "liferay", "-a", "sources=vm", "-L", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    store = Store(tmp_path / "s.db")
    (run,) = store.runs()
    assert run["status"] == "ok" and run["items_new"] == store.counts_by_source()["vm"] > 0
    assert (tmp_path / "pub" / "feed.xml").exists()


def test_extract_deadlines_cli_streams_jsonl():
    import subprocess
    import sys

    from .conftest import ROOT

    lines = [
        {"text": "Sosiaali- ja terveydenhuollon sekä pelastustoimen järjestämistä koskevat hallituksen "
                 "lakiluonnokset ovat lausuntokierroksella 25.9.2020 saakka.", "lang": "fi", "ref_date": None},
        {"text": "Ennakkoäänestysaika on 12.1.-18.1.2022.", "lang": "fi", "ref_date": "2021-12-01"},
        {"text": "Anmälan bör inkomma senast tisdagen den 16 januari 2018 kl. 16.00.", "lang": "sv",
         "ref_date": None},
    ]
    proc = subprocess.run([sys.executable, str(ROOT / "monitor.py"), "extract-deadlines"], cwd=ROOT,
                          input="".join(json.dumps(x) + "\n" for x in lines), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [(o["deadline"], o["time"], o["kind"]) for o in out] == [
        ("2020-09-25", None, "consultation"), (None, None, None), ("2018-01-16", "16:00", "registration")]


def test_now_can_be_fixed_for_a_crawl(mirror, tmp_path):
    first = crawl(mirror, tmp_path, "stm")
    opened = first["deadlines"].get("opened", 0)
    assert opened >= 1
    proc = run_monitor("crawl", "stm", "--out", str(tmp_path), "--mirror", mirror.url, "--json",
                       "--now", "2030-01-01T12:00:00+02:00")
    later = json.loads(proc.stdout)
    assert later["deadlines"] == {"found": 0, "closed": opened}
    store = Store(tmp_path / "sotevahti.db")
    assert {r["status"] for r in store.deadline_rows()} == {"closed"}
    bad = run_monitor("crawl", "stm", "--now", "2030-01-01T12:00")
    assert bad.returncode == 2 and "give a UTC offset" in bad.stderr


def test_a_crawl_opens_no_remote_control_server(tmp_path):
    # Scrapy 2.19 would serve code execution on a local port in every crawl, as the telnet
    # console did before it; both stay off, and the extension is not even loaded.
    from scrapy.utils.conf import build_component_list

    from crawler import crawl_settings

    settings = crawl_settings(tmp_path / "sotevahti.db", None, tmp_path / "public")
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    loaded = build_component_list(settings.getwithbase("EXTENSIONS"))
    assert "scrapy.extensions.remote_control.RemoteControl" not in loaded
    assert "scrapy.extensions.telnet.TelnetConsole" not in loaded
    assert "scrapy.extensions.corestats.CoreStats" in loaded


def test_a_crawl_does_not_import_the_remote_control_or_aiohttp(tmp_path):
    # Naming an extension in EXTENSIONS, even as None, makes Scrapy import its module; the
    # remote control's pulls in aiohttp (0.15 s of every crawl's start). A fresh interpreter
    # builds the crawl's extension list as a crawl does and shows what got imported.
    code = ("import sys; from crawler import crawl_settings; from scrapy.utils.conf import build_component_list;"
            f"s = crawl_settings({str(tmp_path / 'x.db')!r}, None, {str(tmp_path / 'public')!r});"
            "build_component_list(s.get_component_priority_dict_with_base('EXTENSIONS'));"
            "print(sorted(m for m in ('aiohttp', 'scrapy.extensions.remote_control', 'twisted.conch.telnet')"
            " if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_crawl_process_ends_without_the_interpreter_teardown_and_loses_no_output(tmp_path):
    # `monitor.py crawl` ends through monitor.exit_now: a quarter of a second of freeing objects
    # saved after every crawl. Its output must still be complete: a large write to a pipe on both
    # streams and a logging file handler, then the exit code; an atexit hook shows the teardown
    # was skipped.
    log = tmp_path / "log.txt"
    code = ("import atexit, logging, sys; import monitor;"
            "atexit.register(lambda: print('teardown', file=sys.stderr));"
            f"h = logging.FileHandler({str(log)!r}); logging.getLogger('t').addHandler(h);"
            "logging.getLogger('t').warning('logged');"
            "print('x' * 200000, end=''); print('err', end='', file=sys.stderr); monitor.exit_now(3)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (3, "x" * 200000, "err")
    assert log.read_text() == "logged\n"
    import monitor

    assert "crawl" in monitor.ENDS_CLOSED
