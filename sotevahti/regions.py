"""The regions a source can belong to: the whole country or one wellbeing services county.

Codes follow the official county numbering (01–21) with 90 for Helsinki, which keeps its
own organising responsibility. HUS, the joint authority for specialised care in Uusimaa, has
the code ``hus``.
"""

from __future__ import annotations

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
