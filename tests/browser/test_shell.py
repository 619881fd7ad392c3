"""The app shell in a real browser: create a PIN, reach home, reload, unlock."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from wallet_core import KdfParams, Wallet

pytestmark = pytest.mark.browser
PlaywrightTimeoutError = pytest.importorskip(
    "playwright.sync_api", reason="the playwright Python package is not installed"
).TimeoutError

PIN = "482916"
REPO_ROOT = Path(__file__).resolve().parents[2]
VIEWPORT = {"width": 390, "height": 844}
README_SCREENSHOT = REPO_ROOT / "docs" / "screenshots" / "home.png"
TIMEOUT_MS = 15_000


# Flutter web builds its accessibility DOM (and so the flt-semantics-identifier nodes)
# only when asked, by a click on its placeholder. Do that from inside the page the moment
# the placeholder exists, before the app's first frame: a field that autofocuses earlier
# edits through a hidden <input> that goes stale once semantics are on, and keys typed
# there never reach the app (seen after reloads, which boot faster).
ENABLE_SEMANTICS_EARLY = """
new MutationObserver((_, observer) => {
    const placeholder = document.querySelector('flt-semantics-placeholder');
    if (placeholder) {
        placeholder.dispatchEvent(new Event('click'));
        observer.disconnect();
        window.__eduwalletSemanticsOn = true;
    }
}).observe(document, {childList: true, subtree: true});
"""
FOCUS_IN = "s => document.activeElement?.closest(s) != null"
HOLDS_N_CHARS = (
    "([s, n]) => document.activeElement?.closest(s)?.querySelector('input')?.value.length === n"
)


def sel(identifier: str) -> str:
    return f'[flt-semantics-identifier="{identifier}"]'


@contextlib.contextmanager
def open_page(browser: Any, url: str, artifacts: Path, name: str) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=2, locale="en-US")
    context.add_init_script(ENABLE_SEMANTICS_EARLY)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        load(page, url)
        yield page
    except BaseException:
        with contextlib.suppress(Exception):
            page.screenshot(path=str(artifacts / f"{name}-failure.png"))
        raise
    finally:
        context.close()


def load(page: Any, url: str | None = None) -> None:
    if url is None:
        page.reload()
    else:
        page.goto(url)
    page.wait_for_function("() => window.__eduwalletSemanticsOn === true")
    page.wait_for_selector("#loading", state="detached")  # Flutter has booted


def type_into(page: Any, identifier: str, text: str) -> None:
    """Type into a text field and make sure every character arrived.

    Keys sent before Flutter has moved focus to the field go to the previous field or
    nowhere, so wait for the field's own <input> to have focus, type, and verify.
    """
    field = page.locator(sel(identifier))
    for attempt in range(3):
        field.click()
        page.wait_for_function(FOCUS_IN, arg=sel(identifier))
        if attempt:  # focus is on this field now, so clearing cannot hit another one
            page.keyboard.press("ControlOrMeta+A")
            page.keyboard.press("Backspace")
        page.keyboard.type(text)
        with contextlib.suppress(PlaywrightTimeoutError):
            page.wait_for_function(HOLDS_N_CHARS, arg=[sel(identifier), len(text)], timeout=2_000)
            return
    raise AssertionError(f"could not type into {identifier}")


def settle_paint(page: Any) -> None:
    # The semantics DOM updates before the canvas has finished painting.
    page.wait_for_timeout(600)


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
        settle_paint(page)
        shot = artifacts_dir / "home.png"
        page.screenshot(path=str(shot))
        README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, README_SCREENSHOT)

        # A reload drops the tab's connection; the app locks and asks for the PIN again.
        load(page)
        page.locator(sel("unlock-btn")).wait_for()
        assert page.locator(sel("home-empty")).count() == 0
        settle_paint(page)
        page.screenshot(path=str(artifacts_dir / "unlock.png"))
        type_into(page, "pin-input", PIN)
        page.locator(sel("unlock-btn")).click()
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

        type_into(page, "pin-input", PIN)
        page.locator(sel("unlock-btn")).click()
        page.locator(sel("home-empty")).wait_for()
        page.locator("flt-semantics").get_by_text("Nog geen credentials").wait_for()

    assert (app.data_dir / "app-settings.json").read_text("utf-8").count('"nl"') == 1
    assert "Traceback" not in app.log()
