"""Cue, veto and kind patterns behind sotevahti.deadlines (DOMAIN.md §3).

Every pattern runs on text folded by ``dates.fold_case`` (lowercase, same
offsets), never with re.IGNORECASE. Long lists of literal stems are compiled
as a prefix tree (``stem_regex``): CPython's ``re`` tries every alternative of
a flat alternation in turn, while a tree branches on one letter at a time.
See the speed notes in ``date_patterns``.
"""

from __future__ import annotations

from sotevahti import regex_cache
from sotevahti.date_patterns import compile_fast, stem_regex
from sotevahti.token_flags import FLAGS, Flag

_WEEKDAY_ABBR = r"(?:(?:ma|ti|ke|to|pe|la|su)\.?\s+)?"  # "päättyy to 6.11.2025"
_CLOCK = r"(?:klo|kello|kl\.?|klockan)\s*\d{1,2}(?:[.:]\d\d)?"

# The cue patterns are searched in the few dozen characters before a date and
# anchored at its start ($). Each begins with a prefix tree rather than \b.

# What follows a date, in one anchored match: a cue ("25.9.2020 saakka", "… mennessä",
# "20.10.–17.11.2025 välisenä aikana"), maybe with its time ("31.3.2025 asti klo 16"), or a
# word that makes the date something else ("1.1.2019 alkaen", "31.8.2016 päivätyllä kirjeellä").
# A case ending ("31.3.:een") or a short aside ("5.3. (ke) mennessä") may come before the cue.
# Groups: cue, hour, minute, veto.
AFTER_DATE = compile_fast(
    r"(?::\w{1,4})?\s*[,)]?\s*(?:\([^)]{1,15}\)\s*)?(?:(?:vuorokauden|päivän)\s+loppuun\s+)?"
    r"(saakka|asti|mennessä|välisenä aikana|at the latest"
    r"|päättyvä|päättyneellä|päättyneen|umpeutuva|sulkeutuva)"
    r"(?:\s+(?:klo|kello|kl)\.?\s*([01]?\d|2[0-3])(?:[.:]([0-5]\d))?\b)?"
    r"|\W{0,3}(alkaen|lähtien|päivätyllä|päivätty|päivätyn|från och med|fr\.o\.m|järjestet\w*"
    r"|järjestettäv\w*|pidet\w*|pidettäv\w*|tehdyllä|tehdyssä|tulee voimaan|voimaan|träder"
    r"|onwards|päätetty|daterad|daterat|syntyn\w*|född\w*|born)")
# Cues right before the date ("viimeistään", "senast den", "until", "by"), with
# an optional time in between: "viimeistään kello 16.00 perjantaina 28.3.2025",
# or a time alone: "klo 12.00 mennessä 30.4.2025".
_PRE_WORDS = [
    "viimeistään", r"perillä(?:\s+[\w-]+){0,2}?(?:\s+viimeistään)?",
    r"framme(?:\s+[\w-]+){0,2}?",  # "Ansökningarna ska vara framme (hos registratorn) måndagen den 4 januari"
    r"ända\s+till(?:\s+den)?",  # "… kan besvaras ända till söndagen den 14 mars 2027"
    # "… päättymiseen mennessä eli 31.10.2027"; each item starts with a literal, so the cue gate can close
    *(rf"{cue}\s*,?\s+(?:eli|toisin sanoen)" for cue in ("mennessä", "saakka", "asti")),
    r"senast(?:\s+den)?", r"till och med(?:\s+den)?", r"t\.o\.m\.?",
    r"fram\s+till(?:\s+den)?", r"pågår\s+till(?:\s+den)?", r"öppen\s+till(?:\s+den)?",
    r"öppet\s+till(?:\s+den)?", r"förläng\w*\s+till(?:\s+den)?", r"until(?<!\wuntil)",
    # a moved deadline: "on siirretty 29.9.2025", "har flyttats till 29.9.2025"
    r"siirret(?:ty|tiin|ään)(?:\s+päivään)?", r"flytta(?:ts|s|des)\s+till(?:\s+den)?",
    r"extended\s+(?:to|until)", r"postponed\s+(?:to|until)", r"due(?<!\wdue)(?:\s+(?:on|by))?",
    r"by(?<!\wby)(?:\s+\d{1,2}(?:[.:]\d\d)?\s*(?:[ap]\.?m\.?|noon)?\s+on)?",
    r"no later than(?:\s+\d{1,2}(?:[.:]\d\d)?\s*(?:[ap]\.?m\.?|noon)\s+on)?", r"till\s+den",
    r"deadline(?:\s+is)?:?", r"takaraja(?:\s+on)?:?", r"määräpäivä(?:\s+on)?:?",
    r"vastausaika\s+(?:on\s+)?päätty\w*:?",
    r"klo\s*\d{1,2}(?:[.:]\d\d)?\s+mennessä", r"kello\s*\d{1,2}(?:[.:]\d\d)?\s+mennessä",
    r"kl\.?\s*\d{1,2}(?:[.:]\d\d)?\s+mennessä",
    # "senast den sista dagen av framläggningstiden, 2.12.2025"
    r"senast\s+(?:den\s+)?sista\s+dagen\s+(?:av|för)\s+\w+,?", r"viimeistään\s+\w+\s+viimeisenä\s+päivänä,?",
    r"senast\s+\w+s\s+sista\s+dag(?:en)?\s*,?(?:\s+den)?",  # "senast ansökningstidens sista dag, den 8 oktober"
    r"ennen(?<!\wennen)", r"före(?<!\wföre)", r"before(?<!\wbefore)",
    # a relative limit, then its date: "viimeistään 6 viikkoa ennen kurssin alkua, eli 18.2.2027",
    # "senast sex veckor innan kursen börjar, det vill säga den 18 februari 2027"
    # (possessive "++": a word is read once, not given back letter by letter, which kept these two
    # from costing every "viimeistään"/"senast" a few hundred steps)
    r"viimeistään(?:\s+[\w.-]++){1,6}\s*,?\s+(?:eli|toisin sanoen)",  # "… 40. päivänä ennen vaaleja, eli 3.3."
    r"senast(?:\s+[\w.-]++){1,8}\s*,?\s+(?:det vill säga|dvs\.?|alltså)(?:\s+den)?",
]
# "ennen 15.1.2026" (no time): the last day to act is the day before.
BEFORE_CUE = compile_fast(r"(?<!\w)(?:ennen|före(?:\s+den)?|before)\s+" + _WEEKDAY_ABBR + "$")
# an adverb may follow the cue: "viimeistään kuitenkin 31.12.2027", "senast dock den 5 mars"
_PRE_TAIL = (r"(?:\s+(?:kuitenkin|dock|ändå))?(?:\s+" + _CLOCK + r")?(?:\s+(?:mennessä|den))?\s*"
             + _WEEKDAY_ABBR + "$")
# A closing verb: "päättyy 27.2.2026", "går ut den 25 september", "closes on 3 February".
_VERB_WORDS = [*(
    "päättyy|päättyi|päättynyt|päättyvät|päättyivät|umpeutuu|umpeutui|sulkeutuu|sulkeutui"
    "|loppuu|jatkuu|suljetaan|avslutas|avslutades|avslutats|slutar|slutade|slutat"
    "|gick ut|löper ut|löpte ut|upphör|upphörde|stänger|stängs|stängde|stängdes|closes|closed"
    "|close|ends|ended|expires|expired|gått ut|löpt ut|päättymistä|päättymiseen|päättyessä|umpeutuessa").split("|"),
    r"går(?:\s+(?:alltid|nu|redan|dock|också))?\s+ut"]  # an adverb may split the particle verb
_VERB_TAIL = (r"(?:\s+(?:on|den|jo|vasta|nyt|the|alun perin|kuitenkin|aina|alltid|always|varje år|joka vuosi|årligen"
              r"|redan|först|nu|dock|också"
              r"|\w+sti|" + _CLOCK
              + r"|at\s+\d{1,2}(?:[.:]\d\d)?\s*[ap]\.?m\.?))*"
              # an apposition after a relative phrase: "päättyy viikkoa ennen, 27.10.2025"
              + r"(?:(?:\s+[\w-]+){1,3}\s*,)?\s*:?\s*" + _WEEKDAY_ABBR + "$")
# A deadline noun, then "on"/"är"/":" or nothing: "Lausuntojen määräaika 22.1.2024",
# "Sista dag för ansökan är 31.3.2025", "Hakuaika: 1.8.‒1.9.2025". A weaker cue.
_NOUN_WORDS = [
    # "-ai-" for aika/aikaa/aikana, "-aj-" for ajan/ajalla (consonant gradation)
    *(stem + end for stem in ("lausuntoa", "hakua", "määräa", "vastausa", "ilmoittautumisa", "raportointia",
                              "nähtävilläoloa", "kuulemisa", "kommentointia") for end in ("i", "j")),
    "takaraj", r"viimei\w*\s+\w*päivä", r"sista\s+\w*dag", "ansökningstid", "remisstid",
    "anmälningstid", "svarstid", "tidsfrist", "utsatt tid", "besvärstid", "tiden för att", "jättöai", "jättöaj",
    "jättöpäiv", "palautuspäiv",  # "Hakemusten jättöpäivä on 19.3.2027 klo 13.00"
    "samrådstid", "granskningstid", "utställningstid", "ansökningsperiod",
    "päättymispäivä", "closing date", "deadline"]
# "The deadline for applications is 16:15 on 31 October", "Määräaika on klo 16 15.3.2025" carry a time first.
_NOUN_TAIL = (r"[\w-]*(?:(?:\s+[\w-]+){0,6}?\s+(?:on|oli|är|var|is|was)(?:\s+den)?\s*:?|(?:\s+[\w-]+){0,3}?\s*:|,|)"
              r"(?:\s*(?:" + _CLOCK + r"|\d{1,2}[.:]\d\d(?:\s*[ap]\.?m\.?)?\s+on)(?=\s))?\s*" + _WEEKDAY_ABBR + "$")
NOUN_CUE = compile_fast("(?:" + stem_regex(_NOUN_WORDS, prefix_only=False) + ")" + _NOUN_TAIL)
#: A deadline noun anywhere in a clause ("ansökningstiden gått ut …"): its closing verb outweighs a
#: processing verb elsewhere in the clause ("Ansökningarna behandlas efter att …").
PERIOD_NOUN = compile_fast(stem_regex(_NOUN_WORDS, prefix_only=False))
#: All three in one prefix tree, so one search finds any cue before a date.
_LEFT_CUE_ITEMS = ([w + _PRE_TAIL for w in _PRE_WORDS] + [w + _VERB_TAIL for w in _VERB_WORDS]
                   + [w + _NOUN_TAIL for w in _NOUN_WORDS])
LEFT_CUE = compile_fast(stem_regex(_LEFT_CUE_ITEMS, prefix_only=False))
# A time written before its date: "by 4 p.m. on 31 January", "klo 12.00 mennessä 30.4.2025".
# Both branches begin with a literal or a digit, so the engine skips to candidates.
TIME_BEFORE = compile_fast(
    r"(?:(?P<h12>\d(?<!\w\d)\d?)(?:[.:](?P<m12>[0-5]\d))?\s*(?:(?P<ampm>[ap])\.?m\.?|noon)\s+on\s*$"
    r"|b(?<!\wb)y\s+(?P<hby>\d\d?)[.:](?P<mby>[0-5]\d)\s+on\s*$"
    r"|(?:a(?<!\wa)t|i(?<!\wi)s)\s+(?P<hat>\d\d?)[.:](?P<mat>[0-5]\d)\s+on\s*$"
    r"|k(?<!\wk)(?:lo|ello|l\.?|lockan)\s*(?P<hklo>\d\d?)(?:[.:](?P<mklo>[0-5]\d))?"
    r"\s+(?:mennessä\s+|den\s+)?" + _WEEKDAY_ABBR + r"$)")
PERIOD_WORDS = compile_fast(
    # "Esiopetukseen ilmoittaudutaan 1.–14.2.2027", "Anmälan till förskolan görs 1–14.2.2027"
    r"\b(?:\w*haku\w*|haetaan|hakea|haettavissa|sökas|söka|söks|avoinna|auki|käynnissä|nähtävill\w*"
    r"|ilmoittaudutaan|ilmoittautumi\w*|görs|tas emot"
    r"|nähtäville|välisenä aikana|between|mellan|submitted|under tiden|ansökningstid\w*|öppen|öppet|öppna"
    r"|\w*kysely\w*|\w*enkät\w*|open|kerätään|påseende|framlag\w*|framlägg\w*"
    r"|vastausai\w*|lausuntoai\w*|hakuai\w*|ilmoittautumisai\w*"
    # "… voi antaa 5.–30.6.2025", "kan lämnas …", "the period runs from 1 to 31 October"
    r"|voi|voit|voivat|voidaan|kan|can|period\w*|runs|pågår|ajalla|ajanjaksolla|vastaanotetaan|otetaan vastaan"
    # "on lausuntokierroksella 19.9.–31.10.2025", "är ute på remiss …", "the consultation round …"
    r"|lausuntokierro\w*|kierroksella|lausunnolla|kuultavana|kommentoitavana|remiss\w*|round"
    # submitting within a window: "Hakemukset pyydetään jättämään 1.2.–1.3.2027", "… ska lämnas in 1.2–1.3."
    r"|jättämään|jätettävä|jätetään|toimittamaan|toimitettava|lämnas|inlämnas)\b")
# A sentence without any of these stems is not about acting on something.
_TOPIC_ITEMS = [*(
    "lausun|statement|haku|haet|haem|hakea|hakemu|hakij|avustu|kysely|ilmoittau|remiss"
    "|utlåtand|yttrand|ansök|anmäl|mielipit|muistutu|nähtävil|kommentoi|kommenter"
    "|näkemy|åsikt|påseende|framlag|framlägg|laadittava"
    "|palaute|palautt|vastaa(?![nv])|vastata|vastaus|vastauk|toimit|jätet|jättä|palautet|palauta|lähet|lämna"
    "|inkomm|skicka|submit|appl|comment|regist|raportoi|täydenn|svar|enkät|survey|consult|upphandl"
    "|veroilmoitu|deklaration|boka|bokning|ajanvarau|varaa aika|halukkuu|sitt intresse|intresseanmäl"
    "|utlys|ehdolle|kilpailutö|varattava|varataan|aloitte|motion|ilmoitus"
    "|feedback|takaraj|määräai|deadline|ansökningsdag|tarjou|anbud|ilmoitettava|redovis"
    "|komplett|respon|synpunkt|ställningstag|haun|haus|opinion|kannanot|anmärkning|idé|ideoi|ideat"
    "|ehdokasasettel|kuulemi|submis|anomu|anomis|anotta|anotaan|hakeutu|hakeudu").split("|"),
    r"sök(?<!\wsök)", r"hae(?<!\whae)\b"]
TOPIC = compile_fast(stem_regex(_TOPIC_ITEMS))
_ANY_CUE_ITEMS = [*"mennessä|saakka|asti|viimeistään|päätty|umpeutu|sulkeutu|senast"
                  "|går ut|gick ut|gått ut|until|closes".split("|"), r"ends\b", "deadline"]
ANY_CUE = compile_fast(stem_regex(_ANY_CUE_ITEMS))
EXTENSION_PHRASES = [
    r"jatket(?:aan|tiin|tu|ty)\b", r"on jatkettu\b", r"pidennet(?:ään|tiin|ty)\b", "jatkoai",
    r"avataan uudelleen\b", r"avattiin uudelleen\b", "förläng", r"extended\b", r"postponed\b",
    r"reopened\b", r"re-opened\b", r"siirret(?:ty|tiin|ään)\b", r"flytta(?:ts|s|des)\s+till\b"]
EXTENSION = compile_fast(stem_regex(EXTENSION_PHRASES))
#: Every EXTENSION phrase holds one of these (a test checks it), so a sentence without any needs no
#: regex scan for one: a few ``in`` tests cost a fraction of the scan.
EXTENSION_HINTS = ("jatk", "piden", "uudelleen", "förläng", "extended", "postponed", "opened", "siirret", "flytta")
_PAST_ITEMS = [rf"{w}(?<!\w{w})\b" for w in (
    "päättyi|päättynyt|umpeutui|sulkeutui|gick ut|gått ut|löpte ut|löpt ut|upphörde|stängde|stängdes"
    "|closed|ended|expired|oli|var|was").split("|")]
PAST = compile_fast(stem_regex(_PAST_ITEMS))
# Vetoes near the date (§3.3): entry into force, starts and openings, receipt
# and letter dates, elections, meetings, validity periods, page stamps.
_LEFT_VETO_ITEMS = [*(
    "voimaan|voimassa|giltig|avautuu|aukeaa|käynnisty|saapunut|saapui|päivätyllä|päivätty"
    # "Kyselyyn vastasi 24.11.2025 mennessä yli 3 000 asukasta": a count, not a call
    "|vastasi|vastasivat"
    "|järjestettiin|kokouksessa|julkaisuajankohta|julkaistu|utgivningsdatum|publication date"
    "|published|uppdater|ändrad|senast publicerat|publicerad|updated|modified|korjattu|muokattu"
    "|päivitetty|vaalipäiv|vaalit|valdag|ennakkoäänest|äänestysai|förhandsröst|träder i kraft"
    "|trädde i kraft|började|öppnar|öppnade|öppnas|opens|opened|into force|optio|täyttävä|fyllt"
    "|suljettu|stängt|mottog"
    # an offer's binding period: "Anbudet ska vara bindande t.o.m. …", "Tarjoukset ovat sitovia … asti"
    "|vara bindande|är bindande|olla sitov|ovat sitovia"
    # Dates the authority acts on, not the public: decisions, notices, payments.
    "|päätetään|käsitel|ilmoitetaan|tiedotetaan|julkaistaan|maksetaan|myönnetään|myönnettiin"
    "|meddelas|betalas|beviljas|behandlas|granted|awarded|processed"
).split("|"),
    # "är stängd" (closed), not "stängde"/"stängdes" (a survey closed: a past deadline)
    "avataan(?! uudelleen)", r"stängd(?!e)", "avattiin(?! uudelleen)", r"alkaa\b", r"alkoi\b",
    # an event is held, but a call "is held" from one date to another: "apurahahaku järjestetään 1.–15.9."
    r"järjestetään(?<!haku järjestetään)",
    "pidetään(?! nähtävill)", "pidettiin(?! nähtävill)", r"kokous\b", r"inkom\b",
    r"päätö\w*(?:\s+\w+)?\s+(?:tehdään|annetaan)", r"beslut\w*\s+(?:fattas|meddelas)"]
LEFT_VETO = compile_fast(stem_regex(_LEFT_VETO_ITEMS))
#: A cue after the date, in the next clause: "… 15.10.2025 asti, jolloin hakuaika päättyy".
LATER_CUE = compile_fast(r"\s*,\s*(?:jolloin|då|when)\s+(?:[\w-]+\s+){0,3}?(?:päätty|umpeutu|sulkeutu|går ut"
                         r"|löper ut|upphör|closes|ends)")
# Clause openers: a cue or veto belongs to the dates of its own clause only.
CLAUSE = compile_fast(r"(?:;|,\s*(?:ja|och|and|mutta|men|but|että|att|jolloin|kun)\b|–(?<=\s–)\s|—(?<=\s—)\s)")

#: The first rule that matches a deadline sentence gives its kind (§3.4); "other" by default.
_KIND_ITEMS = (
    ("other", [
        # a report, but not a draft report to comment on ("… kommentoimaan raporttiluonnosta")
        *"raport(?!tiluonno)|rapport(?!utkast)|redovis|valiokun|utskott|committee|käyttöselvity|reporting".split("|"),
        "vuosi-ilmoitu", "vuosi-ilmoitus", "årsanmäl",  # associations' annual returns
        "opinnäyte",  # a thesis handed in for assessment
        "kysymyksiä", "kysymykset", "frågor om", "questions about",  # asking questions about a call
        r"selvity\w*\s+(?:\w+\s+){0,3}käytö", r"käyttö\w*\s+(?:\w+\s+){0,2}selvity"]),
    ("registration", (
        # "regist" alone would catch "registratorskontor" (the registry office utlåtanden go to)
        "ilmoittau|ilmoitettava|anmäl|rekisteröi|registrer|registration|register|kotiäänest|ehdokas|webinaari"
        "|webinar|sign up|ehdokasasettel|boka|bokning|ajanvarau|varaa aika"
        "|halukkuu|sitt intresse|intresse av att delta|intresseanmäl"  # "ilmoittaa halukkuutensa osallistua …"
        "|ehdolle|osallistumisilmoitu"  # "… voi asettua ehdolle …", "Osallistumisilmoitukset on jätettävä …"
        "|varattava|varataan"  # "Tilat on varattava … 15.11.2027 mennessä"
        "|hemröstning|kandidat|osallistumise|sitt deltagande|valitsijayhdisty|valmansförening").split("|")),
    ("consultation", [*(
        "lausun|lausua|lausuu|remiss|utlåtand|yttrand|yttra sig|mielipit|muistutu|nähtävil|kysely|näkemy|åsikt|påseende"
        "|framlag|framlägg|enkät|survey|consult"
        "|comment|komment|statement|kuulemi|vastausai|vastata|vastataan|vastauk|palaute|palauttee"
        "|ställningstag"  # "Ställningstaganden till utkastet …"
        "|feedback|respon|synpunkt|ståndpunkt|opinion|kannanot|anmärkning|svarstid|samråd|gransknin|utställningstid"
        "|idé|ideoi|ideat"  # "… pyytää asukkailta ideoita …", "ber invånarna om idéer"
        "|mielipide|huomautu"  # "… esittää mielipide …", "… hakemukseen voi jättää huomautuksen …"
        ).split("|"),
        r"svar(?<!\wsvar)(?:en|et)?\b"]),
    ("application", [*(
        "haku|haun|haus|haetaan|haem|haet|hakea|haettav|hakemu|hakij|avustu|ansök|bidrag|komplett"
        "|anomu|anomis|anotta|anotaan"  # "anomus", "anomiskausi", "anottava": a formal word for applying
        "|hakeutu|hakeudu"  # "Palvelusetelituottajaksi voi hakeutua …"
        "|utlys"  # "Vinnovas utlysning stänger …" (a call for proposals)
        "|kilpailutö"  # competition entries: "Kilpailutöiden viimeinen jättöpäivä …"
        "|apply|application|täydenn|grant|understöd|tarjou|anbud|rekvir|rekvisition|lomak|blankett|liitte|bilag|puuttuv|saknas"
        ).split("|"),
        r"hae(?<!\whae)\b", r"sök(?<!\wsök)"]),
    # Answering a request is a consultation unless a rule above tells more ("Tietopyyntöön pyydetään
    # vastaamaan …"; but "Begäran om komplettering … ska besvaras …" is an application's supplement).
    ("consultation", ["vastaama", "vastattava", "tiedustelu", "besvara", r"vastaa\b", r"svara\b"]),
)
KIND_RULES = tuple((kind, compile_fast(stem_regex(items))) for kind, items in _KIND_ITEMS)
_WEEKDAYS_FI = ("maanantai", "tiistai", "keskiviikko", "torstai", "perjantai", "lauantai", "sunnuntai")
_VAGUE_RULES = (
    (["ei ole asetettu määräaikaa", "ingen tidsfrist", "no deadline"], "explicitly no deadline"),
    ([f"{unit} {when}" for unit in ("päivän", "viikon", "kuukauden", "vuorokauden")
      for when in ("kuluessa", "sisällä")]
     + [r"inom(?<!\winom)\s+\w+\s+(?:dagar|veckor|månader)", r"within(?<!\wwithin)\s+\w+\s+(?:days|weeks|months)",
        "päivää ennen", "päivänä ennen", "dagar före", "månader efter", "days before"],
     "relative deadline: counted from another event, no absolute date"),
    ([rf"{w}(?<!\w{w})\b" for w in ("tänään", "huomenna", "ensi viikolla", "vielä viikolla", "idag", "i dag",
                                   "i morgon", "nästa vecka", "today", "tomorrow", "next week")]
     + [rf"{day}(?<!\w{day})-?(?:iltaan|hin|aamuun)\b" for day in _WEEKDAYS_FI],
     "relative deadline: day given relative to the text"),
    ([r"vuoden\s+\d{4}", r"vuoteen\s+\d{4}", "alkuvuode", "loppuvuode", "kevää", r"kesällä\b", r"syksyllä\b",
      r"syksyyn\b", r"talvella\b", "våren", "hösten", "sommaren", "i slutet av", "till slutet av", "by the end of",
      "så snart som möjligt", "mahdollisimman pian", "as soon as possible"],
     "vague deadline: season, year or end of a period only"),
)
#: Phrases that make a sentence's deadline relative or vague, each with its note, tried in order.
VAGUE = tuple((compile_fast(stem_regex(items)), note) for items, note in _VAGUE_RULES)
#: Any of the VAGUE phrases: most sentences have none, so one search settles it.
_VAGUE_ANY_ITEMS = [item for items, _ in _VAGUE_RULES for item in items]
VAGUE_ANY = compile_fast(stem_regex(_VAGUE_ANY_ITEMS))

# The same patterns as token flags (sotevahti/token_flags.py): ``X_FLAG.occurs(flags, text)`` is
# ``X.search(text) is not None``, mostly read from a per-word cache.
TOPIC_FLAG = FLAGS.add(_TOPIC_ITEMS)
ANY_CUE_FLAG = FLAGS.add(_ANY_CUE_ITEMS)
PAST_FLAG = FLAGS.add(_PAST_ITEMS)
VAGUE_ANY_FLAG = FLAGS.add(_VAGUE_ANY_ITEMS)
#: (kind, its pattern, and of its flag: the bit, the regex of its other stems and their gate), in
#: KIND_RULES' order.
KIND_FLAGS = tuple((kind, rule, flag.bit, flag.rest, flag.gate) for (kind, items), (_, rule) in
                   zip(_KIND_ITEMS, KIND_RULES, strict=True) for flag in (FLAGS.add(items),))
#: Set for a token that holds one of the EXTENSION_HINTS (none of which has a space).
EXTENSION_HINT_BIT = FLAGS.add_test(lambda token: any(hint in token for hint in EXTENSION_HINTS))
#: Set for a token that holds a word of a LEFT_CUE head: a sentence without one has no cue before a date.
LEFT_CUE_GATE = FLAGS.add_gate(_LEFT_CUE_ITEMS)
#: Set for a token that holds the first word of a LEFT_VETO phrase: a sentence without one has no veto.
LEFT_VETO_GATE = FLAGS.add_gate(_LEFT_VETO_ITEMS)
#: (pattern, flag) of every flagged pattern here, for the test that holds them equal.
FLAGGED = ((TOPIC, TOPIC_FLAG), (ANY_CUE, ANY_CUE_FLAG), (PAST, PAST_FLAG), (VAGUE_ANY, VAGUE_ANY_FLAG),
           *((rule, Flag(bit, rest, gate)) for _, rule, bit, rest, gate in KIND_FLAGS))

# The patterns above compiled in this process are kept for the next one (sotevahti/regex_cache.py).
regex_cache.save()
