"""The first step of receiving and of sharing: paste a link, then continue."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import flet as ft


@dataclass
class LinkStep:
    intro: ft.Text
    link: ft.TextField
    continue_button: ft.FilledButton
    column: ft.Column


def link_step(
    input_id: str,
    *,
    on_change: Callable[..., Any],
    on_continue: Callable[..., Any],
    key: str | None = None,
) -> LinkStep:
    """``input_id`` names the text field for the harness and the browser (``offer-input``…)."""
    intro = ft.Text(theme_style=ft.TextThemeStyle.BODY_LARGE)
    link = ft.TextField(
        key=input_id,
        multiline=True,
        min_lines=2,
        max_lines=5,
        autocorrect=False,
        enable_suggestions=False,
        prefix_icon=ft.Icons.LINK,
        on_change=on_change,
    )
    continue_button = ft.FilledButton(
        key="continue-btn", icon=ft.Icons.ARROW_FORWARD, height=48, on_click=on_continue
    )
    column = ft.Column(
        [
            intro,
            ft.Semantics(identifier=input_id, content=link),
            ft.Semantics(identifier="continue-btn", content=continue_button),
        ],
        key=key,
        spacing=16,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
    )
    return LinkStep(intro, link, continue_button, column)
