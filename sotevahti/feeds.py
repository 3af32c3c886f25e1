"""Feeds, built from the database with feedgen after every crawl.

``public/feed.xml`` (RSS 2.0) and ``public/atom.xml`` hold the newest relevant items. An entry's
GUID is the item's permanent id (``isPermaLink="false"``), so a reader shows each release once
however often it is re-crawled or corrected. The description is the plain-text lead; the full
text stays on the ministry's site (valtioneuvosto.fi allows reuse with attribution, but
summaries with links are the safe default, DOMAIN.md §1.2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from feedgen.feed import FeedGenerator

from .atomic_files import remove_stale_temporaries
from .dates import HELSINKI
from .deadline_feeds import DESCRIPTION as DEADLINE_DESCRIPTION
from .deadline_feeds import EVENT_LIMIT, event_entry
from .diff import Diff
from .display import format_datetime
from .feed_sets import feed_specs, main_specs, render_opml
from .ical import build_calendar
from .public_files import write_if_changed
from .regions import NATIONAL, region_name
from .site_page import write_site
from .sources import FeedSettings
from .store import Store
from .translations import SAME_EVENT, deadlines_once
from .xmlsafe import PublicView, public_value

FEED_LIMIT = 50
_UPDATED = {"fi": "Päivitetty", "sv": "Uppdaterad", "en": "Updated"}
_REMOVED = {"fi": "Poistettu", "sv": "Borttagen", "en": "Withdrawn"}
_PAGE_CHANGED = {"fi": "Sivu muuttui", "sv": "Sidan ändrades", "en": "Page changed"}
_DESCRIPTION_LIMIT = 600


@dataclass(frozen=True)
class FeedPaths:
    """Where :func:`write_feeds` put its files."""

    rss: Path
    atom: Path
    deadlines: Path
    deadlines_atom: Path
    ics: Path
    opml: Path
    health: Path
    html: Path
    #: the feed files (RSS and Atom) this rebuild changed, for the WebSub ping (sotevahti/websub.py)
    changed: tuple[Path, ...] = field(default=(), compare=False)

    def files(self) -> dict[str, Path]:
        """``{"rss": public/feed.xml, …}``: every named file."""
        return {k: v for k, v in vars(self).items() if k != "changed"}

    def as_json(self) -> dict[str, str]:
        """``{"rss": "/abs/public/feed.xml", …}``: the ``feeds`` object of the CLI's JSON."""
        return {k: str(Path(v).resolve()) for k, v in self.files().items()}


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


def item_entry(item: Mapping[str, Any]) -> dict[str, Any]:
    """A feed entry for a stored item: its GUID is the item id, forever."""
    published = datetime.fromisoformat(item["published"]).astimezone(HELSINKI)
    return {"guid": item["id"], "title": item["title"], "url": item["url"], "published": published,
            "updated": published, "description": _summary(item), "categories": item_categories(item),
            "language": item.get("language")}


def change_entry(change: Mapping[str, Any]) -> dict[str, Any]:
    """A feed entry for an edit (a row of :meth:`Store.latest_changes`).

    Its GUID is the item id plus the new version (``lr-…/v2``), so the original entry's GUID
    never changes and a reader sees the edit as news of its own. The description lists what
    was added and removed.
    """
    lang = change.get("language") or "fi"
    label = (_PAGE_CHANGED if change.get("kind") == "page" else _UPDATED).get(lang, "Päivitetty")
    at = datetime.fromisoformat(change["changed_at"]).astimezone(HELSINKI)
    diff = Diff.from_json(change.get("diff"))
    entry = {"guid": f"{change['id']}/v{change['new_version']}", "title": f"{label}: {change['title']}",
             "url": change["url"], "published": at, "updated": at,
             "description": diff.summary(lang) or _summary(change),
             "categories": [label, *item_categories(change)], "language": change.get("language")}
    if diff:
        entry["html"] = diff.summary_html(lang)   # links as <a href>, which HTML-rendering readers keep
    return entry


def removal_entry(item: Mapping[str, Any]) -> dict[str, Any]:
    """A feed entry saying that a stored item's page was withdrawn (answered 404 or 410)."""
    lang = item.get("language") or "fi"
    label = _REMOVED.get(lang, _REMOVED["fi"])
    at = datetime.fromisoformat(item["removed_at"]).astimezone(HELSINKI)
    note = {"fi": "Sivu ei ole enää saatavilla", "sv": "Sidan finns inte längre",
            "en": "The page is no longer available"}.get(lang, "Sivu ei ole enää saatavilla")
    # A release withdrawn again after it came back is news again: its second removal has a GUID of its own.
    again = int(item.get("removals") or 1)
    guid = f"{item['id']}/removed" + (f"/{again}" if again > 1 else "")
    return {"guid": guid, "title": f"{label}: {item['title']}", "url": item["url"],
            "published": at, "updated": at,
            "description": f"{note} ({item.get('removed_status')}), {format_datetime(at, lang)}.",
            "categories": [label, *item_categories(item)], "language": item.get("language")}


def build_feed(entries: Iterable[Mapping[str, Any]], settings: FeedSettings, self_url: str,
               now: datetime, title: str | None = None, description: str | None = None) -> FeedGenerator:
    """A feedgen feed of entries (from :func:`item_entry` and :func:`change_entry`), in the given order.

    :param self_url: the feed's own public URL, for ``atom:link rel="self"``.
    :param now: the build time, used as ``lastBuildDate``/``updated``.
    """
    fg = FeedGenerator()
    fg.load_extension("dc")
    fg.id(self_url)
    fg.title(title or settings.title)
    fg.description(description or settings.description)
    fg.subtitle(description or settings.description)
    fg.link(href=self_url, rel="self")
    if settings.websub_hub:
        fg.link(href=settings.websub_hub, rel="hub")   # Atom; RSS gets it from rss_bytes
    fg.link(href=settings.public_url, rel="alternate")  # last: feedgen makes it the RSS <link>
    fg.language(settings.language)
    fg.generator("Sotevahti")
    fg.lastBuildDate(now)
    fg.updated(now)
    for e in entries:
        entry = fg.add_entry(order="append")
        entry.id(e["guid"])
        entry.guid(e["guid"], permalink=False)
        entry.title(e["title"])
        entry.link(href=e["url"], rel="alternate")
        entry.published(e["published"])
        entry.updated(e["updated"])
        if e.get("html"):
            entry.description(e["html"])
            entry.summary(e["html"], type="html")
        else:
            entry.description(e["description"])
            entry.summary(e["description"])
        for cat in e["categories"]:
            entry.category(term=cat)
        if e.get("language"):
            entry.dc.dc_language(e["language"])
    return fg


def rss_bytes(feed: FeedGenerator, settings: FeedSettings) -> bytes:
    """The feed as RSS 2.0; with a ``websub_hub``, an ``<atom:link rel="hub">`` follows the self link
    (feedgen writes only ``rel="self"`` into RSS)."""
    data = feed.rss_str(pretty=True)
    if settings.websub_hub:
        hub = f'<atom:link href="{xml_escape(settings.websub_hub, {chr(34): "&quot;"})}" rel="hub"/>'
        data = re.sub(rb'(<atom:link [^>]*rel="self"[^>]*/>)', lambda m: m[1] + b"\n    " + hub.encode(), data,
                      count=1)
    return data


def feed_entries(store: Store | PublicView, limit: int = FEED_LIMIT,
                 filters: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The newest items and edits, merged by time: what the announcement feeds show.

    The entries are built from the stored rows and then cleaned (:func:`public_value`): only the
    ``limit`` entries that are published, and only what they show, not every stored body read.
    """
    rows = store.public_source if isinstance(store, PublicView) else store
    entries = [item_entry(i) for i in rows.latest_items(limit, filters=filters)]
    entries += [change_entry(c) for c in rows.latest_changes(limit, filters=filters)]
    entries += [removal_entry(r) for r in rows.latest_removals(limit, filters=filters)]
    entries.sort(key=lambda e: (e["published"], e["guid"]), reverse=True)
    return public_value(entries[:limit])


def write_feeds(store: Store | PublicView, public_dir: str | Path, settings: FeedSettings, now: datetime,
                limit: int = FEED_LIMIT, *, simulated: bool = False) -> FeedPaths:
    """Write every public file under ``public_dir`` from the database.

    ``feed.xml``/``atom.xml`` (newest relevant items and edits), ``deadlines.xml``/``deadlines-atom.xml``
    (newest deadline events), ``deadlines.ics`` (deadlines from a year back onwards), one feed per
    region, organisation, kind and language under ``feeds/``, ``feeds.opml`` listing them all,
    ``health.xml`` (source alarms) and the static web page ``index.html`` with a page per region.
    Each file is written to a unique temporary name and renamed (:mod:`sotevahti.atomic_files`),
    so a reader never sees half a feed and concurrent writers never collide, and only when its
    content changed (:func:`~sotevahti.public_files.write_if_changed`). The dimension values and
    their specs are read once per rebuild, from indexed queries. ``simulated``: the demo's day,
    which the web page then names as such. The result's ``changed`` lists the feed files that
    were rewritten (what a WebSub hub is told about).
    """
    public = Path(public_dir)
    public.mkdir(parents=True, exist_ok=True)
    store = PublicView(store)   # every string read from here on is fit for XML, iCalendar and HTML
    remove_stale_temporaries(public)
    entries = feed_entries(store, limit)
    base = settings.public_url.rstrip("/")
    paths = FeedPaths(rss=public / "feed.xml", atom=public / "atom.xml", deadlines=public / "deadlines.xml",
                      deadlines_atom=public / "deadlines-atom.xml", ics=public / "deadlines.ics",
                      opml=public / "feeds.opml", health=public / "health.xml", html=public / "index.html")
    changed: list[Path] = []

    def feed_file(path: Path, data: bytes) -> None:
        if write_if_changed(path, data):
            changed.append(path)
    feed_file(paths.rss, rss_bytes(build_feed(entries, settings, f"{base}/feed.xml", now), settings))
    feed_file(paths.atom, build_feed(entries, settings, f"{base}/atom.xml", now).atom_str(pretty=True))
    events = [event_entry(ev) for ev in deadlines_once(store, store.deadline_events(EVENT_LIMIT, relevant_only=True),
                                                       SAME_EVENT)]
    title = f"{settings.title}: määräajat"
    rss = build_feed(events, settings, f"{base}/deadlines.xml", now, title, DEADLINE_DESCRIPTION)
    atom = build_feed(events, settings, f"{base}/deadlines-atom.xml", now, title, DEADLINE_DESCRIPTION)
    feed_file(paths.deadlines, rss_bytes(rss, settings))
    feed_file(paths.deadlines_atom, atom.atom_str(pretty=True))
    since = (now.astimezone(HELSINKI) - timedelta(days=365)).date()
    write_if_changed(paths.ics, build_calendar(deadlines_once(store, store.deadline_rows(since=since,
                                                                                      relevant_only=True)), now))
    specs = feed_specs(store, settings)
    for spec in specs:
        target = public / spec.path
        target.parent.mkdir(parents=True, exist_ok=True)
        entries = feed_entries(store, limit, filters={spec.dimension: spec.value})
        feed = build_feed(entries, settings, f"{base}/{spec.path}", now, spec.title)
        feed_file(target, rss_bytes(feed, settings))
    write_if_changed(paths.opml, render_opml([*main_specs(settings), *specs], settings, now))
    health = store.health_entries(base_url=f"{base}/status")
    feed = build_feed(health, settings, f"{base}/health.xml", now, f"{settings.title}: lähteiden tila",
                      "Hälytykset lähteistä, jotka lakkasivat tuottamasta tiedotteita tai muuttivat rakennettaan.")
    feed_file(paths.health, rss_bytes(feed, settings))
    write_site(store, public, settings, now, specs, simulated=simulated)
    return replace(paths, changed=tuple(changed))


def _summary(item: Mapping[str, Any]) -> str:
    text = item.get("lead") or (item.get("body") or "").split("\n\n")[0] or item["title"]
    return text if len(text) <= _DESCRIPTION_LIMIT else text[: _DESCRIPTION_LIMIT - 1].rsplit(" ", 1)[0] + "…"

