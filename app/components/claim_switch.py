"""One claim with its switch, as the share screen and the offline QR code's picker both
draw it: the label on the left, the switch on the right, so a switch is where it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft


def claim_switch(
    label: str,
    key: str,
    *,
    value: bool,
    disabled: bool,
    icon: ft.IconData | None = None,
    tooltip: str | None = None,
    on_change: Callable[[Any], None] | None = None,
) -> ft.Row:
    """The switch's key doubles as its test identifier."""
    leading = [ft.Icon(icon, size=18, color=ft.Colors.ON_SURFACE_VARIANT)] if icon else []
    return ft.Row(
        [
            *leading,
            ft.Text(label, expand=True),
            ft.Semantics(
                identifier=key,
                content=ft.Switch(
                    key=key, value=value, disabled=disabled, tooltip=tooltip, on_change=on_change
                ),
            ),
        ],
        spacing=8,
    )
