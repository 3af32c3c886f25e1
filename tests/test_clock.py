"""Time is an argument: the demo runs on its simulated day whatever the clock says, the commands
take ``--now`` (or ``$SOTEVAHTI_NOW``), and the fake clock of the CI's fake-date runs reaches
every process a test starts."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

import pytest
import time_machine

from sotevahti import clock
from sotevahti.clock import SIMULATED_DAY, ClockError, current_time, parse_now, today_in_helsinki

from .conftest import CRAWL_NOW, ROOT, fake_clock_env
from .test_store import make_item


@pytest.fixture(autouse=True)
def frozen_clock():
    """Every test here runs with this process's clock stopped at 28.2.2029 23.40 in Helsinki
    (21.40 UTC): a late hour of a day that is neither the demo's nor the crawls', so nothing a test
    does in-process depends on the real date or hour. The processes the tests start live at the
    moments they are given, their clocks stopped there too (``fake_clock_env``), or are told
    ``--now``."""
    with time_machine.travel(datetime(2029, 2, 28, 21, 40, tzinfo=UTC), tick=False):
        yield


def run_at(moment: str, *args: str, timeout: int = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "monitor.py"), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env=fake_clock_env(moment))


def test_the_fake_clock_reaches_a_subprocess():
    # Aware UTC readings: the answer depends neither on the real date and hour nor on the
    # machine's time zone (date.today() would give 2031-01-11 on a machine east of +03:00). The
    # clock is stopped there, so every reading of it is that moment exactly.
    code = ("import time; from datetime import UTC, datetime; "
            "print(datetime.now(UTC).isoformat(), datetime.fromtimestamp(time.time(), UTC).isoformat())")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=fake_clock_env("2031-01-10T23:00+02:00"), timeout=30)
    seen = [datetime.fromisoformat(t) for t in proc.stdout.split()]
    assert seen == [datetime(2031, 1, 10, 21, 0, tzinfo=UTC)] * 2, (proc.stdout, proc.stderr)


def test_the_demo_is_the_same_at_8_and_at_23_on_any_date(tmp_path):
    runs = {}
    for moment in ("2027-06-15T08:00+03:00", "2031-01-10T23:00+02:00"):
        out = tmp_path / moment[:10]
        proc = run_at(moment, "demo", "--json", "--out", str(out))
        assert proc.returncode == 0, proc.stderr[-2000:]
        text = proc.stdout.replace(str(out), "OUT")
        public = out / "public"
        runs[moment] = (json.loads(text), (public / "index.html").read_text(encoding="utf-8").replace(str(out), "OUT"),
                        (public / "feed.xml").read_bytes(), (public / "deadlines.ics").read_bytes())
    (first, page, feed, ics), (second, page2, feed2, ics2) = runs.values()
    # Every figure, Scrapy's byte counts included: the demo fetches one page at a time, so which
    # listing answers first (and so which host an article is fetched from) is the same at any hour.
    assert first == second
    assert page == page2 and feed == feed2 and ics == ics2
    assert first["simulated_day"] == "2026-11-26T12:00:00+02:00"
    assert "Simuloitu päivä 26.11.2026 klo 12.00 (demo)" in page and '"stamp">Päivitetty' not in page
    assert first["epochs"][0]["deadline_events"].get("closing_soon", 0) >= 1   # judged on the simulated day
    human = run_at("2031-01-10T23:00+02:00", "demo", "--out", str(tmp_path / "human"))
    assert "26.11.2026 klo 12.00 (Simuloitu päivä" in human.stdout


def test_current_time_reads_sotevahti_now_in_one_place(monkeypatch):
    monkeypatch.setenv("SOTEVAHTI_NOW", "2026-11-24T08:00+02:00")
    assert current_time() == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    monkeypatch.delenv("SOTEVAHTI_NOW")
    # Without it, the clock. The clock module's own datetime is swapped for one whose now() is a
    # late Helsinki hour, so the fallback is exercised without any clock being read.
    late = datetime(2026, 11, 24, 22, 30, tzinfo=UTC)
    asked = []

    class LateClock(datetime):
        @classmethod
        def now(cls, tz=None):  # the signature of datetime.now
            asked.append(tz)
            return late.astimezone(tz)

    monkeypatch.setattr(clock, "datetime", LateClock)
    assert current_time() == late
    assert today_in_helsinki().isoformat() == "2026-11-25"
    assert asked == [UTC, UTC]  # the fallback asked for an aware UTC time, once a call
    assert SIMULATED_DAY.date() == CRAWL_NOW.date()


@pytest.mark.parametrize("value", ["9999-12-31T23:59+02:00", "2026-11-24T08:00", "huomenna"])
def test_parse_now_refuses_what_it_cannot_use(value):
    with pytest.raises(ClockError):
        parse_now(value)


def test_deadlines_days_left_follow_now_not_the_clock(tmp_path):
    """`deadlines --now` (and $SOTEVAHTI_NOW): the same database read at two moments."""
    from sotevahti.store import Store

    db = tmp_path / "sotevahti.db"
    store = Store(db)
    body = "Kysely sote-uudistuksesta on avoinna 30.11.2026 saakka."
    store.upsert_items([make_item(1, body=body, published=datetime(2026, 11, 20, 9, 0, tzinfo=UTC))], None, CRAWL_NOW)
    store.close()
    early = run_at("2031-01-10T23:00+02:00", "deadlines", "--db", str(db), "--json", "--now", "2026-11-24T12:00+02:00")
    late = run_at("2027-06-15T08:00+03:00", "deadlines", "--db", str(db), "--json", "--now", "2026-11-28T12:00+02:00")
    assert early.returncode == late.returncode == 0, early.stderr + late.stderr
    (a,), (b,) = json.loads(early.stdout), json.loads(late.stdout)
    assert (a["days_left"], b["days_left"]) == (6, 2)


def test_htmldate_takes_no_date_after_the_crawls_now_and_reads_no_clock(monkeypatch, request):
    """htmldate read the clock for its default latest date even when given one, so one page could get
    another date on another day. Its clock default is made to fail here, in both places htmldate
    holds it, before page_dates wraps it: the page must still get its date, and no date later than
    the crawl's "now"."""
    import htmldate.core
    import htmldate.validators

    from sotevahti import page_dates
    from sotevahti.generic import extract_page

    def clock_default(max_date):
        raise AssertionError("htmldate computed its default latest date from the clock")

    monkeypatch.setattr(htmldate.core, "get_max_date", clock_default)
    monkeypatch.setattr(htmldate.validators, "get_max_date", clock_default)
    page_dates._find_date.cache_clear()  # so the wrapper is put in again, over the failing default
    request.addfinalizer(page_dates._find_date.cache_clear)
    html = "<html><body><article><h1>Sote-uudistus etenee</h1><p>" + "Hyvinvointialue tiedottaa. " * 20 + \
        "</p></article></body></html>"
    url = "https://www.example.fi/2028/03/15/sote-uudistus-etenee"
    later = extract_page(html, url, now=datetime(2029, 1, 1, tzinfo=UTC)).published
    earlier = extract_page(html, url, now=datetime(2026, 11, 24, tzinfo=UTC)).published
    assert later is not None and later.date().isoformat() == "2028-03-15"
    assert earlier is None or earlier.date() <= datetime(2026, 11, 24).date()
