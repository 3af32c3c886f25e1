"""HTML to plain text: blocks become paragraphs and no text is lost."""

from parsel import Selector

from sotevahti.htmltext import block_text, clean_text


def test_block_text_keeps_loose_text_and_drops_scripts():
    html = ("<div id=b>Lausuntopyyntö lausuntopalvelu.fi:ssä<p>Lausuntoaika <b>päättyy</b> 25.9.2020.</p>"
            "<ul><li>Liite 1</li><li>Liite 2</li></ul><h2>Lisätietoja</h2><script>var x = 1;</script></div>")
    assert block_text(Selector(text=html).css("#b")[0]) == (
        "Lausuntopyyntö lausuntopalvelu.fi:ssä\n\nLausuntoaika päättyy 25.9.2020.\n\nLiite 1\n\nLiite 2\n\nLisätietoja")


def test_clean_text_collapses_no_break_spaces():
    raw = "  Julkaisuajankohta\u00a0 3.3.2016\t12.19 \n\n Uutinen "
    assert clean_text(raw) == "Julkaisuajankohta 3.3.2016 12.19\nUutinen"
