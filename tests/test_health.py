"""Source health: the alarm rules on realistic counters, alarm ids, and their storage and feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from sotevahti.dates import HELSINKI
from sotevahti.feeds import build_feed
from sotevahti.health import Alarm, alarm_id, error_counts, evaluate_source, summarise
from sotevahti.sources import FeedSettings
from sotevahti.store import Store
from sotevahti.store_health import HEALTH_SCHEMA, HealthStoreMixin

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
FULL = {"id": 1.0, "url": 1.0, "source": 1.0, "title": 1.0, "published": 1.0, "language": 1.0, "lead": 0.9,
        "body": 1.0}

# Until the lead wires the mixin into Store (then this is Store itself; subclassing again would break the MRO).
HealthStore = Store if issubclass(Store, HealthStoreMixin) else type("HealthStore", (HealthStoreMixin, Store), {})


def county_run(links: int = 7, **over: int) -> dict[str, int]:
    """The counters of a healthy county run: one listing page, ``links`` articles, all stored."""
    counts = {"listing_pages": 1, "links": links, "articles": links, "items": links, "requests": links + 2,
              "status_200": links + 1, "status_304": 1}
    counts.update(over)
    return counts


def past(*runs: dict[str, int], validity: list[dict[str, float] | None] | None = None) -> list[dict]:
    """History newest first, one day apart before NOW."""
    return [{"counts": c, "validity": (validity[i] if validity else FULL),
             "at": (NOW - timedelta(days=i + 1)).isoformat()} for i, c in enumerate(runs)]


def kinds(alarms: list[Alarm]) -> list[str]:
    return [a.kind for a in alarms]


# -- the rules ----------------------------------------------------------------------------


def test_healthy_run_raises_nothing():
    history = past(county_run(), county_run(), county_run())
    assert evaluate_source("pirha", county_run(), FULL, history, NOW - timedelta(days=1), NOW,
                           expected_cadence_days=7) == []


def test_county_that_found_7_links_per_run_and_now_none():
    history = past(county_run(7), county_run(7), county_run(6))
    counts = {"listing_pages": 1, "requests": 2, "status_200": 2}
    [alarm] = evaluate_source("pirha", counts, None, history, NOW - timedelta(days=1), NOW)
    assert alarm.kind == "no_items" and alarm.source == "pirha"
    assert "used to yield 7 items per run" in alarm.message
    assert "read 1 listing page" in alarm.message
    assert alarm.message.startswith("pirha: ") and "\n" not in alarm.message
    assert alarm.detail["usual_yield"] == 7 and alarm.detail["last_yield_at"] == history[0]["at"]


def test_usual_yield_is_the_median_of_the_recent_productive_runs():
    history = past(county_run(4), {"listing_pages": 1}, county_run(5), county_run(6), county_run(40),
                   county_run(4), county_run(90), county_run(90))
    [alarm] = evaluate_source("pirha", {}, None, history, None, NOW)
    assert alarm.detail["usual_yield"] == 5          # median of 4, 5, 6, 40, 4; the two older 90s are out


def test_source_that_never_yielded_is_broken_too():
    [alarm] = evaluate_source("soite", {"listing_pages": 2}, None, past({"listing_pages": 2}), None, NOW)
    assert alarm.kind == "no_items" and "never yielded" in alarm.message and "1 earlier run" in alarm.message
    [first] = evaluate_source("soite", {"errors_dns": 3}, None, [], None, NOW)
    assert "first run" in first.message
    assert "read no listing page, feed, API page or sitemap" in first.message and "dns 3" in first.message


def test_everything_rejected_is_no_items_but_links_filed_elsewhere_are_fine():
    [alarm] = evaluate_source("pirha", county_run(items=0, rejected=7), None, [], None, NOW)
    assert alarm.kind == "no_items" and "all 7 items read were rejected" in alarm.message
    # A family member finds links whose items are stored under another source id.
    assert evaluate_source("vm", county_run(items=0), None, past(county_run(items=0)), None, NOW) == []


def test_item_selector_miss_names_selector_and_listing_pages():
    counts = {"listing_pages": 2, "selector_miss_item": 2, "requests": 2, "status_200": 2}
    alarms = evaluate_source("pirha", counts, None, past(county_run()), None, NOW)
    assert kinds(alarms) == ["no_items", "layout_changed"]
    assert alarms[1].message == "pirha: configured selector 'item' matched nothing on 2 listing pages"
    assert alarms[1].detail["misses"] == {"item": 2}


def test_item_page_selector_misses_are_one_alarm_with_every_selector():
    counts = county_run(7, selector_miss_title=5, selector_miss_date=7)
    [alarm] = evaluate_source("pirha", counts, FULL, past(county_run()), NOW, NOW)
    assert alarm.kind == "layout_changed"
    assert alarm.message == ("pirha: configured selectors matched nothing: 'title' on 5 of 7 item pages, "
                             "'date' on 7 item pages")


def test_stale_source_past_its_cadence():
    last = NOW - timedelta(days=12)
    [alarm] = evaluate_source("stm", county_run(), FULL, past(county_run()), last, NOW, expected_cadence_days=7)
    assert alarm.kind == "stale" and "no new item for 12 days" in alarm.message and "every 7 days" in alarm.message
    assert alarm.detail["age_days"] == 12
    assert evaluate_source("stm", county_run(), FULL, past(county_run()), NOW - timedelta(days=6), NOW,
                           expected_cadence_days=7) == []
    assert evaluate_source("stm", county_run(), FULL, past(county_run()), last, NOW) == []   # no cadence: no rule


def test_stale_when_nothing_ever_stored_but_not_in_the_first_run():
    history = past(county_run(items=0), county_run(items=0), county_run(items=0))
    [alarm] = evaluate_source("vm", county_run(items=0), None, history, None, NOW, expected_cadence_days=2)
    assert alarm.kind == "stale" and "any of its 4 runs" in alarm.message and alarm.detail["age_days"] == 3
    assert evaluate_source("vm", county_run(items=0), None, [], None, NOW, expected_cadence_days=2) == []


def test_error_share_above_limit():
    counts = county_run(4, requests=6, status_200=5, errors_timeout=2, status_503=1)   # 6 responses, 2 timeouts
    [alarm] = evaluate_source("eksote", counts, FULL, [], None, NOW)
    assert alarm.kind == "errors"
    assert alarm.message == "eksote: 3 of 8 requests failed (38%; timeout 2, http_5xx 1), above the 25% limit"
    assert evaluate_source("eksote", counts, FULL, [], None, NOW, max_error_share=0.5) == []


def test_errors_need_four_requests_and_exactly_the_limit_is_fine():
    assert evaluate_source("x", county_run(1, requests=1, errors_timeout=2), FULL, [], NOW, NOW) == []
    assert evaluate_source("x", county_run(3, requests=3, errors_timeout=1), FULL, [], NOW, NOW) == []
    assert kinds(evaluate_source("x", county_run(2, requests=2, errors_timeout=2), FULL, [], NOW, NOW)) == ["errors"]


def test_requests_without_a_response_count_as_requests():
    # ``requests`` counts responses: 3 pages answered, 5 timed out.
    counts = {"listing_pages": 1, "links": 2, "articles": 2, "items": 2, "requests": 3, "status_200": 3,
              "errors_timeout": 5}
    [alarm] = evaluate_source("soite", counts, FULL, [], NOW, NOW)
    assert alarm.kind == "errors" and alarm.message.startswith("soite: 5 of 8 requests failed (62%; timeout 5)")
    alarms = evaluate_source("soite", {"errors_dns": 4}, None, [], None, NOW)
    assert kinds(alarms) == ["no_items", "errors"] and "4 of 4 requests failed" in alarms[1].message


def test_withdrawn_releases_are_not_failures():
    counts = county_run(2, requests=10, status_404=6, errors_http_404=5, errors_http_410=1, errors_http_4xx=1)
    assert evaluate_source("pirha", counts, FULL, [], NOW, NOW) == []
    assert summarise(counts)["errors"] == {"http_404": 5, "http_410": 1, "http_4xx": 1}
    blocked = county_run(2, requests=10, status_403=3, errors_http_4xx=3)        # a firewall says no
    assert kinds(evaluate_source("pirha", blocked, FULL, [], NOW, NOW)) == ["errors"]


def test_a_5xx_counted_as_status_and_as_error_counts_once():
    assert error_counts({"errors_http_5xx": 2, "status_503": 2, "status_404": 5}) == {"http_5xx": 2}
    assert error_counts({"errors_dns": 1, "status_500": 1, "status_502": 2}) == {"dns": 1, "http_5xx": 3}
    assert error_counts({"errors_http_5xx": 3, "status_503": 2}) == {"http_5xx": 3}


def test_validity_drop_against_median_of_previous_runs():
    history = past(county_run(), county_run(), county_run(),
                   validity=[FULL | {"body": 0.95}, FULL | {"body": 0.9}, FULL | {"body": 1.0}])
    [alarm] = evaluate_source("pirha", county_run(), FULL | {"body": 0.6, "lead": 0.1}, history, NOW, NOW)
    assert alarm.kind == "validity_drop"
    assert set(alarm.detail["fields"]) == {"body", "lead"}
    assert "body 60% (median 95% over 3 runs)" in alarm.message
    assert evaluate_source("pirha", county_run(), FULL | {"body": 0.8}, history, NOW, NOW) == []


def test_validity_drop_of_exactly_0_2_counts_despite_float_rounding():
    history = past(county_run(), validity=[FULL])
    [alarm] = evaluate_source("pirha", county_run(), FULL | {"title": 0.8}, history, NOW, NOW)
    assert list(alarm.detail["fields"]) == ["title"]


def test_validity_median_uses_only_the_five_latest_runs_with_data():
    recent = [FULL | {"published": 0.5}] * 5
    history = past(*[county_run()] * 11, validity=[None, *recent, *[FULL] * 5])
    assert evaluate_source("pirha", county_run(), FULL | {"published": 0.45}, history, NOW, NOW) == []
    assert kinds(evaluate_source("pirha", county_run(), FULL | {"published": 0.3}, history, NOW, NOW)) \
        == ["validity_drop"]


def test_crawl_failed():
    [alarm] = evaluate_source("stm", county_run(), FULL, [], NOW, NOW, crawl_failed="shutdown")
    assert alarm.kind == "crawl_failed" and "'shutdown'" in alarm.message
    assert evaluate_source("stm", county_run(), FULL, [], NOW, NOW, crawl_failed="finished") == []


def test_unknown_alarm_kind_is_refused():
    with pytest.raises(ValueError):
        Alarm("stm", "sad", "stm: sad")


def test_alarm_id_is_stable_per_occurrence():
    a = Alarm("pirha", "no_items", "pirha: one message", {"x": 1})
    b = Alarm("pirha", "no_items", "pirha: another message", {"x": 2})
    assert alarm_id(a, 4) == alarm_id(b, 4) == "health/pirha/no_items/run-4"
    assert alarm_id(a, 7) != alarm_id(a, 4)
    assert alarm_id(Alarm("pirha", "stale", "m"), 4) != alarm_id(a, 4)
    assert alarm_id(Alarm("soite", "no_items", "m"), 4) != alarm_id(a, 4)


def test_summarise():
    counts = {"requests": 12, "status_200": 8, "status_304": 2, "status_503": 1, "errors_timeout": 1,
              "links": 9, "articles": 8, "items": 7, "rejected": 1, "selector_miss_date": 1, "listing_pages": 1}
    assert summarise(counts, items_new=3) == {
        "requests": 12, "responses_304": 2, "errors": {"http_5xx": 1, "timeout": 1}, "links": 9,
        "items_found": 8, "items_new": 3, "parse_failures": 1, "selector_misses": {"date": 1},
        "warnings": {}, "wire_errors": {}}
    assert summarise({"items": 5})["items_found"] == 5      # an API source: no item pages
    assert summarise({}) == {"requests": 0, "responses_304": 0, "errors": {}, "links": 0, "items_found": 0,
                             "items_new": 0, "parse_failures": 0, "selector_misses": {},
                             "warnings": {}, "wire_errors": {}}


# -- storage ------------------------------------------------------------------------------


@pytest.fixture
def hstore():
    s = HealthStore(memory=True)
    s.conn.executescript(HEALTH_SCHEMA)
    yield s
    s.close()


def test_schema_survives_the_migration_runner():
    """``migrate`` runs a migration's SQL split on ";": the schema must work that way, and twice."""
    s = Store(memory=True)
    for _ in range(2):
        for statement in HEALTH_SCHEMA.split(";"):
            if statement.strip():
                s.conn.execute(statement)
    tables = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"source_health", "alarms"} <= tables
    s.close()


PIRHA = SimpleNamespace(id="pirha")


def make_item(n: int, source: str = "pirha") -> dict:
    return {
        "id": f"{source}-{n:08x}", "url": f"https://www.pirha.fi/-/tiedote-{n}", "source": source,
        "organisation": "Pirkanmaan hyvinvointialue", "region": "06",
        "title": f"Pirhan palveluverkko muuttuu ({n})",
        "published": datetime(2026, 10, n % 28 + 1, 10, 0, tzinfo=HELSINKI), "type": "Tiedote",
        "language": "fi", "lead": "Aluehallitus käsitteli palveluverkkoa.", "body": "Palveluverkko muuttuu.",
        "tags": [], "attachments": [], "urls": [], "relevant": True, "topic_terms": ["hyvinvointialue"],
    }


def crawl(store, day: int, counts: dict[str, int], new_items: range = range(0), sources=(PIRHA,), failed=None):
    """One run on day ``day`` after NOW: store the new items, then record health."""
    now = NOW + timedelta(days=day)
    run_id = store.start_run([s.id for s in sources], now)
    if new_items:
        store.upsert_items([make_item(n) for n in new_items], run_id, now)
    validity = {"pirha": FULL} if counts.get("items") else {}
    return run_id, store.record_health(run_id, now, {"pirha": counts}, validity, list(sources), failed)


def active(store, source="pirha"):
    return store.conn.execute("SELECT id, kind, first_run, last_run FROM alarms WHERE source = ? "
                              "AND cleared_at IS NULL ORDER BY kind", (source,)).fetchall()


def test_alarm_lifecycle_outage_persists_recovers_and_returns(hstore):
    for day in range(3):
        _, alarms = crawl(hstore, day, county_run(7), range(day * 7, day * 7 + 7))
        assert alarms == []
    r4, alarms = crawl(hstore, 3, {"listing_pages": 1, "requests": 2})
    assert kinds(alarms) == ["no_items"] and "used to yield 7 items per run" in alarms[0].message
    assert active(hstore) == [(f"health/pirha/no_items/run-{r4}", "no_items", r4, r4)]

    r5, alarms = crawl(hstore, 4, {"listing_pages": 1, "requests": 2})
    assert alarms == []                                       # still the same outage: nothing new
    assert active(hstore) == [(f"health/pirha/no_items/run-{r4}", "no_items", r4, r5)]

    r6, alarms = crawl(hstore, 5, county_run(7), range(100, 107))
    assert alarms == [] and active(hstore) == []
    cleared = hstore.conn.execute("SELECT cleared_at FROM alarms WHERE id = ?",
                                  (f"health/pirha/no_items/run-{r4}",)).fetchone()[0]
    assert cleared == (NOW + timedelta(days=5)).isoformat()

    r7, alarms = crawl(hstore, 6, {"listing_pages": 1, "requests": 2})
    assert kinds(alarms) == ["no_items"]
    assert active(hstore) == [(f"health/pirha/no_items/run-{r7}", "no_items", r7, r7)]
    assert hstore.conn.execute("SELECT count(*) FROM alarms").fetchone()[0] == 2
    assert [r6, r7] == [r4 + 2, r4 + 3]


def test_items_new_and_last_new_item_come_from_the_items_table(hstore):
    source = SimpleNamespace(id="pirha", expected_cadence_days=3, max_error_share=0.25)
    run1, _ = crawl(hstore, 0, county_run(7), range(7), sources=[source])
    run2, _ = crawl(hstore, 1, county_run(7), range(5, 9), sources=[source])    # 2 of them new
    rows = hstore.conn.execute("SELECT run_id, items_new, ok FROM source_health ORDER BY run_id").fetchall()
    assert rows == [(run1, 7, 1), (run2, 2, 1)]
    # Days later the county still lists the same 7 items: nothing new for 4 days.
    _, alarms = crawl(hstore, 5, county_run(7), range(2, 9), sources=[source])
    assert kinds(alarms) == ["stale"] and "no new item for 4 days" in alarms[0].message


def test_only_the_runs_sources_are_judged_and_silence_is_judged(hstore):
    stm, soite = SimpleNamespace(id="stm"), SimpleNamespace(id="soite")
    run_id = hstore.start_run(["pirha", "soite"], NOW)
    hstore.upsert_items([make_item(n) for n in range(3)], run_id, NOW)
    alarms = hstore.record_health(run_id, NOW, {"pirha": county_run(3)}, {"pirha": FULL}, [PIRHA, stm, soite])
    assert [(a.source, a.kind) for a in alarms] == [("soite", "no_items")]       # configured, ran, no counters
    judged = [r[0] for r in hstore.conn.execute("SELECT source FROM source_health ORDER BY source")]
    assert judged == ["pirha", "soite"]


def test_record_health_is_one_transaction(hstore, monkeypatch):
    import sotevahti.store_health as sh

    def boom(source_id, *args, **kwargs):
        if source_id == "soite":
            raise RuntimeError("boom")
        return []

    monkeypatch.setattr(sh, "evaluate_source", boom)
    run_id = hstore.start_run(["pirha", "soite"], NOW)
    with pytest.raises(RuntimeError):
        hstore.record_health(run_id, NOW, {"pirha": county_run()}, {}, [PIRHA, SimpleNamespace(id="soite")])
    assert hstore.conn.execute("SELECT count(*) FROM source_health").fetchone()[0] == 0


def test_crawl_failed_from_the_finish_reasons(hstore):
    _, alarms = crawl(hstore, 0, county_run(7), range(7), failed={"pirha": "shutdown"})
    assert kinds(alarms) == ["crawl_failed"]
    [status] = hstore.source_status()
    assert status["last_success_at"] is None and status["ok"] is False


def test_source_status(hstore):
    crawl(hstore, 0, county_run(7), range(7))
    crawl(hstore, 1, county_run(7, articles=7, items=3, selector_miss_title=4), range(7, 10))
    r3, _ = crawl(hstore, 2, {"listing_pages": 1, "selector_miss_item": 1, "requests": 2, "status_200": 1,
                               "status_304": 1})
    [status] = hstore.source_status()
    assert status["source"] == "pirha" and status["last_run"] == r3
    assert status["last_run_at"] == (NOW + timedelta(days=2)).isoformat()
    assert status["last_success_at"] == (NOW + timedelta(days=1)).isoformat()
    assert (status["requests"], status["responses_304"], status["items_found"], status["items_new"]) == (2, 1, 0, 0)
    assert status["selector_misses"] == {"item": 1} and status["parse_failures"] == 0
    assert status["ok"] is False
    assert sorted(a["kind"] for a in status["alarms"]) == ["layout_changed", "no_items"]
    layout = next(a for a in status["alarms"] if a["kind"] == "layout_changed")
    assert layout["since"] == (NOW + timedelta(days=1)).isoformat()           # raised in run 2, still active
    assert layout["message"] == "pirha: configured selector 'item' matched nothing on 1 listing page"  # latest
    crawl(hstore, 3, county_run(7), range(20, 27))
    [status] = hstore.source_status()
    assert status["ok"] is True and status["alarms"] == [] and status["items_new"] == 7


def test_health_entries_feed(hstore):
    crawl(hstore, 0, county_run(7), range(7))
    r2, _ = crawl(hstore, 1, {"listing_pages": 1})
    crawl(hstore, 2, county_run(7), range(10, 17))
    r4, _ = crawl(hstore, 3, {"listing_pages": 1})
    entries = hstore.health_entries(base_url="https://sotevahti.example/status")
    guids = [e["guid"] for e in entries]
    first = f"health/pirha/no_items/run-{r2}"
    assert guids == [f"health/pirha/no_items/run-{r4}", f"{first}/cleared", first]
    raised, recovered = entries[2], entries[1]
    assert raised["title"].startswith("Lähde hälyttää: pirha: found no article links and stored no items")
    assert raised["published"] == NOW + timedelta(days=1) and raised["published"].tzinfo is not None
    assert raised["url"] == "https://sotevahti.example/status#pirha"
    assert raised["categories"] == ["no_items", "pirha"]
    assert recovered["title"] == "Lähde toipui: pirha: no_items"
    assert recovered["published"] == NOW + timedelta(days=2)
    assert hstore.health_entries(limit=1)[0]["url"] == "https://example.org/sotevahti/status#pirha"
    rss = build_feed(entries, FeedSettings(), "https://sotevahti.example/health.xml", NOW).rss_str()
    assert rss.count(b"<item>") == 3 and f"{first}/cleared".encode() in rss


def test_a_persisting_alarm_keeps_its_feed_entry(hstore):
    crawl(hstore, 0, county_run(7), range(7))
    crawl(hstore, 1, {"listing_pages": 1})
    before = hstore.health_entries()
    crawl(hstore, 2, {"listing_pages": 2})
    assert hstore.health_entries() == before
