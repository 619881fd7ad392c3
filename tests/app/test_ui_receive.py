"""Receive by pasted link, against the real demo issuer on loopback."""

from __future__ import annotations

import asyncio
import dataclasses
import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from demo_admin import log_in
from harness import AppHarness
from PIL import Image
from test_ui_home import make_wallet, run, unlock

from app.config import AppConfig
from app.session import make_main
from demo_services.issuer import create_app
from demo_services.serving import BackgroundServer, start_in_thread
from wallet_core import Wallet, qr

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
            # typos are caught here, before one of the institution's few tries is spent
            await h.type_text(h.get(key="tx-code-input"), "12a")
            await h.click(h.get(key="accept-btn"))
            assert h.get(key="tx-code-input").error == "The code has only digits."
            await h.type_text(h.get(key="tx-code-input"), "12")
            await h.click(h.get(key="accept-btn"))
            length = len(offer["tx_code"])
            assert h.get(key="tx-code-input").error == (
                f"The code has {length} characters; you entered 2."
            )

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
    again = make_offer(issuer, ["mc-zorgtechnologie"])

    async def scenario() -> None:
        async with AppHarness(make_main(loopback_config), languages=["nl-NL"]) as h:
            await unlock(h)
            await h.click(h.get(key="add-btn"))
            await h.wait_for(lambda: h.has(key="offer-input"), what="receive")

            await h.type_text(h.get(key="offer-input"), "not an offer")
            await h.click(h.get(key="continue-btn"))
            await wait_idle(h)
            assert h.get(key="receive-error").value == NL_OFFER_ERROR

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

            # the same offer again: it was used, and the student is told what to do
            await h.click(h.get(key="add-btn"))
            await h.wait_for(lambda: h.has(key="offer-input"), what="receive")
            await h.type_text(h.get(key="offer-input"), offer["offer_link"])
            await h.click(h.get(key="continue-btn"))
            await h.wait_for(lambda: h.get(key="preview-issuer").value != "", what="preview")
            await h.click(h.get(key="accept-btn"))
            await wait_idle(h)
            assert h.get(key="receive-error").value == (
                "Dit aanbod is verlopen of al gebruikt. Vraag de instelling om een nieuw aanbod."
            )

            # a new offer of the same credential: the student has it already
            await h.type_text(h.get(key="offer-input"), again["offer_link"])
            await h.click(h.get(key="continue-btn"))
            await h.wait_for(lambda: h.get(key="preview-issuer").value != "", what="preview")
            await h.click(h.get(key="accept-btn"))
            await wait_idle(h)
            assert h.get(key="receive-error").value == "Deze credential staat al in je wallet."
            assert h.client.errors == []
        with Wallet.open(loopback_config.vault_dir, PIN) as wallet:
            assert len(wallet.credentials()) == 1

    run(scenario)


def test_receive_by_scanning_a_qr_picture(
    issuer: BackgroundServer, loopback_config: AppConfig
) -> None:
    make_wallet(loopback_config, [])
    offer = make_offer(issuer, ["mc-zorgtechnologie"])
    picture = qr.encode_png(offer["offer_link"])
    blank = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(blank, format="PNG")

    async def scenario() -> None:
        async with AppHarness(make_main(loopback_config)) as h:
            await unlock(h)
            await h.click(h.get(key="add-btn"))
            await h.wait_for(lambda: h.has(key="offer-input"), what="receive")
            assert h.get(key="scan-image-btn").content == "Scan a QR code from a picture"

            h.client.picked_files = [("blank.png", blank.getvalue())]
            await h.click(h.get(key="scan-image-btn"))
            await h.wait_for(lambda: h.get(key="receive-error").value != "", what="no code")
            assert h.get(key="receive-error").value.startswith("No QR code found")

            h.client.picked_files = [("not-a-picture.png", b"\x89PNG broken")]
            await h.click(h.get(key="scan-image-btn"))
            await h.wait_for(lambda: "No QR" not in h.get(key="receive-error").value, what="err")
            assert h.get(key="receive-error").value != ""

            h.client.picked_files = []  # cancelled: nothing happens
            await h.click(h.get(key="scan-image-btn"))

            h.client.picked_files = [("offer.png", picture)]
            await h.click(h.get(key="scan-image-btn"))
            await h.wait_for(lambda: h.get(key="preview-issuer").value != "", what="preview")
            assert h.get(key="offer-input").value == offer["offer_link"]
            assert h.client.errors == []

    run(scenario)


def test_an_offer_link_in_the_start_address_waits_for_the_unlock(
    issuer: BackgroundServer, loopback_config: AppConfig
) -> None:
    make_wallet(loopback_config, [])
    offer = make_offer(issuer, ["mc-zorgtechnologie"])
    route = "/?" + urlencode({"offer": offer["offer_link"]})

    async def scenario() -> None:
        async with AppHarness(make_main(loopback_config), route=route) as h:
            assert h.has(key="unlock-btn")  # nothing happens before the PIN
            await h.type_text(h.get(key="pin-input"), PIN)
            await h.click(h.get(key="unlock-btn"))
            await h.wait_for(lambda: h.has(key="offer-input"), what="receive")
            assert h.get(key="offer-input").value == offer["offer_link"]
            await h.click(h.get(key="continue-btn"))
            await h.wait_for(lambda: h.get(key="preview-issuer").value != "", what="preview")
            # Only once: back home, Add opens an empty field.
            await h.click(h.get(key="back-btn"))
            await h.wait_for(lambda: h.has(key="add-btn"), what="home")
            await h.click(h.get(key="add-btn"))
            await h.wait_for(lambda: h.has(key="offer-input"), what="receive")
            assert h.get(key="offer-input").value == ""
            assert h.client.errors == []

    run(scenario)


def log_in_at(url: str, *, deny: bool = False) -> httpx.Response:
    """What the student does in the institution's tab: log in (or refuse), get redirected."""
    return httpx.get(log_in(url, deny=deny), timeout=10)  # our loopback /callback


def test_receive_with_a_login_at_the_institution(
    issuer: BackgroundServer, loopback_config: AppConfig
) -> None:
    make_wallet(loopback_config, [])
    first = make_offer(issuer, ["mc-zorgtechnologie"], grant="authorization_code")
    second = make_offer(issuer, ["mc-zorgtechnologie"], grant="authorization_code")

    async def scenario() -> None:
        async with AppHarness(make_main(loopback_config), languages=["nl-NL"]) as h:
            await unlock(h)
            await h.click(h.get(key="add-btn"))
            await h.wait_for(lambda: h.has(key="offer-input"), what="receive")

            # Stop waiting: nothing changes, the offer can be tried again.
            await h.type_text(h.get(key="offer-input"), first["offer_link"])
            await h.click(h.get(key="continue-btn"))
            await h.wait_for(lambda: h.get(key="preview-issuer").value != "", what="preview")
            assert h.get(key="accept-btn").content == "Inloggen bij de instelling"
            accept = asyncio.create_task(h.click(h.get(key="accept-btn")))
            await h.wait_for(lambda: bool(h.client.launched_urls), what="login tab")
            assert h.get(key="login-url").value == h.client.launched_urls[0]
            await h.fire(h.page, "app_lifecycle_state_change", {"state": "hide"})
            assert h.has(key="accept-btn")  # the other tab being in front does not lock
            await h.click(h.get(key="stop-login-btn"))
            await accept
            assert not h.get(key="stop-login-box").visible
            assert not h.get(key="accept-btn").disabled

            # Log in for real: the redirect reaches the loopback /callback, and the
            # credential is fetched and shown.
            h.client.launched_urls.clear()
            accept = asyncio.create_task(h.click(h.get(key="accept-btn")))
            await h.wait_for(lambda: bool(h.client.launched_urls), what="login tab")
            url = h.client.launched_urls[0]
            assert "request_uri=" in url
            tab = await asyncio.to_thread(log_in_at, url)
            assert tab.status_code == 200 and "Ingelogd" in tab.text
            await accept
            await h.wait_for(lambda: h.has(key="detail-title"), timeout=30, what="detail")
            assert h.get(key="detail-title").value == "Zorgtechnologie in de praktijk"
            assert h.client.errors == []

            # A refused login (the student says no) is explained, not crashed on.
            await h.click(h.get(key="back-btn"))
            await h.wait_for(lambda: h.has(key="add-btn"), what="home")
            await h.click(h.get(key="add-btn"))
            await h.wait_for(lambda: h.has(key="offer-input"), what="receive")
            await h.type_text(h.get(key="offer-input"), second["offer_link"])
            await h.click(h.get(key="continue-btn"))
            await h.wait_for(lambda: h.get(key="preview-issuer").value != "", what="preview")
            h.client.launched_urls.clear()
            accept = asyncio.create_task(h.click(h.get(key="accept-btn")))
            await h.wait_for(lambda: bool(h.client.launched_urls), what="login tab")
            await asyncio.to_thread(log_in_at, h.client.launched_urls[0], deny=True)
            await accept
            assert h.get(key="receive-error").value.startswith("Je hebt bij de instelling geen")
            assert not h.get(key="stop-login-box").visible
            assert h.client.errors == []

    run(scenario)
    with Wallet.open(loopback_config.vault_dir, PIN) as wallet:
        assert len(wallet.credentials()) == 1
