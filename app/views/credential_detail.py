"""One credential: the microcredential facts at a glance, every other claim with the
issuer's label, validity and revocation status (with "last checked"), Check status and
Delete (after a confirmation).

An Open Badge (a W3C credential, ``claims`` the whole document) is read through
``wallet_core.badge_facts`` instead of claim by claim: its achievement name, picture,
facts, description and criteria (app.components.badge_details), with the rest folded away
under "All details", so no JSON member or IRI reaches the main view."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import flet as ft

from app.components.back_bar import back_bar
from app.components.badge_details import all_details, detail_sections, issuer_address
from app.components.blocking import Failed, run_blocking
from app.components.claim_list import (
    FACTS,
    Row,
    claim_labels,
    fact_rows,
    format_date,
    is_microcredential,
    other_rows,
    pick_display,
    rows_section,
)
from app.components.credential_card import (
    card_colors,
    card_logo,
    issuer_label,
    logo_or_icon,
    mark_chip,
    status_mark,
)
from app.components.dialog import close_dialog, open_dialog
from app.components.layout import FormStatus, phone_view
from app.institutions import recognise
from app.messages import Message
from app.state import SessionState
from wallet_core import StatusState, StoredCredential, Wallet, badge_facts

log = logging.getLogger(__name__)


class DetailScreen:
    def __init__(
        self,
        state: SessionState,
        credential: StoredCredential,
        *,
        on_back: Callable[[], Awaitable[None]],
        on_show_qr: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self.state = state
        self.credential = credential
        # None: not an Open Badge
        self.badge = badge_facts(credential.claims, credential.display.get("endorsements"))
        self._on_back = on_back
        self._on_show_qr = on_show_qr
        self._busy = False
        self._error: Message | None = None
        self._dialog: ft.AlertDialog | None = None

        bar = back_bar(self._back)
        self.appbar, self.title, self.back_button = bar.appbar, bar.title, bar.back_button
        # A badge's short sections (a one-line description) span the width like its facts.
        stretch = ft.CrossAxisAlignment.STRETCH if self.badge else ft.CrossAxisAlignment.START
        self.body = ft.Column(spacing=16, horizontal_alignment=stretch)
        self.check_button = ft.OutlinedButton(
            key="check-status-btn", icon=ft.Icons.SYNC, on_click=self._check_status
        )
        self.delete_button = ft.TextButton(
            key="delete-btn",
            icon=ft.Icons.DELETE_OUTLINE,
            style=ft.ButtonStyle(color=ft.Colors.ERROR),
            on_click=self._ask_delete,
        )
        self.qr_button = ft.FilledTonalButton(
            key="show-as-qr-btn", icon=ft.Icons.QR_CODE_2, height=48, on_click=self._show_qr
        )
        self.status = FormStatus("detail-error")
        actions = ft.Row(
            [
                ft.Semantics(identifier="check-status-btn", content=self.check_button),
                ft.Semantics(identifier="delete-btn", content=self.delete_button),
            ],
            alignment=ft.MainAxisAlignment.SPACE_BETWEEN,
            wrap=True,
        )
        controls: list[ft.Control] = [self.body]
        if on_show_qr is not None:
            controls.append(ft.Semantics(identifier="show-as-qr-btn", content=self.qr_button))
        controls += [actions, self.status.control]
        self.view = phone_view(controls, appbar=self.appbar, top=16)
        self.relabel()

    # -- rendering -----------------------------------------------------------------------

    def relabel(self) -> None:
        t = self.state.t
        self.title.value = t("detail.title")
        self.back_button.tooltip = t("common.back")
        self.check_button.content = t("detail.check_status")
        self.delete_button.content = t("detail.delete")
        self.qr_button.content = t("detail.show_qr")
        self.body.controls = [self._header(), *self._sections()]
        self.status.show_error(self.state.render(self._error) if self._error else None)
        if self._busy:
            self.status.show_busy(t("detail.working"))

    def _issuer_name(self) -> str:
        c = self.credential
        chosen = pick_display(c.display.get("issuer"), self.state.locale)
        name = c.issuer_name or (chosen.name if chosen else "") or c.issuer
        if self.badge is None:
            return name
        named = self.badge.issuer_name or issuer_label(name) or issuer_label(c.issuer)
        return named or self.state.t("home.unknown_issuer")

    def _header(self) -> ft.Control:
        t, c = self.state.t, self.credential
        bg, fg = card_colors(c.display, self.state.locale) or (
            ft.Colors.SECONDARY_CONTAINER,
            ft.Colors.ON_SECONDARY_CONTAINER,
        )
        mark = status_mark(c.status, c.expires_at)
        title = (self.badge.name if self.badge else None) or c.title
        lines: list[ft.Control] = [
            ft.Text(
                title,
                key="detail-title",
                theme_style=ft.TextThemeStyle.TITLE_LARGE,
                weight=ft.FontWeight.W_600,
                color=fg,
            ),
            ft.Text(self._issuer_name(), key="detail-issuer", color=fg),
        ]
        if mark:
            lines.append(mark_chip(mark, t, "detail-mark"))
        return ft.Container(
            bgcolor=bg,
            border_radius=20,
            padding=20,
            content=ft.Row(
                [
                    ft.Column(lines, spacing=6, expand=True),
                    logo_or_icon(card_logo(c.display, self.state.locale, title), fg, size=56),
                ],
                vertical_alignment=ft.CrossAxisAlignment.START,
            ),
        )

    def _section(self, key: str, title: str, content: ft.Control) -> ft.Control:
        return ft.Container(
            key=key,
            bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
            border_radius=16,
            padding=16,
            content=ft.Column(
                [
                    ft.Text(
                        title,
                        theme_style=ft.TextThemeStyle.TITLE_SMALL,
                        weight=ft.FontWeight.W_600,
                        color=ft.Colors.PRIMARY,
                    ),
                    content,
                ],
                spacing=8,
            ),
        )

    def _sections(self) -> list[ft.Control]:
        t, c = self.state.t, self.credential
        if self.badge is not None:
            return self._badge_sections()
        claims = dict(c.claims)
        sections: list[ft.Control] = []
        skip: frozenset[str] = frozenset()
        if is_microcredential(claims, c.type):
            facts = fact_rows(claims, self._issuer_name(), t)
            sections.append(self._section("facts", t("detail.facts"), rows_section(facts)))
            skip = frozenset(FACTS)
        labels = claim_labels(c.display, self.state.locale)
        others = other_rows(claims, labels, t, credential_format=c.format, skip=skip)
        if others:
            sections.append(self._section("claims", t("detail.claims"), rows_section(others)))
        sections.append(self._section("issuer", t("detail.issuer"), self._issuer()))
        sections.append(self._section("validity", t("detail.validity"), self._validity()))
        return sections

    def _badge_sections(self) -> list[ft.Control]:
        t, c, locale = self.state.t, self.credential, self.state.locale
        assert self.badge is not None
        sections = detail_sections(self.badge, t, locale, self._issuer_name(), self._section)
        sections.append(self._section("issuer", t("detail.issuer"), self._issuer()))
        sections.append(self._section("validity", t("detail.validity"), self._validity()))
        # The issuer's DID is technical: only among the details, never in the main view.
        did = [Row("badge-issuer-id", t("badge.facts.issuer_id"), c.issuer)]
        rest = all_details(self.badge, t, did if _is_did(c.issuer) else [])
        return [*sections, rest] if rest is not None else sections

    def _issuer(self) -> ft.Control:
        t, c = self.state.t, self.credential
        demo = self.state.config.demo_issuer_url
        found = recognise(issuer_address(c.issuer, demo), demo_issuer_url=demo)
        if found is None:
            icon, color = ft.Icons.HELP_OUTLINE, ft.Colors.ERROR
            verdict = t("detail.issuer_unknown")
        else:
            icon, color = ft.Icons.VERIFIED_OUTLINED, ft.Colors.PRIMARY
            verdict = t(f"detail.issuer_known.{found.kind}", name=found.name, domain=found.domain)
        address = "" if _is_did(c.issuer) else c.issuer
        return ft.Column(
            [
                ft.Text(address, key="detail-issuer-url", selectable=True, visible=bool(address)),
                ft.Row(
                    [
                        ft.Icon(icon, color=color, size=20),
                        ft.Text(verdict, key="detail-recognised", color=color, expand=True),
                    ],
                    spacing=8,
                    vertical_alignment=ft.CrossAxisAlignment.START,
                ),
            ],
            spacing=4,
        )

    def _validity(self) -> ft.Control:
        t, c = self.state.t, self.credential
        lines: list[ft.Control] = []
        if c.issued_at is not None:
            lines.append(ft.Text(t("detail.issued_on", date=format_date(c.issued_at, t))))
        if c.expires_at is not None:
            key = (
                "detail.expired_on"
                if status_mark(c.status, c.expires_at) == "expired"
                else ("detail.valid_until")
            )
            lines.append(ft.Text(t(key, date=format_date(c.expires_at, t)), key="detail-expires"))
        else:
            lines.append(ft.Text(t("detail.no_expiry"), key="detail-expires"))
        state = c.status.state
        lines.append(
            ft.Text(
                t(f"status.state.{state.value}"),
                key="detail-status",
                weight=ft.FontWeight.W_600,
                color=ft.Colors.ERROR
                if state in (StatusState.INVALID, StatusState.SUSPENDED)
                else None,
            )
        )
        checked = c.status.checked_at
        lines.append(
            ft.Text(
                t("detail.last_checked", date=format_date(checked, t, with_time=True))
                if checked
                else t("detail.never_checked"),
                key="detail-checked",
                color=ft.Colors.ON_SURFACE_VARIANT,
            )
        )
        hosted = c.display.get("hosted_checked_at")
        if isinstance(hosted, int | float):  # an Open Badge 2.0: checked where it is hosted
            moment = datetime.fromtimestamp(hosted, UTC)
            when = format_date(moment, t, with_time=True)
            lines.append(ft.Text(t("detail.hosted_checked", date=when), key="detail-hosted"))
        return ft.Column(lines, spacing=4)

    # -- actions -------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.check_button.disabled = busy
        self.delete_button.disabled = busy
        self.qr_button.disabled = busy
        if not busy:
            self.status.hide_busy()

    async def _check_status(self, _e: Any) -> AsyncIterator[None]:
        wallet = self.state.wallet
        if self._busy or wallet is None:
            return
        self._error = None
        self._set_busy(True)
        self.relabel()
        yield
        credential_id = self.credential.id
        refreshed = await run_blocking(log, "refresh status", _refreshed, wallet, credential_id)
        if isinstance(refreshed, Failed):
            self._error = refreshed.message
        else:
            self.credential = refreshed
        self._set_busy(False)
        self.relabel()

    def _ask_delete(self, _e: Any) -> None:
        if self._busy:
            return
        t = self.state.t
        confirm = ft.FilledButton(
            key="delete-confirm-btn",
            content=t("detail.delete_confirm"),
            icon=ft.Icons.DELETE_OUTLINE,
            on_click=self._delete,
        )
        cancel = ft.TextButton(
            key="delete-cancel-btn", content=t("common.cancel"), on_click=self._cancel_delete
        )
        # No key on the dialog itself: closed dialogs stay in the page's dialog list, and
        # two siblings with one key there make Flet's diff freeze the new one.
        self._dialog = ft.AlertDialog(
            modal=True,
            title=ft.Text(t("detail.delete_title")),
            content=ft.Text(t("detail.delete_body", title=self.credential.title)),
            actions=[
                ft.Semantics(identifier="delete-cancel-btn", content=cancel),
                ft.Semantics(identifier="delete-confirm-btn", content=confirm),
            ],
        )
        open_dialog(self.view.page, self._dialog)

    def _close_dialog(self) -> None:
        close_dialog(self.view.page, self._dialog)
        self._dialog = None

    def _cancel_delete(self, _e: Any) -> None:
        self._close_dialog()
        self.view.page.update()

    async def _delete(self, _e: Any) -> AsyncIterator[None]:
        wallet = self.state.wallet
        if self._busy or wallet is None:
            return
        self._close_dialog()
        self._error = None
        self._set_busy(True)
        self.relabel()
        yield
        deleted = await run_blocking(
            log, "delete credential", wallet.delete_credential, self.credential.id
        )
        if isinstance(deleted, Failed):
            self._error = deleted.message
            self._set_busy(False)
            self.relabel()
            return
        self._set_busy(False)
        await self._on_back()

    async def _show_qr(self, _e: Any) -> None:
        if not self._busy and self._on_show_qr is not None:
            await self._on_show_qr(self.credential.id)

    async def _back(self, _e: Any) -> None:
        if not self._busy:
            await self._on_back()


def _is_did(issuer: str) -> bool:
    return issuer.startswith("did:")


def _refreshed(wallet: Wallet, credential_id: str) -> StoredCredential:
    """Blocking: check the status, then read the credential as it now stands."""
    wallet.refresh_status(credential_id)
    return wallet.credential(credential_id)
