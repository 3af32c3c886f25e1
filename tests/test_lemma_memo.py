"""The on-disk memo of lemmas: simplemma's own answers, and simplemma not loaded for known words."""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace

import pytest

from sotevahti import lemma_index, lemma_memo

FORMS = ("hakemusten", "lausuntoja", "määräajan", "päätökset", "hyvinvointialueiden", "ansökningarna",
         "beslutet", "yttrandena", "xyzzyq")


@pytest.fixture()
def fresh_memo(cache_dir):
    """An empty cache directory and a process that has read no memo yet."""
    lemma_memo.MEMO.reset()
    yield cache_dir
    lemma_memo.MEMO.reset()   # the memo of this test's directory is not the process's


def next_process():
    lemma_memo.MEMO.reset()


def refuse():
    raise AssertionError("simplemma was loaded for a word the memo knows")


def test_a_known_word_is_answered_from_the_memo_with_simplemmas_own_lemma(fresh_memo):
    first = lemma_memo.lemmatizer(lemma_index.lemmatizer)
    answers = {(form, lang): first(form, lang) for form in FORMS for lang in ("fi", "sv")}
    lemma_memo.save()
    assert len(list(fresh_memo.glob("lemmas-*.marshal"))) == 1
    next_process()
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
def test_a_damaged_memo_falls_back_to_simplemma(fresh_memo, damage):
    lemma_memo.lemmatizer(lambda: (lambda form, lang: "x"))("sana", "fi")
    lemma_memo.save()
    (path,) = fresh_memo.glob("lemmas-*.marshal")
    path.write_bytes(damage)
    next_process()
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


def test_a_cache_file_merges_what_each_process_adds_and_keeps_at_most_its_limit(tmp_path):
    from sotevahti.cache_files import CacheDict

    path = tmp_path / "memo.marshal"
    first = CacheDict(lambda: path, limit=4)
    first.add(("hakemus", "fi"), "hakemus")
    first.add(("beslut", "sv"), "beslut")
    first.save()
    second = CacheDict(lambda: path, limit=4)   # another process: reads the file, adds its own
    assert second.entries() == {("hakemus", "fi"): "hakemus", ("beslut", "sv"): "beslut"}
    second.add(("määräaika", "fi"), "määräaika")
    second.save()
    assert CacheDict(lambda: path).entries() == {**first.entries(), ("määräaika", "fi"): "määräaika"}
    third = CacheDict(lambda: path, limit=4)
    for n in range(3):
        third.add((f"sana{n}", "fi"), f"sana{n}")
    third.save()   # 6 entries would pass the limit: only this process's newest are kept
    assert CacheDict(lambda: path).entries() == {(f"sana{n}", "fi"): f"sana{n}" for n in range(3)}


def test_a_cache_file_whose_name_cannot_be_made_costs_nothing(tmp_path):
    from sotevahti.cache_files import CacheDict

    def unreadable() -> None:
        raise OSError("the dictionary file is gone")

    cache = CacheDict(unreadable)
    cache.add("a", 1)
    assert cache.entries() == {"a": 1}
    cache.save()   # no error, nothing written
    assert list(tmp_path.iterdir()) == []
