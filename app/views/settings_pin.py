"""Settings: change the PIN (the current one, then the new one twice)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import flet as ft

from app.components.blocking import Failed, run_blocking
from app.components.layout import FormStatus
from app.components.pin_field import PinField
from app.messages import Message, weak_pin_message
from app.state import SessionState
from app.views.settings_parts import Busy, Section, card, heading
from wallet_core import LockedOutError, WeakPinError, WrongPinError, check_pin

log = logging.getLogger(__name__)


class PinSection(Section):
    def __init__(self, state: SessionState, busy: Busy) -> None:
        super().__init__(state, busy)
        self._errors: dict[str, Message | None] = {}
        self._form: Message | None = None
        self._done = False
        self.title = heading()
        self.current_pin = PinField("settings-pin-current-input", on_submit=self._focus_new)
        self.new_pin = PinField("settings-pin-new-input", on_submit=self._focus_repeat)
        self.repeat_pin = PinField("settings-pin-repeat-input", on_submit=self.change_pin)
        self.button = ft.FilledTonalButton(
            key="change-pin-btn", icon=ft.Icons.PASSWORD, height=48, on_click=self.change_pin
        )
        self.status = FormStatus("change-pin-error")
        self.info = ft.Text(key="change-pin-info", color=ft.Colors.PRIMARY)
        self.control = card(
            "settings-pin",
            [
                self.title,
                self.current_pin.control,
                self.new_pin.control,
                self.repeat_pin.control,
                ft.Semantics(identifier="change-pin-btn", content=self.button),
                self.status.control,
                self.info,
            ],
        )

    def buttons(self) -> list[ft.Control]:
        return [self.button]

    def relabel(self) -> None:
        t, render = self.state.t, self.render
        self.title.value = t("settings.pin.title")
        self.current_pin.set_label(t("settings.pin.current"))
        self.new_pin.set_label(t("settings.pin.new"), t("settings.pin.new_helper"))
        self.repeat_pin.set_label(t("settings.pin.repeat"))
        self.current_pin.set_error(render(self._errors.get("current")))
        self.new_pin.set_error(render(self._errors.get("new")))
        self.repeat_pin.set_error(render(self._errors.get("repeat")))
        self.button.content = t("settings.pin.button")
        self.status.show_error(render(self._form))
        self.info.value = t("settings.pin.changed") if self._done else ""
        self.info.visible = self._done
        if self.busy.action == "pin":
            self.status.show_busy(t("settings.pin.busy"))
        else:
            self.status.hide_busy()

    async def _focus_new(self, _e: Any) -> None:
        await self.new_pin.focus()

    async def _focus_repeat(self, _e: Any) -> None:
        await self.repeat_pin.focus()

    async def change_pin(self, _e: Any = None) -> AsyncIterator[None]:
        # An async generator: each ``yield`` pushes the UI as it is now (see create_pin).
        wallet = self.state.wallet
        if self.busy.action or wallet is None:
            return
        old, new, repeated = self.current_pin.value, self.new_pin.value, self.repeat_pin.value
        self._errors, self._form, self._done = {}, None, False
        try:
            check_pin(new)
        except WeakPinError as exc:
            self._errors = {"new": weak_pin_message(exc.reason)}
        else:
            if new != repeated:
                self._errors = {"repeat": Message("setup.mismatch")}
        if self._errors:
            self.relabel()
            return

        self.busy.set("pin")
        yield  # show the progress ring before two Argon2id runs
        changed = await run_blocking(log, "change PIN", wallet.change_pin, old, new)
        if isinstance(changed, Failed):
            if isinstance(changed.error, WrongPinError | LockedOutError):
                self._errors = {"current": changed.message}
            elif isinstance(changed.error, WeakPinError):
                self._errors = {"new": changed.message}
            else:
                self._form = changed.message
        else:
            self.current_pin.clear()
            self.new_pin.clear()
            self.repeat_pin.clear()
            self._done = True
        self.busy.set(None)
