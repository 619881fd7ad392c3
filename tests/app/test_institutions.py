"""The institutions list: which issuers are recognised, and by what rule."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest

from app.institutions import Institution, recognise


def test_the_list_holds_the_34_pilot_institutions() -> None:
    document = json.loads((files("assets") / "institutions.json").read_text("utf-8"))
    kinds = [entry["kind"] for entry in document["institutions"]]
    assert kinds.count("hogeschool") == 22 and kinds.count("university") == 12


@pytest.mark.parametrize(
    ("issuer", "name"),
    [
        ("https://avans.nl", "Avans Hogeschool"),
        ("https://credentials.tudelft.nl/issuer/1", "Technische Universiteit Delft"),
        ("https://EDU.RUG.NL.", "Rijksuniversiteit Groningen"),
    ],
)
def test_the_issuer_host_must_be_the_domain_or_below_it(issuer: str, name: str) -> None:
    found = recognise(issuer)
    assert found is not None and found.name == name


@pytest.mark.parametrize(
    "issuer",
    [
        "http://avans.nl",  # not https
        "https://avans.nl.evil.example",  # the domain as a prefix, not a suffix
        "https://notavans.nl",  # a suffix, but not a subdomain
        "https://issuer.example/avans.nl",  # in the path
        "https://hogeschool-demo.example",
        "not a url",
    ],
)
def test_anything_else_is_not_recognised(issuer: str) -> None:
    assert recognise(issuer) is None


def test_the_demo_institution_only_in_demo_mode() -> None:
    demo = "http://127.0.0.1:8123"
    assert recognise(demo) is None
    assert recognise(demo, demo_issuer_url=demo + "/") == Institution(
        "Hogeschool Demo", "demo", "127.0.0.1:8123"
    )
