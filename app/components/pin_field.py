"""A masked PIN / passphrase input that Playwright and the test harness can both find."""

from __future__ import annotations

import logging
from typing import Any

import flet as ft

log = logging.getLogger(__name__)


class PinField:
    """A password ``TextField`` wrapped in ``Semantics(identifier=key)``.

    ``key`` doubles as the Flutter key (for the in-process harness) and the semantics
    identifier (``[flt-semantics-identifier=...]`` in the browser). Passphrases are
    allowed, so the keyboard is not forced to digits.
    """

    def __init__(
        self,
        key: str,
        *,
        on_submit: ft.ControlEventHandler[ft.TextField] | None = None,
        autofocus: bool = False,
    ) -> None:
        self.field = ft.TextField(
            key=key,
            password=True,
            can_reveal_password=True,
            autofocus=autofocus,
            autocorrect=False,
            enable_suggestions=False,
            enable_ime_personalized_learning=False,
            prefix_icon=ft.Icons.PIN_OUTLINED,
            helper_max_lines=2,
            error_max_lines=3,
            on_submit=on_submit,
            on_change=self._forget_error,
        )
        self.control = ft.Semantics(identifier=key, content=self.field)

    @property
    def value(self) -> str:
        return self.field.value or ""

    def clear(self) -> None:
        self.field.value = ""

    def append(self, text: str) -> None:
        self.field.value = self.value + text
        self.field.error = None

    def backspace(self) -> None:
        self.field.value = self.value[:-1]

    def set_label(self, label: str, helper: str | None = None) -> None:
        self.field.label = label
        self.field.helper = helper

    def set_error(self, text: str | None) -> None:
        self.field.error = text

    async def focus(self) -> None:
        """Best effort: a tab that has gone away cannot answer, and that is no error."""
        try:
            await self.field.focus()  # type: ignore[no-untyped-call]  # untyped in flet 1.0.5
        except Exception as exc:
            log.debug("focus not delivered: %s", type(exc).__name__)

    def _forget_error(self, _e: Any) -> None:
        # A stale "wrong PIN" under a field the user is retyping reads like a new failure.
        if self.field.error:
            self.field.error = None
