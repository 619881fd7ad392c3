"""The vault at rest: encryption, PIN handling, lockout, corruption, exclusivity."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import PIN, make_credential

from wallet_core import (
    KdfParams,
    LockedOutError,
    ManualClock,
    StorageError,
    VaultBusyError,
    VaultCorruptError,
    VaultExistsError,
    VaultNotFoundError,
    Wallet,
    WeakPinError,
    WrongPinError,
)
from wallet_core.storage.keyfile import KeyFile
from wallet_core.storage.unlock_guard import FIRST_LOCKOUT_SECONDS
from wallet_core.storage.vault import DB_FILE, KEY_FILE, UNLOCK_STATE_FILE


def _all_bytes(directory: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file())


def test_nothing_readable_at_rest(wallet: Wallet, wallet_dir: Path) -> None:
    new = make_credential(7)
    wallet._store_credential(new)
    kid = wallet.new_key().kid
    wallet.set_setting("language", "nl")
    while_open = _all_bytes(wallet_dir)  # database, write-ahead log and shared memory
    wallet.close()  # checkpoint the WAL so everything sits in the database file
    on_disk = _all_bytes(wallet_dir) + while_open
    assert len(while_open) > 10_000
    for secret in (
        new.raw,
        "Circular Building Design 7",
        "Zoë-000007",
        "Jansen",
        "hogeschool.example",
        kid,
        '"language"',
    ):
        assert secret.encode() not in on_disk
    assert b"SQLite format 3" not in on_disk


def test_database_cannot_be_opened_without_its_key(wallet: Wallet, wallet_dir: Path) -> None:
    wallet.close()
    plain = sqlite3.connect(wallet_dir / DB_FILE)
    with pytest.raises(sqlite3.DatabaseError):
        plain.execute("SELECT * FROM sqlite_master").fetchall()
    plain.close()
    from wallet_core.storage.database import Database

    with pytest.raises(VaultCorruptError):
        Database(wallet_dir / DB_FILE, b"\x01" * 32)


def test_create_refuses_existing_and_open_needs_a_wallet(
    wallet: Wallet, wallet_dir: Path, fast_kdf: KdfParams, tmp_path: Path
) -> None:
    assert Wallet.exists(wallet_dir)
    with pytest.raises(VaultExistsError):
        Wallet.create(wallet_dir, PIN, kdf=fast_kdf)
    other = tmp_path / "other"
    other.mkdir()
    (other / "note.txt").write_text("mine")
    with pytest.raises(VaultExistsError):
        Wallet.create(other, PIN, kdf=fast_kdf)
    assert (other / "note.txt").read_text() == "mine"
    with pytest.raises(VaultNotFoundError):
        Wallet.open(tmp_path / "missing", PIN)
    assert not Wallet.exists(tmp_path / "missing")


def test_weak_pin_refused_and_nothing_created(wallet_dir: Path, fast_kdf: KdfParams) -> None:
    with pytest.raises(WeakPinError):
        Wallet.create(wallet_dir, "123456", kdf=fast_kdf)
    assert not wallet_dir.exists()
    assert list(wallet_dir.parent.iterdir()) == []  # no staging leftovers


def test_reopen_keeps_data(wallet: Wallet, wallet_dir: Path, clock: ManualClock) -> None:
    stored = wallet._store_credential(make_credential(1))
    wallet.close()
    with Wallet.open(wallet_dir, PIN, clock=clock) as again:
        assert again.credential(stored.id) == stored
        assert [s.id for s in again.credentials()] == [stored.id]


def test_wrong_pins_count_across_restarts_then_lockout_then_right_pin(
    wallet: Wallet, wallet_dir: Path, clock: ManualClock
) -> None:
    wallet.close()
    for expected_left in (4, 3, 2):
        with pytest.raises(WrongPinError) as info:
            Wallet.open(wallet_dir, "000000", clock=clock)
        assert info.value.attempts_left == expected_left
    # a "restart": nothing in memory carries the count, only the unlock state file does
    with pytest.raises(WrongPinError) as info:
        Wallet.open(wallet_dir, "000000", clock=ManualClock(clock.now()))
    assert info.value.attempts_left == 1
    with pytest.raises(LockedOutError) as locked:
        Wallet.open(wallet_dir, "000000", clock=clock)
    assert locked.value.seconds_left == FIRST_LOCKOUT_SECONDS
    # the remaining wait can be read without spending an attempt
    assert Wallet.lockout_remaining(wallet_dir, clock) == FIRST_LOCKOUT_SECONDS
    # while locked out even the right PIN is refused, without being checked
    clock.advance(10)
    assert Wallet.lockout_remaining(wallet_dir, clock) == pytest.approx(FIRST_LOCKOUT_SECONDS - 10)
    with pytest.raises(LockedOutError) as locked:
        Wallet.open(wallet_dir, PIN, clock=ManualClock(clock.now()))
    assert locked.value.seconds_left == pytest.approx(FIRST_LOCKOUT_SECONDS - 10)
    clock.advance(FIRST_LOCKOUT_SECONDS)
    # one more wrong PIN after a lockout doubles the next one
    with pytest.raises(LockedOutError) as locked:
        Wallet.open(wallet_dir, "000000", clock=clock)
    assert locked.value.seconds_left == 2 * FIRST_LOCKOUT_SECONDS
    clock.advance(2 * FIRST_LOCKOUT_SECONDS + 1)
    with Wallet.open(wallet_dir, PIN, clock=clock) as opened:
        assert opened.credentials() == []
    assert Wallet.lockout_remaining(wallet_dir, clock) == 0
    state = json.loads((wallet_dir / UNLOCK_STATE_FILE).read_text())
    assert state["failures"] == 0


def test_clock_turned_back_does_not_extend_lockout(
    wallet: Wallet, wallet_dir: Path, clock: ManualClock
) -> None:
    wallet.close()
    for _ in range(4):
        with pytest.raises(WrongPinError):
            Wallet.open(wallet_dir, "000000", clock=clock)
    with pytest.raises(LockedOutError):
        Wallet.open(wallet_dir, "000000", clock=clock)
    clock.advance(-10_000)
    with pytest.raises(LockedOutError) as locked:
        Wallet.open(wallet_dir, PIN, clock=clock)
    assert locked.value.seconds_left <= FIRST_LOCKOUT_SECONDS


def test_change_pin_rewraps_without_reencrypting(
    wallet: Wallet, wallet_dir: Path, clock: ManualClock
) -> None:
    stored = wallet._store_credential(make_credential(3))
    wallet.close()
    db_before = (wallet_dir / DB_FILE).read_bytes()
    with Wallet.open(wallet_dir, PIN, clock=clock) as opened:
        with pytest.raises(WrongPinError):
            opened.change_pin("999999x", "correct horse battery")
        with pytest.raises(WeakPinError):
            opened.change_pin(PIN, "111111")
        opened.change_pin(PIN, "correct horse battery")
        assert opened.activity()[0].kind == "pin_changed"
    with pytest.raises(WrongPinError):
        Wallet.open(wallet_dir, PIN, clock=clock)
    with Wallet.open(wallet_dir, "correct horse battery", clock=clock) as opened:
        assert opened.credential(stored.id) == stored
    # same database pages: only the activity row and unlock bookkeeping changed, and
    # the key is the same, so the old file still opens with the new key file
    keyfile = KeyFile.load(wallet_dir / KEY_FILE)
    from wallet_core.storage.database import Database

    old_copy = wallet_dir.parent / "old.db"
    old_copy.write_bytes(db_before)
    Database(old_copy, keyfile.unwrap("correct horse battery")).close()


@pytest.mark.parametrize(
    "damage",
    ["truncate_db", "garble_db", "empty_db", "delete_db", "truncate_key", "garble_key", "bad_kdf"],
)
def test_damaged_files_raise_vault_corrupt(
    wallet: Wallet, wallet_dir: Path, clock: ManualClock, damage: str
) -> None:
    for index in range(50):
        wallet._store_credential(make_credential(index))
    wallet.close()
    db, key = wallet_dir / DB_FILE, wallet_dir / KEY_FILE
    if damage == "truncate_db":
        db.write_bytes(db.read_bytes()[:5000])
    elif damage == "garble_db":
        data = bytearray(db.read_bytes())
        data[4096:-4096] = os.urandom(len(data) - 8192)  # every page but the first and last
        db.write_bytes(bytes(data))
    elif damage == "empty_db":
        db.write_bytes(b"")
    elif damage == "delete_db":
        db.unlink()
    elif damage == "truncate_key":
        key.write_bytes(key.read_bytes()[:40])
    elif damage == "garble_key":
        key.write_text('{"version": 1, "kdf": 3}')
    elif damage == "bad_kdf":
        document = json.loads(key.read_text())
        document["kdf"]["memory_kib"] = 10**9
        key.write_text(json.dumps(document))
    with pytest.raises(VaultCorruptError):
        opened = Wallet.open(wallet_dir, PIN, clock=clock)
        # damage deeper in the file shows when that page is first read
        for summary in opened.credentials():
            opened.credential(summary.id)
        opened.activity()
        opened.close()


def test_lowered_kdf_cost_in_key_file_does_not_unlock(
    wallet: Wallet, wallet_dir: Path, clock: ManualClock
) -> None:
    """The KDF parameters are authenticated: editing them fails like a wrong PIN."""
    wallet.close()
    key = wallet_dir / KEY_FILE
    document = json.loads(key.read_text())
    document["kdf"]["iterations"] = 2
    key.write_text(json.dumps(document))
    with pytest.raises(WrongPinError):
        Wallet.open(wallet_dir, PIN, clock=clock)


def test_second_handle_in_same_process_is_busy(wallet: Wallet, wallet_dir: Path) -> None:
    with pytest.raises(VaultBusyError):
        Wallet.open(wallet_dir, PIN)


def test_second_process_gets_busy_error(wallet: Wallet, wallet_dir: Path) -> None:
    script = (
        "import sys\n"
        "from wallet_core import Wallet, VaultBusyError\n"
        "try:\n"
        f"    Wallet.open(sys.argv[1], {PIN!r})\n"
        "except VaultBusyError as exc:\n"
        "    print(exc.code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(wallet_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "vault_busy"
    wallet.close()
    # and once closed, the other process may open it
    result = subprocess.run(
        [sys.executable, "-c", script.replace("print(exc.code)", "raise"), str(wallet_dir)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_default_kdf_is_stored_with_a_version(tmp_path: Path) -> None:
    directory = tmp_path / "real"
    with Wallet.create(directory, PIN):
        pass
    document = json.loads((directory / KEY_FILE).read_text())
    assert document["version"] == 1
    assert document["kdf"] == KdfParams().to_json()
    assert KdfParams().memory_kib >= 64 * 1024


def test_files_are_private(wallet: Wallet, wallet_dir: Path) -> None:
    assert wallet_dir.stat().st_mode & 0o077 == 0
    assert (wallet_dir / KEY_FILE).stat().st_mode & 0o077 == 0
    wallet._store_credential(make_credential(1))
    for path in wallet_dir.iterdir():
        assert path.stat().st_mode & 0o077 == 0, path.name


def test_unusable_location_is_a_storage_error(tmp_path: Path, fast_kdf: KdfParams) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(StorageError) as info:
        Wallet.create(blocker / "wallet", PIN, kdf=fast_kdf)
    assert type(info.value) is StorageError and info.value.code == "storage_error"
