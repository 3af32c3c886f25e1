"""The mirrored lausuntopalvelu.fi: its OData API and request pages, rendered from ``data/lausuntopalvelu.toml``.

Paths served under the host ``www.lausuntopalvelu.fi`` (DOMAIN.md §1.5)::

    /api/v1/Lausuntopalvelu.svc/Proposals                    the collection (Atom or JSON verbose)
    /api/v1/Lausuntopalvelu.svc/Proposals(guid'<GUID>')      one proposal
    /FI/Proposal/Participation?proposalId=<GUID>             the request page (HTML)
    /FI/Proposal/ProposalDetails?proposalId=<GUID>           the same page under its other name

**Format.** Atom XML by default, JSON verbose when the ``Accept`` header contains
``application/json`` (the way the real API is asked: ``Accept: application/json;odata=verbose``).
The mirror *also* takes ``$format=json`` in the query as the JSON switch, because the plain
``Site.render`` call sees only path and query. The real API answers 400 to ``$format=json``,
so a spider must use the Accept header and never rely on ``$format``.

**Query options.** ``$orderby`` (``PublishedOn`` or ``PublishedOn desc``; without it entries
come in key order, like WCF Data Services), ``$top``, ``$skip`` and ``$format``. Other system
options (``$filter``, ``$select``, ``$expand`` …) get a 400 with an OData error body rather
than a silently wrong answer. The server pages: at most ``page_size`` (5) entries per answer,
and a ``next`` link (Atom ``<link rel="next">``, JSON ``__next``) that carries the same query
with ``$skip`` advanced and ``$top`` reduced, so a client that follows it collects everything.

**Dates.** Atom writes Helsinki wall-clock time without a zone (``2026-04-22T10:52:41.58``,
trailing zeros of the fraction dropped as .NET does); JSON writes the same wall-clock reading
as ``\\/Date(ms)\\/`` counted as if it were UTC. Whole-day deadlines are 23:59:59.

**Epochs.** Epoch 2 adds the proposals marked ``epoch = 2`` and moves the deadline of the one
with ``deadline_epoch2`` (an extension); its ``last_modified`` becomes the demo day 06:00.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from ..clock import SIMULATED_DAY
from ..dates import HELSINKI
from ..regions import COUNTIES
from .server import Page

DATA = Path(__file__).parent / "data" / "lausuntopalvelu.toml"
HOST = "www.lausuntopalvelu.fi"
SERVICE_PATH = "/api/v1/Lausuntopalvelu.svc/"
PROPOSALS_PATH = SERVICE_PATH + "Proposals"
PARTICIPATION_PATHS = ("/FI/Proposal/Participation", "/FI/Proposal/ProposalDetails")
PAGE_SIZE = 5

_ATOM_NS = "http://www.w3.org/2005/Atom"
_D_NS = "http://schemas.microsoft.com/ado/2007/08/dataservices"
_M_NS = "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"
_ENTRY_PATH = re.compile(r"^/api/v1/Lausuntopalvelu\.svc/Proposals\(guid'([0-9a-fA-F-]{36})'\)$", re.IGNORECASE)
_MOMENT = re.compile(r"^(?:today(?P<rel>[+-]\d+)?|(?P<abs>\d{4}-\d{2}-\d{2}))"
                     r"(?: (?P<clock>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?$")
_KNOWN_OPTIONS = {"$orderby", "$top", "$skip", "$format"}
_JSON_TYPE = "application/json;odata=verbose;charset=utf-8"
_HEADERS = {"DataServiceVersion": "2.0;"}
END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class MirrorProposal:
    """One proposal as written in ``lausuntopalvelu.toml``."""

    id: str
    name: str
    goals: str
    background: str
    organisation: str
    organisation_id: str
    register_number: str
    published: str
    deadline: str
    deadline_epoch2: str
    closing_date: str
    approval_status: int
    epoch: int
    distribution: tuple[str, ...]
    distribution_counties: bool
    answered: tuple[dict[str, str], ...]
    reform: bool
    region: str

    def deadline_spec(self, epoch: int) -> str:
        """The deadline as written for ``epoch`` (the extension from epoch 2 on)."""
        return self.deadline_epoch2 if self.deadline_epoch2 and epoch >= 2 else self.deadline


def load_proposals(path: Path = DATA) -> list[MirrorProposal]:
    """Read the mirror's proposals (used by the mirror and by tests that check the spider)."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return [MirrorProposal(**{k: tuple(v) if isinstance(v, list) else v for k, v in p.items()})
            for p in raw["proposal"]]


def api_moment(spec: str, today: date) -> datetime | None:
    """The naive Helsinki wall-clock time a data value stands for; ``None`` for ``""``.

    >>> api_moment("today-3 10:52:41.58", date(2026, 11, 24))
    datetime.datetime(2026, 11, 21, 10, 52, 41, 580000)
    >>> api_moment("today+21", date(2026, 11, 24))   # a whole day ends at 23:59:59
    datetime.datetime(2026, 12, 15, 23, 59, 59)
    """
    if not spec:
        return None
    m = _MOMENT.match(spec.strip())
    if not m:
        raise ValueError(f"bad time in lausuntopalvelu.toml: {spec!r}")
    day = date.fromisoformat(m["abs"]) if m["abs"] else today + timedelta(days=int(m["rel"] or 0))
    clock = time.fromisoformat(_pad_fraction(m["clock"])) if m["clock"] else END_OF_DAY
    clock = clock.replace(microsecond=clock.microsecond // 1000 * 1000)  # the API keeps milliseconds
    return datetime.combine(day, clock)


def _pad_fraction(clock: str) -> str:
    head, _, frac = clock.partition(".")
    head = head.zfill(5) if head.count(":") == 1 else head.zfill(8)
    return f"{head}.{frac[:6].ljust(6, '0')}" if frac else head


def odata_iso(moment: datetime) -> str:
    """Atom's form: ``2026-04-22T10:52:41.58`` (no zone, fraction without trailing zeros)."""
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += "." + f"{moment.microsecond:06d}"[:3].rstrip("0")
    return text.rstrip(".")


def odata_ms(moment: datetime) -> str:
    """JSON verbose's form: the wall-clock reading counted as UTC, ``/Date(1436227199000)/``."""
    return f"/Date({round(moment.replace(tzinfo=UTC).timestamp() * 1000)})/"


class LausuntopalveluSite:
    """lausuntopalvelu.fi on the mirror: the ``Proposals`` API and the request pages."""

    def __init__(self, today: date | None = None, proposals: list[MirrorProposal] | None = None,
                 page_size: int = PAGE_SIZE) -> None:
        self.today = today or SIMULATED_DAY.date()   # never the clock
        self.proposals = proposals if proposals is not None else load_proposals()
        self.page_size = page_size
        self.hosts = frozenset({HOST})

    # -- data ---------------------------------------------------------------------------------

    def visible(self, epoch: int) -> list[MirrorProposal]:
        """Proposals in the API in ``epoch``, newest first."""
        found = [p for p in self.proposals if p.epoch <= epoch]
        return sorted(found, key=lambda p: api_moment(p.published, self.today) or datetime.min, reverse=True)

    def fields(self, p: MirrorProposal, epoch: int) -> dict[str, Any]:
        """The API's field values of a proposal in ``epoch`` (dates as naive wall-clock datetimes)."""
        published = api_moment(p.published, self.today)
        assert published is not None, f"{p.id}: published is required"
        return {
            "Id": p.id,
            "Name": p.name,
            "Goals": p.goals,
            "Deadline": api_moment(p.deadline_spec(epoch), self.today),
            "ClosingDate": api_moment(p.closing_date, self.today),
            "ApprovalStatus": p.approval_status,
            "ApprovedOn": published - timedelta(minutes=17),
            "PublishedOn": published,
            "RegisterNumber": p.register_number,
            "OrganizationName": p.organisation,
            "OrganizationId": p.organisation_id,
        }

    def modified(self, p: MirrorProposal, epoch: int) -> datetime:
        """When the proposal last changed, as an aware Helsinki datetime."""
        published = (api_moment(p.published, self.today) or datetime(2020, 1, 1)).replace(tzinfo=HELSINKI)
        if p.deadline_epoch2 and epoch >= 2:
            return max(published, datetime.combine(self.today, time(6), HELSINKI))
        return published

    # -- routing ------------------------------------------------------------------------------

    def render(self, host: str, path: str, query: str, epoch: int, base: str, *, accept: str = "") -> Page | None:
        """The page at ``host`` + ``path``; ``accept`` is the request's Accept header (JSON switch)."""
        if host != HOST:
            return None
        params = parse_qs(query, keep_blank_values=True)
        folded = path.lower()
        if folded in (p.lower() for p in PARTICIPATION_PATHS):
            pid = next((v[0] for k, v in params.items() if k.lower() == "proposalid"), "")
            return self._participation(pid, epoch)
        want_json = "application/json" in accept.lower()
        if folded == PROPOSALS_PATH.lower():
            return self._collection(params, epoch, base, want_json)
        m = _ENTRY_PATH.match(path)
        if m:
            return self._single(m[1], params, epoch, base, want_json)
        return None

    def _svc(self, base: str) -> str:
        return f"{base}/{HOST}{SERVICE_PATH}"

    # -- API ----------------------------------------------------------------------------------

    def _collection(self, params: dict[str, list[str]], epoch: int, base: str, want_json: bool) -> Page:
        error = _check_options(params)
        if error:
            return _error(error, want_json)
        fmt = params.get("$format", [""])[0].lower()
        want_json = want_json or fmt == "json"
        orderby = " ".join(params.get("$orderby", [""])[0].split())
        rows = self.visible(epoch)
        if not orderby:
            rows = sorted(rows, key=lambda p: p.id)  # key order, as WCF Data Services pages
        elif orderby.lower() in ("publishedon", "publishedon asc"):
            rows = rows[::-1]
        elif orderby.lower() != "publishedon desc":
            return _error(f"The mirror only orders by PublishedOn, not {orderby!r}.", want_json)
        try:
            top = int(params["$top"][0]) if "$top" in params else None
            skip = int(params.get("$skip", ["0"])[0] or 0)
        except ValueError:
            return _error("$top and $skip must be whole numbers.", want_json)
        if (top is not None and top < 0) or skip < 0:
            return _error("$top and $skip must not be negative.", want_json)
        end = len(rows) if top is None else min(len(rows), skip + top)
        page = rows[skip:min(end, skip + self.page_size)]
        shown = len(page)
        next_url = None
        if skip + shown < end:
            next_query = []
            if orderby:
                next_query.append(f"$orderby={quote(orderby)}")
            if fmt:
                next_query.append(f"$format={quote(fmt)}")
            if top is not None:
                next_query.append(f"$top={top - shown}")
            next_query.append(f"$skip={skip + shown}")
            next_url = f"{self._svc(base)}Proposals?{'&'.join(next_query)}"
        last = max((self.modified(p, epoch) for p in rows), default=datetime(2020, 1, 1, tzinfo=HELSINKI))
        if want_json:
            results = [self._json_entry(p, epoch, base) for p in page]
            if skip and not next_url:  # the last page in the v1 shape {"d": [...]}, as real clients read too
                return Page(_json_bytes({"d": results}), _JSON_TYPE, last_modified=last, headers=dict(_HEADERS))
            d: dict[str, Any] = {"results": results}
            if next_url:
                d["__next"] = next_url
            return Page(_json_bytes({"d": d}), _JSON_TYPE, last_modified=last, headers=dict(_HEADERS))
        svc = self._svc(base)
        entries = "".join(self._atom_entry(p, epoch, svc) for p in page)
        link_next = f'<link rel="next" href="{escape(next_url)}" />' if next_url else ""
        xml = (f'<?xml version="1.0" encoding="utf-8"?>\n'
               f'<feed xml:base="{escape(svc)}" xmlns="{_ATOM_NS}" xmlns:d="{_D_NS}" xmlns:m="{_M_NS}">'
               f"<id>{escape(svc)}Proposals</id><title type=\"text\">Proposals</title>"
               f"<updated>{_atom_updated(last)}</updated>"
               f'<link rel="self" title="Proposals" href="Proposals" />{entries}{link_next}</feed>')
        return Page(xml.encode("utf-8"), "application/atom+xml;type=feed;charset=utf-8", last_modified=last,
                    headers=dict(_HEADERS))

    def _single(self, pid: str, params: dict[str, list[str]], epoch: int, base: str, want_json: bool) -> Page | None:
        p = self._find(pid, epoch)
        if p is None:
            return None
        want_json = want_json or params.get("$format", [""])[0].lower() == "json"
        if want_json:
            return Page(_json_bytes({"d": self._json_entry(p, epoch, base)}), _JSON_TYPE,
                        last_modified=self.modified(p, epoch), headers=dict(_HEADERS))
        svc = self._svc(base)
        entry = self._atom_entry(p, epoch, svc, root=True)
        xml = f'<?xml version="1.0" encoding="utf-8"?>\n{entry}'
        return Page(xml.encode("utf-8"), "application/atom+xml;type=entry;charset=utf-8",
                    last_modified=self.modified(p, epoch), headers=dict(_HEADERS))

    def _find(self, pid: str, epoch: int) -> MirrorProposal | None:
        pid = pid.strip().lower()
        return next((p for p in self.proposals if p.id.lower() == pid and p.epoch <= epoch), None)

    def _atom_entry(self, p: MirrorProposal, epoch: int, svc: str, root: bool = False) -> str:
        fields = self.fields(p, epoch)
        props = []
        for name, value in fields.items():
            mtype = {"Id": "Edm.Guid", "OrganizationId": "Edm.Guid", "ApprovalStatus": "Edm.Int32"}.get(name)
            if name in ("Deadline", "ClosingDate", "ApprovedOn", "PublishedOn"):
                mtype = "Edm.DateTime"
            attr = f' m:type="{mtype}"' if mtype else ""
            if value is None or value == "":
                props.append(f'<d:{name}{attr} m:null="true" />')
            else:
                text = odata_iso(value) if isinstance(value, datetime) else str(value)
                props.append(f"<d:{name}{attr}>{escape(text, quote=False)}</d:{name}>")
        key = f"Proposals(guid'{p.id}')"
        ns = (f' xml:base="{escape(svc)}" xmlns="{_ATOM_NS}" xmlns:d="{_D_NS}" xmlns:m="{_M_NS}"' if root else "")
        related = "".join(
            f'<link rel="http://schemas.microsoft.com/ado/2007/08/dataservices/related/{nav}" '
            f'type="application/atom+xml;type=feed" title="{nav}" href="{key}/{nav}" />'
            for nav in ("Questions", "Reports"))
        return (f"<entry{ns}><id>{escape(svc)}{key}</id>"
                f'<category term="Lausuntopalvelu.Proposal" '
                f'scheme="http://schemas.microsoft.com/ado/2007/08/dataservices/scheme" />'
                f'<link rel="edit" title="Proposal" href="{key}" />{related}'
                f"<title /><updated>{_atom_updated(self.modified(p, epoch))}</updated><author><name /></author>"
                f'<content type="application/xml"><m:properties>{"".join(props)}</m:properties></content></entry>')

    def _json_entry(self, p: MirrorProposal, epoch: int, base: str) -> dict[str, Any]:
        uri = f"{self._svc(base)}Proposals(guid'{p.id}')"
        row: dict[str, Any] = {"__metadata": {"id": uri, "uri": uri, "type": "Lausuntopalvelu.Proposal"}}
        for name, value in self.fields(p, epoch).items():
            row[name] = odata_ms(value) if isinstance(value, datetime) else (None if value == "" else value)
        return row

    # -- request page -------------------------------------------------------------------------

    def _participation(self, pid: str, epoch: int) -> Page | None:
        p = self._find(pid, epoch)
        if p is None:
            return None
        fields = self.fields(p, epoch)
        published: datetime = fields["PublishedOn"]
        due: datetime | None = fields["Deadline"] or fields["ClosingDate"]
        status = ""
        if due is not None:
            label = "Vastausaika päättyy" if due.date() >= self.today else "Vastausaika on päättynyt"
            status = f'<p class="proposal-deadline"><strong>{label}:</strong> {_dmy(due.date())}</p>'
        recipients = list(p.distribution)
        if p.distribution_counties:
            recipients += [fi for code, (fi, _sv, _slug) in COUNTIES.items() if code.isdigit() or code == "hus"]
        rows = "".join(f"<tr><td>{escape(r)}</td></tr>" for r in recipients)
        # The distribution list's two real layouts: under <h5>Jakelu:</h5>, or only #listOfRespondentsSettingsBody
        distribution = (f'<h5>Jakelu:</h5>\n<div class="distribution-list"><table class="table"><tbody>{rows}'
                        "</tbody></table></div>" if self.proposals.index(p) % 2 == 0 else
                        f'<div id="listOfRespondentsSettingsBody"><table><tbody>{rows}</tbody></table></div>')
        model = {"ProposalId": p.id, "UsersWhoAnswered": [
            {"DisplayName": a["name"], "Organization": a["organisation"]} for a in p.answered]}
        model_js = json.dumps(model, ensure_ascii=False).replace("</", "<\\/")
        html = f"""<!DOCTYPE html>
<html lang="fi">
<head><meta charset="utf-8"><title>{escape(p.name)} - Lausuntopalvelu.fi</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<a class="skip-link" href="#content">Siirry sisältöön</a>
<header class="site-header"><a class="brand" href="/FI">Lausuntopalvelu.fi</a>
<nav><a href="/FI/Proposal/List">Lausuntopyynnöt</a>
<a href="/FI/Instruction/Instruction?section=Instructions">Ohjeet</a>
<a href="/SV/Proposal/Participation?proposalId={p.id}">På svenska</a>
<a href="/FI/Account/Login">Kirjaudu</a></nav></header>
<main id="content" class="container">
<h1 class="proposal-title">{escape(p.name)}</h1>
<div class="proposal-info">
<p><strong>Lausuntopyynnön diaarinumero:</strong> {escape(p.register_number)}</p>
<p><strong>Lausuntopyynnön antaja:</strong> {escape(p.organisation)}</p>
<p><strong>Julkaistu:</strong> {_dmy(published.date())}</p>
{status}
</div>
<h2>Lausuntopyynnön taustatiedot</h2>
<h3>Johdanto</h3>
<div class="proposal-goals">{p.goals}</div>
<h3>Tausta</h3>
<div class="proposal-background"><p>{escape(p.background)}</p></div>
{distribution}
<p><a class="btn" href="/FI/Proposal/Participation?proposalId={p.id}&amp;action=answer">Vastaa lausuntopyyntöön</a></p>
</main>
<footer><p>Lausuntopalvelu.fi on oikeusministeriön ylläpitämä palvelu.</p></footer>
<script>var proposalModel = {model_js};</script>
</body></html>"""
        return Page(html.encode("utf-8"), last_modified=self.modified(p, epoch))


def _check_options(params: dict[str, list[str]]) -> str:
    for key in params:
        if key.startswith("$") and key not in _KNOWN_OPTIONS:
            return f"The mirror does not support the query option {key}."
    fmt = params.get("$format", [""])[0].lower()
    if fmt not in ("", "json", "atom"):
        return f"Unknown $format {fmt!r}."
    return ""


def _error(message: str, want_json: bool) -> Page:
    if want_json:
        body = _json_bytes({"error": {"code": "", "message": {"lang": "en-US", "value": message}}})
        return Page(body, _JSON_TYPE, status=400)
    xml = (f'<?xml version="1.0" encoding="utf-8"?>\n<m:error xmlns:m="{_M_NS}"><m:code />'
           f'<m:message xml:lang="en-US">{escape(message)}</m:message></m:error>')
    return Page(xml.encode("utf-8"), "application/xml;charset=utf-8", status=400)


def _json_bytes(doc: Any) -> bytes:
    # .NET writes the dates' slashes escaped: "\/Date(1436227199000)\/".
    text = json.dumps(doc, ensure_ascii=False).replace('"/Date(', '"\\/Date(').replace(')/"', ')\\/"')
    return text.encode("utf-8")


def _atom_updated(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _dmy(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def expected_proposals(site: LausuntopalveluSite, epoch: int) -> dict[str, MirrorProposal]:
    """What a correct crawl of the mirror should find in ``epoch``, keyed by lower-case GUID (for tests)."""
    return {p.id.lower(): p for p in site.proposals if p.epoch <= epoch}
