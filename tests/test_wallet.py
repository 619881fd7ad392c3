"""The Wallet facade's step-1 use cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import PIN, make_credential

from wallet_core import (
    NotFoundError,
    VaultClosedError,
    VaultNotFoundError,
    Wallet,
)


def test_credentials_newest_first_and_detail(wallet: Wallet, clock) -> None:  # type: ignore[no-untyped-def]
    first = wallet._store_credential(make_credential(1))
    clock.advance(5)
    second = wallet._store_credential(make_credential(2))
    assert [s.id for s in wallet.credentials()] == [second.id, first.id]
    detail = wallet.credential(first.id)
    assert detail.claims["student"]["given_name"] == "Zoë-000001"
    assert detail.issuer == "https://hogeschool.example"
    assert detail.status.state.value == "unknown"
    with pytest.raises(NotFoundError):
        wallet.credential("nope")


def test_delete_credential_removes_its_key_and_is_logged(wallet: Wallet) -> None:
    key = wallet.new_key()
    kept = wallet._store_credential(make_credential(1, key_id=wallet.new_key().kid))
    gone = wallet._store_credential(make_credential(2, key_id=key.kid))
    wallet.delete_credential(gone.id)
    assert [s.id for s in wallet.credentials()] == [kept.id]
    assert key.kid not in {k.kid for k in wallet.holder_keys()}
    assert wallet.activity()[0].kind == "credential_deleted"
    assert wallet.activity()[0].credential_id == gone.id
    with pytest.raises(NotFoundError):
        wallet.delete_credential(gone.id)


def test_failed_use_case_writes_nothing(wallet: Wallet) -> None:
    """A missing key makes delete fail half-way; the credential and history stay as they were."""
    stored = wallet._store_credential(make_credential(1, key_id=wallet.new_key().kid))
    history = wallet.activity()
    wallet._vault.database.execute("PRAGMA foreign_keys = OFF")
    wallet._vault.keys.delete(stored.key_id)  # type: ignore[arg-type]
    with pytest.raises(NotFoundError):
        wallet.delete_credential(stored.id)
    assert wallet.credential(stored.id) == stored
    assert wallet.activity() == history


def test_activity_records_lifecycle(wallet: Wallet) -> None:
    assert [e.kind for e in wallet.activity()] == ["wallet_created"]


def test_closed_wallet_refuses_use(wallet: Wallet, wallet_dir: Path) -> None:
    wallet.close()
    wallet.close()  # idempotent
    with pytest.raises(VaultClosedError):
        wallet.credentials()
    with Wallet.open(wallet_dir, PIN) as again:
        assert not again.closed
    assert again.closed


def test_delete_whole_wallet(wallet: Wallet, wallet_dir: Path) -> None:
    wallet._store_credential(make_credential(1))
    wallet.delete_wallet()
    assert not wallet_dir.exists()
    assert not Wallet.exists(wallet_dir)
    with pytest.raises(VaultNotFoundError):
        Wallet.open(wallet_dir, PIN)


def test_erase_forgotten_wallet(wallet: Wallet, wallet_dir: Path, fast_kdf) -> None:  # type: ignore[no-untyped-def]
    wallet.close()
    Wallet.erase(wallet_dir)
    assert not wallet_dir.exists()
    Wallet.create(wallet_dir, PIN, kdf=fast_kdf).close()  # a fresh start is possible


def test_erase_refuses_a_directory_with_other_files(tmp_path: Path) -> None:
    from wallet_core import VaultExistsError

    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "thesis.txt").write_text("four years of work")
    with pytest.raises(VaultExistsError):
        Wallet.erase(precious)
    assert (precious / "thesis.txt").exists()
    with pytest.raises(VaultNotFoundError):
        Wallet.erase(tmp_path / "nothing-here")
