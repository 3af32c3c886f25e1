"""HTML to plain text, shared by every parser.

Bodies are stored as plain text with one blank line between blocks, so that diffs, the
deadline extractor and full-text search all see the same text whatever the site's markup.
"""

from __future__ import annotations

import re

from parsel import Selector

_WS = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_BLOCKS = " or ".join(f"self::{t}" for t in "p h1 h2 h3 h4 h5 h6 li blockquote pre dt dd td th figcaption".split())
# Outermost block elements, plus text that sits directly in the container or in inline markup
# outside any block (a bare sentence in a <div>), in document order.
_BLOCK_XPATH = (f".//*[{_BLOCKS}][not(ancestor::*[{_BLOCKS}])]"
                f" | .//text()[not(ancestor::*[{_BLOCKS}])][not(ancestor::script or ancestor::style)]")
_BLOCK_XPATH_NO_NAV = (f".//*[{_BLOCKS}][not(ancestor::*[{_BLOCKS}] or ancestor::nav)]"
                       f" | .//text()[not(ancestor::*[{_BLOCKS}])][not(ancestor::script or ancestor::style"
                       f" or ancestor::nav)]")


def clean_text(text: str | None) -> str:
    """Collapse runs of spaces (including no-break spaces) and trim each line."""
    if not text:
        return ""
    lines = (_WS.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def block_text(sel: Selector | None, skip_nav: bool = False) -> str:
    """Plain text of a container: one line per block element, blocks separated by a blank line.

    Headings come out as their own paragraph, list items one per paragraph. Text outside any
    block element (a bare text node in a ``<div>``) is kept as its own paragraph too.
    ``skip_nav`` leaves out everything inside ``<nav>``.
    """
    if sel is None:
        return ""
    parts = []
    for node in sel.xpath(_BLOCK_XPATH_NO_NAV if skip_nav else _BLOCK_XPATH):
        raw = node.root if isinstance(node.root, str) else node.xpath("string(.)").get()
        text = clean_text(raw)
        if text:
            parts.append(" ".join(text.splitlines()))
    return "\n\n".join(parts)


def first_text(sel: Selector, *queries: str) -> str:
    """The cleaned text of the first CSS query that matches something non-empty."""
    for q in queries:
        for node in sel.css(q):
            text = clean_text(node.xpath("string(.)").get())
            if text:
                return " ".join(text.splitlines())
    return ""


def is_prose(text: str) -> bool:
    """A sentence, not a label, a tag run or a chrome line: six words or more, or four or more ending
    in ``.``, ``!`` or ``?``; never a line ending in ``:`` or ``»``.

    >>> is_prose("Tutustu tuoreeseen hyvinvointialueiden tilannekuvaan!"), is_prose("Eller välj språk:")
    (True, False)
    """
    words, end = len(text.split()), text.rstrip()[-1:]
    return end not in (":", "»") and (words >= 6 or (words >= 4 and end in ".!?"))


def split_lead(body: str) -> tuple[str, str]:
    """The lead (the first block of ``body`` that reads as prose) and the rest of the body.

    Blocks before the lead (a caption, a preparer's name) stay in the body. With no prose, the
    first short sentence (``Sote-keskus muuttaa.``) is the lead; with none either there is no
    lead (a menu or a list of names is not one).
    """
    blocks = body.split("\n\n")
    at = next((i for i, block in enumerate(blocks) if is_prose(block)), None)
    if at is None:
        at = next((i for i, b in enumerate(blocks) if len(b.split()) >= 2 and b.rstrip()[-1:] in ".!?"), None)
    if at is None:
        return "", body
    return blocks[at], "\n\n".join(blocks[:at] + blocks[at + 1:])
