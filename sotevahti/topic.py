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
    _patterns: tuple[tuple[str, re.Pattern[str]], ...] = field(init=False, repr=False, compare=False)
    _ignore_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Compiled once per source at start-up, not per article.
        pats = tuple((s, re.compile(r"(?<!\w)" + re.escape(s), re.IGNORECASE)) for s in self.stems)
        object.__setattr__(self, "_patterns", pats)
        ign = "|".join(re.escape(p) for p in self.ignore)
        object.__setattr__(self, "_ignore_re", re.compile(ign, re.IGNORECASE) if ign else None)

    def decide(self, *texts: str | None) -> TopicDecision:
        """Decide relevance from any number of texts (title, lead, body).

        :param texts: the texts to search; ``None`` entries are skipped.
        :return: the decision and the stems that matched, in config order.
        """
        joined = "\n".join(t for t in texts if t)
        if self._ignore_re is not None:
            joined = self._ignore_re.sub(" ", joined)
        terms = tuple(stem for stem, pat in self._patterns if pat.search(joined))
        return TopicDecision(relevant=self.match_all or bool(terms), terms=terms)
