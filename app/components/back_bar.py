"""The app bar of every screen below home: a back arrow and a title."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import flet as ft


@dataclass
class BackBar:
    appbar: ft.AppBar
    title: ft.Text
    back_button: ft.IconButton


def back_bar(on_back: Callable[..., Any]) -> BackBar:
    """Stable identifiers (``back-btn``, ``appbar-title``) for the harness and the browser."""
    back_button = ft.IconButton(key="back-btn", icon=ft.Icons.ARROW_BACK, on_click=on_back)
    title = ft.Text(key="appbar-title", weight=ft.FontWeight.W_600)
    appbar = ft.AppBar(
        leading=ft.Semantics(identifier="back-btn", content=back_button),
        title=title,
        bgcolor=ft.Colors.SURFACE_CONTAINER,
    )
    return BackBar(appbar, title, back_button)
