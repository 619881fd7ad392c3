"""Restore from a backup: on first run, and replacing the wallet from Settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import AppHarness
from test_ui_home import PIN, make_wallet, new_credential, run, unlock

from app.config import AppConfig
from app.session import make_main
from app.vault import REPLACING_DIRNAME, finish_interrupted_replace
from wallet_core import KdfParams, Wallet, WrongPinError

PASSPHRASE = "correct horse battery"
NEW_PIN = "735104"


def backup_of(tmp_path: Path, titles: list[str]) -> bytes:
    """The bytes of a backup of a wallet (elsewhere) holding credentials with ``titles``."""
    source = tmp_path / "elsewhere"
    with Wallet.create(source, "918273", kdf=KdfParams.fast_for_tests()) as wallet:
        for title in titles:
            wallet._store_credential(new_credential(title))
        wallet.export_backup(tmp_path / "backup.eduwallet-backup", PASSPHRASE)
    return (tmp_path / "backup.eduwallet-backup").read_bytes()


def card_titles(h: AppHarness) -> list[str]:
    return sorted(
        c.title.value for c in h.all_controls() if str(getattr(c, "key", "")).startswith("cred-")
    )


async def fill_restore(h: AppHarness, passphrase: str, pin: str = NEW_PIN) -> None:
    await h.type_text(h.get(key="restore-passphrase-input"), passphrase)
    await h.type_text(h.get(key="restore-pin-input"), pin)
    await h.type_text(h.get(key="restore-pin-repeat-input"), pin)
    await h.click(h.get(key="restore-btn"))
    await h.wait_for(
        lambda: not h.has(key="restore-btn") or not h.get(key="restore-btn").disabled,
        what="restore to finish",
    )


async def confirm_replace(h: AppHarness) -> None:
    box = h.get(key="restore-confirm")
    h.session.apply_patch(box._i, {"value": True})
    await h.fire(box, "change", True)


def test_first_run_restore_checks_its_inputs_then_rebuilds_the_wallet(
    config: AppConfig, tmp_path: Path
) -> None:
    backup = backup_of(tmp_path, ["Circulair ontwerpen", "Bachelor Bouwkunde"])

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            assert any(text.startswith("eduwallet keeps your diplomas") for text in h.texts())
            await h.click(h.get(key="open-restore-btn"))
            assert h.get(key="appbar-title").value == "Restore"
            await h.click(h.get(key="restore-btn"))
            assert h.get(key="restore-file-error").value == "Choose a backup file first"
            assert h.get(key="restore-passphrase-input").error == "Type the backup's passphrase"

            h.client.picked_files = [("my.eduwallet-backup", backup)]
            await h.click(h.get(key="restore-pick-btn"))
            await h.wait_for(lambda: h.get(key="restore-file-name").value != "", what="file")
            assert h.get(key="restore-file-name").value == "File: my.eduwallet-backup"

            await fill_restore(h, "not the passphrase")
            assert h.get(key="restore-passphrase-input").error.startswith(
                "This backup could not be opened"
            )
            assert not Wallet.exists(config.vault_dir)  # nothing half-made

            await fill_restore(h, PASSPHRASE, pin="111111")
            assert "same" in h.get(key="restore-pin-input").error
            await fill_restore(h, PASSPHRASE)
            await h.wait_for(lambda: h.has(key="credential-list"), what="home")
            assert card_titles(h) == ["Bachelor Bouwkunde", "Circulair ontwerpen"]
            assert h.client.errors == []

    run(scenario)
    with Wallet.open(config.vault_dir, NEW_PIN) as restored:
        assert len(restored.credentials()) == 2


def test_settings_restore_replaces_the_wallet_only_when_the_backup_opens(
    config: AppConfig, tmp_path: Path
) -> None:
    make_wallet(config, [new_credential("Old credential")])
    backup = backup_of(tmp_path, ["From the backup"])

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            await h.click(h.get(key="settings-btn"))
            await h.wait_for(lambda: h.has(key="settings-pin"), what="settings")
            await h.click(h.get(key="open-restore-btn"))
            assert any("replaces everything in this wallet" in text for text in h.texts())
            h.client.picked_files = [("b.eduwallet-backup", backup[:-5])]  # cut short
            await h.click(h.get(key="restore-pick-btn"))
            await h.wait_for(lambda: h.get(key="restore-file-name").value != "", what="file")
            # replacing erases what is here: not without the box ticked
            await fill_restore(h, PASSPHRASE)
            assert h.get(key="restore-confirm-error").value.startswith("Tick the box first")
            await confirm_replace(h)
            await fill_restore(h, PASSPHRASE)
            assert h.get(key="restore-passphrase-input").error.startswith(
                "This backup could not be opened"
            )
            # The damaged backup cost nothing: back to the old wallet, still whole.
            await h.click(h.get(key="back-btn"))
            await h.wait_for(lambda: h.has(key="settings-pin"), what="settings")
            await h.click(h.get(key="back-btn"))
            await h.wait_for(lambda: h.has(key="credential-list"), what="home")
            assert card_titles(h) == ["Old credential"]

            await h.click(h.get(key="settings-btn"))
            await h.wait_for(lambda: h.has(key="settings-pin"), what="settings")
            await h.click(h.get(key="open-restore-btn"))
            h.client.picked_files = [("b.eduwallet-backup", backup)]
            await h.click(h.get(key="restore-pick-btn"))
            await h.wait_for(lambda: h.get(key="restore-file-name").value != "", what="file")
            await confirm_replace(h)
            await fill_restore(h, PASSPHRASE)
            await h.wait_for(lambda: h.has(key="credential-list"), what="home")
            assert card_titles(h) == ["From the backup"]
            assert h.client.errors == []

    run(scenario)
    assert not (config.data_dir / REPLACING_DIRNAME).exists()
    with pytest.raises(WrongPinError):
        Wallet.open(config.vault_dir, PIN)
    with Wallet.open(config.vault_dir, NEW_PIN) as replaced:
        assert [c.title for c in replaced.credentials()] == ["From the backup"]


def test_a_replace_interrupted_after_the_erase_is_finished_at_the_next_start(
    config: AppConfig, tmp_path: Path
) -> None:
    staging = config.data_dir / REPLACING_DIRNAME
    config.data_dir.mkdir(parents=True)
    Wallet.restore_backup(
        backup_of(tmp_path, ["Kept"]),
        PASSPHRASE,
        staging,
        NEW_PIN,
        kdf=KdfParams.fast_for_tests(),
    ).close()
    finish_interrupted_replace(config)
    assert not staging.exists()
    with Wallet.open(config.vault_dir, NEW_PIN) as wallet:
        assert [c.title for c in wallet.credentials()] == ["Kept"]
    # With a wallet in place, a leftover staging copy is never moved over it.
    Wallet.restore_backup(
        backup_of(tmp_path / "2", ["Leftover"]),
        PASSPHRASE,
        staging,
        NEW_PIN,
        kdf=KdfParams.fast_for_tests(),
    ).close()
    finish_interrupted_replace(config)
    with Wallet.open(config.vault_dir, NEW_PIN) as wallet:
        assert [c.title for c in wallet.credentials()] == ["Kept"]
