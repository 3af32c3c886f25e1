"""HTML of the two mirrored counties that run Liferay: lapha.fi and omahame.fi.

Their shapes follow ``shared/real-samples/counties/``:

- lapha.fi: articles at ``/fi/w/<slug>``, linked from the listing with ``?redirect=`` back to the
  listing; an article page repeats its teaser (title, summary, date, "Lue lisää") above a
  "Takaisin edelliselle sivulle" link, then the ``<h1>``, an image caption, the date alone on a
  line, the lead and the body; the listing pages with Liferay's default pager; the
  asset-publisher RSS whose address a real article's ``?redirect=`` names.
- omahame.fi: an asset publisher ("Sisältöjulkaisija") whose items are dated ``UUTINEN /
  26.09.2023``; the article path form is not known from a real sample and is modelled as
  ``/-/<slug>`` (``/sv/-/<slug>``).

No class names are needed to read these pages; the few present are Liferay's own.
"""

from __future__ import annotations

from datetime import UTC
from html import escape

from .county_layouts import View, _doc, dmy, paragraphs
from .liferay_shapes import lexicon_pager

LAPHA_PORTLET = "com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_Lp5rXw8kNa2d"
LAPHA_FEED_PATH = "/fi/ajankohtaista/-/asset_publisher/REW6HEWQy3AJ/rss"
LAPHA_PAGE_SIZE = 5
_LAPHA_MENU = ["Palvelumme", "Asiointi", "Ajankohtaista", "Päätöksenteko", "Tietoa meistä"]


def _lapha(title: str, main: str) -> str:
    host = "lapha.fi"
    links = "".join(f'<li><a href="/{host}/fi/{n.lower().replace(" ", "-")}">{n}</a></li>' for n in _LAPHA_MENU)
    menus = f'<nav aria-label="Navigointivalikko"><p>Navigointivalikko</p><ul>{links}</ul></nav>' * 3
    body = (f'<header id="banner">{menus}</header><main id="content">{main}</main>'
            f"<footer><p>Lapin hyvinvointialue, Ounasrinteentie 22, 96400 Rovaniemi</p></footer>")
    return _doc("fi-FI", f"{title} - Lapin hyvinvointialue", "", body)


def lapha_article(v: View, listing_path: str) -> str:
    """An article page in lapha.fi's shape (see the module docstring)."""
    day = dmy(v.when)
    atts = "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for t, h in v.attachments)
    main = f"""<section><h2>{escape(v.title)}</h2><p>{escape(v.lead[:100])}...</p><p>{day}</p>
<p><a href="/lapha.fi{listing_path}">Lue lisää</a></p></section>
<p><a href="/lapha.fi{listing_path}">Takaisin edelliselle sivulle</a></p>
<div><h1>{escape(v.title)}</h1><p>Kuvituskuva: Lapin hyvinvointialue.</p><p>{day}</p>
<p>{escape(v.lead)}</p>{paragraphs(v.body)}{f'<ul>{atts}</ul>' if atts else ''}</div>"""
    return _lapha(v.title, main)


def lapha_listing(views: list[View], page: int, pages: int, path: str, redirect: str) -> str:
    """A listing page: each item links ``/fi/w/<slug>?redirect=…``; Liferay's pager below."""
    rows = "".join(f'<li><h3><a href="{escape(v.href)}?redirect={redirect}">{escape(v.title)}</a></h3>'
                   f"<p>{dmy(v.when)}</p><p>{escape(v.lead[:120])}</p></li>" for v in views)
    pager = lexicon_pager(f"/lapha.fi{path}", LAPHA_PORTLET, page, pages, LAPHA_PAGE_SIZE)
    main = f"<section><p>Sisältöjulkaisija</p><h1>Ajankohtaista</h1><ul>{rows}</ul>{pager}</section>"
    return _lapha("Ajankohtaista", main)


def lapha_feed(views: list[View], base: str) -> bytes:
    """The asset-publisher RSS: real article links in the ``/fi/w/`` form, descriptions in an escaped CDATA."""
    items = "".join(
        f"<item><title>{escape(v.title)}</title><link>{base}{escape(v.href)}</link>"
        f"<description>{escape(f'<![CDATA[<p>{escape(v.lead)}</p>]]>')}</description>"
        f"<pubDate>{v.when.astimezone(UTC):%a, %d %b %Y %H:%M:%S GMT}</pubDate></item>" for v in views[:20])
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">'
            f"<channel><title>Ajankohtaista</title><link>{base}/lapha.fi{LAPHA_FEED_PATH}</link>"
            f"<description>Ajankohtaista</description>{items}</channel></rss>").encode()


def _omahame(lang: str, title: str, main: str) -> str:
    host = "omahame.fi"
    body = (f'<header id="banner"><a href="/{host}/fi">Oma Häme</a><nav aria-label="Päävalikko"><ul>'
            f'<li><a href="/{host}/fi/palvelut">Palvelut</a></li><li><a href="/{host}/fi/uutiset">Uutiset</a></li>'
            f'<li><a href="/{host}/sv">På svenska</a></li></ul></nav></header>'
            f'<main id="content"><nav aria-label="Murupolku"><p>Murupolku</p><ol><li><a href="/{host}/fi">Etusivu</a>'
            f"</li><li>Uutiset</li></ol></nav>{main}</main>"
            "<footer><p>Kanta-Hämeen hyvinvointialue, Ahvenistontie 20, 13530 Hämeenlinna</p></footer>")
    return _doc("fi-FI" if lang == "fi" else "sv-SE", f"{title} - Oma Häme", "", body)


def _kind_stamp(v: View) -> str:
    return f"{'UUTINEN' if v.lang == 'fi' else 'NYHET'} / {dmy(v.when, pad=True)}"


def omahame_article(v: View) -> str:
    """An article: the portlet title, ``<h1>``, ``UUTINEN / 20.10.2025``, lead, body, documents."""
    atts = "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for t, h in v.attachments)
    main = (f"<section><p>Sisältöjulkaisija</p><h1>{escape(v.title)}</h1><p>{_kind_stamp(v)}</p>"
            f"<p>{escape(v.lead)}</p>{paragraphs(v.body)}{f'<ul>{atts}</ul>' if atts else ''}</section>")
    return _omahame(v.lang, v.title, main)


def omahame_listing(views: list[View]) -> str:
    """The news listing: title link, ``UUTINEN / 26.09.2023``, teaser, per item."""
    rows = "".join(f'<li><h3><a href="{escape(v.href)}">{escape(v.title)}</a></h3><p>{_kind_stamp(v)}</p>'
                   f"<p>{escape(v.lead[:140])}</p></li>" for v in views)
    return _omahame("fi", "Uutiset", f"<section><p>Sisältöjulkaisija</p><h1>Uutiset</h1><ul>{rows}</ul></section>")
