"""One scan of a sentence for the word stems that classify a deadline (DOMAIN.md §3).

Whether a sentence is about acting on something at all (topic), whether it
speaks of an extension or in the past tense, and which kind of deadline it
holds (§3.4) all come from lists of word stems. Searching the sentence once per
list costs a full regex scan each, and CPython's ``re`` spends far more time
scanning than matching, so all the lists live in one prefix tree here and one
``finditer`` over the sentence answers every question.

A stem may have to start a word ("sök", not inside "besök") or be a whole word
("oli", "var"); those checks are done on each hit in Python.

>>> found = scan("lausuntoaikaa on jatkettu 19.3.2025 saakka.")
>>> found.topical, found.past, found.kind, found.extensions
(True, False, 'consultation', [(14, 25)])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sotevahti.date_patterns import compile_fast, stem_regex

TOPIC, EXTENSION, PAST, OTHER, REGISTRATION, CONSULTATION, APPLICATION, MAYBE_OTHER = (1 << i for i in range(8))
#: Kinds in the order of §3.4's rules: the first one present wins, "other" by default.
KIND_ORDER = ((OTHER, "other"), (REGISTRATION, "registration"), (CONSULTATION, "consultation"),
              (APPLICATION, "application"))
_KINDS = OTHER | REGISTRATION | CONSULTATION | APPLICATION

# Each stem is "text" (anywhere), "<text" (must start a word) or "<text>" (a whole word);
# "text>" must end a word.
_STEMS = {
    # A sentence without any of these stems is not about acting on something.
    TOPIC: (
        "lausun statement haku haet haem hakea hakemu hakij avustu kysely ilmoittau remiss utlåtand yttrand"
        " ansök anmäl mielipit muistutu nähtävillä kommentoi kommenter palaute palautt vastaa vastata vastaus"
        " toimit jätet jättä palautet palauta lähet lämna inkomm skicka submit appl comment regist raportoi"
        " täydenn svar enkät survey consult feedback takaraj määräai deadline ansökningsdag tarjou anbud"
        " ilmoitettava redovis komplett respon synpunkt haun haus <sök <hae>"),
    EXTENSION: (
        "jatketaan> jatkettiin> jatkettu> jatketty> on_jatkettu> pidennetään> pidennettiin> pidennetty>"
        " jatkoai avataan_uudelleen> avattiin_uudelleen> förläng extended> postponed> reopened> re-opened>"),
    PAST: (
        "<päättyi> <päättynyt> <umpeutui> <sulkeutui> <gick_ut> <löpte_ut> <upphörde> <closed> <ended>"
        " <expired> <oli> <var> <was>"),
    OTHER: "raport redovis valiokun utskott committee käyttöselvity reporting",
    # "selvitys avustuksen käytöstä" (a report on the use of a grant) needs the regex below.
    MAYBE_OTHER: "selvity käyttö",
    REGISTRATION: ("ilmoittau ilmoitettava anmäl rekisteröi regist kotiäänest ehdokas webinaari webinar sign_up"
                   " hemröstning"),
    CONSULTATION: (
        "lausun remiss utlåtand yttrand mielipit muistutu nähtävillä kysely enkät survey consult comment"
        " komment statement kuulemi vastausai vastata vastaamalla vastataan palaute palautt feedback respon"
        " synpunkt <svar>"),
    APPLICATION: (
        "haku haun haus haetaan haem haet hakea haettav hakemu hakij avustu ansök bidrag komplett apply"
        " application täydenn grant understöd tarjou anbud <hae> <sök"),
}
_OTHER_USE = compile_fast(r"selvity\w*\s+(?:\w+\s+){0,2}käytö|käyttö\w*\s+(?:\w+\s+){0,2}selvity")


def _tables() -> tuple[re.Pattern[str], dict[str, tuple[int, int, int, int]]]:
    """The scanning regex, and for each stem text the categories it gives: always, at a
    word start, as a whole word, at a word end."""
    entries = []  # (text, bit, needs_start, needs_end)
    for bit, words in _STEMS.items():
        for word in words.split():
            entries.append((word.strip("<>").replace("_", " "), bit, word.startswith("<"), word.endswith(">")))
    texts = sorted({text for text, *_ in entries})
    table = {}
    for text in texts:
        plain = start = whole = end = 0
        for stem, bit, needs_start, needs_end in entries:
            if not text.startswith(stem) or (needs_end and stem != text):
                continue  # a stem ending a word cannot be a proper prefix of a longer hit
            if needs_start and needs_end:
                whole |= bit
            elif needs_start:
                start |= bit
            elif needs_end:
                end |= bit
            else:
                plain |= bit
        table[text] = (plain, start, whole, end)
    return compile_fast(stem_regex([re.escape(text) for text in texts], prefix_only=False)), table


_SCAN, _TABLE = _tables()


@dataclass
class Keywords:
    """What one sentence's stems say: see the module doc."""

    mask: int = 0
    extensions: list[tuple[int, int]] = field(default_factory=list)  # spans of extension words
    text: str = ""

    @property
    def topical(self) -> bool:
        return bool(self.mask & TOPIC)

    @property
    def past(self) -> bool:
        return bool(self.mask & PAST)

    @property
    def kind(self) -> str:
        mask = self.mask
        if mask & MAYBE_OTHER and _OTHER_USE.search(self.text):
            mask |= OTHER
        for bit, name in KIND_ORDER:
            if mask & bit:
                return name
        return "other"

    def extended_between(self, start: int, end: int) -> bool:
        """Whether an extension word lies inside [start, end)."""
        return any(start <= a and b <= end for a, b in self.extensions)


def scan(low: str, start: int = 0, end: int | None = None) -> Keywords:
    """The stems of ``low[start:end]`` (``low`` folded by ``dates.fold_case``)."""
    end = len(low) if end is None else end
    found = Keywords(text=low[start:end])
    mask = 0
    for m in _SCAN.finditer(low, start, end):
        plain, at_start, whole, at_end = _TABLE[m.group()]
        if at_start or whole or at_end:
            i, j = m.start(), m.end()
            word_start = not i or not (low[i - 1].isalnum() or low[i - 1] == "_")
            word_end = j >= len(low) or not (low[j].isalnum() or low[j] == "_")
            if word_start:
                plain |= at_start | (whole if word_end else 0)
            if word_end:
                plain |= at_end
        if plain & EXTENSION:
            found.extensions.append((m.start(), m.end()))
        mask |= plain
    found.mask = mask
    return found


__all__ = ["KIND_ORDER", "Keywords", "scan"]
