"""extract-deadlines reads and writes its lines with json's C scanner and encoder directly
(sotevahti/extract_cli.py); they must agree with json.loads and json.dumps, errors included."""

from __future__ import annotations

import io
import json

import pytest

from sotevahti.extract_cli import _EMPTY, _EMPTY_LINE, _ENCODE, _load, run_extract_deadlines

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
