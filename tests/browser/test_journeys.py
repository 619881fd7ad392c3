"""The student's journeys in Chromium, against the real demo issuer and verifier.

set-up -> receive (offer link pasted) -> detail -> share with the verifier page (request
pasted) -> the page says verified; then offline QR, activity and settings. And: a backup
downloaded from one wallet and restored into a fresh one through the file chooser.

The demo services run in this process on loopback; the app runs as its own process
(``python -m app``), with the test-only switches that let it talk plain http to them and
trust the verifier's generated CA. Screenshots of each main screen are kept (and, from
scripts/screenshots, copied to docs/screenshots for the README).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from demo_services.issuer.client import DemoIssuerClient
from demo_services.serving import BackgroundServer
from wallet_core import KdfParams, VaultBusyError, Wallet

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright Python package is not installed"
)

from pages import TIMEOUT_MS, open_page, sel, snapshot, type_into, unlock  # noqa: E402

PIN = "482916"
PASSPHRASE = "correct horse battery"
CREDENTIAL = "mc-circulair-ontwerpen"
TITLE = "Circulair ontwerpen in de bouw"


def new_offer(issuer: BackgroundServer) -> str:
    with httpx.Client(timeout=10) as http:
        return str(DemoIssuerClient(issuer.base_url, http).create_offer([CREDENTIAL])["offer_link"])


def text(page: Any, value: str) -> Any:
    return page.locator("flt-semantics").get_by_text(value, exact=False).first


def test_set_up_receive_detail_and_share_with_the_verifier_page(
    browser: Any,
    start_app: Callable[..., Any],
    artifacts_dir: Path,
    issuer_server: BackgroundServer,
    verifier_server: BackgroundServer,
    demo_env: dict[str, str],
) -> None:
    app = start_app(env=demo_env)
    with open_page(browser, app.url, artifacts_dir, "journey") as page:
        _set_up(page, artifacts_dir)
        _receive(page, artifacts_dir, issuer_server)
        _detail_and_offline_qr(page, artifacts_dir)
        _share_with_the_verifier_page(page, artifacts_dir, verifier_server)
        _activity_and_settings(page, artifacts_dir)
    assert "Traceback" not in app.log()


def _set_up(page: Any, artifacts_dir: Path) -> None:
    """The welcome explains the wallet; a PIN twice."""
    page.locator(sel("create-btn")).wait_for()
    text(page, "eduwallet keeps your diplomas").wait_for()
    snapshot(page, artifacts_dir, "welcome")
    type_into(page, "pin-input", PIN)
    type_into(page, "pin-confirm-input", PIN)
    page.locator(sel("create-btn")).click()
    page.locator(sel("home-empty")).wait_for()


def _receive(page: Any, artifacts_dir: Path, issuer: BackgroundServer) -> None:
    """Paste the institution's offer link, check the preview, add."""
    page.locator(sel("add-btn")).click()
    type_into(page, "offer-input", new_offer(issuer))
    page.locator(sel("continue-btn")).click()
    page.locator(sel("accept-btn")).wait_for()
    text(page, "Hogeschool Demo").wait_for()
    snapshot(page, artifacts_dir, "receive")
    page.locator(sel("accept-btn")).click()


def _detail_and_offline_qr(page: Any, artifacts_dir: Path) -> None:
    """The microcredential's facts at a glance; then chosen claims as a QR with its
    countdown; then back home."""
    page.locator(sel("show-as-qr-btn")).wait_for()
    text(page, TITLE).wait_for()
    text(page, "EQF").wait_for()
    snapshot(page, artifacts_dir, "detail")

    page.locator(sel("show-as-qr-btn")).click()
    # title, institution, study load and level are on at first; the rest stays home
    page.locator(sel("qr-claim-notionalWorkload")).click()  # ... the study load too, now
    page.locator(sel("show-qr-btn")).click()
    page.locator(sel("hide-qr-btn")).wait_for()
    snapshot(page, artifacts_dir, "offline-qr")
    page.locator(sel("hide-qr-btn")).click()
    page.locator(sel("back-btn")).click()
    page.locator(sel("show-as-qr-btn")).wait_for()
    page.locator(sel("back-btn")).click()
    page.locator('[flt-semantics-identifier^="cred-"]').first.wait_for()
    snapshot(page, artifacts_dir, "home")


def _share_with_the_verifier_page(
    page: Any, artifacts_dir: Path, verifier_server: BackgroundServer
) -> None:
    """The employer's page shows a request; paste it into the wallet; the page verifies."""
    expect = sync_api.expect
    verifier_url = verifier_server.app.state.public_url  # type: ignore[attr-defined]
    employer = page.context.new_page()
    employer.set_default_timeout(TIMEOUT_MS)
    employer.goto(verifier_url + "/", wait_until="load")
    link = employer.locator("textarea#link").input_value()
    assert link.startswith("openid4vp://")

    page.bring_to_front()
    page.locator(sel("present-btn")).click()
    type_into(page, "request-input", link)
    page.locator(sel("continue-btn")).click()
    page.locator(sel("confirm-btn")).wait_for()
    page.locator(sel("verifier-trust")).wait_for()
    snapshot(page, artifacts_dir, "present")
    page.locator(sel("confirm-btn")).click()
    page.locator(sel("done-btn")).wait_for()
    snapshot(page, artifacts_dir, "present-done")

    result = employer.frame_locator("iframe[title*='result']")
    expect(result.locator(".badge")).to_have_text("Geverifieerd", timeout=TIMEOUT_MS)
    expect(result.locator("body")).to_contain_text(TITLE)
    employer.screenshot(path=str(artifacts_dir / "verifier-verified.png"), full_page=True)
    employer.close()


def _activity_and_settings(page: Any, artifacts_dir: Path) -> None:
    """From the share's last step: home, the activity log shows the share; settings."""
    page.locator(sel("done-btn")).click()
    page.locator(sel("present-btn")).wait_for()  # home again
    page.locator(sel("activity-btn")).click()
    text(page, "Credential shared").wait_for()
    snapshot(page, artifacts_dir, "activity")
    page.locator(sel("back-btn")).click()
    page.locator(sel("settings-btn")).click()
    page.locator(sel("idle-lock-select")).wait_for()
    snapshot(page, artifacts_dir, "settings")


def test_backup_downloaded_and_restored_into_a_fresh_wallet(
    browser: Any,
    start_app: Callable[..., Any],
    artifacts_dir: Path,
    tmp_path: Path,
    issuer_server: BackgroundServer,
    demo_env: dict[str, str],
) -> None:
    source_dir = tmp_path / "source"
    with Wallet.create(
        source_dir / "wallet", PIN, kdf=KdfParams.fast_for_tests(), allow_http_loopback=True
    ) as wallet:
        wallet.accept_offer(wallet.parse_offer(new_offer(issuer_server)))
    source = start_app(env=demo_env, data_dir=source_dir)
    with open_page(browser, source.url, artifacts_dir, "backup") as page:
        unlock(page, PIN)
        page.locator(sel("settings-btn")).click()
        type_into(page, "backup-passphrase-input", PASSPHRASE)
        type_into(page, "backup-passphrase-repeat-input", PASSPHRASE)
        with page.expect_download(timeout=60_000) as download:  # the backup KDF, under load
            page.locator(sel("export-backup-btn")).click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
    assert saved.name.endswith(".eduwallet-backup")
    assert saved.read_bytes().startswith(b"EDUWBAK1")

    fresh = start_app(env=demo_env)
    with open_page(browser, fresh.url, artifacts_dir, "restore") as page:
        page.locator(sel("open-restore-btn")).click()
        with page.expect_file_chooser() as chooser:
            page.locator(sel("restore-pick-btn")).click()
        chooser.value.set_files(str(saved))
        text(page, saved.name).wait_for()
        type_into(page, "restore-passphrase-input", PASSPHRASE)
        type_into(page, "restore-pin-input", "735104")
        type_into(page, "restore-pin-repeat-input", "735104")
        snapshot(page, artifacts_dir, "restore")
        page.locator(sel("restore-btn")).click()
        card = page.locator('[flt-semantics-identifier^="cred-"]').first
        card.wait_for()
        # With a logo, the card's texts become the accessible name of a node inside it.
        shown = card.evaluate(
            "n => [n, ...n.querySelectorAll('*')]"
            ".map(e => (e.getAttribute('aria-label') || '') + e.textContent).join(' ')"
        )
        assert TITLE in shown

    # The closed tab makes the app lock (and release) the wallet, a moment later.
    deadline = time.monotonic() + 10
    while True:
        try:
            restored = Wallet.open(fresh.data_dir / "wallet", "735104")
            break
        except VaultBusyError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    with restored:
        assert [c.title for c in restored.credentials()] == [TITLE]
    assert "Traceback" not in source.log() + fresh.log()
