"""Restore a wallet from an encrypted backup: on first run, or replacing this wallet.

The backup file comes in through the browser's file chooser as bytes (``components.files``);
it stays in memory and is encrypted anyway. The restored wallet gets a new PIN.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import flet as ft

from app.components.back_bar import back_bar
from app.components.blocking import Failed, run_blocking
from app.components.files import FileTooLargeError, PickedFile, pick_file
from app.components.layout import FormStatus, ScreenHeader, phone_view
from app.components.pin_field import PinField
from app.messages import Message, weak_pin_message
from app.state import SessionState
from wallet_core import BackupError, Wallet, WeakPinError, check_pin

log = logging.getLogger(__name__)


# (backup bytes, backup passphrase, new PIN) -> the restored, open wallet. Blocking.
Restore = Callable[[bytes, str, str], Wallet]


class RestoreScreen:
    def __init__(
        self,
        state: SessionState,
        *,
        restore: Restore,
        replacing: bool,
        on_back: Callable[[], Awaitable[None]],
        on_restored: Callable[[Wallet], Awaitable[None]],
    ) -> None:
        self.state = state
        self._restore = restore
        self._replacing = replacing
        self._on_back = on_back
        self._on_restored = on_restored
        self._busy = False
        self._file: PickedFile | None = None
        self._errors: dict[str, Message | None] = {}

        bar = back_bar(self._back)
        self.appbar, self.title, self.back_button = bar.appbar, bar.title, bar.back_button
        self.header = ScreenHeader(ft.Icons.SETTINGS_BACKUP_RESTORE)
        self.pick_button = ft.OutlinedButton(
            key="restore-pick-btn", icon=ft.Icons.UPLOAD_FILE, height=48, on_click=self._pick
        )
        self.file_name = ft.Text(key="restore-file-name")
        self.file_error = ft.Text(key="restore-file-error", color=ft.Colors.ERROR)
        self.passphrase = PinField("restore-passphrase-input", on_submit=self._focus_pin)
        self.pin = PinField("restore-pin-input", on_submit=self._focus_repeat)
        self.repeat = PinField("restore-pin-repeat-input", on_submit=self._submit)
        self.button = ft.FilledButton(
            key="restore-btn", icon=ft.Icons.RESTORE, height=48, on_click=self._submit
        )
        # Replacing erases what is here now: asked for explicitly, not only said.
        self.confirm = ft.Checkbox(key="restore-confirm", value=False)
        self.confirm_error = ft.Text(key="restore-confirm-error", color=ft.Colors.ERROR)
        self.status = FormStatus("restore-error")
        self.view = phone_view(
            [
                self.header.control,
                ft.Semantics(identifier="restore-pick-btn", content=self.pick_button),
                self.file_name,
                self.file_error,
                self.passphrase.control,
                self.pin.control,
                self.repeat.control,
                # (Flet paints an error bar for a Semantics whose content is hidden)
                ft.Semantics(identifier="restore-confirm", content=self.confirm, visible=replacing),
                self.confirm_error,
                ft.Semantics(identifier="restore-btn", content=self.button),
                self.status.control,
            ],
            appbar=self.appbar,
            top=16,
        )
        self.relabel()

    def relabel(self) -> None:
        t, render = self.state.t, self.state.render
        self.title.value = t("restore.title")
        self.back_button.tooltip = t("common.back")
        intro = "restore.intro_replace" if self._replacing else "restore.intro"
        self.header.set_texts(t("restore.heading"), t(intro))
        self.pick_button.content = t("restore.pick")
        self.file_name.value = t("restore.file", name=self._file.name) if self._file else ""
        self.file_error.value = render(m) if (m := self._errors.get("file")) else ""
        self.file_name.visible = self._file is not None
        self.file_error.visible = bool(self.file_error.value)
        self.passphrase.set_label(t("restore.passphrase"))
        self.pin.set_label(t("restore.pin"), t("setup.pin_helper"))
        self.repeat.set_label(t("setup.confirm_label"))
        self.passphrase.set_error(render(m) if (m := self._errors.get("passphrase")) else None)
        self.pin.set_error(render(m) if (m := self._errors.get("pin")) else None)
        self.repeat.set_error(render(m) if (m := self._errors.get("repeat")) else None)
        self.button.content = t("restore.replace" if self._replacing else "restore.button")
        self.confirm.label = t("restore.confirm_replace")
        self.confirm_error.value = render(m) if (m := self._errors.get("confirm")) else ""
        self.confirm_error.visible = bool(self.confirm_error.value)
        self.status.show_error(render(m) if (m := self._errors.get("form")) else None)
        if self._busy:
            self.status.show_busy(t("restore.busy"))

    async def _pick(self, _e: Any) -> None:
        if self._busy:
            return
        try:
            picked = await pick_file()
        except FileTooLargeError:
            self._errors["file"] = Message("file.too_large")
        else:
            if picked is not None:
                self._file, self._errors["file"] = picked, None
        self.relabel()

    async def _focus_pin(self, _e: Any) -> None:
        await self.pin.focus()

    async def _focus_repeat(self, _e: Any) -> None:
        await self.repeat.focus()

    async def _submit(self, _e: Any = None) -> AsyncIterator[None]:
        # An async generator: each ``yield`` pushes the UI as it is now (see create_pin).
        if self._busy:
            return
        pin = self.pin.value
        self._errors = {}
        if self._file is None:
            self._errors["file"] = Message("restore.no_file")
        if not self.passphrase.value:
            self._errors["passphrase"] = Message("restore.no_passphrase")
        try:
            check_pin(pin)
        except WeakPinError as exc:
            self._errors["pin"] = weak_pin_message(exc.reason)
        else:
            if pin != self.repeat.value:
                self._errors["repeat"] = Message("setup.mismatch")
        if self._replacing and not self.confirm.value:
            self._errors["confirm"] = Message("restore.confirm_first")
        if self._errors or self._file is None:
            self.relabel()
            return

        self._busy = True
        self.button.disabled = True
        self.relabel()
        yield  # show the progress ring before two Argon2id runs
        restored = await run_blocking(
            log, "restore backup", self._restore, self._file.data, self.passphrase.value, pin
        )
        wallet = None if isinstance(restored, Failed) else restored
        if isinstance(restored, Failed):
            key = "passphrase" if isinstance(restored.error, BackupError) else "form"
            self._errors[key] = restored.message
        self._busy = False
        self.button.disabled = False
        self.status.hide_busy()
        self.relabel()
        if wallet is None:
            return
        self.passphrase.clear()
        self.pin.clear()
        self.repeat.clear()
        await self._on_restored(wallet)

    def leave(self) -> bool:
        return not self._busy

    async def _back(self, _e: Any) -> None:
        if self.leave():
            await self._on_back()
