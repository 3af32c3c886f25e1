"""Liferay parsing on the mirror's pages (fi, sv, en), URLs, listings, feeds and the seeds."""

from __future__ import annotations

import re

import pytest
from parsel import Selector

from sotevahti import liferay
from sotevahti.dates import HELSINKI
from sotevahti.mirror.liferay_site import fill_relative, published_at
from sotevahti.urls import UrlMap

from .conftest import SEEDS, TODAY

MIRROR = UrlMap("http://127.0.0.1:8123")


@pytest.mark.parametrize("url, canonical, lang", [
    ("https://valtioneuvosto.fi/-/1271139/hallituksen-esitys-sote-uudistukseksi",
     "https://valtioneuvosto.fi/-/1271139/hallituksen-esitys-sote-uudistukseksi", "fi"),
    ("https://valtioneuvosto.fi/sv/-/1271139/regeringens-proposition?languageId=fi_FI",
     "https://valtioneuvosto.fi/-/1271139/regeringens-proposition", "fi"),
    ("https://stm.fi/en/-/sote-ja-maakuntauudistus-etenee-eduskuntaan?languageId=en_US",
     "https://stm.fi/en/-/sote-ja-maakuntauudistus-etenee-eduskuntaan", "en"),
    ("https://soteuudistus.fi/sv/-/1271139/remisstiden-gick-ut/", "https://soteuudistus.fi/sv/-/1271139/remisstiden-gick-ut",
     "sv"),
    ("https://stm.fi/-/sosiaali-ja-terveydenhuollon-toimijoita-ohjeistetaan",
     "https://stm.fi/-/sosiaali-ja-terveydenhuollon-toimijoita-ohjeistetaan", "fi"),
])
def test_article_ref_normalises_language(url, canonical, lang):
    ref = liferay.article_ref(url)
    assert ref is not None and ref.canonical_url() == canonical and ref.lang == lang


@pytest.mark.parametrize("url", [
    "https://valtioneuvosto.fi/ajankohtaista/uutiset",
    "https://valtioneuvosto.fi/en/staattiset-feedit-en/-/asset_publisher/LOmkEPY4nk2s/rss",
    "https://stm.fi/documents/1271139/123/liite.pdf",
])
def test_hubs_and_feeds_are_not_articles(url):
    assert liferay.article_ref(url) is None


def test_one_article_under_several_hosts_has_one_id():
    a = liferay.article_ref("https://valtioneuvosto.fi/-/1271139/vm-tiedote")
    b = liferay.article_ref("https://vm.fi/-/1271139/vm-tiedote")
    c = liferay.article_ref("https://soteuudistus.fi/sv/-/1271139/vm-tiedote?languageId=fi_FI")
    sv = liferay.article_ref("https://vm.fi/sv/-/1271139/vm-tiedote")
    assert a.item_id() == b.item_id() == c.item_id()
    assert sv.item_id() != a.item_id()   # the Swedish version is its own item
    old_stm = liferay.article_ref("https://stm.fi/-/vanha-tiedote")
    old_vm = liferay.article_ref("https://vm.fi/-/vanha-tiedote")
    assert old_stm.item_id() != old_vm.item_id()   # without a group id the host is part of the identity


def test_feed_links_with_double_wrapped_description():
    xml = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Government</title><link>https://valtioneuvosto.fi/en/staattiset-feedit-en/-/asset_publisher/x/rss</link>
<item><title>Access to care to be improved</title>
<link>https://valtioneuvosto.fi/en/-/1410877/access-to-care</link>
<description>&lt;![CDATA[&lt;p&gt;The Government submitted a proposal&lt;/p&gt;]]&gt;</description>
<pubDate>Mon, 16 Aug 2021 08:00:00 GMT</pubDate><dc:date>2021-08-16T08:00:00Z</dc:date></item>
<item><title>Hub</title><link>https://valtioneuvosto.fi/en/current-issues</link></item>
</channel></rss>"""
    assert liferay.feed_links(xml) == ["https://valtioneuvosto.fi/en/-/1410877/access-to-care"]


def _render(site, article, epoch=1, host=None):
    page = site.render(host or article.host, article.path(), "", epoch, MIRROR.mirror)
    assert page is not None and page.status == 200
    return page.body.decode("utf-8")


def test_every_mirror_article_parses(site):
    langs = set()
    for a in site.articles:
        parsed = liferay.parse_article(_render(site, a, epoch=a.epoch), a.real_url(), MIRROR)
        assert parsed is not None, a.slug
        assert parsed.url == a.real_url()
        assert parsed.title == a.title
        assert parsed.published == published_at(a, TODAY)
        assert parsed.published.tzinfo is HELSINKI
        if a.layout == "2026":   # stm.fi's 2026 layout prints no type line, and tags the ministry "STM"
            assert (parsed.type, parsed.tags) == ("", ("STM",))
        else:
            assert parsed.type == a.type
            assert parsed.tags == a.tags
        assert parsed.lang == a.lang
        assert parsed.lead == " ".join(fill_relative(a.lead, TODAY).split())
        first_par = fill_relative(a.body, TODAY).strip().split("\n\n")[0]
        assert " ".join(first_par.lstrip("# ").split()) in parsed.body
        assert "Hyppää sisältöön" not in parsed.body and "Sivun alkuun" not in parsed.body
        assert "This page is in Finnish" not in parsed.body + parsed.lead
        assert [x["url"] for x in parsed.attachments] == [f"https://{a.host}{x['path']}" for x in a.attachments]
        langs.add(a.lang)
    assert langs == {"fi", "sv", "en"}


def test_article_served_from_another_host_has_the_canonical_url(site):
    shared = [a for a in site.articles if a.also_on]
    assert shared
    for a in shared:
        other = a.also_on[0]
        fetched_as = f"https://{other}{a.path()}"
        parsed = liferay.parse_article(_render(site, a, host=other), fetched_as, MIRROR)
        assert parsed.url == a.real_url()
        assert parsed.ref.item_id() == liferay.article_ref(a.real_url()).item_id()
        assert all(x["url"].startswith(f"https://{a.host}/") for x in parsed.attachments)


def test_listing_pagination(site):
    host, path = "stm.fi", "/ajankohtaista/uutiset"
    seen, url, pages = [], f"https://{host}{path}", 0
    while url:
        parts = url.split("?", 1)
        page = site.render(host, parts[0].split(host, 1)[1], parts[1] if len(parts) > 1 else "", 1, MIRROR.mirror)
        links, url = liferay.listing_links(page.body.decode(), url, MIRROR)
        seen += links
        pages += 1
    expected = {a.real_url().replace(f"https://{a.host}", f"https://{host}") for a in site.visible(host, "fi", 1)}
    assert pages >= 2
    assert expected <= set(seen)


def test_english_stamp_takes_the_publication_date():
    html = """<html lang="en-US"><body><article><h1>Access to care and availability of services to be improved</h1>
<p>Publication date 16.8.2021 11.00 | Published in English on 16.8.2021 at 12.05</p><p>Press release</p>
<div class="article__lead"><p>The Government proposes that wellbeing services counties …</p></div>
</article></body></html>"""
    a = liferay.parse_article(html, "https://soteuudistus.fi/en/-/1271139/access-to-care")
    assert (a.published.hour, a.published.minute, a.type, a.lang) == (11, 0, "Press release", "en")


def test_related_requests_are_read_from_the_article_not_the_chrome():
    """A release relates to the lausuntopalvelu requests its own text links to or names; the
    site's sidebar of other consultations relates to nothing."""
    html = """<html lang="fi"><body><nav><a href="https://www.lausuntopalvelu.fi/FI/Proposal/Participation?\
proposalId=0b8e6f1c-2d4a-4c9e-9a7b-5e3f2c1d0a9b">Muut lausuntopyynnöt</a></nav><article>
<h1>Luonnos hallituksen esitykseksi lausunnolle</h1><p>Julkaisuajankohta 3.11.2026 9.15</p><p>Tiedote</p>
<div class="article__body"><p>Lausuntoaika päättyy 15.12.2026. <a href="https://www.lausuntopalvelu.fi/FI/Proposal/\
Participation?proposalId=7C1D2E3F-4A5B-4C6D-8E9F-0A1B2C3D4E5F">Lausuntopyyntö</a></p>
<p>Rajapinnassa pyyntö on Proposals(guid'5d6e7f80-9a0b-4c1d-8e2f-3a4b5c6d7e8f').</p></div>
</article><footer><a href="/FI/Proposal/Participation?proposalId=1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d">x</a></footer>
</body></html>"""
    a = liferay.parse_article(html, "https://stm.fi/-/1410877/luonnos-lausunnolle")
    assert a.related == ("lp-7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "lp-5d6e7f80-9a0b-4c1d-8e2f-3a4b5c6d7e8f")


def _seed_lines(name: str) -> list[str]:
    chrome = {"Skip to content", "Hyppää sisältöön", "Media", "Lue lisää", "Sivun alkuun", "Liitteet:", "Lisätietoja:"}
    path = next(SEEDS.glob(f"{name}_*.txt"), None)
    if path is None:
        pytest.skip("shared/seeds is not beside this checkout")
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    return [ln.replace("Lue lisää", "").strip() for ln in lines if ln and ln not in chrome]


@pytest.mark.parametrize("seed, url_part, published", [
    ("001", "/-/1271139/", "2020-03-20T10:17:00+02:00"),
    ("004", "/-/sote-uudistuksen", "2016-03-03T12:19:00+02:00"),
])
def test_seed_pages_are_read_verbatim(site, seed, url_part, published):
    article = next(a for a in site.articles if a.seed == seed)
    parsed = liferay.parse_article(_render(site, article), article.real_url(), MIRROR)
    assert url_part in parsed.url
    assert parsed.published.isoformat() == published
    assert parsed.title in _seed_lines(seed)
    text = "\n".join([parsed.title, *parsed.tags, parsed.type, parsed.lead, parsed.body])
    page_text = liferay.page_text(Selector(text=_render(site, article)))
    for line in _seed_lines(seed):
        if re.fullmatch(r"(Julkaisuajankohta )?[\d.]+ [\d.]+", line):
            continue   # the stamp itself is parsed into `published`
        assert line in text or line in page_text, line


# -- counties on Liferay (lapha.fi, omahame.fi): the same reader ----------------------------------------

def test_liferay_counties_on_the_mirror_read_by_the_liferay_reader():
    from urllib.parse import urlsplit

    from sotevahti.mirror.county_sites import CountySites, expected_items

    county = CountySites(today=TODAY, redesigned=frozenset())
    expected = {u: e for u, e in expected_items(county, 2).items() if e["site"] in ("lapha", "omahame")}

    def get(url: str) -> str:
        parts = urlsplit(url)
        page = county.render(parts.hostname, parts.path, parts.query, 2, MIRROR.mirror)
        assert page is not None, url
        return page.body.decode("utf-8")

    found, url, pages = [], "https://lapha.fi/fi/ajankohtaista", 0
    while url:                                   # Liferay's own pager, followed by its _cur parameter
        links, url = liferay.listing_links(get(url), url, MIRROR)
        assert all("?redirect=" in x and "/fi/w/" in x for x in links)
        found += links
        pages += 1
    assert pages == 2
    links, _ = liferay.listing_links(get("https://omahame.fi/fi/uutiset"), "https://omahame.fi/fi/uutiset", MIRROR)
    canonical = {liferay.article_ref(x).canonical_url() for x in found + links}
    assert canonical == set(expected)
    feed = get("https://lapha.fi/fi/ajankohtaista/-/asset_publisher/REW6HEWQy3AJ/rss")
    assert set(liferay.feed_links(feed, MIRROR)) == {u for u, e in expected.items() if e["site"] == "lapha"}
    for url, want in expected.items():
        a = liferay.parse_article(get(url), url, MIRROR)
        assert (a.url, a.title, a.published, a.lead) == (url, want["title"], want["published"], want["lead"])
        assert a.type == ("Uutinen" if want["site"] == "omahame" and want["lang"] == "fi" else
                          "Nyhet" if want["site"] == "omahame" else "")
        assert "Takaisin edelliselle sivulle" not in a.body and "Kuvituskuva" not in a.lead
        assert [x["url"] for x in a.attachments] == want["attachments"]
