"""An on-screen number pad for the PIN field, as on a phone's lock screen.

It types into a ``PinField``; the field stays, because a PIN may also be a passphrase
and a hardware keyboard is faster on a desktop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from app.components.pin_field import PinField

KEY_SIZE = 64
ROWS = (("1", "2", "3"), ("4", "5", "6"), ("7", "8", "9"), ("back", "0", "ok"))


class PinPad:
    def __init__(self, field: PinField, *, on_ok: Callable[[Any], Any]) -> None:
        self._field = field
        self._on_ok = on_ok
        self.keys: dict[str, ft.Control] = {}
        rows: list[ft.Control] = []
        for row in ROWS:
            rows.append(
                ft.Row(
                    [self._key(name) for name in row],
                    alignment=ft.MainAxisAlignment.CENTER,
                    spacing=20,
                )
            )
        self.control = ft.Column(
            rows, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.CENTER
        )

    def _key(self, name: str) -> ft.Control:
        key = f"pad-{name}"
        button: ft.Control
        if name == "back":
            button = ft.IconButton(
                key=key,
                icon=ft.Icons.BACKSPACE_OUTLINED,
                width=KEY_SIZE,
                height=KEY_SIZE,
                on_click=self._backspace,
            )
        elif name == "ok":
            # No ButtonStyle: Flet 1.0.5 rewrites a style while sending it, so the button
            # would look changed after every event.
            button = ft.FilledTonalIconButton(
                key=key,
                icon=ft.Icons.ARROW_FORWARD,
                width=KEY_SIZE,
                height=KEY_SIZE,
                on_click=self._on_ok,
            )
        else:
            button = ft.TextButton(
                key=key,
                content=ft.Text(name, size=24, weight=ft.FontWeight.W_500),
                width=KEY_SIZE,
                height=KEY_SIZE,
                on_click=lambda _e, digit=name: self._type(digit),
            )
        self.keys[name] = button
        return ft.Semantics(identifier=key, content=button)

    def set_labels(self, *, backspace: str, ok: str) -> None:
        for name, label in (("back", backspace), ("ok", ok)):
            button = self.keys[name]
            assert isinstance(button, ft.IconButton)
            button.tooltip = label

    def set_disabled(self, disabled: bool) -> None:
        for button in self.keys.values():
            button.disabled = disabled

    def _type(self, digit: str) -> None:
        self._field.append(digit)

    def _backspace(self, _e: Any) -> None:
        self._field.backspace()
