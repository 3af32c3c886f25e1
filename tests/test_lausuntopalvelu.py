"""lausuntopalvelu.fi: the OData parser on the mirror's Atom and JSON answers, scope, links and request pages."""

from __future__ import annotations

import doctest
import json
import urllib.request
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

import pytest

from sotevahti import lausuntopalvelu as lp
from sotevahti.dates import HELSINKI
from sotevahti.mirror.lausuntopalvelu_site import (
    HOST,
    PROPOSALS_PATH,
    LausuntopalveluSite,
    api_moment,
    expected_proposals,
    load_proposals,
)
from sotevahti.mirror.server import Mirror
from sotevahti.topic import TopicFilter

from .conftest import TODAY

BASE = "http://127.0.0.1:8123"
LINKED = "3f2a9c4e-8b1d-4c7a-9e55-2b6d0f1a7c33"
EXTENDED = "b7e04d19-5a6c-4f82-93d1-8c2e6a0f4b57"
EPOCH2_ONLY = "a95d3c68-1b7f-4e24-9d0a-7c8e2f5b1d93"
NO_DEADLINE = "f6e1b8c2-9d47-4a3e-8c05-3b7a2d9e1f64"      # LVM: only a ClosingDate
BOTH_DATES = "6c2a8f13-d7b5-4e90-8a4c-1f3e9d6b7c28"       # VM: Deadline and a later ClosingDate
MIDNIGHT = "5d6b2f80-c4a1-4e37-9b8d-0e3f7a2c9d14"         # SM: Deadline written as 00:00
REFORM_ORGS = ("Sosiaali- ja terveysministeriö", "Valtiovarainministeriö", "Sisäministeriö")
JSON_ACCEPT = lp.ACCEPT["json"]


@pytest.fixture(scope="module")
def lsite() -> LausuntopalveluSite:
    return LausuntopalveluSite(today=TODAY)


def fetch(site: LausuntopalveluSite, url: str, epoch: int = 1, accept: str = "") -> tuple[bytes, str, int]:
    """Ask the site for a mirror URL the way the mirror server would."""
    parts = urlsplit(url)
    assert url.startswith(BASE + "/" + HOST), url
    page = site.render(HOST, parts.path[len("/" + HOST):], parts.query, epoch, BASE, accept=accept)
    assert page is not None, url
    return page.body, page.content_type, page.status


def mirror_url(query: str = "") -> str:
    return f"{BASE}/{HOST}{PROPOSALS_PATH}" + (f"?{query}" if query else "")


def crawl(site: LausuntopalveluSite, first: str, epoch: int = 1, accept: str = "") -> list[list[lp.Proposal]]:
    pages = []
    url: str | None = first
    while url:
        body, ctype, status = fetch(site, url, epoch, accept)
        assert status == 200
        proposals, url = lp.parse_proposals(body, ctype, base_url=first)
        pages.append(proposals)
        assert len(pages) < 20, "next links loop"
    return pages


def by_id(proposals: list[lp.Proposal]) -> dict[str, lp.Proposal]:
    return {p.id.lower(): p for p in proposals}


def newest_first() -> str:
    return urlsplit(lp.proposals_url(lp.PROPOSALS_URL, top=50)).query


# -- formats and paging ---------------------------------------------------------------------------


def test_atom_and_json_answers_give_the_same_proposals(lsite):
    atom = [p for page in crawl(lsite, mirror_url(newest_first())) for p in page]
    js = [p for page in crawl(lsite, mirror_url(newest_first()), accept=JSON_ACCEPT) for p in page]
    assert len(atom) == 15
    assert atom == js
    assert [p.published for p in atom] == sorted((p.published for p in atom), reverse=True)
    assert set(by_id(atom)) == set(expected_proposals(lsite, 1))


def test_json_answer_is_odata_verbose_with_escaped_dates(lsite):
    body, ctype, _ = fetch(lsite, mirror_url(newest_first()), accept=JSON_ACCEPT)
    assert ctype.startswith("application/json")
    assert b'"\\/Date(' in body                 # .NET's escaped slashes survive in the raw text
    doc = json.loads(body)
    assert len(doc["d"]["results"]) == 5 and doc["d"]["__next"].startswith(BASE + "/")
    # The v1 shape {"d": [...]} reads the same.
    v1 = json.dumps({"d": doc["d"]["results"]})
    assert lp.parse_proposals_json(v1) == (lp.parse_proposals_json(body)[0], None)


def test_format_json_in_the_query_also_switches_the_mirror(lsite):
    atom = [p for page in crawl(lsite, mirror_url(newest_first())) for p in page]
    via_query = [p for page in crawl(lsite, mirror_url(newest_first() + "&$format=json")) for p in page]
    assert via_query == atom
    body, ctype, _ = fetch(lsite, mirror_url("$format=json&$top=2"))
    assert ctype.startswith("application/json")
    assert len(json.loads(body)["d"]["results"]) == 2 and "__next" not in json.loads(body)["d"]
    body, _, _ = fetch(lsite, mirror_url("$orderby=PublishedOn%20desc&$format=json"))
    assert json.loads(body)["d"]["__next"] == mirror_url("$orderby=PublishedOn%20desc&$format=json&$skip=5")


def test_paging_follows_next_links_and_stops(lsite):
    sizes = [len(page) for page in crawl(lsite, mirror_url(newest_first()))]
    assert sizes == [5, 5, 5]                          # 15 proposals: no empty fourth page
    sizes2 = [len(page) for page in crawl(lsite, mirror_url(newest_first()), epoch=2)]
    assert sizes2 == [5, 5, 5, 1]
    via_helper = list(lp.iter_pages(mirror_url(newest_first()), lambda url: fetch(lsite, url)[:2]))
    assert [len(page) for page in via_helper] == [5, 5, 5]
    top7 = crawl(lsite, mirror_url("$orderby=PublishedOn%20desc&$top=7"))
    assert [len(page) for page in top7] == [5, 2]
    body, ctype, _ = fetch(lsite, mirror_url("$orderby=PublishedOn%20desc&$top=7"))
    _, next_url = lp.parse_proposals(body, ctype)
    assert next_url == mirror_url("$orderby=PublishedOn%20desc&$top=2&$skip=5")


def test_without_orderby_the_mirror_pages_in_key_order(lsite):
    ids = [p.id for page in crawl(lsite, mirror_url()) for p in page]
    assert ids == sorted(ids) and len(ids) == 15


def test_paging_over_http_on_the_mirror(lsite):
    with Mirror([lsite]) as mirror:
        url: str | None = f"{mirror.url}/{HOST}{PROPOSALS_PATH}?{newest_first()}"
        found: list[lp.Proposal] = []
        while url:
            with urllib.request.urlopen(url, timeout=10) as resp:
                body, ctype = resp.read(), resp.headers["Content-Type"]
                assert resp.headers["Last-Modified"] and resp.headers["ETag"]
            proposals, url = lp.parse_proposals(body, ctype)
            found.extend(proposals)
        assert len(found) == 15
        assert all(path.startswith(f"/{HOST}{PROPOSALS_PATH}") for _, path, _ in mirror.requests)
        assert len(mirror.requests) == 3


def test_unsupported_query_options_are_refused(lsite):
    for query in ("$filter=substringof('sote',Name)", "$orderby=Name", "$top=x", "$format=xml"):
        page = lsite.render(HOST, PROPOSALS_PATH, query, 1, BASE)
        assert page is not None and page.status == 400, query


def test_one_proposal_by_key_in_both_formats(lsite):
    path = f"/api/v1/Lausuntopalvelu.svc/Proposals(guid'{LINKED}')"
    atom = lsite.render(HOST, path, "", 1, BASE)
    js = lsite.render(HOST, path, "", 1, BASE, accept=JSON_ACCEPT)
    assert atom is not None and js is not None
    (a,), _ = lp.parse_proposals(atom.body, atom.content_type)
    (j,), _ = lp.parse_proposals(js.body, js.content_type)
    assert a == j and a.id == LINKED
    assert lsite.render(HOST, f"/api/v1/Lausuntopalvelu.svc/Proposals(guid'{EPOCH2_ONLY}')", "", 1, BASE) is None


def test_relative_next_link_is_resolved_against_xml_base():
    xml = ('<feed xml:base="https://www.lausuntopalvelu.fi/api/v1/Lausuntopalvelu.svc/" '
           'xmlns="http://www.w3.org/2005/Atom"><link rel="next" href="Proposals?$skiptoken=guid%27abc%27"/></feed>')
    assert lp.parse_proposals_atom(xml) == (
        [], "https://www.lausuntopalvelu.fi/api/v1/Lausuntopalvelu.svc/Proposals?$skiptoken=guid%27abc%27")


def test_garbage_is_a_value_error():
    with pytest.raises(ValueError):
        lp.parse_proposals(b"<html><body>Palvelukatko", "application/atom+xml")
    with pytest.raises(ValueError):
        lp.parse_proposals(b'{"error": {}}', "application/json")


# -- fields and dates -----------------------------------------------------------------------------


def test_fields_of_the_linked_proposal(lsite):
    p = by_id([p for page in crawl(lsite, mirror_url(newest_first())) for p in page])[LINKED]
    assert p.name == "Luonnos hallituksen esitykseksi hyvinvointialueiden rahoituksen tarkistamisesta"
    assert p.organisation == "Valtiovarainministeriö" and p.register_number == "VN/28714/2026"
    assert p.organisation_id == "8e4a1f37-2b9c-4d65-b0a8-3c7e5d9f1b22" and p.approval_status == "2"
    assert "<" not in p.goals and "tarvekertoimien päivitys" in p.goals
    assert p.goals.startswith("Esityksessä ehdotetaan") and "\n\n" in p.goals
    assert p.published == datetime(2026, 11, 21, 10, 52, 41, 580000, tzinfo=HELSINKI)
    assert p.published.utcoffset() == timedelta(hours=2)       # EET in November
    assert p.deadline == TODAY + timedelta(days=21) and p.deadline_time is None    # 23:59:59 = whole day
    assert p.participation_url == f"https://www.lausuntopalvelu.fi/FI/Proposal/Participation?proposalId={LINKED}"
    assert p.item_id == f"lp-{LINKED}"


@pytest.mark.parametrize("accept", ["", JSON_ACCEPT])
def test_deadline_times_and_the_epoch_2_extension(lsite, accept):
    one = by_id([p for page in crawl(lsite, mirror_url(newest_first()), 1, accept) for p in page])
    two = by_id([p for page in crawl(lsite, mirror_url(newest_first()), 2, accept) for p in page])
    assert (one[EXTENDED].deadline, one[EXTENDED].deadline_time) == (TODAY + timedelta(days=6), time(16, 0))
    assert (two[EXTENDED].deadline, two[EXTENDED].deadline_time) == (TODAY + timedelta(days=20), time(16, 0))
    assert (one[MIDNIGHT].deadline, one[MIDNIGHT].deadline_time) == (TODAY + timedelta(days=3), None)
    assert EPOCH2_ONLY not in one and EPOCH2_ONLY in two
    assert two[EPOCH2_ONLY].published == datetime(2026, 11, 23, 15, 20, 7, 500000, tzinfo=HELSINKI)


def test_effective_deadline_prefers_deadline_over_closing_date(lsite):
    got = by_id([p for page in crawl(lsite, mirror_url(newest_first())) for p in page])
    assert got[NO_DEADLINE].deadline is None
    assert got[NO_DEADLINE].effective_deadline == got[NO_DEADLINE].closing_date == TODAY + timedelta(days=16)
    both = got[BOTH_DATES]
    assert both.closing_date == TODAY - timedelta(days=23)
    assert both.effective_deadline == both.deadline == TODAY - timedelta(days=30)


@pytest.mark.parametrize("raw, expected", [
    ("2026-04-22T10:52:41.58", datetime(2026, 4, 22, 10, 52, 41, 580000, tzinfo=HELSINKI)),
    ("/Date(1436227199000)/", datetime(2015, 7, 6, 23, 59, 59, tzinfo=HELSINKI)),     # wall time, as UTC digits
    ("\\/Date(1436227199000)\\/".replace("\\", ""), datetime(2015, 7, 6, 23, 59, 59, tzinfo=HELSINKI)),
    ("/Date(1436227199000+0180)/", datetime(2015, 7, 7, 2, 59, 59, tzinfo=HELSINKI)),  # with offset: an instant
    ("", None),
    ("ei päivää", None),
])
def test_api_dates_are_helsinki(raw, expected):
    got = lp.parse_api_datetime(raw)
    assert got == expected
    if got is not None:
        assert got.tzinfo is HELSINKI


def test_the_data_files_times(lsite):
    assert api_moment("today+21", TODAY) == datetime(2026, 12, 15, 23, 59, 59)
    assert api_moment("2026-10-02 00:00", TODAY) == datetime(2026, 10, 2)
    with pytest.raises(ValueError):
        api_moment("ensi viikolla", TODAY)


# -- scope ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("organisation, region", [
    ("Pirkanmaan hyvinvointialue", "08"),
    ("pirkanmaan hyvinvointialue", "08"),
    ("Helsingin kaupunki", "90"),
    ("Helsingfors stad", "90"),
    ("Etelä-Pohjanmaan hyvinvointialue", "16"),
    ("Pohjanmaan hyvinvointialue", "17"),
    ("Pohjois-Pohjanmaan hyvinvointialue", "19"),
    ("Keski-Uudenmaan hyvinvointialue", "02"),
    ("Vantaan ja Keravan hyvinvointialue", "04"),
    ("Päijät-Hämeen hyvinvointialue", "09"),
    ("Kanta-Hämeen hyvinvointialue", "07"),
    ("Lapin hyvinvointialue", "21"),
    ("Birkalands välfärdsområde", "08"),
    ("Södra Österbottens välfärdsområde", "16"),
    ("Hyvinvointialue Pirkanmaa", "08"),
    ("Siun sote", "14"),
    ("HUS-yhtymä", "hus"),
    ("Sosiaali- ja terveysministeriö", "national"),
    ("Pirkanmaan liitto", "national"),
    ("Helsingin yliopisto", "national"),
    ("Tampereen kaupunki", "national"),
    ("", "national"),
])
def test_region_of(organisation, region):
    assert lp.region_of(organisation) == region


def test_region_of_matches_the_data(lsite):
    for p in lsite.proposals:
        assert lp.region_of(p.organisation) == p.region, p.name


def test_reform_decisions_match_the_data(lsite):
    got = by_id([p for page in crawl(lsite, mirror_url(newest_first()), epoch=2) for p in page])
    data = expected_proposals(lsite, 2)
    topic = TopicFilter()
    decisions = {pid: lp.is_reform_proposal(p, REFORM_ORGS, topic) for pid, p in got.items()}
    assert {pid: d[0] for pid, d in decisions.items()} == {pid: p.reform for pid, p in data.items()}
    assert sum(p.reform for p in data.values()) >= 8 and sum(not p.reform for p in data.values()) >= 4
    for pid, (relevant, reasons) in decisions.items():
        assert relevant == bool(reasons), pid


def test_reform_reasons(lsite):
    got = by_id([p for page in crawl(lsite, mirror_url(newest_first())) for p in page])
    topic = TopicFilter()
    _, reasons = lp.is_reform_proposal(got[LINKED], REFORM_ORGS, topic)
    assert reasons == ("organisation: Valtiovarainministeriö", "hyvinvointialue")
    # Oikeusministeriö is not a reform organisation: the topic filter alone brings this one in.
    _, reasons = lp.is_reform_proposal(got["c80a3e5f-17b2-4d94-8f60-2a5e9c1b7d39"], REFORM_ORGS, topic)
    assert reasons == ("hyvinvointialue",)
    _, reasons = lp.is_reform_proposal(got["e19c7a42-3d8f-4b06-a5e2-71f9b4c0d6a8"], REFORM_ORGS, topic)
    assert reasons[0] == "region: 08"
    # Case-insensitive organisation match, and nothing at all for a forest law.
    assert lp.is_reform_proposal(got[EXTENDED], ["SOSIAALI- JA TERVEYSMINISTERIÖ"], TopicFilter(stems=()))[0]
    assert lp.is_reform_proposal(got["0a4f9d63-e2b8-4c15-b7a9-5f1d3e8c6b20"], REFORM_ORGS, topic) == (False, ())
    assert lp.is_reform_proposal(got["0a4f9d63-e2b8-4c15-b7a9-5f1d3e8c6b20"], REFORM_ORGS,
                                 TopicFilter(match_all=True)) == (True, ("topic: all",))


def test_non_reform_data_has_no_reform_stems():
    topic = TopicFilter()
    for p in load_proposals():
        if not p.reform:
            assert not topic.decide(p.name, p.goals, p.background).relevant, p.name


# -- links, URLs and request pages ----------------------------------------------------------------


def test_proposal_ids_in_a_press_release():
    html = f"""<p>Lausuntopyyntö lausuntopalvelu.fi:ssä:
    <a href="https://www.lausuntopalvelu.fi/FI/Proposal/Participation?proposalId={LINKED.upper()}">linkki</a>
    ja <a href="/FI/Proposal/Participation?proposalid={EXTENDED}&amp;x=1">toinen</a>,
    sama uudelleen <a href="https://www.lausuntopalvelu.fi/FI/Proposal/ProposalDetails?proposalId={LINKED}">x</a>
    API: Proposals(guid'{BOTH_DATES}') ja rikki proposalId=1234</p>"""
    assert lp.proposal_ids_in(html) == [LINKED, EXTENDED, BOTH_DATES]
    assert lp.proposal_ids_in("Ei linkkejä.") == []


def test_proposals_url():
    assert lp.proposals_url("https://www.lausuntopalvelu.fi/api/v1/Lausuntopalvelu.svc/Proposals") == (
        "https://www.lausuntopalvelu.fi/api/v1/Lausuntopalvelu.svc/Proposals?$orderby=PublishedOn%20desc&$top=50")
    assert lp.proposals_url(lp.PROPOSALS_URL, top=5, fmt="json").endswith("?$orderby=PublishedOn%20desc&$top=5")
    with pytest.raises(ValueError):
        lp.proposals_url(lp.PROPOSALS_URL, fmt="xml")


def test_participation_page(lsite):
    open_page = lsite.render(HOST, "/FI/Proposal/Participation", f"proposalId={LINKED}", 1, BASE)
    assert open_page is not None and open_page.last_modified is not None
    info = lp.parse_participation(open_page.body.decode("utf-8"))
    assert info.title == "Luonnos hallituksen esitykseksi hyvinvointialueiden rahoituksen tarkistamisesta"
    assert info.register_number == "VN/28714/2026"
    assert (info.deadline, info.closed) == (TODAY + timedelta(days=21), False)
    assert "Vastausaika päättyy: 15.12.2026" in " ".join(open_page.body.decode().replace("</strong>", "").split())
    assert "Pirkanmaan hyvinvointialue" in info.distribution and "Helsingin kaupunki" in info.distribution
    assert "Suomen Kuntaliitto ry" in info.distribution
    assert info.answered == (("Kainuun hyvinvointialue, talousjohtaja", "Kainuun hyvinvointialue"),)

    closed = lsite.render(HOST, "/FI/Proposal/Participation", "proposalId=8C3F6A94-0D1E-4B72-A9C5-6E2B8F4D0A17",
                          1, BASE)
    info = lp.parse_participation(closed.body.decode("utf-8"))
    assert (info.deadline, info.closed) == (TODAY - timedelta(days=4), True)
    assert info.register_number == "HEL 2026-012345"       # a register number may hold a space


def test_participation_page_follows_epochs(lsite):
    assert lsite.render(HOST, "/FI/Proposal/Participation", f"proposalId={EPOCH2_ONLY}", 1, BASE) is None
    assert lsite.render(HOST, "/FI/Proposal/Participation", f"proposalId={EPOCH2_ONLY}", 2, BASE) is not None
    assert lsite.render(HOST, "/FI/Proposal/Participation", "proposalId=00000000-0000-0000-0000-000000000000",
                        2, BASE) is None
    one = lsite.render(HOST, "/FI/Proposal/Participation", f"proposalId={EXTENDED}", 1, BASE)
    two = lsite.render(HOST, "/FI/Proposal/Participation", f"proposalId={EXTENDED}", 2, BASE)
    assert lp.parse_participation(one.body.decode()).deadline == TODAY + timedelta(days=6)
    assert lp.parse_participation(two.body.decode()).deadline == TODAY + timedelta(days=20)
    assert two.last_modified > one.last_modified


def test_collection_last_modified_moves_with_epochs(lsite):
    one = lsite.render(HOST, PROPOSALS_PATH, newest_first(), 1, BASE)
    two = lsite.render(HOST, PROPOSALS_PATH, newest_first(), 2, BASE)
    assert one.last_modified < two.last_modified
    again = lsite.render(HOST, PROPOSALS_PATH, newest_first(), 1, BASE)
    assert again.body == one.body                    # stable bodies, so ETags and 304s work


def test_the_data_meets_its_contract():
    proposals = load_proposals()
    assert len(proposals) >= 14
    assert len({p.id for p in proposals}) == len(proposals)
    assert sum(p.epoch == 2 for p in proposals) == 1 and sum(bool(p.deadline_epoch2) for p in proposals) == 1
    assert any(p.id == LINKED for p in proposals)
    today = date(2026, 11, 24)
    deadlines = [api_moment(p.deadline, today) for p in proposals if p.deadline]
    assert any(d.date() > today for d in deadlines) and any(d.date() < today for d in deadlines)


def test_doctests():
    assert doctest.testmod(lp).failed == 0


def test_distribution_list_in_either_real_layout(lsite):
    layouts = {}
    for p in lsite.proposals:
        page = lsite.render(HOST, "/FI/Proposal/Participation", f"proposalId={p.id}", 2, BASE)
        html = page.body.decode()
        layout = "listOfRespondentsSettingsBody" if 'id="listOfRespondentsSettingsBody"' in html else "Jakelu"
        info = lp.parse_participation(html)
        if p.distribution:
            assert set(p.distribution) <= set(info.distribution), (layout, p.id)
        layouts.setdefault(layout, 0)
        layouts[layout] += 1
    assert set(layouts) == {"Jakelu", "listOfRespondentsSettingsBody"}
    only_id = '<html><body><div id="listOfRespondentsSettingsBody"><table><tr><td>Oma Häme</td></tr></table></div>'
    assert lp.parse_participation(only_id).distribution == ("Oma Häme",)


def test_last_json_page_has_the_v1_shape_and_reads_the_same(lsite):
    pages = crawl(lsite, mirror_url(newest_first()), accept=JSON_ACCEPT)
    body, _, _ = fetch(lsite, mirror_url(newest_first() + "&$skip=10"), accept=JSON_ACCEPT)
    assert isinstance(json.loads(body)["d"], list)            # {"d": [...]}
    first, _, _ = fetch(lsite, mirror_url(newest_first()), accept=JSON_ACCEPT)
    assert isinstance(json.loads(first)["d"], dict)           # {"d": {"results": [...], "__next": ...}}
    assert [len(p) for p in pages] == [5, 5, 5]
