"""The unlocked wallet: a card per credential, deferred credentials still on their way,
"Add credential" (-> Receive), "Add from a file" (-> Import) and a Lock button.

``load_home`` gathers what the screen shows (run it in a thread: it reads the vault).
Card colours live in each credential's stored display metadata, so it reads those too;
that is a local decrypt per credential, no signature work and no network.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import flet as ft

from app.components.blocking import Failed, run_blocking
from app.components.card_line import CardFacts, card_facts, card_line
from app.components.credential_card import (
    card_colors,
    card_logo,
    credential_card,
    issuer_label,
    status_mark,
)
from app.components.home_filters import HomeFilters
from app.components.layout import FormStatus, phone_view
from app.components.reminders import reminder_row, reminders
from app.kinds import kind_of
from app.messages import Message, log_failure
from app.state import SessionState
from wallet_core import CredentialSummary, PendingCredential, StoredCredential, Wallet

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HomeData:
    credentials: list[CredentialSummary]
    displays: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    pending: list[PendingCredential] = field(default_factory=list)
    facts: dict[str, CardFacts] = field(default_factory=dict)  # for each card's second line
    last_backup: datetime | None = None


def load_home(wallet: Wallet) -> HomeData:
    """Blocking: summaries, their display metadata, card facts and the pending list."""
    credentials = wallet.credentials()
    displays: dict[str, Mapping[str, Any]] = {}
    facts: dict[str, CardFacts] = {}
    for summary in credentials:
        try:
            stored = wallet.credential(summary.id)
            displays[summary.id] = stored.display
            facts[summary.id] = card_facts(summary, stored.claims, stored.display)
        except Exception as exc:  # one unreadable record must not hide the others
            log_failure(log, "read credential display", exc)
    return HomeData(credentials, displays, wallet.pending(), facts, wallet.last_backup_at)


@dataclass(frozen=True)
class HomeActions:
    """Where the home screen leads. Without ``on_add``, ``on_add_file``, ``on_present``,
    ``on_activity`` or ``on_settings`` that button is not shown; ``on_changed`` runs when a pending
    credential has arrived (the screen is then out of date)."""

    on_lock: Callable[[], None]
    on_open: Callable[[str], Awaitable[None]] | None = None
    on_add: Callable[[], Awaitable[None]] | None = None
    on_add_file: Callable[[], Awaitable[None]] | None = None
    on_changed: Callable[[], Awaitable[None]] | None = None
    on_present: Callable[[], Awaitable[None]] | None = None
    on_activity: Callable[[], Awaitable[None]] | None = None
    on_settings: Callable[[], Awaitable[None]] | None = None


class HomeScreen:
    def __init__(
        self,
        state: SessionState,
        credentials: Sequence[CredentialSummary],
        actions: HomeActions,
        *,
        displays: Mapping[str, Mapping[str, Any]] | None = None,
        pending: Sequence[PendingCredential] = (),
        facts: Mapping[str, CardFacts] | None = None,
        last_backup: datetime | None = None,
    ) -> None:
        self.state = state
        self.credentials = list(credentials)
        self.displays = dict(displays or {})
        self.facts = dict(facts or {})
        self._reminders = reminders(self.credentials, last_backup)
        self.reminders = ft.Column(key="home-reminders", spacing=6)
        self.pending = list(pending)
        self._actions = actions
        self._busy = False
        self._message: Message | None = None
        self._message_is_error = False

        self.lock_button = ft.TextButton(
            key="lock-btn",
            icon=ft.Icons.LOCK_OUTLINE,
            on_click=self._lock,
        )
        self.activity_button = ft.IconButton(
            key="activity-btn", icon=ft.Icons.HISTORY, on_click=self._activity
        )
        self.settings_button = ft.IconButton(
            key="settings-btn", icon=ft.Icons.SETTINGS_OUTLINED, on_click=self._settings
        )
        self.title = ft.Text(key="appbar-title", weight=ft.FontWeight.W_600)
        self.appbar = self._appbar()
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
        self.add_button = ft.FilledTonalButton(
            key="add-btn", icon=ft.Icons.ADD, height=48, on_click=self._add
        )
        self.add_file_button = ft.OutlinedButton(
            key="add-file-btn", icon=ft.Icons.UPLOAD_FILE, height=48, on_click=self._add_file
        )
        self.present_button = ft.FilledButton(
            key="present-btn", icon=ft.Icons.QR_CODE_SCANNER, height=48, on_click=self._present
        )
        self.pending_title = ft.Text(
            theme_style=ft.TextThemeStyle.TITLE_SMALL, weight=ft.FontWeight.W_600
        )
        self.pending_list = ft.Column(key="pending-list", spacing=4)
        self.pending_section = ft.Column(
            [self.pending_title, self.pending_list], spacing=4, visible=bool(self.pending)
        )
        self.status = FormStatus("home-status")
        self.info = ft.Text(key="home-info", text_align=ft.TextAlign.CENTER)
        self.demo_hint = ft.Text(
            key="home-demo-hint",
            theme_style=ft.TextThemeStyle.BODY_MEDIUM,
            text_align=ft.TextAlign.CENTER,
            selectable=True,
            visible=state.config.demo_issuer_url is not None,
        )
        # Cards by credential id: filtering and searching only choose among them.
        self._cards: dict[str, ft.Control] = {}
        self._cards_locale: str | None = None
        self._lines: dict[str, str] = {}
        self.no_match = ft.Text(key="home-no-match", text_align=ft.TextAlign.CENTER, visible=False)
        self.filters = HomeFilters(
            self.credentials,
            kinds={s.id: self._facts_of(s).kind for s in self.credentials},
            institution=self._institution,
            on_change=self._filter_changed,
        )

        body = self.list if self.credentials else self._empty_state()
        header = ft.Column([self.heading, reassurance], spacing=4)
        controls: list[ft.Control] = [header, self.reminders, self.filters.control, body]
        controls.append(self.no_match)
        controls.append(self.pending_section)
        if actions.on_present is not None and self.credentials:
            controls.append(ft.Semantics(identifier="present-btn", content=self.present_button))
        if actions.on_add is not None:
            controls.append(ft.Semantics(identifier="add-btn", content=self.add_button))
        if actions.on_add_file is not None:
            controls.append(ft.Semantics(identifier="add-file-btn", content=self.add_file_button))
        controls += [self.status.control, self.info]
        self.view = phone_view(controls, appbar=self.appbar, top=24)
        self.relabel()

    def _appbar(self) -> ft.AppBar:
        actions: list[ft.Control] = []
        if self._actions.on_activity is not None:
            actions.append(ft.Semantics(identifier="activity-btn", content=self.activity_button))
        if self._actions.on_settings is not None:
            actions.append(ft.Semantics(identifier="settings-btn", content=self.settings_button))
        actions.append(ft.Semantics(identifier="lock-btn", content=self.lock_button))
        return ft.AppBar(
            title=self.title,
            actions=actions,
            actions_padding=ft.Padding.only(right=8),
            title_spacing=24,  # line the title up with the 24 px content margin
            bgcolor=ft.Colors.SURFACE_CONTAINER,
        )

    def _empty_state(self) -> ft.Control:
        return ft.Semantics(
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
                        self.demo_hint,
                    ],
                    spacing=12,
                    horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                ),
            ),
        )

    def relabel(self) -> None:
        t = self.state.t
        self.title.value = t("app.name")
        self.lock_button.content = t("home.lock")
        self.heading.value = t("home.heading")
        self.encrypted.value = t("home.encrypted")
        self.empty_title.value = t("home.empty_title")
        self.empty_body.value = t("home.empty_body")
        self.add_button.content = t("home.add")
        self.add_file_button.content = t("home.add_file")
        self.present_button.content = t("home.present")
        self.activity_button.tooltip = t("home.activity")
        self.settings_button.tooltip = t("home.settings")
        self.pending_title.value = t("home.pending_title")
        if self.state.config.demo_issuer_url:
            config = self.state.config
            self.demo_hint.value = t(
                "home.demo_hint", url=config.demo_issuer_url, employer=config.demo_verifier_url
            )
        self.filters.relabel(t)
        if self._cards_locale != self.state.locale:  # built once per language, then reused
            actions = self._actions
            self.reminders.controls = [
                reminder_row(r, t, on_open=actions.on_open, on_settings=actions.on_settings)
                for r in self._reminders
            ]
            self._lines = {c.id: card_line(self._facts_of(c), t) for c in self.credentials}
            self._cards = {c.id: self._card(c) for c in self.credentials}
            self._cards_locale = self.state.locale
        shown = self.filters.shown(self.credentials, self._lines)
        self.list.controls = [self._cards[c.id] for c in shown]
        self.no_match.value = t("home.no_match")
        self.no_match.visible = bool(self.credentials) and not shown
        self.pending_list.controls = [self._pending_row(p) for p in self.pending]
        text = self.state.render(self._message) if self._message else ""
        self.status.show_error(text if self._message_is_error else None)
        self.info.value = "" if self._message_is_error else text
        if self._busy:
            self.status.show_busy(t("home.checking"))

    def _institution(self, summary: CredentialSummary) -> str:
        # A bare DID (an edubadge's issuer) is no name: its host for did:web, else "unknown".
        name = issuer_label(summary.issuer_name) or issuer_label(summary.issuer)
        return name or self.state.t("home.unknown_issuer")

    def _filter_changed(self, _e: Any) -> None:
        self.relabel()

    def _card(self, summary: CredentialSummary) -> ft.Control:
        t = self.state.t
        return credential_card(
            credential_id=summary.id,
            title=summary.title,
            issuer=self._institution(summary),
            colors=card_colors(self.displays.get(summary.id), self.state.locale),
            logo=card_logo(self.displays.get(summary.id), self.state.locale, summary.title),
            mark=status_mark(summary.status, summary.expires_at),
            t=t,
            on_open=self._actions.on_open,
            line=self._lines.get(summary.id, ""),
        )

    def _facts_of(self, summary: CredentialSummary) -> CardFacts:
        known = self.facts.get(summary.id)
        return known or CardFacts(
            kind_of(summary, self.displays.get(summary.id)),
            on=summary.issued_at or summary.added_at,
        )

    def _pending_row(self, pending: PendingCredential) -> ft.Control:
        button = ft.TextButton(
            key=f"pending-{pending.id}",
            content=self.state.t("home.pending_check"),
            icon=ft.Icons.REFRESH,
            on_click=lambda _e, pid=pending.id: self._poll(pid),
            disabled=self._busy,
        )
        return ft.ListTile(
            leading=ft.Icon(ft.Icons.HOURGLASS_TOP, color=ft.Colors.ON_SURFACE_VARIANT),
            title=ft.Text(pending.title or pending.configuration_id),
            subtitle=ft.Text(self.state.t("home.pending_waiting")),
            trailing=ft.Semantics(identifier=f"pending-{pending.id}", content=button),
        )

    async def _poll(self, pending_id: str) -> AsyncIterator[None]:
        wallet = self.state.wallet
        if self._busy or wallet is None:
            return
        self._busy, self._message = True, None
        self.relabel()
        yield
        result = await run_blocking(log, "poll pending", wallet.poll_pending, pending_id)
        if isinstance(result, Failed):
            self._message, self._message_is_error = result.message, True
        self._busy = False
        self.status.hide_busy()
        if isinstance(result, StoredCredential):
            if self._actions.on_changed is not None:
                await self._actions.on_changed()
            return
        if isinstance(result, PendingCredential):
            self._message, self._message_is_error = Message("home.pending_not_ready"), False
        self.relabel()

    async def _add(self, _e: Any) -> None:
        if self._actions.on_add is not None:
            await self._actions.on_add()

    async def _add_file(self, _e: Any) -> None:
        if self._actions.on_add_file is not None and not self._busy:
            await self._actions.on_add_file()

    async def _present(self, _e: Any) -> None:
        if self._actions.on_present is not None and not self._busy:
            await self._actions.on_present()

    async def _activity(self, _e: Any) -> None:
        if self._actions.on_activity is not None and not self._busy:
            await self._actions.on_activity()

    async def _settings(self, _e: Any) -> None:
        if self._actions.on_settings is not None and not self._busy:
            await self._actions.on_settings()

    def _lock(self, _e: Any) -> None:
        self._actions.on_lock()
