"""The topic filter: does an article belong to the social and health care reform?

The ministries publish about everything; only a part concerns the reform. The filter looks
for word stems ("sote", "hyvinvointialue", "välfärdsområde" …) at the start of a word, so
that inflected forms match: ``hyvinvointialueiden``, ``Sote-uudistuksen``. Phrases listed in
``ignore`` are blanked out first, because the ministry's own name ("sosiaali- ja
terveysministeriö") would otherwise make every STM release relevant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

DEFAULT_STEMS: tuple[str, ...] = (
    # Finnish
    "sote",
    "hyvinvointialue",
    "sosiaali- ja terveys",
    "sosiaali- ja terveyden",
    "pelastustoim",
    "maakunta- ja sote",
    # Swedish
    "välfärdsområde",
    "vårdreform",
    "social- och hälsovård",
    "räddningsväsend",
    # English
    "wellbeing services count",
    "health and social services",
    "social welfare and health care",
    "rescue services",
)

DEFAULT_IGNORE: tuple[str, ...] = (
    "sosiaali- ja terveysministeriö",
    "social- och hälsovårdsministeriet",
)


@dataclass(frozen=True)
class TopicDecision:
    """The filter's verdict on one text and the stems that decided it."""

    relevant: bool
    terms: tuple[str, ...]


@dataclass(frozen=True)
class TopicFilter:
    """A stem filter; ``match_all=True`` marks every article relevant (a reform-only site).

    >>> TopicFilter().decide("Hyvinvointialueiden rahoitus tarkentuu").terms
    ('hyvinvointialue',)
    """

    stems: tuple[str, ...] = DEFAULT_STEMS
    ignore: tuple[str, ...] = DEFAULT_IGNORE
    match_all: bool = False
    _any_stem: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _folded: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)
    _ignore_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Compiled once per source at start-up, and one pattern for every stem: the text is
        # case-folded once and scanned once; each place a stem starts is then told apart.
        folded = tuple((s, s.casefold()) for s in self.stems)
        alternatives = "|".join(re.escape(f) for f in sorted({f for _, f in folded}, key=len, reverse=True))
        object.__setattr__(self, "_folded", folded)
        object.__setattr__(self, "_any_stem", re.compile(rf"(?<!\w)(?=(?:{alternatives}))") if folded else None)
        ign = "|".join(re.escape(p.casefold()) for p in self.ignore)
        object.__setattr__(self, "_ignore_re", re.compile(ign) if ign else None)

    def decide(self, *texts: str | None) -> TopicDecision:
        """Decide relevance from any number of texts (title, lead, body).

        :param texts: the texts to search; ``None`` entries are skipped.
        :return: the decision and the stems that matched, in config order.
        """
        joined = "\n".join(t for t in texts if t).casefold()
        if self._ignore_re is not None:
            joined = self._ignore_re.sub(" ", joined)
        found: set[str] = set()
        if self._any_stem is not None:
            for m in self._any_stem.finditer(joined):
                found.update(f for _, f in self._folded if joined.startswith(f, m.start()))
        terms = tuple(stem for stem, f in self._folded if f in found)
        return TopicDecision(relevant=self.match_all or bool(terms), terms=terms)
