"""The content hash must stay byte-for-byte what every stored hash was made with.

A changed hash would make every stored item look edited on the next crawl (a false "updated"
entry for each). ``content_hash`` builds the JSON from UTF-8 bytes for speed; these tests hold it
to the original formula, ``sha256(json.dumps([title, lead, body, urls], ensure_ascii=False))``.
"""

from __future__ import annotations

import hashlib
import json
import random

import pytest

from sotevahti.store_upsert import content_hash


def reference_hash(item: dict) -> str:
    """The formula every stored hash was made with (sessions 1-22)."""
    payload = [item.get(k) or "" for k in ("title", "lead", "body")]
    payload.append(sorted(a["url"] for a in item.get("attachments") or ()))
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


TRICKY = [
    "", "Lausuntoaika päättyy 15.1.2027.", 'Ministeri: "Sote-uudistus etenee"', "C:\\polku\\tiedosto",
    "rivi\r\nrivi", "sarkain\tväli", "\x7f poisto", "rivinvaihto\u2028ja\u2029kappale", "emoji 🎉 ja ä",
    "ohjaus\x01merkki", "\x1f", "\n\n", "Remissvar senast 12.3.2027 \u2013 registratorn@stm.fi", "\u00a0sitova väli",
    "/-/ ja </script>", "\ufeffBOM", "tasa ‰ ja ½",
]


@pytest.mark.parametrize("text", TRICKY)
def test_each_field_hashes_as_the_original_formula(text):
    for field in ("title", "lead", "body"):
        item = {"title": "Otsikko", "lead": "Ingressi", "body": "Teksti\n\nToinen kappale", field: text}
        assert content_hash(item) == reference_hash(item)


def test_random_texts_and_attachments_hash_as_the_original_formula():
    rng = random.Random(2027)
    pool = "aäöåAÄÖÅ z\n\"\\\t\r\x00\x0b\x1f\x7f€–”\u2028😀"
    for _ in range(2000):
        text = lambda: "".join(rng.choice(pool) for _ in range(rng.randint(0, 40)))  # noqa: E731
        attachments = [{"url": f"https://stm.fi/liite/{rng.randint(1, 9)}{text()}"} for _ in range(rng.randint(0, 3))]
        item = {"title": text(), "lead": rng.choice([None, text()]), "body": text(), "attachments": attachments}
        assert content_hash(item) == reference_hash(item)


def test_a_stored_hash_is_pinned():
    # Made by the original formula (session 22's code) for this item; both formulas changing
    # together would still be caught here.
    item = {"title": "Sote-uudistus: lausuntoaika päättyy", "lead": "Lausunnot 15.1.2027 mennessä.",
            "body": 'Ministeriö pyytää "lausuntoja".\n\nLisätietoja antaa neuvotteleva virkamies.',
            "attachments": [{"url": "https://stm.fi/documents/2.pdf"}, {"url": "https://stm.fi/documents/1.pdf"}]}
    assert content_hash(item) == PINNED


PINNED = "3e13c66b3229d6f219db0ff4ad02d41fabb4a965f81dfdbcf629b002857dcd7a"
