"""Show a credential as an offline QR code; the demo verifier reads it."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import flet as ft
import httpx
import pytest
from harness import AppHarness
from helpers import PIN, ob3_badge
from test_ui_home import run, unlock
from test_ui_present import toggle
from ui_verifier import Verifier, issuer, verifiers, wallet_config, wallet_with_credential

from app import i18n
from app.config import AppConfig
from app.session import make_main
from app.views.offline_qr import OfflineQrScreen
from demo_services.serving import BackgroundServer
from wallet_core import Wallet, qr
from wallet_core.crypto import did_jwk, generate, sign_compact

__all__ = ["issuer", "verifiers"]  # fixtures, imported for pytest

SHOWN = ("title", "awardingBody", "notionalWorkload", "level")


def test_show_as_qr_then_it_expires(
    issuer: BackgroundServer,
    verifiers: Callable[[str], Verifier],
    config: AppConfig,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    verifier = verifiers("x509_hash")
    config = wallet_config(config, verifier)
    [credential_id] = wallet_with_credential(config, issuer)
    monkeypatch.setattr(OfflineQrScreen, "LIFETIME", 2)
    png: list[bytes] = []

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            await h.click(h.get(key=f"cred-{credential_id}"))
            await h.wait_for(lambda: h.has(key="show-as-qr-btn"), what="detail")
            await h.click(h.get(key="show-as-qr-btn"))
            await h.wait_for(lambda: h.has(key="qr-claims"), what="qr screen")
            rows = h.get(key="qr-claims").controls
            switches = {row.controls[-1].content.key: row for row in rows}
            labels = [row.controls[0].value for row in rows]
            # the detail screen's order and words; what the credential is, on at first
            assert labels[:4] == [i18n.t(f"detail.fact.{name}", "en") for name in SHOWN]
            assert labels[1] == "Institution"
            on = [key for key, row in switches.items() if row.controls[-1].content.value]
            assert on == [f"qr-claim-{name}" for name in SHOWN]
            assert "qr-claim-grade" in switches and "qr-claim-grade" not in on
            # the switch on the right, as on the share screen
            assert isinstance(rows[0].controls[-1].content, ft.Switch)

            await h.click(h.get(key="qr-none-btn"))
            await h.click(h.get(key="show-qr-btn"))  # nothing chosen
            assert h.get(key="qr-error").value == "Turn on at least one detail first"
            await h.click(h.get(key="qr-all-btn"))
            assert all(h.get(key=key).value for key in switches)
            await h.click(h.get(key="qr-none-btn"))
            assert not any(h.get(key=key).value for key in switches)
            for name in SHOWN:
                await toggle(h, f"qr-claim-{name}", True)
            await h.click(h.get(key="show-qr-btn"))
            await h.wait_for(lambda: h.has(key="qr-image"), timeout=30, what="qr")
            image = h.get(key="qr-image")
            assert isinstance(image.src, bytes) and image.src.startswith(b"\x89PNG")
            png.append(image.src)
            assert h.get(key="qr-countdown").value == "Valid for 0:02"
            assert h.get(key="qr-brightness").value.startswith("Turn your screen brightness up")
            assert "Grade" not in h.get(key="qr-showing").value

            await h.wait_for(lambda: h.get(key="qr-countdown").value == "Valid for 0:01")
            await h.wait_for(lambda: h.get(key="qr-expired").visible, what="expiry")
            assert not h.has(key="qr-image")
            assert h.get(key="show-qr-btn").visible

            await h.click(h.get(key="back-btn"))
            await h.wait_for(lambda: h.has(key="detail-title"), what="detail")
            assert h.client.errors == []

    run(scenario)
    response = httpx.post(
        verifier.url + "/offline", content=png[0], headers={"Content-Type": "image/png"}
    )
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert "grade" not in result["claims"]
    assert result["unrequested_disclosures"] == []


def test_a_scanned_challenge_binds_the_code_to_that_verifier(
    issuer: BackgroundServer, verifiers: Callable[[str], Verifier], config: AppConfig
) -> None:
    verifier = verifiers("x509_hash")
    config = wallet_config(config, verifier)
    [credential_id] = wallet_with_credential(config, issuer)
    page = httpx.get(verifier.url + "/offline", timeout=10).text
    shown = re.search(r"<textarea id='challenge'[^>]*>([^<]+)</textarea>", page)
    assert shown is not None
    challenge_text = html.unescape(shown.group(1))
    png: list[bytes] = []

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            await h.click(h.get(key=f"cred-{credential_id}"))
            await h.wait_for(lambda: h.has(key="show-as-qr-btn"), what="detail")
            await h.click(h.get(key="show-as-qr-btn"))
            await h.wait_for(lambda: h.has(key="qr-claims"), what="qr screen")
            assert h.get(key="qr-challenge").value.startswith("If the verifier shows")

            h.client.picked_files = [("offer.png", qr.encode_png("openid4vp://?x=1"))]
            await h.click(h.get(key="scan-challenge-btn"))
            await h.wait_for(lambda: h.get(key="qr-error").value != "", what="refusal")
            assert h.get(key="qr-error").value == "This QR code is not a verifier's challenge."

            h.client.picked_files = [("challenge.png", qr.encode_png(challenge_text))]
            await h.click(h.get(key="scan-challenge-btn"))
            host = verifier.url.split("//", 1)[1].rstrip("/")
            await h.wait_for(lambda: host in h.get(key="qr-challenge").value, what="bound")
            for name in SHOWN:
                await toggle(h, f"qr-claim-{name}", True)
            await h.click(h.get(key="show-qr-btn"))
            await h.wait_for(lambda: h.has(key="qr-image"), timeout=30, what="qr")
            png.append(h.get(key="qr-image").src)
            assert h.client.errors == []

    run(scenario)
    response = httpx.post(
        verifier.url + "/offline", content=png[0], headers={"Content-Type": "image/png"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["challenged"] is True


def test_a_badge_is_shown_whole_and_one_too_large_says_so(
    issuer: BackgroundServer, config: AppConfig
) -> None:
    """A W3C credential has nothing to pick: its code holds all of it, or the app says
    plainly that it does not fit (never an unscannable code). The demo institution's badge,
    a VC-JWT inside the holder's VP JWT, is already too large, as real edubadges are."""
    [large_id] = wallet_with_credential(config, issuer, ["ob3-circulair-ontwerpen-jwt"])
    small_id = _import_small_badge(config)

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            for credential_id, fits in ((small_id, True), (large_id, False)):
                await h.click(h.get(key=f"cred-{credential_id}"))
                await h.wait_for(lambda: h.has(key="show-as-qr-btn"), what="detail")
                await h.click(h.get(key="show-as-qr-btn"))
                await h.wait_for(lambda: h.has(key="show-qr-btn"), what="qr screen")
                assert h.get(key="qr-claims").controls == []
                await h.click(h.get(key="show-qr-btn"))
                if fits:
                    await h.wait_for(lambda: h.has(key="qr-image"), timeout=30, what="qr")
                    assert h.get(key="qr-showing").value == "Shows: the whole credential"
                    await h.click(h.get(key="hide-qr-btn"))
                else:
                    await h.wait_for(lambda: bool(h.get(key="qr-error").value), what="error")
                    assert h.get(key="qr-error").value.startswith("This credential is too large")
                    assert not h.has(key="qr-image")
                await h.click(h.get(key="back-btn"))
                await h.wait_for(lambda: h.has(key="detail-title"), what="detail")
                await h.click(h.get(key="back-btn"))
                await h.wait_for(lambda: h.has(key="credential-list"), what="home")
            assert h.client.errors == []

    run(scenario)


def _import_small_badge(config: AppConfig) -> str:
    """A minimal badge as a VC-JWT, imported (so unbound: its code is the VC itself)."""
    signer = generate("EdDSA")
    did = did_jwk(signer.public_jwk)
    payload = {**ob3_badge(did), "iss": did, "sub": "did:example:student"}
    token = sign_compact({"typ": "vc+jwt", "kid": f"{did}#0"}, payload, signer)
    with Wallet.open(config.vault_dir, PIN) as wallet:
        return wallet.import_credential(token).id
