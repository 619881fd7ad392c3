"""One browser session: pick the language, then show setup, unlock or the wallet.

Every screen has an address (app.routes), and every move goes through the browser's
history, so Back and Forward move between screens. What an address shows depends on the
state first: no vault -> setup (or restore from a backup); a vault but no open Wallet ->
unlock, at any address, and after unlocking the screen of the address the tab is on; an
open Wallet -> the address's screen. A start address carrying an offer or request link
(app.deep_link) opens Receive or Share with it right after unlocking.

When the wallet locks by itself (idle, hidden too long, tab reloaded), a Receive or Share
in progress is kept without the vault's data and comes back after unlocking, if the tab
is still at its address.

See app.state for who holds the vault open, and app.idle for when it is locked by itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeGuard

import flet as ft

from app import routes
from app.deep_link import deep_link
from app.idle import HIDDEN_STATES, IdleLock, lock_times
from app.licences import dependency_licences
from app.messages import error_message, log_failure
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


class Screen(Protocol):
    view: ft.View

    def relabel(self) -> None: ...


class Resumable(Screen, Protocol):
    """A screen whose work in progress can wait out a lock (Receive, Share)."""

    def suspend(self) -> bool:
        """Drop what came from the vault; True if there is anything worth coming back to."""
        ...

    async def resume(self) -> None:
        """Read again from the (newly opened) wallet what ``suspend`` dropped."""
        ...


class Shell:
    def __init__(self, page: ft.Page, state: SessionState) -> None:
        self.page = page
        self.state = state
        self.screen: Screen | None = None
        self.connected = True
        self.idle = IdleLock(lambda: self.lock(keep_screen=True))
        # A link the app was opened with: acted on once the wallet is open.
        self.deep_link = deep_link(page.route)
        # A Receive or Share that waits out a lock, and the address it was at.
        self.suspended: tuple[str, Resumable] | None = None
        # The start address's link, for the Receive or Share screen it opens.
        self._link_to_fill: str = ""

    # -- moving between addresses ----------------------------------------------------------

    async def go(self, route: str) -> None:
        """Show ``route``'s screen, through the browser's history (so Back returns)."""
        if route == self.page.route:
            await self.show_route(route)
        else:
            await self.page.push_route(route)  # the client answers with a route change

    def to(self, route: str) -> Callable[[], Awaitable[None]]:
        return lambda: self.go(route)

    async def on_route_change(self, e: ft.RouteChangeEvent) -> None:
        await self.show_route(e.route)

    async def show_route(self, route: str) -> None:
        if not self.state.unlocked:
            self.show_start(route)
            return
        where = routes.place(route)
        kept, self.suspended = self.suspended, None
        if kept is not None and kept[0] == where.path:
            await self._resume(kept[1], where.path)
        elif where.credential_id is not None and where.qr:
            await self._offline_qr(where.credential_id, where.path)
        elif where.credential_id is not None:
            await self._detail(where.credential_id, where.path)
        elif where.path in self._fixed_screens:
            await self._fixed_screens[where.path](where.path)
        else:
            await self._home()

    @property
    def _fixed_screens(self) -> dict[str, Callable[[str], Awaitable[None]]]:
        return {
            routes.RECEIVE: self._receive,
            routes.SHARE: self._share,
            routes.ACTIVITY: self._activity,
            routes.SETTINGS: self._settings,
            routes.SETTINGS_RESTORE: self._replace_restore,
        }

    def show(self, screen: Screen, route: str) -> None:
        self.screen = screen
        screen.view.route = route
        self.page.views.clear()
        self.page.views.append(screen.view)

    # -- locked: set-up, restore, unlock ---------------------------------------------------

    def show_start(self, route: str = routes.HOME) -> None:
        try:
            finish_interrupted_replace(self.state.config)
        except OSError as exc:  # the unlock or set-up screen still shows what is there
            log.warning("could not finish an interrupted restore: %s", type(exc).__name__)
        if wallet_exists(self.state.config):
            if not isinstance(self.screen, UnlockScreen):  # keep a PIN being typed
                self._show_unlock()
        elif routes.place(route).path == routes.RESTORE:
            self._first_restore()
        elif not isinstance(self.screen, CreatePinScreen):
            self.show(
                CreatePinScreen(
                    self.state,
                    on_language=self.set_language,
                    on_created=self.enter_new,
                    on_restore=self.to(routes.RESTORE),
                ),
                routes.HOME,
            )

    def _first_restore(self) -> None:
        """Set-up: build the wallet from a backup instead of starting empty."""
        config = self.state.config
        self.show(
            RestoreScreen(
                self.state,
                restore=lambda backup, passphrase, pin: restore_wallet(
                    config, backup, passphrase, pin
                ),
                replacing=False,
                on_back=self.to(routes.HOME),
                on_restored=self.enter_new,
            ),
            routes.RESTORE,
        )

    def _show_unlock(self) -> None:
        screen = UnlockScreen(self.state, on_language=self.set_language, on_unlocked=self.enter)
        self.show(screen, self.page.route or routes.HOME)
        screen.start()

    def set_language(self, locale: str) -> None:
        self.state.set_locale(locale)
        if self.screen is not None:
            self.screen.relabel()

    async def enter_new(self, wallet: Wallet) -> None:
        """A wallet just created or restored: its home, whatever the address was."""
        await self.enter(wallet, routes.HOME)

    async def enter(self, wallet: Wallet, route: str | None = None) -> None:
        """Take ownership of a freshly opened Wallet and show where the tab wants to be."""
        self.state.attach(wallet)
        try:
            self.idle.arm(*await asyncio.to_thread(lock_times, wallet))
        except Exception as exc:
            self._unlock_failed("read settings", exc)
            return
        if not self.connected:
            # The tab went away while the KDF ran: nobody is looking, so do not leave an
            # unlocked wallet behind in a session Flet keeps for reconnects.
            self.lock()
            return
        if self.state.wallet is not wallet:  # locked meanwhile by the Lock button
            return
        link, self.deep_link = self.deep_link, None
        if link is not None:
            self.suspended = None
            self._link_to_fill = link.link
            route = routes.RECEIVE if link.kind == "offer" else routes.SHARE
        await self.go(route or self.page.route or routes.HOME)

    def _unlock_failed(self, what: str, exc: Exception) -> None:
        log_failure(log, what, exc)
        self.lock()
        if isinstance(self.screen, UnlockScreen):
            self.screen.show_error(error_message(exc))

    # -- unlocked: the wallet's screens ----------------------------------------------------

    async def _home(self) -> None:
        """The (re-read) list; a failure to read it locks, as after unlocking."""
        wallet = self.state.wallet
        if wallet is None:
            return
        try:
            data = await asyncio.to_thread(load_home, wallet)
        except Exception as exc:
            self._unlock_failed("list credentials", exc)
            return
        if self.state.wallet is wallet:
            self._show_home(data)

    def _show_home(self, data: HomeData) -> None:
        self.show(
            HomeScreen(
                self.state,
                data.credentials,
                displays=data.displays,
                pending=data.pending,
                on_lock=self.lock_now,
                on_open=lambda cid: self.go(routes.credential(cid)),
                on_add=self.to(routes.RECEIVE),
                on_changed=self.to(routes.HOME),
                on_present=self.to(routes.SHARE),
                on_activity=self.to(routes.ACTIVITY),
                on_settings=self.to(routes.SETTINGS),
            ),
            routes.HOME,
        )

    async def _read_credential(self, credential_id: str) -> StoredCredential | None:
        """The credential, or None (after going home) if it is gone or the wallet locked."""
        wallet = self.state.wallet
        if wallet is None:
            return None
        try:
            credential = await asyncio.to_thread(wallet.credential, credential_id)
        except Exception as exc:
            log_failure(log, "read credential", exc)
            await self.go(routes.HOME)
            return None
        return credential if self.state.wallet is wallet else None

    async def _detail(self, credential_id: str, route: str) -> None:
        credential = await self._read_credential(credential_id)
        if credential is not None:
            screen = DetailScreen(
                self.state,
                credential,
                on_back=self.to(routes.HOME),
                on_show_qr=lambda cid: self.go(routes.credential_qr(cid)),
            )
            self.show(screen, route)

    async def _offline_qr(self, credential_id: str, route: str) -> None:
        credential = await self._read_credential(credential_id)
        if credential is not None:
            back = self.to(routes.credential(credential_id))
            self.show(OfflineQrScreen(self.state, credential, on_back=back), route)

    async def _receive(self, route: str) -> None:
        screen = ReceiveScreen(
            self.state,
            on_back=self.to(routes.HOME),
            on_received=lambda cid: self.go(routes.credential(cid)),
        )
        screen.link.value, self._link_to_fill = self._link_to_fill, ""
        self.show(screen, route)

    async def _share(self, route: str) -> None:
        screen = PresentScreen(self.state, on_back=self.to(routes.HOME))
        screen.link.value, self._link_to_fill = self._link_to_fill, ""
        self.show(screen, route)

    async def _resume(self, screen: Resumable, route: str) -> None:
        wallet = self.state.wallet
        await screen.resume()
        if self.state.wallet is not wallet:  # locked meanwhile: show nothing of it
            return
        screen.relabel()  # the language may have changed on the unlock screen
        self.show(screen, route)

    async def _activity(self, route: str) -> None:
        wallet = self.state.wallet
        if wallet is None:
            return
        try:
            entries = await asyncio.to_thread(load_activity, wallet)
        except Exception as exc:
            log_failure(log, "read activity", exc)
            await self.go(routes.HOME)
            return
        if self.state.wallet is wallet:
            self.show(ActivityScreen(self.state, entries, on_back=self.to(routes.HOME)), route)

    async def _settings(self, route: str) -> None:
        wallet = self.state.wallet
        if wallet is None:
            return
        try:  # off the event loop: vault reads, and the packages' metadata once
            minutes, grace = await asyncio.to_thread(lock_times, wallet)
            await asyncio.to_thread(dependency_licences)
        except Exception as exc:
            log_failure(log, "read settings", exc)
            await self.go(routes.HOME)
            return
        if self.state.wallet is wallet:
            screen = SettingsScreen(
                self.state,
                idle_minutes=minutes,
                hidden_seconds=grace,
                on_back=self.to(routes.HOME),
                on_language=self.set_language,
                on_lock=self.lock_now,
                on_deleted=self.wallet_deleted,
                on_restore=self.to(routes.SETTINGS_RESTORE),
                on_lock_times_changed=self.idle.arm,
            )
            self.show(screen, route)

    async def _replace_restore(self, route: str) -> None:
        """Settings: swap this wallet for one rebuilt from a backup."""
        wallet, config = self.state.wallet, self.state.config
        if wallet is None:
            return
        screen = RestoreScreen(
            self.state,
            restore=lambda backup, passphrase, pin: replace_with_backup(
                config, wallet, backup, passphrase, pin
            ),
            replacing=True,
            on_back=self.to(routes.SETTINGS),
            on_restored=self.enter_new,
        )
        self.show(screen, route)

    # -- locking ---------------------------------------------------------------------------

    def wallet_deleted(self) -> None:
        """The vault is gone (delete_wallet closed it): drop it and start over at setup."""
        self.idle.disarm()
        self.suspended = None
        self.state.lock()
        self.show_start()
        self.page.navigate(routes.HOME)

    def lock_now(self) -> None:
        """The Lock button: done for now, so the next unlock starts at home."""
        self.lock()
        if self.page.route != routes.HOME:
            self.page.navigate(routes.HOME)

    def lock(self, *, keep_screen: bool = False) -> None:
        """Close the wallet and ask for the PIN; ``keep_screen`` keeps work in progress."""
        screen = self.screen
        if keep_screen and _resumable(screen) and screen.suspend():
            self.suspended = (screen.view.route or routes.HOME, screen)
        self.idle.disarm()
        self.state.lock()
        self._show_unlock()

    def on_lifecycle(self, e: ft.AppLifecycleStateChangeEvent) -> None:
        # A hidden app may be looked at by someone else next: lock after the grace period.
        if e.state not in HIDDEN_STATES:
            self.idle.shown()
        elif self.state.unlocked and not self.state.away_expected:
            self.idle.hidden()

    def on_connect(self, _e: Any) -> None:
        self.connected = True

    def on_disconnect(self, _e: Any) -> None:
        # A reload or a closed tab: lock now instead of keeping the vault open for the
        # session's hour-long reconnect window. A reconnect then lands on the unlock screen.
        self.connected = False
        if self.state.unlocked:
            self.lock(keep_screen=True)

    def on_close(self, _e: Any) -> None:
        self.idle.stopped = True
        self.suspended = None
        self.state.lock()


def _resumable(screen: Screen | None) -> TypeGuard[Resumable]:
    return callable(getattr(screen, "suspend", None)) and callable(getattr(screen, "resume", None))
