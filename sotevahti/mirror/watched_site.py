"""Mirrored static reform pages (the seeds 000, 002 and 003), watched for changes.

Each page is the seed's text as the site shows it: paragraphs, upper-case section headings, and
document links (written ``[[Pol.ohry 20161012]]`` in the data files). In epoch 2 the Lapland page
gains the documents of a new steering group meeting, which a watching spider must report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path

from ..dates import HELSINKI
from .server import Page

DATA = Path(__file__).parent / "data" / "watched"
_LINK = re.compile(r"^\[\[(.+)\]\]$")


@dataclass(frozen=True)
class WatchedPage:
    """One mirrored page: where it lives, its chrome, and its text file."""

    host: str
    path: str
    site_name: str
    seed: str
    title: str
    modified: datetime
    epoch2_after: str = ""      # a link line after which epoch 2 inserts ``epoch2_insert``
    epoch2_insert: str = ""

    def real_url(self) -> str:
        return f"https://{self.host}{self.path}"


PAGES = (
    WatchedPage("www.isonet.fi", "/sote-uudistus", "ISO – Itä-Suomen sosiaalialan osaamiskeskus", "000",
                "Sote-uudistus", datetime(2020, 10, 23, 9, 0, tzinfo=HELSINKI)),
    WatchedPage("www.lapinliitto.fi", "/sote-uudistus/", "Lapin liitto", "002",
                "Sote-uudistus Lapissa", datetime(2017, 6, 14, 8, 0, tzinfo=HELSINKI),
                epoch2_after="[[Sote jory 26042017]]",
                epoch2_insert=("\nKokous 24.5.2017:\n\n[[Sote jory 20170524]]\n\n"
                               "[[Sote jory 20170524 liite 1 palveluverkko]]")),
    WatchedPage("www.pirkanmaa.fi",
                "/tulevaisuuden-sote-keskus-hanke-ja-sita-tukeva-rakenneuudistus-kaynnistyi-pirkanmaalla/",
                "Pirkanmaan liitto", "003",
                "Tulevaisuuden sote-keskus -hanke ja sitä tukeva rakenneuudistus käynnistyi Pirkanmaalla",
                datetime(2020, 9, 30, 12, 0, tzinfo=HELSINKI)),
)


class WatchedSite:
    """Serves :data:`PAGES` (Site protocol of :mod:`sotevahti.mirror.server`)."""

    def __init__(self, pages: tuple[WatchedPage, ...] = PAGES) -> None:
        self.pages = pages
        self.hosts = frozenset(p.host for p in pages)

    def text(self, page: WatchedPage, epoch: int) -> str:
        """The page's marked-up text in an epoch."""
        text = (DATA / f"{page.seed}.txt").read_text(encoding="utf-8")
        if epoch >= 2 and page.epoch2_after:
            text = text.replace(page.epoch2_after, page.epoch2_after + "\n" + page.epoch2_insert, 1)
        return text

    def render(self, host: str, path: str, query: str, epoch: int, base: str) -> Page | None:
        for page in self.pages:
            if page.host == host and page.path == path:
                return self._page(page, epoch)
        if path.startswith("/documents/"):
            return Page(b"%PDF-1.4\n% mirror document\n", "application/pdf")
        return None

    def _page(self, page: WatchedPage, epoch: int) -> Page:
        blocks = []
        for line in (ln.strip() for ln in self.text(page, epoch).splitlines()):
            if not line or line == page.title:
                continue
            link = _LINK.match(line)
            if link:
                slug = re.sub(r"[^a-z0-9]+", "-", link[1].lower()).strip("-")
                blocks.append(f'<p><a href="/{page.host}/documents/{slug}.pdf">{escape(link[1])}</a></p>')
            elif line.isupper():
                blocks.append(f"<h2>{escape(line)}</h2>")
            else:
                blocks.append(f"<p>{escape(line)}</p>")
        html = f"""<!DOCTYPE html><html lang="fi"><head><meta charset="utf-8">
<title>{escape(page.title)} – {escape(page.site_name)}</title></head>
<body><a class="skip" href="#content">Hyppää sisältöön</a>
<header><div class="logo">{escape(page.site_name)}</div><nav><ul><li><a href="/{page.host}/">Etusivu</a></li>
<li><a href="/{page.host}/ajankohtaista/">Ajankohtaista</a></li>
<li><a href="/{page.host}/yhteystiedot/">Yhteystiedot</a></li>
</ul></nav></header>
<main id="content"><article><h1>{escape(page.title)}</h1>
{chr(10).join(blocks)}
</article></main>
<footer><p>{escape(page.site_name)}</p><div class="cookies">Käytämme evästeitä. Hyväksy evästeet</div></footer>
</body></html>"""
        modified = page.modified if epoch < 2 or not page.epoch2_after else datetime(2017, 6, 20, tzinfo=HELSINKI)
        return Page(html.encode("utf-8"), last_modified=modified)
