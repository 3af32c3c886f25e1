"""The deadline feed does not depend on the order a crawl's pages arrived in.

Scrapy hands items over as their pages complete, so one run stores the STM consultation first
and another the grant call first; every event of a run shares its ``at``. The feed (and the
notifications) must come out the same either way.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sotevahti.dates import HELSINKI
from sotevahti.deadline_feeds import event_entry
from sotevahti.store import Store

from .test_store import make_item

PUB = datetime(2026, 11, 2, 10, 0, tzinfo=HELSINKI)
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=HELSINKI)


def _items(day: int) -> list[dict]:
    """Three items; on the second day the consultation is extended and the grant call is new."""
    consultation = make_item(1, title="Luonnos ostopalvelujen sääntelystä lausunnolle", lead="", published=PUB,
                             body=("Lausuntoaikaa on pidennetty, ja se päättyy 29.12.2026." if day == 2
                                   else "Lausuntoaika päättyy 14.12.2026."))
    survey = make_item(2, title="Kysely hyvinvointialueille", lead="", published=PUB,
                       body="Kyselyyn voi vastata 18.12.2026 saakka." if day == 2
                       else "Kyselyyn voi vastata 11.12.2026 saakka.")
    grant = make_item(3, title="Valtionavustus hoitojonojen purkamiseen", lead="", published=PUB,
                      body="Hakemukset on jätettävä 29.12.2026 klo 16.15 mennessä.")
    return [consultation, survey, grant]


def _feed_after(order: slice) -> list[tuple[str, str]]:
    store = Store(memory=True)
    try:
        for run, day in ((1, 1), (2, 2)):
            for item in _items(day)[order]:   # one item a page, in the order the pages completed
                store.upsert_items([item], run, NOW + timedelta(days=run - 1))
        events = store.deadline_events()
        return [(e["id"], event_entry(e)["title"]) for e in events]
    finally:
        store.close()


def test_deadline_events_come_out_the_same_whatever_order_the_items_arrived_in():
    forward, backward = _feed_after(slice(None)), _feed_after(slice(None, None, -1))
    assert any("/extended/2026-12-29" in guid for guid, _title in forward)
    assert len(forward) == len(set(forward)) >= 4
    assert forward == backward


def test_a_cut_feed_keeps_the_same_events_whatever_the_order():
    def cut(order: slice) -> list[str]:
        store = Store(memory=True)
        try:
            for item in _items(1)[order]:
                store.upsert_items([item], 1, NOW)
            return [e["id"] for e in store.deadline_events(2)]
        finally:
            store.close()
    assert cut(slice(None)) == cut(slice(None, None, -1))
