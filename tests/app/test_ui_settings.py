"""Settings: change PIN, export a backup, delete the wallet, language, lock, about."""

from __future__ import annotations

import asyncio
from pathlib import Path

from harness import AppHarness
from test_ui_home import PIN, make_wallet, run, unlock

from app.config import AppConfig
from app.session import make_main
from wallet_core import KdfParams, Wallet

NEW_PIN = "735104"
PASSPHRASE = "correct horse battery"


async def open_settings(h: AppHarness) -> None:
    await unlock(h)
    await h.click(h.get(key="settings-btn"))
    await h.wait_for(lambda: h.has(key="settings-pin"), what="settings")


async def change_pin(h: AppHarness, old: str, new: str, repeat: str | None = None) -> None:
    await h.type_text(h.get(key="settings-pin-current-input"), old)
    await h.type_text(h.get(key="settings-pin-new-input"), new)
    await h.type_text(h.get(key="settings-pin-repeat-input"), new if repeat is None else repeat)
    await h.click(h.get(key="change-pin-btn"))


def in_dialog(h: AppHarness, key: str) -> object:
    """The control in the newest dialog (closed dialogs stay in the page's list)."""
    return h.find(key=key)[-1]


def idle(h: AppHarness) -> bool:
    return not h.get(key="change-pin-btn").disabled


def test_change_pin_mismatch_wrong_pin_then_success(config: AppConfig) -> None:
    make_wallet(config, [])

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await open_settings(h)
            assert h.get(key="appbar-title").value == "Settings"

            await change_pin(h, PIN, NEW_PIN, repeat="735105")
            assert h.get(key="settings-pin-repeat-input").error == "The PINs do not match"

            await change_pin(h, "000111", NEW_PIN)
            await h.wait_for(lambda: idle(h), what="wrong PIN answer")
            error = h.get(key="settings-pin-current-input").error
            assert error is not None and error.startswith("Wrong PIN,")
            assert "attempts left" in error

            await change_pin(h, PIN, "123456")
            assert "123456" in h.get(key="settings-pin-new-input").error

            await change_pin(h, PIN, NEW_PIN)
            await h.wait_for(lambda: h.get(key="change-pin-info").visible, what="changed")
            assert h.get(key="change-pin-info").value == "Your PIN has been changed."
            assert h.get(key="settings-pin-current-input").error is None

            await h.click(h.get(key="lock-now-btn"))
            await h.wait_for(lambda: h.has(key="unlock-btn"), what="unlock screen")
            await h.type_text(h.get(key="pin-input"), NEW_PIN)
            await h.click(h.get(key="unlock-btn"))
            await h.wait_for(lambda: h.has(key="home-empty"), what="home with the new PIN")
            assert h.client.errors == []

    run(scenario)


def test_export_backup_refuses_short_passphrase_then_restores(
    config: AppConfig, tmp_path: Path
) -> None:
    make_wallet(config, [])

    async def scenario() -> Path:
        async with AppHarness(make_main(config), languages=["nl-NL"]) as h:
            await open_settings(h)
            await h.type_text(h.get(key="backup-passphrase-input"), "kort12345")
            await h.type_text(h.get(key="backup-passphrase-repeat-input"), "kort12345")
            await h.click(h.get(key="export-backup-btn"))
            assert (
                h.get(key="backup-passphrase-input").error == "Te kort: gebruik minstens 10 tekens"
            )
            assert not (config.data_dir / "backups").exists()

            await h.type_text(h.get(key="backup-passphrase-input"), PASSPHRASE)
            await h.type_text(h.get(key="backup-passphrase-repeat-input"), PASSPHRASE + "!")
            await h.click(h.get(key="export-backup-btn"))
            assert h.get(key="backup-passphrase-repeat-input").error == (
                "De wachtwoordzinnen komen niet overeen"
            )

            await h.type_text(h.get(key="backup-passphrase-repeat-input"), PASSPHRASE)
            await h.type_text(h.get(key="backup-name-input"), "../evil")
            await h.click(h.get(key="export-backup-btn"))
            assert h.get(key="backup-name-input").error == (
                "Gebruik een gewone bestandsnaam, zonder mappen"
            )

            name = h.get(key="backup-name-input")
            await h.type_text(name, "eduwallet-20260101-120000.eduwallet-backup")
            await h.click(h.get(key="export-backup-btn"))
            await h.wait_for(
                lambda: h.get(key="backup-info").visible, timeout=30, what="backup saved"
            )
            path = config.data_dir / "backups" / "eduwallet-20260101-120000.eduwallet-backup"
            assert h.get(key="backup-info").value == (
                f"Back-up {path.name} is gemaakt en aangeboden als download. "
                f"Een kopie staat in {path.parent}."
            )
            assert h.get(key="backup-passphrase-input").value == ""
            # The browser was handed the very same (encrypted) file to download.
            await h.wait_for(lambda: bool(h.client.saved_files), what="download")
            assert h.client.saved_files == [(path.name, path.read_bytes())]
            assert h.client.errors == []
            return path

    path = asyncio.run(scenario())
    assert path.is_file()
    restored = Wallet.restore_backup(
        path, PASSPHRASE, tmp_path / "restored", "518273", kdf=KdfParams.fast_for_tests()
    )
    try:
        assert restored.credentials() == []
    finally:
        restored.close()


def test_delete_wallet_needs_the_word_then_shows_setup(config: AppConfig) -> None:
    make_wallet(config, [])

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await open_settings(h)
            await h.click(h.get(key="delete-wallet-btn"))
            confirm = h.get(key="delete-wallet-confirm-btn")
            assert confirm.disabled
            await h.type_text(h.get(key="delete-word-input"), "DELET")
            assert confirm.disabled
            await h.click(confirm)  # disabled: must do nothing
            assert Wallet.exists(config.vault_dir)

            await h.click(h.get(key="delete-wallet-cancel-btn"))
            assert Wallet.exists(config.vault_dir)

            await h.click(h.get(key="delete-wallet-btn"))
            assert in_dialog(h, "delete-word-input").value == ""
            assert in_dialog(h, "delete-wallet-confirm-btn").disabled
            await h.type_text(in_dialog(h, "delete-word-input"), "delete")
            assert not in_dialog(h, "delete-wallet-confirm-btn").disabled
            await h.click(in_dialog(h, "delete-wallet-confirm-btn"))
            await h.wait_for(lambda: h.has(key="create-btn"), what="setup screen")
            assert not Wallet.exists(config.vault_dir)
            assert h.client.errors == []

    run(scenario)


def test_language_switch_relabels_settings_and_about(config: AppConfig) -> None:
    make_wallet(config, [])

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await open_settings(h)
            assert h.get(key="change-pin-btn").content == "Change PIN"
            assert h.get(key="about-version").value.startswith("eduwallet version ")
            # The licences of what the app is built with, read from the installed packages.
            dependencies = [row.value for row in h.get(key="about-dependencies").controls]
            assert any(row.startswith("flet 1.0.5 — Apache-2.0") for row in dependencies)
            assert any(row.startswith("cryptography ") for row in dependencies)
            # every one names its licence (sqlcipher3's and resvg_py's only in their files)
            assert all(" — " in row and not row.endswith("?") for row in dependencies)
            assert any(
                row.startswith("sqlcipher3 ") and row.endswith("Zlib") for row in dependencies
            )
            await h.select(h.get(key="lang-picker"), ["nl"])
            assert h.get(key="appbar-title").value == "Instellingen"
            assert h.get(key="change-pin-btn").content == "Pincode wijzigen"
            assert h.get(key="about-version").value.startswith("eduwallet versie ")
            await h.click(h.get(key="delete-wallet-btn"))
            assert "VERWIJDER" in h.get(key="delete-wallet-body").value
            await h.click(h.get(key="delete-wallet-cancel-btn"))

            await h.click(h.get(key="back-btn"))
            await h.wait_for(lambda: h.has(key="home-empty"), what="home")
            assert h.get(key="settings-btn").tooltip == "Instellingen"
            assert h.client.errors == []

    run(scenario)
