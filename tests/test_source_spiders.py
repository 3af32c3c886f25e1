"""The lausuntopalvelu, watched-page and listing spiders, crawling the mirror through the CLI."""

from __future__ import annotations

import json
from datetime import datetime

from sotevahti import lausuntopalvelu as lp
from sotevahti.dates import HELSINKI
from sotevahti.mirror.lausuntopalvelu_site import expected_proposals
from sotevahti.store import Store

from .conftest import ROOT, run_monitor, with_now


def crawl(mirror, out, *args):
    proc = run_monitor("crawl", *with_now(args), "--out", str(out), "--mirror", mirror.url, "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def _lausuntopalvelu_rows(db):
    store = Store(db)
    return {r["id"]: r for r in store.db.query("SELECT * FROM items WHERE source = 'lausuntopalvelu'")}, store


def sources_reading(tmp_path, fmt: str):
    """A copy of sources.toml whose lausuntopalvelu source reads the API in ``fmt``."""
    text = (ROOT / "sources.toml").read_text(encoding="utf-8")
    assert 'format = "json"' in text      # the configured (and demo) form
    path = tmp_path / f"sources-{fmt}.toml"
    path.write_text(text.replace('format = "json"', f'format = "{fmt}"'), encoding="utf-8")
    return path


def test_lausuntopalvelu_atom_pages_filter_and_api_deadlines(mirror, tmp_path):
    site = next(s for s in mirror.sites if "www.lausuntopalvelu.fi" in s.hosts)
    run = crawl(mirror, tmp_path, "lausuntopalvelu", "--sources", str(sources_reading(tmp_path, "atom")))
    rows, store = _lausuntopalvelu_rows(tmp_path / "sotevahti.db")
    expected = expected_proposals(site, 1)
    assert len(rows) == len(expected) == run["items_new"]
    assert run["sources"]["lausuntopalvelu"]["api_pages"] >= 3   # the API's next links were followed
    reform = {r["id"] for r in rows.values() if r["relevant"]}
    assert 0 < len(reform) < len(rows)   # non-reform proposals are kept, but not relevant
    for row in rows.values():
        assert row["kind"] == "consultation" and row["register_number"]
        assert row["url"].startswith("https://www.lausuntopalvelu.fi/FI/Proposal/Participation?proposalId=")
    api = [d for d in store.deadline_rows() if d["origin"] == "api"]
    assert len(api) >= len(reform) - 1 and all(d["kind"] == "consultation" for d in api)


def test_lausuntopalvelu_json_gives_the_same_items(mirror, tmp_path):
    crawl(mirror, tmp_path / "atom", "lausuntopalvelu", "--sources", str(sources_reading(tmp_path, "atom")))
    crawl(mirror, tmp_path / "json", "lausuntopalvelu")   # sources.toml reads JSON, as the demo does
    atom, _ = _lausuntopalvelu_rows(tmp_path / "atom" / "sotevahti.db")
    js, _ = _lausuntopalvelu_rows(tmp_path / "json" / "sotevahti.db")
    assert atom.keys() == js.keys()
    for key in atom:
        assert {k: atom[key][k] for k in ("title", "published", "content_hash", "register_number")} == \
               {k: js[key][k] for k in ("title", "published", "content_hash", "register_number")}


def test_the_configured_crawl_reads_both_json_shapes_of_the_api(mirror, config, tmp_path):
    site = next(s for s in mirror.sites if "www.lausuntopalvelu.fi" in s.hosts)
    assert config.select(["lausuntopalvelu"])[0].format == "json"     # what the demo crawls
    for epoch in (1, 2):
        mirror.epoch = epoch
        start = len(mirror.requests)
        crawl(mirror, tmp_path, "lausuntopalvelu")
        api = [p for _e, p, _s in mirror.requests[start:] if "/Lausuntopalvelu.svc/Proposals" in p]
        shapes = []
        for path in api:
            d = json.loads(mirror.page(path, accept=lp.ACCEPT["json"]).body)["d"]
            shapes.append("list" if isinstance(d, list) else "results" if "results" in d else "one")
        # pages with a next link come as {"d": {"results": [...], "__next": ...}}, the last as {"d": [...]}
        assert shapes[0] == "results" and shapes[-1] == "list", shapes
        rows, _ = _lausuntopalvelu_rows(tmp_path / "sotevahti.db")
        assert len(rows) == len(expected_proposals(site, epoch))


def test_press_release_is_joined_to_its_proposal_and_the_api_deadline_wins(mirror, tmp_path):
    mirror.epoch = 2   # the release that links to the proposal appears in epoch 2
    crawl(mirror, tmp_path, "lausuntopalvelu", "valtioneuvosto")
    store = Store(tmp_path / "sotevahti.db")
    (link,) = store.db.query("SELECT * FROM item_links WHERE relation = 'related'")
    assert link["target_id"] == "lp-3f2a9c4e-8b1d-4c7a-9e55-2b6d0f1a7c33"
    shown = [d for d in store.deadline_rows() if d["item_id"] in (link["item_id"], link["target_id"])]
    assert [d["origin"] for d in shown] == ["api"]    # the release's own sentence gives way to the API


def test_watched_page_change_is_a_version_with_a_diff(mirror, tmp_path):
    crawl(mirror, tmp_path, "lapinliitto-sote", "isonet-sote")
    mirror.epoch = 2
    run = crawl(mirror, tmp_path, "lapinliitto-sote", "isonet-sote")
    assert (run["items_new"], run["items_updated"]) == (0, 1)
    store = Store(tmp_path / "sotevahti.db")
    (change,) = store.latest_changes()
    assert change["kind"] == "page" and change["new_version"] == 2
    diff = json.loads(change["diff"])
    assert [a["title"] for a in diff["links_added"]] == [
        "Sote jory 20170524", "Sote jory 20170524 liite 1 palveluverkko"]
    assert "Kokous 24.5.2017:" in diff["added"] and diff["removed"] == []
    mirror.epoch = 3
    assert crawl(mirror, tmp_path, "lapinliitto-sote", "isonet-sote")["items_updated"] == 0


def test_county_sites_every_layout_encoding_and_the_sttinfo_duplicate(mirror, tmp_path):
    from sotevahti.mirror.county_sites import expected_items

    counties = next(s for s in mirror.sites if "lapha.fi" in s.hosts)
    ids = ("pirha", "omahame", "hyvaks", "lapha", "sttinfo-omahame", "luvn-dynasty")
    run = crawl(mirror, tmp_path, *ids)
    store = Store(tmp_path / "sotevahti.db")
    rows = list(store.db.query("SELECT * FROM items"))
    by_source = {sid: [r for r in rows if r["source"] == sid] for sid in ids}
    expected = expected_items(counties, 1)
    # one stored item per release: the sttinfo copy of an omahame.fi release joined it
    duplicates = [u for u, e in expected.items() if e.get("duplicate_of")]
    assert len(duplicates) == 1 and len(rows) == len(expected) - 1 == run["items_new"]
    pair = {duplicates[0], expected[duplicates[0]]["duplicate_of"]}
    (merged,) = [r for r in rows if r["url"] in pair]            # whichever source was stored first
    assert pair <= set(store.get_item(merged["id"])["urls"])
    assert all(by_source[sid] for sid in ids), {k: len(v) for k, v in by_source.items()}
    # lapha.fi has no selectors at all: generic extraction found titles, dates and text
    for row in by_source["lapha"]:
        want = expected[row["url"]]
        assert row["title"] == want["title"] and row["body"]
        stored = datetime.fromisoformat(row["published"]).astimezone(HELSINKI)
        assert stored.date() == want["published"].astimezone(HELSINKI).date()
    # a wrong charset header (hyvaks.fi) and real ISO-8859-1 (Dynasty) both read as proper Finnish
    text = "".join(r["title"] + r["body"] for r in by_source["hyvaks"] + by_source["luvn-dynasty"])
    assert "ä" in text and "Ã" not in text and "\ufffd" not in text
    assert all(r["kind"] == "decision" for r in by_source["luvn-dynasty"])
    assert not any(k.startswith("selector_miss") for k in run["sources"]["pirha"])


def test_a_selector_that_stops_matching_is_counted(mirror, tmp_path):
    text = (ROOT / "sources.toml").read_text(encoding="utf-8").replace('title = "h1.news-title"',
                                                                       'title = "h1.uutisotsikko"')
    sources = tmp_path / "sources.toml"
    sources.write_text(text, encoding="utf-8")
    run = crawl(mirror, tmp_path, "pirha", "--sources", str(sources))
    assert run["sources"]["pirha"]["selector_miss_title"] == run["sources"]["pirha"]["articles"] > 0
    assert run["items_new"] == run["sources"]["pirha"]["articles"]   # the fallback still read every title
