"""Settings: back up the wallet into an encrypted file (and hand it to the browser), or go
to restoring one."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import flet as ft

from app.components.blocking import Failed, run_blocking
from app.components.files import offer_download
from app.components.layout import FormStatus
from app.components.pin_field import PinField
from app.messages import Message, log_failure, passphrase_message
from app.state import SessionState
from app.views.settings_parts import Busy, Section, body_text, card, heading
from wallet_core import Wallet, WeakPassphraseError, WeakPinError, check_backup_passphrase

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


class BackupSection(Section):
    def __init__(
        self, state: SessionState, busy: Busy, *, on_restore: Callable[[], Awaitable[None]]
    ) -> None:
        super().__init__(state, busy)
        self._on_restore = on_restore
        self._errors: dict[str, Message | None] = {}
        self._form: Message | None = None
        self._path: Path | None = None
        self.title = heading()
        self.intro = body_text()
        self.passphrase = PinField("backup-passphrase-input")
        self.passphrase_repeat = PinField("backup-passphrase-repeat-input")
        self.name = ft.TextField(
            key="backup-name-input",
            value=default_backup_name(),
            prefix_icon=ft.Icons.INSERT_DRIVE_FILE_OUTLINED,
            autocorrect=False,
            enable_suggestions=False,
            error_max_lines=2,
            on_change=self._forget_name_error,
        )
        self.button = ft.FilledTonalButton(
            key="export-backup-btn", icon=ft.Icons.SAVE_ALT, height=48, on_click=self.export
        )
        self.status = FormStatus("backup-error")
        self.info = ft.Text(key="backup-info", color=ft.Colors.PRIMARY, selectable=True)
        self.restore_intro = body_text()
        self.restore_button = ft.OutlinedButton(
            key="open-restore-btn",
            icon=ft.Icons.SETTINGS_BACKUP_RESTORE,
            height=48,
            on_click=self._restore,
        )
        self.control = card(
            "settings-backup",
            [
                self.title,
                self.intro,
                self.passphrase.control,
                self.passphrase_repeat.control,
                ft.Semantics(identifier="backup-name-input", content=self.name),
                ft.Semantics(identifier="export-backup-btn", content=self.button),
                self.status.control,
                self.info,
                ft.Divider(),
                self.restore_intro,
                ft.Semantics(identifier="open-restore-btn", content=self.restore_button),
            ],
        )

    def buttons(self) -> list[ft.Control]:
        return [self.button, self.restore_button]

    def relabel(self) -> None:
        t, render = self.state.t, self.render
        self.title.value = t("settings.backup.title")
        self.intro.value = t("settings.backup.intro")
        self.passphrase.set_label(
            t("settings.backup.passphrase"), t("settings.backup.passphrase_helper")
        )
        self.passphrase_repeat.set_label(t("settings.backup.repeat"))
        self.passphrase.set_error(render(self._errors.get("passphrase")))
        self.passphrase_repeat.set_error(render(self._errors.get("repeat")))
        self.name.label = t("settings.backup.name")
        self.name.error = render(self._errors.get("name"))
        self.button.content = t("settings.backup.button")
        self.status.show_error(render(self._form))
        path = self._path
        self.info.value = (
            t("settings.backup.saved", name=path.name, path=str(path.parent)) if path else ""
        )
        self.info.visible = path is not None
        self.restore_intro.value = t("settings.restore.intro")
        self.restore_button.content = t("settings.restore.button")
        if self.busy.action == "backup":
            self.status.show_busy(t("settings.backup.busy"))
        else:
            self.status.hide_busy()

    def _forget_name_error(self, _e: Any) -> None:
        if self.name.error:
            self._errors.pop("name", None)
            self.name.error = None

    def _check(self) -> str | None:
        """The backup's file name when what was typed can be used; else the errors say why."""
        passphrase, repeated = self.passphrase.value, self.passphrase_repeat.value
        name = backup_file_name(self.name.value or "")
        self._errors, self._form, self._path = {}, None, None
        try:
            check_backup_passphrase(passphrase)
        except WeakPinError as exc:
            self._errors["passphrase"] = passphrase_message(exc)
        else:
            if passphrase != repeated:
                self._errors["repeat"] = Message("settings.backup.mismatch")
        if name is None:
            self._errors["name"] = Message("settings.backup.bad_name")
        return None if self._errors else name

    async def export(self, _e: Any) -> AsyncIterator[None]:
        wallet = self.state.wallet
        if self.busy.action or wallet is None:
            return
        name = self._check()
        if name is None:
            self.relabel()
            return
        passphrase = self.passphrase.value
        self.busy.set("backup")
        yield  # show the progress ring before Argon2id
        directory = self.state.config.data_dir / BACKUP_DIRNAME
        path = await run_blocking(
            log,
            "export backup",
            write_backup,
            wallet,
            directory,
            name,
            passphrase,
            expected=(BackupExistsError,),
        )
        if isinstance(path, Failed):
            if isinstance(path.error, BackupExistsError):
                self._errors["name"] = Message("settings.backup.exists")
            elif isinstance(path.error, WeakPassphraseError):
                self._errors["passphrase"] = path.message
            else:
                self._form = path.message
        else:
            self.passphrase.clear()
            self.passphrase_repeat.clear()
            self.name.value = default_backup_name()
            self._path = path
        self.busy.set(None)
        if self._path is not None:
            yield  # say it is saved before the browser's download prompt
            await self._download(self._path)

    async def _download(self, path: Path) -> None:
        """Hand the (encrypted) backup to the browser, so it can leave this device."""
        try:
            data = await asyncio.to_thread(path.read_bytes)
            await offer_download(path.name, data)
        except Exception as exc:
            log_failure(log, "download backup", exc)
            self._form = Message("settings.backup.download_failed")
            self.relabel()

    async def _restore(self, _e: Any) -> None:
        if not self.busy.action:
            await self._on_restore()
