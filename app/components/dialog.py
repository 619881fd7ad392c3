"""Opening and closing a modal dialog, with the Flet quirks handled in one place."""

from __future__ import annotations

import flet as ft


def open_dialog(page: ft.Page, dialog: ft.AlertDialog) -> None:
    page.show_dialog(dialog)
    page.update()  # show_dialog's own partial update leaves the page patch unsent


def close_dialog(page: ft.Page, dialog: ft.AlertDialog | None) -> None:
    """Close ``dialog`` if it is still open; popping a closed one would pop another."""
    if dialog is not None and dialog.open:
        page.pop_dialog()
