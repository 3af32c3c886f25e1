"""Feeds, built from the database with feedgen after every crawl.

``public/feed.xml`` (RSS 2.0) and ``public/atom.xml`` hold the newest relevant items. An entry's
GUID is the item's permanent id (``isPermaLink="false"``), so a reader shows each release once
however often it is re-crawled or corrected. The description is the plain-text lead; the full
text stays on the ministry's site (valtioneuvosto.fi allows reuse with attribution, but
summaries with links are the safe default, DOMAIN.md §1.2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from feedgen.feed import FeedGenerator

from .dates import HELSINKI
from .deadline_feeds import EVENT_LIMIT, build_deadline_feed
from .ical import build_calendar
from .regions import NATIONAL, region_name
from .sources import FeedSettings
from .store import Store

FEED_LIMIT = 50
_DESCRIPTION_LIMIT = 600


@dataclass(frozen=True)
class FeedPaths:
    """Where :func:`write_feeds` put its files."""

    rss: Path
    atom: Path
    deadlines: Path
    deadlines_atom: Path
    ics: Path

    def as_json(self) -> dict[str, str]:
        """``{"rss": "/abs/public/feed.xml", …}``: the ``feeds`` object of the CLI's JSON."""
        return {k: str(Path(v).resolve()) for k, v in vars(self).items()}


def item_categories(item: Mapping[str, Any]) -> list[str]:
    """Categories of an entry: organisation, region, type, then the ministry tags."""
    region = item.get("region") or NATIONAL
    cats = [item.get("organisation"), region_name(region) if region else None, item.get("type"),
            *(item.get("tags") or [])]
    out: list[str] = []
    for c in cats:
        if c and c not in out:
            out.append(c)
    return out


def build_feed(items: Iterable[Mapping[str, Any]], settings: FeedSettings, self_url: str,
               now: datetime, title: str | None = None) -> FeedGenerator:
    """A feedgen feed of stored items (rows from :meth:`Store.latest_items`).

    :param self_url: the feed's own public URL, for ``atom:link rel="self"``.
    :param now: the build time, used as ``lastBuildDate``/``updated``.
    """
    fg = FeedGenerator()
    fg.load_extension("dc")
    fg.id(self_url)
    fg.title(title or settings.title)
    fg.description(settings.description)
    fg.subtitle(settings.description)
    fg.link(href=self_url, rel="self")
    fg.link(href=settings.public_url, rel="alternate")  # last: feedgen makes it the RSS <link>
    fg.language(settings.language)
    fg.generator("Sotevahti")
    fg.lastBuildDate(now)
    fg.updated(now)
    for item in items:
        # feedgen lists entries newest-first when each is added at the top.
        entry = fg.add_entry(order="append")
        entry.id(item["id"])
        entry.guid(item["id"], permalink=False)
        entry.title(item["title"])
        entry.link(href=item["url"], rel="alternate")
        published = datetime.fromisoformat(item["published"]).astimezone(HELSINKI)
        entry.published(published)
        entry.updated(datetime.fromisoformat(item.get("updated_at") or item["published"]).astimezone(HELSINKI))
        entry.description(_summary(item))
        entry.summary(_summary(item))
        for cat in item_categories(item):
            entry.category(term=cat)
        if item.get("language"):
            entry.dc.dc_language(item["language"])
    return fg


def write_feeds(store: Store, public_dir: str | Path, settings: FeedSettings, now: datetime,
                limit: int = FEED_LIMIT) -> FeedPaths:
    """Write every public file under ``public_dir`` from the database.

    ``feed.xml``/``atom.xml`` (newest relevant items), ``deadlines.xml``/``deadlines-atom.xml``
    (newest deadline events) and ``deadlines.ics`` (deadlines from a year back onwards). Each
    file is written to a temporary name and renamed, so a reader never sees half a feed.
    """
    public = Path(public_dir)
    public.mkdir(parents=True, exist_ok=True)
    items = store.latest_items(limit)
    base = settings.public_url.rstrip("/")
    paths = FeedPaths(rss=public / "feed.xml", atom=public / "atom.xml", deadlines=public / "deadlines.xml",
                      deadlines_atom=public / "deadlines-atom.xml", ics=public / "deadlines.ics")
    _atomic_write(paths.rss, build_feed(items, settings, f"{base}/feed.xml", now).rss_str(pretty=True))
    _atomic_write(paths.atom, build_feed(items, settings, f"{base}/atom.xml", now).atom_str(pretty=True))
    events = store.deadline_events(EVENT_LIMIT, relevant_only=True)
    rss = build_deadline_feed(events, settings, f"{base}/deadlines.xml", now)
    atom = build_deadline_feed(events, settings, f"{base}/deadlines-atom.xml", now)
    _atomic_write(paths.deadlines, rss.rss_str(pretty=True))
    _atomic_write(paths.deadlines_atom, atom.atom_str(pretty=True))
    since = (now.astimezone(HELSINKI) - timedelta(days=365)).date()
    _atomic_write(paths.ics, build_calendar(store.deadline_rows(since=since, relevant_only=True), now))
    return paths


def _summary(item: Mapping[str, Any]) -> str:
    text = item.get("lead") or (item.get("body") or "").split("\n\n")[0] or item["title"]
    return text if len(text) <= _DESCRIPTION_LIMIT else text[: _DESCRIPTION_LIMIT - 1].rsplit(" ", 1)[0] + "…"


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
