"""One browser tab's session: its language, theme and the shell that shows its screens.

``make_main`` is what Flet runs for every tab (app.main serves it).
"""

from __future__ import annotations

import asyncio
import locale as os_locale
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft

from app import i18n
from app.components.layout import theme
from app.config import AppConfig
from app.idle import watch_events
from app.settings import load_settings
from app.shell import Shell
from app.state import SessionState

log = logging.getLogger(__name__)

DEVICE_INFO_TIMEOUT = 2.0  # seconds; only delays the very first paint of a first run


async def run_session(page: ft.Page, config: AppConfig) -> None:
    """Flet's ``main(page)`` for one browser tab."""
    state = SessionState(config=config, locale=await initial_locale(page, config))
    page.title = state.t("app.name")
    page.theme, page.dark_theme = theme(), theme()
    page.theme_mode = ft.ThemeMode.SYSTEM
    shell = Shell(page, state)
    page.on_connect = shell.on_connect
    page.on_disconnect = shell.on_disconnect
    page.on_close = shell.on_close
    page.on_app_lifecycle_state_change = shell.on_lifecycle
    page.on_route_change = shell.on_route_change
    watch_events(page, shell.idle.touch)
    ignore_late_method_results(page)
    page.run_task(shell.idle.run, page)
    await shell.show_route(page.route)


def ignore_late_method_results(page: ft.Page) -> None:
    """Drop a method result (a focus, a route push) that arrives for a control the session
    no longer has, instead of letting it cut the tab off.

    Flet 1.0.5 raises for such a result (``Session.handle_invoke_method_results``), and
    flet_web's receive loop ends the connection on any exception. The client sends it
    again after reconnecting, so one late answer (seen after a reload under load) loses
    every click that follows: the PIN is typed and Unlock does nothing.
    """
    session = page.session
    handle = session.handle_invoke_method_results

    def handled(control_id: int, call_id: str, result: Any, error: str | None) -> None:
        if session.index.get(control_id) is None:
            log.debug("a method result for control %s that is gone was dropped", control_id)
            return
        handle(control_id, call_id, result, error)

    session.handle_invoke_method_results = handled  # type: ignore[method-assign]


async def initial_locale(page: ft.Page, config: AppConfig) -> str:
    """Saved choice, else the browser's preferred languages, else the OS, else English."""
    saved = load_settings(config.settings_path).locale
    if saved:
        return saved
    preferences = await browser_languages(page)
    preferences.append(os_locale.getlocale()[0])
    return i18n.pick_locale(preferences) or i18n.DEFAULT_LOCALE


async def browser_languages(page: ft.Page) -> list[str | None]:
    try:
        info = await asyncio.wait_for(page.get_device_info(), DEVICE_INFO_TIMEOUT)
    except Exception as exc:  # a client that cannot answer just means "no preference"
        log.debug("no device info: %s", type(exc).__name__)
        return []
    preferences: list[str | None] = []
    if isinstance(info, ft.WebDeviceInfo):  # navigator.languages: the user's own ordering
        preferences += [*(info.languages or []), info.language]
    if info is not None:
        preferences += [loc.language_code for loc in info.locales or []]
    return preferences


def make_main(config: AppConfig) -> Callable[[ft.Page], Awaitable[None]]:
    """The ``main(page)`` Flet runs once per browser tab."""

    async def main(page: ft.Page) -> None:
        await run_session(page, config)

    return main
