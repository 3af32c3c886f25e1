"""Compiled regular expressions kept on disk, so a new process does not compile them again.

The deadline extractor's cue patterns are long alternations of Finnish and Swedish stems, and
``re`` parses and compiles a pattern in Python code: 0.1 s of every process that reads a
deadline sentence (a crawl, ``extract-deadlines``). ``re`` hands the compiled program, a list
of opcodes, to ``_sre.compile``; this module keeps those programs in the cache directory
(:mod:`sotevahti.cache_files`), one file per Python build, and rebuilds a pattern from its program
without parsing it. A pattern is cached only if the rebuilt one has the flags, groups and group
names ``re.compile`` gives it, and anything unexpected (another Python, a damaged file, a
read-only home) falls back to ``re.compile``: the cache can cost time, never change a match.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .cache_files import CacheDict, cache_dir

try:  # CPython 3.11+: the parser and compiler behind re.compile
    import _sre
    from re import _compiler, _parser
except ImportError:  # pragma: no cover - another Python: plain re.compile
    _sre = None  # type: ignore[assignment]

#: (pattern, flags) -> (final flags, program, groups, group names, group of each index)
_Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]


def _path() -> Path:
    build = f"{sys.implementation.cache_tag}-{sys.version_info.releaselevel}{sys.version_info.serial}"
    return cache_dir() / f"regex-{build}-{getattr(_sre, 'MAGIC', 0)}-{sys.hexversion:x}.marshal"


#: ``{(pattern, flags): program}`` of the patterns compiled before.
PROGRAMS = CacheDict(_path)


def _program(pattern: str, flags: int) -> _Program:
    """What ``re._compiler.compile`` passes to ``_sre.compile`` for this pattern."""
    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    names = dict(parsed.state.groupdict)
    index: list[str | None] = [None] * parsed.state.groups
    for name, i in names.items():
        index[i] = name
    return int(flags | parsed.state.flags), [int(c) for c in code], parsed.state.groups - 1, names, tuple(index)


def compile_cached(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, from the cached program when there is one.

    >>> compile_cached(r"(?P<day>[0-9]{1,2})\\.(?P<month>[0-9]{1,2})\\.").match("15.1.2027").group("month")
    '1'
    """
    if _sre is None:  # pragma: no cover
        return re.compile(pattern, flags)
    key = (pattern, int(flags))
    program = PROGRAMS.entries().get(key)
    if program is not None:
        try:
            return _sre.compile(pattern, *program)
        except (TypeError, ValueError, RuntimeError):
            pass
    reference = re.compile(pattern, flags)
    try:
        program = _program(pattern, flags)
        rebuilt = _sre.compile(pattern, *program)
    except Exception:   # a private API that changed shape: re.compile's own pattern is the right one
        return reference
    if (rebuilt.flags, rebuilt.groups, dict(rebuilt.groupindex)) == (
            reference.flags, reference.groups, dict(reference.groupindex)):
        PROGRAMS.add(key, program)
    return reference


def save() -> None:
    """Write the programs compiled in this process to the cache (atomically; no error if it cannot)."""
    PROGRAMS.save()
