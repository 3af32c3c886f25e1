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
