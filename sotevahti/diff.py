"""What changed between two versions of an item: lines and links added and removed.

Texts are compared line by line (a line is one paragraph of the stored body), after
whitespace is normalised, so re-wrapped text is no change. Links are compared by URL.
The result is small JSON, stored with the superseded version and shown in feeds.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from html import escape


@dataclass(frozen=True)
class Diff:
    """Lines and links that one version added or removed."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    links_added: tuple[dict[str, str], ...] = ()
    links_removed: tuple[dict[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.links_added or self.links_removed)

    def to_json(self) -> str:
        """Compact JSON for the ``item_versions.diff`` column."""
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | None) -> Diff:
        """Inverse of :meth:`to_json`; an empty diff for ``None``."""
        if not text:
            return cls()
        raw = json.loads(text)
        return cls(**{k: tuple(v) for k, v in raw.items()})

    def summary(self, lang: str = "fi", limit: int = 5) -> str:
        """Plain text for a feed entry, e.g. ``Lisätty: …`` / ``Uusi linkki: Pöytäkirja 12.2.2019 (PDF) (https://…)``."""
        return "\n".join(f"{label}: {text}" + (f" ({url})" if url else "") for label, text, url in
                         self._lines(lang, limit))

    def summary_html(self, lang: str = "fi", limit: int = 5) -> str:
        """The same as HTML, for an RSS description or an Atom summary: links are ``<a href>``.

        >>> Diff(links_added=({"title": "Pöytäkirja", "url": "https://a.fi/p.pdf?x=1&y=2"},)).summary_html()
        '<p>Uusi linkki: <a href="https://a.fi/p.pdf?x=1&amp;y=2">Pöytäkirja</a></p>'
        """
        parts = []
        for label, text, url in self._lines(lang, limit):
            shown = f'<a href="{escape(url)}">{escape(text)}</a>' if url else escape(text)
            parts.append(f"<p>{escape(label)}: {shown}</p>")
        return "".join(parts)

    def _lines(self, lang: str, limit: int) -> list[tuple[str, str, str | None]]:
        words = {"fi": ("Lisätty", "Poistettu", "Uusi linkki", "Poistettu linkki"),
                 "sv": ("Tillagt", "Borttaget", "Ny länk", "Borttagen länk"),
                 "en": ("Added", "Removed", "New link", "Removed link")}.get(lang, ())
        added, removed, new_link, old_link = words or ("Lisätty", "Poistettu", "Uusi linkki", "Poistettu linkki")
        out: list[tuple[str, str, str | None]] = [(new_link, a["title"], a["url"]) for a in self.links_added[:limit]]
        out += [(added, line, None) for line in self.added[:limit]]
        out += [(removed, line, None) for line in self.removed[:limit]]
        out += [(old_link, a["title"], a["url"]) for a in self.links_removed[:limit]]
        return out


def _lines(text: str | None) -> list[str]:
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


def diff_versions(old_text: str | None, new_text: str | None,
                  old_links: Iterable[Mapping[str, str]] = (), new_links: Iterable[Mapping[str, str]] = ()) -> Diff:
    """Compare two versions.

    >>> d = diff_versions("Kokous 12.2.2019", "Kokous 12.2.2019\\nKokous 14.3.2019",
    ...                   [], [{"title": "Pöytäkirja 14.3.2019 (PDF)", "url": "https://www.lapinliitto.fi/p.pdf"}])
    >>> d.added, [x["title"] for x in d.links_added]
    (('Kokous 14.3.2019',), ['Pöytäkirja 14.3.2019 (PDF)'])
    """
    old, new = _lines(old_text), _lines(new_text)
    added: list[str] = []
    removed: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            removed += old[i1:i2]
        if op in ("replace", "insert"):
            added += new[j1:j2]
    old_by_url = {a["url"]: dict(a) for a in old_links}
    new_by_url = {a["url"]: dict(a) for a in new_links}
    return Diff(
        added=tuple(added), removed=tuple(removed),
        links_added=tuple(v for k, v in new_by_url.items() if k not in old_by_url),
        links_removed=tuple(v for k, v in old_by_url.items() if k not in new_by_url),
    )
