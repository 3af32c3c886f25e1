"""A local SMTP server that keeps what it receives: the demo's and the tests' mailbox.

It listens on 127.0.0.1 only (aiosmtpd, in a thread), accepts every message without
authentication, and keeps each one as received, headers and body. Apprise reaches it with
:meth:`SmtpSink.apprise_url` (plain SMTP, no TLS: it never leaves the machine).

Apprise stamps ``Date`` and ``Message-ID`` with the real clock when it sends. A sink given
``stamp_at`` (the demo's simulated day) keeps those two headers of the saved copy to that time
and to the message's number, so the demo's mailbox is the same on every run, whatever the hour.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpSink:
    """``with SmtpSink() as sink: ...``; ``sink.raw`` holds each message as received (text).

    :param save_dir: also write each message to ``save_dir/0001.eml``, ``0002.eml``…
    Set ``stamp_at`` (an aware datetime) to date the saved copies then, not at the real hour.
    """

    def __init__(self, save_dir: Path | None = None) -> None:
        self.port = free_port()
        self.raw: list[str] = []
        self.save_dir = save_dir
        self.stamp_at: datetime | None = None
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        """aiosmtpd's hook: keep the message."""
        text = envelope.content.decode("utf-8", "replace") if isinstance(envelope.content, bytes) \
            else str(envelope.content)
        with self._lock:
            self.raw.append(text)
            if self.save_dir is not None:
                self.save_dir.mkdir(parents=True, exist_ok=True)
                saved = text if self.stamp_at is None else restamp(text, self.stamp_at, len(self.raw))
                (self.save_dir / f"{len(self.raw):04d}.eml").write_text(saved, encoding="utf-8")
        return "250 Message accepted for delivery"

    def apprise_url(self, to: str = "lukija@example.org", sender: str = "sotevahti@example.org") -> str:
        """The Apprise URL that sends plain-text mail here: ``mailto://127.0.0.1:PORT?from=…&to=…``."""
        return f"mailto://127.0.0.1:{self.port}?from={sender}&to={to}&format=text"

    def messages(self) -> list[EmailMessage]:
        """The received messages, parsed (``m["Subject"]``, ``m.get_body(("plain",)).get_content()``)."""
        with self._lock:
            raw = list(self.raw)
        return [email.message_from_string(r, policy=email.policy.default) for r in raw]  # type: ignore[misc]

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._controller.stop()


_HEADER_END = re.compile(r"\r?\n\r?\n")


def restamp(message: str, at: datetime, number: int) -> str:
    r"""``message`` with its ``Date`` set to ``at`` and its ``Message-ID`` to one made of ``number``.

    Only the header block is touched; the body stays as received.

    >>> at = datetime.fromisoformat("2026-11-24T06:00+02:00")
    >>> restamp("Date: Fri, 04 Dec 2026 06:40:54 +0000\nMessage-ID: <1.2@x>\n\nDate: body", at, 7)
    'Date: Tue, 24 Nov 2026 06:00:00 +0200\nMessage-ID: <demo-0007@127.0.0.1>\n\nDate: body'
    """
    end = _HEADER_END.search(message)
    head, body = (message[:end.start()], message[end.start():]) if end else (message, "")
    head = re.sub(r"(?im)^Date:.*$", lambda _: f"Date: {format_datetime(at)}", head, count=1)
    head = re.sub(r"(?im)^Message-ID:.*$", lambda _: f"Message-ID: <demo-{number:04d}@127.0.0.1>", head, count=1)
    return head + body
