"""Word roles of the deadline extractor (sotevahti/deadline_words.py): whose act a word makes a date."""

import pytest

from sotevahti import deadline_words as dw


def _roles_in(text: str) -> dict[str, list[int]]:
    low = text.lower()
    return dw.words(low, 0, len(low))


@pytest.mark.parametrize("text", [
    "Kyselylomakkeet postitetaan asukkaille 7.–11.2.2027.",
    "Enkätblanketterna postas till invånarna 7–11.2.2027.",
    "Blanketterna postades den 3 mars 2027.",
])
def test_mailing_by_the_authority_has_the_authority_role(text):
    assert dw.has(_roles_in(text), dw.AUTHORITY)


@pytest.mark.parametrize("text", [
    "Ansökningarna ska postas senast den 20 januari 2027.",
    "Blanketten måste postas senast 3.3.2027.",
])
def test_after_a_modal_posting_is_the_publics_act(text):
    found = _roles_in(text)
    assert not dw.has(found, dw.AUTHORITY)
    assert dw.has(found, dw.ACT, text.lower().index("postas"))


@pytest.mark.parametrize("form, appeal", [
    ("valituille", False), ("valitut", False), ("valituksi", False), ("valitulle", False),
    ("valitus", True), ("valitusaika", True), ("valituksen", True),
])
def test_the_selected_are_no_appeal(form, appeal):
    assert (dw.APPEAL in dw.roles(form)) is appeal


def test_an_account_of_the_grant_is_a_report():
    assert dw.REPORT in dw.roles("redogörelse")
    assert dw.REPORT in dw.roles("redogörelsen")


def test_a_decision_applied_for_is_not_the_authoritys_act():
    assert not dw.has(_roles_in("Grannar kan lämna en anmärkning om ansökan om avgörande senast 14.6.2027."),
                      dw.AUTHORITY)
    assert dw.has(_roles_in("Tingsrätten meddelar sitt avgörande den 20 december 2027."), dw.AUTHORITY)


def test_the_start_of_a_relative_period_is_not_the_authoritys_act():
    assert dw.AUTHORITY not in dw.roles("julkaisemisesta")
    assert dw.AUTHORITY in dw.roles("julkaistaan")


def test_every_form_whose_roles_depend_on_the_word_before_has_a_role_of_its_own():
    # words() looks the rule up only for forms with a role, so a form without one would be skipped
    for form in dw._ROLES_AFTER:
        assert dw.roles(form), form


@pytest.mark.parametrize("text, decided", [
    ("Koulukuljetusta haetaan oppilaaksiottopäätöksen jälkeen, kuitenkin viimeistään 12.4.2027.", False),
    ("Hakemus jätetään päätösten jälkeen viimeistään 3.5.2027.", False),
    ("Skolskjuts söks efter beslutet om skolplats, dock senast 12.4.2027.", False),
    # the same decisions with no "after": the authority's act, as before
    ("Oppilaaksiottopäätöksen tekee rehtori 12.4.2027 mennessä.", True),
    ("Beslutet om skolplats fattas senast 12.4.2027.", True),
])
def test_a_decision_the_applicant_acts_after_is_no_authority_act(text, decided):
    assert dw.has(_roles_in(text), dw.AUTHORITY) is decided
