"""The mirrored government Liferay sites, rendered from ``data/liferay.toml``.

Pages follow the anatomy in DOMAIN.md §1.2: a skip link and site chrome, then the article with
its ministry tags as separate elements, the ``Julkaisuajankohta``/``Utgivningsdatum``/
``Publication date`` stamp, the type label, lead, body, attachments and contacts. Listing pages
are paginated the way Liferay's asset publisher does it, and the RSS feed reproduces the real
feed's quirk of a description that holds an escaped ``<![CDATA[`` wrapper.

Which listing and feed paths exist comes from ``sources.toml``: the mirror serves exactly what
the config points the spiders at. Dates written ``today-5 09:30`` and ``{today+12}`` are relative
to the day the mirror runs, so upcoming deadlines stay upcoming.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..clock import SIMULATED_DAY
from ..dates import HELSINKI
from ..sources import Config
from .liferay_shapes import current_page, language_chooser, lexicon_pager
from .server import Page

DATA = Path(__file__).parent / "data" / "liferay.toml"
PAGE_SIZE = 8
FEED_SIZE = 20
# Liferay's asset publisher names its parameters after the portlet instance, a random id per page.
_PORTLET = "com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_"
_INSTANCE = {"valtioneuvosto.fi": "Qm4vTr8LpZx2", "stm.fi": "Hs7kWq2NcB5e", "vm.fi": "Vf3nJd9XyT1a",
             "intermin.fi": "Ri6pLs4GuM8o", "soteuudistus.fi": "Su2hKe7WzQ3c"}
_RELATIVE = re.compile(r"\{today([+-]\d+)(:dm)?\}")

SITE_NAMES = {
    "valtioneuvosto.fi": ("Valtioneuvosto", "Statsrådet", "Finnish Government"),
    "stm.fi": ("Sosiaali- ja terveysministeriö", "Social- och hälsovårdsministeriet",
               "Ministry of Social Affairs and Health"),
    "vm.fi": ("Valtiovarainministeriö", "Finansministeriet", "Ministry of Finance"),
    "intermin.fi": ("Sisäministeriö", "Inrikesministeriet", "Ministry of the Interior"),
    "soteuudistus.fi": ("Sote-uudistus", "Vårdreformen", "Health and social services reform"),
}
LABELS = {
    "fi": {"skip": "Hyppää sisältöön", "stamp": "Julkaisuajankohta", "att": "Liitteet:", "more": "Lisätietoja:",
           "top": "Sivun alkuun", "next": "Seuraava", "prev": "Edellinen", "media": "Media", "news": "Uutiset"},
    "sv": {"skip": "Hoppa till innehåll", "stamp": "Utgivningsdatum", "att": "Bilagor:", "more": "Mer information:",
           "top": "Till början av sidan", "next": "Nästa", "prev": "Föregående", "media": "Media", "news": "Nyheter"},
    "en": {"skip": "Skip to content", "stamp": "Publication date", "att": "Attachments:", "more": "Inquiries:",
           "top": "Back to top", "next": "Next", "prev": "Previous", "media": "Media", "news": "Press releases"},
}
_LANG_INDEX = {"fi": 0, "sv": 1, "en": 2}
_HREFLANG = {"fi": "fi-FI", "sv": "sv-SE", "en": "en-US"}


@dataclass(frozen=True)
class Article:
    """One mirrored article, as written in ``liferay.toml``."""

    host: str
    group: str
    slug: str
    lang: str
    title: str
    published: str
    type: str
    tags: tuple[str, ...]
    lead: str
    body: str
    attachments: tuple[dict[str, str], ...]
    contacts: tuple[str, ...]
    correction: str
    also_on: tuple[str, ...]
    epoch: int
    edited_body: str
    relevant: bool
    seed: str
    proposal: str = ""   # a lausuntopalvelu.fi proposal GUID the release links to
    layout: str = ""     # "2026": stm.fi's 2026 layout
    release: str = ""    # shared by the fi, sv and en versions of one release (hreflang alternates)

    def path(self) -> str:
        prefix = "" if self.lang == "fi" else f"/{self.lang}"
        return f"{prefix}/-/{self.group + '/' if self.group else ''}{self.slug}"

    def real_url(self) -> str:
        """The canonical real URL the spider is expected to store."""
        return f"https://{self.host}{self.path()}"

    def hosts(self) -> tuple[str, ...]:
        return (self.host, *self.also_on)


def load_articles(path: Path = DATA) -> list[Article]:
    """Read the mirror's articles (used by the mirror and by tests that check the spider)."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return [Article(**{k: tuple(v) if isinstance(v, list) else v for k, v in a.items()}) for a in raw["article"]]


def published_at(article: Article, today: date) -> datetime:
    """The article's publication time in Helsinki; ``today-5 09:30`` counts back from ``today``.

    An empty ``published`` renders a page without a date stamp (a fault for tests); it sorts last.
    """
    if not article.published:
        return datetime(2000, 1, 1, tzinfo=HELSINKI)
    day, _, clock = article.published.partition(" ")
    if day.startswith("today"):
        d = today + timedelta(days=int(day[5:] or 0))
    else:
        d = date.fromisoformat(day)
    return datetime.combine(d, time.fromisoformat(clock or "00:00"), HELSINKI)


def fill_relative(text: str, today: date) -> str:
    """Replace ``{today+12}`` with ``6.12.2026`` and ``{today+12:dm}`` with ``6.12.``."""
    def repl(m: re.Match[str]) -> str:
        d = today + timedelta(days=int(m[1]))
        return f"{d.day}.{d.month}." if m[2] else f"{d.day}.{d.month}.{d.year}"
    return _RELATIVE.sub(repl, text)


class LiferaySite:
    """The government Liferay family on the mirror."""

    def __init__(self, config: Config, today: date | None = None, articles: list[Article] | None = None) -> None:
        self.today = today or SIMULATED_DAY.date()   # never the clock
        self.articles = articles if articles is not None else load_articles()
        self.listings: dict[tuple[str, str], str] = {}  # (host, path) -> lang
        self.feeds: dict[tuple[str, str], str] = {}
        for source in config.select(platform="liferay"):
            for url in source.start_urls:
                self.listings[(urlsplit(url).hostname or "", urlsplit(url).path)] = _lang_of(urlsplit(url).path)
            for url in source.feed_urls:
                self.feeds[(urlsplit(url).hostname or "", urlsplit(url).path)] = _lang_of(urlsplit(url).path)
        self.hosts = frozenset(SITE_NAMES)
        self.page_size = PAGE_SIZE

    def visible(self, host: str, lang: str, epoch: int) -> list[Article]:
        """Articles a host shows in a language in an epoch, newest first."""
        found = [a for a in self.articles if host in a.hosts() and a.lang == lang and a.epoch <= epoch]
        return sorted(found, key=lambda a: published_at(a, self.today), reverse=True)

    def render(self, host: str, path: str, query: str, epoch: int, base: str) -> Page | None:
        if (host, path) in self.listings:
            lang = self.listings[(host, path)]
            page = current_page(query)
            return self._listing(host, path, lang, page, epoch)
        if (host, path) in self.feeds:
            return self._feed(host, path, self.feeds[(host, path)], epoch, base)
        if path.startswith("/documents/"):
            return Page(b"%PDF-1.4\n% mirror attachment\n", "application/pdf")
        lang_id = parse_qs(query).get("languageId", [""])[0][:2]
        for a in self.articles:
            if host in a.hosts() and a.epoch <= epoch and _path_matches(a, path, lang_id):
                return self._article(a, host, epoch)
        return None

    # -- pages ------------------------------------------------------------------------

    def _chrome(self, host: str, lang: str, title: str, main: str, canonical: str = "",
                alternates: str = "") -> bytes:
        name = SITE_NAMES[host][_LANG_INDEX[lang]]
        label = LABELS[lang]
        link = (f'<link rel="canonical" href="{escape(canonical)}">' if canonical else "") + alternates
        html = f"""<!DOCTYPE html>
<html lang="{ {'fi': 'fi-FI', 'sv': 'sv-SE', 'en': 'en-US'}[lang] }" dir="ltr">
<head><meta charset="utf-8"><title>{escape(title)} - {escape(name)}</title>{link}
<meta property="og:title" content="{escape(title)}"><meta name="generator" content="Liferay DXP"></head>
<body class="controls-visible signed-out public-page site">
<a class="skip-to-content" href="#main-content">{label['skip']}</a>
<header id="banner"><div class="site-name">{escape(name)}</div>
<nav class="language-selector"><a href="/{host}/">Suomeksi</a> <a href="/{host}/sv/">På svenska</a>
<a href="/{host}/en/">In English</a></nav>
{_main_menu(host, lang)}
</header>
<script>Liferay.ThemeDisplay = {{
getLanguageId: function() {{ return "{ {'fi': 'fi_FI', 'sv': 'sv_SE', 'en': 'en_US'}[lang] }"; }},
getPathThemeImages: function() {{ return "/o/vn-theme/images"; }}, isSignedIn: function() {{ return false; }}}};
Liferay.Portlet.register("com_liferay_journal_content_web_portlet_JournalContentPortlet_INSTANCE_vnArticle");
Liferay.Loader.require("frontend-js-web/index", function() {{}});</script>
<main id="main-content">{main}</main>
<footer><a href="#banner">{label['top']}</a><p>© {escape(name)}</p>
<div class="cookie-banner">Sivusto käyttää evästeitä. / Webbplatsen använder kakor.</div></footer>
</body></html>"""
        return html.encode("utf-8")

    def _article(self, a: Article, host: str, epoch: int) -> Page:
        label = LABELS[a.lang]
        pub = published_at(a, self.today)
        stamp = f"{pub.day}.{pub.month}.{pub.year} {pub.hour}.{pub.minute:02d}"
        if a.lang == "en":
            stamp += f" | Published in English on {pub.day}.{pub.month}.{pub.year} at {pub.hour}.{pub.minute + 5:02d}"
        body = a.edited_body if a.edited_body and epoch >= 2 else a.body
        tags = "".join(f'<li class="ministry-tag"><a href="/{host}/">{escape(t)}</a></li>' for t in a.tags)
        atts = "".join(f'<li><a href="/{host}{escape(x["path"])}">{escape(x["title"])}</a></li>' for x in a.attachments)
        contacts = "".join(f"<p>{escape(c)}</p>" for c in a.contacts)
        lead, text = fill_relative(a.lead, self.today), _paragraphs(fill_relative(body, self.today), a.proposal)
        if a.layout == "2026":
            # No class names, the day and the time as separate lines, then the ministry's tag.
            att_part = f"<h2>{label['att']}</h2><ul>{atts}</ul>" if atts else ""
            contact_part = f"<h2>{label['more']}</h2>{contacts}" if contacts else ""
            article = (f"<article><div>{language_chooser(a.lang)}</div><h1>{escape(a.title)}</h1>"
                       f"<p>{pub.day}.{pub.month}.{pub.year}</p><p>{pub.hour}.{pub.minute:02d}</p><p>STM</p>"
                       f"<p>{escape(lead)}</p>{text}{att_part}{contact_part}</article>")
        else:
            article = f"""<article class="article"><div>{language_chooser(a.lang)}</div>
<h1 class="article__title">{escape(a.title)}</h1>
<ul class="article__ministries">{tags}</ul>
{f'<p class="article__date"><span class="article__date-label">{label["stamp"]}</span> {stamp}</p>'
   if a.published else ''}
{_type_line(a)}
<div class="article__lead"><p>{escape(lead)}</p></div>
<div class="article__body">{text}</div>
{f'<div class="article__attachments"><h2>{label["att"]}</h2><ul>{atts}</ul></div>' if atts else ''}
{f'<div class="article__contacts"><h2>{label["more"]}</h2>{contacts}</div>' if contacts else ''}
{f'<p class="article__correction">{escape(a.correction)}</p>' if a.correction else ''}
</article>"""
        main = f"""
<section class="portlet" id="portlet_com_liferay_journal_content_web_portlet_JournalContentPortlet">
<div class="portlet-content-container"><div class="journal-content-article">{article}</div></div></section>"""
        modified = datetime.combine(self.today, time(6), HELSINKI) if a.edited_body and epoch >= 2 else pub
        return Page(self._chrome(host, a.lang, a.title, main, a.real_url(), self._alternates(a, host, epoch)),
                    last_modified=modified)

    def _alternates(self, a: Article, host: str, epoch: int) -> str:
        """``<link rel="alternate" hreflang>`` to every language version of the article's release, itself
        included, and ``x-default`` (the Finnish one), as Liferay writes them: absolute URLs."""
        versions = [b for b in self.articles if a.release and b.release == a.release and b.epoch <= epoch]
        links = []
        for b in sorted(versions, key=lambda b: _LANG_INDEX[b.lang]):
            href = f"https://{host}{b.path()}" if host in b.hosts() else b.real_url()
            tags = [_HREFLANG[b.lang], *(["x-default"] if b.lang == "fi" else [])]
            links += [f'<link rel="alternate" hreflang="{t}" href="{escape(href)}">' for t in tags]
        return "".join(links) if len(versions) > 1 else ""

    def _listing(self, host: str, path: str, lang: str, page: int, epoch: int) -> Page | None:
        articles = self.visible(host, lang, epoch)
        pages = max(1, -(-len(articles) // self.page_size))
        if page < 1 or page > pages:
            return None
        label = LABELS[lang]
        rows = []
        if host == "stm.fi" and lang == "fi" and page == 1:
            # A draft the site's robots.txt disallows: a polite spider never fetches it.
            rows.append('<div class="asset-abstract"><h3 class="asset-title">'
                        '<a href="/stm.fi/-/1410845/tyoversio-tiedote-ei-julkinen">Työversio</a></h3></div>')
        for a in articles[(page - 1) * self.page_size: page * self.page_size]:
            pub = published_at(a, self.today)
            rows.append(
                f'<div class="asset-abstract"><h3 class="asset-title">'
                f'<a href="/{host}{listing_path(a)}">{escape(a.title)}</a></h3>'
                f'<span class="asset-date">{pub.day}.{pub.month}.{pub.year}</span> '
                f'<span class="asset-type">{escape(a.type)}</span>'
                f'<p class="asset-summary">{escape(fill_relative(a.lead, self.today)[:200])}</p></div>')
        main = (f'<section class="portlet"><div class="portlet-content-container"><h1>{label["news"]}</h1>'
                f'{"".join(rows)}{lexicon_pager(f"/{host}{path}", _PORTLET + _INSTANCE[host], page, pages)}'
                "</div></section>")
        last = max((published_at(a, self.today) for a in articles), default=datetime(2020, 1, 1, tzinfo=HELSINKI))
        return Page(self._chrome(host, lang, label["news"], main), last_modified=last)

    def _feed(self, host: str, path: str, lang: str, epoch: int, base: str) -> Page:
        articles = self.visible(host, lang, epoch)[:FEED_SIZE]
        items = []
        for a in articles:
            pub = published_at(a, self.today)
            # The real feed escapes HTML that itself starts with a literal CDATA marker.
            desc = escape(f"<![CDATA[<p>{escape(fill_relative(a.lead, self.today))}</p>]]>")
            items.append(
                f"<item><title>{escape(a.title)}</title><link>{base}/{host}{a.path()}</link>"
                f"<description>{desc}</description>"
                f"<pubDate>{pub.astimezone(UTC).strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate>"
                f"<dc:date>{pub.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}</dc:date></item>")
        name = SITE_NAMES[host][_LANG_INDEX[lang]]
        xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
               f"<channel><title>{escape(name)}</title><link>{base}/{host}{path}</link>"
               f"<description>{escape(name)}</description>{''.join(items)}</channel></rss>")
        last = max((published_at(a, self.today) for a in articles), default=datetime(2020, 1, 1, tzinfo=HELSINKI))
        return Page(xml.encode("utf-8"), "application/rss+xml; charset=utf-8", last_modified=last)


# Real Liferay pages carry a large mega-menu; reproducing its weight keeps the byte figures of
# re-crawls (mostly 304s against full pages) comparable to the real sites.
_MENU = {
    "fi": {"Hallitus": ["Pääministeri", "Ministerit", "Hallitusohjelma", "Hallituksen esitykset", "Strategiaistunnot"],
           "Ministeriöt": ["Valtioneuvoston kanslia", "Sosiaali- ja terveysministeriö", "Valtiovarainministeriö",
                           "Sisäministeriö", "Oikeusministeriö", "Opetus- ja kulttuuriministeriö"],
           "Päätökset": ["Valtioneuvoston yleisistunnot", "Tasavallan presidentin esittely", "Raha-asiainvaliokunta",
                         "Säädöskokoelma", "Lausuntopyynnöt"],
           "Hankkeet": ["Hankeikkuna", "Lainsäädäntöhankkeet", "Selvitykset", "Kokeilut"],
           "Ajankohtaista": ["Tiedotteet", "Uutiset", "Tapahtumat", "Blogit", "Puheet", "Kuvapankki"],
           "Tietoa": ["Yhteystiedot", "Tietosuoja", "Saavutettavuusseloste", "Avoin data", "Rekrytointi"]},
    "sv": {"Regeringen": ["Statsministern", "Ministrarna", "Regeringsprogrammet", "Propositioner"],
           "Ministerierna": ["Statsrådets kansli", "Social- och hälsovårdsministeriet", "Finansministeriet",
                             "Inrikesministeriet", "Justitieministeriet"],
           "Beslut": ["Allmänna sammanträden", "Föredragningar för republikens president", "Författningssamlingen"],
           "Aktuellt": ["Pressmeddelanden", "Nyheter", "Evenemang", "Bloggar", "Tal"],
           "Information": ["Kontaktuppgifter", "Dataskydd", "Tillgänglighetsutlåtande", "Öppna data"]},
    "en": {"Government": ["Prime Minister", "Ministers", "Government Programme", "Government proposals"],
           "Ministries": ["Prime Minister's Office", "Ministry of Social Affairs and Health", "Ministry of Finance",
                          "Ministry of the Interior", "Ministry of Justice"],
           "Decisions": ["Government plenary sessions", "Presidential sessions", "Statute book"],
           "Current issues": ["Press releases", "News", "Events", "Blogs", "Speeches"],
           "About": ["Contact information", "Data protection", "Accessibility statement", "Open data"]},
}


def _type_line(a: Article) -> str:
    """The type line: labelled or numbered on English pages (``Type:Press release``, ``Press release 412/2026``)."""
    if a.lang != "en":
        return f'<p class="article__type">{escape(a.type)}</p>'
    if len(a.slug) % 2:
        return f"<p>Type:{escape(a.type)}</p>"
    return f"<p>{escape(a.type)} {100 + len(a.slug) * 7}/{published_year(a)}</p>"


def published_year(a: Article) -> str:
    """The year a release number counts in (its publication year; ``today-`` dates: 2026)."""
    return a.published[:4] if a.published[:4].isdigit() else "2026"


def listing_path(a: Article) -> str:
    """How a listing links an article: English releases with a group id in the real ``/en/-//<group>/`` form."""
    if a.lang == "en" and a.group:
        return f"/en/-//{a.group}/{a.slug}"
    return a.path()


def _main_menu(host: str, lang: str) -> str:
    prefix = "" if lang == "fi" else f"/{lang}"
    sections = []
    for section, pages in _MENU[lang].items():
        links = "".join(
            f'<li class="nav-item"><a class="nav-link" href="/{host}{prefix}/{_slug(section)}/{_slug(p)}" '
            f'data-senna-off="true">{escape(p)}</a></li>' for p in pages)
        sections.append(f'<li class="nav-item dropdown"><a class="nav-link dropdown-toggle" '
                        f'href="/{host}{prefix}/{_slug(section)}" aria-haspopup="true">{escape(section)}</a>'
                        f'<ul class="dropdown-menu">{links}</ul></li>')
    return f'<nav class="main-nav" aria-label="Päävalikko"><ul class="navbar-nav">{"".join(sections)}</ul></nav>'


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(str.maketrans("äöå", "aoa"))).strip("-")


def _lang_of(path: str) -> str:
    first = path.strip("/").split("/", 1)[0]
    return first if first in ("sv", "en") else "fi"


def _path_matches(a: Article, path: str, lang_id: str) -> bool:
    m = re.match(r"^(?:/(sv|en|fi))?/-/+(.*)$", path)
    if not m:
        return False
    lang = lang_id or m[1] or "fi"
    return lang == a.lang and m[2].rstrip("/") == f"{a.group + '/' if a.group else ''}{a.slug}"


def _paragraphs(text: str, proposal: str = "") -> str:
    out = []
    for block in (b.strip() for b in text.strip().split("\n\n")):
        if not block:
            continue
        if block.startswith("## "):
            out.append(f"<h2>{escape(block[3:])}</h2>")
        elif proposal and block.startswith("Lausuntopyyntö lausuntopalvelu.fi:ssä"):
            href = f"/www.lausuntopalvelu.fi/FI/Proposal/Participation?proposalId={proposal}"
            out.append(f'<p><a href="{href}">{escape(block)}</a></p>')
        else:
            out.append(f"<p>{escape(' '.join(block.splitlines()))}</p>")
    return "\n".join(out)


def expected_items(site: LiferaySite, epoch: int) -> dict[str, Any]:
    """What a correct crawl of the mirror should store, keyed by real canonical URL (for tests)."""
    return {a.real_url(): a for a in site.articles if a.epoch <= epoch}
