"""Notifications (issue 14, parts 1-3): real deliveries through Apprise to a local SMTP server
(aiosmtpd) and to a local HTTP receiver (Apprise's ``json://``), all on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sotevahti import notify
from sotevahti.dates import HELSINKI
from sotevahti.mirror.smtp_sink import SmtpSink, free_port
from sotevahti.notify import run_notify
from sotevahti.notify_config import NotifyTarget
from sotevahti.notify_store import delivery_status
from sotevahti.sources import ConfigError, parse_config
from sotevahti.store import Store

from .conftest import run_monitor

# Tuesday 24.11.2026 klo 12.00: the archive crawl; the next day the news.
DAY1 = datetime(2026, 11, 24, 12, 0, tzinfo=HELSINKI)
DAY2 = DAY1 + timedelta(days=1)   # a Wednesday
URL_NEW = "https://stm.fi/-/1271139/hyvinvointialueiden-rahoituslaki-lausunnolle"


def item(n: int, **over):
    base = {
        "id": f"lr-{n:016x}", "url": f"https://stm.fi/-/1271139/tiedote-{n}", "source": "stm",
        "organisation": "Sosiaali- ja terveysministeriö", "region": "national", "kind": "announcement",
        "title": f"Hyvinvointialueiden rahoitus tarkentuu ({n})", "published": DAY1 - timedelta(days=n),
        "type": "Tiedote", "language": "fi", "lead": "Hyvinvointialueiden rahoitusta tarkistetaan.",
        "body": "Hyvinvointialueiden rahoitus kasvaa.", "tags": [], "attachments": [], "urls": [],
        "relevant": True, "topic_terms": ["hyvinvointialue"],
    }
    return base | over


class Receiver:
    """A local HTTP endpoint for Apprise's ``json://``: keeps every JSON body, answers ``status``."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.status = 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if outer.status == 200:
                    outer.received.append(json.loads(body))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def sink():
    with SmtpSink() as s:
        yield s


@pytest.fixture
def store(tmp_path):
    """Day 1: the archive crawl of stm (three releases), source backfilled."""
    s = Store(tmp_path / "sotevahti.db")
    s.upsert_items([item(1), item(2), item(3)], None, DAY1)
    s.mark_backfilled(["stm"], DAY1)
    yield s
    s.close()


def news(store):
    """Day 2: one new consultation release with a deadline, and one Swedish release."""
    store.upsert_items([
        item(10, url=URL_NEW, title="Hyvinvointialueiden rahoituslaki lausunnolle", published=DAY2 - timedelta(hours=2),
             body="Luonnos on lausunnolla. Lausuntoaika päättyy 11.12.2026 klo 16.00."),
        item(11, language="sv", title="Välfärdsområdenas finansiering preciseras", url="https://stm.fi/sv/-/11",
             published=DAY2 - timedelta(hours=1), lead="Välfärdsområdena får mer.", body="Välfärdsområdena."),
    ], None, DAY2)
    store.advance_deadlines(DAY2)


def test_instant_email_in_finnish_has_title_deadline_and_link_and_never_repeats(store, sink):
    target = NotifyTarget(id="posti", url=sink.apprise_url(), language="fi")
    assert run_notify(store, (target,), DAY1, sources={})["sent"] == 0     # a new target: no archive
    news(store)
    result = run_notify(store, (target,), DAY2, sources={})
    assert result["sent"] == 2 and result["failed"] == 0
    mails = {m["Subject"]: m.get_body(("plain",)).get_content() for m in sink.messages()}
    assert len(sink.raw) == 2
    subject = "Uusi tiedote: Hyvinvointialueiden rahoituslaki lausunnolle"
    assert subject in mails
    assert "Lausuntoaika päättyy pe 11.12.2026 klo 16.00" in mails[subject]
    assert URL_NEW in mails[subject]
    assert "Julkaistu 25.11.2026 klo 10.00" in mails[subject]
    assert run_notify(store, (target,), DAY2 + timedelta(hours=6), sources={})["sent"] == 0
    assert len(sink.raw) == 2
    rows = store.conn.execute("SELECT event_id, status, attempts FROM deliveries ORDER BY event_id").fetchall()
    assert [(r[1], r[2]) for r in rows] == [("sent", 1), ("sent", 1)]


def test_swedish_target_gets_swedish_text_over_json(store, receiver):
    target = NotifyTarget(id="chatt", url=receiver.url, language="sv", events=("new",), languages=("fi",))
    run_notify(store, (target,), DAY1, sources={})
    news(store)
    run_notify(store, (target,), DAY2, sources={})
    assert len(receiver.received) == 1      # the Swedish release is filtered out by languages = ["fi"]
    msg = receiver.received[0]
    assert msg["title"] == "Nytt meddelande: Hyvinvointialueiden rahoituslaki lausunnolle"
    assert "Remisstiden går ut fre 11.12.2026 kl. 16.00" in msg["message"]
    assert "Publicerad 25.11.2026 kl. 10.00" in msg["message"]
    assert URL_NEW in msg["message"]


def test_deadline_events_and_filters(store, receiver):
    target = NotifyTarget(id="dl", url=receiver.url, events=("deadline_opened", "deadline_extended",
                                                            "deadline_closing"), topics=("rahoituslaki",))
    run_notify(store, (target,), DAY1, sources={})
    news(store)
    run_notify(store, (target,), DAY2, sources={})
    # the new release's deadline is told as a deadline event, since this target takes no "new"
    assert [m["title"] for m in receiver.received] == [
        "Lausuntoaika päättyy pe 11.12.2026 klo 16.00: Hyvinvointialueiden rahoituslaki lausunnolle"]
    day3 = DAY2 + timedelta(days=1)
    store.upsert_items([item(10, url=URL_NEW, title="Hyvinvointialueiden rahoituslaki lausunnolle",
                             published=DAY2 - timedelta(hours=2),
                             body="Luonnos on lausunnolla. Lausuntoaikaa on jatkettu 18.12.2026 saakka.")], None, day3)
    store.advance_deadlines(day3)
    run_notify(store, (target,), day3, sources={})
    assert len(receiver.received) == 2
    assert receiver.received[1]["title"].startswith("Lausuntoaikaa jatkettu 11.12.2026 → pe 18.12.2026")


def test_failing_target_is_shown_retried_and_delivered_once(store, receiver, tmp_path):
    target = NotifyTarget(id="webhook", url=receiver.url)
    run_notify(store, (target,), DAY1, sources={})
    news(store)
    receiver.status = 500
    failed = run_notify(store, (target,), DAY2, sources={})
    assert (failed["sent"], failed["failed"]) == (0, 2) and receiver.received == []
    store.conn.execute("PRAGMA wal_checkpoint")
    proc = run_monitor("status", "--json", "--db", str(tmp_path / "sotevahti.db"))
    assert proc.returncode == 0, proc.stderr
    shown = {t["target"]: t for t in json.loads(proc.stdout)["notifications"]}
    assert shown["webhook"]["failed"] == 2 and shown["webhook"]["sent"] == 0
    assert "error=500" in shown["webhook"]["last_error"]
    assert {f["attempts"] for f in shown["webhook"]["failing"]} == {1}
    receiver.status = 200
    again = run_notify(store, (target,), DAY2 + timedelta(hours=6), sources={})
    assert (again["sent"], again["failed"]) == (2, 0)
    assert run_notify(store, (target,), DAY2 + timedelta(hours=12), sources={})["sent"] == 0
    assert len(receiver.received) == 2
    status = delivery_status(store)[0]
    assert (status["sent"], status["failed"], status["last_error"]) == (2, 0, None)
    assert {r[0] for r in store.conn.execute("SELECT attempts FROM deliveries")} == {2}


def test_receiver_down_is_a_failure_too(store):
    target = NotifyTarget(id="down", url=f"json://127.0.0.1:{free_port()}/hook")
    run_notify(store, (target,), DAY1, sources={})
    news(store)
    result = run_notify(store, (target,), DAY2, sources={})
    assert result["failed"] == 2
    assert {m["error"] for m in result["targets"][0]["messages"]} == {
        "A Connection error occurred sending JSON notification to 127.0.0.1."}


def test_new_target_after_the_events_receives_nothing_old(store, receiver):
    news(store)
    late = NotifyTarget(id="late", url=receiver.url)
    assert run_notify(store, (late,), DAY2 + timedelta(hours=1), sources={})["sent"] == 0
    assert receiver.received == []
    store.upsert_items([item(20, title="Sote-uudistuksen seuraava vaihe", url="https://stm.fi/-/20")], None,
                       DAY2 + timedelta(hours=2))
    assert run_notify(store, (late,), DAY2 + timedelta(hours=3), sources={})["sent"] == 1
    assert receiver.received[0]["title"] == "Uusi tiedote: Sote-uudistuksen seuraava vaihe"


def test_crash_between_send_and_record_resends_at_most_once(store, receiver, monkeypatch):
    target = NotifyTarget(id="crash", url=receiver.url, languages=("sv",))
    run_notify(store, (target,), DAY1, sources={})
    news(store)
    real_finish = notify.finish_delivery

    def crash(*args, **kwargs):
        raise SystemExit("killed between sending and recording")

    monkeypatch.setattr(notify, "finish_delivery", crash)
    with pytest.raises(SystemExit):
        run_notify(store, (target,), DAY2, sources={})
    assert len(receiver.received) == 1
    assert store.conn.execute("SELECT status FROM deliveries").fetchall() == [("sending",)]
    monkeypatch.setattr(notify, "finish_delivery", real_finish)
    assert run_notify(store, (target,), DAY2 + timedelta(hours=1), sources={})["sent"] == 1
    assert run_notify(store, (target,), DAY2 + timedelta(hours=2), sources={})["sent"] == 0
    assert len(receiver.received) == 2      # the one resend, and no more
    assert receiver.received[0] == receiver.received[1]


def test_weekly_digest_once_per_week_on_its_weekday(store, sink):
    weekly = NotifyTarget(id="viikko", url=sink.apprise_url(), mode="digest", every="weekly", weekday="wednesday")
    assert run_notify(store, (weekly,), DAY1, sources={})["sent"] == 0     # Tuesday
    news(store)
    # Wednesday 25.11.: the deadline on 11.12. is 16 days away, beyond the 14 days: no digest
    assert run_notify(store, (weekly,), DAY2, sources={})["sent"] == 0
    next_week = DAY2 + timedelta(days=7)
    store.advance_deadlines(next_week)
    assert run_notify(store, (weekly,), next_week, sources={})["sent"] == 1
    assert run_notify(store, (weekly,), next_week + timedelta(days=1), sources={})["sent"] == 0   # Thursday
    assert run_notify(store, (weekly,), next_week + timedelta(days=6), sources={})["sent"] == 0   # Tuesday
    mail = sink.messages()[0]
    assert len(sink.raw) == 1
    assert mail["Subject"] == "1 määräaika päättyy 14 päivän sisällä"
    body = mail.get_body(("plain",)).get_content()
    assert "Lausuntoaika päättyy pe 11.12.2026 klo 16.00 (9 päivää jäljellä)" in body and URL_NEW in body
    assert "Hyvinvointialueiden rahoituslaki lausunnolle (Sosiaali- ja terveysministeriö)" in body


def test_daily_digest_in_swedish_and_dry_run_records_nothing(store, receiver):
    daily = NotifyTarget(id="dag", url=receiver.url, mode="digest", every="daily", language="sv", within_days=30)
    run_notify(store, (daily,), DAY1, sources={})
    news(store)
    dry = run_notify(store, (daily,), DAY2, sources={}, dry_run=True)
    assert dry["due"] == 1 and receiver.received == []
    assert store.conn.execute("SELECT count(*) FROM deliveries").fetchone()[0] == 0
    run_notify(store, (daily,), DAY2, sources={})
    assert receiver.received[0]["title"] == "1 tidsfrist går ut inom 30 dagar"
    assert "Remisstiden går ut fre 11.12.2026 kl. 16.00 (16 dagar kvar)" in receiver.received[0]["message"]


def test_url_env_missing_fails_without_naming_a_secret(store, monkeypatch):
    monkeypatch.delenv("SOTEVAHTI_TEST_MAIL", raising=False)
    target = NotifyTarget(id="env", url_env="SOTEVAHTI_TEST_MAIL")
    run_notify(store, (target,), DAY1, sources={})
    news(store)
    result = run_notify(store, (target,), DAY2, sources={})
    assert result["failed"] == 2
    assert result["targets"][0]["messages"][0]["error"] == \
        "notify target 'env': environment variable SOTEVAHTI_TEST_MAIL is not set"


SOURCE = {"id": "stm", "name": "STM", "platform": "liferay", "organisation": "STM", "region": "national",
          "languages": ["fi"], "start_urls": ["https://stm.fi/ajankohtaista"]}


@pytest.mark.parametrize("entry, message", [
    ({"id": "a", "url": "json://x", "colour": "red"}, "unknown key 'colour'"),
    ({"id": "a"}, "exactly one of 'url'"),
    ({"id": "a", "url": "json://x", "url_env": "X"}, "exactly one of 'url'"),
    ({"id": "a", "url": "json://x", "mode": "digest", "every": "weekly"}, "'weekday' must be one of"),
    ({"id": "a", "url": "json://x", "mode": "digest", "every": "daily", "events": ["new"]}, "'events' is for instant"),
    ({"id": "a", "url": "json://x", "weekday": "monday"}, "only for mode = \"digest\""),
    ({"id": "a", "url": "json://x", "language": "en"}, "'language' must be one of fi, sv"),
    ({"id": "a", "url": "json://x", "events": ["published"]}, "unknown event 'published'"),
    ({"id": "a", "url": "json://x", "regions": ["99"]}, "unknown region '99'"),
    ({"id": "a", "url": "json://x", "kinds": ["tweet"]}, "unknown kind 'tweet'"),
])
def test_bad_notify_entries_are_refused(entry, message):
    with pytest.raises(ConfigError, match="notify") as err:
        parse_config({"source": [SOURCE], "notify": [entry]})
    assert message in str(err.value)


def test_notify_command_dry_run_json_and_send(store, sink, tmp_path, monkeypatch):
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[source]]\nid = "stm"\nname = "STM"\nplatform = "liferay"\norganisation = "STM"\nregion = "national"\n'
        'languages = ["fi"]\nstart_urls = ["https://stm.fi/ajankohtaista"]\n\n'
        '[[notify]]\nid = "posti"\nurl_env = "SOTEVAHTI_TEST_MAIL"\nlanguage = "fi"\n', encoding="utf-8")
    monkeypatch.setenv("SOTEVAHTI_TEST_MAIL", sink.apprise_url())
    db = str(tmp_path / "sotevahti.db")
    args = ("--db", db, "--sources", str(sources))
    assert run_monitor("notify", *args, "--now", DAY1.isoformat()).returncode == 0   # registers the target
    news(store)
    store.conn.execute("PRAGMA wal_checkpoint")
    dry = run_monitor("notify", "--dry-run", "--json", *args, "--now", DAY2.isoformat())
    assert dry.returncode == 0, dry.stderr
    shown = json.loads(dry.stdout)
    assert shown["dry_run"] is True and shown["due"] == 2 and sink.raw == []
    assert {m["status"] for m in shown["targets"][0]["messages"]} == {"due"}
    sent = run_monitor("notify", *args, "--now", DAY2.isoformat())
    assert sent.returncode == 0, sent.stderr
    assert "2 sent, 0 failed" in sent.stdout and len(sink.raw) == 2
    assert run_monitor("notify", "--json", *args, "--now", DAY2.isoformat()).returncode == 0
    assert len(sink.raw) == 2


def test_the_readme_notify_example_is_a_valid_config():
    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in readme.split("```toml\n")[1:]]
    block = next(b for b in blocks if "[[notify]]" in b)
    import tomllib

    config = parse_config({"source": [SOURCE], **tomllib.loads(block)})
    weekly, chat = config.notify
    assert (weekly.mode, weekly.every, weekly.weekday, weekly.url_env) == ("digest", "weekly", "monday",
                                                                          "SOTEVAHTI_MAIL_URL")
    assert (chat.mode, chat.language, chat.regions, chat.events[0]) == ("instant", "sv", ("16",), "new")


def test_notify_refuses_a_missing_database_and_a_held_lock(store, tmp_path):
    from sotevahti.lock import CrawlLock

    missing = run_monitor("notify", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "no database" in missing.stderr
    assert not (tmp_path / "none.db").exists()
    with CrawlLock(tmp_path / "sotevahti.db"):
        held = run_monitor("notify", "--db", str(tmp_path / "sotevahti.db"))
    assert held.returncode == 2 and held.stderr.count("\n") == 1


def test_a_target_failing_for_good_is_given_up_after_max_attempts(store, receiver):
    from sotevahti.notify_store import MAX_ATTEMPTS

    target = NotifyTarget(id="broken", url=receiver.url, languages=("sv",))
    run_notify(store, (target,), DAY1, sources={})
    news(store)
    receiver.status = 500
    tries = [run_notify(store, (target,), DAY2 + timedelta(minutes=n), sources={})["failed"]
             for n in range(MAX_ATTEMPTS + 2)]
    assert tries == [1] * MAX_ATTEMPTS + [0, 0]
    assert delivery_status(store)[0]["failing"][0]["attempts"] == MAX_ATTEMPTS


def test_a_failed_digest_gives_way_to_the_next_periods(store, receiver):
    daily = NotifyTarget(id="paiva", url=receiver.url, mode="digest", every="daily", within_days=30)
    run_notify(store, (daily,), DAY1, sources={})
    news(store)
    receiver.status = 500
    assert run_notify(store, (daily,), DAY2, sources={})["failed"] == 1
    assert delivery_status(store)[0]["failed"] == 1
    receiver.status = 200
    assert run_notify(store, (daily,), DAY2 + timedelta(days=1), sources={})["sent"] == 1
    status = delivery_status(store)[0]
    assert (status["sent"], status["failed"], status["last_error"]) == (1, 0, None)
    assert len(receiver.received) == 1 and receiver.received[0]["title"] == "1 määräaika päättyy 30 päivän sisällä"


def test_a_release_in_finnish_and_swedish_is_one_message_in_the_readers_language(store, receiver):
    fi_url, sv_url = URL_NEW, "https://stm.fi/sv/-/1271139/lagen-om-finansiering-pa-remiss"
    fi_target = NotifyTarget(id="fi", url=receiver.url, language="fi", events=("new",))
    sv_target = NotifyTarget(id="sv", url=receiver.url, language="sv", events=("new",))
    run_notify(store, (fi_target, sv_target), DAY1, sources={})
    store.upsert_items([
        item(10, url=fi_url, title="Hyvinvointialueiden rahoituslaki lausunnolle", translations={"sv": sv_url},
             published=DAY2 - timedelta(hours=2)),
        item(11, url=sv_url, language="sv", title="Lagen om finansiering av välfärdsområdena på remiss",
             translations={"fi": fi_url}, published=DAY2 - timedelta(hours=2)),
    ], None, DAY2)
    run_notify(store, (fi_target, sv_target), DAY2, sources={})
    titles = sorted(m["title"] for m in receiver.received)
    assert titles == ["Nytt meddelande: Lagen om finansiering av välfärdsområdena på remiss",
                      "Uusi tiedote: Hyvinvointialueiden rahoituslaki lausunnolle"]
    swedish = next(m for m in receiver.received if m["title"].startswith("Nytt"))
    assert sv_url in swedish["message"] and fi_url not in swedish["message"]
    # the release is one event for each target, whichever version is told
    ids = [r[0] for r in store.conn.execute("SELECT event_id FROM deliveries WHERE target = 'sv'")]
    assert ids == [f"new/{item(10)['id']}"]


def test_the_demo_mailbox_dates_saved_mail_at_its_simulated_hour_not_the_real_one(tmp_path) -> None:
    """Apprise stamps Date and Message-ID at the real send time; the saved copy carries the given day."""
    from sotevahti.notify import apprise_send
    from sotevahti.notify_messages import Message

    at = datetime(2026, 11, 24, 6, 0, tzinfo=HELSINKI)
    with SmtpSink(save_dir=tmp_path) as sink:
        sink.stamp_at = at
        assert apprise_send(sink.apprise_url(), Message("Lausuntoaika päättyy", "Määräaika 15.1.2027.")) is None
        assert apprise_send(sink.apprise_url(), Message("Hakuaika jatkuu", "Uusi määräaika 29.1.2027.")) is None
    saved = [(tmp_path / f"000{n}.eml").read_text(encoding="utf-8") for n in (1, 2)]
    for n, text in enumerate(saved, 1):
        head = text.split("\n\n", 1)[0]
        assert head.count("Date:") == 1 and "Date: Tue, 24 Nov 2026 06:00:00 +0200" in head
        assert f"Message-ID: <demo-000{n}@127.0.0.1>" in head
    assert "Date: Tue, 24 Nov 2026" not in sink.raw[0]   # what was received stays as received
