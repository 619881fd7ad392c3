"""A home card's second line, from what each format states (and nothing it does not)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from helpers import ob3_badge

from app import i18n
from app.components.card_line import CardFacts, card_facts, card_line
from wallet_core import CredentialStatus, CredentialSummary

ISSUED = datetime(2026, 9, 1, 12, tzinfo=UTC)


def _summary(type_: str = "https://hs.example/types/microcredential") -> CredentialSummary:
    return CredentialSummary(
        id="c1",
        format="dc+sd-jwt",
        type=type_,
        title="Circulair ontwerpen",
        issuer="https://hs.example",
        issuer_name="Hogeschool Demo",
        issued_at=ISSUED,
        expires_at=None,
        status=CredentialStatus(),
        added_at=ISSUED,
    )


@pytest.mark.parametrize(
    ("claims", "ec", "eqf"),
    [
        ({"notionalWorkload": "5 ECTS", "level": "EQF 6"}, "5", "6"),
        ({"notionalWorkload": "7,5 EC", "level": 6}, "7.5", "6"),
        ({"notionalWorkload": 3, "level": "5"}, "3", "5"),
        ({"notionalWorkload": "a lot", "level": "EQF 9"}, None, None),
        ({"notionalWorkload": 0, "level": True}, None, None),
        ({}, None, None),
    ],
)
def test_study_load_and_level_as_an_sd_jwt_states_them(
    claims: dict[str, Any], ec: str | None, eqf: str | None
) -> None:
    facts = card_facts(_summary(), claims, {})
    assert (facts.kind, facts.ec, facts.eqf, facts.on) == ("microcredential", ec, eqf, ISSUED)


def test_an_open_badge_gives_its_ects_and_eqf_alignment() -> None:
    badge = ob3_badge("did:example:hs")
    achievement = badge["credentialSubject"]["achievement"]
    assert card_facts(_summary("OpenBadgeCredential"), badge, {}).ec is None  # none stated
    achievement["ECTS"] = 2.5
    achievement["alignment"] = [
        {
            "type": ["Alignment"],
            "targetType": "ext:EQF",
            "targetName": "EQF",
            "targetCode": "5",
            "targetUrl": "https://europa.eu/europass/en/description-eight-eqf-levels",
        }
    ]
    facts = card_facts(_summary("OpenBadgeCredential"), badge, {"kind": "Microcredential"})
    assert (facts.kind, facts.ec, facts.eqf) == ("microcredential", "2.5", "5")


def test_the_line_in_both_languages_leaves_out_what_is_not_stated() -> None:
    def t(lang: str) -> Any:
        return lambda key, **fmt: i18n.t(key, lang, **fmt)

    full = CardFacts("microcredential", "5", "6", ISSUED)
    assert card_line(full, t("en")) == "Microcredential · 5 EC · EQF 6 · 1 September 2026"
    assert card_line(full, t("nl")) == "Microcredential · 5 EC · EQF 6 · 1 september 2026"
    assert card_line(CardFacts("diploma"), t("nl")) == "Diploma"
