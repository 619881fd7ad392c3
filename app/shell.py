"""One browser session: pick the language, then show setup, unlock or home.

Which screen shows follows from the state, not from the URL: no vault -> setup (or restore
from a backup); a vault but no open Wallet -> unlock; an open Wallet -> home, and from there
a credential's detail or Receive, Present (share with a verifier), Activity, Settings, and
from a detail its offline QR (each with a back arrow). The one exception is a start address
carrying an offer or request link (app.deep_link), acted on right after unlocking.

See app.state for who holds the vault open, and app.idle for when it is locked by itself.
"""

from __future__ import annotations

import asyncio
import locale as os_locale
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import flet as ft

from app import i18n
from app.components.layout import theme
from app.config import AppConfig
from app.deep_link import deep_link
from app.idle import HIDDEN_STATES, IDLE_SETTING, IdleLock, idle_minutes, watch_events
from app.licences import dependency_licences
from app.messages import error_message, log_failure
from app.settings import load_settings
from app.state import SessionState
from app.vault import finish_interrupted_replace, replace_with_backup, restore_wallet, wallet_exists
from app.views.activity import ActivityScreen, load_activity
from app.views.create_pin import CreatePinScreen
from app.views.credential_detail import DetailScreen
from app.views.home import HomeData, HomeScreen, load_home
from app.views.offline_qr import OfflineQrScreen
from app.views.present import PresentScreen
from app.views.receive import ReceiveScreen
from app.views.restore import RestoreScreen
from app.views.settings import SettingsScreen
from app.views.unlock import UnlockScreen
from wallet_core import StoredCredential, Wallet

log = logging.getLogger(__name__)

DEVICE_INFO_TIMEOUT = 2.0  # seconds; only delays the very first paint of a first run


class Screen(Protocol):
    view: ft.View

    def relabel(self) -> None: ...


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
    watch_events(page, shell.idle.touch)
    page.run_task(shell.idle.run, page)
    shell.show_start()


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


class Shell:
    def __init__(self, page: ft.Page, state: SessionState) -> None:
        self.page = page
        self.state = state
        self.screen: Screen | None = None
        self.connected = True
        self.idle = IdleLock(self.lock)
        # A link the app was opened with: acted on once the wallet is open.
        self.deep_link = deep_link(page.route)

    def show(self, screen: Screen) -> None:
        self.screen = screen
        self.page.views.clear()
        self.page.views.append(screen.view)

    def show_start(self) -> None:
        if self.state.unlocked:
            return  # home is already showing
        try:
            finish_interrupted_replace(self.state.config)
        except OSError as exc:  # the unlock or set-up screen still shows what is there
            log.warning("could not finish an interrupted restore: %s", type(exc).__name__)
        if wallet_exists(self.state.config):
            self._show_unlock()
        else:
            self.show(
                CreatePinScreen(
                    self.state,
                    on_language=self.set_language,
                    on_created=self.enter,
                    on_restore=self.open_first_restore,
                )
            )

    async def _back_to_start(self) -> None:
        self.show_start()

    async def open_first_restore(self) -> None:
        """Set-up: build the wallet from a backup instead of starting empty."""
        config = self.state.config
        self.show(
            RestoreScreen(
                self.state,
                restore=lambda backup, passphrase, pin: restore_wallet(
                    config, backup, passphrase, pin
                ),
                replacing=False,
                on_back=self._back_to_start,
                on_restored=self.enter,
            )
        )

    async def open_replace_restore(self) -> None:
        """Settings: swap this wallet for one rebuilt from a backup."""
        wallet, config = self.state.wallet, self.state.config
        if wallet is None:
            return
        self.show(
            RestoreScreen(
                self.state,
                restore=lambda backup, passphrase, pin: replace_with_backup(
                    config, wallet, backup, passphrase, pin
                ),
                replacing=True,
                on_back=self.open_settings,
                on_restored=self.enter,
            )
        )

    def _show_unlock(self) -> None:
        screen = UnlockScreen(self.state, on_language=self.set_language, on_unlocked=self.enter)
        self.show(screen)
        screen.start()

    def set_language(self, locale: str) -> None:
        self.state.set_locale(locale)
        if self.screen is not None:
            self.screen.relabel()

    async def enter(self, wallet: Wallet) -> None:
        """Take ownership of a freshly created or opened Wallet and show home."""
        self.state.attach(wallet)
        try:
            minutes = await asyncio.to_thread(wallet.setting, IDLE_SETTING)
            self.idle.arm(idle_minutes(minutes))
            data = await asyncio.to_thread(load_home, wallet)
        except Exception as exc:
            log_failure(log, "list credentials", exc)
            self.lock()
            if isinstance(self.screen, UnlockScreen):
                self.screen.show_error(error_message(exc))
            return
        if not self.connected:
            # The tab went away while the KDF ran: nobody is looking, so do not leave an
            # unlocked wallet behind in a session Flet keeps for reconnects.
            self.lock()
        elif self.state.wallet is wallet:  # not locked meanwhile by the Lock button
            self._show_home(data)
            link, self.deep_link = self.deep_link, None
            if link is not None and link.kind == "offer":
                await self.open_receive(link.link)
            elif link is not None:
                await self.open_present(link.link)

    def _show_home(self, data: HomeData) -> None:
        self.show(
            HomeScreen(
                self.state,
                data.credentials,
                displays=data.displays,
                pending=data.pending,
                on_lock=self.lock,
                on_open=self.open_detail,
                on_add=self.open_receive,
                on_changed=self.show_home,
                on_present=self.open_present,
                on_activity=self.open_activity,
                on_settings=self.open_settings,
            )
        )

    async def show_home(self) -> None:
        """Back to the (re-read) list; a failure to read it locks, as after unlocking."""
        wallet = self.state.wallet
        if wallet is None:
            return
        try:
            data = await asyncio.to_thread(load_home, wallet)
        except Exception as exc:
            log_failure(log, "list credentials", exc)
            self.lock()
            return
        if self.state.wallet is wallet:
            self._show_home(data)

    async def _read_credential(self, credential_id: str) -> StoredCredential | None:
        """The credential, or None (after going home) if it is gone or the wallet locked."""
        wallet = self.state.wallet
        if wallet is None:
            return None
        try:
            credential = await asyncio.to_thread(wallet.credential, credential_id)
        except Exception as exc:
            log_failure(log, "read credential", exc)
            await self.show_home()
            return None
        return credential if self.state.wallet is wallet else None

    async def open_detail(self, credential_id: str) -> None:
        credential = await self._read_credential(credential_id)
        if credential is not None:
            self.show(
                DetailScreen(
                    self.state,
                    credential,
                    on_back=self.show_home,
                    on_show_qr=self.open_offline_qr,
                )
            )

    async def open_receive(self, link: str = "") -> None:
        if self.state.wallet is not None:
            screen = ReceiveScreen(self.state, on_back=self.show_home, on_received=self.open_detail)
            screen.link.value = link
            self.show(screen)

    async def open_present(self, link: str = "") -> None:
        if self.state.wallet is not None:
            screen = PresentScreen(self.state, on_back=self.show_home)
            screen.link.value = link
            self.show(screen)

    async def open_offline_qr(self, credential_id: str) -> None:
        credential = await self._read_credential(credential_id)
        if credential is not None:
            back = lambda: self.open_detail(credential_id)  # noqa: E731
            self.show(OfflineQrScreen(self.state, credential, on_back=back))

    async def open_activity(self) -> None:
        wallet = self.state.wallet
        if wallet is None:
            return
        try:
            entries = await asyncio.to_thread(load_activity, wallet)
        except Exception as exc:
            log_failure(log, "read activity", exc)
            await self.show_home()
            return
        if self.state.wallet is wallet:
            self.show(ActivityScreen(self.state, entries, on_back=self.show_home))

    async def open_settings(self) -> None:
        wallet = self.state.wallet
        if wallet is None:
            return
        try:  # off the event loop: a vault read, and the packages' metadata once
            minutes = idle_minutes(await asyncio.to_thread(wallet.setting, IDLE_SETTING))
            await asyncio.to_thread(dependency_licences)
        except Exception as exc:
            log_failure(log, "read settings", exc)
            await self.show_home()
            return
        if self.state.wallet is wallet:
            self.show(
                SettingsScreen(
                    self.state,
                    idle_minutes=minutes,
                    on_back=self.show_home,
                    on_language=self.set_language,
                    on_lock=self.lock,
                    on_deleted=self.wallet_deleted,
                    on_restore=self.open_replace_restore,
                    on_idle_changed=self.idle.arm,
                )
            )

    def wallet_deleted(self) -> None:
        """The vault is gone (delete_wallet closed it): drop it and start over at setup."""
        self.idle.disarm()
        self.state.lock()
        self.show_start()

    def lock(self) -> None:
        self.idle.disarm()
        self.state.lock()
        self._show_unlock()

    def on_lifecycle(self, e: ft.AppLifecycleStateChangeEvent) -> None:
        # A hidden app may be looked at by someone else next: lock, do not wait for idle.
        if e.state in HIDDEN_STATES and self.state.unlocked and not self.state.away_expected:
            self.lock()

    def on_connect(self, _e: Any) -> None:
        self.connected = True

    def on_disconnect(self, _e: Any) -> None:
        # A reload or a closed tab: lock now instead of keeping the vault open for the
        # session's hour-long reconnect window. A reconnect then lands on the unlock screen.
        self.connected = False
        if self.state.unlocked:
            self.lock()

    def on_close(self, _e: Any) -> None:
        self.idle.stopped = True
        self.state.lock()


def make_main(config: AppConfig) -> Callable[[ft.Page], Awaitable[None]]:
    """The ``main(page)`` Flet runs once per browser tab."""

    async def main(page: ft.Page) -> None:
        await run_session(page, config)

    return main
