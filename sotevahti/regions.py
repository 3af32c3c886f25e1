"""The regions a source can belong to: the whole country or one wellbeing services county.

Codes follow the official county numbering (01–21) with 90 for Helsinki, which keeps its
own organising responsibility. HUS, the joint authority for specialised care in Uusimaa, has
the code ``hus``.
"""

from __future__ import annotations

import re

NATIONAL = "national"

#: code -> (Finnish name, Swedish name, slug used in feed file names)
COUNTIES: dict[str, tuple[str, str, str]] = {
    "01": ("Itä-Uudenmaan hyvinvointialue", "Östra Nylands välfärdsområde", "ita-uusimaa"),
    "02": ("Keski-Uudenmaan hyvinvointialue", "Mellersta Nylands välfärdsområde", "keski-uusimaa"),
    "03": ("Länsi-Uudenmaan hyvinvointialue", "Västra Nylands välfärdsområde", "lansi-uusimaa"),
    "04": ("Vantaan ja Keravan hyvinvointialue", "Vanda och Kervo välfärdsområde", "vantaa-kerava"),
    "05": ("Varsinais-Suomen hyvinvointialue", "Egentliga Finlands välfärdsområde", "varsinais-suomi"),
    "06": ("Satakunnan hyvinvointialue", "Satakunta välfärdsområde", "satakunta"),
    "07": ("Kanta-Hämeen hyvinvointialue", "Egentliga Tavastlands välfärdsområde", "kanta-hame"),
    "08": ("Pirkanmaan hyvinvointialue", "Birkalands välfärdsområde", "pirkanmaa"),
    "09": ("Päijät-Hämeen hyvinvointialue", "Päijänne-Tavastlands välfärdsområde", "paijat-hame"),
    "10": ("Kymenlaakson hyvinvointialue", "Kymmenedalens välfärdsområde", "kymenlaakso"),
    "11": ("Etelä-Karjalan hyvinvointialue", "Södra Karelens välfärdsområde", "etela-karjala"),
    "12": ("Etelä-Savon hyvinvointialue", "Södra Savolax välfärdsområde", "etela-savo"),
    "13": ("Pohjois-Savon hyvinvointialue", "Norra Savolax välfärdsområde", "pohjois-savo"),
    "14": ("Pohjois-Karjalan hyvinvointialue", "Norra Karelens välfärdsområde", "pohjois-karjala"),
    "15": ("Keski-Suomen hyvinvointialue", "Mellersta Finlands välfärdsområde", "keski-suomi"),
    "16": ("Etelä-Pohjanmaan hyvinvointialue", "Södra Österbottens välfärdsområde", "etela-pohjanmaa"),
    "17": ("Pohjanmaan hyvinvointialue", "Österbottens välfärdsområde", "pohjanmaa"),
    "18": ("Keski-Pohjanmaan hyvinvointialue", "Mellersta Österbottens välfärdsområde", "keski-pohjanmaa"),
    "19": ("Pohjois-Pohjanmaan hyvinvointialue", "Norra Österbottens välfärdsområde", "pohjois-pohjanmaa"),
    "20": ("Kainuun hyvinvointialue", "Kajanalands välfärdsområde", "kainuu"),
    "21": ("Lapin hyvinvointialue", "Lapplands välfärdsområde", "lappi"),
    "90": ("Helsingin kaupunki", "Helsingfors stad", "helsinki"),
    # Not a county: the joint authority for specialised care in Uusimaa (01–04 and 90).
    "hus": ("HUS-yhtymä", "HUS-sammanslutningen", "hus"),
}


def is_known_region(code: str) -> bool:
    """Tell whether ``code`` is ``national`` or a county code such as ``"08"`` (Pirkanmaa)."""
    return code == NATIONAL or code in COUNTIES


def region_name(code: str, lang: str = "fi") -> str:
    """Return the display name of a region, e.g. ``region_name("08")`` → ``"Pirkanmaan hyvinvointialue"``."""
    if code == NATIONAL:
        return {"sv": "Hela landet", "en": "National"}.get(lang, "Valtakunnallinen")
    fi, sv, _slug = COUNTIES[code]
    return sv if lang == "sv" else fi


def fold_name(text: str) -> str:
    """Lower case, ä→a, ö→o, å→a, single spaces: for loose matching of organisation names."""
    return " ".join(text.lower().translate(str.maketrans("äöå", "aoa")).split())


def _county_stems() -> list[tuple[str, str]]:
    """(folded stem, code) for every county name form, longest first."""
    stems: list[tuple[str, str]] = []
    for code, (fi, sv, slug) in COUNTIES.items():
        if not code.isdigit() or code == "90":
            continue
        stems.append((fold_name(fi.removesuffix(" hyvinvointialue"))[:-1], code))  # genitive minus its -n
        stems.append((fold_name(sv.removesuffix(" välfärdsområde")).removesuffix("s"), code))
        stems.append((slug, code))  # nominative, ASCII-folded: "paijat-hame"
    return sorted(set(stems), key=lambda s: -len(s[0]))


_COUNTY_STEMS = _county_stems()
_COUNTY_WORD = re.compile(r"hyvinvointialue|valfardsomrade")
#: Names the counties go by on lausuntopalvelu.fi besides "<X>n hyvinvointialue".
_COUNTY_BRANDS = {"pirha": "08", "siun sote": "14", "soite": "18", "eloisa": "12", "oma hame": "07",
                  "keusote": "02", "varha": "05", "pohde": "19", "vakehyva": "04", "luvn": "03"}
_HELSINKI = re.compile(r"^(?:helsinki|helsingfors)$|(?<!\w)(?:helsingin kaupun|helsingfors stad)")
_HUS = re.compile(r"(?<![\w-])hus(?:-yhtyma|-sammanslutningen|$)")


def region_of(organisation: str) -> str:
    """The county code of a wellbeing services county (or Helsinki, ``90``), else ``"national"``.

    Matching is loose: case, ä/ö and the Swedish name do not matter, and the longest county
    name wins, so "Etelä-Pohjanmaan" is not read as "Pohjanmaan". HUS-yhtymä gets ``"hus"``
    (the code :mod:`sotevahti.regions` gives it). A regional council or a city other than
    Helsinki is not a county: "Pirkanmaan liitto" is national.

    >>> region_of("Pirkanmaan hyvinvointialue"), region_of("Helsingin kaupunki")
    ('08', '90')
    >>> region_of("Etelä-Pohjanmaan hyvinvointialue"), region_of("Österbottens välfärdsområde")
    ('16', '17')
    >>> region_of("Sosiaali- ja terveysministeriö"), region_of("Pirkanmaan liitto")
    ('national', 'national')
    """
    org = fold_name(organisation)
    if not org:
        return NATIONAL
    if _HELSINKI.search(org):
        return "90"
    if _HUS.search(org):
        return "hus"
    for brand, code in _COUNTY_BRANDS.items():
        if re.search(rf"(?<!\w){re.escape(brand)}(?!\w)", org):
            return code
    if not _COUNTY_WORD.search(org):
        return NATIONAL
    for stem, code in _COUNTY_STEMS:
        if re.search(rf"(?<!\w){re.escape(stem)}", org):
            return code
    return NATIONAL
