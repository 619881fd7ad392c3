"""Encrypted backup: full round trip, and every way a restore must fail cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import PIN, make_credential

from wallet_core import BackupError, KdfParams, Wallet, WeakPassphraseError
from wallet_core.storage.backup import MAGIC

PASSPHRASE = "een lange zin als wachtwoord"


@pytest.fixture(scope="module")
def backup_of_1000(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Wallet, list]:
    """A wallet with 1,000 credentials (each with its own key) and its backup file."""
    base = tmp_path_factory.mktemp("backup")
    wallet = Wallet.create(base / "source", PIN, kdf=KdfParams.fast_for_tests())
    with wallet._vault.transaction():
        for index in range(1000):
            key = wallet.new_key("EdDSA" if index % 2 else "ES256")
            wallet._store_credential(make_credential(index, key_id=key.kid))
    wallet.set_setting("language", "nl")
    path = base / "wallet.eduwallet-backup"
    wallet.export_backup(path, PASSPHRASE)
    expected = [wallet.credential(s.id) for s in wallet.credentials()]
    return path, wallet, expected


def test_round_trip_of_1000_credentials(backup_of_1000: tuple, tmp_path: Path) -> None:
    path, source, expected = backup_of_1000
    target = tmp_path / "restored"
    restored = Wallet.restore_backup(
        path, PASSPHRASE, target, "nieuwe pincode", kdf=KdfParams.fast_for_tests()
    )
    with restored:
        assert [restored.credential(s.id) for s in restored.credentials()] == expected
        assert restored.setting("language") == "nl"
        assert restored.holder_keys() == source.holder_keys()
        # the private keys came along: the restored signer is the same key
        kid = expected[0].key_id
        assert restored.signer(kid).public_jwk == source.signer(kid).public_jwk
        kinds = [entry.kind for entry in restored.activity()]
        assert kinds[0] == "wallet_restored"
        # both have a backup now: home's "no backup yet" notice is gone for either
        assert source.last_backup_at is not None and restored.last_backup_at is not None
        assert kinds.count("credential_added") == 1000
    # the new PIN protects it, not the old one
    with Wallet.open(target, "nieuwe pincode") as reopened:
        assert len(reopened.credentials()) == 1000


def test_restore_from_bytes_as_a_browser_upload_delivers_them(
    backup_of_1000: tuple, tmp_path: Path
) -> None:
    path, _, expected = backup_of_1000
    target = tmp_path / "from-bytes"
    with Wallet.restore_backup(
        path.read_bytes(), PASSPHRASE, target, PIN, kdf=KdfParams.fast_for_tests()
    ) as restored:
        assert len(restored.credentials()) == len(expected)
    _assert_fails_cleanly(path.read_bytes()[:-1], PASSPHRASE, tmp_path / "cut")
    _assert_fails_cleanly(b"not a backup", PASSPHRASE, tmp_path / "junk")


def test_backup_file_reveals_nothing(backup_of_1000: tuple) -> None:
    path, _, expected = backup_of_1000
    blob = path.read_bytes()
    assert blob.startswith(MAGIC)
    for credential in expected[:20]:
        assert credential.raw.encode() not in blob
        assert credential.claims["student"]["given_name"].encode() not in blob
    assert b"Hogeschool" not in blob


def _assert_fails_cleanly(path: Path | bytes, passphrase: str, target: Path) -> None:
    with pytest.raises(BackupError):
        Wallet.restore_backup(path, passphrase, target, PIN, kdf=KdfParams.fast_for_tests())
    assert not target.exists()
    assert not [p for p in target.parent.iterdir() if p.name.startswith(f".{target.name}.")]


def test_wrong_passphrase(backup_of_1000: tuple, tmp_path: Path) -> None:
    _assert_fails_cleanly(backup_of_1000[0], "een andere zin, fout", tmp_path / "t")


@pytest.mark.parametrize("position", ["magic", "header", "first_cipher", "middle", "tag"])
def test_flipped_byte(backup_of_1000: tuple, tmp_path: Path, position: str) -> None:
    blob = bytearray(backup_of_1000[0].read_bytes())
    offset = {
        "magic": 2,
        "header": len(MAGIC) + 30,
        "first_cipher": blob.index(b"}", len(MAGIC)) + 2,
        "middle": len(blob) // 2,
        "tag": len(blob) - 1,
    }[position]
    blob[offset] ^= 0x01
    damaged = tmp_path / "damaged.bak"
    damaged.write_bytes(bytes(blob))
    _assert_fails_cleanly(damaged, PASSPHRASE, tmp_path / "t")


@pytest.mark.parametrize("keep", [0, 5, 12, 200, -1])
def test_truncated(backup_of_1000: tuple, tmp_path: Path, keep: int) -> None:
    blob = backup_of_1000[0].read_bytes()
    damaged = tmp_path / "short.bak"
    damaged.write_bytes(blob[:keep])
    _assert_fails_cleanly(damaged, PASSPHRASE, tmp_path / "t")


def test_missing_file(tmp_path: Path) -> None:
    _assert_fails_cleanly(tmp_path / "nope.bak", PASSPHRASE, tmp_path / "t")


def test_existing_target_is_left_untouched(backup_of_1000: tuple, tmp_path: Path) -> None:
    target = tmp_path / "occupied"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(Exception) as info:
        Wallet.restore_backup(backup_of_1000[0], PASSPHRASE, target, PIN)
    assert info.value.code == "vault_exists"  # type: ignore[attr-defined]
    assert [p.name for p in target.iterdir()] == ["keep.txt"]


def test_weak_backup_passphrase_refused(wallet: Wallet, tmp_path: Path) -> None:
    assert wallet.last_backup_at is None  # none made yet
    with pytest.raises(WeakPassphraseError):
        wallet.export_backup(tmp_path / "b.bak", "482916")
    assert not (tmp_path / "b.bak").exists()
    assert wallet.last_backup_at is None  # a refused one is none
