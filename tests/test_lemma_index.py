"""The cached block index of simplemma's dictionaries: the same lemmas, built once, rebuilt when damaged."""

from __future__ import annotations

import pytest

from sotevahti import lemma_index

pytest.importorskip("simplemma.strategies.dictionaries.stream_dictionary_factory")

from simplemma.strategies.dictionaries.stream_dictionary_factory import StreamMap

FORMS = ("hakemusten", "hakemuksia", "lausunnot", "lausuntoja", "määräajan", "päätökset", "avustuksen",
         "hyvinvointialueiden", "ansökningarna", "beslutet", "yttrandena", "xyzzyq", "talo")


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SOTEVAHTI_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_the_index_is_written_once_and_gives_simplemmas_own_entries(cache):
    reference = StreamMap("sv")
    built = lemma_index.IndexedStreamMap("sv")
    files = list(cache.glob("lemma-*-sv-*.idx"))
    assert len(files) == 1
    stamp = files[0].stat().st_mtime_ns
    loaded = lemma_index.IndexedStreamMap("sv")     # from the file this time
    assert files[0].stat().st_mtime_ns == stamp
    assert loaded._firsts == reference._firsts and loaded._blocks == reference._blocks
    for form in FORMS:
        assert built.get(form) == loaded.get(form) == reference.get(form)
    assert loaded.get("ansökningarna") == "ansökning"


def test_a_damaged_index_is_rebuilt(cache):
    lemma_index.IndexedStreamMap("sv")
    (path,) = cache.glob("lemma-*-sv-*.idx")
    path.write_bytes(b"not marshal")  # the index; the stream beside it stays
    assert lemma_index.IndexedStreamMap("sv").get("ansökningarna") == "ansökning"
    assert path.read_bytes() != b"not marshal"


def test_an_unwritable_cache_only_costs_time(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("SOTEVAHTI_CACHE_DIR", str(blocker / "sub"))   # a directory under a file: cannot exist
    assert lemma_index.IndexedStreamMap("sv").get("ansökningarna") == "ansökning"


def test_lemmatizer_agrees_with_simplemma(cache):
    import simplemma

    lemmatize = lemma_index.lemmatizer()
    for form in FORMS:
        assert lemmatize(form, "sv") == simplemma.lemmatize(form, lang="sv")
