"""Receive by pasted link, against the real demo issuer on loopback."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from harness import AppHarness
from test_ui_home import make_wallet, run, unlock

from app.config import AppConfig
from app.shell import make_main
from demo_services.issuer import create_app
from demo_services.serving import BackgroundServer, start_in_thread
from wallet_core import Wallet

PIN = "482916"
NL_OFFER_ERROR = "Deze QR-code of link is geen geldig aanbod van een credential."


@pytest.fixture(scope="module")
def issuer() -> Iterator[BackgroundServer]:
    with start_in_thread(lambda base: create_app(base), name="issuer") as server:
        yield server


def make_offer(issuer: BackgroundServer, ids: list[str], **extra: Any) -> dict[str, Any]:
    response = httpx.post(
        f"{issuer.base_url}/admin/offers", json={"configuration_ids": ids, **extra}, timeout=10
    )
    response.raise_for_status()
    return response.json()


@pytest.fixture
def loopback_config(config: AppConfig) -> AppConfig:
    return dataclasses.replace(config, allow_http_loopback=True)


def wait_idle(h: AppHarness) -> Any:
    return h.wait_for(lambda: not h.has(key="busy") or not h.get(key="busy").visible, what="idle")


def test_receive_with_transaction_code(
    issuer: BackgroundServer, loopback_config: AppConfig
) -> None:
    make_wallet(loopback_config, [])
    offer = make_offer(issuer, ["mc-data-analyse-python"], tx_code=True)
    wrong = "0" * len(offer["tx_code"]) if offer["tx_code"] != "0" * len(offer["tx_code"]) else "1"

    async def scenario() -> None:
        async with AppHarness(make_main(loopback_config)) as h:
            await unlock(h)
            await h.click(h.get(key="add-btn"))
            await h.wait_for(lambda: h.has(key="offer-input"), what="receive")

            await h.click(h.get(key="continue-btn"))  # nothing pasted
            assert h.get(key="receive-error").value == "Paste a link first"

            await h.type_text(h.get(key="offer-input"), offer["offer_link"])
            await h.click(h.get(key="continue-btn"))
            await h.wait_for(lambda: h.get(key="accept-btn").visible, what="preview")
            await h.wait_for(lambda: h.has(key="preview-issuer"), what="preview")
            assert h.get(key="preview-issuer").value
            assert h.has(key="offered-mc-data-analyse-python")
            field = h.get(key="tx-code-input")
            assert field.label == "Transaction code"
            assert field.helper == f"{len(offer['tx_code'])} digits"

            await h.click(h.get(key="accept-btn"))  # no code typed
            assert h.get(key="tx-code-input").error == "Enter the code first"

            await h.type_text(h.get(key="tx-code-input"), wrong)
            await h.click(h.get(key="accept-btn"))
            await wait_idle(h)
            assert h.get(key="tx-code-input").error.startswith("That code is not right")
            assert h.has(key="accept-btn")  # the offer stays usable

            await h.type_text(h.get(key="tx-code-input"), offer["tx_code"])
            await h.click(h.get(key="accept-btn"))
            await h.wait_for(lambda: h.has(key="detail-title"), timeout=30, what="detail")
            assert h.get(key="detail-title").value == "Data-analyse met Python"
            assert h.has(key="fact-notionalWorkload")
            assert h.client.errors == []
        with Wallet.open(loopback_config.vault_dir, PIN) as wallet:
            assert [c.title for c in wallet.credentials()] == ["Data-analyse met Python"]

    run(scenario)


def test_receive_without_code_and_bad_links(
    issuer: BackgroundServer, loopback_config: AppConfig
) -> None:
    make_wallet(loopback_config, [])
    offer = make_offer(issuer, ["mc-zorgtechnologie"])
    auth_only = make_offer(issuer, ["mc-zorgtechnologie"], grant="authorization_code")

    async def scenario() -> None:
        async with AppHarness(make_main(loopback_config), languages=["nl-NL"]) as h:
            await unlock(h)
            await h.click(h.get(key="add-btn"))
            await h.wait_for(lambda: h.has(key="offer-input"), what="receive")

            await h.type_text(h.get(key="offer-input"), "not an offer")
            await h.click(h.get(key="continue-btn"))
            await wait_idle(h)
            assert h.get(key="receive-error").value == NL_OFFER_ERROR

            await h.type_text(h.get(key="offer-input"), auth_only["offer_link"])
            await h.click(h.get(key="continue-btn"))
            await wait_idle(h)
            assert h.get(key="receive-error").value.startswith("Voor dit aanbod moet je inloggen")

            await h.type_text(h.get(key="offer-input"), offer["offer_link"])
            await h.click(h.get(key="continue-btn"))
            await h.wait_for(lambda: h.get(key="preview-issuer").value != "", what="preview")
            assert h.get(key="tx-code-input").label is None  # no code asked, none shown
            await h.click(h.get(key="accept-btn"))
            await h.wait_for(lambda: h.has(key="detail-title"), timeout=30, what="detail")
            assert h.get(key="detail-title").value == "Zorgtechnologie in de praktijk"
            await h.click(h.get(key="back-btn"))
            await h.wait_for(lambda: h.has(key="credential-list"), what="home")
            assert len(h.get(key="credential-list").controls) == 1
            assert h.client.errors == []

    run(scenario)
