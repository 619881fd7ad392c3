"""Driving the Flet app in Chromium: stable selectors, reliable typing, screenshots.

Flutter draws on a canvas; what Playwright can address is the accessibility DOM, where
every control the app marks with ``Semantics(identifier=...)`` is a node with
``flt-semantics-identifier``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

VIEWPORT = {"width": 390, "height": 844}
TIMEOUT_MS = 30_000  # an upper bound for a screen to appear on a busy 2-core machine
# Set by scripts/screenshots: the screenshots named for the README are copied there.
SCREENSHOTS_ENV = "EDUWALLET_SCREENSHOTS_DIR"


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
    "([s, n]) => document.activeElement?.closest(s)"
    "?.querySelector('input, textarea')?.value.length === n"
)

# What has focus and what the field holds, for a failure message (lengths, never the text).
FOCUS_STATE = """s => {
  const a = document.activeElement;
  const input = document.querySelector(s)?.querySelector('input, textarea');
  return {active: a ? a.tagName + (a.closest(s) ? ' in field' : ' elsewhere') : 'none',
          field: input ? input.value.length + ' chars' : 'no input'};
}"""


# What the screen says, for a failure message: labels and texts, never a field's content.
SCREEN_TEXTS = """() => [...document.querySelectorAll('flt-semantics')]
    .map(n => n.getAttribute('aria-label') || '').filter(t => t.trim()).slice(0, 40)"""


def sel(identifier: str) -> str:
    return f'[flt-semantics-identifier="{identifier}"]'


@contextlib.contextmanager
def open_page(
    browser: Any,
    url: str,
    artifacts: Path,
    name: str,
    *,
    locale: str = "en-US",
    color_scheme: str = "light",
    init_script: str | None = None,
) -> Iterator[Any]:
    context = browser.new_context(
        viewport=VIEWPORT, device_scale_factor=2, locale=locale, color_scheme=color_scheme
    )
    context.add_init_script(ENABLE_SEMANTICS_EARLY)
    if init_script is not None:
        context.add_init_script(init_script)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        load(page, url)
        yield page
    except BaseException:
        with contextlib.suppress(Exception):
            page.screenshot(path=str(artifacts / f"{name}-failure.png"))
        with contextlib.suppress(Exception):  # CI keeps the output, not the screenshot
            print(f"{name}: the screen said {page.evaluate(SCREEN_TEXTS)!r}")  # noqa: T201
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
    nowhere, so wait for the field's own <input> to have focus, type, and verify. The
    waits are generous because a busy machine can take seconds to repaint a screen.
    """
    field = page.locator(sel(identifier))
    for attempt in range(4):
        field.click()
        try:
            # A screen that repaints meanwhile (a countdown) can swallow the click: again.
            page.wait_for_function(FOCUS_IN, arg=sel(identifier), timeout=10_000)
        except PlaywrightTimeoutError:
            continue
        if attempt:  # focus is on this field now, so clearing cannot hit another one
            page.keyboard.press("ControlOrMeta+A")
            page.keyboard.press("Backspace")
            # A busy machine has been seen to drop one key of many ("mijnbadge"): the
            # next try puts the text in as one input event, as a paste does.
            page.keyboard.insert_text(text)
        else:
            page.keyboard.type(text)
        with contextlib.suppress(PlaywrightTimeoutError):
            page.wait_for_function(HOLDS_N_CHARS, arg=[sel(identifier), len(text)], timeout=10_000)
            return
    state = page.evaluate(FOCUS_STATE, sel(identifier))
    raise AssertionError(f"could not type into {identifier}: {state}")


def unlock(page: Any, pin: str) -> None:
    """Type the PIN and press Unlock until the unlock screen is gone.

    A click that lands while Flutter rebuilds its accessibility DOM (right after a reload)
    reaches no button; the PIN is still in the field then, so type it and press again.
    Right after a reload on a busy machine the tab's connection can also drop and come
    back while the wallet opens; the app then locks again at once (nobody was looking)
    and shows an empty PIN field, as a person would see it: type the PIN again.
    """
    button = page.locator(sel("unlock-btn"))
    for _ in range(3):
        type_into(page, "pin-input", pin)  # (a PIN still there is typed over, not added to)
        button.click()
        with contextlib.suppress(PlaywrightTimeoutError):
            button.wait_for(state="detached", timeout=15_000)
            return
    button.wait_for(state="detached")


def settle_paint(page: Any) -> None:
    # The semantics DOM updates before the canvas has finished painting.
    page.wait_for_timeout(600)


# Flet's client paints a red bar with one of these texts where a control is misconfigured
# ("Semantics.content must be provided and visible", "Unknown control: ...").
ERROR_BAR_TEXTS = """() => [...document.querySelectorAll('flt-semantics')]
    .map(n => (n.getAttribute('aria-label') || '') + ' ' + (n.textContent || ''))
    .filter(t => /must be (provided|visible|set|a string|enclosed|placed)|Unknown control/.test(t))
"""


def assert_no_error_bar(page: Any) -> None:
    """No Flet error widget is painted on the screen showing now."""
    bars = page.evaluate(ERROR_BAR_TEXTS)
    assert not bars, f"Flet error bar on screen: {bars[:3]}"


def snapshot(page: Any, artifacts: Path, name: str) -> Path:
    """A screenshot in the artifacts dir (and in docs/screenshots when regenerating them),
    of a screen that must not show a Flet error bar."""
    settle_paint(page)
    assert_no_error_bar(page)
    shot = artifacts / f"{name}.png"
    page.screenshot(path=str(shot))
    wanted = os.environ.get(SCREENSHOTS_ENV)
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        # A 256-colour palette keeps the repository small; flat UI colours survive it.
        with Image.open(shot) as image:
            image.quantize(256).save(Path(wanted) / f"{name}.png", optimize=True)
    return shot
