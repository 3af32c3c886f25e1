"""The lausuntopalvelu.fi spider: consultation requests from the service's OData API.

Reads the ``Proposals`` collection newest first, in Atom (the default) or JSON verbose
(``format = "json"`` in the source), following the API's next links. Each proposal becomes an
item of kind ``consultation`` whose API deadline is the authoritative one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy.http import Request, Response

from sotevahti import lausuntopalvelu as lp
from sotevahti.display import format_date
from sotevahti.sources import Source

from .base import SourceSpider


class LausuntopalveluSpider(SourceSpider):
    """``platform = "lausuntopalvelu"``: the consultation service's API."""

    name = "lausuntopalvelu"
    platform = "lausuntopalvelu"

    async def start(self) -> AsyncIterator[Request]:
        for source in self.sources:
            for url in source.start_urls:
                yield self.api_request(lp.proposals_url(url, top=50, fmt=source.format), source, page=1)

    def api_request(self, real_url: str, source: Source, page: int) -> Request:
        request = self.request(real_url, self.parse_proposals, source, page=page)
        request.headers["Accept"] = lp.ACCEPT[source.format]
        return request

    def parse_proposals(self, response: Response) -> Iterator[Any]:
        source = self.source_of(response)
        self.count(source, "api_pages")
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        proposals, next_url = lp.parse_proposals(response.body, content_type, base_url=self.real_url(response))
        for proposal in proposals:
            self.count(source, "links")
            try:
                yield self.proposal_item(source, proposal)
            except (TypeError, ValueError, KeyError, AttributeError):   # one bad proposal, not the page
                self.count(source, "errors_bad_value")
        page = response.meta["page"]
        if next_url and page < (source.max_pages if source.id in self.backfilled else source.backfill_pages):
            yield self.api_request(self.urls.to_real(next_url), source, page + 1)

    def proposal_item(self, source: Source, p: lp.Proposal) -> dict[str, Any]:
        in_scope, reasons = lp.is_reform_proposal(p, source.organisations, source.topic)
        lead, _, rest = p.goals.partition("\n\n")
        deadlines = []
        if p.effective_deadline:
            when = format_date(p.effective_deadline, p.deadline_time)
            deadlines.append({"kind": "consultation", "deadline": p.effective_deadline.isoformat(),
                              "time": p.deadline_time.strftime("%H:%M") if p.deadline_time else None,
                              "sentence": f"Vastausaika päättyy: {when} (lausuntopalvelu.fi)"})
        item = self.make_item(
            source, item_id=p.item_id, url=p.participation_url, title=p.name, published=p.published,
            text_fields={"type": "Lausuntopyyntö", "language": "fi", "lead": lead, "body": rest,
                         "kind": "consultation", "external_id": p.id, "register_number": p.register_number,
                         "api_deadlines": deadlines},
            urls=[p.participation_url],
        )
        item.update(organisation=p.organisation or source.organisation, region=lp.region_of(p.organisation),
                    relevant=in_scope, topic_terms=list(reasons))
        return item
