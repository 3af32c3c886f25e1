"""Synthetic items for the store benchmark: N press releases across every region and organisation.

Each item has a body of 12–24 paragraphs, 4.5–9.9 KB of UTF-8 (7.1 KB on average, measured;
a real release is often shorter, so the FTS part of an insert is if anything overstated). One in
twenty carries a consultation deadline (so deadline tracking and FTS are part of every insert),
1 % are later edited and 0.5 % withdrawn, so the feeds have edits and removals to show.
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sotevahti.regions import COUNTIES
from sotevahti.store import Store
from sotevahti.tracking import item_deadlines

BATCH = 1000
_WORDS = ("palvelut rahoitus henkilöstö asukkaat päivystys hoitotakuu investoinnit talousarvio valtuusto "
          "aluehallitus kehittäminen yhteistyö digitalisaatio terveysasema neuvola kotihoito pelastuslaitos "
          "ensihoito tilinpäätös palveluverkko lautakunta osallisuus saatavuus rekrytointi").split()
_ORGS = [f"{name} hyvinvointialue" for name in ("Pirkanmaan", "Varsinais-Suomen", "Keski-Suomen", "Lapin",
                                                "Pohjois-Savon", "Kanta-Hämeen", "Satakunnan", "Kainuun")]


def synthetic_item(n: int, now: datetime) -> dict[str, Any]:
    """Synthetic release number ``n``, published ``n // 20`` days before ``now``."""
    rng = random.Random(n)
    published = now - timedelta(days=n // 20, minutes=n % 1440)
    region = sorted(COUNTIES)[n % len(COUNTIES)]
    words = lambda k: " ".join(rng.choice(_WORDS) for _ in range(k))  # noqa: E731
    paras = [f"{words(12).capitalize()}. {words(14).capitalize()}. {words(10).capitalize()}."
             for _ in range(rng.randint(12, 24))]
    if n % 20 == 0:
        deadline = published + timedelta(days=40)
        paras.append(f"Lausuntoaika päättyy {deadline.day}.{deadline.month}.{deadline.year}.")
    relevant = n % 3 != 0
    title = f"{'Hyvinvointialueen' if relevant else 'Kaupungin'} {words(4)} ({n})"
    return {
        "id": f"syn-{n:08d}", "url": f"https://alue{region}.example.fi/tiedotteet/{n}", "source": f"syn{region}",
        "organisation": _ORGS[n % len(_ORGS)], "region": region, "title": title, "published": published,
        "type": "Tiedote", "language": ("fi", "fi", "fi", "sv", "en")[n % 5], "lead": paras[0],
        "body": "\n\n".join(paras[1:]), "tags": [], "attachments": [], "urls": [],
        "relevant": relevant, "topic_terms": ["hyvinvointialue"] if relevant else [],
    }


def fill_store(db: Path, count: int, now: datetime) -> tuple[int, float]:
    """Insert ``count`` synthetic items into ``db`` in batches; then edit 1 % and withdraw 0.5 %.

    :return: (items inserted, seconds the ``upsert_items`` calls took; building the items, the
        extractor's one-time dictionary load, edits and withdrawals not included).
    """
    store = Store(db)
    # Once per process, before timing: the deadline extractor's lemmatiser loads its dictionaries
    # (3-10 s here) on the first sentence it reads; a crawl pays that once, not per item.
    item_deadlines("Lausunto", "", "Lausuntoaika päättyy 15.1.2027.", now)
    seconds = 0.0
    for first in range(0, count, BATCH):
        batch = [synthetic_item(n, now) for n in range(first, min(first + BATCH, count))]
        started = time.perf_counter()
        store.upsert_items(batch, None, now)
        seconds += time.perf_counter() - started
    edited = [synthetic_item(n, now) for n in range(0, count, 100)]
    for item in edited:
        item["body"] += "\n\nTiedotetta on täydennetty."
    store.upsert_items(edited, None, now + timedelta(hours=1))
    for n in range(50, count, 200):
        store.mark_removed(f"syn-{n:08d}", 404, now + timedelta(hours=2))
    store.close()
    return count, seconds
