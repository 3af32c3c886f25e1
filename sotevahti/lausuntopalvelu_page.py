"""Reading a lausuntopalvelu.fi request page (``/FI/Proposal/Participation?proposalId=…``).

The API says what a request is; its page adds who was asked to answer (the ``Jakelu:`` table)
and who already has (the embedded ``"UsersWhoAnswered"`` JSON): "are we on the distribution
list?" and "who has answered already?" are what answering organisations ask.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from parsel import Selector

from .htmltext import block_text, clean_text


@dataclass(frozen=True)
class Participation:
    """What a request page (``/FI/Proposal/Participation?proposalId=…``) adds to the API.

    ``closed`` is True for "Vastausaika on päättynyt", False for "Vastausaika päättyy" and
    None when neither label is there. ``answered`` holds (display name, organisation) pairs.
    """

    title: str
    register_number: str
    deadline: date | None
    closed: bool | None
    distribution: tuple[str, ...]
    answered: tuple[tuple[str, str], ...]


_REGISTER_LABEL = "Lausuntopyynnön diaarinumero:"
_ANSWER_TIME = re.compile(r"Vastausaika (päättyy|on päättynyt):\s*(\d{1,2})\.(\d{1,2})\.(\d{4})")
_ANSWERED = re.compile(r'"UsersWhoAnswered"\s*:\s*(\[.*?\])', re.DOTALL)


def parse_participation(html: str) -> Participation:
    """Read a request page: register number, answer deadline, distribution list, who answered.

    The distribution list is the table under the ``Jakelu:`` heading (on some pages only the element
    ``#listOfRespondentsSettingsBody`` holds it); the respondents come from
    the ``"UsersWhoAnswered":[…]`` JSON the page embeds.
    """
    sel = Selector(text=html)
    blocks = block_text(sel.xpath("//body")).split("\n\n")
    when = _ANSWER_TIME.search(" ".join(" ".join(blocks).split()))
    register = ""
    for i, block in enumerate(blocks):
        if _REGISTER_LABEL in block:
            # The value follows the label in the same block, or is the next block ("HEL 2026-012345").
            register = block.split(_REGISTER_LABEL, 1)[1].strip()
            if not register and i + 1 < len(blocks):
                register = blocks[i + 1].strip()
            break
    deadline = None
    if when:
        try:
            deadline = date(int(when[4]), int(when[3]), int(when[2]))
        except ValueError:
            deadline = None
    # Two layouts: a table under <h5>Jakelu:</h5>, or only the element #listOfRespondentsSettingsBody.
    table = sel.xpath("//*[normalize-space(.)='Jakelu:']/following::table[1]") or sel.css(
        "#listOfRespondentsSettingsBody")
    cells = table.xpath(".//td") or table.xpath(".//li | .//tr")
    distribution = tuple(t for t in (clean_text(c.xpath("string(.)").get()) for c in cells) if t)
    answered: list[tuple[str, str]] = []
    m = _ANSWERED.search(html)
    if m:
        try:
            users = json.loads(m[1])
        except json.JSONDecodeError:
            users = []
        answered = [(str(u.get("DisplayName") or ""), str(u.get("Organization") or ""))
                    for u in users if isinstance(u, dict)]
    title = clean_text(sel.css("h1::text").get() or sel.css("title::text").get() or "")
    return Participation(
        title=title,
        register_number=register,
        deadline=deadline,
        closed=None if not when else when[1] != "päättyy",
        distribution=distribution,
        answered=tuple(answered),
    )


