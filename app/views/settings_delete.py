"""Settings: delete the whole wallet, after typing a confirmation word in a dialog."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import flet as ft

from app.components.blocking import Failed, run_blocking
from app.components.dialog import close_dialog, open_dialog
from app.components.layout import FormStatus
from app.messages import Message
from app.state import SessionState
from app.views.settings_parts import Busy, Section, body_text, card, heading

log = logging.getLogger(__name__)


class DeleteSection(Section):
    def __init__(self, state: SessionState, busy: Busy, *, on_deleted: Callable[[], None]) -> None:
        super().__init__(state, busy)
        self._on_deleted = on_deleted
        self._error: Message | None = None
        self._dialog: ft.AlertDialog | None = None
        self.title = heading()
        self.intro = body_text()
        self.button = ft.OutlinedButton(
            key="delete-wallet-btn",
            icon=ft.Icons.DELETE_FOREVER_OUTLINED,
            height=48,
            style=ft.ButtonStyle(color=ft.Colors.ERROR),
            on_click=self._ask,
        )
        self.status = FormStatus("delete-wallet-error")
        # The dialog's controls are made fresh for every dialog (see _ask).
        self.word: ft.TextField | None = None
        self.confirm: ft.FilledButton | None = None
        self.control = card(
            "settings-delete",
            [
                self.title,
                self.intro,
                ft.Semantics(identifier="delete-wallet-btn", content=self.button),
                self.status.control,
            ],
        )

    def buttons(self) -> list[ft.Control]:
        return [self.button]

    def relabel(self) -> None:
        t = self.state.t
        self.title.value = t("settings.delete.title")
        self.intro.value = t("settings.delete.intro")
        self.button.content = t("settings.delete.button")
        self.status.show_error(self.render(self._error))
        if self.busy.action == "delete":
            self.status.show_busy(t("settings.delete.busy"))
        else:
            self.status.hide_busy()

    def _confirm_word(self) -> str:
        return self.state.t("settings.delete.word")

    def _word_matches(self) -> bool:
        typed = (self.word.value or "").strip() if self.word else ""
        return typed.casefold() == self._confirm_word().casefold()

    def _word_changed(self, _e: Any) -> None:
        if self.confirm is not None:
            self.confirm.disabled = not self._word_matches()

    def _ask(self, _e: Any) -> None:
        if self.busy.action:
            return
        t = self.state.t
        # Fresh controls per dialog: a closed dialog stays in the page's dialog list, and
        # moving its children into a new one leaves Flet's diff out of step.
        word = self.word = ft.TextField(
            key="delete-word-input",
            label=t("settings.delete.word_label"),
            autocorrect=False,
            enable_suggestions=False,
            capitalization=ft.TextCapitalization.CHARACTERS,
            on_change=self._word_changed,
        )
        confirm = self.confirm = ft.FilledButton(
            key="delete-wallet-confirm-btn",
            content=t("settings.delete.confirm"),
            icon=ft.Icons.DELETE_FOREVER_OUTLINED,
            disabled=True,
            # No custom ButtonStyle: Flet 1.0.5 rewrites a button's style while sending it,
            # which inside a dialog shows up as a change that never reaches the browser.
            on_click=self._delete,
        )
        cancel = ft.TextButton(
            key="delete-wallet-cancel-btn", content=t("common.cancel"), on_click=self._cancel
        )
        # No key on the dialog itself: closed dialogs stay in the page's dialog list, and
        # two siblings with one key there make Flet's diff freeze the new one.
        self._dialog = ft.AlertDialog(
            modal=True,
            title=ft.Text(t("settings.delete.dialog_title")),
            content=ft.Column(
                [
                    ft.Text(
                        t("settings.delete.dialog_body", word=self._confirm_word()),
                        key="delete-wallet-body",
                    ),
                    ft.Semantics(identifier="delete-word-input", content=word),
                ],
                tight=True,
                spacing=12,
            ),
            actions=[
                ft.Semantics(identifier="delete-wallet-cancel-btn", content=cancel),
                ft.Semantics(identifier="delete-wallet-confirm-btn", content=confirm),
            ],
        )
        open_dialog(self.control.page, self._dialog)

    def _close_dialog(self) -> None:
        close_dialog(self.control.page, self._dialog)
        self._dialog = None

    def _cancel(self, _e: Any) -> None:
        self._close_dialog()
        self.control.page.update()

    async def _delete(self, _e: Any) -> AsyncIterator[None]:
        wallet = self.state.wallet
        if self.busy.action or wallet is None or not self._word_matches():
            return
        self._close_dialog()
        self._error = None
        self.busy.set("delete")
        yield
        deleted = await run_blocking(log, "delete wallet", wallet.delete_wallet)
        if isinstance(deleted, Failed):
            self._error = deleted.message
            self.busy.set(None)
            return
        self.busy.set(None)
        self._on_deleted()
