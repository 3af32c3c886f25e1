"""The topic filter decides what belongs to the reform, on real-looking sentences."""

from __future__ import annotations

import pytest

from sotevahti.topic import TopicFilter

REFORM = TopicFilter()


@pytest.mark.parametrize("text, term", [
    ("Sote-uudistuksen alueellisen valmistelun jaoston toiminta käynnistyi", "sote"),
    ("Hallituksen esitys soteuudistukseksi etenee eduskuntaan", "sote"),
    ("Hyvinvointialueiden rahoitus tarkentuu vuodelle 2026", "hyvinvointialue"),
    ("…turvata yhdenvertaiset sosiaali- ja terveyspalvelut", "sosiaali- ja terveys"),
    ("Pelastustoimen järjestämisvastuu siirtyy hyvinvointialueille", "pelastustoim"),
    ("Välfärdsområdenas finansiering preciseras", "välfärdsområde"),
    ("Regeringens proposition om vårdreformen", "vårdreform"),
    ("Wellbeing services counties began operating on 1 January 2023", "wellbeing services count"),
])
def test_reform_texts_match(text, term):
    decision = REFORM.decide(text)
    assert decision.relevant
    assert term in decision.terms


@pytest.mark.parametrize("text", [
    "Sosiaali- ja terveysministeriö: alkoholilain muutos lausunnolle",   # the ministry's name alone
    "Metsälain muutokset voimaan 1.1.2024",
    "Poliisin määrärahat vuodelle 2025",
    "Socialt hållbar skogspolitik",                                     # 'sote' inside no word start
])
def test_other_texts_do_not_match(text):
    assert not REFORM.decide(text).relevant


def test_stems_are_word_prefixes_so_a_name_can_match():
    # Stems match at the start of a word by design: the filter errs on the side of showing an
    # item rather than hiding it, so "Sotelo" counts as "sote". Known and accepted.
    assert REFORM.decide("Ministeriön asiantuntija Sotelo kommentoi").terms == ("sote",)


def test_decision_uses_every_text_and_match_all():
    assert REFORM.decide("Alkoholilaki", None, "Muutos koskee myös hyvinvointialueita.").terms == ("hyvinvointialue",)
    assert TopicFilter(match_all=True).decide("Mikä tahansa").relevant
    custom = TopicFilter(stems=("lausunto",), ignore=())
    assert custom.decide("Lausuntokierros alkaa").relevant
    assert not custom.decide("Sote-uudistus").relevant
