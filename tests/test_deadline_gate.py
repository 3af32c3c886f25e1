"""The cheap date-shape gate must never hide a deadline the extractor would find."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from sotevahti.deadline_gate import may_hold_deadline
from sotevahti.deadlines import extract_deadlines

DATA = Path(__file__).parent / "data"


def _labelled_with_deadline() -> list[str]:
    texts = []
    for name in ("deadline_sentences.jsonl", "dates.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            ref = date.fromisoformat(case["ref_date"]) if case.get("ref_date") else date(2026, 1, 1)
            if any(d.deadline for d in extract_deadlines(case["text"], case.get("lang"), ref)):
                texts.append(case["text"])
    return texts


def test_every_labelled_text_with_a_deadline_passes_the_gate():
    texts = _labelled_with_deadline()
    assert len(texts) > 500
    assert [t for t in texts if not may_hold_deadline(t)] == []


@pytest.mark.parametrize("text", [
    "Hyvinvointialueiden rahoitus tarkentuu.",
    "Puhelin 0295 16 (vaihde), huone 12",
    "Vuonna 2026 alueita on 21.",
])
def test_texts_without_a_date_shape_are_skipped(text):
    assert not may_hold_deadline(text)
    assert not [d for d in extract_deadlines(text, "fi", date(2026, 1, 1)) if d.deadline]
