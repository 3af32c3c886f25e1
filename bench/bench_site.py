"""The benchmark's site: one Liferay-style ministry site of N articles, served by the mirror.

Pages are the mirror's own Liferay anatomy (:class:`sotevahti.mirror.liferay_site.LiferaySite`),
padded with the site chrome a real ministry page carries (mega-menu, footer site map, inline
scripts) to about 62 KiB, with 4–6 KiB of article text. One article is published a day, newest
first; every 20th is a consultation with a deadline (some still open), and most carry dates that
are not deadlines (meetings, reports). Epoch 2 adds five new articles and moves three open
deadlines, one of them on an article more than 30 days old.

Everything is derived from a seed and a fixed ``today``, so two runs serve the same bytes.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from html import escape

from sotevahti.mirror.liferay_site import Article, LiferaySite, published_at
from sotevahti.mirror.server import Page
from sotevahti.sources import parse_config

HOST = "stm.fi"
LISTING = "/ajankohtaista/tiedotteet"
FEED = "/ajankohtaista/-/asset_publisher/bench/rss"
PAGE_SIZE = 20
PAGE_BYTES = 62 * 1024
DEADLINE_EVERY = 20
NEW_IN_EPOCH_2 = 5
EXTENDED_AGES = (0, 20, 40)   # days old: articles whose deadline moves in epoch 2 (the last is over 30)

_WORDS = ("hyvinvointialueiden rahoitus palvelut asiakasmaksut työryhmä selvitys ministeriö lainsäädäntö "
          "kunnat henkilöstö terveydenhuolto sosiaalihuolto pelastustoimi digitalisaatio tietojärjestelmät "
          "valvonta yhteistyö ohjaus arviointi kustannukset investoinnit suunnitelma toimeenpano kehittäminen "
          "asukkaat perusterveydenhuolto erikoissairaanhoito ikääntyneet lapsiperheet mielenterveys päivystys "
          "hoitotakuu saatavuus rekrytointi koulutus tutkimus vaikuttavuus tietopohja seuranta").split()
_TOPICS = ("Hyvinvointialueiden rahoitus", "Sote-uudistuksen toimeenpano", "Asiakasmaksulain muutokset",
           "Pelastustoimen palvelutaso", "Hoitotakuun seuranta", "Työryhmän väliraportti",
           "Lasten ja perheiden palvelut")


def sources_toml(backfill_pages: int, max_pages: int = 5) -> str:
    """The benchmark's sources.toml: one Liferay source with a listing and a feed."""
    return f"""
[feed]
title = "Sotevahti bench"
description = "Benchmark feed"
public_url = "https://example.org/bench/"
language = "fi"

[[source]]
id = "stm"
name = "STM (bench)"
platform = "liferay"
organisation = "Sosiaali- ja terveysministeriö"
region = "national"
languages = ["fi"]
start_urls = ["https://{HOST}{LISTING}"]
feed_urls = ["https://{HOST}{FEED}"]
topic = "reform"
max_pages = {max_pages}
backfill_pages = {backfill_pages}
"""


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 16))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _paragraphs(rng: random.Random, size: int, dates: list[str]) -> list[str]:
    out: list[str] = []
    total = 0
    while total < size:
        para = " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))
        if dates and rng.random() < 0.3:
            para += f" Seuraava kokous pidetään {dates.pop()} Helsingissä."
        out.append(para)
        total += len(para)
    return out


def _fi(d: date) -> str:
    return f"{d.day}.{d.month}.{d.year}"


def deadline_of(age: int, today: date) -> date:
    """The consultation deadline of the article published ``age`` days before ``today``: 6–10 weeks on."""
    return today - timedelta(days=age) + timedelta(days=42 + 14 * ((age // DEADLINE_EVERY) % 3))


def make_article(n: int, age: int, today: date, epoch: int = 1) -> Article:
    """Article number ``n``, published ``age`` days before ``today`` (negative: in the future of epoch 1)."""
    rng = random.Random(f"bench-{n}")
    pub = today - timedelta(days=age)
    topic = _TOPICS[n % len(_TOPICS)]
    relevant = n % 3 != 2
    title = f"{topic if relevant else 'Ministeriön tiedote'}: {' '.join(rng.choice(_WORDS) for _ in range(4))} ({n})"
    dates = [_fi(pub + timedelta(days=rng.randint(3, 90))) for _ in range(rng.randint(0, 4))]
    paras = _paragraphs(rng, rng.randint(4000, 6000), dates)
    lead = paras.pop(0)
    if not relevant:
        lead = lead.replace("hyvinvointialueiden", "valtion").replace("pelastustoimi", "virasto")
        paras = [p.replace("hyvinvointialueiden", "valtion").replace("pelastustoimi", "virasto") for p in paras]
    body = "\n\n".join(paras)
    edited = ""
    if n % DEADLINE_EVERY == 0:
        deadline = deadline_of(max(age, 0), today)
        body += f"\n\nLausuntopyyntö on lausunnolla. Lausuntoaika päättyy {_fi(deadline)}."
        if age in EXTENDED_AGES:
            edited = body.replace(f"Lausuntoaika päättyy {_fi(deadline)}.",
                                  f"Lausuntoaika päättyy {_fi(deadline + timedelta(days=14))}.")
    return Article(
        host=HOST, group="1271139", slug=f"tiedote-{n}", lang="fi", title=title,
        published=f"{pub.isoformat()} {9 + n % 8:02d}:{(n * 7) % 60:02d}", type="Tiedote",
        tags=("Sosiaali- ja terveysministeriö",), lead=lead, body=body, attachments=(), contacts=(
            "Erityisasiantuntija Maija Meikäläinen, p. 0295 000 000",), correction="", also_on=(),
        epoch=epoch, edited_body=edited, relevant=relevant, seed=str(n))


def make_articles(count: int, today: date) -> list[Article]:
    """``count`` articles one a day back from ``today``, and the five that appear in epoch 2."""
    articles = [make_article(n, age=n, today=today) for n in range(count)]
    articles += [make_article(count + k, age=0, today=today, epoch=2) for k in range(NEW_IN_EPOCH_2)]
    return articles


def _padding(seed: int, size: int) -> str:
    """Site chrome of about ``size`` bytes: a footer site map and the page's inline script data."""
    rng = random.Random(seed)
    links = []
    total = 0
    while total < size:
        words = [rng.choice(_WORDS) for _ in range(3)]
        link = (f'<li class="sitemap-item"><a class="nav-link" href="/{HOST}/{"-".join(words)}" '
                f'data-senna-off="true">{escape(" ".join(words).capitalize())}</a></li>')
        links.append(link)
        total += len(link)
    return f'<nav class="footer-sitemap" aria-label="Sivukartta"><ul>{"".join(links)}</ul></nav>'


class BenchSite(LiferaySite):
    """The 62 KiB-page ministry site; articles are found by a dict, not a scan, so the server stays fast."""

    def __init__(self, count: int, today: date) -> None:
        config = parse_config(_toml(sources_toml(backfill_pages=1000)))
        super().__init__(config, today, make_articles(count, today))
        self.page_size = PAGE_SIZE
        self._by_path = {a.path(): a for a in self.articles}
        self._pad_cache: dict[int, str] = {}

    def render(self, host: str, path: str, query: str, epoch: int, base: str) -> Page | None:
        article = self._by_path.get(path.rstrip("/")) if host == HOST else None
        if article is not None:
            return self._article(article, host, epoch) if article.epoch <= epoch else None
        return super().render(host, path, query, epoch, base)

    def _chrome(self, host: str, lang: str, title: str, main: str, canonical: str = "",
                alternates: str = "") -> bytes:
        page = super()._chrome(host, lang, title, main, canonical, alternates)
        missing = PAGE_BYTES - len(page)
        if missing <= 0:
            return page
        bucket = missing // 512
        if bucket not in self._pad_cache:
            self._pad_cache[bucket] = _padding(bucket, bucket * 512)
        return page.replace(b"<footer>", self._pad_cache[bucket].encode() + b"<footer>", 1)

    def article_urls(self, epoch: int) -> list[str]:
        """Real canonical URLs of the articles visible in an epoch."""
        return [a.real_url() for a in self.articles if a.epoch <= epoch]

    def changed_in_epoch_2(self) -> tuple[list[str], list[str]]:
        """(URLs of the new articles, URLs of the articles whose deadline moves)."""
        new = [a.real_url() for a in self.articles if a.epoch == 2]
        moved = [a.real_url() for a in self.articles if a.edited_body]
        return new, moved

    def oldest_moved_age(self) -> int:
        """Age in days of the oldest article whose deadline moves (must be over 30)."""
        return max((self.today - published_at(a, self.today).date()).days for a in self.articles if a.edited_body)


def _toml(text: str) -> dict:
    import tomllib
    return tomllib.loads(text)
