"""Page frame and the small building blocks every screen uses.

The app is designed for a phone: content is a single column, at most ``MAX_WIDTH`` wide,
centred on larger windows.
"""

from __future__ import annotations

import flet as ft

MAX_WIDTH = 420
SEED_COLOR = "#1E6F86"  # a calm teal-blue


def theme() -> ft.Theme:
    """Material 3 from one seed; Flutter derives the light and the dark scheme from it."""
    return ft.Theme(color_scheme_seed=SEED_COLOR, use_material3=True)


def phone_view(
    controls: list[ft.Control],
    *,
    appbar: ft.AppBar | None = None,
    top: int = 32,
) -> ft.View:
    column = ft.Column(
        controls=controls,
        spacing=16,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        tight=True,
    )
    frame = ft.Container(
        content=column,
        width=MAX_WIDTH,
        padding=ft.Padding.only(left=24, right=24, top=top, bottom=32),
    )
    return ft.View(  # its route is the address the shell shows it at
        appbar=appbar,
        controls=[frame],
        horizontal_alignment=ft.CrossAxisAlignment.CENTER,
        scroll=ft.ScrollMode.AUTO,
        padding=0,
    )


class ScreenHeader:
    """Round icon badge, headline and one line of explanation."""

    def __init__(self, icon: ft.IconData) -> None:
        self.title = ft.Text(
            theme_style=ft.TextThemeStyle.HEADLINE_SMALL,
            text_align=ft.TextAlign.CENTER,
            weight=ft.FontWeight.W_600,
        )
        self.subtitle = ft.Text(
            theme_style=ft.TextThemeStyle.BODY_LARGE,
            text_align=ft.TextAlign.CENTER,
            color=ft.Colors.ON_SURFACE_VARIANT,
        )
        badge = ft.Container(
            content=ft.Icon(icon, size=36, color=ft.Colors.ON_PRIMARY_CONTAINER),
            width=72,
            height=72,
            border_radius=36,
            bgcolor=ft.Colors.PRIMARY_CONTAINER,
            alignment=ft.Alignment.CENTER,
        )
        self.control = ft.Column(
            controls=[badge, self.title, self.subtitle],
            spacing=8,
            horizontal_alignment=ft.CrossAxisAlignment.CENTER,
        )

    def set_texts(self, title: str, subtitle: str) -> None:
        self.title.value = title
        self.subtitle.value = subtitle


class FormStatus:
    """The line under a form: a progress ring while working, or an error message."""

    def __init__(self, key: str = "form-error") -> None:
        self.ring = ft.ProgressRing(width=20, height=20, stroke_width=2.5)
        self.busy_text = ft.Text(theme_style=ft.TextThemeStyle.BODY_MEDIUM)
        self.busy = ft.Row(
            controls=[self.ring, self.busy_text],
            alignment=ft.MainAxisAlignment.CENTER,
            spacing=12,
            visible=False,
            key="busy",
        )
        self.error = ft.Text(key=key, color=ft.Colors.ERROR, text_align=ft.TextAlign.CENTER)
        # Hide the wrapper, never its content: Flet 1.0.5 paints a red "Semantics.content
        # must be provided and visible" box for a Semantics whose content is invisible.
        self.error_box = ft.Semantics(
            identifier=key, live_region=True, content=self.error, visible=False
        )
        self.control = ft.Column(
            controls=[self.busy, self.error_box],
            spacing=0,
            horizontal_alignment=ft.CrossAxisAlignment.CENTER,
        )

    def show_busy(self, label: str) -> None:
        self.busy_text.value = label
        self.busy.visible = True
        self.show_error(None)

    def hide_busy(self) -> None:
        self.busy.visible = False

    def show_error(self, text: str | None) -> None:
        self.error.value = text or ""
        self.error_box.visible = bool(text)
