"""Feeds per region, organisation, kind and language, and the OPML file that lists every feed.

All of them come from the same feed code as ``feed.xml`` (:func:`sotevahti.feeds.build_feed`),
filtered by one column: ``public/feeds/region/08-pirkanmaa.xml``,
``public/feeds/organisation/sosiaali-ja-terveysministerio.xml``, ``public/feeds/kind/consultation.xml``,
``public/feeds/language/sv.xml``. ``public/feeds.opml`` lets a reader subscribe to all at once.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from .regions import COUNTIES, NATIONAL, region_name
from .sources import FeedSettings
from .store import Store

KIND_NAMES = {"announcement": "Tiedotteet ja uutiset", "consultation": "Lausuntopyynnöt",
              "page": "Seuratut sivut", "decision": "Päätökset"}
LANGUAGE_NAMES = {"fi": "suomeksi", "sv": "på svenska", "en": "in English"}
GROUP_NAMES = {"main": "Sotevahti", "region": "Alueittain", "organisation": "Organisaatioittain",
               "kind": "Tyypeittäin", "language": "Kielittäin"}


@dataclass(frozen=True)
class FeedSpec:
    """One feed: which items it holds, its title and where it is written below ``public/``."""

    dimension: str      # region, organisation, kind, language, or "main" for the top-level files
    value: str
    title: str
    path: str           # relative to public/, e.g. feeds/region/08-pirkanmaa.xml


def slugify(text: str) -> str:
    """ASCII file-name form: ``Sosiaali- ja terveysministeriö`` → ``sosiaali-ja-terveysministerio``."""
    folded = text.casefold().translate(str.maketrans("äöåé", "aoae"))
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def _region_file(code: str) -> str:
    return "national" if code == NATIONAL else f"{code}-{COUNTIES[code][2]}" if code in COUNTIES else slugify(code)


_NAMING: dict[str, Callable[[str], tuple[str, str]]] = {
    "region": lambda v: (region_name(v) if v == NATIONAL or v in COUNTIES else v, _region_file(v)),
    "organisation": lambda v: (v, slugify(v)),
    "kind": lambda v: (KIND_NAMES.get(v, v), slugify(v)),
    "language": lambda v: (LANGUAGE_NAMES.get(v, v), v),
}


def feed_specs(store: Store, settings: FeedSettings) -> list[FeedSpec]:
    """One spec per value of each dimension that relevant stored items take."""
    specs = []
    for dimension, naming in _NAMING.items():
        for value in store.distinct_values(dimension):
            label, file = naming(value)
            specs.append(FeedSpec(dimension, value, f"{settings.title}: {label}", f"feeds/{dimension}/{file}.xml"))
    return specs


def render_opml(specs: Iterable[FeedSpec], settings: FeedSettings, now: datetime) -> bytes:
    """An OPML 2.0 subscription list, one outline group per dimension."""
    base = settings.public_url.rstrip("/")
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = settings.title
    ET.SubElement(head, "dateCreated").text = format_datetime(now)
    body = ET.SubElement(root, "body")
    groups: dict[str, ET.Element] = {}
    for spec in specs:
        if spec.dimension not in groups:
            name = GROUP_NAMES.get(spec.dimension, spec.dimension)
            groups[spec.dimension] = ET.SubElement(body, "outline", text=name, title=name)
        ET.SubElement(groups[spec.dimension], "outline", type="rss", text=spec.title, title=spec.title,
                      xmlUrl=f"{base}/{spec.path}", htmlUrl=settings.public_url)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def main_specs(settings: FeedSettings) -> list[FeedSpec]:
    """The top-level feeds, for the OPML file."""
    t = settings.title
    return [FeedSpec("main", "rss", t, "feed.xml"), FeedSpec("main", "atom", f"{t} (Atom)", "atom.xml"),
            FeedSpec("main", "deadlines", f"{t}: määräajat", "deadlines.xml"),
            FeedSpec("main", "deadlines_atom", f"{t}: määräajat (Atom)", "deadlines-atom.xml"),
            FeedSpec("main", "health", f"{t}: lähteiden tila", "health.xml")]


