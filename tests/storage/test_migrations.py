from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import PIN

from wallet_core import VaultCorruptError, Wallet
from wallet_core.storage.database import Database
from wallet_core.storage.migrations import SCHEMA_VERSION, migrate, schema_version
from wallet_core.storage.vault import DB_FILE


def test_fresh_database_migrates_to_latest(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.db", os.urandom(32))
    assert schema_version(db) == 0
    migrate(db, target=1)
    assert schema_version(db) == 1
    migrate(db)
    assert schema_version(db) == SCHEMA_VERSION
    migrate(db)  # idempotent
    tables = {row[0] for row in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"keys", "credentials", "credential_data", "activity", "cache", "settings"} <= tables
    db.close()


def test_newer_schema_is_refused(wallet: Wallet, wallet_dir: Path) -> None:
    wallet._vault.database.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    wallet.close()
    with pytest.raises(VaultCorruptError):
        Wallet.open(wallet_dir, PIN)
    assert (wallet_dir / DB_FILE).exists()  # refused, not damaged


def test_cache_and_settings(wallet: Wallet) -> None:
    vault = wallet._vault
    vault.cache.put("jwt-vc-issuer", "https://hs.example", {"jwks": []}, 100.0, 200.0)
    entry = vault.cache.get("jwt-vc-issuer", "https://hs.example")
    assert entry is not None and entry.value == {"jwks": []}
    assert entry.fresh(150.0) and not entry.fresh(250.0)
    vault.cache.purge("jwt-vc-issuer")
    assert vault.cache.get("jwt-vc-issuer", "https://hs.example") is None
    wallet.set_setting("language", "nl")
    wallet.set_setting("language", "en")
    assert wallet.setting("language") == "en"
    assert wallet.setting("missing", 3) == 3


def test_version_1_wallet_is_carried_forward_with_its_data(tmp_path: Path) -> None:
    """A wallet written before batch/deferred issuance existed opens with everything intact."""
    db = Database(tmp_path / "v1.db", key := os.urandom(32))
    migrate(db, target=1)
    with db.transaction():
        db.execute(
            "INSERT INTO credentials (id, format, type, title, issuer, issuer_name, status, "
            "added_at) VALUES ('c1', 'dc+sd-jwt', 'urn:mc', 'MC', 'https://hs', 'HS', 'valid', 1.0)"
        )
        db.execute(
            "INSERT INTO credential_data (credential_id, raw, claims, display) "
            "VALUES ('c1', 'raw', '{}', '{}')"
        )
    db.close()
    db = Database(tmp_path / "v1.db", key)
    migrate(db)
    assert schema_version(db) == SCHEMA_VERSION
    assert db.query("SELECT raw, issuance FROM credential_data") == [("raw", "{}")]
    assert db.query("SELECT count(*) FROM credential_instances") == [(0,)]
    db.close()
