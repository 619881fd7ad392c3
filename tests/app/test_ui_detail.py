"""Credential detail: microcredential facts, labelled claims, validity, status, delete."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import flet as ft
from harness import AppHarness
from test_ui_home import (
    MICRO_CLAIMS,
    MICRO_DISPLAY,
    NOW,
    make_wallet,
    new_credential,
    run,
    unlock,
)

from app.config import AppConfig
from app.session import make_main
from wallet_core import Wallet
from wallet_core.models import StatusState

PIN = "482916"


def _value(h: AppHarness, key: str) -> str:
    """The texts inside the row container ``key`` (label first, then value lines)."""
    row = h.get(key=key)
    column = row.content
    texts: list[str] = []

    def walk(c: object) -> None:
        value = getattr(c, "value", None)
        if isinstance(value, str):
            texts.append(value)
        for child in getattr(c, "controls", None) or []:
            walk(child)

    walk(column)
    return "\n".join(texts)


def test_detail_shows_microcredential_facts_and_claim_labels(config: AppConfig) -> None:
    [cid] = make_wallet(
        config,
        [
            new_credential(
                "Circulair ontwerpen in de bouw",
                claims=MICRO_CLAIMS,
                display=MICRO_DISPLAY,
                expires_at=NOW + timedelta(days=365),
            )
        ],
    )

    async def scenario() -> None:
        async with AppHarness(make_main(config), languages=["nl-NL"]) as h:
            await unlock(h)
            await h.click(h.get(key=f"cred-{cid}"))
            await h.wait_for(lambda: h.has(key="detail-title"), what="detail")
            assert h.get(key="detail-title").value == "Circulair ontwerpen in de bouw"
            assert h.get(key="detail-issuer").value == "Hogeschool Demo"
            assert _value(h, "fact-awardingBody") == "Instelling\nHogeschool Demo"
            assert _value(h, "fact-notionalWorkload") == "Studielast (EC)\n5 ECTS"
            assert _value(h, "fact-level") == "Niveau (EQF)\nEQF 6"
            outcomes = _value(h, "fact-learningOutcomes")
            assert "Stelt een materialenpaspoort op." in outcomes
            assert _value(h, "fact-typeOfAssessment").startswith("Soort toetsing\nBeroeps")
            assert _value(h, "fact-formOfParticipation") == "Vorm van deelname\nBlended"
            assert _value(h, "fact-qualityAssurance").startswith("Kwaliteitsborging\n")
            assert _value(h, "fact-issuanceDate") == "Uitgegeven op\n2 maart 2026"
            # Other claims carry the issuer's Dutch labels; bookkeeping claims are hidden.
            assert _value(h, "claim-givenName") == "Voornaam\nSanne"
            assert _value(h, "claim-issuerCountry") == "Land van de uitgever\nNL"
            assert _value(h, "claim-stackable") == "Stapelbaar\nJa"
            for hidden in ("iss", "vct", "iat", "cnf", "status", "_sd_alg", "title"):
                assert not h.has(key=f"claim-{hidden}"), hidden
            assert h.get(key="detail-status").value == "Status: geldig (niet ingetrokken)"
            assert h.get(key="detail-checked").value.startswith("Laatst gecontroleerd ")
            assert h.get(key="detail-expires").value.startswith("Geldig tot ")
            assert not h.has(key="detail-mark")
            # hs-demo.example is not one of the pilot's institutions: said, not hidden.
            assert h.get(key="detail-issuer-url").value == "https://hs-demo.example"
            assert h.get(key="detail-recognised").value.startswith("Uitgever niet herkend")
            assert h.client.errors == []

    run(scenario)


def test_an_issuer_on_the_institutions_list_is_named(config: AppConfig) -> None:
    credential = dataclasses.replace(
        new_credential("Data-analyse"), issuer="https://credentials.avans.nl"
    )
    [cid] = make_wallet(config, [credential])

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            await h.click(h.get(key=f"cred-{cid}"))
            await h.wait_for(lambda: h.has(key="detail-title"), what="detail")
            assert h.get(key="detail-recognised").value == (
                "On the institutions list: Avans Hogeschool (hogeschool, avans.nl)"
            )

    run(scenario)


def test_revoked_credential_is_marked_in_detail(config: AppConfig) -> None:
    [cid] = make_wallet(
        config,
        [
            new_credential(
                "Bachelor Bouwkunde",
                status=StatusState.INVALID,
                type_="https://hs-demo.example/types/diploma",
            )
        ],
    )

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            await h.click(h.get(key=f"cred-{cid}"))
            await h.wait_for(lambda: h.has(key="detail-title"), what="detail")
            assert h.get(key="detail-status").value == "Status: revoked by the institution"
            assert h.has(key="detail-mark") and "Revoked" in h.texts()
            assert not h.has(key="facts")  # not a microcredential: no facts section
            assert h.get(key="detail-expires").value == "Does not expire"
            assert h.client.errors == []

    run(scenario)


def test_delete_asks_first_then_removes_and_returns_home(config: AppConfig) -> None:
    keep, gone = make_wallet(config, [new_credential("Keep me"), new_credential("Delete me")])

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            await h.click(h.get(key=f"cred-{gone}"))
            await h.wait_for(lambda: h.has(key="detail-title"), what="detail")

            await h.click(h.get(key="delete-btn"))
            [dialog] = open_dialogs(h)
            assert dialog.title.value == "Delete this credential?"
            await h.click(h.get(key="delete-cancel-btn"))
            assert open_dialogs(h) == []
            assert h.has(key="detail-title")  # still here, nothing deleted

            await h.click(h.get(key="delete-btn"))
            dialogs = open_dialogs(h)
            assert len(dialogs) == 1
            confirm = [b for b in h.find(key="delete-confirm-btn") if _in(b, dialogs[0])]
            await h.click(confirm[0])
            await h.wait_for(lambda: h.has(key="credential-list"), what="home after delete")
            assert h.has(key=f"cred-{keep}") and not h.has(key=f"cred-{gone}")
            assert h.client.errors == []
        with Wallet.open(config.vault_dir, PIN) as wallet:
            assert [c.id for c in wallet.credentials()] == [keep]

    run(scenario)


def open_dialogs(h: AppHarness) -> list[ft.AlertDialog]:
    return [d for d in h.find(type_=ft.AlertDialog) if d.open]


def _in(control: object, dialog: object) -> bool:
    return any(getattr(a, "content", None) is control for a in getattr(dialog, "actions", []))
