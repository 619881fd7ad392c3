"""Moving around in Chromium: Back and Forward between screens, a reload that comes back
to the same screen, and a tab switch in the middle of receiving a credential."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from demo_services.issuer.client import DemoIssuerClient
from demo_services.serving import BackgroundServer
from wallet_core import KdfParams, Wallet

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")

from pages import assert_no_error_bar, load, open_page, sel, type_into, unlock  # noqa: E402

PIN = "482916"
CREDENTIAL = "mc-circulair-ontwerpen"
TITLE = "Circulair ontwerpen in de bouw"
ANOTHER = "mc-data-analyse-python"
LOOPBACK = {"EDUWALLET_TEST_ALLOW_HTTP_LOOPBACK": "1"}
CARD = '[flt-semantics-identifier^="cred-"]'

# Flutter reads the page's visibility on "visibilitychange": what a switch to another tab
# looks like to the app (headless Chromium has no second window to switch to).
SET_VISIBILITY = """hidden => {
    Object.defineProperty(document, 'visibilityState', {
        configurable: true, get: () => hidden ? 'hidden' : 'visible'});
    Object.defineProperty(document, 'hidden', {configurable: true, get: () => hidden});
    document.dispatchEvent(new Event('visibilitychange'));
}"""


def offer(
    issuer: BackgroundServer, credential: str = CREDENTIAL, *, tx_code: bool = False
) -> dict[str, Any]:
    with httpx.Client(timeout=10) as http:
        return DemoIssuerClient(issuer.base_url, http).create_offer([credential], tx_code=tx_code)


def wallet_with_one_credential(
    data_dir: Path, issuer: BackgroundServer, settings: dict[str, Any] | None = None
) -> str:
    with Wallet.create(
        data_dir / "wallet", PIN, kdf=KdfParams.fast_for_tests(), allow_http_loopback=True
    ) as wallet:
        [stored] = wallet.accept_offer(wallet.parse_offer(offer(issuer)["offer_link"]))
        for name, value in (settings or {}).items():
            wallet.set_setting(name, value)
        return str(stored.id)


def path(page: Any) -> str:
    return "/" + page.url.split("/", 3)[3]


def test_back_forward_and_reload_move_between_screens(
    browser: Any,
    start_app: Callable[..., Any],
    artifacts_dir: Path,
    tmp_path: Path,
    issuer_server: BackgroundServer,
) -> None:
    cid = wallet_with_one_credential(tmp_path / "nav", issuer_server)
    app = start_app(env=LOOPBACK, data_dir=tmp_path / "nav")
    with open_page(browser, app.url, artifacts_dir, "navigation") as page:
        unlock(page, PIN)
        page.locator(CARD).first.click()
        page.locator(sel("show-as-qr-btn")).wait_for()
        assert path(page) == f"/credential/{cid}"
        page.locator(sel("show-as-qr-btn")).click()
        page.locator(sel("show-qr-btn")).wait_for()
        assert path(page) == f"/credential/{cid}/qr"
        assert_no_error_bar(page)

        page.go_back()  # the browser's Back: the detail again, still in the app
        page.locator(sel("show-as-qr-btn")).wait_for()
        assert path(page) == f"/credential/{cid}"
        page.go_back()
        page.locator(sel("present-btn")).wait_for()  # home
        assert path(page) == "/"
        page.go_forward()
        page.locator(sel("show-as-qr-btn")).wait_for()
        assert_no_error_bar(page)

        # A reload locks; after the PIN the tab is where it was.
        load(page)
        page.locator(sel("unlock-btn")).wait_for()
        assert path(page) == f"/credential/{cid}"
        unlock(page, PIN)
        page.locator(sel("show-as-qr-btn")).wait_for()

        # The app's own back arrow, then Settings and Activity have addresses of their own.
        page.locator(sel("back-btn")).click()
        page.locator(sel("settings-btn")).click()
        page.locator(sel("idle-lock-select")).wait_for()
        assert path(page) == "/settings"
        page.go_back()
        page.locator(sel("activity-btn")).click()
        page.locator(sel("activity-filter-all")).wait_for()
        assert path(page) == "/activity"
        assert_no_error_bar(page)
    assert "Traceback" not in app.log()


def start_receiving(page: Any, issuer: BackgroundServer) -> None:
    """Paste an offer that needs a code, reach its preview, type the code."""
    made = offer(issuer, ANOTHER, tx_code=True)  # the one held already would be refused
    page.locator(sel("add-btn")).click()
    type_into(page, "offer-input", made["offer_link"])
    page.locator(sel("continue-btn")).click()
    page.locator(sel("accept-btn")).wait_for()
    type_into(page, "tx-code-input", made["tx_code"])
    assert_no_error_bar(page)


def test_a_tab_switch_keeps_the_receive_in_progress(
    browser: Any,
    start_app: Callable[..., Any],
    artifacts_dir: Path,
    tmp_path: Path,
    issuer_server: BackgroundServer,
) -> None:
    # Within the grace period (default one minute) nothing locks.
    wallet_with_one_credential(tmp_path / "grace", issuer_server)
    app = start_app(env=LOOPBACK, data_dir=tmp_path / "grace")
    with open_page(browser, app.url, artifacts_dir, "tab-switch") as page:
        unlock(page, PIN)
        start_receiving(page, issuer_server)
        page.evaluate(SET_VISIBILITY, True)  # off to the institution's tab ...
        page.wait_for_timeout(3_000)  # (the app's hidden-lock check runs every second)
        page.evaluate(SET_VISIBILITY, False)  # ... and back
        page.wait_for_timeout(1_500)
        assert page.locator(sel("unlock-btn")).count() == 0
        page.locator(sel("accept-btn")).click()
        page.locator(sel("show-as-qr-btn")).wait_for()  # received
    assert "locking: hidden" not in app.log()
    assert "Traceback" not in app.log()


def test_a_lock_while_hidden_gives_the_receive_back_after_unlocking(
    browser: Any,
    start_app: Callable[..., Any],
    artifacts_dir: Path,
    tmp_path: Path,
    issuer_server: BackgroundServer,
) -> None:
    # "Lock at once when hidden": the switch locks, and the offer and code come back.
    wallet_with_one_credential(tmp_path / "now", issuer_server, {"hidden_lock_seconds": 0})
    app = start_app(env=LOOPBACK, data_dir=tmp_path / "now")
    with open_page(browser, app.url, artifacts_dir, "tab-switch-lock") as page:
        unlock(page, PIN)
        start_receiving(page, issuer_server)
        page.evaluate(SET_VISIBILITY, True)
        # (a hidden page paints nothing: look once it is back; the server saw both in order)
        page.evaluate(SET_VISIBILITY, False)
        page.locator(sel("unlock-btn")).wait_for()
        assert page.locator(sel("accept-btn")).count() == 0  # nothing of it shows while locked
        assert path(page) == "/receive"
        unlock(page, PIN)
        page.locator(sel("accept-btn")).wait_for()
        assert_no_error_bar(page)
        # The code typed before the lock is still there: without it there is no credential.
        page.locator(sel("accept-btn")).click()
        page.locator(sel("show-as-qr-btn")).wait_for()
        page.locator(sel("back-btn")).click()
        page.locator(CARD).nth(1).wait_for()  # the new credential beside the first
    assert "Traceback" not in app.log()
