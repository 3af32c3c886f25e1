"""HTML to plain text, shared by every parser.

Bodies are stored as plain text with one blank line between blocks, so that diffs, the
deadline extractor and full-text search all see the same text whatever the site's markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from lxml import etree
from lxml.html import HtmlMixin
from parsel import Selector, SelectorList
from parsel.csstranslator import GenericTranslator, HTMLTranslator

_WS = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_BLOCKS = " or ".join(f"self::{t}" for t in "p h1 h2 h3 h4 h5 h6 li blockquote pre dt dd td th figcaption".split())
# Outermost block elements, plus text that sits directly in the container or in inline markup
# outside any block (a bare sentence in a <div>), in document order.
_BLOCK_XPATH = (f".//*[{_BLOCKS}][not(ancestor::*[{_BLOCKS}])]"
                f" | .//text()[not(ancestor::*[{_BLOCKS}])][not(ancestor::script or ancestor::style)]")
_BLOCK_XPATH_NO_NAV = (f".//*[{_BLOCKS}][not(ancestor::*[{_BLOCKS}] or ancestor::nav)]"
                       f" | .//text()[not(ancestor::*[{_BLOCKS}])][not(ancestor::script or ancestor::style"
                       f" or ancestor::nav)]")
# Compiled once and run on lxml's own tree: parsel would wrap every block of every page in a Selector.
_BLOCKS_OF = etree.XPath(_BLOCK_XPATH)
_BLOCKS_OF_NO_NAV = etree.XPath(_BLOCK_XPATH_NO_NAV)
_STRING = etree.XPath("string(.)")
_BLOCK_TAGS = frozenset("p h1 h2 h3 h4 h5 h6 li blockquote pre dt dd td th figcaption".split())
_NO_TEXT = frozenset(("script", "style"))


def clean_text(text: str | None) -> str:
    """Collapse runs of spaces (including no-break spaces) and trim each line."""
    if not text or text.isspace():
        return ""   # the indentation between tags: every line strips to nothing
    if text.isprintable():
        # One line with no tab, no-break or zero-width space (none is printable): only runs of
        # plain spaces to collapse, and only plain spaces to strip.
        return (_WS.sub(" ", text) if "  " in text else text).strip()
    lines = (_WS.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


_TRANSLATORS = {False: HTMLTranslator(), True: GenericTranslator()}   # parsel's own, by page type


@cache
def _css_xpath(query: str, xml: bool) -> etree.XPath:
    return etree.XPath(_TRANSLATORS[xml].css_to_xpath(query), smart_strings=False)


def tree_of(node: Selector | etree._Element, method: str = "css") -> etree._Element:
    """The lxml element behind a Selector (or the element itself), for :func:`css`.

    A page parsel read as JSON has no tree: that is refused with the error parsel's own ``css``
    (or ``xpath``, by ``method``) raises for it.
    """
    if not isinstance(node, Selector):
        return node
    if node.type not in ("html", "xml"):
        raise ValueError(f"Cannot use {method} on a Selector of type {node.type!r}")
    return node.root


def css(node: Selector | etree._Element, query: str) -> list:
    """What ``node.css(query)`` selects, as lxml elements (and ``str`` for ``::attr``/``::text``).

    The query is translated as parsel translates it (HTML or XML rules, by how the page was parsed)
    and compiled once: parsel wraps every node it finds in a new Selector, which cost more than
    the query on a 60 KiB page.
    """
    if isinstance(node, Selector):
        xml = node.type == "xml"
    else:
        xml = not isinstance(node, HtmlMixin)   # parsel parses HTML with lxml.html's parser
    return _css_xpath(query, xml)(tree_of(node))


def first_of(found: list) -> str | None:
    """``SelectorList.get()`` of the strings :func:`css` found: the first one, else ``None``."""
    return str(found[0]) if found else None


def string_of(element: etree._Element) -> str:
    """The XPath string value of an element (``x.xpath("string(.)").get()``)."""
    return str(_STRING(element))


def block_text(sel: Selector | SelectorList[Selector] | etree._Element | None, skip_nav: bool = False) -> str:
    """Plain text of a container: one line per block element, blocks separated by a blank line.

    Headings come out as their own paragraph, list items one per paragraph. Text outside any
    block element (a bare text node in a ``<div>``) is kept as its own paragraph too.
    ``skip_nav`` leaves out everything inside ``<nav>``.
    """
    if sel is None:
        return ""
    if isinstance(sel, etree._Element):
        return "\n\n".join(block_lines(sel, skip_nav))
    nodes = sel if isinstance(sel, SelectorList) else [sel]   # a list reads each of its nodes in turn
    return "\n\n".join(line for node in nodes for line in block_lines(node.root, skip_nav))


def block_lines(root: etree._Element, skip_nav: bool = False) -> list[str]:
    """The blocks of :func:`block_text` of an lxml element, one string each.

    One walk over the tree in document order, which is what the XPath in ``_BLOCK_XPATH`` selects
    (it is kept as the definition and for tests): an outermost block element gives its whole
    string value, text outside any block gives itself, nothing inside ``<script>``/``<style>``
    (or ``<nav>`` with ``skip_nav``) is text. Five times cheaper than the XPath's ancestor tests.
    """
    tags = {el.tag for el in (root, *root.iterancestors())}
    if tags & _BLOCK_TAGS or (skip_nav and "nav" in tags):
        return []   # inside a block everything is that block's; inside <nav> everything is skipped
    raw: list[str] = []
    _walk(root, bool(tags & _NO_TEXT), skip_nav, raw, ())
    return _cleaned(raw)[0]


def block_lines_of_parts(root: etree._Element, parts: tuple[etree._Element | None, ...],
                         ) -> tuple[list[str], list[list[str]]]:
    """``block_lines(root, skip_nav=True)`` and ``block_lines(part)`` of each of ``parts`` (elements
    inside ``root``: an article's lead and body; ``None`` for one a page lacks), from one walk of ``root``.

    A page's article is read for its stamp lines and then for its lead and body; walking it once
    reads each paragraph once. A ``<nav>`` is in a part's lines but not in the root's, as the
    separate calls have it.
    """
    tags = {el.tag for el in (root, *root.iterancestors())}
    if tags & _BLOCK_TAGS:
        return [], [[] for _ in parts]
    raw: list[str] = []
    spans = _walk(root, bool(tags & _NO_TEXT), False, raw, parts)
    lines, before = _cleaned(raw)
    navs = [(before[s], before[e]) for key, s, e in spans if key is None]
    in_nav = set().union(*(range(s, e) for s, e in navs)) if navs else set()
    root_lines = [] if "nav" in tags else [line for i, line in enumerate(lines) if i not in in_nav]
    found = {key: (before[s], before[e]) for key, s, e in spans if key is not None}
    found.update({k: (0, len(lines)) for k, part in enumerate(parts) if part is root})   # css() matches the root too
    return root_lines, [lines[slice(*found[k])] if k in found else [] for k in range(len(parts))]


def _walk(root: etree._Element, hidden: bool, skip_nav: bool, raw: list[str],
          parts: tuple[etree._Element | None, ...]) -> list[tuple[int | None, int, int]]:
    """Append the texts of :func:`block_lines` under ``root`` to ``raw``; with ``parts``, return where
    each part's texts (its index) and each ``<nav>``'s (``None``) begin and end in ``raw``."""
    spans: list[tuple[int | None, int, int]] = []
    if root.text and not hidden:
        raw.append(root.text)
    stack = [(iter(root), hidden)]
    while stack:
        children, hidden = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            continue
        tag = child.tag
        if isinstance(tag, str) and tag not in _BLOCK_TAGS and not (skip_nav and tag == "nav"):
            inner = hidden or tag in _NO_TEXT
            start = len(raw)
            if child.text and not inner:
                raw.append(child.text)
            span = None
            if parts:   # only block_lines_of_parts asks where texts are; block_lines walks as it did
                keys = [k for k, part in enumerate(parts) if part is child] + ([None] if tag == "nav" else [])
                span = (keys, start, spans) if keys else None
            stack.append((_with_tail(child, hidden, raw, span), inner))
            continue
        if isinstance(tag, str) and tag in _BLOCK_TAGS:
            raw.append(_STRING(child))
        if child.tail and not hidden:
            raw.append(child.tail)
    return spans


def _cleaned(raw: list[str]) -> tuple[list[str], list[int]]:
    """The non-empty cleaned texts of ``raw``, and for each index of ``raw`` (and its end) how many
    of them come before it."""
    parts: list[str] = []
    before = []
    for text in raw:
        before.append(len(parts))
        if text.isspace():
            continue
        printable = text.isprintable()   # then its cleaned text is one line (see clean_text)
        text = clean_text(text)
        if text:
            parts.append(text if printable else " ".join(text.splitlines()))
    before.append(len(parts))
    return parts, before


def _with_tail(element: etree._Element, hidden: bool, raw: list[str],
               span: tuple[list[int | None], int, list[tuple[int | None, int, int]]] | None = None,
               ) -> Iterator[etree._Element]:
    """The children of ``element``, then its tail text (which belongs to the parent's context).
    With ``span`` ``(keys, start, spans)``, ``(key, start, end)`` is appended to ``spans`` for each
    key once the children are read: where the element's texts are in ``raw``."""
    yield from element
    if span is not None:
        keys, start, spans = span
        spans.extend((key, start, len(raw)) for key in keys)
    if element.tail and not hidden:
        raw.append(element.tail)


def first_text(sel: Selector | etree._Element, *queries: str) -> str:
    """The cleaned text of the first CSS query that matches something non-empty."""
    for q in queries:
        for node in css(sel, q):
            # a string a ``::text``/``::attr`` query found has no string value of its own in parsel
            text = clean_text(string_of(node)) if isinstance(node, etree._Element) else ""
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
