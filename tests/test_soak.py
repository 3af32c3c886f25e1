"""Soak: 30 epochs of seeded random edits, deadline moves, removals, restorations and bad fetches.

In-process and store-level (a real crawl per epoch would cost ~5 s each): every epoch is a day,
and a set of items goes through the same store calls the pipeline makes (``upsert_items``,
``record_missing``, ``advance_deadlines``); the published entries are built with the feed code's
own entry functions. After every epoch:

- no item's GUID changes (its URL keeps its id) and every item keeps its own URL;
- every entry GUID is published once: an entry never comes back with another time;
- each change the epoch made is published exactly once (an edit one update entry, a confirmed
  removal one removal entry, a deadline move one event), and a transient 404, a cut body or a
  restoration publishes nothing.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from sotevahti.deadline_feeds import event_entry
from sotevahti.display import format_date
from sotevahti.feeds import change_entry, item_entry, removal_entry

from .test_store import NOW, make_item

EPOCHS = 30
ITEMS = 16
SEED = 13
PARAGRAPH = "Hyvinvointialueiden rahoitus ja palvelut kehittyvät yhteistyöalueilla vuoteen 2030 mennessä."


class Page:
    """One simulated article: its text, its deadline and whether the site still serves it."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.paragraphs = [f"{PARAGRAPH} ({n}.{k})" for k in range(6)]
        self.deadline = date(2027, 3, 1) + timedelta(days=n)
        self.gone = False
        self.pending_cut = False   # a cut text was held back on the last check
        self.stored_cut = False    # the cut text was read twice a day apart, so it is the stored one

    def item(self, cut: bool = False) -> dict:
        body = "\n\n".join(self.paragraphs[:1] if cut else self.paragraphs)
        return make_item(self.n, body=f"{body}\n\nLausuntoaika päättyy {format_date(self.deadline)}.",
                         published=NOW - timedelta(days=2))


def published(store) -> dict[str, str]:
    """Every entry GUID a reader could get, with the time it carries."""
    out = {}
    for row in store.latest_items(10_000, relevant_only=False):
        out[item_entry(row)["guid"]] = "item"
    for entry in [*map(change_entry, store.latest_changes(10_000, relevant_only=False)),
                  *map(removal_entry, store.latest_removals(10_000, relevant_only=False)),
                  *map(event_entry, store.deadline_events(10_000))]:
        out[entry["guid"]] = entry["published"].isoformat()
    return out


def test_soak_30_epochs_no_guid_changes_and_every_event_once(store):
    rng = random.Random(SEED)
    pages = [Page(n) for n in range(ITEMS)]
    ids = {p.item()["url"]: p.item()["id"] for p in pages}
    store.upsert_items([p.item() for p in pages], 0, NOW)
    seen = published(store)
    missing_once: set[int] = set()
    totals = Counter()
    for epoch in range(1, EPOCHS + 1):
        now = NOW + timedelta(days=epoch)
        expected = Counter()
        batch, cut = [], set()
        for page in pages:
            op = rng.choice(["none", "none", "edit", "extend", "earlier", "remove", "transient_404", "cut",
                             "restore"])
            if page.n in missing_once:                       # yesterday's 404: today it decides
                missing_once.discard(page.n)
                if page.gone:
                    assert store.record_missing(ids[page.item()["url"]], 404, now) == "removed"
                    expected["removed"] += 1
                    continue
                op = "none"                                  # it answers again: read as it is
            if page.gone:
                if op == "restore":
                    page.gone = page.pending_cut = False
                    expected["updated"] += page.stored_cut
                    page.stored_cut = False
                    batch.append(page.item())
                continue
            if op == "edit":
                page.paragraphs.append(f"Lisäys epookissa {epoch}: {PARAGRAPH}")
                expected["updated"] += 1
            elif op in ("extend", "earlier"):
                # small moves, so that a deadline often comes back to a date it had before
                page.deadline += timedelta(days=rng.randint(1, 3) * (1 if op == "extend" else -1))
                expected["updated"] += 1
                expected["extended" if op == "extend" else "moved_earlier"] += 1
            elif op in ("remove", "transient_404"):
                page.gone = op == "remove"
                assert store.record_missing(ids[page.item()["url"]], 404, now) == "missing"
                missing_once.add(page.n)
                continue
            elif op == "cut":
                cut.add(page.n)
            if op == "cut" and page.pending_cut:          # the same shorter text a day later: a real edit
                page.pending_cut, page.stored_cut = False, True
                expected["updated"] += 1
                cut.discard(page.n)
                batch.append(page.item(cut=True))
                continue
            if op == "cut":
                if page.stored_cut:
                    cut.discard(page.n)                      # nothing new: it is the stored text
                else:
                    page.pending_cut = True
                batch.append(page.item(cut=True))
                continue
            page.pending_cut = False
            if page.stored_cut:                              # the whole text is back: a real edit too
                page.stored_cut = False
                expected["updated"] += op not in ("edit", "extend", "earlier")
            batch.append(page.item())
        result = store.upsert_items(batch, epoch, now)
        store.advance_deadlines(now, epoch)
        assert result.updated == expected["updated"], (epoch, result, expected)
        assert len(result.held) == len(cut)

        now_published = published(store)
        # no entry vanishes, and no GUID comes back with another time (a reader would see it twice)
        # (a removal entry leaves the list when its item is restored; it never comes back changed)
        changed = {g: (seen[g], now_published.get(g)) for g in seen if now_published.get(g) != seen[g]
                   and not ("/removed" in g and g not in now_published)}
        assert not {g: v for g, v in changed.items() if seen[g] != "item" or v[1] is None}, (epoch, changed)
        new = set(now_published) - set(seen)
        kinds = Counter(_kind(g) for g in new)
        assert kinds["update"] == expected["updated"], (epoch, kinds, expected)
        assert kinds["removed"] == expected["removed"], (epoch, kinds, expected)
        for move in ("extended", "moved_earlier"):
            assert kinds[move] == expected[move], (epoch, move, kinds, expected)
        seen.update(now_published)
        totals.update(kinds)

        # GUIDs never change, nothing is lost, every item has its own URL
        rows = {r["url"]: r["id"] for r in store.db.query("SELECT url, id FROM items")}
        assert rows == ids
        assert not list(store.db.query("SELECT id FROM items i WHERE NOT EXISTS (SELECT 1 FROM item_urls u "
                                       "WHERE u.url = i.url AND u.item_id = i.id)"))
    assert totals["update"] > 20 and totals["removed"] > 3 and totals["extended"] > 3 and totals["moved_earlier"] > 3
    print(f"soak: {EPOCHS} epochs, {len(seen)} GUIDs published once each: {dict(totals)}")


def _kind(guid: str) -> str:
    if "/removed" in guid:
        return "removed"
    if guid.startswith("dl-"):
        return guid.split("/")[1].replace("-", "_")
    if "/v" in guid:
        return "update"
    return "item"
