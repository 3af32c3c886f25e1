"""Page parts every mirrored Liferay site shares, in the shapes of ``shared/real-samples/liferay/``.

- Liferay's default pager (``page_iterator/lexicon``): ``ul.pagination > li.page-item >
  a.page-link`` with an icon and no ``rel``; page URLs carry the portlet's real parameters
  ``p_p_id=…INSTANCE_<id>``, ``p_p_lifecycle``, ``p_p_state``, ``p_p_mode``, ``_…_delta``,
  ``p_r_p_resetCur`` and ``_…_cur=N``;
- the language chooser that opens every page: a "this page is in …" line with a link to
  each other language's site, and a "choose language" label, in twelve languages.

The chooser's sentences are written for the mirror; only their form follows the real sites.
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qs


def page_href(path: str, portlet: str, page: int, delta: int) -> str:
    """A listing page's URL as Liferay writes it (``&`` escaped for HTML)."""
    query = (f"p_p_id={portlet}&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view&_{portlet}_delta={delta}"
             f"&p_r_p_resetCur=false&_{portlet}_cur={page}")
    return escape(f"{path}?{query}")


def lexicon_pager(path: str, portlet: str, page: int, pages: int, delta: int = 8) -> str:
    """Liferay's default pager: previous, the numbered pages, next; the ends disabled as ``javascript:;``."""
    if pages <= 1:
        return ""

    def item(target: int | None, inner: str, current: bool = False) -> str:
        state = " disabled" if target is None else (" active" if current else "")
        href = "javascript:;" if target is None else page_href(path, portlet, target, delta)
        return f'<li class="page-item{state}"><a class="page-link" href="{href}">{inner}</a></li>'
    icon = '<svg class="lexicon-icon lexicon-icon-angle-{0}" role="presentation"><use href="#angle-{0}"></use></svg>'
    items = [item(page - 1 if page > 1 else None, icon.format("left"))]
    items += [item(n, f'<span class="sr-only">Page</span>{n}', n == page) for n in range(1, pages + 1)]
    items.append(item(page + 1 if page < pages else None, icon.format("right")))
    return f'<ul class="pagination">{"".join(items)}</ul>'


def current_page(query: str) -> int:
    """The page a listing URL asks for: its ``…_cur`` parameter, 1 without one; 0 when it is not a number."""
    for key, values in parse_qs(query).items():
        if key.endswith("_cur"):
            return int(values[0]) if values and values[0].isdigit() else 0
    return 1


# (this page is in <language>. Go to the <other> site », choose-language label) per chooser language
_CHOOSER = [
    ("Tämä sivu on {fi}. Siirry {go_fi} sivustolle »", "Tai valitse kieli:"),
    ("This page is in {en}. Go to the English site »", "Or choose language:"),
    ("Den här sidan är på {sv}. Gå till den svenska versionen »", "Eller välj språk:"),
    ("Dát siidu lea {se}. Mana davvisámegielat siidduide »", "Dahje vállje giela:"),
    ("Эта страница на языке: {ru}. Перейти на русскую версию »", "Или выберите язык:"),
    ("Cette page est en {fr}. Aller à la version française »", "Ou choisissez la langue:"),
    ("Diese Seite ist auf {de}. Zur deutschen Version »", "Oder wählen Sie die Sprache:"),
    ("See leht on {et}. Mine eestikeelsele lehele »", "Või vali keel:"),
    ("Esta página está en {es}. Ir a la versión en español »", "O elija el idioma:"),
    ("Boggan waa {so}. U gudub bogga af-Soomaaliga »", "Ama dooro luqadda:"),
    ("Ця сторінка мовою: {uk}. Перейти до української версії »", "Або виберіть мову:"),
    ("هذه الصفحة باللغة {ar}. انتقل إلى الموقع العربي »", "أو اختر اللغة:"),
]
_NAMES = {
    "fi": {"fi": "suomeksi", "en": "Finnish", "sv": "finska", "se": "suomagillii", "ru": "финском", "fr": "finnois",
           "de": "Finnisch", "et": "soome keeles", "es": "finés", "so": "Finnish", "uk": "фінською", "ar": "الفنلندية",
           "go_fi": "ruotsinkieliselle"},
    "sv": {"fi": "ruotsiksi", "en": "Swedish", "sv": "svenska", "se": "ruoŧagillii", "ru": "шведском", "fr": "suédois",
           "de": "Schwedisch", "et": "rootsi keeles", "es": "sueco", "so": "Swedish",
           "uk": "шведською", "ar": "السويدية",
           "go_fi": "suomenkieliselle"},
    "en": {"fi": "englanniksi", "en": "English", "sv": "engelska", "se": "eŋgelasgillii", "ru": "английском",
           "fr": "anglais", "de": "Englisch", "et": "inglise keeles", "es": "inglés", "so": "English",
           "uk": "англійською", "ar": "الإنجليزية", "go_fi": "suomenkieliselle"},
}


def language_chooser(lang: str) -> str:
    """The chooser that opens every real article page: ``Valitse kieli:`` and a pair of lines per language."""
    names = _NAMES[lang]
    lines = ["Valitse kieli:" if lang == "fi" else ("Välj språk:" if lang == "sv" else "Choose language:")]
    for sentence, label in _CHOOSER:
        lines += [sentence.format(**names), label]
    return "".join(f"<p>{escape(line)}</p>" for line in lines)
