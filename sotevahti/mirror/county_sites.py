"""The mirrored county sites, sttinfo.fi and Dynasty minutes, rendered from ``data/counties.toml``.

Six sites, each in the layout of its real CMS (templates in :mod:`sotevahti.mirror.county_layouts`):

=========  ===================================  ==================================================
site       host                                 what it exercises
=========  ===================================  ==================================================
pirha      www.pirha.fi                         selectors, ``?page=2`` pagination, attachments
omahame    omahame.fi                           Liferay: ``UUTINEN / 20.10.2025``, a Swedish item
hyvaks     www.hyvaks.fi                        RSS + sitemap discovery; pages sent with
                                                ``charset=ISO-8859-1`` although the bytes are UTF-8
lapha      lapha.fi                             Liferay: ``/fi/w/<slug>?redirect=``, default pager, RSS
sttinfo    www.sttinfo.fi                       the ``D.M.YYYY HH:MM:SS EET | Org | Tiedote`` header (and
                                                the two-part ``… EET | Tiedote``), ``?publisherId=`` links;
                                                one release repeats an omahame.fi item
dynasty    luhva-d10julk.oncloudos.com          Dynasty RSS (CDATA with entities, ``:443`` links, no
                                                pubDate) and pages in ISO-8859-1: with ``<h1>``,
                                                without (a bold span), and DATABEGIN pages
=========  ===================================  ==================================================

Epochs: 1 is the initial state, 2 adds one item to every site, 3 is the same as 2. Dates written
``today-5 09:30`` and ``{today+12}`` are relative to the mirror's day, so deadlines stay upcoming.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from ..clock import SIMULATED_DAY
from ..dates import HELSINKI
from . import county_layouts as layouts
from . import county_liferay
from .liferay_shapes import current_page
from .liferay_site import fill_relative
from .server import Page

DATA = Path(__file__).parent / "data" / "counties.toml"
#: site -> (host, organisation, region code, listing path or "")
SITES: dict[str, tuple[str, str, str, str]] = {
    "pirha": ("www.pirha.fi", "Pirkanmaan hyvinvointialue", "08", "/ajankohtaista/pirha-nyt"),
    "omahame": ("omahame.fi", "Kanta-Hämeen hyvinvointialue", "07", "/fi/uutiset"),
    "hyvaks": ("www.hyvaks.fi", "Keski-Suomen hyvinvointialue", "15", "/uutiset"),
    "lapha": ("lapha.fi", "Lapin hyvinvointialue", "21", "/fi/ajankohtaista"),
    "sttinfo": ("www.sttinfo.fi", "Kanta-Hämeen hyvinvointialue", "07", "/julkaisija"),
    "dynasty": ("luhva-d10julk.oncloudos.com", "Länsi-Uudenmaan hyvinvointialue", "03", ""),
}
PAGE_SIZE = {"pirha": 4, "lapha": county_liferay.LAPHA_PAGE_SIZE}
#: Sites whose pages show the day only (``30.4.2025``, ``UUTINEN / 26.09.2023``): items dated at midnight.
DAY_ONLY = frozenset({"lapha", "omahame"})
DYNASTY_PATH = "/cgi/DREQUEST.PHP"
DYNASTY_FEED_QUERY = "page=rss/meetingitems&show=30"
#: The wrong header www.hyvaks.fi sends with its (UTF-8) pages.
HYVAKS_CONTENT_TYPE = "text/html; charset=ISO-8859-1"
_FILES = {".pdf": "application/pdf", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class CountyItem:
    """One mirrored item, as written in ``counties.toml``."""

    site: str
    slug: str
    title: str
    published: str
    lead: str
    body: str
    lang: str = "fi"
    epoch: int = 1
    attachments: tuple[dict[str, str], ...] = ()
    release_id: str = ""
    type: str = "Tiedote"
    duplicate_of: str = ""
    board: str = ""
    pykala: int = 0
    doc_suffix: str = ""


def load_items(path: Path = DATA) -> list[CountyItem]:
    """Read the mirror's items (used by the mirror and by tests)."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return [CountyItem(**{k: tuple(v) if isinstance(v, list) else v for k, v in x.items()}) for x in raw["item"]]


def when(item: CountyItem, today: date) -> datetime:
    """Publication time in Helsinki: ``2025-10-20 15:49:25``, ``today-3 09:00`` or ``today``."""
    day, _, clock = item.published.partition(" ")
    d = today + timedelta(days=int(day[5:] or 0)) if day.startswith("today") else date.fromisoformat(day)
    return datetime.combine(d, time.fromisoformat(clock or "00:00"), HELSINKI)


class CountySites:
    """Every county-family site on the mirror, as one :class:`~sotevahti.mirror.server.Site`."""

    def __init__(self, today: date | None = None, items: list[CountyItem] | None = None,
                 redesigned: frozenset[str] = frozenset({"pirha"})) -> None:
        # Sites whose news listing is redesigned in epoch 2 (its items vanish: a health alarm).
        self.redesigned = redesigned
        self.today = today or SIMULATED_DAY.date()   # never the clock
        self.items = items if items is not None else load_items()
        self.hosts = frozenset(host for host, *_ in SITES.values())
        self._site_of = {host: site for site, (host, *_) in SITES.items()}

    # -- addresses ------------------------------------------------------------------------------

    def path_query(self, item: CountyItem) -> tuple[str, str]:
        """Path and query of an item on its host."""
        if item.site == "pirha":
            return f"/ajankohtaista/pirha-nyt/{item.slug}", ""
        if item.site == "omahame":
            return (f"/-/{item.slug}" if item.lang == "fi" else f"/{item.lang}/-/{item.slug}"), ""
        if item.site == "hyvaks":
            w = when(item, self.today)
            return f"/{w:%Y/%m/%d}/{item.slug}/", ""
        if item.site == "lapha":
            return f"/fi/w/{item.slug}", ""
        if item.site == "sttinfo":
            return f"/tiedote/{item.release_id}/{item.slug}", f"lang={item.lang}"
        return DYNASTY_PATH, f"page=meetingitem&id={self.dynasty_id(item)}"

    def dynasty_id(self, item: CountyItem) -> str:
        return f"{when(item, self.today):%Y%m%d}{item.doc_suffix}"

    def real_url(self, item: CountyItem) -> str:
        """The real URL of an item: what a crawl should store."""
        path, query = self.path_query(item)
        return f"https://{SITES[item.site][0]}{path}{'?' + query if query else ''}"

    def href(self, item: CountyItem) -> str:
        """The root-relative mirror link to an item (host as first segment)."""
        path, query = self.path_query(item)
        return f"/{SITES[item.site][0]}{path}{'?' + query if query else ''}"

    def visible(self, site: str, epoch: int) -> list[CountyItem]:
        """A site's items in an epoch, newest first."""
        found = [x for x in self.items if x.site == site and x.epoch <= epoch]
        return sorted(found, key=lambda x: when(x, self.today), reverse=True)

    def view(self, item: CountyItem) -> layouts.View:
        host = SITES[item.site][0]
        w = when(item, self.today)
        extra: dict[str, str] = {}
        if item.site == "sttinfo":  # releases with an odd id print the two-part header "… EET | Tiedote"
            organisation = "" if int(item.release_id or 0) % 2 else SITES["sttinfo"][1]
            extra["header"] = layouts.sttinfo_header(w, organisation, item.type)
        if item.site == "dynasty":
            shape = ("h1", "span", "databegin")[[x for x in self.items if x.site == "dynasty"].index(item) % 3]
            extra.update(board=item.board, pykala=str(item.pykala), feed_title=self.dynasty_title(item), shape=shape)
        if item.site == "hyvaks":
            extra["post_id"] = str(4000 + self.items.index(item))
        return layouts.View(title=item.title, lang=item.lang, when=w, href=self.href(item),
                      lead=fill_relative(item.lead, self.today), body=fill_relative(item.body, self.today),
                      attachments=tuple((a["title"], f"/{host}{a['path']}") for a in item.attachments), extra=extra)

    def dynasty_title(self, item: CountyItem) -> str:
        """The feed title Dynasty gives a meeting item: ``Aluehallitus 04.12.2023 / Talousarvio``."""
        return f"{item.board} {layouts.dmy(when(item, self.today), pad=True)} / {item.title}"

    # -- serving --------------------------------------------------------------------------------

    def render(self, host: str, path: str, query: str, epoch: int, base: str) -> Page | None:
        site = self._site_of.get(host)
        if site is None:
            return None
        suffix = path[path.rfind("."):].lower() if "." in path.rsplit("/", 1)[-1] else ""
        if suffix in _FILES:
            known = {a["path"] for x in self.items if x.site == site for a in x.attachments}
            return Page(b"%PDF-1.4\n% mirror attachment\n" if suffix == ".pdf" else b"PK\x03\x04 mirror attachment",
                        _FILES[suffix], last_modified=self._last(site, epoch)) if path in known else None
        items = self.visible(site, epoch)
        if site == "dynasty":
            return self._dynasty(path, query, items, base)
        if site == "hyvaks" and path in ("/feed/", "/feed"):
            return self._hyvaks_feed(items, base)
        if site == "hyvaks" and path in ("/sitemap.xml", "/sitemap_index.xml"):
            return self._sitemap(path, items, base, epoch)
        if site == "lapha" and path == county_liferay.LAPHA_FEED_PATH:
            return Page(county_liferay.lapha_feed([self.view(x) for x in items], base),
                        "application/rss+xml; charset=utf-8", last_modified=self._last(site, epoch))
        if path.rstrip("/") == SITES[site][3]:
            return self._listing(site, path.rstrip("/"), query, items, epoch)
        for item in items:
            item_path, _ = self.path_query(item)
            if item_path.rstrip("/") == path.rstrip("/"):
                return self._article(site, item, items)
        return None

    def _last(self, site: str, epoch: int) -> datetime:
        return max((when(x, self.today) for x in self.visible(site, epoch)), default=datetime(2020, 1, 1, tzinfo=UTC))

    def _article(self, site: str, item: CountyItem, items: list[CountyItem]) -> Page:
        v = self.view(item)
        others = [self.view(x) for x in items if x is not item][:3]
        if site == "pirha":
            html = layouts.pirha_article(v, others)
        elif site == "omahame":
            html = county_liferay.omahame_article(v)
        elif site == "hyvaks":
            return Page(layouts.hyvaks_article(v).encode("utf-8"), HYVAKS_CONTENT_TYPE, last_modified=v.when)
        elif site == "lapha":
            html = county_liferay.lapha_article(v, SITES["lapha"][3])
        else:
            html = layouts.sttinfo_release(v, others)
        return Page(html.encode("utf-8"), last_modified=v.when)

    def _listing(self, site: str, path: str, query: str, items: list[CountyItem], epoch: int) -> Page | None:
        views = [self.view(x) for x in items]
        last = self._last(site, epoch)
        if site in self.redesigned and epoch >= 2:
            return Page(layouts.pirha_listing_redesigned().encode("utf-8"), last_modified=last)
        if site in PAGE_SIZE:
            size = PAGE_SIZE[site]
            pages = max(1, -(-len(views) // size))
            try:
                page = current_page(query) if site == "lapha" else int(parse_qs(query).get("page", ["1"])[0])
            except ValueError:
                return None
            if not 1 <= page <= pages:
                return None
            chunk = views[(page - 1) * size: page * size]
            if site == "lapha":
                html = county_liferay.lapha_listing(chunk, page, pages, path, "%2Ffi%2Fajankohtaista")
            else:
                html = layouts.pirha_listing(chunk, page, pages, path)
            return Page(html.encode("utf-8"), last_modified=last)
        if site == "omahame":
            return Page(county_liferay.omahame_listing(views).encode("utf-8"), last_modified=last)
        if site == "hyvaks":
            return Page(layouts.hyvaks_listing(views).encode("utf-8"), HYVAKS_CONTENT_TYPE, last_modified=last)
        return Page(layouts.sttinfo_listing(views, SITES[site][1]).encode("utf-8"), last_modified=last)

    def _hyvaks_feed(self, items: list[CountyItem], base: str) -> Page:
        rows = []
        for x in items[:10]:
            v = self.view(x)
            link = f"{base}{v.href}"
            rows.append(
                f"<item><title>{escape(x.title)}</title><link>{escape(link)}</link>"
                f"<dc:creator><![CDATA[Viestintä]]></dc:creator><pubDate>{_rfc822(v.when)}</pubDate>"
                f'<category><![CDATA[Uutiset]]></category><guid isPermaLink="false">https://www.hyvaks.fi/?p='
                f"{v.extra['post_id']}</guid><description><![CDATA[{v.lead} [&#8230;]]]></description>"
                f"<content:encoded><![CDATA[<p><strong>{escape(v.lead)}</strong></p>{layouts.paragraphs(v.body)}]]>"
                f"</content:encoded></item>")
        xml = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/'
               'modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">'
               f'<channel><title>Keski-Suomen hyvinvointialue</title><atom:link href="{base}/www.hyvaks.fi/feed/" '
               f'rel="self" type="application/rss+xml"/><link>{base}/www.hyvaks.fi</link><description>Hyvinvointia '
               f"Keski-Suomeen</description><language>fi</language>{''.join(rows)}</channel></rss>")
        last = max((when(x, self.today) for x in items), default=datetime(2020, 1, 1, tzinfo=UTC))
        return Page(xml.encode("utf-8"), "application/rss+xml; charset=UTF-8", last_modified=last)

    def _sitemap(self, path: str, items: list[CountyItem], base: str, epoch: int) -> Page:
        last = self._last("hyvaks", epoch)
        ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        if path == "/sitemap_index.xml":
            body = (f'<sitemapindex {ns}><sitemap><loc>{base}/www.hyvaks.fi/sitemap.xml</loc>'
                    f"<lastmod>{last.isoformat()}</lastmod></sitemap></sitemapindex>")
        else:
            urls = "".join(f"<url><loc>{base}{self.href(x)}</loc><lastmod>{when(x, self.today).isoformat()}</lastmod>"
                           "</url>" for x in items)
            body = f"<urlset {ns}>{urls}</urlset>"
        return Page(f'<?xml version="1.0" encoding="UTF-8"?>\n{body}'.encode(), "application/xml; charset=UTF-8",
                    last_modified=last)

    def _dynasty(self, path: str, query: str, items: list[CountyItem], base: str) -> Page | None:
        q = parse_qs(query)
        if path != DYNASTY_PATH:
            return None
        last = max((when(x, self.today) for x in items), default=datetime(2020, 1, 1, tzinfo=UTC))
        if q.get("page") == ["rss/meetingitems"]:
            # The real feed: single-quoted declaration, channel "Dynasty", CDATA holding HTML entities,
            # links with ":443", no pubDate.
            host = SITES["dynasty"][0]
            rows = "".join(
                f"<item><title><![CDATA[{layouts.html_entities(self.dynasty_title(x))}]]></title>"
                f"<link><![CDATA[https://{host}:443{DYNASTY_PATH}?page=meetingitem&amp;id={self.dynasty_id(x)}]]></link>"
                f"<description><![CDATA[{layouts.html_entities(fill_relative(x.lead, self.today))}]]></description>"
                "</item>" for x in items[:30])
            xml = ("<?xml version='1.0' encoding='ISO-8859-1'?>\n<rss version='2.0'><channel>"
                   f"<title>Dynasty</title><link>https://{host}:443{DYNASTY_PATH}</link>"
                   f"<description>Dynasty</description><language>fi</language>{rows}</channel></rss>")
            return Page(xml.encode("iso-8859-1", errors="xmlcharrefreplace"),
                        "application/rss+xml; charset=ISO-8859-1", last_modified=last)
        if q.get("page") == ["meetingitem"]:
            for x in items:
                if q.get("id") == [self.dynasty_id(x)]:
                    return Page(layouts.dynasty_item(self.view(x)), "text/html", last_modified=when(x, self.today))
        return None


def _rfc822(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


def expected_items(site: CountySites, epoch: int, only: str | None = None) -> dict[str, dict[str, Any]]:
    """What a correct crawl of the mirror should find, keyed by real URL (for tests).

    Each value: ``site``, ``title``, ``published`` (aware Helsinki datetime; the meeting day for
    Dynasty), ``lang``, ``organisation``, ``region``, ``lead`` and ``body`` (texts as rendered,
    paragraphs separated by a blank line, ``## `` headings kept), ``attachments`` (real URLs),
    ``epoch``, ``duplicate_of`` (real URL of the omahame.fi item a sttinfo release repeats, or
    ""), and for Dynasty ``feed_title``, ``board`` and ``pykala``.
    """
    by_slug = {(x.site, x.slug): x for x in site.items}
    out: dict[str, dict[str, Any]] = {}
    for x in site.items:
        if x.epoch > epoch or (only and x.site != only):
            continue
        host, organisation, region, _ = SITES[x.site]
        twin = by_slug.get(("omahame", x.duplicate_of)) if x.duplicate_of else None
        out[site.real_url(x)] = {
            "site": x.site, "title": x.title, "lang": x.lang,
            "published": (when(x, site.today).replace(hour=0, minute=0) if x.site in DAY_ONLY
                          else when(x, site.today)),
            "organisation": organisation, "region": region, "lead": fill_relative(x.lead, site.today),
            "body": fill_relative(x.body, site.today).strip(), "epoch": x.epoch,
            "attachments": [f"https://{host}{a['path']}" for a in x.attachments],
            "duplicate_of": site.real_url(twin) if twin else "",
            **({"feed_title": site.dynasty_title(x), "board": x.board, "pykala": x.pykala} if x.site == "dynasty"
               else {}),
        }
    return out
