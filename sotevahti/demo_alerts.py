"""The demo's alerts: two ``[[notify]]`` targets that mail a local SMTP sink.

The demo crawls with a copy of the sources file that has these two targets appended, and the
sink's Apprise URL in :data:`MAIL_URL_ENV` (the targets use ``url_env``, as a real config
would for a secret). The sink (:class:`~sotevahti.mirror.smtp_sink.SmtpSink`) listens on
127.0.0.1 and saves every message in ``<out>/mail/0001.eml``…, as received.

- ``demo-posti``: instant, one message per event after each crawl;
- ``demo-viikko``: a weekly digest on Wednesdays, the simulated epoch 2 (25.11.2026).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .sources import Config, ConfigError, default_sources_path

MAIL_URL_ENV = "SOTEVAHTI_DEMO_MAIL_URL"
INSTANT, DIGEST = "demo-posti", "demo-viikko"
DEMO_NOTIFY = f"""

# -- added by `monitor.py demo`: alerts to the demo's local SMTP sink --------------------
[[notify]]
id = "{INSTANT}"
url_env = "{MAIL_URL_ENV}"
language = "fi"
mode = "instant"

[[notify]]
id = "{DIGEST}"
url_env = "{MAIL_URL_ENV}"
language = "fi"
mode = "digest"
every = "weekly"
weekday = "wednesday"
within_days = 14
"""


def demo_sources_file(config: Config, sources_file: Path | None, out: Path) -> Path:
    """Write ``out/demo-sources.toml``: the sources file plus the demo's two targets.

    :raises ConfigError: when the sources file has ``[[notify]]`` targets of its own: the demo
        never mails anyone but its own sink.
    """
    if config.notify:
        raise ConfigError("the demo sends alerts only to its own local mail sink; give a --sources "
                          "file without [[notify]] entries")
    path = out / "demo-sources.toml"
    text = Path(sources_file or default_sources_path()).read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + "\n" + DEMO_NOTIFY, encoding="utf-8")
    return path


def epoch_alerts(run: Mapping[str, Any]) -> dict[str, int]:
    """An epoch's alert figures from its crawl summary: ``{"instant": n, "digest": n, "failed": n}``."""
    sent = (run.get("notifications") or {}).get("by_target", {})
    return {"instant": sent.get(INSTANT, {}).get("sent", 0), "digest": sent.get(DIGEST, {}).get("sent", 0),
            "failed": (run.get("notifications") or {}).get("failed", 0)}


def alert_lines(epochs: Sequence[Mapping[str, Any]], mail: Mapping[str, Any]) -> list[str]:
    """The demo summary's lines about the alerts."""
    per = ", ".join(f"epoch {e['epoch']}: {e['alerts']['instant']} instant + {e['alerts']['digest']} digest"
                    + (f" ({e['alerts']['failed']} failed)" if e["alerts"]["failed"] else "") for e in epochs)
    return [f"Alerts to a local SMTP sink ({mail['received']} messages, saved in {mail['saved_in']}):",
            f"  {per}"]
