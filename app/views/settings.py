"""Settings: language, change PIN, back up and restore, locking, delete the wallet, about.

Every wallet call here is blocking (the PIN change and the backup each run Argon2id), so
each runs in a thread behind one busy flag that stops double taps.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import flet as ft

from app.components.back_bar import back_bar
from app.components.dialog import close_dialog, open_dialog
from app.components.files import offer_download
from app.components.language_picker import language_picker
from app.components.layout import FormStatus, phone_view
from app.components.pin_field import PinField
from app.idle import (
    HIDDEN_CHOICES_SECONDS,
    HIDDEN_SETTING,
    IDLE_CHOICES_MINUTES,
    IDLE_SETTING,
)
from app.idle import hidden_seconds as valid_hidden_seconds
from app.idle import idle_minutes as valid_idle_minutes
from app.licences import app_version, dependency_licences
from app.messages import Message, error_message, log_failure, passphrase_message, weak_pin_message
from app.state import SessionState
from wallet_core import (
    LockedOutError,
    Wallet,
    WeakPassphraseError,
    WeakPinError,
    WrongPinError,
    check_backup_passphrase,
    check_pin,
)

log = logging.getLogger(__name__)

BACKUP_DIRNAME = "backups"
BACKUP_SUFFIX = ".eduwallet-backup"


def default_backup_name(now: datetime | None = None) -> str:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"eduwallet-{stamp}{BACKUP_SUFFIX}"


def backup_file_name(name: str) -> str | None:
    """A plain file name with the backup suffix, or None for anything path-like."""
    name = name.strip()
    if not name or name.startswith(".") or Path(name).name != name or "\\" in name:
        return None
    return name if name.endswith(BACKUP_SUFFIX) else name + BACKUP_SUFFIX


class BackupExistsError(Exception):
    """The chosen backup file is already there; never overwrite an earlier backup."""


def write_backup(wallet: Wallet, directory: Path, name: str, passphrase: str) -> Path:
    """Blocking: the encrypted backup, written into ``directory`` (created if missing)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / name
    if path.exists():
        raise BackupExistsError(name)
    wallet.export_backup(path, passphrase)
    return path


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
        self._on_deleted = on_deleted
        self._on_restore = on_restore
        self._on_lock_times_changed = on_lock_times_changed
        self._busy: str | None = None  # which action is running: "pin", "backup", "delete"
        self._dialog: ft.AlertDialog | None = None
        # Messages stay untranslated so a language switch re-renders them.
        self._pin_errors: dict[str, Message | None] = {}
        self._pin_form: Message | None = None
        self._pin_done = False
        self._backup_errors: dict[str, Message | None] = {}
        self._backup_form: Message | None = None
        self._backup_path: Path | None = None
        self._delete_error: Message | None = None

        bar = back_bar(self._back)
        self.appbar, self.title, self.back_button = bar.appbar, bar.title, bar.back_button

        # Language
        self.language_title = self._heading()
        self.languages = language_picker(state.locale, on_language)

        # Change PIN
        self.pin_title = self._heading()
        self.current_pin = PinField("settings-pin-current-input", on_submit=self._focus_new)
        self.new_pin = PinField("settings-pin-new-input", on_submit=self._focus_repeat)
        self.repeat_pin = PinField("settings-pin-repeat-input", on_submit=self._change_pin)
        self.pin_button = ft.FilledTonalButton(
            key="change-pin-btn", icon=ft.Icons.PASSWORD, height=48, on_click=self._change_pin
        )
        self.pin_status = FormStatus("change-pin-error")
        self.pin_info = ft.Text(key="change-pin-info", color=ft.Colors.PRIMARY)

        # Backup
        self.backup_title = self._heading()
        self.backup_intro = self._body_text()
        self.passphrase = PinField("backup-passphrase-input")
        self.passphrase_repeat = PinField("backup-passphrase-repeat-input")
        self.backup_name = ft.TextField(
            key="backup-name-input",
            value=default_backup_name(),
            prefix_icon=ft.Icons.INSERT_DRIVE_FILE_OUTLINED,
            autocorrect=False,
            enable_suggestions=False,
            error_max_lines=2,
            on_change=self._forget_name_error,
        )
        self.backup_button = ft.FilledTonalButton(
            key="export-backup-btn", icon=ft.Icons.SAVE_ALT, height=48, on_click=self._export
        )
        self.backup_status = FormStatus("backup-error")
        self.backup_info = ft.Text(key="backup-info", color=ft.Colors.PRIMARY, selectable=True)
        self.restore_intro = self._body_text()
        self.restore_button = ft.OutlinedButton(
            key="open-restore-btn",
            icon=ft.Icons.SETTINGS_BACKUP_RESTORE,
            height=48,
            on_click=self._restore,
        )

        # Lock
        self.lock_title = self._heading()
        self.lock_button = ft.OutlinedButton(
            key="lock-now-btn", icon=ft.Icons.LOCK_OUTLINE, height=48, on_click=self._lock
        )
        self.lock_intro = self._body_text()
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

        # Delete
        self.delete_title = self._heading()
        self.delete_intro = self._body_text()
        self.delete_button = ft.OutlinedButton(
            key="delete-wallet-btn",
            icon=ft.Icons.DELETE_FOREVER_OUTLINED,
            height=48,
            style=ft.ButtonStyle(color=ft.Colors.ERROR),
            on_click=self._ask_delete,
        )
        self.delete_status = FormStatus("delete-wallet-error")
        # The dialog's controls are made fresh for every dialog (see _ask_delete).
        self.delete_word: ft.TextField | None = None
        self.delete_confirm: ft.FilledButton | None = None

        # About
        self.about_title = self._heading()
        self.about_version = ft.Text(key="about-version")
        self.about_licence = self._body_text("about-licence")
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
            self._section("settings-language", [self.language_title, self.languages]),
            self._section(
                "settings-pin",
                [
                    self.pin_title,
                    self.current_pin.control,
                    self.new_pin.control,
                    self.repeat_pin.control,
                    ft.Semantics(identifier="change-pin-btn", content=self.pin_button),
                    self.pin_status.control,
                    self.pin_info,
                ],
            ),
            self._section(
                "settings-backup",
                [
                    self.backup_title,
                    self.backup_intro,
                    self.passphrase.control,
                    self.passphrase_repeat.control,
                    ft.Semantics(identifier="backup-name-input", content=self.backup_name),
                    ft.Semantics(identifier="export-backup-btn", content=self.backup_button),
                    self.backup_status.control,
                    self.backup_info,
                    ft.Divider(),
                    self.restore_intro,
                    ft.Semantics(identifier="open-restore-btn", content=self.restore_button),
                ],
            ),
            self._section(
                "settings-lock",
                [
                    self.lock_title,
                    self.lock_intro,
                    ft.Semantics(identifier="idle-lock-select", content=self.idle_choice),
                    ft.Semantics(identifier="hidden-lock-select", content=self.hidden_choice),
                    ft.Semantics(identifier="lock-now-btn", content=self.lock_button),
                ],
            ),
            self._section(
                "settings-delete",
                [
                    self.delete_title,
                    self.delete_intro,
                    ft.Semantics(identifier="delete-wallet-btn", content=self.delete_button),
                    self.delete_status.control,
                ],
            ),
            self._section(
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

    # -- building blocks -----------------------------------------------------------------

    @staticmethod
    def _heading() -> ft.Text:
        return ft.Text(
            theme_style=ft.TextThemeStyle.TITLE_SMALL,
            weight=ft.FontWeight.W_600,
            color=ft.Colors.PRIMARY,
        )

    @staticmethod
    def _body_text(key: str | None = None) -> ft.Text:
        return ft.Text(
            key=key, theme_style=ft.TextThemeStyle.BODY_MEDIUM, color=ft.Colors.ON_SURFACE_VARIANT
        )

    @staticmethod
    def _section(key: str, controls: list[ft.Control]) -> ft.Control:
        return ft.Container(
            key=key,
            bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
            border_radius=16,
            padding=16,
            content=ft.Column(
                controls, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH
            ),
        )

    # -- rendering -----------------------------------------------------------------------

    def relabel(self) -> None:
        t = self.state.t

        def render(message: Message | None) -> str | None:
            return self.state.render(message) if message else None

        self.title.value = t("settings.title")
        self.back_button.tooltip = t("common.back")
        self.language_title.value = t("settings.language")
        self.languages.selected = [self.state.locale]

        self.pin_title.value = t("settings.pin.title")
        self.current_pin.set_label(t("settings.pin.current"))
        self.new_pin.set_label(t("settings.pin.new"), t("settings.pin.new_helper"))
        self.repeat_pin.set_label(t("settings.pin.repeat"))
        self.current_pin.set_error(render(self._pin_errors.get("current")))
        self.new_pin.set_error(render(self._pin_errors.get("new")))
        self.repeat_pin.set_error(render(self._pin_errors.get("repeat")))
        self.pin_button.content = t("settings.pin.button")
        self.pin_status.show_error(render(self._pin_form))
        self.pin_info.value = t("settings.pin.changed") if self._pin_done else ""
        self.pin_info.visible = self._pin_done

        self.backup_title.value = t("settings.backup.title")
        self.backup_intro.value = t("settings.backup.intro")
        self.passphrase.set_label(
            t("settings.backup.passphrase"), t("settings.backup.passphrase_helper")
        )
        self.passphrase_repeat.set_label(t("settings.backup.repeat"))
        self.passphrase.set_error(render(self._backup_errors.get("passphrase")))
        self.passphrase_repeat.set_error(render(self._backup_errors.get("repeat")))
        self.backup_name.label = t("settings.backup.name")
        self.backup_name.error = render(self._backup_errors.get("name"))
        self.backup_button.content = t("settings.backup.button")
        self.backup_status.show_error(render(self._backup_form))
        path = self._backup_path
        self.backup_info.value = (
            t("settings.backup.saved", name=path.name, path=str(path.parent)) if path else ""
        )
        self.backup_info.visible = path is not None
        self.restore_intro.value = t("settings.restore.intro")
        self.restore_button.content = t("settings.restore.button")

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
        self.delete_title.value = t("settings.delete.title")
        self.delete_intro.value = t("settings.delete.intro")
        self.delete_button.content = t("settings.delete.button")
        self.delete_status.show_error(render(self._delete_error))

        self.about_title.value = t("settings.about.title")
        self.about_version.value = t("settings.about.version", version=app_version())
        self.about_licence.value = t("settings.about.licence")
        self.about_dependencies_title.value = t("settings.about.dependencies")

        busy_texts = {
            "pin": (self.pin_status, "settings.pin.busy"),
            "backup": (self.backup_status, "settings.backup.busy"),
            "delete": (self.delete_status, "settings.delete.busy"),
        }
        if self._busy in busy_texts:
            status, key = busy_texts[self._busy]
            status.show_busy(t(key))

    def _set_busy(self, action: str | None) -> None:
        self._busy = action
        busy = action is not None
        for control in (
            self.pin_button,
            self.backup_button,
            self.lock_button,
            self.restore_button,
            self.delete_button,
            self.languages,
        ):
            control.disabled = busy
        if not busy:
            for status in (self.pin_status, self.backup_status, self.delete_status):
                status.hide_busy()
        self.relabel()

    # -- change PIN ----------------------------------------------------------------------

    async def _focus_new(self, _e: Any) -> None:
        await self.new_pin.focus()

    async def _focus_repeat(self, _e: Any) -> None:
        await self.repeat_pin.focus()

    async def _change_pin(self, _e: Any = None) -> AsyncIterator[None]:
        # An async generator: each ``yield`` pushes the UI as it is now (see create_pin).
        wallet = self.state.wallet
        if self._busy or wallet is None:
            return
        old, new, repeated = self.current_pin.value, self.new_pin.value, self.repeat_pin.value
        self._pin_errors, self._pin_form, self._pin_done = {}, None, False
        try:
            check_pin(new)
        except WeakPinError as exc:
            self._pin_errors = {"new": weak_pin_message(exc.reason)}
        else:
            if new != repeated:
                self._pin_errors = {"repeat": Message("setup.mismatch")}
        if self._pin_errors:
            self.relabel()
            return

        self._set_busy("pin")
        yield  # show the progress ring before two Argon2id runs
        try:
            await asyncio.to_thread(wallet.change_pin, old, new)
        except Exception as exc:
            log_failure(log, "change PIN", exc)
            if isinstance(exc, WrongPinError | LockedOutError):
                self._pin_errors = {"current": error_message(exc)}
            elif isinstance(exc, WeakPinError):
                self._pin_errors = {"new": error_message(exc)}
            else:
                self._pin_form = error_message(exc)
        else:
            self.current_pin.clear()
            self.new_pin.clear()
            self.repeat_pin.clear()
            self._pin_done = True
        self._set_busy(None)

    # -- backup --------------------------------------------------------------------------

    def _forget_name_error(self, _e: Any) -> None:
        if self.backup_name.error:
            self._backup_errors.pop("name", None)
            self.backup_name.error = None

    async def _export(self, _e: Any) -> AsyncIterator[None]:
        wallet = self.state.wallet
        if self._busy or wallet is None:
            return
        passphrase, repeated = self.passphrase.value, self.passphrase_repeat.value
        name = backup_file_name(self.backup_name.value or "")
        self._backup_errors, self._backup_form, self._backup_path = {}, None, None
        try:
            check_backup_passphrase(passphrase)
        except WeakPinError as exc:
            self._backup_errors["passphrase"] = passphrase_message(exc)
        else:
            if passphrase != repeated:
                self._backup_errors["repeat"] = Message("settings.backup.mismatch")
        if name is None:
            self._backup_errors["name"] = Message("settings.backup.bad_name")
        if self._backup_errors or name is None:
            self.relabel()
            return

        self._set_busy("backup")
        yield  # show the progress ring before Argon2id
        # For now the file goes into the app's data dir; offering it as a browser
        # download (so it can leave this device) is a later increment.
        directory = self.state.config.data_dir / BACKUP_DIRNAME
        try:
            path = await asyncio.to_thread(write_backup, wallet, directory, name, passphrase)
        except BackupExistsError:
            self._backup_errors["name"] = Message("settings.backup.exists")
        except Exception as exc:
            log_failure(log, "export backup", exc)
            if isinstance(exc, WeakPassphraseError):
                self._backup_errors["passphrase"] = passphrase_message(exc)
            else:
                self._backup_form = error_message(exc)
        else:
            self.passphrase.clear()
            self.passphrase_repeat.clear()
            self.backup_name.value = default_backup_name()
            self._backup_path = path
        self._set_busy(None)
        if self._backup_path is not None:
            yield  # say it is saved before the browser's download prompt
            await self._download(self._backup_path)

    async def _download(self, path: Path) -> None:
        """Hand the (encrypted) backup to the browser, so it can leave this device."""
        try:
            data = await asyncio.to_thread(path.read_bytes)
            await offer_download(path.name, data)
        except Exception as exc:
            log_failure(log, "download backup", exc)
            self._backup_form = Message("settings.backup.download_failed")
            self.relabel()

    async def _restore(self, _e: Any) -> None:
        if not self._busy:
            await self._on_restore()

    # -- lock ----------------------------------------------------------------------------

    def _grace_text(self, seconds: int) -> str:
        if seconds == 0:
            return self.state.t("settings.lock.hidden_now")
        if seconds < 60:
            return self.state.tn("settings.lock.hidden_seconds", seconds)
        return self.state.tn("settings.lock.hidden_minutes", seconds // 60)

    def _lock(self, _e: Any) -> None:
        if not self._busy:
            self._on_lock()

    async def _lock_time_chosen(self, _e: Any) -> None:
        wallet = self.state.wallet
        if wallet is None:
            return
        minutes = valid_idle_minutes(_number(self.idle_choice.value))
        grace = valid_hidden_seconds(_number(self.hidden_choice.value))
        try:
            await asyncio.to_thread(
                lambda: (
                    wallet.set_setting(IDLE_SETTING, minutes),
                    wallet.set_setting(HIDDEN_SETTING, grace),
                )
            )
        except Exception as exc:
            log_failure(log, "save lock times", exc)
            return
        self._on_lock_times_changed(minutes, grace)

    # -- delete --------------------------------------------------------------------------

    def _confirm_word(self) -> str:
        return self.state.t("settings.delete.word")

    def _word_matches(self) -> bool:
        typed = (self.delete_word.value or "").strip() if self.delete_word else ""
        return typed.casefold() == self._confirm_word().casefold()

    def _word_changed(self, _e: Any) -> None:
        if self.delete_confirm is not None:
            self.delete_confirm.disabled = not self._word_matches()

    def _ask_delete(self, _e: Any) -> None:
        if self._busy:
            return
        t = self.state.t
        # Fresh controls per dialog: a closed dialog stays in the page's dialog list, and
        # moving its children into a new one leaves Flet's diff out of step.
        word = self.delete_word = ft.TextField(
            key="delete-word-input",
            label=t("settings.delete.word_label"),
            autocorrect=False,
            enable_suggestions=False,
            capitalization=ft.TextCapitalization.CHARACTERS,
            on_change=self._word_changed,
        )
        confirm = self.delete_confirm = ft.FilledButton(
            key="delete-wallet-confirm-btn",
            content=t("settings.delete.confirm"),
            icon=ft.Icons.DELETE_FOREVER_OUTLINED,
            disabled=True,
            # No custom ButtonStyle: Flet 1.0.5 rewrites a button's style while sending it,
            # which inside a dialog shows up as a change that never reaches the browser.
            on_click=self._delete,
        )
        cancel = ft.TextButton(
            key="delete-wallet-cancel-btn",
            content=t("common.cancel"),
            on_click=self._cancel_delete,
        )
        # No key on the dialog itself: closed dialogs stay in the page's dialog list, and
        # two siblings with one key there make Flet's diff freeze the new one.
        self._dialog = ft.AlertDialog(
            modal=True,
            title=ft.Text(t("settings.delete.dialog_title")),
            content=ft.Column(
                [
                    ft.Text(
                        t("settings.delete.dialog_body", word=self._confirm_word()),
                        key="delete-wallet-body",
                    ),
                    ft.Semantics(identifier="delete-word-input", content=word),
                ],
                tight=True,
                spacing=12,
            ),
            actions=[
                ft.Semantics(identifier="delete-wallet-cancel-btn", content=cancel),
                ft.Semantics(identifier="delete-wallet-confirm-btn", content=confirm),
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
        if self._busy or wallet is None or not self._word_matches():
            return
        self._close_dialog()
        self._delete_error = None
        self._set_busy("delete")
        yield
        try:
            await asyncio.to_thread(wallet.delete_wallet)
        except Exception as exc:
            log_failure(log, "delete wallet", exc)
            self._delete_error = error_message(exc)
            self._set_busy(None)
            return
        self._set_busy(None)
        self._on_deleted()

    def leave(self) -> bool:
        return not self._busy

    async def _back(self, _e: Any) -> None:
        if self.leave():
            await self._on_back()


def _number(chosen: str | None) -> int | None:
    """A dropdown's key as a number; anything else (a stray value) is None."""
    return int(chosen) if chosen and chosen.isdigit() else None
