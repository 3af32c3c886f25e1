"""Writing public files so that no reader ever sees half of one.

Each file is written to a temporary file with a unique name in the same directory and renamed
over the old one (``os.replace`` is atomic), so two writers never share a temporary name and a
killed writer leaves at most a hidden ``.<name>.<random>.tmp``, which ``serve`` never serves and
the next writer removes once it is stale.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

#: Temporary files older than this are left-overs of a killed writer.
STALE_AFTER = 600.0


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` through a unique temporary file; returns ``path``."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(payload)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def remove_stale_temporaries(directory: Path, now: float | None = None) -> int:
    """Delete temporary files of killed writers (``*.tmp`` older than :data:`STALE_AFTER`) under
    ``directory``; returns how many went.

    Age is judged against the file system's clock (the modification time of a file touched
    now), not the process's, so a faked or skewed clock never deletes a writer's file in use.
    ``now`` overrides that moment (tests).
    """
    if now is None:
        fd, probe = tempfile.mkstemp(dir=directory, prefix=".probe.", suffix=".tmp")
        os.close(fd)
        now = os.stat(probe).st_mtime
        os.unlink(probe)
    limit = now - STALE_AFTER
    removed = 0
    for tmp in directory.rglob("*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            if tmp.is_file() and tmp.stat().st_mtime < limit:
                tmp.unlink()
                removed += 1
    return removed
