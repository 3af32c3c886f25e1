"""Streaming front end for deadline extraction (``monitor.py extract-deadlines``).

Input and output are JSON Lines, one object per line, so a large dump can be
piped through without being held in memory:

    {"text": "Kysely on avoinna 24.11. saakka.", "lang": "fi", "ref_date": "2025-11-03"}
    → {"deadline": "2025-11-24", "time": null, "kind": "consultation", "sentence": "…", "note": …}
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from json import encoder as _json_encoder
from typing import TextIO

from sotevahti.deadlines import Deadline, extract_deadline, format_time

_EMPTY = {"deadline": None, "time": None, "kind": None, "sentence": None, "note": None, "recurring": None}
_LANGS = (None, "fi", "sv", "en")
#: The C scanner behind ``json.loads``, called directly on each line: ``json.loads`` adds argument
#: checks and two whitespace regex scans that together cost more than scanning a short line.
_SCAN = json.JSONDecoder().scan_once


def _make_encode() -> Callable[[dict], str]:
    """``json.dumps(obj, ensure_ascii=False)`` for the answers, with its C encoder built once:
    ``JSONEncoder.encode`` builds a new one (and a closure) for every call, which costs as much
    as encoding a short answer. Without the C accelerator, the plain encoder does."""
    plain = json.JSONEncoder(ensure_ascii=False).encode
    make = _json_encoder.c_make_encoder
    try:
        # no circular-reference markers: an answer is a flat dict of strings, None and small dicts
        chunks = make(None, json.JSONEncoder().default, _json_encoder.encode_basestring, None, ": ", ", ",
                      False, False, True)
    except TypeError:   # no C accelerator (None), or a Python whose private encoder takes other arguments
        return plain
    return lambda obj: "".join(chunks(obj, 0))


_ENCODE = _make_encode()
_EMPTY_LINE = _ENCODE(_EMPTY) + "\n"
#: The string quoter json's encoder uses with ``ensure_ascii=False`` (the C one when there is one).
_QUOTE: Callable[[str], str] = _json_encoder.encode_basestring


def answer_line(found: Deadline) -> str:
    """``json.dumps(found.to_json(), ensure_ascii=False) + "\\n"``, written straight from the fields.

    Building the dict and encoding it cost about 3 µs a line, more than reading the line in;
    the answer's shape is fixed, so its JSON is put together directly (a test holds it to
    ``json.dumps`` over every labelled answer and over odd strings).

    >>> from datetime import date
    >>> answer_line(extract_deadline("Haku päättyy 5.3.2025 klo 16.", "fi", date(2025, 2, 1)))
    '{"deadline": "2025-03-05", "time": "16:00", "kind": "application", \
"sentence": "Haku päättyy 5.3.2025 klo 16.", "note": null, "recurring": null}\\n'
    """
    day, clock, kind, note, recurring = found.deadline, found.time, found.kind, found.note, found.recurring
    return "".join((
        '{"deadline": ', "null" if day is None else f'"{day.isoformat()}"',
        ', "time": ', "null" if clock is None else f'"{format_time(clock)}"',
        ', "kind": ', "null" if kind is None else _QUOTE(kind),
        ', "sentence": ', _QUOTE(found.sentence),
        ', "note": ', "null" if note is None else _QUOTE(note),
        ', "recurring": ',
        "null}\n" if recurring is None else f'{{"day": {recurring[0]}, "month": {recurring[1]}}}}}\n'))


def _load(line: str) -> object:
    """``json.loads(line)``: the C scanner alone when the line is one JSON value and its newline
    (the common case), else ``json.loads`` itself, which also gives its own error messages."""
    try:
        obj, end = _SCAN(line, 0)
    except (StopIteration, ValueError):
        pass
    else:
        if end == len(line) or line[end:] in ("\n", "\r\n"):
            return obj
    return json.loads(line)


def _parse_request(line: str) -> tuple[str, str | None, date | None]:
    """Validate one input line; raises ValueError with a readable reason."""
    try:
        obj = _load(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc.msg}") from None
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object")
    text = obj.get("text")
    if not isinstance(text, str):
        raise ValueError('"text" must be a string')
    lang = obj.get("lang")
    if lang not in _LANGS:
        raise ValueError('"lang" must be "fi", "sv", "en" or null')
    ref = obj.get("ref_date")
    if ref is None:
        return text, lang, None
    if not isinstance(ref, str):
        raise ValueError('"ref_date" must be "YYYY-MM-DD" or null')
    try:
        return text, lang, date.fromisoformat(ref)
    except ValueError:
        raise ValueError(f'"ref_date" is not a date: {ref!r}') from None


def run_extract_deadlines(stdin: TextIO, stdout: TextIO) -> int:
    """Read JSONL requests from ``stdin`` and write one JSONL answer per line.

    Each input line ``{"text": str, "lang": "fi"|"sv"|"en"|null,
    "ref_date": "YYYY-MM-DD"|null}`` gives exactly one output line
    ``{"deadline", "time", "kind", "sentence", "note", "recurring"}`` in the same order,
    flushed at once so a reader on a pipe sees answers as they come.

    A malformed line (bad JSON, missing text, bad ref_date, even a blank line)
    does not stop the stream: its output line has all fields null plus
    ``"error"`` (the reason) and ``"line"`` (1-based number). The return
    value is 0 when every line was valid and 1 when at least one was not.

    >>> import io
    >>> out = io.StringIO()
    >>> run_extract_deadlines(io.StringIO('{"text": "Haku päättyy 5.3.2025."}\\n'), out)
    0
    >>> json.loads(out.getvalue())["deadline"]
    '2025-03-05'
    """
    status = 0
    for number, line in enumerate(stdin, start=1):
        try:
            text, lang, ref = _parse_request(line)
        except ValueError as exc:
            status = 1
            stdout.write(_ENCODE({**_EMPTY, "error": str(exc), "line": number}) + "\n")
        else:
            found = extract_deadline(text, lang, ref)
            # a third of the lines of a typical dump name no deadline: that answer is encoded once
            stdout.write(_EMPTY_LINE if found is None else answer_line(found))
        stdout.flush()
    return status


_WORDS = {
    "fi": ("Määräaika", "klo", "päättynyt", "Ei määräaikaa"),
    "sv": ("Sista dag", "kl.", "har gått ut", "Ingen sista dag"),
    "en": ("Deadline", "at", "passed", "No deadline"),
}


def format_deadline_human(text: str, lang: str | None = None,
                          ref_date: date | None = None) -> str:
    """One line for a person: the best deadline of ``text`` in ``lang`` (default fi).

    >>> format_deadline_human("Lausuntoaika päättyy 25.9.2020.")
    'Määräaika 25.9.2020 (consultation): Lausuntoaika päättyy 25.9.2020.'
    >>> format_deadline_human("Aluevaalit järjestetään 23.1.2022.")
    'Ei määräaikaa'
    """
    label, at, passed, none = _WORDS.get(lang or "fi", _WORDS["fi"])
    found: Deadline | None = extract_deadline(text, lang, ref_date)
    if found is None:
        return none
    if found.deadline is None:
        return f"{none} ({found.note}): {found.sentence}"
    when = f"{found.deadline.day}.{found.deadline.month}.{found.deadline.year}"
    if found.time is not None:
        # People read times the Finnish way, "klo 15.45"; the JSON keeps ISO "15:45".
        when += f" {at} {(format_time(found.time) or '').replace(':', '.')}"
    status = f", {passed}" if found.past else ""
    return f"{label} {when} ({found.kind}{status}): {found.sentence}"


__all__ = ["answer_line", "format_deadline_human", "run_extract_deadlines"]
