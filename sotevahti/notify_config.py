"""``[[notify]]`` entries of ``sources.toml``: who gets alerts, through which Apprise URL, and which.

Example::

    [[notify]]
    id = "jarjesto-viikko"
    url_env = "SOTEVAHTI_MAIL_URL"      # the Apprise URL is in this environment variable
    language = "fi"
    mode = "digest"                     # one summary a week ...
    every = "weekly"
    weekday = "monday"                  # ... on Mondays
    within_days = 14                    # deadlines closing within two weeks
    kinds = ["consultation"]

    [[notify]]
    id = "maakunta-chat"
    url = "json://127.0.0.1:9000/hook"  # or any Apprise URL: mailto://, matrix://, tgram://, ntfy://, ...
    language = "sv"
    mode = "instant"                    # one message per event, after the crawl that found it
    regions = ["16"]
    topics = ["hyvinvointialue"]
    events = ["new", "deadline_opened", "deadline_extended"]

Like the rest of the file, an unknown key or value is an error, one line of
:class:`~sotevahti.sources.ConfigError`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from .regions import is_known_region
from .schema import ITEM_KINDS

#: Event types a target can ask for; deadline event names are the store's (opened, extended, ...).
EVENT_TYPES: tuple[str, ...] = ("new", "deadline_opened", "deadline_extended", "deadline_closing",
                                "deadline_closed", "alarm")
WEEKDAYS: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MESSAGE_LANGUAGES = ("fi", "sv")
_KEYS = {
    "id": str, "url": str, "url_env": str, "language": str, "mode": str, "every": str, "weekday": str,
    "within_days": int, "regions": list, "organisations": list, "kinds": list, "languages": list,
    "topics": list, "events": list,
}
_TARGET_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class NotifyTarget:
    """One subscriber: an Apprise URL (or the variable holding it), a language, a mode and a filter.

    Empty filter tuples mean "everything".
    """

    id: str
    url: str | None = None
    url_env: str | None = None
    language: str = "fi"
    mode: str = "instant"
    every: str | None = None
    weekday: str | None = None
    within_days: int = 14
    regions: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    events: tuple[str, ...] = ()

    def apprise_url(self) -> str:
        """The Apprise URL: ``url``, or the value of the environment variable ``url_env``.

        :raises ValueError: when the variable is not set (the message names it, never a value).
        """
        if self.url:
            return self.url
        value = os.environ.get(self.url_env or "", "").strip()
        if not value:
            raise ValueError(f"notify target {self.id!r}: environment variable {self.url_env} is not set")
        return value

    def wants_event(self, event_type: str) -> bool:
        """Whether this target asked for an event type (all of them when ``events`` is empty)."""
        return not self.events or event_type in self.events


def parse_notify_targets(entries: Any, where: str) -> tuple[NotifyTarget, ...]:
    """Validate the ``[[notify]]`` array of a parsed sources file."""
    from .sources import LANGUAGES, ConfigError, _checked  # sources imports this module

    if not isinstance(entries, list):
        raise ConfigError(f"{where}: 'notify' must be an array of tables ([[notify]])")
    out: list[NotifyTarget] = []
    for n, entry in enumerate(entries, 1):
        at = f"{where}: notify #{n}"
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            at = f"{where}: notify {entry['id']!r}"
        e = _checked(entry, _KEYS, at)
        if not _TARGET_ID.match(e.get("id", "")):
            raise ConfigError(f"{at}: needs an 'id' of lower-case letters, digits, '-' and '_'")
        if any(t.id == e["id"] for t in out):
            raise ConfigError(f"{where}: duplicate notify id {e['id']!r}")
        if bool(e.get("url")) == bool(e.get("url_env")):
            raise ConfigError(f"{at}: give exactly one of 'url' (an Apprise URL) or 'url_env' "
                              "(the environment variable that holds it)")
        if e.get("url") and "://" not in e["url"]:
            raise ConfigError(f"{at}: 'url' is not an Apprise URL (e.g. mailtos://user:pass@example.org)")
        if e.get("url_env") and not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", e["url_env"]):
            raise ConfigError(f"{at}: 'url_env' must be an environment variable name")
        _one_of(e, "language", MESSAGE_LANGUAGES, at, ConfigError)
        _one_of(e, "mode", ("instant", "digest"), at, ConfigError)
        mode = e.get("mode", "instant")
        if mode == "digest":
            _one_of(e, "every", ("daily", "weekly"), at, ConfigError, required=True)
            if e["every"] == "weekly":
                _one_of(e, "weekday", WEEKDAYS, at, ConfigError, required=True)
            elif "weekday" in e:
                raise ConfigError(f"{at}: 'weekday' is only for every = \"weekly\"")
            if "events" in e:
                raise ConfigError(f"{at}: 'events' is for instant targets; a digest lists upcoming deadlines")
            if not 1 <= e.get("within_days", 14) <= 366:
                raise ConfigError(f"{at}: 'within_days' must be between 1 and 366")
        else:
            for key in ("every", "weekday", "within_days"):
                if key in e:
                    raise ConfigError(f"{at}: {key!r} is only for mode = \"digest\"")
        _all_in(e, "events", EVENT_TYPES, at, ConfigError)
        _all_in(e, "kinds", ITEM_KINDS, at, ConfigError)
        _all_in(e, "languages", sorted(LANGUAGES), at, ConfigError)
        bad = [r for r in e.get("regions", []) if not is_known_region(r)]
        if bad:
            raise ConfigError(f"{at}: unknown region {bad[0]!r} (use 'national', 'hus' or a county code 01-21, 90)")
        if any(not w.strip() for w in e.get("topics", [])):
            raise ConfigError(f"{at}: 'topics' words must not be empty")
        out.append(NotifyTarget(
            id=e["id"], url=e.get("url"), url_env=e.get("url_env"), language=e.get("language", "fi"), mode=mode,
            every=e.get("every"), weekday=e.get("weekday"), within_days=e.get("within_days", 14),
            regions=tuple(e.get("regions", [])), organisations=tuple(e.get("organisations", [])),
            kinds=tuple(e.get("kinds", [])), languages=tuple(e.get("languages", [])),
            topics=tuple(w.strip().lower() for w in e.get("topics", [])), events=tuple(e.get("events", []))))
    return tuple(out)


def _one_of(e: dict[str, Any], key: str, allowed: Any, at: str, error: type[Exception],
            required: bool = False) -> None:
    if key not in e and not required:
        return
    if e.get(key) not in allowed:
        raise error(f"{at}: {key!r} must be one of {', '.join(allowed)}")


def _all_in(e: dict[str, Any], key: str, allowed: Any, at: str, error: type[Exception]) -> None:
    bad = [v for v in e.get(key, []) if v not in allowed]
    if bad:
        raise error(f"{at}: unknown {key[:-1]} {bad[0]!r} in {key!r} (known: {', '.join(allowed)})")
