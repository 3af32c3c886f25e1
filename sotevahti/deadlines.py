"""Deadline extraction from Finnish, Swedish and English announcement text.

Implements the output contract of DOMAIN.md §3.4: a deadline is the last day
to act, past or future; ranges give their end, extensions the new date; dates
that are not attached to a deadline cue (entry into force, meetings, elections,
publication stamps) are ignored; vague or relative deadlines give no date but
keep an explanatory note.

>>> extract_deadline("Lakiluonnokset ovat lausuntokierroksella 25.9.2020 saakka.").to_json()
... # doctest: +NORMALIZE_WHITESPACE
{'deadline': '2020-09-25', 'time': None, 'kind': 'consultation',
 'sentence': 'Lakiluonnokset ovat lausuntokierroksella 25.9.2020 saakka.', 'note': None}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, time, timedelta

from dateutil.relativedelta import relativedelta

from sotevahti.dates import END_OF_DAY, DateMatch, find_dates, fold_case

KINDS = ("consultation", "application", "registration", "other")
_HALF_YEAR = timedelta(days=183)


@dataclass(frozen=True)
class Deadline:
    """One deadline found in a text.

    ``deadline`` is None for negatives that still deserve a note, e.g. the
    relative "14 päivän kuluessa päätöksen tiedoksisaannista" or a year-less
    "Lausuntoaika päättyi 5.11." read without a reference date.
    """

    deadline: date | None
    time: time | None
    kind: str | None
    sentence: str
    note: str | None = None
    extension: bool = False
    past: bool = False

    def to_json(self) -> dict:
        """The JSON shape of §3.4: ISO date, "HH:MM" time, kind, sentence, note."""
        return {
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "time": format_time(self.time),
            "kind": self.kind,
            "sentence": self.sentence,
            "note": self.note,
        }


def format_time(value: time | None) -> str | None:
    """"HH:MM", with "kl. 24.00" kept as the ISO 8601 end of day "24:00"."""
    if value is None:
        return None
    return "24:00" if value == END_OF_DAY else value.strftime("%H:%M")


# Every pattern below runs on text folded by fold_case(), not with re.IGNORECASE,
# which made extraction several times slower.
# Abbreviations whose dot never ends a sentence ("klo. 16", "p. 0295 …", "esim. Kela").
_ABBREVIATIONS = frozenset((
    "klo", "kl", "p", "puh", "esim", "jne", "mm", "ns", "ks", "vrt", "yms", "tms", "ym", "n",
    "ts", "os", "nro", "t.ex", "bl.a", "dvs", "ca", "resp", "s", "kpl", "milj", "mrd", "sid",
    "st", "prof", "dos", "tri", "ins", "eng", "etc", "e.g", "i.e", "vs", "no",
))
_BOUNDARY = re.compile(r"[.!?]+[\"”»)]?\s+(?=[\"“”«(]?[A-ZÅÄÖ])|\n+")

_POST_CUE = re.compile(
    r"^\s*[,)]?\s*(?:saakka|asti|mennessä|välisenä aikana|at the latest)\b")
_PRE_CUE = re.compile(
    r"(?:\bviimeistään|\bsenast(?:\s+den)?|\btill och med(?:\s+den)?|\bt\.o\.m\.?"
    r"|\b(?:fram|pågår|öppen|öppet)\s+till(?:\s+den)?|\bförläng\w*\s+till(?:\s+den)?|\buntil"
    r"|\bby(?:\s+\d{1,2}(?:[.:]\d\d)?\s*[ap]\.?m\.?\s+on)?|\bno later than"
    r"|\bdeadline(?:\s+is)?:?|\btakaraja(?:\s+on)?|\bmääräpäivä(?:\s+on)?"
    r"|\bvastausaika\s+(?:on\s+)?päätty\w*:?)\s*$")
_VERB_CUE = re.compile(
    r"\b(?:päättyy|päättyi|päättynyt|umpeutuu|umpeutui|sulkeutuu|sulkeutui|loppuu|jatkuu"
    r"|går ut|gick ut|löper ut|löpte ut|upphör|upphörde|stänger|stängs|closes|closed|ends|ended"
    r"|expires|expired)(?:\s+(?:on|den|jo|vasta|nyt|the|alun perin|kuitenkin|\w+sti))*\s*:?\s*$")
_NOUN_CUE = re.compile(
    r"\b(?:lausuntoai|hakuai|määräai|vastausai|takaraj|ilmoittautumisai|raportointiai"
    r"|nähtävilläoloai|viimeinen\s+\w*päivä|sista\s+ansökningsdag|ansökningstid"
    r"|remisstid|anmälningstid|svarstid|sista\s+dag|päättymispäivä|closing date|deadline)[\w-]*"
    r"(?:(?:\s+[\w-]+){0,4}?\s+(?:on|oli|är|var|is|was)\s*:?|\s*:)\s*$")
_TIME_AFTER_CUE = re.compile(
    r"\s*(?:saakka|asti|mennessä)\s+(?:klo|kello|kl)\.?\s*([01]?\d|2[0-3])(?:[.:]([0-5]\d))?\b")
_TIME_BEFORE = re.compile(r"\b(1[0-2]|0?[1-9])(?:[.:]([0-5]\d))?\s*([ap])\.?m\.?\s+on\s*$")
_PERIOD_WORDS = re.compile(
    r"\b(?:haku\w*|haetaan|hakea|haettavissa|sökas|söka|avoinna|auki|nähtävill\w*|nähtäville"
    r"|välisenä aikana|between|mellan|submitted"
    r"|under tiden|ansökningstid\w*"
    r"|kysely\w*|enkät\w*|open|vastausai\w*|lausuntoai\w*|hakuai\w*|ilmoittautumisai\w*)\b")
_TOPIC = re.compile(
    r"lausun|lausuntopyyn|statement|haku|haet|hae[mt]|hakea|hakemu|hakij|avustu|kysely|ilmoittau|remiss"
    r"|utlåtand|yttrand|ansök|anmäl|mielipit|muistutu|nähtävillä|kommentoi|kommenter"
    r"|palaute|vastaa|vastata|vastaus|toimit|jätet|jättä|palautet|palauta|lähet|lämna"
    r"|inkomm|skicka|submit|appl|comment|regist|raportoi|täydenn|svar|enkät|survey|consult"
    r"|feedback|takaraj|määräai|deadline|ansökningsdag|tarjou|anbud|ilmoitettava|redovis"
    r"|\bsök|komplett|respon")
_ANY_CUE = re.compile(r"mennessä|saakka|asti|viimeistään|päätty|umpeutu|sulkeutu|senast|går ut"
                      r"|gick ut|until|closes|ends\b|deadline")
_EXTENSION = re.compile(
    r"\b(?:jatket(?:aan|tiin|tu|ty)|on jatkettu|pidennet(?:ään|tiin|ty)|jatkoai\w*"
    r"|ava(?:taan|ttiin) uudelleen|förläng\w*|extended|re-?opened)\b")
_PAST = re.compile(
    r"\b(?:päättyi|päättynyt|umpeutui|sulkeutui|gick ut|löpte ut|upphörde|closed|ended"
    r"|expired|oli|var|was)\b")
# Vetoes near the date (§3.3): entry into force, starts and openings, receipt
# and letter dates, elections, meetings, validity periods, page stamps.
_LEFT_VETO = re.compile(
    r"voimaan|voimassa|avautuu|aukeaa|avataan(?! uudelleen)|avattiin(?! uudelleen)|alkaa\b"
    r"|alkoi\b|käynnisty|saapunut|saapui|päivätyllä|päivätty|järjestetään|järjestettiin"
    r"|pidetään|pidettiin|kokous|julkaisuajankohta|julkaistu|utgivningsdatum|publication date"
    r"|published|viimeksi julkaistu|senast uppdaterad|uppdaterad|senast publicerat"
    r"|publicerad|uppdater|ändrad|updated|modified|korjattu|muokattu|päivitetty|vaalipäiv|vaalit|valdag|ennakkoäänest"
    r"|äänestysai|förhandsröst|träder i kraft|trädde i kraft|började|öppnar|öppnade|öppnas"
    r"|opens|opened|into force|optio|täyttävä|fyllt|suljet|stängd|stängt|inkom\b|mottog"
    # Dates the authority acts on, not the public: decisions, notices, payments.
    r"|päätö\w*(?:\s+\w+)?\s+(?:tehdään|annetaan)|päätetään|käsitellään|ilmoitetaan|tiedotetaan"
    r"|julkaistaan|maksetaan|beslut\w*\s+(?:fattas|meddelas)|meddelas|betalas")
_RIGHT_VETO = re.compile(
    r"^\W{0,3}(?:alkaen|lähtien|päivätyllä|päivätty|från och med|fr\.o\.m|järjestetään"
    r"|pidettävä|tulee voimaan|voimaan|träder|onwards|päätetty)")
_CLAUSE = re.compile(r";|,\s*(?:ja|och|and|mutta|men|but|että|att|jolloin|kun)\b|\s[–—]\s")

_KIND_RULES = (
    ("other", re.compile(r"raport|redovis|valiokun|utskott"
                         r"|committee|käyttöselvity|reporting"
                         r"|selvity\w*\s+(?:\w+\s+){0,2}käytö|käyttö\w*\s+(?:\w+\s+){0,2}selvity")),
    ("registration", re.compile(r"ilmoittau|ilmoitettava|anmäl|rekisteröi|regist|kotiäänest"
                                r"|ehdokas"
                                r"|webinaari|webinar|sign up|hemröstning")),
    ("consultation", re.compile(r"lausun|remiss|utlåtand|yttrand|mielipit|muistutu|nähtävillä"
                                r"|kysely|enkät|survey|consult|comment|komment|statement"
                                r"|kuulemi|vastausai|vastata|vastaamalla|vastataan|palaute"
                                r"|feedback|respon")),
    ("application", re.compile(r"haku|haetaan|hae[mt]|hakea|haettav|hakemu|hakij|avustu|ansök|\bsök|bidrag"
                               r"|komplett|apply"
                               r"|application|täydenn|grant|understöd|tarjou|anbud")),
)
_VAGUE = (
    (re.compile(r"ei ole asetettu määräaikaa|ingen tidsfrist|no deadline"),
     "explicitly no deadline"),
    (re.compile(r"\b(?:\d+|yhden|kahden|kolmen|neljän|viiden|seitsemän|kymmenen|\w+kymmenen)"
                r"\s+(?:päivän|viikon|kuukauden|vuorokauden)\s+(?:kuluessa|sisällä)"
                r"|\binom\s+\w+\s+(?:dagar|veckor|månader)|\bwithin\s+\w+\s+(?:days|weeks|months)"
                r"|päivää ennen|\w+\s+päivänä ennen|dagar före|månader efter|days before"),
     "relative deadline: counted from another event, no absolute date"),
    (re.compile(r"\b(?:tänään|huomenna|ensi viikolla|vielä viikolla|idag|i dag|i morgon"
                r"|nästa vecka|today|tomorrow|next week|(?:maanantai|tiistai|keskiviikko"
                r"|torstai|perjantai|lauantai|sunnuntai)-?(?:iltaan|hin|aamuun))\b"),
     "relative deadline: day given relative to the text"),
    (re.compile(r"\bvuo(?:den|teen)\s+\d{4}|\b(?:alku|loppu)vuode\w*|\b(?:alku|loppu)?"
                r"(?:kevää\w*|kesällä|syksyllä|syksyyn|talvella)\b|\bvåren|\bhösten|\bsommaren"
                r"|\bi slutet av|\btill slutet av|\bby the end of|\bså snart som möjligt"
                r"|\bmahdollisimman pian|\bas soon as possible"),
     "vague deadline: season, year or end of a period only"),
)


def split_sentences(text: str, dates: list[DateMatch] | None = None) -> list[tuple[int, int]]:
    """Split ``text`` into sentence spans (start, end) without breaking dates.

    A dot ends a sentence only before whitespace and a capital, and never inside
    a date ("TORSTAINA 7. MARRASKUUTA 2013") or after an abbreviation
    ("klo.", "p.", "esim.", "jne."). Newlines always end a sentence.

    >>> t = "Haku päättyy 5.11. Lisätietoja antaa esim. Kela."
    >>> [t[a:b] for a, b in split_sentences(t)]
    ['Haku päättyy 5.11.', 'Lisätietoja antaa esim. Kela.']
    """
    if dates is None:
        dates = find_dates(text)
    spans = [(m.start, m.end) for m in dates]
    span_index = 0  # boundaries and dates both come in text order: walk them together
    out: list[tuple[int, int]] = []
    start = 0
    for b in _BOUNDARY.finditer(text):
        dot = b.start()
        if text[dot] == "\n" and text[max(0, dot - 80):dot].rstrip().endswith(":"):
            continue  # "Hakuaika:\n1.8.‒1.9.2025" is one statement
        if text[dot] != "\n":
            while span_index < len(spans) and spans[span_index][1] - 1 <= dot:
                span_index += 1
            if span_index < len(spans) and spans[span_index][0] <= dot:
                continue
            word = re.search(r"(\S+)$", text[max(0, dot - 12):dot])
            token = word[1].lower().lstrip("(") if word else ""
            if token in _ABBREVIATIONS or re.fullmatch(r"[A-ZÅÄÖ]", word[1] if word else ""):
                continue
        end = dot if text[dot] == "\n" else b.end()
        _push(text, start, end, out)
        start = b.end()
    _push(text, start, len(text), out)
    return out


def _push(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append((start, end))


def classify_kind(sentence: str) -> str:
    """Kind of a deadline sentence: consultation, application, registration or other.

    >>> classify_kind("Avustushaku on avoinna 9.10.2023 – 3.11.2023 klo 15:45 saakka.")
    'application'
    """
    low = sentence.lower()
    for kind, rule in _KIND_RULES:
        if rule.search(low):
            return kind
    return "other"


def _cue_score(text: str, m: DateMatch, left_from: int, s_end: int, sentence: str) -> int:
    """How strongly a deadline cue is attached to date ``m`` (0 = not at all)."""
    left = text[max(left_from, m.start - 90):m.start]  # cues sit right before the date
    right = text[m.end:s_end]
    if _POST_CUE.match(right) or _PRE_CUE.search(left) or _VERB_CUE.search(left):
        return 3
    if _NOUN_CUE.search(left):
        return 2
    if m.is_range and _PERIOD_WORDS.search(sentence):
        return 1
    return 0


def _time_near_cue(text: str, left_from: int, start: int, end: int, s_end: int) -> time | None:
    """A time written apart from its date: "5.3.2025 asti klo 16", "by 4 p.m. on 5 March"."""
    late = _TIME_AFTER_CUE.match(text, end, s_end)
    if late:
        return time(int(late[1]), int(late[2] or 0))
    early = _TIME_BEFORE.search(text, left_from, start)
    if early:
        hour = int(early[1]) % 12 + (12 if early[3].lower().startswith("p") else 0)
        return time(hour, int(early[2] or 0))
    return None


def _sentence_deadlines(text: str, low: str, s_start: int, s_end: int, dates: list[DateMatch],
                        ref_date: date | None) -> list[tuple[int, Deadline]]:
    """Candidate deadlines of one sentence; ``low`` is ``fold_case(text)``."""
    sentence = text[s_start:s_end]
    if not _TOPIC.search(low, s_start, s_end):
        return []
    found: list[tuple[int, Deadline]] = []
    prev_end = s_start
    for m in dates:
        # Cues and vetoes only count inside the date's own clause: in
        # "saapunut 20.12.2024 ja … 31.1.2025 mennessä" each date has its own.
        left_from = max([prev_end] + [c.end() for c in _CLAUSE.finditer(low, prev_end, m.start)])
        prev_end = m.end
        score = _cue_score(low, m, left_from, s_end, low[s_start:s_end])
        if not score:
            continue
        if _LEFT_VETO.search(low, max(left_from, m.start - 70), m.start) or \
                _RIGHT_VETO.match(low[m.end:s_end]):
            continue
        if m.time is None and m.date is not None:
            m = replace(m, time=_time_near_cue(low, left_from, m.start, m.end, s_end))
        extension = bool(_EXTENSION.search(low, left_from, m.start)) or (
            len(dates) == 1 and bool(_EXTENSION.search(low, s_start, s_end)))
        found.append((score + 5 * extension,
                      _make(sentence, m, ref_date, extension)))
    return found


def _make(sentence: str, m: DateMatch, ref_date: date | None, extension: bool) -> Deadline:
    if m.precision != "day":
        return Deadline(None, None, None, sentence,
                        note=f"vague deadline: month only ({m.text})")
    if m.date is None:
        return Deadline(None, None, None, sentence,
                        note=f"year-less date {m.text!r} needs a reference date"
                             f" ({classify_kind(sentence)})")
    notes = []
    if m.is_range:
        notes.append(f"range {m.text!r}: end taken")
    if extension:
        notes.append("extended deadline")
    if m.yearless:
        notes.append("year resolved from reference date")
    day = m.date
    past_tense = bool(_PAST.search(sentence.lower()))
    if m.yearless and past_tense and ref_date is not None and day > ref_date + _HALF_YEAR:
        # "Lausuntoaika päättyi 20.12." in a release of 10.1.: the roll-forward
        # rule would say next December, but the verb says it is already over.
        day = day - relativedelta(years=1)
    past = past_tense or (ref_date is not None and day < ref_date)
    return Deadline(day, m.time, classify_kind(sentence), sentence,
                    note="; ".join(notes) or None, extension=extension, past=past)


def _vague_note(sentence: str) -> Deadline | None:
    low = sentence.lower()
    if not (_TOPIC.search(low) or _ANY_CUE.search(low)):
        return None
    for rule, note in _VAGUE:
        if rule.search(low):
            return Deadline(None, None, None, sentence, note=note)
    return None


def extract_deadlines(text: str, lang: str | None = None,
                      ref_date: date | None = None) -> list[Deadline]:
    """Every deadline in ``text``, in reading order (at most one per sentence).

    ``ref_date`` (the page's publication date) resolves year-less dates; ``lang``
    ("fi", "sv", "en") is accepted for callers' convenience, but the cue sets of
    all three languages are always tried because pages mix them.

    >>> [d.deadline.isoformat() for d in extract_deadlines(
    ...     "Lausuntoaika päättyi 5.11. Kysely on avoinna 24.11. saakka.",
    ...     ref_date=date(2025, 10, 20))]
    ['2025-11-05', '2025-11-24']
    """
    del lang  # the cues of fi/sv/en do not collide, so no per-language switch
    all_dates = find_dates(text, ref_date)
    low = fold_case(text)
    result: list[Deadline] = []
    next_date = 0
    for s_start, s_end in split_sentences(text, all_dates):
        while next_date < len(all_dates) and all_dates[next_date].start < s_start:
            next_date += 1
        first = next_date
        while next_date < len(all_dates) and all_dates[next_date].start < s_end:
            next_date += 1
        inside = all_dates[first:next_date]
        found = _sentence_deadlines(text, low, s_start, s_end, inside, ref_date)
        if found:
            dated = [f for f in found if f[1].deadline is not None] or found
            result.append(max(dated, key=lambda f: f[0])[1])
            continue
        vague = _vague_note(text[s_start:s_end])
        if vague is not None:
            result.append(vague)
    return result


def extract_deadline(text: str, lang: str | None = None,
                     ref_date: date | None = None) -> Deadline | None:
    """The best deadline in ``text``, or None when it names none.

    Dated deadlines win over notes; an extension wins over the original date.

    >>> d = extract_deadline("Hakemusten on oltava perillä 7. tammikuuta kello 12 mennessä.",
    ...                      ref_date=date(2025, 12, 29))
    >>> d.deadline, d.time, d.kind
    (datetime.date(2026, 1, 7), datetime.time(12, 0), 'application')
    """
    found = extract_deadlines(text, lang, ref_date)
    if not found:
        return None
    dated = [d for d in found if d.deadline is not None]
    if not dated:
        return found[0]
    extended = [d for d in dated if d.extension]
    return (extended or dated)[0]


__all__ = ["KINDS", "Deadline", "classify_kind", "extract_deadline", "extract_deadlines",
           "format_time", "split_sentences"]
