"""The parsers on the real shapes in ``shared/real-samples/``, not on the mirror's picture of them.

Every file of that folder is read here (a test fails when a new sample has no test). Text
samples are wrapped in the plainest HTML that keeps their reading order
(:func:`sotevahti.probe.wrap_text_sample`: a ``<p>`` per line, bullets as ``<li>``, the title line
as ``<h1>``), so no class name of the mirror is present: what passes here passes on structure.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from parsel import Selector

from sotevahti import generic, liferay
from sotevahti.probe import probe, wrap_text_sample
from sotevahti.urls import canonical_item_url

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "real-samples"
if not SAMPLES.is_dir():  # a worktree of its own: shared/ sits next to the project
    SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "real-samples"
HKI = ZoneInfo("Europe/Helsinki")
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/real-samples not present")


def readme_urls() -> dict[str, str]:
    """file → the address it was archived from, as the samples' README table gives it."""
    out = {}
    for line in (SAMPLES / "README.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| (\S+) \| (https://\S+)", line)
        if m:
            out[m[1]] = m[2]
    return out


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def page(name: str) -> tuple[str, str]:
    """(real URL, wrapped HTML) of a text sample."""
    url, html = wrap_text_sample(sample(name), readme_urls().get(name))
    assert url, name
    return url, html


COVERED: set[str] = set()


def covers(*names: str):
    COVERED.update(names)
    return lambda f: f


def no_class_attributes(html: str) -> None:
    assert "class=" not in html


# -- Liferay articles ---------------------------------------------------------------------------

@covers("liferay/vn-fi-1271139-hallituksen-esitys-sote.txt")
def test_vn_release_reads_stamp_type_tags_and_prose_lead():
    url, html = page("liferay/vn-fi-1271139-hallituksen-esitys-sote.txt")
    no_class_attributes(html)
    a = liferay.parse_article(html, url)
    assert a is not None
    assert a.title == "Hallituksen esitys sote-uudistukseksi ja uudistusta koskeva lainsäädäntö etenee eduskuntaan"
    assert a.published == datetime(2020, 12, 8, 10, 12, tzinfo=HKI)
    assert a.type == "Tiedote"
    assert a.tags == ("sisäministeriö", "sosiaali- ja terveysministeriö", "valtiovarainministeriö")
    assert a.lead.startswith("Hallitus esittää hyvinvointialueiden perustamista")
    assert "ministeriösosiaali" not in a.lead + a.body and "Hyppää sisältöön" not in a.body
    assert a.url == url


@covers("liferay/vn-en-double-slash-10616-budget-2021.txt")
def test_double_slash_article_url_is_an_article_with_a_numbered_type():
    url, html = page("liferay/vn-en-double-slash-10616-budget-2021.txt")
    assert "/en/-//10616/" in url
    ref = liferay.article_ref(url)
    assert ref is not None and ref.group == "10616" and ref.lang == "en"
    assert ref.canonical_url() == url.replace("/-//", "/-/")
    a = liferay.parse_article(html, url)
    assert a.title == "Budget proposal for 2021 provides a route for exiting the COVID-19 crisis"
    assert a.type == "Press release"
    assert a.published == datetime(2020, 9, 16, 16, 43, tzinfo=HKI)
    assert a.tags == ("Government Communications Department", "Ministry of Finance")
    assert a.lead.startswith("The Government is committed to protecting")


@covers("liferay/vn-en-orpo-midterm-type-colon.txt")
def test_type_colon_label():
    url, html = page("liferay/vn-en-orpo-midterm-type-colon.txt")
    a = liferay.parse_article(html, url)
    assert a.type == "Press release"
    assert a.published == datetime(2025, 4, 23, 22, 11, tzinfo=HKI)
    assert a.title.startswith("Orpo Government: Decisions in mid-term policy review")
    assert a.lead.startswith("Prime Minister Petteri Orpo")


@covers("liferay/stm-fi-hyvinvointialueiden-ajankohtainen-tilanne.txt")
def test_stm_2026_layout_date_and_time_on_separate_lines_then_a_ministry_tag():
    url, html = page("liferay/stm-fi-hyvinvointialueiden-ajankohtainen-tilanne.txt")
    a = liferay.parse_article(html, url)
    assert a.published == datetime(2026, 3, 19, 10, 46, tzinfo=HKI)
    assert a.type == ""          # the layout prints no type; "STM" is a tag
    assert a.tags == ("STM",)
    assert a.lead == "Tutustu tuoreeseen hyvinvointialueiden tilannekuvaan!"
    assert a.body.startswith("Vuoden 2026 ensimmäinen hyvinvointialueiden tilannekuva")


@covers("liferay/stm-fi-10616-koronarajoitusten-chrome.txt", "liferay/stm-sv-languageId-fi_FI-chrome-head.txt")
@pytest.mark.parametrize("chrome", ["liferay/stm-fi-10616-koronarajoitusten-chrome.txt",
                                    "liferay/stm-sv-languageId-fi_FI-chrome-head.txt"])
def test_language_chooser_is_removed_whole(chrome):
    text = sample(chrome)
    chooser = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("•")]
    assert len(chooser) >= 3
    # The archived copy ends mid-line ("Или"): the cut, not chrome.
    text = text.rstrip().rsplit("\n", 1)[0] if not text.rstrip().endswith((":", "»")) else text
    kept = liferay.page_text(Selector(text=wrap_text_sample(text)[1])).splitlines()
    assert not [line for line in kept if not any(line == b.strip("• ").strip() for b in text.splitlines()
                                                  if b.lstrip().startswith("•"))]
    # The same chrome above a real article: title, stamp, type and lead still come out right.
    url = "https://stm.fi/-/10616/hallitus-hyvaksyi-koronarajoitusten-purkamissuunnitelman"
    article = sample("liferay/vn-fi-1271139-hallituksen-esitys-sote.txt")
    html = wrap_text_sample(text + "\n" + article, url)[1]
    a = liferay.parse_article(html.replace("<p>Hallituksen esitys sote-uudistukseksi", "<h1>Hallituksen esitys"
                                           " sote-uudistukseksi", 1).replace("eduskuntaan</p>", "eduskuntaan</h1>", 1),
                              url)
    assert a.type == "Tiedote" and a.lead.startswith("Hallitus esittää")
    assert "»" not in a.body and "kieli:" not in a.body


def test_chooser_has_forty_and_more_lines_and_all_go():
    text = sample("liferay/stm-fi-10616-koronarajoitusten-chrome.txt")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("•")]
    lines = lines[:-1]  # the copy is cut in the middle of the last line
    assert len(lines) >= 32   # with the 13 ministry links above it, the real chooser opens with 47 lines
    assert all(liferay._BOILERPLATE.match(line) for line in lines), [
        line for line in lines if not liferay._BOILERPLATE.match(line)]


def test_languageid_on_a_path_of_another_language():
    url = readme_urls()["liferay/stm-sv-languageId-fi_FI-chrome-head.txt"]
    ref = liferay.article_ref(url)
    assert ref.lang == "fi" and ref.canonical_url() == "https://stm.fi/-/vuodenvaihteen-muutokset-sosiaali-ja-" \
                                                       "terveysministerion-hallinnonala-11"
    plain = liferay.article_ref("https://stm.fi/-/10616/hallitus-hyvaksyi-koronarajoitusten-purkamissuunnitelman")
    for lang_id in ("sv_SE", "ru_RU", "en_US"):
        other = liferay.article_ref(f"{plain.canonical_url()}?languageId={lang_id}")
        assert (other.identity, other.lang, other.item_id()) == (plain.identity, plain.lang, plain.item_id())


# -- Liferay listings and feeds -----------------------------------------------------------------

def lexicon_pager(page_url: str, current: int, pages: int) -> str:
    """The pager as Liferay's page_iterator/lexicon/start.jsp writes it: no rel, no text, ``_cur`` in the href."""
    cur_param = next(k for k in re.findall(r"[?&]([^=&]+)=", page_url) if k.endswith("_cur"))

    def href(n: int) -> str:
        base = re.sub(rf"[?&]{re.escape(cur_param)}=\d+", "", page_url)
        return f"{base}{'&' if '?' in base else '?'}{cur_param}={n}".replace("&", "&amp;")
    items = [f'<li><a href="{href(current - 1) if current > 1 else "javascript:;"}"><svg></svg></a></li>']
    items += [f'<li><a href="{href(n)}"><span>Page</span>{n}</a></li>' for n in range(1, pages + 1)]
    items.append(f'<li><a href="{href(current + 1) if current < pages else "javascript:;"}"><svg></svg></a></li>')
    return f"<ul>{''.join(items)}</ul>"


@covers("liferay/liferay-portal-page_iterator-lexicon-next-link.jsp.txt", "liferay/vn-listing-pagination-url.txt")
def test_liferay_default_pager_is_followed():
    template = sample("liferay/liferay-portal-page_iterator-lexicon-next-link.jsp.txt")
    assert 'class="page-link"' in template and "rel=" not in template
    url = sample("liferay/vn-listing-pagination-url.txt").splitlines()[0]
    html = f"<html><body><main><p>Korona-tilannekatsaus</p>{lexicon_pager(url, 12, 14)}</main></body></html>"
    _, nxt = liferay.listing_links(html, url)
    assert nxt is not None and nxt.endswith("INSTANCE_W6n1KszsLrkE_cur=13")
    assert "_delta=10" in nxt and "p_p_id=com_liferay_asset_publisher" in nxt
    last = url.replace("_cur=12", "_cur=14")
    assert liferay.listing_links(f"<html><body>{lexicon_pager(last, 14, 14)}</body></html>", last)[1] is None
    # The generic listing reader follows the same pager.
    assert generic.listing_page(html, url, {}).next_url == nxt


@covers("counties/lapha-fi-etusivu-listing-page2-url.txt")
def test_lapha_listing_links_w_articles_and_pages_on():
    url, html = page("counties/lapha-fi-etusivu-listing-page2-url.txt")
    links, _ = liferay.listing_links(html, url)
    assert links == ["https://lapha.fi/sme/w/utsjoen-laboratorion-toiminta-siirtyi-hyvinvointialueelle-"
                     "naytteenotto-jatkuu-kolmesti-viikossa"]
    assert liferay.article_ref(links[0]).lang == "se"
    html = f"<html><body>{lexicon_pager(url, 2, 5)}</body></html>"
    assert liferay.listing_links(html, url)[1].endswith("INSTANCE_zzBnuzsrYOLk_cur=3")


@covers("liferay/vn-en-00Qguh1GvAiJ-rss.closed.xml", "liferay/vn-en-00Qguh1GvAiJ-rss.excerpt.xml")
@pytest.mark.parametrize("name", ["liferay/vn-en-00Qguh1GvAiJ-rss.closed.xml",
                                  "liferay/vn-en-00Qguh1GvAiJ-rss.excerpt.xml"])
def test_asset_publisher_feed(name):
    body = (SAMPLES / name).read_bytes()
    link = "https://valtioneuvosto.fi/en/-/1410877/proposal-to-change-residence-permit-for-startup-entrepreneurs-is-" \
           "sent-out-for-comments"
    assert liferay.feed_links(body.decode()) == [link]
    entry = generic.feed_entries(body)[0]
    assert entry.link == link and entry.summary.startswith("Under the current rules")


# -- counties on Liferay ------------------------------------------------------------------------

@covers("counties/lapha-fi-w-aluehallituksen-kokoustiedote-30.4.2025.txt")
def test_lapha_article_on_w_path_with_redirect():
    url, html = page("counties/lapha-fi-w-aluehallituksen-kokoustiedote-30.4.2025.txt")
    assert "?redirect=" in url
    a = liferay.parse_article(html, url)
    assert a.url == "https://lapha.fi/fi/w/aluehallituksen-kokoustiedote-30.4.2025"
    assert a.ref.item_id() == liferay.article_ref("https://lapha.fi/w/aluehallituksen-kokoustiedote-30.4.2025").item_id()
    assert a.title == "Aluehallituksen kokoustiedote 30.4.2025 pidetystä kokouksesta"
    assert a.published == datetime(2025, 4, 30, tzinfo=HKI)
    assert a.lead.startswith("Länsi-Pohjan keskussairaalan toiminta jatkuu niin laajana")
    assert "Takaisin edelliselle sivulle" not in a.body and "Aurinko-logo" not in a.lead


@covers("counties/omahame-fi-uutiset-listing-2023.txt")
def test_omahame_type_and_date_stamp():
    text = sample("counties/omahame-fi-uutiset-listing-2023.txt").split("---", 1)[1]
    head = liferay.read_head(liferay.page_text(Selector(text=wrap_text_sample(text)[1])), "")
    assert head.published == datetime(2023, 9, 26, tzinfo=HKI)
    assert head.type == "Uutinen"


# -- sttinfo.fi ---------------------------------------------------------------------------------

STTINFO = {
    "counties/sttinfo-71855264-pirha-EET.txt": (
        datetime(2026, 3, 4, 16, 27, 8, tzinfo=HKI), "Pirkanmaan hyvinvointialue",
        "Aluehallitus käsittelee lausuntoa rahoituslain muutoksesta 9.3.", "Aluehallituksessa käsitellään maanantaina"),
    "counties/sttinfo-70817485-omahame-EET.txt": (
        datetime(2025, 1, 15, 15, 56, 18, tzinfo=HKI), "Oma Häme",
        "Lopelle valmistuu uusi ikäihmisten asumisyksikkö – nimikilpailu on nyt auki!",
        "Uusi ikäihmisten asumisyksikkö"),
    "counties/sttinfo-71399056-hyvaks-EEST.txt": (
        datetime(2025, 8, 28, 14, 43, 24, tzinfo=HKI), "Keski-Suomen hyvinvointialue",
        "Keski-Suomen hyvinvointialue haluaa kuulla asukkaidensa näkemyksiä arjen turvallisuudesta", "Mistä sinun"),
}


@covers(*STTINFO)
@pytest.mark.parametrize("name", sorted(STTINFO))
def test_sttinfo_release(name):
    when, org, title, lead = STTINFO[name]
    url, html = page(name)
    got = generic.extract_page(html, url)
    assert got.published == when
    assert got.title == title
    assert got.lead.startswith(lead) and " EET |" not in got.lead and " EEST |" not in got.lead
    header = next(line for line in sample(name).splitlines() if " | " in line)
    assert generic.sttinfo_header(header) == (when, org, "Tiedote")
    assert generic._STAMP_LINE.match(header)


def test_sttinfo_publisher_id_does_not_make_a_second_item():
    url = "https://www.sttinfo.fi/tiedote/70817485/lopelle-valmistuu-uusi-ikaihmisten-asumisyksikko-nimikilpailu-" \
          "on-nyt-auki?lang=fi&publisherId=69820726"
    assert canonical_item_url(url) == url.replace("&publisherId=69820726", "")


@covers("counties/sttinfo-headers-two-part.txt")
def test_sttinfo_header_lines_two_and_three_parts():
    rows = [line.split("\t") for line in sample("counties/sttinfo-headers-two-part.txt").splitlines()
            if line and not line.startswith("#")]
    assert len(rows) == 5
    for header, url in rows:
        when, org, kind = generic.sttinfo_header(header)
        assert when is not None and kind == "Tiedote" and org != "Tiedote"
        assert generic._STAMP_LINE.match(header)
        assert url.startswith("https://www.sttinfo.fi/tiedote/")
    assert generic.sttinfo_header(rows[0][0])[:2] == (datetime(2021, 11, 26, 12, 45, 52, tzinfo=HKI), None)
    assert generic.sttinfo_header(rows[2][0])[0] == datetime(2025, 8, 15, 16, 39, 11, tzinfo=HKI)  # EEST


# -- Dynasty ------------------------------------------------------------------------------------

@covers("counties/dynasty-luhva-meetingitem-2023277-5.txt")
def test_dynasty_item_without_h1():
    url, html = page("counties/dynasty-luhva-meetingitem-2023277-5.txt")
    got = generic.extract_page(html, url)
    assert got.title.startswith("Yhteistoimintaneuvottelujen tuloksen hyväksyminen osana vuoden 2024")
    assert got.published == datetime(2023, 12, 4, tzinfo=HKI)
    assert got.lead.startswith("1. todeta, että työnantajan")
    assert "RSS-linkki" not in got.body
    rss = re.search(r"https://luhva-d10julk\.oncloudos\.com:443/\S+", sample(
        "counties/dynasty-luhva-meetingitem-2023277-5.txt"))[0]
    assert canonical_item_url(rss) == rss.replace(":443", "")


def test_dynasty_title_in_a_bold_span():
    html = ("<html><head><title>Dynasty tietopalvelu</title></head><body><div class='data-part-block-htm'>"
            "<p><span style='font-weight:bold'>Sillan perusparantamisen urakoitsijan valinta</span></p>"
            "<p>Lautakunta päätti valita urakoitsijaksi tarjouksista edullisimman.</p></div></body></html>")
    got = generic.extract_page(html, "https://x.fi/cgi/DREQUEST.PHP?page=meetingitem&id=1")
    assert got.title == "Sillan perusparantamisen urakoitsijan valinta"


@covers("counties/dynasty-porvoo-asiasivu-structure.html")
def test_dynasty_databegin_page():
    html = sample("counties/dynasty-porvoo-asiasivu-structure.html")
    got = generic.extract_page(html, "https://porvoo.oncloudos.com/cgi/DREQUEST.PHP?page=meetingitem&id=1")
    assert got.lead.startswith("Kaupunkikehityslautakunta päätti, että sillan")
    assert "Edellinen asia" not in got.lead + got.body and "Etusivu" not in got.body
    assert "päätös" in got.body.lower() or "Päätös" in got.body


@covers("counties/dynasty-joensuu-cdata-entities.txt")
def test_dynasty_feed_cdata_entities_no_pubdate_and_443():
    title, link = [line for line in sample("counties/dynasty-joensuu-cdata-entities.txt").splitlines()
                   if line.startswith("<![CDATA[")]
    link = link.replace("https://x.fi/", "https://x.fi:443/")
    feed = (f"<?xml version='1.0' encoding='ISO-8859-1'?><rss version='2.0'><channel><title>Dynasty</title>"
            f"<item><title>{title}</title><link>{link}</link><description>{title}</description></item>"
            "</channel></rss>").encode("iso-8859-1")
    entry = generic.feed_entries(feed)[0]
    assert entry.title == "Tikkarinne 9 keittiön peruskorjaus – hyväksyminen"
    assert entry.summary == entry.title and entry.published is None
    assert canonical_item_url(entry.link) == "https://x.fi/cgi/D.PHP?page=meetingitem&id=12"


# -- probe on every sample ----------------------------------------------------------------------

HKI_ISO = "+02:00", "+03:00"
VN_PRESS = "https://valtioneuvosto.fi/en/-/1410877/proposal-to-change-residence-permit-for-startup-entrepreneurs-" \
           "is-sent-out-for-comments"
NO_LINKS = "a text sample keeps no links: the listing's article links cannot be checked here"
NO_MARKUP = "2 configured selector(s) not checked: a text sample keeps no markup"
HEAD = "no article content in this text: it stops in the page's head (menus, language chooser)"
#: sample -> (kind, {field: value, or the start of a text value}, article links, notes). Every sample
#: is expected to give NO warning: each is what it is (a whole article, a listing, a page head, header
#: lines, an excerpt), and none of them lacks a field its kind must have.
PROBED = {
    "liferay/vn-fi-1271139-hallituksen-esitys-sote.txt": ("article", {
        "title": "Hallituksen esitys sote-uudistukseksi", "published": "2020-12-08T10:12:00+02:00",
        "type": "Tiedote", "lead": "Hallitus esittää hyvinvointialueiden perustamista"}, [], []),
    "liferay/vn-en-double-slash-10616-budget-2021.txt": ("article", {
        "title": "Budget proposal for 2021 provides a route", "published": "2020-09-16T16:43:00+03:00",
        "type": "Press release", "language": "en"}, [], []),
    "liferay/vn-en-orpo-midterm-type-colon.txt": ("article", {
        "title": "Orpo Government: Decisions in mid-term", "published": "2025-04-23T22:11:00+03:00",
        "type": "Press release"}, [], []),
    "liferay/stm-fi-hyvinvointialueiden-ajankohtainen-tilanne.txt": ("article", {
        "title": "Hyvinvointialueiden ajankohtainen tilanne", "published": "2026-03-19T10:46:00+02:00",
        "type": "", "lead": "Tutustu tuoreeseen hyvinvointialueiden tilannekuvaan"}, [], []),
    # the archive's text stops in the chooser: no title or date to find, and none expected
    "liferay/stm-fi-10616-koronarajoitusten-chrome.txt": ("page head", {}, [], [HEAD]),
    "liferay/stm-sv-languageId-fi_FI-chrome-head.txt": ("page head", {}, [], [HEAD]),
    "liferay/vn-en-00Qguh1GvAiJ-rss.closed.xml": ("feed", {"entries": 1}, [VN_PRESS], []),
    "liferay/vn-en-00Qguh1GvAiJ-rss.excerpt.xml": ("feed", {"entries": 1}, [VN_PRESS], []),
    # Listings saved as text: the archive kept the entries' titles and dates but not one article URL
    # (the only URL in the file is the listing's own), so there is no link to find, and probe says so.
    "liferay/vn-listing-pagination-url.txt": ("listing", {}, [], [NO_LINKS]),
    "counties/omahame-fi-uutiset-listing-2023.txt": ("listing", {}, [], [NO_LINKS]),
    # every article URL the text kept: the Northern Sámi /sme/w/ one
    "counties/lapha-fi-etusivu-listing-page2-url.txt": ("listing", {}, [
        "https://lapha.fi/sme/w/utsjoen-laboratorion-toiminta-siirtyi-hyvinvointialueelle-naytteenotto-jatkuu-"
        "kolmesti-viikossa"], []),
    "counties/lapha-fi-w-aluehallituksen-kokoustiedote-30.4.2025.txt": ("article", {
        "title": "Aluehallituksen kokoustiedote 30.4.2025 pidetystä kokouksesta",
        "published": "2025-04-30T00:00:00+03:00", "lead": "Länsi-Pohjan keskussairaalan toiminta"}, [], []),
    "counties/sttinfo-71855264-pirha-EET.txt": ("article", {
        "title": "Aluehallitus käsittelee lausuntoa", "published": "2026-03-04T16:27:08+02:00",
        "organisation": "Pirkanmaan hyvinvointialue", "type": "Tiedote"}, [], [NO_MARKUP]),
    "counties/sttinfo-70817485-omahame-EET.txt": ("article", {
        "title": "Lopelle valmistuu uusi ikäihmisten asumisyksikkö", "published": "2025-01-15T15:56:18+02:00",
        "organisation": "Oma Häme", "type": "Tiedote"}, [], [NO_MARKUP]),
    "counties/sttinfo-71399056-hyvaks-EEST.txt": ("article", {
        "title": "Keski-Suomen hyvinvointialue haluaa kuulla", "published": "2025-08-28T14:43:24+03:00",
        "organisation": "Keski-Suomen hyvinvointialue", "type": "Tiedote"}, [], [NO_MARKUP]),
    "counties/sttinfo-headers-two-part.txt": ("header lines", {
        "published": ["2021-11-26T12:45:52+02:00", "2024-10-29T06:00:00+02:00", "2025-08-15T16:39:11+03:00",
                      "2026-01-28T16:32:25+02:00", "2026-02-17T18:09:54+02:00"],
        "organisation": ["-", "-", "-", "Pirkanmaan hyvinvointialue", "Keski-Suomen hyvinvointialue"],
        "type": ["Tiedote"] * 5}, None, []),
    "counties/dynasty-luhva-meetingitem-2023277-5.txt": ("article", {
        "title": "Yhteistoimintaneuvottelujen tuloksen hyväksyminen", "published": "2023-12-04T00:00:00+02:00",
        "lead": "1. todeta, että työnantajan"}, [], []),
    # a third party's excerpt of the content area: no <title>, so not a page; its lead is still read
    "counties/dynasty-porvoo-asiasivu-structure.html": ("fragment", {
        "lead": "Kaupunkikehityslautakunta päätti"}, [],
        ["no article content in this excerpt: it has no <title>, so it is a piece of a page, not a page"]),
    "counties/dynasty-joensuu-cdata-entities.txt": ("feed", {
        "title": "Tikkarinne 9 keittiön peruskorjaus – hyväksyminen"}, ["https://x.fi/cgi/D.PHP?page=meetingitem&id=12"],
        []),
}


@covers(*PROBED)
@pytest.mark.parametrize("name", sorted(PROBED))
def test_probe_names_what_each_sample_is_and_warns_about_nothing_it_has(name, config):
    kind, fields, links, notes = PROBED[name]
    report = probe(str(SAMPLES / name), config, url=readme_urls().get(name, "").rstrip(";") or None)
    assert (report.kind, report.warnings, report.notes) == (kind, [], notes)
    for key, want in fields.items():
        got = report.fields[key]["value"]
        assert got.startswith(want) if isinstance(want, str) and want else got == want, (key, got)
    if links is not None:
        assert report.links == links
    else:   # header lines: each with the canonical address it was seen at (no publisherId)
        assert len(report.links) == 5 and not [u for u in report.links if "publisherId" in u]


def test_probe_refuses_the_pager_template():
    from sotevahti.probe import ProbeError

    with pytest.raises(ProbeError, match="server template"):
        probe(str(SAMPLES / "liferay/liferay-portal-page_iterator-lexicon-next-link.jsp.txt"), None)


def test_probe_every_sample_is_in_the_table():
    files = {p.relative_to(SAMPLES).as_posix() for p in SAMPLES.rglob("*") if p.is_file() and p.name != "README.md"}
    assert files - set(PROBED) == {"liferay/liferay-portal-page_iterator-lexicon-next-link.jsp.txt"}


def test_probe_still_warns_when_an_article_page_lacks_its_date(config, tmp_path):
    # the real release with its stamp line cut out: a whole article text, so the missing date is news
    name = "liferay/vn-fi-1271139-hallituksen-esitys-sote.txt"
    text = sample(name).replace("Julkaisuajankohta 8.12.2020 10.12\n", "")
    assert text != sample(name)
    saved = tmp_path / "release.txt"
    saved.write_text(text, encoding="utf-8")
    url = readme_urls()["liferay/vn-fi-1271139-hallituksen-esitys-sote.txt"]
    report = probe(str(saved), config, url=url)
    assert report.kind == "article" and "no publication date found" in report.warnings
    # a whole HTML page (it has a <title>) with no stamp anywhere is an article without a date, not a fragment
    page_file = tmp_path / "page.html"
    page_file.write_text("<html lang='fi'><head><title>Uutinen - Oma Häme</title></head><body><h1>Uusi "
                         "asumisyksikkö avautuu</h1><p>Oma Hämeen uusi asumisyksikkö avautuu Lopelle elokuussa, ja "
                         "nyt etsimme sille nimeä.</p></body></html>", encoding="utf-8")
    report = probe(str(page_file), config, url="https://omahame.fi/fi/w/uusi-asumisyksikko")
    assert report.kind == "article" and "no publication date found" in report.warnings


def test_every_sample_has_a_test():
    files = {p.relative_to(SAMPLES).as_posix() for p in SAMPLES.rglob("*") if p.is_file() and p.name != "README.md"}
    assert files <= COVERED, sorted(files - COVERED)
