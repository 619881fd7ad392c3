"""The activity timeline, after receiving and presenting for real."""

from __future__ import annotations

from collections.abc import Callable

from harness import AppHarness
from test_ui_home import run
from test_ui_present import open_request
from ui_verifier import (
    WITHOUT_GRADE,
    Verifier,
    issuer,
    verifiers,
    wallet_config,
    wallet_with_credential,
)

from app.config import AppConfig
from app.session import make_main
from demo_services.serving import BackgroundServer

__all__ = ["issuer", "verifiers"]  # fixtures, imported for pytest


def test_activity_lists_the_presentation_newest_first(
    issuer: BackgroundServer, verifiers: Callable[[str], Verifier], config: AppConfig
) -> None:
    verifier = verifiers("x509_hash")
    config = wallet_config(config, verifier)
    wallet_with_credential(config, issuer, [WITHOUT_GRADE])
    tx = verifier.transaction()

    async def scenario() -> None:
        async with AppHarness(make_main(config), languages=["nl-NL"]) as h:
            await open_request(h, tx["link"])
            await h.click(h.get(key="confirm-btn"))
            await h.wait_for(lambda: h.get(key="result-step").visible, timeout=30, what="result")
            await h.click(h.get(key="done-btn"))
            await h.wait_for(lambda: h.has(key="credential-list"), what="home")

            await h.click(h.get(key="activity-btn"))
            await h.wait_for(lambda: h.has(key="activity-list"), what="activity")
            rows = h.get(key="activity-list").controls
            kinds = [row.title.value for row in rows]
            assert kinds == ["Credential gedeeld", "Credential toegevoegd", "Wallet aangemaakt"]
            detail = rows[0].subtitle.value
            assert "Gegevens: Titel, Instelling, Studielast (EC), Niveau (EQF)" in detail
            # named as the share screen named the verifier, not by its raw client_id
            assert "Met: Werkgever Demo" in detail
            assert verifier_client_id(tx["link"]) not in detail
            assert "Met: Hogeschool Demo" in rows[1].subtitle.value
            assert not h.get(key="activity-empty").visible

            await h.select(h.get(key="activity-filter"), ["shared"])
            assert [row.title.value for row in h.get(key="activity-list").controls] == [
                "Credential gedeeld"
            ]
            await h.select(h.get(key="activity-filter"), ["wallet"])
            assert [row.title.value for row in h.get(key="activity-list").controls] == [
                "Wallet aangemaakt"
            ]
            await h.select(h.get(key="activity-filter"), ["received"])
            assert [row.title.value for row in h.get(key="activity-list").controls] == [
                "Credential toegevoegd"
            ]
            await h.select(h.get(key="activity-filter"), ["all"])
            assert len(h.get(key="activity-list").controls) == 3

            await h.click(h.get(key="back-btn"))
            await h.wait_for(lambda: h.has(key="credential-list"), what="home")
            assert h.client.errors == []

    run(scenario)


def verifier_client_id(link: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(link).query).get("client_id", [""])[0]
