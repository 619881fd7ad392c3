"""Settings: language, change PIN, back up and restore, locking, delete the wallet, about.

Every wallet call here is blocking (the PIN change and the backup each run Argon2id), so
each runs in a thread behind one busy flag (:class:`~app.views.settings_parts.Busy`) that
stops double taps and a second action. The PIN, backup and delete cards are sections of
their own (``settings_pin``, ``settings_backup``, ``settings_delete``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft

from app.components.back_bar import back_bar
from app.components.blocking import Failed, run_blocking
from app.components.language_picker import language_picker
from app.components.layout import phone_view
from app.idle import (
    HIDDEN_CHOICES_SECONDS,
    HIDDEN_SETTING,
    IDLE_CHOICES_MINUTES,
    IDLE_SETTING,
)
from app.idle import hidden_seconds as valid_hidden_seconds
from app.idle import idle_minutes as valid_idle_minutes
from app.licences import app_version, dependency_licences
from app.state import SessionState
from app.views.settings_backup import BackupSection
from app.views.settings_delete import DeleteSection
from app.views.settings_parts import Busy, body_text, card, heading
from app.views.settings_pin import PinSection
from wallet_core import Wallet

log = logging.getLogger(__name__)


class SettingsScreen:
    def __init__(
        self,
        state: SessionState,
        *,
        idle_minutes: int,
        hidden_seconds: int,
        on_back: Callable[[], Awaitable[None]],
        on_language: Callable[[str], None],
        on_lock: Callable[[], None],
        on_deleted: Callable[[], None],
        on_restore: Callable[[], Awaitable[None]],
        on_lock_times_changed: Callable[[int, int], None],
    ) -> None:
        self.state = state
        self._on_back = on_back
        self._on_lock = on_lock
        self._on_lock_times_changed = on_lock_times_changed
        self.busy = Busy(self._busy_changed)

        bar = back_bar(self._back)
        self.appbar, self.title, self.back_button = bar.appbar, bar.title, bar.back_button

        self.language_title = heading()
        self.languages = language_picker(state.locale, on_language)
        self.pin = PinSection(state, self.busy)
        self.backup = BackupSection(state, self.busy, on_restore=on_restore)
        self.delete = DeleteSection(state, self.busy, on_deleted=on_deleted)

        self.lock_title = heading()
        self.lock_button = ft.OutlinedButton(
            key="lock-now-btn", icon=ft.Icons.LOCK_OUTLINE, height=48, on_click=self._lock
        )
        self.lock_intro = body_text()
        self.idle_choice = ft.Dropdown(
            key="idle-lock-select",
            value=str(idle_minutes),
            on_select=self._lock_time_chosen,
        )
        self.hidden_choice = ft.Dropdown(
            key="hidden-lock-select",
            value=str(hidden_seconds),
            on_select=self._lock_time_chosen,
        )

        self.about_title = heading()
        self.about_version = ft.Text(key="about-version")
        self.about_licence = body_text("about-licence")
        self.about_dependencies_title = ft.Text(weight=ft.FontWeight.W_600)
        self.about_dependencies = ft.Column(
            [
                ft.Text(
                    f"{dep.package} {dep.version} — {dep.licence or '?'}",
                    theme_style=ft.TextThemeStyle.BODY_SMALL,
                    selectable=True,
                )
                for dep in dependency_licences()
            ],
            key="about-dependencies",
            spacing=2,
        )

        sections = [
            card("settings-language", [self.language_title, self.languages]),
            self.pin.control,
            self.backup.control,
            card(
                "settings-lock",
                [
                    self.lock_title,
                    self.lock_intro,
                    ft.Semantics(identifier="idle-lock-select", content=self.idle_choice),
                    ft.Semantics(identifier="hidden-lock-select", content=self.hidden_choice),
                    ft.Semantics(identifier="lock-now-btn", content=self.lock_button),
                ],
            ),
            self.delete.control,
            card(
                "settings-about",
                [
                    self.about_title,
                    self.about_version,
                    self.about_licence,
                    self.about_dependencies_title,
                    self.about_dependencies,
                ],
            ),
        ]
        self.view = phone_view(sections, appbar=self.appbar, top=16)
        self.relabel()

    def relabel(self) -> None:
        t = self.state.t
        self.title.value = t("settings.title")
        self.back_button.tooltip = t("common.back")
        self.language_title.value = t("settings.language")
        self.languages.selected = [self.state.locale]
        for section in (self.pin, self.backup, self.delete):
            section.relabel()
        self.lock_title.value = t("settings.lock.title")
        self.lock_button.content = t("settings.lock.button")
        self.lock_intro.value = t("settings.lock.intro")
        self.idle_choice.label = t("settings.lock.idle")
        self.idle_choice.options = [
            ft.DropdownOption(key=str(n), text=self.state.tn("settings.lock.minutes", n))
            for n in IDLE_CHOICES_MINUTES
        ]
        self.hidden_choice.label = t("settings.lock.hidden")
        self.hidden_choice.options = [
            ft.DropdownOption(key=str(n), text=self._grace_text(n)) for n in HIDDEN_CHOICES_SECONDS
        ]
        self.about_title.value = t("settings.about.title")
        self.about_version.value = t("settings.about.version", version=app_version())
        self.about_licence.value = t("settings.about.licence")
        self.about_dependencies_title.value = t("settings.about.dependencies")

    def _busy_changed(self) -> None:
        running = self.busy.action is not None
        controls: list[ft.Control] = [self.lock_button, self.languages]
        for section in (self.pin, self.backup, self.delete):
            controls += section.buttons()
        for control in controls:
            control.disabled = running
        self.relabel()

    # -- lock ----------------------------------------------------------------------------

    def _grace_text(self, seconds: int) -> str:
        if seconds == 0:
            return self.state.t("settings.lock.hidden_now")
        if seconds < 60:
            return self.state.tn("settings.lock.hidden_seconds", seconds)
        return self.state.tn("settings.lock.hidden_minutes", seconds // 60)

    def _lock(self, _e: Any) -> None:
        if not self.busy.action:
            self._on_lock()

    async def _lock_time_chosen(self, _e: Any) -> None:
        wallet = self.state.wallet
        if wallet is None:
            return
        minutes = valid_idle_minutes(_number(self.idle_choice.value))
        grace = valid_hidden_seconds(_number(self.hidden_choice.value))
        saved = await run_blocking(log, "save lock times", _save_lock_times, wallet, minutes, grace)
        if not isinstance(saved, Failed):
            self._on_lock_times_changed(minutes, grace)

    def leave(self) -> bool:
        return self.busy.action is None

    async def _back(self, _e: Any) -> None:
        if self.leave():
            await self._on_back()


def _number(chosen: str | None) -> int | None:
    """A dropdown's key as a number; anything else (a stray value) is None."""
    return int(chosen) if chosen and chosen.isascii() and chosen.isdigit() else None


def _save_lock_times(wallet: Wallet, minutes: int, grace: int) -> None:
    wallet.set_setting(IDLE_SETTING, minutes)
    wallet.set_setting(HIDDEN_SETTING, grace)
