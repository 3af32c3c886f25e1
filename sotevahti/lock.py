"""One crawl per database at a time.

A second ``crawl`` or ``schedule`` on the same database must stop with a clear message, not wait
on "database is locked" or interleave two runs (urlwatch #140). The lock is an ``flock`` on
``<db>.lock``: the kernel releases it when the holder exits, even on SIGKILL, so a crashed crawl
never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType


class LockedError(RuntimeError):
    """Another process holds the crawl lock of this database."""


def lock_holder(db: str | os.PathLike[str]) -> str | None:
    """The pid (as text, ``"?"`` if unknown) of the process holding ``db``'s crawl lock, else ``None``.

    Only looks: never creates the lock file and never keeps the lock.
    """
    path = Path(f"{Path(db).resolve()}.lock")
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


class CrawlLock:
    """``with CrawlLock(db_path): ...`` — raises :class:`LockedError` if another crawl holds it."""

    def __init__(self, db: str | os.PathLike[str]) -> None:
        self.path = Path(f"{Path(db).resolve()}.lock")
        self._fd: int | None = None

    def __enter__(self) -> CrawlLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise LockedError(f"another crawl is already running on {self.path.with_suffix('')} "
                              f"(pid {holder}); try again when it has finished") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
