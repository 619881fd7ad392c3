"""Nederlands / English switch. Language names are shown in their own language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from app.i18n import SUPPORTED_LOCALES, t

PICKER_KEY = "lang-picker"


def language_picker(current: str, on_pick: Callable[[str], None]) -> ft.SegmentedButton:
    def changed(e: Any) -> None:
        selected = e.control.selected
        if selected:
            on_pick(selected[0])

    return ft.SegmentedButton(
        key=PICKER_KEY,
        selected=[current],
        allow_empty_selection=False,
        allow_multiple_selection=False,
        show_selected_icon=False,
        segments=[
            ft.Segment(
                value=code,
                label=ft.Semantics(
                    identifier=f"lang-{code}",
                    content=ft.Text(t(f"lang.{code}", code)),
                ),
            )
            for code in SUPPORTED_LOCALES
        ],
        on_change=changed,
    )
