"""The demo verifier's check page in Debian chromium: the QR code is read from a screenshot,
the real ``Wallet`` answers it, and the page's result area then shows the verified values.

The demo issuer and verifier run in this process on free loopback ports (as in
tests/demo_services); only the page goes through the browser. The verifier's pages have no
scripts: the result area is an iframe that reloads itself every two seconds until the
transaction is finished, so the test just waits for the frame's text to change.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import PIN

from demo_services.issuer.client import DemoIssuerClient
from demo_services.serving import BackgroundServer
from demo_services.verifier import root_certificate
from wallet_core import Choice, KdfParams, Wallet, qr

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright Python package is not installed"
)

CREDENTIAL = "mc-circulair-ontwerpen"  # 5 ECTS, EQF 6, grade 8,0
TITLE = "Circulair ontwerpen in de bouw"
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10.0, follow_redirects=False) as client:
        yield client


@pytest.fixture
def wallet(
    tmp_path: Path,
    issuer_server: BackgroundServer,
    verifier_server: BackgroundServer,
    http: httpx.Client,
) -> Iterator[tuple[Wallet, str]]:
    """A wallet trusting the verifier's CA, holding one microcredential from the issuer."""
    anchor = root_certificate(verifier_server.app)
    assert anchor is not None
    with Wallet.create(
        tmp_path / "wallet",
        PIN,
        kdf=KdfParams.fast_for_tests(),
        allow_http_loopback=True,
        verifier_trust_anchors=[anchor],
    ) as opened:
        offer = DemoIssuerClient(issuer_server.base_url, http).create_offer([CREDENTIAL])
        [stored] = opened.accept_offer(opened.parse_offer(offer["offer_link"]))
        yield opened, stored.id


@contextlib.contextmanager
def open_page(browser: Any, url: str, artifacts: Path, name: str) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(url, wait_until="load")  # "load" waits for the QR <img> as well
        yield page
    except BaseException:
        with contextlib.suppress(Exception):
            page.screenshot(path=str(artifacts / f"{name}-failure.png"), full_page=True)
        raise
    finally:
        context.close()


def test_verifier_page_qr_answered_by_the_wallet_shows_verified(
    browser: Any,
    artifacts_dir: Path,
    verifier_server: BackgroundServer,
    wallet: tuple[Wallet, str],
) -> None:
    expect = sync_api.expect
    holder, credential_id = wallet
    verifier_url: str = verifier_server.app.state.public_url  # type: ignore[attr-defined]

    with open_page(browser, verifier_url + "/", artifacts_dir, "verifier-page") as page:
        qr_image = page.locator("img[alt*='QR']")
        expect(qr_image).to_be_visible()
        assert qr_image.evaluate("img => img.complete && img.naturalWidth > 0")
        result = page.frame_locator("iframe[title*='result']")
        expect(result.locator(".badge")).to_have_text("Wachten op de wallet…")

        # The QR code as a phone would see it: from the pixels, not from the HTML.
        before = artifacts_dir / "verifier-page-qr.png"
        png = page.screenshot(path=str(before), full_page=True)
        links = qr.decode_image(png)
        assert len(links) == 1, links  # one QR on the page: the cross-device request
        [link] = links
        assert link.startswith("openid4vp://"), link
        assert "client_id=x509_hash" in link, link
        # The same link the page prints under the QR code for copying.
        assert link == page.locator("textarea#link").input_value()

        request = holder.parse_presentation_request(link)
        assert request.verifier.verified
        [candidate] = holder.match(request).candidates("microcredential")
        assert candidate.required_claims, candidate
        chosen = list(candidate.required_claims)
        answer = holder.present(request, {"microcredential": Choice(credential_id, chosen)})
        assert answer.ok, answer.verifier_response
        assert answer.redirect_uri is None  # cross-device: the wallet is not sent anywhere

        # The iframe reloads itself (meta refresh, every 2 s) until the result is final.
        badge = result.locator(".badge")
        expect(badge).to_have_text("Geverifieerd", timeout=TIMEOUT_MS)
        expect(badge).to_have_class("badge ok")
        body = result.locator("body")
        expect(body).to_contain_text("Verified")
        expect(body).to_contain_text(TITLE)
        expect(body).to_contain_text("5 ECTS")
        expect(body).to_contain_text("EQF 6")
        expect(body).to_contain_text("Hogeschool Demo")
        expect(body).to_contain_text("8,0")  # the grade: the first claim set has it
        page.screenshot(path=str(artifacts_dir / "verifier-page-verified.png"), full_page=True)

        # Only what was asked for and chosen went out.
        table = result.locator("table").inner_text()
        assert "niet gevraagd" not in table, table
