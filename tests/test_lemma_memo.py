"""The on-disk memo of lemmas: simplemma's own answers, and simplemma not loaded for known words."""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace

import pytest

from sotevahti import lemma_index, lemma_memo

FORMS = ("hakemusten", "lausuntoja", "määräajan", "päätökset", "hyvinvointialueiden", "ansökningarna",
         "beslutet", "yttrandena", "xyzzyq")


@pytest.fixture()
def fresh_memo(cache_dir, monkeypatch):
    """An empty cache directory and a process that has read no memo yet."""
    monkeypatch.setattr(lemma_memo, "_memo", None)
    monkeypatch.setattr(lemma_memo, "_new", {})
    return cache_dir


def next_process(monkeypatch):
    monkeypatch.setattr(lemma_memo, "_memo", None)


def refuse():
    raise AssertionError("simplemma was loaded for a word the memo knows")


def test_a_known_word_is_answered_from_the_memo_with_simplemmas_own_lemma(fresh_memo, monkeypatch):
    first = lemma_memo.lemmatizer(lemma_index.lemmatizer)
    answers = {(form, lang): first(form, lang) for form in FORMS for lang in ("fi", "sv")}
    lemma_memo.save()
    assert len(list(fresh_memo.glob("lemmas-*.marshal"))) == 1
    next_process(monkeypatch)
    again = lemma_memo.lemmatizer(refuse)
    assert {(form, lang): again(form, lang) for form in FORMS for lang in ("fi", "sv")} == answers
    assert answers[("hakemusten", "fi")] == "hakemus" and answers[("ansökningarna", "sv")] == "ansökning"


def test_an_unknown_word_loads_simplemma_once(fresh_memo):
    builds = []

    def build():
        builds.append(1)
        return lambda form, lang: form.upper()

    lemmatize = lemma_memo.lemmatizer(build)
    assert [lemmatize(f, "fi") for f in ("yksi", "kaksi", "yksi")] == ["YKSI", "KAKSI", "YKSI"]
    assert builds == [1]


@pytest.mark.parametrize("damage", [b"", b"\x00garbage", b"\xe3" + b"\x00" * 7])
def test_a_damaged_memo_falls_back_to_simplemma(fresh_memo, monkeypatch, damage):
    lemma_memo.lemmatizer(lambda: (lambda form, lang: "x"))("sana", "fi")
    lemma_memo.save()
    (path,) = fresh_memo.glob("lemmas-*.marshal")
    path.write_bytes(damage)
    next_process(monkeypatch)
    assert lemma_memo.lemmatizer(lambda: (lambda form, lang: "y"))("sana", "fi") == "y"


def test_an_unwritable_cache_costs_nothing_but_time(fresh_memo, unwritable_cache_dir):
    assert lemma_memo.lemmatizer(lambda: (lambda form, lang: "z"))("sana", "fi") == "z"
    lemma_memo.save()   # no error
    assert not unwritable_cache_dir.exists()


def test_other_dictionaries_mean_another_memo(fresh_memo, monkeypatch, tmp_path):
    real = lemma_memo._path()
    fake = tmp_path / "pkg" / "simplemma"
    data = fake / "strategies" / "dictionaries" / "data"
    data.mkdir(parents=True)
    (fake / "__init__.py").write_text("# another simplemma\n", encoding="utf-8")
    for lang in ("fi", "sv"):
        (data / f"{lang}.plzma").write_bytes(b"other data " + lang.encode())
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name: SimpleNamespace(origin=str(fake / "__init__.py")))
    assert lemma_memo._path() != real
