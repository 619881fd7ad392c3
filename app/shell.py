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
from typing import Any, TypeVar

import flet as ft

from app import routes
from app.deep_link import deep_link
from app.idle import HIDDEN_STATES, IdleLock, lock_times
from app.licences import dependency_licences
from app.messages import error_message, log_failure
from app.screen import Resumable, Screen, can_be_busy, is_resumable
from app.state import SessionState
from app.vault import finish_interrupted_replace, replace_with_backup, restore_wallet, wallet_exists
from app.views.activity import ActivityScreen, load_activity
from app.views.create_pin import CreatePinScreen
from app.views.credential_detail import DetailScreen
from app.views.home import HomeActions, HomeScreen, load_home
from app.views.import_file import import_screen
from app.views.offline_qr import OfflineQrScreen, disclosable_paths
from app.views.present import PresentScreen
from app.views.receive import ReceiveScreen
from app.views.restore import RestoreScreen
from app.views.settings import SettingsScreen
from app.views.unlock import UnlockScreen
from wallet_core import ClaimPath, StoredCredential, Wallet

log = logging.getLogger(__name__)

T = TypeVar("T")


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
        # The start address's link and the screen (Receive or Share) that it is for.
        self._link_to_fill: tuple[str, str] | None = None
        # Counts moves: a screen built for an older move is not shown over a newer one.
        self._moves = 0

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
        where = routes.place(route)
        current = self.screen
        if can_be_busy(current) and not current.leave():
            # Back/Forward mid-step: the step finishes here first, at its own address.
            if current.view.route and where.path != current.view.route:
                await self.page.push_route(current.view.route)
            return
        self._moves += 1
        move = self._moves
        if not self.state.unlocked:
            self.show_start(route)
            return
        screen = await self._screen_for(where)
        if screen is not None and move == self._moves and self.state.unlocked:
            self.show(screen, where.path)

    async def _screen_for(self, where: routes.Place) -> Screen | None:
        kept, self.suspended = self.suspended, None
        if kept is not None and kept[0] == where.path:
            return await self._resume(kept[1])
        if where.credential_id is not None and where.qr:
            return await self._offline_qr(where.credential_id)
        if where.credential_id is not None:
            return await self._detail(where.credential_id)
        if where.path in self._fixed_screens:
            return await self._fixed_screens[where.path]()
        return await self._home()

    @property
    def _fixed_screens(self) -> dict[str, Callable[[], Awaitable[Screen | None]]]:
        return {
            routes.RECEIVE: self._receive,
            routes.IMPORT: lambda: import_screen(self.state, self.go),
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
            log.warning("unlocked while the tab was disconnected: locked again")
            self.lock()
            return
        if self.state.wallet is not wallet:  # locked meanwhile by the Lock button
            return
        link, self.deep_link = self.deep_link, None
        if link is not None:
            self.suspended = None
            route = routes.RECEIVE if link.kind == "offer" else routes.SHARE
            self._link_to_fill = (route, link.link)
        await self.go(route or self.page.route or routes.HOME)

    def _unlock_failed(self, what: str, exc: Exception) -> None:
        log_failure(log, what, exc)
        self.lock()
        if isinstance(self.screen, UnlockScreen):
            self.screen.show_error(error_message(exc))

    # -- unlocked: the wallet's screens ----------------------------------------------------

    async def _read(
        self, what: str, read: Callable[[Wallet], T], *, lock_on_failure: bool = False
    ) -> T | None:
        """``read(wallet)`` off the event loop; None if the wallet locked meanwhile or the
        read failed (then home, or the unlock screen if home itself cannot be read)."""
        wallet = self.state.wallet
        if wallet is None:
            return None
        try:
            value = await asyncio.to_thread(read, wallet)
        except Exception as exc:
            if lock_on_failure:
                self._unlock_failed(what, exc)
            else:
                log_failure(log, what, exc)
                await self.go(routes.HOME)
            return None
        return value if self.state.wallet is wallet else None

    async def _home(self) -> Screen | None:
        data = await self._read("list credentials", load_home, lock_on_failure=True)
        if data is None:
            return None
        actions = HomeActions(
            on_lock=self.lock_now,
            on_open=lambda cid: self.go(routes.credential(cid)),
            on_add=self.to(routes.RECEIVE),
            on_add_file=self.to(routes.IMPORT),
            on_changed=self.to(routes.HOME),
            on_present=self.to(routes.SHARE),
            on_activity=self.to(routes.ACTIVITY),
            on_settings=self.to(routes.SETTINGS),
        )
        return HomeScreen(
            self.state,
            data.credentials,
            actions,
            displays=data.displays,
            pending=data.pending,
            facts=data.facts,
            last_backup=data.last_backup,
        )

    async def _detail(self, credential_id: str) -> Screen | None:
        credential = await self._read("read credential", lambda w: w.credential(credential_id))
        if credential is None:
            return None
        return DetailScreen(
            self.state,
            credential,
            on_back=self.to(routes.HOME),
            on_show_qr=lambda cid: self.go(routes.credential_qr(cid)),
        )

    async def _offline_qr(self, credential_id: str) -> Screen | None:
        read = await self._read("read credential", lambda w: _shareable(w, credential_id))
        if read is None:
            return None
        back = self.to(routes.credential(credential_id))
        return OfflineQrScreen(self.state, *read, on_back=back)

    def _take_link(self, route: str) -> str:
        """The start address's link, if it was meant for the screen at ``route``."""
        link, self._link_to_fill = self._link_to_fill, None
        return link[1] if link is not None and link[0] == route else ""

    async def _receive(self) -> Screen | None:
        screen = ReceiveScreen(
            self.state,
            on_back=self.to(routes.HOME),
            on_received=lambda cid: self.go(routes.credential(cid)),
        )
        screen.link.value = self._take_link(routes.RECEIVE)
        return screen

    async def _share(self) -> Screen | None:
        screen = PresentScreen(self.state, on_back=self.to(routes.HOME))
        screen.link.value = self._take_link(routes.SHARE)
        return screen

    async def _resume(self, screen: Resumable) -> Screen | None:
        wallet = self.state.wallet
        await screen.resume()
        if self.state.wallet is not wallet:  # locked meanwhile: show nothing of it
            return None
        screen.relabel()  # the language may have changed on the unlock screen
        return screen

    async def _activity(self) -> Screen | None:
        entries = await self._read("read activity", load_activity)
        if entries is None:
            return None
        return ActivityScreen(self.state, entries, on_back=self.to(routes.HOME))

    async def _settings(self) -> Screen | None:
        times = await self._read("read settings", _settings_data)
        if times is None:
            return None
        minutes, grace = times
        return SettingsScreen(
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

    async def _replace_restore(self) -> Screen | None:
        """Settings: swap this wallet for one rebuilt from a backup."""
        wallet, config = self.state.wallet, self.state.config
        if wallet is None:
            return None
        return RestoreScreen(
            self.state,
            restore=lambda backup, passphrase, pin: replace_with_backup(
                config, wallet, backup, passphrase, pin
            ),
            replacing=True,
            on_back=self.to(routes.SETTINGS),
            on_restored=self.enter_new,
        )

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
        if keep_screen and is_resumable(screen) and screen.suspend():
            self.suspended = (screen.view.route or routes.HOME, screen)
        elif can_be_busy(screen):
            screen.leave()  # a login wait must not outlive the open wallet
        self._link_to_fill = None
        self._moves += 1  # a screen still being built for the open wallet is not shown
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


def _settings_data(wallet: Wallet) -> tuple[int, int]:
    times = lock_times(wallet)
    dependency_licences()  # the packages' metadata, read once and off the event loop
    return times


def _shareable(wallet: Wallet, credential_id: str) -> tuple[StoredCredential, list[ClaimPath]]:
    """Blocking: the credential and the claims that can go on its offline QR code."""
    credential = wallet.credential(credential_id)
    return credential, disclosable_paths(wallet, credential)
