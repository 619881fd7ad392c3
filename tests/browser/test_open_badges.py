"""Open Badges in Chromium, the issue's acceptance journey.

A badge picture downloaded elsewhere (an OB 3.0 ``ldp_vc`` baked into a PNG, signed by a
did:jwk issuer) is added through "Add from a file" and the browser's file chooser: its card
is on home and its detail reads as a badge (achievement name and facts, no JSON). An
imported badge is bound to no key of this wallet, so what is shared with the demo employer's
Open Badge request is a badge received from the demo institution (``jwt_vc_json``); the
employer's page then says verified. And an Open Badge 2.0 is added by its link, hosted on a
loopback server.

The demo services run in this process on loopback (the session fixtures of conftest.py);
the app runs as its own process with the test-only switches for plain http on loopback and
the verifier's CA. Every step waits on what the screen shows, never on the clock.
"""

from __future__ import annotations

import io
import json
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import ob3_badge
from loopback import LoopbackServer
from PIL import Image

from demo_services.issuer.client import DemoIssuerClient
from demo_services.serving import BackgroundServer
from wallet_core.crypto import did_jwk, generate
from wallet_core.formats import baked, data_integrity

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright Python package is not installed"
)

from pages import FOCUS_IN, TIMEOUT_MS, open_page, sel, snapshot, type_into  # noqa: E402

PIN = "482916"
ISSUER_KEY = generate("EdDSA")
ISSUER_DID = did_jwk(ISSUER_KEY.public_jwk)
BADGE = "Data-analyse met Python"
RECEIVED = "ob3-circulair-ontwerpen-jwt"
RECEIVED_TITLE = "Circulair ontwerpen in de bouw"
# What the detail's main view must not show: JSON, DIDs, IRIs.
TECHNICAL = re.compile(r"[{}\[\]]|\"@context|did:jwk|urn:uuid|https?://")
CARDS = '[flt-semantics-identifier^="cred-"]'
# Every text the accessibility DOM holds: labels and contents.
SCREEN_TEXT = """() => [...document.querySelectorAll('flt-semantics')]
    .map(n => (n.getAttribute('aria-label') || '') + ' ' + (n.textContent || '')).join('\\n')
"""


def baked_badge(folder: Path) -> Path:
    """A badge picture as a student downloads it: an OB 3.0 JSON-LD credential with an
    eddsa-rdfc-2022 proof (only OB 3.0 terms, so all of it is signed) inside a PNG."""
    credential = ob3_badge(ISSUER_DID, id=f"urn:uuid:{uuid.uuid4()}", name=BADGE)
    credential["credentialSubject"]["achievement"].update(
        name=BADGE,
        achievementType="MicroCredential",
        creditsAvailable=3,
        description="Je leert data **analyseren** met Python.",
        criteria={"narrative": "Eindopdracht met een eigen dataset."},
    )
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    signed = data_integrity.add_proof(
        credential, ISSUER_KEY, verification_method=f"{ISSUER_DID}#0", created=created
    )
    picture = io.BytesIO()
    Image.new("RGB", (96, 96), (30, 110, 200)).save(picture, "PNG")
    path = folder / "data-analyse-badge.png"
    path.write_bytes(baked.bake_png(picture.getvalue(), json.dumps(signed)))
    return path


def text(page: Any, value: str) -> Any:
    return page.locator("flt-semantics").get_by_text(value, exact=False).first


def card(page: Any, title: str) -> Any:
    """The home card whose texts (or a node inside it, with a picture) name ``title``."""
    cards = page.locator(CARDS)
    by_text = cards.filter(has_text=title)
    return by_text.or_(cards.filter(has=page.locator(f'[aria-label*="{title}"]'))).first


def set_up(page: Any) -> None:
    page.locator(sel("create-btn")).wait_for()
    type_into(page, "pin-input", PIN)
    type_into(page, "pin-confirm-input", PIN)
    page.locator(sel("create-btn")).click()
    page.locator(sel("home-empty")).wait_for()


def test_a_baked_badge_is_imported_read_and_a_received_badge_is_verified_by_the_employer(
    browser: Any,
    start_app: Callable[..., Any],
    artifacts_dir: Path,
    tmp_path: Path,
    issuer_server: BackgroundServer,
    verifier_server: BackgroundServer,
    demo_env: dict[str, str],
) -> None:
    picture = baked_badge(tmp_path)
    app = start_app(env=demo_env)
    with open_page(browser, app.url, artifacts_dir, "open-badges") as page:
        set_up(page)
        _import_the_picture(page, artifacts_dir, picture)
        _read_the_detail(page, artifacts_dir)
        _receive_a_badge(page, issuer_server)
        _share_with_the_employer(page, artifacts_dir, verifier_server)
    assert "Traceback" not in app.log()


def _import_the_picture(page: Any, artifacts_dir: Path, picture: Path) -> None:
    """Home -> Add from a file -> the browser's file chooser -> the badge's detail."""
    page.locator(sel("add-file-btn")).click()
    page.locator(sel("import-choose-btn")).wait_for()
    snapshot(page, artifacts_dir, "import")
    with page.expect_file_chooser() as chooser:
        page.locator(sel("import-choose-btn")).click()
    chooser.value.set_files(str(picture))
    page.locator(sel("delete-btn")).wait_for(timeout=60_000)  # proof checked under load


def _read_the_detail(page: Any, artifacts_dir: Path) -> None:
    """The achievement's name and facts in words; no JSON, DID or IRI; then its card."""
    text(page, BADGE).wait_for()
    for fact in ("Microcredential", "Hogeschool Demo", "Study load", "Eindopdracht"):
        text(page, fact).wait_for()
    shown = page.evaluate(SCREEN_TEXT)
    assert BADGE in shown
    assert not TECHNICAL.search(shown), TECHNICAL.search(shown)
    snapshot(page, artifacts_dir, "badge-detail")

    page.locator(sel("back-btn")).click()
    card(page, BADGE).wait_for()
    snapshot(page, artifacts_dir, "badge-home")


def _receive_a_badge(page: Any, issuer: BackgroundServer) -> None:
    """The demo institution's edubadge, bound to this wallet's key, as a student gets it."""
    with httpx.Client(timeout=10) as http:
        offer = DemoIssuerClient(issuer.base_url, http).create_offer([RECEIVED])["offer_link"]
    page.locator(sel("add-btn")).click()
    type_into(page, "offer-input", str(offer))
    page.locator(sel("continue-btn")).click()
    page.locator(sel("accept-btn")).wait_for(timeout=60_000)
    page.locator(sel("accept-btn")).click()
    page.locator(sel("delete-btn")).wait_for(timeout=60_000)  # its detail
    text(page, RECEIVED_TITLE).wait_for()
    page.locator(sel("back-btn")).click()
    card(page, RECEIVED_TITLE).wait_for()
    card(page, BADGE).wait_for()


def _share_with_the_employer(
    page: Any, artifacts_dir: Path, verifier_server: BackgroundServer
) -> None:
    """The employer's page asks for an Open Badge (VC-JWT, so the imported JSON-LD badge is
    no candidate); the request is pasted into the wallet; the page says verified."""
    expect = sync_api.expect
    verifier_url = verifier_server.app.state.public_url  # type: ignore[attr-defined]
    employer = page.context.new_page()
    employer.set_default_timeout(TIMEOUT_MS)
    employer.goto(verifier_url + "/?query=openbadge_jwt", wait_until="load")
    link = employer.locator("textarea#link").input_value()
    assert link.startswith("openid4vp://")
    result = employer.frame_locator("iframe[title*='result']")
    expect(result.locator(".badge")).to_have_text("Wachten op de wallet…")

    page.bring_to_front()
    page.locator(sel("present-btn")).click()
    type_into(page, "request-input", link)
    page.locator(sel("continue-btn")).click()
    page.locator(sel("confirm-btn")).wait_for(timeout=60_000)
    text(page, RECEIVED_TITLE).wait_for()
    snapshot(page, artifacts_dir, "badge-present")
    page.locator(sel("confirm-btn")).click()
    page.locator(sel("done-btn")).wait_for(timeout=60_000)

    # The result frame reloads itself every two seconds until the answer is in.
    expect(result.locator(".badge")).to_have_text("Geverifieerd", timeout=30_000)
    expect(result.locator("body")).to_contain_text(RECEIVED_TITLE)
    employer.screenshot(path=str(artifacts_dir / "badge-verifier-verified.png"), full_page=True)
    employer.close()


def test_an_open_badge_2_is_added_by_its_link(
    browser: Any,
    start_app: Callable[..., Any],
    artifacts_dir: Path,
    server: LoopbackServer,
) -> None:
    """A link that is no address is refused on the screen; a hosted OB 2.0 assertion on
    loopback is fetched, checked and opened."""
    base = server.base
    issuer = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Issuer",
        "id": f"{base}/public/issuers/hs",
        "name": "Hogeschool Demo",
        "url": "https://hs.example",
    }
    badge_class = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "BadgeClass",
        "id": f"{base}/public/badges/circular",
        "name": "Circulair ontwerpen",
        "description": "Ontwerpen **zonder afval**.",
        "criteria": {"narrative": "Eindopdracht gehaald."},
        "issuer": issuer,
    }
    link = f"{base}/public/assertions/a1"
    assertion = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": link,
        "recipient": {"type": "email", "hashed": True, "identity": "sha256$ab12"},
        "badge": badge_class,
        "verification": {"type": "hosted"},
        "issuedOn": "2026-06-30T12:00:00Z",
    }
    server.json("/public/assertions/a1?expand=badge&expand=badge.issuer", assertion)
    server.json("/public/assertions/a1", assertion)

    app = start_app(env={"EDUWALLET_TEST_ALLOW_HTTP_LOOPBACK": "1"})
    with open_page(browser, app.url, artifacts_dir, "open-badge-link") as page:
        set_up(page)
        page.locator(sel("add-file-btn")).click()
        type_into(page, "import-link-input", "mijn badge")
        page.locator(sel("import-link-btn")).click()
        text(page, "This is not a web address").wait_for()
        assert server.requests == []

        page.locator(sel("import-link-input")).click()  # empty it, then the real link
        page.wait_for_function(FOCUS_IN, arg=sel("import-link-input"))
        page.keyboard.press("ControlOrMeta+A")
        page.keyboard.press("Backspace")
        type_into(page, "import-link-input", link)
        page.locator(sel("import-link-btn")).click()
        page.locator(sel("delete-btn")).wait_for(timeout=60_000)
        text(page, "Circulair ontwerpen").wait_for()
        text(page, "Hogeschool Demo").wait_for()
        snapshot(page, artifacts_dir, "badge-ob2-detail")
        page.locator(sel("back-btn")).click()
        card(page, "Circulair ontwerpen").wait_for()
    assert any(path.startswith("/public/assertions/a1") for path in server.requests)
    assert "Traceback" not in app.log()
