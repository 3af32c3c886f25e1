"""Patterns rebuilt from the on-disk cache of compiled programs match exactly as ``re.compile``'s."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sotevahti import date_patterns, deadline_patterns, regex_cache

SENTENCES = [json.loads(line)["text"] for line in
             (Path(__file__).parent / "data" / "deadline_sentences.jsonl").read_text(encoding="utf-8").splitlines()]


def module_patterns() -> list[re.Pattern[str]]:
    """Every compiled pattern the deadline extractor's two pattern modules hold."""
    found = []
    for module in (date_patterns, deadline_patterns):
        for value in vars(module).values():
            values = value if isinstance(value, tuple) else (value,)
            for v in values:
                for part in (v if isinstance(v, tuple) else (v,)):
                    if isinstance(part, re.Pattern):
                        found.append(part)
    return list({(p.pattern, p.flags): p for p in found}.values())


@pytest.fixture()
def fresh_cache(cache_dir):
    """An empty cache directory and a process that has read no cache yet."""
    regex_cache.PROGRAMS.reset()
    yield cache_dir
    regex_cache.PROGRAMS.reset()   # the programs of this test's directory are not the process's


def test_every_extractor_pattern_rebuilt_from_the_cache_matches_as_re_compile(fresh_cache):
    patterns = module_patterns()
    assert len(patterns) >= 30
    for p in patterns:   # first process: compiled by re, programs written
        regex_cache.compile_cached(p.pattern, p.flags)
    regex_cache.save()
    assert len(list(fresh_cache.glob("regex-*.marshal"))) == 1
    regex_cache.PROGRAMS.reset()   # the next process reads the file
    assert len(regex_cache.PROGRAMS.entries()) == len(patterns)
    texts = [s.casefold() for s in SENTENCES[::4]] + SENTENCES[1::8]
    for p in patterns:
        cached = regex_cache.compile_cached(p.pattern, p.flags)
        reference = re.compile(p.pattern, p.flags)
        assert (cached.pattern, cached.flags, cached.groups, dict(cached.groupindex)) == (
            reference.pattern, reference.flags, reference.groups, dict(reference.groupindex))
        for text in texts:
            assert [(m.span(), m.groups()) for m in cached.finditer(text)] == [
                (m.span(), m.groups()) for m in reference.finditer(text)], (p.pattern[:80], text)


def test_a_hit_does_not_parse_the_pattern(fresh_cache, monkeypatch):
    pattern = r"(?P<day>[0-9]{1,2})\.(?P<month>[0-9]{1,2})\.(?:\s*(?:mennessä|saakka|asti))"
    regex_cache.compile_cached(pattern)
    regex_cache.save()
    regex_cache.PROGRAMS.reset()

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(regex_cache._parser, "parse", no_parsing)
    monkeypatch.setattr(re, "compile", no_parsing)
    rebuilt = regex_cache.compile_cached(pattern)
    assert rebuilt.search("Lausunnot 15.1. mennessä").group("day", "month") == ("15", "1")


@pytest.mark.parametrize("damage", [b"", b"\x00garbage", b"\xe3" + b"\x00" * 7])
def test_a_damaged_cache_file_falls_back_to_re_compile(fresh_cache, damage):
    regex_cache.compile_cached(r"klo\s+(\d{1,2})")
    regex_cache.save()
    (path,) = fresh_cache.glob("regex-*.marshal")
    path.write_bytes(damage)
    regex_cache.PROGRAMS.reset()
    assert regex_cache.compile_cached(r"klo\s+(\d{1,2})").search("klo 16").group(1) == "16"


def test_a_cache_that_cannot_be_written_costs_nothing_but_time(fresh_cache, unwritable_cache_dir):
    assert regex_cache.compile_cached(r"senast\s+den").search("senast den 5 mars")
    regex_cache.save()   # no error
    assert not unwritable_cache_dir.exists()


def test_a_wrong_program_in_the_file_is_not_used_when_it_fails_to_build(fresh_cache):
    key = (r"(a)(b)", 0)
    regex_cache.PROGRAMS.add(key, (0, [1, 2, 3], 5, {}, ()))   # not a program _sre accepts
    regex_cache.save()
    regex_cache.PROGRAMS.reset()   # the next process reads it from the file
    assert regex_cache.compile_cached(*key).match("ab").groups() == ("a", "b")


def test_no_home_directory_means_a_cache_under_the_temporary_directory(monkeypatch):
    from pathlib import Path

    from sotevahti import cache_files

    for name in ("SOTEVAHTI_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert cache_files.cache_dir().parent == Path(cache_files.tempfile.gettempdir())
