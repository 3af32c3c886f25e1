"""extract-deadlines reads and writes its lines with json's C scanner and encoder directly
(sotevahti/extract_cli.py); they must agree with json.loads and json.dumps, errors included."""

from __future__ import annotations

import io
import json
from datetime import date, time
from pathlib import Path

import pytest

from sotevahti.dates import END_OF_DAY
from sotevahti.deadlines import Deadline, extract_deadline
from sotevahti.extract_cli import _EMPTY, _EMPTY_LINE, _ENCODE, _load, answer_line, run_extract_deadlines

_LABELLED = Path(__file__).parent / "data" / "deadline_sentences.jsonl"

_LINES = [
    '{"text": "Haku päättyy 5.3.2025.", "lang": "fi", "ref_date": null}\n',
    '{"text": "Haku päättyy 5.3.2025."}\r\n',
    '{"text": "Haku päättyy 5.3.2025."}',  # the last line of a file may lack its newline
    '  {"text": "leading spaces"}\n',
    '{"text": "trailing spaces"}   \n',
    '{"text": "Remisstiden g\\u00e5r ut"}\n',
    "12\n",
    '"just a string"\n',
]
_BAD_LINES = ["not json\n", '{"text": }\n', '{"text": "a"} extra\n', "\n", "\ufeff{}\n", '{"text": "a"\n']


@pytest.mark.parametrize("line", _LINES)
def test_reader_agrees_with_json_loads(line: str) -> None:
    assert _load(line) == json.loads(line)


@pytest.mark.parametrize("line", _BAD_LINES)
def test_reader_raises_what_json_loads_raises(line: str) -> None:
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(line)
    with pytest.raises(json.JSONDecodeError) as got:
        _load(line)
    assert (got.value.msg, got.value.pos) == (expected.value.msg, expected.value.pos)


@pytest.mark.parametrize("answer", [
    {"deadline": "2025-03-05", "time": "24:00", "kind": "application", "sentence": 'Haku "päättyy"\t5.3.',
     "note": None, "recurring": {"day": 31, "month": 1}},
    {**_EMPTY, "error": "invalid JSON: Expecting value", "line": 7},
    _EMPTY,
])
def test_writer_agrees_with_json_dumps(answer: dict) -> None:
    assert _ENCODE(answer) == json.dumps(answer, ensure_ascii=False)


def test_stream_writes_the_empty_answer_line_for_a_text_without_deadline() -> None:
    out = io.StringIO()
    run_extract_deadlines(io.StringIO('{"text": "Aluevaalit järjestetään 23.1.2022."}\n'), out)
    assert out.getvalue() == _EMPTY_LINE == json.dumps(_EMPTY, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("found", [
    Deadline(date(2025, 3, 5), END_OF_DAY, "application", 'Haku "päättyy"\t5.3. \\ klo 24.00\u0001\u2028.'),
    Deadline(None, None, None, "Lausunnot vuosittain 31.1. mennessä.", note="recurring deadline: every year by 31.1.",
             recurring=(31, 1)),
    Deadline(date(2026, 1, 7), time(9, 5), "other", "ü\ud800", note='range "1.–7.1.": end taken'),
    Deadline(None, None, "consultation", ""),
])
def test_answer_line_agrees_with_json_dumps_of_to_json(found: Deadline) -> None:
    assert answer_line(found) == json.dumps(found.to_json(), ensure_ascii=False) + "\n"


def test_answer_line_agrees_with_json_dumps_for_every_labelled_answer() -> None:
    checked = 0
    for line in _LABELLED.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        ref = date.fromisoformat(case["ref_date"]) if case["ref_date"] else None
        found = extract_deadline(case["text"], case["lang"], ref)
        if found is not None:
            assert answer_line(found) == json.dumps(found.to_json(), ensure_ascii=False) + "\n", case["text"]
            checked += 1
    assert checked > 1000  # the labelled set's dated and noted answers, not a handful
