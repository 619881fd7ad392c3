"""What the settings sections share: one busy flag and the way a section looks."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from app.messages import Message
from app.state import SessionState


class Busy:
    """Which one action of the settings screen runs ("pin", "backup", "delete"), if any.

    One flag for every section: a second action must not start while Argon2id runs for the
    first. Setting it calls the screen back, which enables or disables every section.
    """

    def __init__(self, on_change: Callable[[], None]) -> None:
        self.action: str | None = None
        self._on_change = on_change

    def set(self, action: str | None) -> None:
        self.action = action
        self._on_change()


class Section:
    """A settings card: its controls, its own messages (kept untranslated, so a language
    switch renders them again), and the buttons a running action disables."""

    def __init__(self, state: SessionState, busy: Busy) -> None:
        self.state = state
        self.busy = busy

    def render(self, message: Message | None) -> str | None:
        return self.state.render(message) if message else None

    def buttons(self) -> list[ft.Control]:
        return []

    def relabel(self) -> None:
        raise NotImplementedError


def heading() -> ft.Text:
    return ft.Text(
        theme_style=ft.TextThemeStyle.TITLE_SMALL,
        weight=ft.FontWeight.W_600,
        color=ft.Colors.PRIMARY,
    )


def body_text(key: str | None = None) -> ft.Text:
    return ft.Text(
        key=key, theme_style=ft.TextThemeStyle.BODY_MEDIUM, color=ft.Colors.ON_SURFACE_VARIANT
    )


def card(key: str, controls: list[ft.Control]) -> ft.Control:
    return ft.Container(
        key=key,
        bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
        border_radius=16,
        padding=16,
        content=ft.Column(controls, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
    )
