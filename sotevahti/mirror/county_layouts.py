"""HTML of the mirrored county sites: one article and one listing template per layout.

Every page carries the chrome the real CMS wraps around an article (skip link, cookie banner,
mega menu, breadcrumb, share bar, related links, footer with a privacy-policy PDF), so that
boilerplate removal is tested on something like the real thing. Links are root-relative with
the host as first segment (``/omahame.fi/uutiset/x``), as everywhere on the mirror.
:mod:`sotevahti.mirror.county_sites` chooses the page and fills a :class:`View` for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from html import escape


@dataclass(frozen=True)
class View:
    """One item as a page shows it: texts already filled in, links already mirror paths."""

    title: str
    lang: str
    when: datetime
    href: str
    lead: str
    body: str
    attachments: tuple[tuple[str, str], ...] = ()
    extra: dict[str, str] = field(default_factory=dict)


def dmy(when: datetime, pad: bool = False) -> str:
    return f"{when:%d.%m.%Y}" if pad else f"{when.day}.{when.month}.{when.year}"


def paragraphs(text: str) -> str:
    """``## `` lines become ``<h2>``, ``- `` lines a list, other blocks ``<p>``."""
    out = []
    for block in (b.strip() for b in text.strip().split("\n\n")):
        if block.startswith("## "):
            out.append(f"<h2>{escape(block[3:])}</h2>")
        elif block.startswith("- "):
            out.append("<ul>" + "".join(f"<li>{escape(x[2:])}</li>" for x in block.splitlines()) + "</ul>")
        elif block:
            out.append(f"<p>{escape(' '.join(block.splitlines()))}</p>")
    return "\n".join(out)


def _menu(host: str, entries: list[tuple[str, str]], cls: str = "main-menu") -> str:
    items = "".join(f'<li class="menu-item"><a href="/{host}{path}">{escape(name)}</a></li>' for name, path in entries)
    return f'<nav class="{cls}" aria-label="Päävalikko"><ul class="menu">{items}</ul></nav>'


def _attachments(v: View, heading: str = "Liitteet") -> str:
    if not v.attachments:
        return ""
    rows = "".join(f'<li><a href="{escape(href)}">{escape(title)}</a></li>' for title, href in v.attachments)
    return f'<div class="news-attachments attachments"><h2>{heading}</h2><ul>{rows}</ul></div>'


def _share(title: str) -> str:
    return (f'<div class="share-buttons"><span>Jaa:</span> <a href="https://www.facebook.com/sharer/sharer.php?t='
            f'{escape(title)}">Facebook</a> <a href="https://www.linkedin.com/shareArticle">LinkedIn</a> '
            f'<a href="mailto:?subject={escape(title)}">Sähköposti</a></div>')


def _doc(lang: str, title: str, head: str, body: str, charset: str = "utf-8") -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="{charset}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
            f"{head}</head>\n<body>{body}</body></html>")


# -- A: Pirkanmaa (www.pirha.fi) -------------------------------------------------------------------

_PIRHA_MENU = [("Palvelut", "/palvelut"), ("Hakeudu hoitoon", "/hakeudu-hoitoon"),
               ("Sote-keskukset", "/sote-keskukset"), ("Ajankohtaista", "/ajankohtaista"),
               ("Pirha nyt", "/ajankohtaista/pirha-nyt/arkisto"), ("Päätöksenteko", "/paatoksenteko"),
               ("Töihin Pirhaan", "/rekrytointi"), ("Yhteystiedot", "/yhteystiedot")]


def _pirha(title: str, main: str) -> str:
    host = "www.pirha.fi"
    body = f"""
<a class="skip-link" href="#main">Siirry pääsisältöön</a>
<div id="cookie-consent" class="cookie-consent" role="dialog"><p>Pirha käyttää evästeitä sivuston toiminnan
varmistamiseen, kävijäseurantaan ja markkinointiin. Voit hyväksyä kaikki evästeet tai vain välttämättömät.</p>
<button>Hyväksy kaikki evästeet</button><button>Vain välttämättömät</button></div>
<header class="site-header"><a class="logo" href="/{host}/">Pirkanmaan hyvinvointialue</a>
<form class="search" action="/{host}/haku"><input name="q"><button>Hae</button></form>
{_menu(host, _PIRHA_MENU)}</header>
<nav class="breadcrumb" aria-label="Murupolku"><a href="/{host}/">Etusivu</a> › <a href="/{host}/ajankohtaista">
Ajankohtaista</a> › <a href="/{host}/ajankohtaista/pirha-nyt">Pirha nyt</a></nav>
<main id="main">{main}</main>
<footer class="site-footer"><p>Pirkanmaan hyvinvointialue, PL 272, 33101 Tampere. Vaihde 03 311 611.</p>
<ul><li><a href="/{host}/tietosuoja/tietosuojaseloste.pdf">Tietosuojaseloste</a></li>
<li><a href="/{host}/saavutettavuusseloste">Saavutettavuusseloste</a></li>
<li><a href="/{host}/evasteet">Evästeet</a></li>
</ul></footer>"""
    return _doc("fi", f"{title} | Pirha", f'<meta property="og:title" content="{escape(title)}">', body)


def pirha_article(v: View, related: list[View]) -> str:
    w = v.when
    more = "".join(f'<li><a href="{r.href}">{escape(r.title)}</a></li>' for r in related)
    main = f"""<div class="news-article">
<h1 class="news-title">{escape(v.title)}</h1>
<span class="news-date">Julkaistu {dmy(w)} klo {w.hour}.{w.minute:02d}</span>
<div class="news-content"><p class="lead"><strong>{escape(v.lead)}</strong></p>
{paragraphs(v.body)}</div>
{_attachments(v)}{_share(v.title)}</div>
<aside class="related-news"><h2>Lue myös</h2><ul>{more}</ul></aside>"""
    return _pirha(v.title, main)


def pirha_listing(views: list[View], page: int, pages: int, path: str) -> str:
    cards = "".join(
        f'<div class="news-card"><a class="news-card__link" href="{v.href}"><h2 class="news-card__title">'
        f'{escape(v.title)}</h2></a><span class="news-card__date">{dmy(v.when)}</span>'
        f'<p class="news-card__teaser">{escape(v.lead[:160])}</p>'
        f'<a class="news-card__tag" href="/www.pirha.fi/ajankohtaista/pirha-nyt?aihe=sote">Sote</a></div>'
        for v in views)
    pager = []
    if page > 1:
        prev = path if page == 2 else f"{path}?page={page - 1}"
        pager.append(f'<a class="pager__previous" href="/www.pirha.fi{prev}">‹ Edellinen</a>')
    if page < pages:
        pager.append(f'<a class="pager__next" href="/www.pirha.fi{path}?page={page + 1}">Seuraava ›</a>')
    main = (f'<h1>Pirha nyt</h1><div class="news-list">{cards}</div>'
            f'<nav class="pager" aria-label="Sivutus">{" ".join(pager)}</nav>')
    return _pirha("Pirha nyt", main)


def pirha_listing_redesigned() -> str:
    """The news page after a redesign to a JavaScript front end: no links in the HTML at all.

    This is how sources break in real life (RSSHub #22867): the configured selector matches
    nothing and no generic heuristic can find articles that are not in the page.
    """
    main = ('<h1>Ajankohtaista</h1><div id="news-app" data-endpoint="/api/v2/news?lang=fi&amp;limit=20"></div>'
            "<noscript>Ota JavaScript käyttöön nähdäksesi uutiset.</noscript>")
    return _pirha("Ajankohtaista", main)


# -- B: Kanta-Häme (omahame.fi) runs Liferay: see county_liferay.py -------------------------------------


# -- C: Keski-Suomi (www.hyvaks.fi, WordPress) ----------------------------------------------------------

_HYVAKS_MENU = [("Palvelut", "/palvelut/"), ("Asioi verkossa", "/asioi-verkossa/"), ("Uutiset", "/uutiset"),
                ("Päätöksenteko", "/paatoksenteko/"), ("Rekrytointi", "/rekrytointi/"),
                ("Ota yhteyttä", "/yhteystiedot/")]


def _hyvaks(title: str, head: str, main: str, classes: str) -> str:
    host = "www.hyvaks.fi"
    body = f"""<div id="page" class="site {classes}"><a class="skip-link screen-reader-text" href="#primary">
Siirry sisältöön</a>
<div id="cookie-notice" role="dialog" class="cookie-notice-hidden cn-position-bottom">
<div class="cookie-notice-container">
<span id="cn-notice-text" class="cn-text-container">Sivustomme käyttää evästeitä. Jatkamalla selaamista hyväksyt
evästeiden käytön.</span><a href="#" id="cn-accept-cookie" class="cn-set-cookie">Hyväksyn</a></div></div>
<header id="masthead" class="site-header"><p class="site-title"><a href="/{host}/" rel="home">Keski-Suomen
hyvinvointialue</a></p><nav id="site-navigation" class="main-navigation">
{_menu(host, _HYVAKS_MENU, "menu")}</nav></header>
<main id="primary" class="site-main">{main}</main>
<aside id="secondary" class="widget-area"><section class="widget widget_recent_entries"><h2 class="widget-title">
Uusimmat</h2><ul><li><a href="/{host}/uutiset">Kaikki uutiset</a></li></ul></section></aside>
<footer id="colophon" class="site-footer"><p>Keski-Suomen hyvinvointialue, Hoitajantie 1, 40620 Jyväskylä</p>
<a href="/{host}/wp-content/uploads/tietosuojaseloste.pdf">Tietosuojaseloste</a></footer></div>"""
    return _doc("fi-FI", f"{title} – Keski-Suomen hyvinvointialue", head, body, charset="UTF-8")


def hyvaks_article(v: View) -> str:
    iso = v.when.isoformat()
    ld = ('{"@context":"https://schema.org","@graph":[{"@type":"Article","headline":' + _json_str(v.title)
          + f',"datePublished":"{iso}","inLanguage":"fi"}},'
          + '{"@type":"WebSite","name":"Keski-Suomen hyvinvointialue"}]}')
    head = ('<link rel="alternate" type="application/rss+xml" title="Syöte" href="/www.hyvaks.fi/feed/">'
            f'<script type="application/ld+json" class="yoast-schema-graph">{ld}</script>')
    atts = "".join(f'<p><a href="{escape(h)}">{escape(t)}</a></p>' for t, h in v.attachments)
    main = f"""<article id="post-{v.extra.get('post_id', '1')}" class="post type-post status-publish format-standard">
<header class="entry-header"><h1 class="entry-title">{escape(v.title)}</h1>
<div class="entry-meta"><span class="posted-on">
Julkaistu <time class="entry-date published" datetime="{iso}">{dmy(v.when)}</time><time class="updated"
datetime="{iso}">{dmy(v.when)}</time></span></div></header>
<div class="entry-content"><p><strong>{escape(v.lead)}</strong></p>
{paragraphs(v.body)}{atts}</div>
<footer class="entry-footer"><span class="cat-links">Kategoria: <a href="/www.hyvaks.fi/category/uutiset/" rel="category
tag">Uutiset</a></span></footer></article>
<nav class="navigation post-navigation" aria-label="Artikkelit"><div class="nav-previous">
<a href="/www.hyvaks.fi/uutiset" rel="prev">Edellinen artikkeli</a></div></nav>"""
    return _hyvaks(v.title, head, main, "single single-post")


def hyvaks_listing(views: list[View]) -> str:
    posts = "".join(
        f'<article class="post type-post"><header class="entry-header"><h2 class="entry-title"><a href="{v.href}" '
        f'rel="bookmark">{escape(v.title)}</a></h2><time class="entry-date published" datetime="{v.when.isoformat()}">'
        f'{dmy(v.when)}</time></header><div class="entry-summary"><p>{escape(v.lead[:160])} […]</p></div>'
        f'<footer class="entry-footer"><a href="/www.hyvaks.fi/category/uutiset/">Uutiset</a></footer></article>'
        for v in views)
    main = f'<header class="page-header"><h1 class="page-title">Uutiset</h1></header>{posts}'
    return _hyvaks("Uutiset", "", main, "archive category")


def _json_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).replace("</", "<\\/")


# -- D: Lappi (lapha.fi) runs Liferay: see county_liferay.py -----------------------------------------


# -- E: sttinfo.fi ------------------------------------------------------------------------------------------

def _sttinfo(lang: str, title: str, main: str) -> str:
    host = "www.sttinfo.fi"
    body = f"""<div class="cookie-consent-banner"><p>STT Info käyttää evästeitä palvelun kehittämiseen.</p>
<button>OK</button></div><header class="top-bar"><a class="brand" href="/{host}/">STT Info</a>
<nav><a href="/{host}/uusimmat">Uusimmat</a> <a href="/{host}/julkaisijat">Julkaisijat</a>
<a href="/{host}/tilaa">Tilaa tiedotteet</a></nav></header><main>{main}</main>
<footer><p>STT Info on STT:n tiedotepalvelu.</p><a href="/{host}/tietosuoja">Tietosuoja</a></footer>"""
    return _doc(lang, f"{title} | STT Info", f'<meta property="og:title" content="{escape(title)}">', body)


def sttinfo_header(when: datetime, organisation: str, kind: str) -> str:
    """The real header: unpadded day and month, the zone, then ``| Org | Type`` (or only ``| Type``)."""
    middle = f" | {organisation}" if organisation else ""
    return f"{dmy(when)} {when:%H:%M:%S} {when.tzname()}{middle} | {kind}"


def sttinfo_release(v: View, others: list[View]) -> str:
    atts = "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for t, h in v.attachments)
    more = "".join(f'<li><a href="{o.href}">{escape(o.title)}</a></li>' for o in others)
    main = f"""<article class="release">
<div class="release-meta">{escape(v.extra['header'])}</div>
<h1>{escape(v.title)}</h1><div class="release-lead"><p>{escape(v.lead)}</p></div>
<div class="release-body">{paragraphs(v.body)}</div>
{f'<div class="release-attachments"><h2>Liitteet</h2><ul>{atts}</ul></div>' if atts else ''}
<div class="release-contacts"><h2>Yhteyshenkilöt</h2><p>Viestintäjohtaja Tiina Laaksonen, puh. 040 555 0199</p></div>
</article><section class="more-releases"><h2>Julkaisijan muut tiedotteet</h2><ul>{more}</ul></section>"""
    return _sttinfo(v.lang, v.title, main)


def sttinfo_listing(views: list[View], publisher: str) -> str:
    rows = "".join(f'<li class="release-item"><a class="release-link" href="{escape(v.href)}&publisherId=69820726">'
                   f'<span class="release-title">{escape(v.title)}</span></a> '
                   f'<span class="release-date">{dmy(v.when)}</span></li>' for v in views)
    return _sttinfo("fi", publisher, f'<h1>{escape(publisher)}</h1><ul class="releases">{rows}</ul>')


# -- F: Dynasty meeting item (ISO-8859-1) ---------------------------------------------------------------------

def dynasty_item(v: View) -> bytes:
    """A meeting item page in one of three real shapes (``extra["shape"]``): ``h1``; ``span`` (no
    ``<h1>``: the title is a bold span in ``div.data-part-block-htm``); ``databegin`` (Porvoo's
    ``<!--DATABEGIN-->``…``<!--DATAEND-->`` with a navigation table inside the content)."""
    e = v.extra
    stamp = f"Pöytäkirja {dmy(v.when, pad=True)}/Pykälä {e['pykala']}"
    header = (f'<table class="doc-header" width="100%"><tr><td>Länsi-Uudenmaan hyvinvointialue</td>'
              f"<td>{escape(e['board'])}</td><td>{stamp}</td></tr></table>")
    text = f"<p>{escape(v.lead)}</p>\n{paragraphs(v.body)}"
    shape = e.get("shape", "h1")
    if shape == "span":
        content = (f"{header}<div class='data-part-block-htm'><p><span style='font-weight:bold'>{escape(v.title)}"
                   f"</span></p>{text}</div>")
    elif shape == "databegin":
        content = ("<!--DATABEGIN--><table class='tbl navigation'><caption class='caption navigation hidden'>"
                   "Navigointi</caption><tr><td><a href='#'>Edellinen asia</a> | <a href='#'>Seuraava asia</a></td>"
                   "<td><a>Muutoksenhakuohje</a> <a>Kokousasia&nbsp;PDF-muodossa</a></td></tr></table>"
                   f"<div><p>{stamp}</p><div class='data-part-block-htm'><p><span style='font-weight:bold'>"
                   f"{escape(v.title)}</span></p>{text}</div></div><!--DATAEND-->")
    else:
        content = f'{header}<div class="content"><h1>{escape(v.title)}</h1>{text}</div>'
    html = f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html><head><meta charset="iso-8859-1"><title>{escape(e['feed_title'])}</title>
<link rel="stylesheet" href="/luhva-d10julk.oncloudos.com/dynasty.css"></head>
<body><div id="navi"><a href="/luhva-d10julk.oncloudos.com/cgi/DREQUEST.PHP?page=meetings">Kokoukset</a> |
<a href="/luhva-d10julk.oncloudos.com/cgi/DREQUEST.PHP?page=search">Haku</a></div>
{content}
<div id="footer">Dynasty 10 · Länsi-Uudenmaan hyvinvointialue</div></body></html>"""
    return html.encode("iso-8859-1", errors="xmlcharrefreplace")


_ENTITY_NAMES = {"ä": "&auml;", "ö": "&ouml;", "å": "&aring;", "Ä": "&Auml;", "Ö": "&Ouml;", "Å": "&Aring;",
                 "–": "&ndash;", "—": "&mdash;", "é": "&eacute;"}


def html_entities(text: str) -> str:
    """Text with HTML's named entities for the Finnish letters, as Dynasty writes them inside CDATA."""
    return "".join(_ENTITY_NAMES.get(c, c) for c in escape(text, quote=False))
