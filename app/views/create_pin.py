"""First run: choose a language and a PIN, then create the vault."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import flet as ft

from app.components.blocking import Failed, run_blocking
from app.components.language_picker import language_picker
from app.components.layout import FormStatus, ScreenHeader, phone_view
from app.components.pin_field import PinField
from app.messages import Message, weak_pin_message
from app.state import SessionState
from app.vault import create_wallet
from wallet_core import Wallet, WeakPinError, check_pin

log = logging.getLogger(__name__)


class CreatePinScreen:
    def __init__(
        self,
        state: SessionState,
        *,
        on_language: Callable[[str], None],
        on_created: Callable[[Wallet], Awaitable[None]],
        on_restore: Callable[[], Awaitable[None]],
    ) -> None:
        self.state = state
        self._on_created = on_created
        self._on_restore = on_restore
        self._busy = False
        # Messages are kept untranslated so a language switch can re-render them.
        self._pin_error: Message | None = None
        self._confirm_error: Message | None = None
        self._form_error: Message | None = None

        self.header = ScreenHeader(ft.Icons.SCHOOL_OUTLINED)
        self.language_label = ft.Text(theme_style=ft.TextThemeStyle.LABEL_LARGE)
        self.languages = language_picker(state.locale, on_language)
        # No autofocus here: on a phone the keyboard would cover the intro and the
        # language choice, which come first.
        self.pin = PinField("pin-input", on_submit=self._next_field)
        self.confirm = PinField("pin-confirm-input", on_submit=self._submit)
        self.button = ft.FilledButton(
            key="create-btn",
            icon=ft.Icons.LOCK_OUTLINE,
            on_click=self._submit,
            height=48,
        )
        self.status = FormStatus()
        self.restore_button = ft.TextButton(
            key="open-restore-btn", icon=ft.Icons.SETTINGS_BACKUP_RESTORE, on_click=self._restore
        )

        self.view = phone_view(
            [
                self.header.control,
                ft.Column(
                    [self.language_label, self.languages],
                    spacing=6,
                    horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                ),
                self.pin.control,
                self.confirm.control,
                ft.Semantics(identifier="create-btn", content=self.button),
                self.status.control,
                ft.Semantics(identifier="open-restore-btn", content=self.restore_button),
            ],
        )
        self.relabel()

    def relabel(self) -> None:
        t, render = self.state.t, self.state.render
        self.header.set_texts(t("setup.title"), t("setup.intro"))
        self.language_label.value = t("lang.label")
        self.languages.selected = [self.state.locale]
        self.pin.set_label(t("setup.pin_label"), t("setup.pin_helper"))
        self.confirm.set_label(t("setup.confirm_label"))
        self.button.content = t("setup.create")
        self.restore_button.content = t("setup.restore")
        self.pin.set_error(render(self._pin_error) if self._pin_error else None)
        self.confirm.set_error(render(self._confirm_error) if self._confirm_error else None)
        self.status.show_error(render(self._form_error) if self._form_error else None)
        if self._busy:
            self.status.show_busy(t("setup.creating"))

    def _show(
        self,
        *,
        pin: Message | None = None,
        confirm: Message | None = None,
        form: Message | None = None,
    ) -> None:
        self._pin_error, self._confirm_error, self._form_error = pin, confirm, form
        self.relabel()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.button.disabled = busy
        self.languages.disabled = busy
        # The fields stay editable while busy (the button and the _busy flag stop a second
        # submit): disabling drops keyboard focus, and with read_only Flutter web keeps
        # ignoring keys after it is lifted, so the retry after a wrong PIN went nowhere.
        if busy:
            self.status.show_busy(self.state.t("setup.creating"))
        else:
            self.status.hide_busy()

    async def _restore(self, _e: Any) -> None:
        if not self._busy:
            await self._on_restore()

    async def _next_field(self, _e: Any) -> None:
        await self.confirm.focus()

    async def _submit(self, _e: Any = None) -> AsyncIterator[None]:
        # An async generator: each ``yield`` makes Flet push the UI as it is now. Calling
        # page.update() instead would switch off Flet's update after the handler returns.
        if self._busy:
            return
        pin, repeated = self.pin.value, self.confirm.value
        # Policy first: it is instant, and "too short" is more useful than "no match".
        try:
            check_pin(pin)
        except WeakPinError as exc:
            self._show(pin=weak_pin_message(exc.reason))
            await self.pin.focus()
            return
        if pin != repeated:
            self._show(confirm=Message("setup.mismatch"))
            await self.confirm.focus()
            return

        self._show()
        self._set_busy(True)
        yield  # show the progress ring before the ~0.4 s KDF
        wallet = await run_blocking(log, "create wallet", create_wallet, self.state.config, pin)
        if isinstance(wallet, Failed):
            self._set_busy(False)
            if isinstance(wallet.error, WeakPinError):
                self._show(pin=weak_pin_message(wallet.error.reason))
            else:
                self._show(form=wallet.message)
            return
        self.pin.clear()
        self.confirm.clear()
        self._set_busy(False)
        await self._on_created(wallet)
