"""The first step of receiving and of sharing: paste a link or scan a QR image, continue."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import flet as ft

from app.components.scan import scan_picture
from app.messages import Message


class LinkStep:
    """``input_id`` names the text field for the harness and the browser (``offer-input``…).

    ``on_continue`` is the screen's async-generator handler; a scanned QR code's text is
    put in the field and continued with, as if pasted. ``on_error`` shows a scan problem.
    """

    def __init__(
        self,
        input_id: str,
        *,
        on_change: Callable[..., Any],
        on_continue: Callable[[Any], AsyncIterator[None]],
        on_error: Callable[[Message], None],
        is_busy: Callable[[], bool],
        key: str | None = None,
    ) -> None:
        self._on_continue = on_continue
        self._on_error = on_error
        self._is_busy = is_busy
        self.intro = ft.Text(theme_style=ft.TextThemeStyle.BODY_LARGE)
        self.link = ft.TextField(
            key=input_id,
            multiline=True,
            min_lines=2,
            max_lines=5,
            autocorrect=False,
            enable_suggestions=False,
            prefix_icon=ft.Icons.LINK,
            on_change=on_change,
        )
        self.continue_button = ft.FilledButton(
            key="continue-btn", icon=ft.Icons.ARROW_FORWARD, height=48, on_click=on_continue
        )
        self.scan_button = ft.OutlinedButton(
            key="scan-image-btn", icon=ft.Icons.QR_CODE_2, height=48, on_click=self._scan
        )
        self.column = ft.Column(
            [
                self.intro,
                ft.Semantics(identifier=input_id, content=self.link),
                ft.Semantics(identifier="continue-btn", content=self.continue_button),
                ft.Semantics(identifier="scan-image-btn", content=self.scan_button),
            ],
            key=key,
            spacing=16,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )

    def relabel(self, t: Callable[[str], str], screen: str, hint: str) -> None:
        """Texts from ``<screen>.intro`` / ``.link_label`` / ``.continue``; ``hint`` shows
        the kind of link expected (a URL scheme, the same in every language)."""
        self.intro.value = t(f"{screen}.intro")
        self.link.label = t(f"{screen}.link_label")
        self.link.hint_text = hint
        self.continue_button.content = t(f"{screen}.continue")
        self.scan_button.content = t("scan.image")

    def set_busy(self, busy: bool) -> None:
        self.continue_button.disabled = busy
        self.scan_button.disabled = busy

    async def _scan(self, e: Any) -> AsyncIterator[None]:
        if self._is_busy():
            return
        found = await scan_picture()
        if isinstance(found, Message):
            self._on_error(found)
            return
        if found is None:
            return  # the user cancelled
        self.link.value = found
        async for _ in self._on_continue(e):
            yield
