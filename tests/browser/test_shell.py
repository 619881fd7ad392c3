"""The app shell in a real browser: create a PIN, reach home, reload, unlock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from wallet_core import KdfParams, Wallet

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")

from pages import load, open_page, sel, settle_paint, snapshot, type_into, unlock  # noqa: E402

PIN = "482916"


def test_create_pin_reaches_home_and_reload_asks_to_unlock(
    browser: Any, start_app: Callable[[], Any], artifacts_dir: Path
) -> None:
    app = start_app()
    with open_page(browser, app.url, artifacts_dir, "create") as page:
        page.locator(sel("create-btn")).wait_for()
        type_into(page, "pin-input", PIN)
        type_into(page, "pin-confirm-input", PIN)
        page.locator(sel("create-btn")).click()

        page.locator(sel("home-empty")).wait_for()
        assert page.locator("flt-semantics").get_by_text("No credentials yet").count() >= 1
        assert Wallet.exists(app.data_dir / "wallet")
        snapshot(page, artifacts_dir, "home-empty")

        # A reload drops the tab's connection; the app locks and asks for the PIN again.
        load(page)
        page.locator(sel("unlock-btn")).wait_for()
        assert page.locator(sel("home-empty")).count() == 0
        settle_paint(page)
        page.screenshot(path=str(artifacts_dir / "unlock.png"))
        unlock(page, PIN)
        page.locator(sel("home-empty")).wait_for()
        page.locator(sel("lock-btn")).click()
        page.locator(sel("unlock-btn")).wait_for()

    assert "Traceback" not in app.log()


def test_wrong_pin_and_language_switch_in_the_browser(
    browser: Any, start_app: Callable[[], Any], artifacts_dir: Path, tmp_path: Path
) -> None:
    app = start_app()
    Wallet.create(app.data_dir / "wallet", PIN, kdf=KdfParams.fast_for_tests()).close()
    with open_page(browser, app.url, artifacts_dir, "wrong-pin") as page:
        page.locator(sel("unlock-btn")).wait_for()
        page.locator(sel("lang-nl")).click()
        page.locator("flt-semantics").get_by_text("Ontgrendelen", exact=True).wait_for()

        type_into(page, "pin-input", "000000")
        page.locator(sel("unlock-btn")).click()
        page.locator("flt-semantics").get_by_text(
            "Verkeerde pincode, nog 4 pogingen over"
        ).wait_for()
        settle_paint(page)
        page.screenshot(path=str(artifacts_dir / "wrong-pin-nl.png"))

        unlock(page, PIN)
        page.locator(sel("home-empty")).wait_for()
        page.locator("flt-semantics").get_by_text("Nog geen credentials").wait_for()

    assert (app.data_dir / "app-settings.json").read_text("utf-8").count('"nl"') == 1
    assert "Traceback" not in app.log()


def test_pin_pad_and_lockout_countdown_in_the_browser(
    browser: Any, start_app: Callable[..., Any], artifacts_dir: Path
) -> None:
    app = start_app()
    Wallet.create(app.data_dir / "wallet", PIN, kdf=KdfParams.fast_for_tests()).close()
    with open_page(browser, app.url, artifacts_dir, "lockout") as page:
        page.locator(sel("pad-ok")).wait_for()
        for attempt in range(5):
            for _ in range(6):
                page.locator(sel("pad-0")).click()
            page.locator(sel("pad-ok")).click()
            if attempt < 4:
                page.locator("flt-semantics").get_by_text(
                    f"Wrong PIN, {4 - attempt} attempt"
                ).first.wait_for()
        message = page.locator("flt-semantics").get_by_text("Too many attempts. Try again in")
        message.first.wait_for()
        first = message.first.inner_text()
        page.wait_for_function(  # counting down, second by second
            "t => ![...document.querySelectorAll('flt-semantics')].some(n => n.innerText === t)",
            arg=first,
        )
        message.first.wait_for()
        snapshot(page, artifacts_dir, "unlock-lockout")
        # The right PIN is not even tried while locked out.
        type_into(page, "pin-input", PIN)
        page.keyboard.press("Enter")
        page.wait_for_timeout(500)
        assert page.locator(sel("home-empty")).count() == 0
    assert "Traceback" not in app.log()


HOSTILE_PAGE = """
async ([appPort]) => {
    const ws = await new Promise(resolve => {
        const socket = new WebSocket(`ws://127.0.0.1:${appPort}/ws`);
        socket.onopen = () => { socket.close(); resolve("open"); };
        socket.onerror = () => resolve("refused");
    });
    let read;
    try {
        const response = await fetch(`http://127.0.0.1:${appPort}/`);
        read = "read " + response.status;
    } catch (e) {
        read = "unreadable";
    }
    return [ws, read];
}
"""


def test_another_site_in_the_browser_cannot_reach_the_wallet(
    browser: Any, start_app: Callable[..., Any]
) -> None:
    """A page on another origin cannot open a session; a DNS-rebound name gets nothing."""
    from conftest import CHROMIUM, CHROMIUM_ARGS

    app = start_app()
    port = app.url.rstrip("/").rsplit(":", 1)[1]
    rebinding = [a for a in CHROMIUM_ARGS if not a.startswith("--host-resolver-rules")]
    # evil.example "rebinds" to loopback; everything else stays offline as in conftest.
    rebinding.append(
        "--host-resolver-rules=MAP evil.example 127.0.0.1, MAP * ~NOTFOUND, "
        "EXCLUDE localhost, EXCLUDE 127.0.0.1"
    )
    hostile = browser.browser_type.launch(
        executable_path=str(CHROMIUM), headless=True, args=rebinding
    )
    try:
        page = hostile.new_page()
        # The attacker's own page, served from its own (rebound) name.
        response = page.goto(f"http://evil.example:{port}/")
        assert response is not None and response.status == 421
        assert "eduwallet" not in page.content()
        ws, read = page.evaluate(HOSTILE_PAGE, [port])
        assert ws == "refused"
        assert read == "unreadable"  # no CORS header: the wallet page is not readable
    finally:
        hostile.close()
    assert "Traceback" not in app.log()
