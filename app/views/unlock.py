"""Returning user: type the PIN to open the vault."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import flet as ft

from app.components.blocking import Failed, run_blocking
from app.components.language_picker import language_picker
from app.components.layout import FormStatus, ScreenHeader, phone_view
from app.components.pin_field import PinField
from app.components.pin_pad import PinPad
from app.messages import Message, lockout_message, log_failure
from app.state import SessionState
from app.vault import lockout_remaining, open_wallet
from wallet_core import LockedOutError, Wallet, WrongPinError

log = logging.getLogger(__name__)


class UnlockScreen:
    def __init__(
        self,
        state: SessionState,
        *,
        on_language: Callable[[str], None],
        on_unlocked: Callable[[Wallet], Awaitable[None]],
    ) -> None:
        self.state = state
        self._on_unlocked = on_unlocked
        self._busy = False
        self._pin_error: Message | None = None
        self._form_error: Message | None = None

        self.header = ScreenHeader(ft.Icons.LOCK_OUTLINE)
        self.pin = PinField("pin-input", on_submit=self._submit, autofocus=True)
        self.button = ft.FilledButton(
            key="unlock-btn",
            icon=ft.Icons.LOCK_OPEN,
            on_click=self._submit,
            height=48,
        )
        self.pad = PinPad(self.pin, on_ok=self._submit)
        self.status = FormStatus()
        # Set while locked out: the monotonic time the next attempt is allowed.
        self._locked_until: float | None = None
        # Offered here too, so a wrong first choice is not stuck until after unlocking.
        self.languages = language_picker(state.locale, on_language)

        self.view = phone_view(
            [
                self.header.control,
                self.pin.control,
                self.status.control,
                self.pad.control,
                ft.Semantics(identifier="unlock-btn", content=self.button),
                ft.Container(
                    content=self.languages,
                    alignment=ft.Alignment.CENTER,
                    padding=ft.Padding.only(top=24),
                ),
            ],
            top=48,
        )
        self.relabel()

    def relabel(self) -> None:
        t, render = self.state.t, self.state.render
        self.header.set_texts(t("unlock.title"), t("unlock.intro"))
        self.pin.set_label(t("unlock.pin_label"))
        self.button.content = t("unlock.button")
        self.pad.set_labels(backspace=t("unlock.backspace"), ok=t("unlock.button"))
        self.languages.selected = [self.state.locale]
        self.pin.set_error(render(self._pin_error) if self._pin_error else None)
        self.status.show_error(render(self._form_error) if self._form_error else None)
        if self._busy:
            self.status.show_busy(t("unlock.busy"))

    def show_error(self, message: Message) -> None:
        self._form_error = message
        self.relabel()

    def start(self) -> None:
        """Called once the screen shows: resume the countdown of an earlier lockout."""
        try:
            left = lockout_remaining(self.state.config)
        except Exception as exc:  # the unlock attempt itself will report a damaged vault
            log_failure(log, "read lockout", exc)
            return
        if left > 0:
            self._lock_out(left)

    def _lock_out(self, seconds: float) -> None:
        first = self._locked_until is None
        self._locked_until = time.monotonic() + seconds
        self._show_wait()
        if first:
            page = ft.context.page
            page.run_task(self._count_down, page)

    def _show_wait(self) -> None:
        left = (self._locked_until or 0) - time.monotonic()
        locked = left > 0
        self._form_error = lockout_message(left) if locked else None
        self.button.disabled = locked or self._busy
        self.pad.set_disabled(locked)
        self.relabel()

    async def _count_down(self, page: ft.Page) -> None:
        while self._locked_until is not None:
            await asyncio.sleep(min(1.0, max(0.05, self._locked_until - time.monotonic())))
            if self.view not in page.views:
                return  # another screen took over
            if time.monotonic() >= self._locked_until:
                self._locked_until = None
            self._show_wait()
            page.update()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.button.disabled = busy
        # The fields stay editable while busy (the button and the _busy flag stop a second
        # submit): disabling drops keyboard focus, and with read_only Flutter web keeps
        # ignoring keys after it is lifted, so the retry after a wrong PIN went nowhere.
        if busy:
            self.status.show_busy(self.state.t("unlock.busy"))
        else:
            self.status.hide_busy()

    async def _submit(self, _e: Any = None) -> AsyncIterator[None]:
        # An async generator: each ``yield`` makes Flet push the UI as it is now. Calling
        # page.update() instead would switch off Flet's update after the handler returns.
        if self._busy or self._locked_until is not None:
            return
        pin = self.pin.value
        self._form_error = None
        self._pin_error = None if pin else Message("pin.weak.empty")
        self.relabel()
        if not pin:
            await self.pin.focus()
            return

        self._set_busy(True)
        yield  # show the progress ring before the ~0.4 s KDF
        lockout: float | None = None
        opened = await run_blocking(log, "unlock", open_wallet, self.state.config, pin)
        wallet = None if isinstance(opened, Failed) else opened
        if isinstance(opened, Failed):
            if isinstance(opened.error, WrongPinError):
                self._pin_error = opened.message
            elif isinstance(opened.error, LockedOutError):
                lockout = opened.error.seconds_left
            else:  # busy, damaged, ...: not about what was typed
                self._form_error = opened.message
        self.pin.clear()
        self._set_busy(False)
        self.relabel()
        if lockout is not None:
            self._lock_out(lockout)
            return
        if wallet is None:
            yield  # the field must be editable on the client before it can take focus
            await self.pin.focus()
            return
        await self._on_unlocked(wallet)
