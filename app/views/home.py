"""The unlocked wallet: the list of credentials (empty in step 1) and a Lock button."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import flet as ft

from app.components.layout import phone_view
from app.state import SessionState
from wallet_core.models import CredentialSummary

ROUTE = "/"


class HomeScreen:
    def __init__(
        self,
        state: SessionState,
        credentials: Sequence[CredentialSummary],
        *,
        on_lock: Callable[[], None],
    ) -> None:
        self.state = state
        self.credentials = list(credentials)
        self._on_lock = on_lock

        self.lock_button = ft.TextButton(
            key="lock-btn",
            icon=ft.Icons.LOCK_OUTLINE,
            on_click=self._lock,
        )
        self.title = ft.Text(key="appbar-title", weight=ft.FontWeight.W_600)
        self.appbar = ft.AppBar(
            title=self.title,
            actions=[ft.Semantics(identifier="lock-btn", content=self.lock_button)],
            actions_padding=ft.Padding.only(right=8),
            title_spacing=24,  # line the title up with the 24 px content margin
            bgcolor=ft.Colors.SURFACE_CONTAINER,
        )
        self.heading = ft.Text(
            theme_style=ft.TextThemeStyle.TITLE_LARGE, weight=ft.FontWeight.W_600
        )
        self.encrypted = ft.Text(
            theme_style=ft.TextThemeStyle.BODY_MEDIUM, color=ft.Colors.ON_SURFACE_VARIANT
        )
        reassurance = ft.Row(
            [
                ft.Icon(ft.Icons.VERIFIED_USER_OUTLINED, size=18, color=ft.Colors.PRIMARY),
                self.encrypted,
            ],
            spacing=6,
        )
        self.empty_title = ft.Text(
            theme_style=ft.TextThemeStyle.TITLE_MEDIUM,
            text_align=ft.TextAlign.CENTER,
            weight=ft.FontWeight.W_600,
        )
        self.empty_body = ft.Text(
            theme_style=ft.TextThemeStyle.BODY_MEDIUM,
            text_align=ft.TextAlign.CENTER,
            color=ft.Colors.ON_SURFACE_VARIANT,
        )
        self.list = ft.Column(key="credential-list", spacing=8)

        body: ft.Control
        if self.credentials:
            body = self.list
        else:
            body = ft.Semantics(
                identifier="home-empty",
                container=True,
                content=ft.Container(
                    key="home-empty",
                    bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
                    border_radius=20,
                    padding=ft.Padding.symmetric(horizontal=24, vertical=40),
                    content=ft.Column(
                        [
                            ft.Container(
                                content=ft.Icon(
                                    ft.Icons.QR_CODE_SCANNER,
                                    size=40,
                                    color=ft.Colors.ON_SECONDARY_CONTAINER,
                                ),
                                width=80,
                                height=80,
                                border_radius=40,
                                bgcolor=ft.Colors.SECONDARY_CONTAINER,
                                alignment=ft.Alignment.CENTER,
                            ),
                            self.empty_title,
                            self.empty_body,
                        ],
                        spacing=12,
                        horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                    ),
                ),
            )

        header = ft.Column([self.heading, reassurance], spacing=4)
        self.view = phone_view(ROUTE, [header, body], appbar=self.appbar, top=24)
        self.relabel()

    def relabel(self) -> None:
        t = self.state.t
        self.title.value = t("app.name")
        self.lock_button.content = t("home.lock")
        self.heading.value = t("home.heading")
        self.encrypted.value = t("home.encrypted")
        self.empty_title.value = t("home.empty_title")
        self.empty_body.value = t("home.empty_body")
        self.list.controls = [self._card(c) for c in self.credentials]

    def _card(self, summary: CredentialSummary) -> ft.Control:
        return ft.Card(
            key=f"cred-{summary.id}",
            variant=ft.CardVariant.FILLED,
            content=ft.ListTile(
                leading=ft.Icon(ft.Icons.SCHOOL_OUTLINED, color=ft.Colors.PRIMARY),
                title=ft.Text(summary.title, weight=ft.FontWeight.W_600),
                subtitle=ft.Text(
                    summary.issuer_name or summary.issuer or self.state.t("home.unknown_issuer")
                ),
            ),
        )

    def _lock(self, _e: Any) -> None:
        self._on_lock()
