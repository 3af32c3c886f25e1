"""Reading lausuntopalvelu.fi, the government's consultation service (DOMAIN.md §1.5).

Plain functions over the OData v2 API's answers and the request pages, so they are tested
without Scrapy; the spider only fetches and calls these.

The API lives at ``https://www.lausuntopalvelu.fi/api/v1/Lausuntopalvelu.svc/``; its
``Proposals`` collection is the list of consultation requests (*lausuntopyynnöt*). It answers
Atom XML by default and JSON verbose when asked with ``Accept: application/json;odata=verbose``
(``$format=json`` gets a 400 from the real service). Both shapes carry the same fields::

    Id               9c1d…-GUID            ->  Proposal.id
    Name             plain text or HTML    ->  Proposal.name (plain text)
    Goals            HTML                  ->  Proposal.goals (plain text, blank line between blocks)
    Deadline         when answers are due  ->  Proposal.deadline + deadline_time
    ClosingDate      when the request closes  ->  Proposal.closing_date
    PublishedOn      2026-04-22T10:52:41.58 (Atom) or /Date(1776855161580)/ (JSON)
    RegisterNumber   VN/6671/2026
    OrganizationName Sosiaali- ja terveysministeriö
    OrganizationId   GUID
    ApprovalStatus   an integer code

**Dates.** The service stores wall-clock times in Finland with no zone. Atom writes them as
naive ISO strings, which are Helsinki time. JSON verbose writes the same wall-clock reading as
if it were UTC (what WCF Data Services does with a zone-less ``DateTime``): the real
``/Date(1436227199000)/`` is 2015-07-06T23:59:59Z, i.e. a deadline at the very end of
6.7.2015, not 02:59:59 on the 7th. So a ``/Date(ms)/`` *without* an offset is read as Helsinki
wall time, and both formats give the same :class:`Proposal`. (``dates.parse_iso_datetime``
reads ``/Date(ms)/`` as a true UTC instant, which suits other OData services but not this one.)

>>> p = Proposal(id="3F2A9C4E-8B1D-4C7A-9E55-2B6D0F1A7C33", name="Luonnos", goals="",
...     deadline=date(2026, 12, 15), deadline_time=None, closing_date=None,
...     published=datetime(2026, 11, 17, 10, 52, tzinfo=HELSINKI), register_number="VN/6671/2026",
...     organisation="Valtiovarainministeriö", organisation_id="", approval_status="2")
>>> p.item_id, p.effective_deadline
('lp-3f2a9c4e-8b1d-4c7a-9e55-2b6d0f1a7c33', datetime.date(2026, 12, 15))
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import quote, urljoin

from lxml import etree
from parsel import Selector

from .dates import HELSINKI, parse_iso_datetime
from .htmltext import block_text, clean_text
from .lausuntopalvelu_page import Participation, parse_participation
from .regions import NATIONAL, fold_name, region_of
from .topic import TopicFilter

SITE = "https://www.lausuntopalvelu.fi"
API_BASE = f"{SITE}/api/v1/Lausuntopalvelu.svc/"
PROPOSALS_URL = API_BASE + "Proposals"
PARTICIPATION_URL = SITE + "/FI/Proposal/Participation?proposalId={id}"

#: The Accept header that selects each answer format (the real API ignores ``$format``).
ACCEPT = {
    "atom": "application/atom+xml,application/xml;q=0.9",
    "json": "application/json;odata=verbose",
}

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "m": "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata",
    "d": "http://schemas.microsoft.com/ado/2007/08/dataservices",
}
_ATOM = f"{{{NS['atom']}}}"  # Clark notation: "{namespace}tag"
_D = f"{{{NS['d']}}}"
_M_NULL = f"{{{NS['m']}}}null"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_PROPOSAL_LINK = re.compile(rf"(?:proposalId(?:=|%3D)|guid')({_GUID})", re.IGNORECASE)
# Every match of _PROPOSAL_LINK contains one of these (in the cases sites write them).
_PROPOSAL_MARKS = ("roposal", "ROPOSAL", "uid'", "UID'")
_ENTRY_GUID = re.compile(rf"guid'({_GUID})'", re.IGNORECASE)
_ODATA_DATE = re.compile(r"/Date\((-?\d+)([+-]\d{1,4})?\)/")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False, huge_tree=False)


@dataclass(frozen=True)
class Proposal:
    """One consultation request (*lausuntopyyntö*) as the API describes it.

    ``deadline_time`` is ``None`` when the request is open for the whole day: the API writes
    such deadlines as 00:00 or 23:59(:59). ``published`` is an aware Europe/Helsinki datetime.
    """

    id: str
    name: str
    goals: str
    deadline: date | None
    deadline_time: time | None
    closing_date: date | None
    published: datetime
    register_number: str
    organisation: str
    organisation_id: str
    approval_status: str

    @property
    def participation_url(self) -> str:
        """The public request page, where answers are given and the distribution list is shown."""
        return PARTICIPATION_URL.format(id=self.id)

    @property
    def item_id(self) -> str:
        """Sotevahti's id for the proposal: ``lp-`` and the GUID in lower case (never the title)."""
        return "lp-" + self.id.lower()

    @property
    def effective_deadline(self) -> date | None:
        """The day answers are due: ``Deadline``, else ``ClosingDate``.

        ``Deadline`` wins because it is the field the request page shows as "Vastausaika
        päättyy" / "Vastausaika on päättynyt", i.e. the last day to answer, and the one
        organisers move when they extend a consultation. ``ClosingDate`` closes the request as
        a whole (it may come later, after the organiser has processed the answers), so it only
        stands in when ``Deadline`` is missing.
        """
        return self.deadline if self.deadline is not None else self.closing_date


# -- dates ----------------------------------------------------------------------------------------


def parse_api_datetime(value: str | None) -> datetime | None:
    """An API date as an aware Helsinki datetime; ``None`` for empty or unreadable values.

    >>> parse_api_datetime("2026-04-22T10:52:41.58").isoformat()
    '2026-04-22T10:52:41.580000+03:00'
    >>> parse_api_datetime("/Date(1436227199000)/").isoformat()   # wall time written as UTC
    '2015-07-06T23:59:59+03:00'
    >>> parse_api_datetime("/Date(1436227199000+0180)/").isoformat()   # with an offset: a real instant
    '2015-07-07T02:59:59+03:00'
    """
    if not value or not value.strip():
        return None
    m = _ODATA_DATE.fullmatch(value.strip())
    if m and not m[2]:
        wall = datetime.fromtimestamp(int(m[1]) / 1000, tz=UTC).replace(tzinfo=None)
        return wall.replace(tzinfo=HELSINKI)
    if m:
        return datetime.fromtimestamp(int(m[1]) / 1000, tz=UTC).astimezone(HELSINKI)
    return parse_iso_datetime(value)


def _deadline_parts(value: str | None) -> tuple[date | None, time | None]:
    """Split an API deadline into a day and a time; whole-day deadlines (00:00, ≥ 23:59) get no time.

    >>> _deadline_parts("2026-12-15T16:15:00")
    (datetime.date(2026, 12, 15), datetime.time(16, 15))
    >>> _deadline_parts("2026-12-15T23:59:59")
    (datetime.date(2026, 12, 15), None)
    """
    dt = parse_api_datetime(value)
    if dt is None:
        return None, None
    clock = time(dt.hour, dt.minute)
    if clock == time(0, 0) or clock >= time(23, 59):
        return dt.date(), None
    return dt.date(), clock


# -- building proposals ---------------------------------------------------------------------------


def _plain(html: str | None) -> str:
    """Plain text of an API text field that may hold HTML (``Name``, ``Goals``)."""
    if not html or not html.strip():
        return ""
    if "<" not in html and "&" not in html:
        return clean_text(html)
    return block_text(Selector(text=f"<div>{html}</div>").xpath("//div[1]"))


def _proposal(fields: Mapping[str, Any], fallback_id: str = "") -> Proposal | None:
    """A :class:`Proposal` from the API's field values; ``None`` without an id or a publication time."""
    pid = str(fields.get("Id") or fallback_id or "").strip()
    published = parse_api_datetime(_text(fields.get("PublishedOn"))) or parse_api_datetime(
        _text(fields.get("ApprovedOn")))
    if not pid or published is None:
        return None  # an unpublished or broken entry: nothing a reader could open
    deadline, deadline_time = _deadline_parts(_text(fields.get("Deadline")))
    closing = parse_api_datetime(_text(fields.get("ClosingDate")))
    return Proposal(
        id=pid,
        name=" ".join(_plain(_text(fields.get("Name"))).split()),
        goals=_plain(_text(fields.get("Goals"))),
        deadline=deadline,
        deadline_time=deadline_time,
        closing_date=closing.date() if closing else None,
        published=published,
        register_number=(_text(fields.get("RegisterNumber")) or "").strip(),
        organisation=clean_text(_text(fields.get("OrganizationName"))),
        organisation_id=(_text(fields.get("OrganizationId")) or "").strip(),
        approval_status=(_text(fields.get("ApprovalStatus")) or "").strip(),
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- Atom -----------------------------------------------------------------------------------------


def parse_proposals_atom(xml: str | bytes, base_url: str | None = None) -> tuple[list[Proposal], str | None]:
    """Proposals of an OData Atom answer, and the absolute URL of the next page (or ``None``).

    Reads a ``<feed>`` of ``<entry>`` elements or a single ``<entry>`` (``Proposals(guid'…')``).
    Each entry's fields sit at ``content/m:properties/d:<Field>``; ``m:null="true"`` is empty.
    A relative ``<link rel="next">`` is resolved against ``xml:base``, else ``base_url``.

    :param xml: the response body.
    :param base_url: the URL the answer was fetched from, for relative next links.
    :raises ValueError: when the body is not XML.
    """
    # lxml refuses a str that declares an encoding; a str is already decoded, so drop the declaration.
    data = _XML_DECL.sub("", xml, count=1).encode("utf-8") if isinstance(xml, str) else xml
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not an OData Atom document: {exc}") from exc
    entries = [root] if root.tag == _ATOM + "entry" else root.findall(_ATOM + "entry")
    proposals = [p for p in (_atom_entry(e) for e in entries) if p is not None]
    next_url = None
    for link in root.findall(_ATOM + "link"):
        if link.get("rel") == "next" and link.get("href"):
            base = root.get(_XML_BASE) or base_url or ""
            next_url = urljoin(base, link.get("href", "")) if base else link.get("href")
            break
    return proposals, next_url


def _atom_entry(entry: etree._Element) -> Proposal | None:
    props = entry.find(f"{_ATOM}content/{{{NS['m']}}}properties")
    if props is None:
        props = entry.find(f"{{{NS['m']}}}properties")  # media-link entries keep them outside content
    if props is None:
        return None
    fields: dict[str, str | None] = {}
    for el in props:
        if not isinstance(el.tag, str) or not el.tag.startswith(_D):
            continue
        fields[el.tag[len(_D):]] = None if el.get(_M_NULL) == "true" else (el.text or "")
    entry_id = entry.findtext(_ATOM + "id") or ""
    m = _ENTRY_GUID.search(entry_id)
    return _proposal(fields, m[1] if m else "")


# -- JSON verbose ---------------------------------------------------------------------------------


def parse_proposals_json(text: str | bytes, base_url: str | None = None) -> tuple[list[Proposal], str | None]:
    """Proposals of an OData JSON-verbose answer, and the absolute next-page URL (or ``None``).

    Accepts ``{"d": {"results": [...], "__next": "…"}}`` (OData v2), ``{"d": [...]}`` (v1) and
    ``{"d": {…one proposal…}}``. Dates are ``/Date(ms)/`` (see the module doc) or ISO strings.

    :raises ValueError: when the body is not JSON of that shape.
    """
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not OData JSON: {exc}") from exc
    d = doc.get("d") if isinstance(doc, dict) else None
    next_url = None
    if isinstance(d, list):
        rows = d
    elif isinstance(d, dict) and isinstance(d.get("results"), list):
        rows = d["results"]
        next_url = d.get("__next") or None
    elif isinstance(d, dict) and "Id" in d:
        rows = [d]
    else:
        raise ValueError('OData JSON without a "d" collection')
    proposals = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        uri = str((row.get("__metadata") or {}).get("uri") or "")
        m = _ENTRY_GUID.search(uri)
        p = _proposal(row, m[1] if m else "")
        if p is not None:
            proposals.append(p)
    if next_url and base_url:
        next_url = urljoin(base_url, next_url)
    return proposals, next_url


def parse_proposals(body: bytes, content_type: str, base_url: str | None = None) -> tuple[list[Proposal], str | None]:
    """Parse an API answer by its ``Content-Type``: JSON verbose or Atom (the default).

    A missing or generic content type is sniffed from the first character of the body.
    """
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind.endswith("json") or (not kind.endswith("xml") and body.lstrip()[:1] in (b"{", b"[")):
        return parse_proposals_json(body, base_url)
    return parse_proposals_atom(body, base_url)


def iter_pages(first_url: str, fetch: Callable[[str], tuple[bytes, str]]) -> Iterator[list[Proposal]]:
    """Follow next links: ``fetch(url) -> (body, content_type)``; yields each page's proposals.

    A helper for scripts and tests; the spider follows the links itself. Stops on a repeated URL.
    """
    url: str | None = first_url
    seen: set[str] = set()
    while url and url not in seen:
        seen.add(url)
        body, content_type = fetch(url)
        proposals, url = parse_proposals(body, content_type, base_url=url)
        yield proposals


def proposals_url(base: str = PROPOSALS_URL, top: int = 50, fmt: str = "atom") -> str:
    """The newest-first query on the ``Proposals`` collection.

    The format is chosen with the ``Accept`` header (:data:`ACCEPT`), not in the URL: the real
    API answers 400 to ``$format=json``, so ``fmt`` is only checked here.

    >>> proposals_url("https://www.lausuntopalvelu.fi/api/v1/Lausuntopalvelu.svc/Proposals")
    'https://www.lausuntopalvelu.fi/api/v1/Lausuntopalvelu.svc/Proposals?$orderby=PublishedOn%20desc&$top=50'
    >>> proposals_url("https://www.lausuntopalvelu.fi/api/v1/Lausuntopalvelu.svc/", top=5)
    'https://www.lausuntopalvelu.fi/api/v1/Lausuntopalvelu.svc/Proposals?$orderby=PublishedOn%20desc&$top=5'
    """
    if fmt not in ACCEPT:
        raise ValueError(f"unknown format {fmt!r}: use one of {sorted(ACCEPT)}")
    if top < 1:
        raise ValueError("top must be at least 1")
    if base.rstrip("/").lower().endswith(".svc"):
        base = base.rstrip("/") + "/Proposals"
    query = f"$orderby={quote('PublishedOn desc')}&$top={top}"
    return f"{base}{'&' if '?' in base else '?'}{query}"


# -- scope ----------------------------------------------------------------------------------------


def is_reform_proposal(p: Proposal, organisations: Iterable[str],
                       topic: TopicFilter) -> tuple[bool, tuple[str, ...]]:
    """Whether a proposal belongs to the sote reform, and why.

    In scope when the organisation is one of ``organisations`` (case-insensitive), or is a
    wellbeing services county, Helsinki or HUS (:func:`region_of`), or the topic filter matches
    the name and goals. Reasons read ``organisation: <name>``, ``region: <code>`` and then the
    topic filter's stems, all that apply.

    :param p: the proposal.
    :param organisations: the reform organisations configured for the source.
    :param topic: the source's topic filter.
    :return: ``(in_scope, reasons)``; reasons are empty when out of scope.
    """
    reasons: list[str] = []
    wanted = {fold_name(o) for o in organisations}
    if fold_name(p.organisation) in wanted:
        reasons.append(f"organisation: {p.organisation}")
    region = region_of(p.organisation)
    if region != NATIONAL:
        reasons.append(f"region: {region}")
    decision = topic.decide(p.name, p.goals)
    reasons.extend(decision.terms)
    if decision.relevant and not decision.terms:
        reasons.append("topic: all")  # a match_all filter
    return bool(reasons), tuple(reasons)


# -- links and request pages ----------------------------------------------------------------------


def proposal_ids_in(html_or_text: str) -> list[str]:
    """Every proposal GUID linked from a page (``proposalId=<GUID>``, also ``guid'<GUID>'``).

    Lower-cased, each once, in order of appearance.

    >>> proposal_ids_in('<a href="https://www.lausuntopalvelu.fi/FI/Proposal/Participation?'
    ...     'proposalId=3F2A9C4E-8B1D-4C7A-9E55-2B6D0F1A7C33">Lausuntopyyntö</a>')
    ['3f2a9c4e-8b1d-4c7a-9e55-2b6d0f1a7c33']
    """
    if not any(mark in html_or_text for mark in _PROPOSAL_MARKS):
        return []   # the cheap substring check: no proposal link can be here, skip the regex
    seen: dict[str, None] = {}
    for m in _PROPOSAL_LINK.finditer(html_or_text):
        seen.setdefault(m[1].lower(), None)
    return list(seen)


__all__ = [
    "ACCEPT", "API_BASE", "PARTICIPATION_URL", "PROPOSALS_URL", "Participation", "Proposal", "is_reform_proposal",
    "iter_pages", "parse_api_datetime", "parse_participation", "parse_proposals", "parse_proposals_atom",
    "parse_proposals_json", "proposal_ids_in", "proposals_url", "region_of",
]
