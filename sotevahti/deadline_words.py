"""Word roles around a date candidate, matched by lemma so that inflection does not matter.

The deadline extractor finds every date first and then asks, for each one, what the words of
its clause say: is something to be done by the public (ACT), is the date the authority's own
act — a decision, its processing, payment or mailing (AUTHORITY) — is it how long a grant may
be used (USE), which activity is eligible (ELIGIBLE), or is the rule yearly (RECURRING).

A word form's roles come from its surface form and its lemmas in Finnish and Swedish, as
given by simplemma (a dictionary lemmatiser, no model download). "hakemusten", "hakemuksia"
and "hakemus" all have the lemma "hakemus"; "ansökningarna" has "ansökning". Each form is
looked up once and cached, so a long crawl pays the lemmatiser only for words it has not met.

>>> sorted(roles("hakemusten"))
['act']
>>> sorted(roles("avustuspäätökset"))
['authority', 'grant']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from sotevahti.date_patterns import stem_regex
from sotevahti.token_flags import FLAGS

ACT, AUTHORITY, USE, GRANT, ELIGIBLE, RECURRING, APPEAL, REPORT, COUNT, PAYMENT, QUESTION = (
    "act", "authority", "use", "grant", "eligible", "recurring", "appeal", "report", "count", "payment", "question")
ANSWERED = "answered"  # the passive "vastataan"/"besvaras", whose role depends on what is answered

# Matched at the start of the surface form or of a lemma (fi or sv).
_PREFIXES = {
    ACT: (
        # Finnish: applying, commenting, answering, registering, submitting, on display
        "lausun", "lausua", "lausuu", "haku", "hakea", "hakem", "haet", "haem", "avustushak", "kysely", "ilmoittau",
        "ilmoittaud", "mielipi", "muistutu", "nähtävil", "nähtäville", "kommen", "näkemy", "palaute", "palautt",
        "vastaa", "vastaus", "vastauk", "vastat", "toimit", "jättä", "jätet", "jättö", "lähet", "täydenn",
        "takaraj", "määräai", "ehdok", "kuulemi", "osallistu", "tarjou", "rekisteröi", "viranhak", "kannanot",
        "ilmoitettava", "perill", "kirjaamo", "lomake", "lomakk", "blankett", "formulär", "annettav",
        "raportoi", "rapporter", "redovis", "anomu", "anomis", "anotta", "anotaan", "hakeutu", "hakeudu",
        "veroilmoitu", "deklaration", "boka", "bokning", "ajanvarau", "halukkuu", "intresseanmäl", "utlys", "ehdolle",
        "kilpailutö", "varattava", "varataan", "aloitte", "ilmoitus", "motion",
        # Swedish
        "remiss", "utlåtand", "yttra", "ansök", "anmäl", "åsikt", "påseende", "framlag", "framlägg",
        "synpunkt", "ståndpunkt", "ställningstag", "idé", "ideoi", "ideat", "svar", "enkät", "lämna", "inkomm",
        "skicka", "registrer", "tillhanda", "handa",
        "sök", "kandidat",
        "rekvir", "rekvisition", "samråd", "gransknin", "utställningstid",
        # English
        "deadline", "appl", "submi", "comment", "regist", "consult", "survey", "feedback", "respon", "opinion",
        "statement", "sign"),
    AUTHORITY: (
        "päätös", "päätök", "päättä", "päätet", "käsitel", "käsittel", "myönn", "myönt",
        "ilmoitetaan", "tiedotetaan", "julkaistaan", "pyrit", "pyrkii",
        "valitaan", "valinna", "valinta", "handlägg", "ratkais", "ratkaisu", "avgör", "överlämna", "julkais",
        "publicera",
        "beslut", "besluta", "fatta", "bevilj", "behandla", "meddelas", "meddelande", "skickas ut",
        # a confirmation is the organiser's to send: "Ilmoittautuneille lähetetään vahvistus … mennessä"
        "vahvistus", "vahvistuks", "bekräftelse",
        # assessed by the authority: "Hakemukset on arvioitu 15.6.2027 mennessä", "… har bedömts senast …"
        "arvioitu", "arvioidaan", "arvioitiin", "bedöms", "bedömts", "bedömdes",
        "decision", "decided", "awarded", "granted", "paid", "processed", "notified"),
    # Payment by the authority ("Avustukset maksetaan 15.3.", "Utbetalningen sker senast …"), unless an
    # applying verb follows ("Avustuksen maksatusta on haettava …", "Utbetalning … ska sökas senast …").
    PAYMENT: ("maksetaan", "maksetta", "maksa", "maksatu", "utbetal", "betala", "betalas", "paid", "payment"),
    # Questions answered by the authority's help desk ("kysymyksiin vastataan … asti", "frågor besvaras …")
    QUESTION: ("kysymy", "frågor", "frågan", "questions"),
    USE: ("käyttä", "käytet", "käytettä", "käyttöai", "käyttöaj", "använd", "användningstid", "spent", "used"),
    GRANT: ("avustu", "tuki", "tuen", "tukea", "raha", "bidrag", "understöd", "stöd", "medel", "grant", "funds"),
    ELIGIBLE: ("toteutet", "toteutus", "toteuttam", "rahoitettav", "rahoitetta", "finansieras",
                "tukikelpoi", "hankeai", "hankeaj", "rahoituskau",
               "kustannu", "kulu", "syntyv", "syntyn",
               "genomför", "stödberättig", "projekttid", "kostnad", "eligible", "costs", "activities"),
    RECURRING: ("vuosittai", "jokavuoti", "årlig", "årsvis", "annual", "yearly"),
    REPORT: ("raport", "rapport", "redovis", "redogör", "selvity", "selvitys", "tility", "report"),
    APPEAL: ("besvär", "oikaisuvaatimu", "valitu", "muutoksenhak", "överklag", "rättelseyrkand", "omprövning",
             "appeal"),
}
# Stems that may sit inside a compound ("avustuspäätös", "valtionavustuspäätökset").
_HEADS = {
    AUTHORITY: ("päätös", "päätöks", "beslut"),
    ACT: ("hakemus", "haku", "lausunto", "kysely", "ilmoittautumi", "ansökning", "ansökan", "anmälning", "remiss",
          "utlåtande"),
    GRANT: ("avustus", "bidrag", "understöd"),
}
# Prefixes a role must never take: "tilinpäätös" (financial statement) is no decision,
# "myöntäjä" is the grantor a report goes to, "maksatushakemus" the applicant's payment claim.
# "julkaistuun lausuntopyyntöön" (to the published request): the past participle describes what was
# done already, not the authority's act on the date ("julkaistaan" still is; a "julkaistu 3.2." right
# before the date is a surface veto).
# "valinnanvapaus" (freedom of choice) is no selection by the authority
# "publicerades"/"publicerad" (already published) describes the text, like "julkaistu"
# "kuulutuksen julkaisemisesta" (from the notice's publication) is where a relative period starts.
_NOT_PREFIX = {ACT: ("sökand",), AUTHORITY: ("tilinpäät", "myöntäj", "julkaistu", "valinnanvapau", "publicerad",
                                             "publicerat", "julkaisemisest", "julkaisust"),
               # "on maksettava" (must be paid) is the payer's duty; "maksetaan" (is paid out) the authority's
               PAYMENT: ("maksatushak", "maksu", "maksaja", "maksettava"),
               # "valituille asukkaille" (to the selected residents) is no appeal ("valitus")
               APPEAL: ("valitut", "valituil", "valitull", "valitun", "valitul", "valituist", "valituksi")}
# Two-word rules: "joka vuosi", "varje år", "every year", "kunakin vuonna".
_PAIRS = {("joka", "vuosi"): RECURRING, ("jokainen", "vuosi"): RECURRING, ("kunakin", "vuonna"): RECURRING,
          ("varje", "år"): RECURRING, ("every", "year"): RECURRING, ("varje", "års"): RECURRING,
          # Swedish "ska ha kommit in", "komma in": to arrive (be submitted)
          ("kommit", "in"): ACT, ("komma", "in"): ACT, ("kommer", "in"): ACT, ("kom", "in"): COUNT,
          # "De sökande får besked om antagningen senast …": the authority's notice, not the public's act
          ("får", "besked"): AUTHORITY, ("får", "beskedet"): AUTHORITY, ("får", "svar"): AUTHORITY}
# Words a role must never take, whatever their lemma says ("vastaava" = equivalent,
# "ansvar" = responsibility, "päättyy" = ends, not decides; simplemma reads "enkäten" as "ei").
_NOT = {
    ACT: frozenset(("vastaava", "vastaavasti", "vastaan", "ansvar", "ansvarig", "ansvariga", "svarar",
                    "sökande", "sökandena", "sökanden", "maksetaan")),
    AUTHORITY: frozenset(("maksatushakemus", "maksatushakemukset", "maksatushakemuksen", "päättyy",
                          "maksaja", "maksuton", "maksutta")),
}
#: Whole forms with a role ("tuli" = came: "Hakemuksia tuli … 48", never a prefix of "tulee").
_EXACT = {form: COUNT for form in ("tuli", "tulivat", "saatiin", "kertyi", "jätettiin", "lämnades", "inkom")}
_EXACT.update({form: ANSWERED for form in ("vastataan", "besvaras", "answered")})
# Mailed by the authority ("Kyselylomakkeet postitetaan asukkaille 7.–11.2.", "Blanketterna postas till
# invånarna …"); the public's duty takes the necessive or a modal ("on postitettava", "ska postas"):
# after a modal, ``words`` reads these forms as the public's act.
_EXACT.update({form: AUTHORITY for form in ("postitetaan", "postitettiin", "postataan", "postas", "postades")})
_MODALS = frozenset(("ska", "skall", "måste", "bör", "skulle"))
#: Forms whose roles depend on the word before: form -> (those words, the roles after them).
#: "ansökan om avgörande" (an application for a decision) is the applicant's matter, while
#: "Tingsrätten meddelar sitt avgörande den …" is the court's act.
_ROLES_AFTER: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "postas": (_MODALS, frozenset((ACT,))),
    "avgörande": (frozenset(("om",)), frozenset()),
    # "efter beslutet, dock senast …": the decision is the event the applicant acts after
    **{form: (frozenset(("efter",)), frozenset()) for form in ("beslut", "beslutet", "besluten")}}
#: Genitive decisions that "jälkeen" may follow: "hakea oppilaaksiottopäätöksen jälkeen, kuitenkin
#: viimeistään 12.4.2027" (the applicant acts after the decision), a prior event, not the authority's date.
_DECISION_GENITIVES = ("päätöksen", "päätösten")
#: A word: what ``words`` splits a sentence into.
WORD = re.compile(r"\w+")
_WORD = WORD
_LANGS = ("fi", "sv")


def lemmas(form: str) -> tuple[str, ...]:
    """The surface form and its Finnish and Swedish lemmas (simplemma), without repeats.

    >>> lemmas("ansökningarna")
    ('ansökningarna', 'ansökning')
    """
    out = [form]
    lemmatize = _lemmatize()
    for lang in _LANGS:
        lemma = lemmatize(form, lang)
        if lemma not in out:
            out.append(lemma)
    return tuple(out)


@lru_cache(maxsize=1)
def _lemmatize() -> Callable[[str, str], str]:
    # imported and built on first use: a command that meets no date sentence never imports simplemma
    # (its rules for 21 languages take 0.3-0.8 s to import) nor opens a dictionary, and one that meets
    # only words looked up before answers from the memo (sotevahti/lemma_memo.py) without either
    from sotevahti.lemma_memo import lemmatizer as remembered

    def build() -> Callable[[str, str], str]:
        from sotevahti.lemma_index import lemmatizer

        return lemmatizer()

    return remembered(build)


@lru_cache(maxsize=65536)
def roles(form: str) -> frozenset[str]:
    """The roles of one lowercase word form (cached: the lemmatiser runs once per form).

    >>> sorted(roles("ansökningarna")), sorted(roles("vuosittain")), sorted(roles("päättyy"))
    (['act'], ['recurring'], [])
    """
    found = set()
    if form in _EXACT:
        return frozenset((_EXACT[form],))
    if len(form) < 3 or form.isdigit():
        return frozenset()
    forms = lemmas(form)
    for role, stems in _PREFIXES.items():
        if form in _NOT.get(role, ()) or form.startswith(_NOT_PREFIX.get(role, ("\0",))):
            continue
        if any(f.startswith(stems) for f in forms):
            found.add(role)
    for role, heads in _HEADS.items():
        if (role not in found and form not in _NOT.get(role, ()) and not form.startswith(_NOT_PREFIX.get(role, ("\0",)))
                and any(h in f for f in forms for h in heads)):
            found.add(role)
    if AUTHORITY in found and found & {ACT}:
        # "avustuspäätös" holds both a grant word and a decision: the decision is the head
        if any(f.endswith(("päätös", "päätökset", "beslut", "besluten", "beslutet")) for f in forms):
            found.discard(ACT)
    return frozenset(found)


def words(low: str, start: int, end: int) -> dict[str, list[int]]:
    """The offsets of the words of each role in ``low[start:end]``, two-word rules included.

    >>> words("haku on auki joka vuosi", 0, 23)
    {'act': [0], 'recurring': [13]}
    """
    out: dict[str, list[int]] = {}
    cache = _CACHE
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    cursor = start
    previous = ""
    # findall runs in C; only the few words with a role are located again, from a cursor
    for form in _WORD.findall(low, start, end):
        found = cache.get(form)
        if found is None:
            found = cache[form] = roles(form)
        if previous in _PAIR_FIRST:
            pair_role = _PAIRS.get((previous, form))
            if pair_role:
                at = low.find(previous, cursor, end)
                out.setdefault(pair_role, []).append(at if at >= 0 else cursor)
        if found:
            after = _ROLES_AFTER.get(form)  # every such form has a role of its own
            if after is not None and previous in after[0]:
                found = after[1]  # "Ansökningarna ska postas senast …": the applicant posts
        previous = form
        if found:
            at = low.find(form, cursor, end)
            cursor = at if at >= 0 else cursor
            if form.endswith(_DECISION_GENITIVES) and low.startswith(" jälkeen", cursor + len(form)):
                found = found - {AUTHORITY}
            for role in found:
                out.setdefault(role, []).append(cursor)
    return out


_CACHE: dict[str, frozenset[str]] = {}  # every form met, so the hot loop pays one dict look-up per word
_CACHE_LIMIT = 200_000  # forms; a long crawl starts the cache afresh rather than grow without end
_PAIR_FIRST = frozenset(first for first, _ in _PAIRS)
#: Surface hint of any word whose role can veto a date or make it yearly: every stem of those roles,
#: the two-word rules, the whole forms, and shorter stems for forms whose lemma (not surface) has the
#: role ("päätti" → "päättää"). A sentence without a hit skips the word-by-word look-up.
_ROLE_HINT_ITEMS = sorted({
    *(stem for role in (AUTHORITY, PAYMENT, USE, ELIGIBLE, RECURRING, QUESTION, REPORT, APPEAL)
      for stem in _PREFIXES[role]),
    *(head for role in (AUTHORITY,) for head in _HEADS[role]), *_EXACT,
    *(f"{first} {second}" for first, second in _PAIRS),
    "päät", "käsit", "myön", "maks", "ratkai", "beslut", "betal", "använ", "toteu", "rahoi", "genomf"})
ROLE_HINT = re.compile(stem_regex(_ROLE_HINT_ITEMS))
#: ROLE_HINT as a token flag (sotevahti/token_flags.py), mostly read from a per-word cache.
ROLE_HINT_FLAG = FLAGS.add(_ROLE_HINT_ITEMS, compiler=re.compile)


def has(found: dict[str, list[int]], role: str, start: int = 0, end: int = 1 << 30) -> bool:
    """Whether a word with ``role`` lies in ``start``..``end``."""
    offsets = found.get(role)
    if not offsets:
        return False
    for at in offsets:
        if start <= at < end:
            return True
    return False


__all__ = [
    "ACT",
    "ANSWERED",
    "APPEAL",
    "AUTHORITY",
    "COUNT",
    "ELIGIBLE",
    "GRANT",
    "PAYMENT",
    "QUESTION",
    "RECURRING",
    "REPORT",
    "ROLE_HINT",
    "ROLE_HINT_FLAG",
    "USE",
    "has",
    "lemmas",
    "roles",
    "words",
]
