"""The static web page: ``public/index.html``, one page per region and a style sheet.

Written from the database next to the feeds, so it needs no server and no JavaScript. It shows
the upcoming deadlines as a timeline (soonest first, with the days left, marked when
:data:`~sotevahti.tracking.CLOSING_SOON_DAYS` or fewer remain), the latest announcements, the
latest edits and withdrawals, the regions and links to every feed, the OPML file and the
calendar. The interface is Finnish; region names carry their Swedish name after a slash.

Every value from the database passes through :func:`esc` (``html.escape``) and every link
through :func:`safe_url`, which lets only http(s) URLs through: nothing a crawled page says can
become markup or script here.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from .dates import HELSINKI
from .diff import Diff
from .display import days_left_text, format_date, format_datetime, phrases
from .feed_sets import GROUP_NAMES, FeedSpec, feed_specs, main_specs
from .public_files import write_if_changed
from .regions import COUNTIES, NATIONAL, region_name
from .sources import FeedSettings
from .store import Store
from .tracking import CLOSING_SOON_DAYS, days_left, deadline_end
from .translations import deadlines_once
from .xmlsafe import PublicView

DEADLINE_KINDS = {"consultation": "Lausunto", "application": "Avustushaku",
                  "registration": "Ilmoittautuminen", "other": "Muu määräaika"}
ITEM_KINDS = {"announcement": "Tiedote", "consultation": "Lausuntopyyntö", "page": "Seurattu sivu",
              "decision": "Päätös"}
ITEM_LIMIT = 30
CHANGE_LIMIT = 15
MAIN_FEEDS = {"rss": "Tiedotteet (RSS)", "atom": "Tiedotteet (Atom)", "deadlines": "Määräajat (RSS)",
              "deadlines_atom": "Määräajat (Atom)", "health": "Lähteiden tila (RSS)"}
LEAD_LIMIT = 300
SWEDISH_TAGLINE = "Bevakning av social- och hälsovårdsreformen"
VERSION_LABELS = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}

STYLE = """\
:root{--fg:#1b1f24;--muted:#555e69;--bg:#f6f7f9;--card:#fff;--line:#d5dae1;--accent:#0b5394;
--soon:#a4300b;--soon-bg:#fff1eb;--ext:#6b4a00;--ext-bg:#fff6d6}
*{box-sizing:border-box}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
color:var(--fg);background:var(--bg);overflow-wrap:break-word}
a{color:var(--accent)}a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
header.site{background:#0b3d6b;color:#fff;padding:1.25rem max(1rem,calc((100% - 62rem) / 2))}
header.site a{color:#fff}header.site h1{margin:0;font-size:1.6rem;line-height:1.2}
header.site p{margin:.3rem 0 0;opacity:.92}
nav.sections{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;margin-top:.8rem}
main{max-width:64rem;margin:0 auto;padding:1rem}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem 1.25rem;margin:0 0 1.25rem}
h2{margin:.1rem 0 .75rem;font-size:1.3rem}h3{margin:.1rem 0;font-size:1.05rem;line-height:1.35}
.note,.meta,.legend{color:var(--muted);font-size:.9rem;margin:.2rem 0}
ol.timeline{list-style:none;margin:0;padding:0 0 0 1.1rem;border-left:3px solid var(--line)}
ol.timeline li{position:relative;display:grid;grid-template-columns:11.5rem 1fr;gap:.3rem 1rem;
padding:.6rem .6rem .6rem .8rem;margin:0 0 .5rem;border-radius:6px}
ol.timeline li::before{content:"";position:absolute;left:-1.6rem;top:1rem;width:.8rem;height:.8rem;
border-radius:50%;background:var(--accent);border:2px solid var(--card)}
ol.timeline li.soon{background:var(--soon-bg)}ol.timeline li.soon::before{background:var(--soon)}
.when time{display:block;font-weight:600;white-space:nowrap}.left{font-size:.95rem}.left b{font-size:1.25rem}
li.soon .left{color:var(--soon);font-weight:600}
.tag{display:inline-block;font-size:.8rem;font-weight:600;padding:0 .45rem;border-radius:4px;
border:1px solid var(--line);margin:0 .3rem .2rem 0;background:var(--bg)}
.tag.soon{color:#fff;background:var(--soon);border-color:var(--soon)}
.tag.extended{color:var(--ext);background:var(--ext-bg);border-color:#e3c766}
ul.items,ul.changes{list-style:none;margin:0;padding:0}
ul.items>li,ul.changes>li{padding:.65rem 0;border-top:1px solid var(--line)}
ul.items>li:first-child,ul.changes>li:first-child{border-top:0}
.lead{margin:.25rem 0 0}.versions{margin:.15rem 0 0;font-size:.92rem}
.diff{margin:.25rem 0 0;padding-left:1.1rem;font-size:.92rem}
ul.regions,ul.feeds{margin:0;padding-left:1.1rem;columns:2 22rem}
ul.regions li,ul.feeds li{break-inside:avoid;margin:0 0 .3rem}
.feedgroup h3{margin-top:.8rem}
footer{max-width:64rem;margin:0 auto;padding:0 1rem 2rem;color:var(--muted);font-size:.9rem}
@media (max-width:40rem){ol.timeline li{grid-template-columns:1fr}header.site h1{font-size:1.3rem}
section{padding:.8rem}}
"""


def esc(value: Any) -> str:
    """``value`` as HTML text, quotes included; ``None`` becomes the empty string."""
    return html.escape("" if value is None else str(value), quote=True)


def safe_url(url: str | None) -> str:
    """An escaped http(s) URL for an ``href``, or ``#`` for anything else (``javascript:`` …)."""
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return "#"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(c.isspace() for c in text):
        return "#"
    return esc(text)


def region_label(code: str | None) -> str:
    """``Pirkanmaan hyvinvointialue / Birkalands välfärdsområde`` (plain text, not escaped)."""
    if not code:
        return region_name(NATIONAL)
    if code == NATIONAL or code in COUNTIES:
        return f"{region_name(code)} / {region_name(code, 'sv')}"
    return code


def _lang(item: Mapping[str, Any]) -> str:
    lang = item.get("language")
    return f' lang="{esc(lang)}"' if lang in ("sv", "en") else ""


def _when(iso: str) -> str:
    moment = datetime.fromisoformat(iso)
    return f'<time datetime="{esc(moment.isoformat())}">{esc(format_datetime(moment))}</time>'


def _short(text: str | None, limit: int = LEAD_LIMIT) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def upcoming_deadlines(store: Store, now: datetime, region: str | None = None) -> list[dict[str, Any]]:
    """Open or extended deadlines of relevant items that have not passed at ``now``, soonest first."""
    today = now.astimezone(HELSINKI).date()
    rows = deadlines_once(store, store.deadline_rows(since=today, relevant_only=True))
    return [r for r in rows if r["status"] in ("open", "extended") and (region is None or r["region"] == region)
            and deadline_end(date.fromisoformat(r["deadline"]), _time(r["time"])) >= now]


def _time(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


def render_deadlines(rows: Iterable[Mapping[str, Any]], now: datetime) -> str:
    """The deadline timeline: an ordered list, each entry with its date, days left and marks."""
    out = []
    for r in rows:
        day = date.fromisoformat(r["deadline"])
        n = days_left(day, now)
        soon, extended = n <= CLOSING_SOON_DAYS, r["status"] == "extended"
        count = f"<b>{n}</b> päivää jäljellä" if n >= 2 else f"<b>{esc(days_left_text(n).capitalize())}</b>"
        tags = [f'<span class="tag kind">{esc(DEADLINE_KINDS.get(r["kind"], DEADLINE_KINDS["other"]))}</span>']
        if soon:
            tags.append('<span class="tag soon">⚠ Päättyy pian</span>')
        if extended:
            tags.append(f'<span class="tag extended">{esc(phrases(r["kind"], "fi")[2])}</span>')
        classes = " ".join(["deadline", *(["soon"] if soon else []), *(["extended"] if extended else [])])
        out.append(
            f'<li class="{classes}"><div class="when"><time datetime="{esc(day.isoformat())}">'
            f'{esc(format_date(day, _time(r["time"])))}</time><span class="left">{count}</span></div>'
            f'<div class="what"><div>{"".join(tags)}</div><h3><a href="{safe_url(r["url"])}"{_lang(r)}>'
            f'{esc(r["title"])}</a></h3><p class="meta">{esc(r["organisation"])}</p></div></li>')
    if not out:
        return '<p class="note">Ei avoimia määräaikoja.</p>'
    return ('<p class="legend">Päivämäärä · Päivää jäljellä · ⚠ = '
            f'{CLOSING_SOON_DAYS} päivää tai vähemmän</p><ol class="timeline">' + "".join(out) + "</ol>")


def render_versions(versions: Iterable[Mapping[str, Any]]) -> str:
    """The release in the reader's language: ``På svenska: <title>`` links to its other versions."""
    links = [f'{esc(VERSION_LABELS.get(v["language"], v["language"]))}: <a href="{safe_url(v["url"])}" '
             f'lang="{esc(v["language"])}" hreflang="{esc(v["language"])}">{esc(v["title"])}</a>' for v in versions]
    return f'<p class="versions">{" · ".join(links)}</p>' if links else ""


def render_items(items: Iterable[Mapping[str, Any]],
                 versions: Mapping[str, list[dict[str, Any]]] | None = None) -> str:
    """The latest announcements: date, organisation, type, linked title, the release's other
    language versions (``versions``: from :meth:`Store.language_versions`) and lead."""
    out = []
    for i in items:
        kind = i.get("type") or ITEM_KINDS.get(i.get("kind") or "announcement", "Tiedote")
        lead = _short(i.get("lead") or (i.get("body") or "").split("\n\n")[0])
        out.append(f'<li><p class="meta">{_when(i["published"])} · {esc(i["organisation"])} · {esc(kind)}</p>'
                   f'<h3><a href="{safe_url(i["url"])}"{_lang(i)}>{esc(i["title"])}</a></h3>'
                   + render_versions((versions or {}).get(i["id"], ()))
                   + (f'<p class="lead"{_lang(i)}>{esc(lead)}</p>' if lead else "") + "</li>")
    return '<ul class="items">' + "".join(out) + "</ul>" if out else '<p class="note">Ei tiedotteita.</p>'


def render_changes(changes: Iterable[Mapping[str, Any]], removals: Iterable[Mapping[str, Any]]) -> str:
    """Edits and withdrawals, newest first, with what was added and removed."""
    rows = [(c["changed_at"], "Sivu muuttui" if c.get("kind") == "page" else "Päivitetty", c,
             Diff.from_json(c.get("diff"))) for c in changes]
    rows += [(r["removed_at"], "Poistettu", r, None) for r in removals]
    rows.sort(key=lambda t: t[0], reverse=True)
    out = []
    for at, label, item, diff in rows[:CHANGE_LIMIT]:
        lines = [f"<li>Lisätty: {esc(_short(a, 200))}</li>" for a in (diff.added[:2] if diff else ())]
        lines += [f"<li>Poistettu: {esc(_short(a, 200))}</li>" for a in (diff.removed[:2] if diff else ())]
        lines += [f'<li>Uusi linkki: <a href="{safe_url(a.get("url"))}">{esc(a.get("title") or a.get("url"))}'
                  "</a></li>" for a in (diff.links_added[:3] if diff else ())]
        if diff is None:
            lines.append("<li>Sivu ei ole enää saatavilla.</li>")
        out.append(f'<li><p class="meta"><span class="tag">{esc(label)}</span> {_when(at)} · '
                   f'{esc(item["organisation"])}</p><h3><a href="{safe_url(item["url"])}"{_lang(item)}>'
                   f'{esc(item["title"])}</a></h3><ul class="diff">{"".join(lines)}</ul></li>')
    return '<ul class="changes">' + "".join(out) + "</ul>" if out else '<p class="note">Ei muutoksia.</p>'


def region_files(store: Store, settings: FeedSettings, specs: list[FeedSpec] | None = None) -> dict[str, str]:
    """``{region code: file name}``, named as the region feeds are (``08`` → ``08-pirkanmaa``)."""
    specs = feed_specs(store, settings) if specs is None else specs
    return {s.value: PurePosixPath(s.path).stem for s in specs if s.dimension == "region"}


def render_regions(store: Store, files: Mapping[str, str], now: datetime, prefix: str,
                   upcoming_rows: list[dict[str, Any]] | None = None) -> str:
    """The list of regions with items, each linking to its page, with its items and open deadlines counted."""
    items = dict(store.conn.execute("SELECT region, count(*) FROM items WHERE relevant = 1 GROUP BY region"))
    rows = upcoming_deadlines(store, now) if upcoming_rows is None else upcoming_rows
    upcoming = [r["region"] for r in rows]
    out = []
    for code in sorted(files, key=lambda c: (c != NATIONAL, c)):
        out.append(f'<li><a href="{esc(prefix)}alue/{esc(files[code])}.html">{esc(region_label(code))}</a> '
                   f'<span class="meta">({int(items.get(code, 0))} tiedotetta, '
                   f'{upcoming.count(code)} avointa määräaikaa)</span></li>')
    return '<ul class="regions">' + "".join(out) + "</ul>"


def render_feeds(store: Store, settings: FeedSettings, prefix: str, specs: list[FeedSpec] | None = None) -> str:
    """Links to every feed, the OPML file and the calendar, grouped as the OPML file groups them."""
    p = esc(prefix)
    main = [f'<li><a href="{p}{esc(s.path)}">{esc(MAIN_FEEDS.get(s.value, s.title))}</a></li>'
            for s in main_specs(settings)]
    main += [f'<li><a href="{p}feeds.opml">Kaikki syötteet (OPML)</a></li>',
             f'<li><a href="{p}deadlines.ics">Määräajat kalenteriin (.ics)</a></li>']
    groups: dict[str, list[str]] = {}
    specs = feed_specs(store, settings) if specs is None else specs
    for s in sorted(specs, key=lambda s: (s.dimension != "region" or s.value != NATIONAL)):
        label = region_label(s.value) if s.dimension == "region" else s.title.removeprefix(f"{settings.title}: ")
        groups.setdefault(s.dimension, []).append(f'<li><a href="{p}{esc(s.path)}">{esc(label)}</a></li>')
    parts = [f'<ul class="feeds">{"".join(main)}</ul>']
    parts += [f'<div class="feedgroup"><h3>{esc(GROUP_NAMES.get(d, d))}</h3><ul class="feeds">{"".join(v)}</ul></div>'
              for d, v in groups.items()]
    return "".join(parts)


def render_page(title: str, heading: str, sections: list[tuple[str, str, str]], settings: FeedSettings,
                now: datetime, prefix: str = "", simulated: bool = False) -> str:
    """A whole page: header with section links, the sections ``(id, heading, html)``, a footer.

    The header gives ``now`` as "Päivitetty 24.11.2026 klo 12.00", or, for the demo's
    ``simulated`` day, as "Simuloitu päivä 24.11.2026 klo 12.00 (demo)".
    """
    stamp = f"Simuloitu päivä {format_datetime(now)} (demo)" if simulated else f"Päivitetty {format_datetime(now)}"
    nav = "".join(f'<a href="#{esc(i)}">{esc(h)}</a>' for i, h, _ in sections)
    body = "".join(f'<section id="{esc(i)}" aria-labelledby="{esc(i)}-h"><h2 id="{esc(i)}-h">{esc(h)}</h2>'
                   f"{content}</section>" for i, h, content in sections)
    home = f'<p><a href="{esc(prefix)}index.html">← Etusivu</a></p>' if prefix else ""
    head = (f'<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)}</title>\n<meta name=\"description\" content=\"{esc(settings.description)}\">\n"
            f'<link rel="stylesheet" href="{esc(prefix)}style.css">\n<link rel="alternate" '
            f'type="application/rss+xml" title="{esc(settings.title)}" href="{esc(prefix)}feed.xml">')
    header = (f'<header class="site">{home}<h1>{esc(heading)}</h1><p>{esc(settings.description)}</p>'
              f'<p lang="sv">{esc(SWEDISH_TAGLINE)}</p><p class="stamp">{esc(stamp)}</p>'
              f'<nav class="sections" aria-label="Osiot">{nav}</nav></header>')
    footer = ("<footer><p>Tiedot koottu ministeriöiden ja hyvinvointialueiden julkisilta sivuilta. "
              "Koko teksti on alkuperäisellä sivulla.</p></footer>")
    return (f'<!DOCTYPE html>\n<html lang="fi">\n<head>\n{head}\n</head>\n<body>\n'
            f'<a class="skip" href="#main">Siirry sisältöön</a>\n{header}\n<main id="main">{body}</main>\n'
            f"{footer}\n</body>\n</html>\n")


def write_site(store: Store | PublicView, public_dir: Path, settings: FeedSettings, now: datetime,
               specs: list[FeedSpec] | None = None, simulated: bool = False) -> list[Path]:
    """Write ``index.html``, ``alue/<region>.html`` for each region with items and ``style.css``.

    The upcoming deadlines are read once and shared by every page; a file whose content did not
    change is not rewritten (:func:`~sotevahti.public_files.write_if_changed`).

    :param now: the time the page is written for (days left are counted from its Helsinki date).
    :param simulated: ``now`` is the demo's simulated day, and the page says so.
    :param specs: the feed specs of this rebuild (read from the store when not given).
    :return: the files written, index first.
    """
    public = Path(public_dir)
    (public / "alue").mkdir(parents=True, exist_ok=True)
    store = PublicView(store)   # the page reads only strings fit for HTML
    specs = feed_specs(store, settings) if specs is None else specs
    files = region_files(store, settings, specs)
    upcoming = upcoming_deadlines(store, now)
    changes = render_changes(store.latest_changes(CHANGE_LIMIT), store.latest_removals(CHANGE_LIMIT))
    index = render_page(settings.title, settings.title, [
        ("maaraajat", "Määräajat", render_deadlines(upcoming, now)),
        ("tiedotteet", "Uusimmat tiedotteet", _items(store, store.latest_items(ITEM_LIMIT))),
        ("muutokset", "Muuttuneet", changes),
        ("alueet", "Alueet", render_regions(store, files, now, "", upcoming)),
        ("syotteet", "Syötteet", render_feeds(store, settings, "", specs)),
    ], settings, now, simulated=simulated)
    written = [_write(public / "index.html", index), _write(public / "style.css", STYLE)]
    for code, file in files.items():
        name, only = region_label(code), {"region": code}
        feed = f"../feeds/region/{file}.xml"
        page = render_page(f"{name} – {settings.title}", name, [
            ("maaraajat", "Määräajat", render_deadlines([r for r in upcoming if r["region"] == code], now)),
            ("tiedotteet", "Uusimmat tiedotteet", _items(store, store.latest_items(ITEM_LIMIT, filters=only))),
            ("muutokset", "Muuttuneet", render_changes(store.latest_changes(CHANGE_LIMIT, filters=only),
                                                       store.latest_removals(CHANGE_LIMIT, filters=only))),
            ("syotteet", "Syötteet", f'<ul class="feeds"><li><a href="{esc(feed)}">Alueen syöte (RSS)</a></li>'
                                     '<li><a href="../deadlines.ics">Määräajat kalenteriin (.ics)</a></li>'
                                     '<li><a href="../index.html#syotteet">Kaikki syötteet</a></li></ul>'),
        ], settings, now, prefix="../", simulated=simulated)
        written.append(_write(public / "alue" / f"{file}.html", page))
    return written


def _items(store: Store | PublicView, items: list[dict[str, Any]]) -> str:
    return render_items(items, store.language_versions([i["id"] for i in items]))


def _write(path: Path, text: str) -> Path:
    write_if_changed(path, text)
    return path
