"""HTML to plain text: blocks become paragraphs and no text is lost."""

import random

import pytest
from lxml import etree
from parsel import Selector

from sotevahti.htmltext import _WS, block_lines, block_text, clean_text, css


def test_block_text_keeps_loose_text_and_drops_scripts():
    html = ("<div id=b>Lausuntopyyntö lausuntopalvelu.fi:ssä<p>Lausuntoaika <b>päättyy</b> 25.9.2020.</p>"
            "<ul><li>Liite 1</li><li>Liite 2</li></ul><h2>Lisätietoja</h2><script>var x = 1;</script></div>")
    assert block_text(Selector(text=html).css("#b")[0]) == (
        "Lausuntopyyntö lausuntopalvelu.fi:ssä\n\nLausuntoaika päättyy 25.9.2020.\n\nLiite 1\n\nLiite 2\n\nLisätietoja")


def test_clean_text_collapses_no_break_spaces():
    raw = "  Julkaisuajankohta\u00a0 3.3.2016\t12.19 \n\n Uutinen "
    assert clean_text(raw) == "Julkaisuajankohta 3.3.2016 12.19\nUutinen"


def _clean_text_by_lines(text):
    """The definition :func:`clean_text`'s shortcuts stand for: every line collapsed and trimmed."""
    lines = (_WS.sub(" ", line).strip() for line in (text or "").splitlines())
    return "\n".join(line for line in lines if line)


def _mixed_texts():
    pieces = ["Lausuntoaika", "päättyy", "25.9.2020.", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u200b",
              "\u2028", "\x0b", "\x0c", "\x1c", "\x85", "\u3000", "\u2009", "å", "", "\n  \n"]
    rng = random.Random(12)
    return ["", " ", "\n    ", "\u200b", "\u00a0", "a  b", " a ", "\x1cx", *(
        "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 9))) for _ in range(5000))]


def test_clean_text_shortcuts_answer_as_the_line_by_line_definition():
    for text in _mixed_texts():
        assert clean_text(text) == _clean_text_by_lines(text), repr(text)


def test_block_lines_makes_each_loose_text_one_line_as_the_definition_does():
    checked = 0
    for text in _mixed_texts():
        div = etree.Element("div")
        try:
            div.text = text
        except ValueError:   # a control character lxml refuses: no page can carry it
            continue
        cleaned = _clean_text_by_lines(text)
        assert block_lines(div) == ([" ".join(cleaned.splitlines())] if cleaned else []), repr(text)
        checked += 1
    assert checked > 1000


def test_css_selects_what_parsel_selects_on_html_and_xml_pages():
    page = ("<html lang=fi><head><link rel=canonical href='https://stm.fi/-/1/x'><link rel=alternate hreflang=sv "
            "href='/sv/-/1/x'></head><body><main><article><h1>Otsikko</h1><div class='article__type x'>Tiedote</div>"
            "<a href='/documents/1.pdf'>Liite</a><P CLASS=lead>Johdanto.</P></article></main></body></html>")
    queries = ["link[rel=canonical]::attr(href)", "article", "main", "h1", ".article__type", "P", ".lead",
               "a[href*='/documents/']", "link[rel=alternate][hreflang]", "a::text"]
    xhtml = ("<?xml version='1.0'?><html lang='fi'><body><main><article><h1>Otsikko</h1>"
             "<div class='article__type x'>Tiedote</div><a href='/documents/1.pdf'>Liite</a>"
             "<P class='lead'>Johdanto.</P></article></main></body></html>")
    for text in (page, xhtml):
        sel = Selector(text=text)
        for query in queries:
            expected = [x.root for x in sel.css(query)]
            assert css(sel, query) == expected, (sel.type, query)
            assert css(sel.root, query) == expected, (sel.type, query)
    assert Selector(text=xhtml).type == "xml" and Selector(text=xhtml).css("P") and not Selector(text=xhtml).css("p")
    with pytest.raises(ValueError, match="Cannot use css on a Selector of type 'json'"):
        css(Selector(text="[1]"), "p")


def _by_separate_walks(root, parts):
    return block_lines(root, skip_nav=True), [block_lines(p) if p is not None else [] for p in parts]


_EDGES = [
    # a <nav> inside the body: the body's lines keep it, the article's do not
    '<article><h1>Otsikko</h1><div class="lead"><p>Ingressi.</p></div><div class="body"><p>Eka.</p>'
    '<nav><a href="#">Sivun alkuun</a></nav> irrallinen <b>teksti</b><p>Toka.</p></div>jälkeen</article>',
    # the lead is a <p> itself (block_lines of a block is empty), a script in the body, tails everywhere
    '<article>alku<p class="lead">Ingressi on kappale.</p>väli<div class="body">x<script>var a=1;</script>y'
    '<div><span>sisempi</span> häntä</div><li>kohta</li></div>loppu</article>',
    # the lead inside a <nav>, the body missing
    '<article><nav><div class="lead"><p>Navissa.</p></div></nav><p>Teksti.</p></article>',
    # the body is the article itself (css() matches the root too)
    '<article class="body"><p>Koko artikkeli.</p><nav><p>valikko</p></nav></article>',
    # whitespace-only and control-character texts
    '<article><div class="lead">   </div><div class="body"><p>a\x0bb</p>\n\n<p>\u00a0</p>c\n d</div></article>',
]


@pytest.mark.parametrize("html", _EDGES)
def test_one_walk_of_an_article_gives_what_the_separate_walks_give(html):
    from sotevahti.htmltext import block_lines_of_parts

    root = Selector(text=html).root.find(".//article")
    lead, body = (css(root, ".lead") or [None])[0], (css(root, ".body") or [None])[0]
    assert block_lines_of_parts(root, (lead, body)) == _by_separate_walks(root, (lead, body))


def test_one_walk_matches_the_separate_walks_on_every_mirror_article_and_bench_page(site):
    """Every article anatomy the mirror renders (each host, language and layout), and the bench's
    62 KiB pages with a ministry site's chrome, read with the queries ``liferay.parse_article`` uses."""
    import sys
    from datetime import date
    from pathlib import Path
    from urllib.parse import urlsplit

    from sotevahti.htmltext import block_lines_of_parts

    sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
    from bench_site import BenchSite

    pages = [site.render(a.host, a.path(), "", a.epoch, "http://127.0.0.1:8123").body.decode("utf-8")
             for a in site.articles]
    bench = BenchSite(30, date(2026, 11, 24))
    for url in bench.article_urls(1):
        parts = urlsplit(url)
        pages.append(bench.render(parts.hostname, parts.path, parts.query, 1, "http://127.0.0.1:8123").body.decode())
    with_both = 0
    for html in pages:
        doc = Selector(text=html).root
        root = (css(doc, "article") or css(doc, ".journal-content-article") or css(doc, "main") or [doc])[0]
        lead = (css(root, ".article__lead, .lead, .article-lead") or [None])[0]
        body = (css(root, ".article__body, .article-body, .journal-content-article-body") or [None])[0]
        assert block_lines_of_parts(root, (lead, body)) == _by_separate_walks(root, (lead, body))
        with_both += lead is not None and body is not None
    assert len(pages) > 60 and with_both > 30
