"""Light and dark themes, and 200 % text, in Chromium: the screens stay usable."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")

from pages import VIEWPORT, open_page, sel, snapshot  # noqa: E402

# Flutter web takes its text scale from the page's root font size (16 px is 100 %) and
# follows changes to it; the browser's "larger text" setting works the same way. Set after
# boot: Flutter's bootstrap resets the root element's style.
# The browser's text size doubled before the app starts, as a student's setting would be.
# (Changing it while Flutter is running once left Chromium's renderer spinning under load.)
DOUBLE_TEXT = (
    "document.addEventListener('DOMContentLoaded', "
    "() => { document.documentElement.style.fontSize = '32px'; })"
)


def background_luminance(shot: Path) -> float:
    image = Image.open(shot).convert("L")
    # A strip of page background below the app bar, beside the content.
    return float(sum(image.getpixel((8, y)) for y in range(300, 340)) / 40)


def welcome_heading_height(page: Any) -> float:
    box = page.locator("flt-semantics").get_by_text("Welcome to eduwallet").first.bounding_box()
    assert box is not None
    return float(box["height"])


def test_dark_theme_follows_the_system(
    browser: Any, start_app: Callable[..., Any], artifacts_dir: Path
) -> None:
    app = start_app()
    with open_page(browser, app.url, artifacts_dir, "light") as page:
        page.locator(sel("create-btn")).wait_for()
        light = snapshot(page, artifacts_dir, "welcome-light")
    with open_page(browser, app.url, artifacts_dir, "dark", color_scheme="dark") as page:
        page.locator(sel("create-btn")).wait_for()
        dark = snapshot(page, artifacts_dir, "welcome-dark")
    assert background_luminance(light) > 200
    assert background_luminance(dark) < 60


def test_double_text_size_grows_the_text_and_nothing_runs_off_the_screen(
    browser: Any, start_app: Callable[..., Any], artifacts_dir: Path
) -> None:
    app = start_app()
    with open_page(browser, app.url, artifacts_dir, "text-100") as page:
        page.locator(sel("create-btn")).wait_for()
        normal = welcome_heading_height(page)
    with open_page(browser, app.url, artifacts_dir, "text-200", init_script=DOUBLE_TEXT) as page:
        page.locator(sel("create-btn")).wait_for()
        page.wait_for_function(
            "h => [...document.querySelectorAll('flt-semantics')].some(n => "
            "n.textContent.includes('Welcome to eduwallet') && "
            "n.getBoundingClientRect().height > 1.8 * h)",
            arg=normal,
        )
        large = welcome_heading_height(page)
        snapshot(page, artifacts_dir, "welcome-text-200")
        boxes = page.locator("flt-semantics").evaluate_all(
            "nodes => nodes.map(n => n.getBoundingClientRect())"
            ".filter(r => r.width > 0).map(r => [r.left, r.right])"
        )
        # Every control can still be reached: the PIN fields and the button are there.
        for identifier in ("pin-input", "pin-confirm-input", "create-btn", "open-restore-btn"):
            page.locator(sel(identifier)).scroll_into_view_if_needed()
    assert large >= 1.8 * normal, (normal, large)
    overflow = [box for box in boxes if box[0] < -1 or box[1] > VIEWPORT["width"] + 1]
    assert overflow == []
