"""The Wallet facade: the holder's use cases, composed from storage, crypto and formats.

This is the only module that touches ``storage`` (DESIGN §2). Every use case that writes
more than one row does so in one vault transaction.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import Any

from wallet_core import crypto
from wallet_core.clock import Clock, SystemClock, to_datetime
from wallet_core.crypto.keys import Signer, signer_from_vault
from wallet_core.models import (
    ActivityEntry,
    CredentialSummary,
    KeyAlgorithm,
    KeyInfo,
    NewCredential,
    StoredCredential,
)
from wallet_core.storage import KdfParams, Vault
from wallet_core.storage.backup import export_backup, load_tables, read_backup
from wallet_core.storage.vault import erase

PathLike = str | os.PathLike[str]


class Wallet:
    """An unlocked wallet. Obtain one with ``create``, ``open`` or ``restore_backup``."""

    def __init__(self, vault: Vault, *, allow_http_loopback: bool = False) -> None:
        self._vault = vault
        self.allow_http_loopback = allow_http_loopback

    # -- lifecycle -----------------------------------------------------------------------

    @staticmethod
    def exists(directory: PathLike) -> bool:
        return Vault.exists(Path(directory))

    @classmethod
    def create(
        cls,
        directory: PathLike,
        pin: str,
        *,
        kdf: KdfParams | None = None,
        clock: Clock | None = None,
        allow_http_loopback: bool = False,
    ) -> Wallet:
        """A new, empty wallet. Refuses a directory that already holds anything."""
        vault = Vault.create(
            Path(directory), pin, kdf=kdf or KdfParams(), clock=clock or SystemClock()
        )
        wallet = cls(vault, allow_http_loopback=allow_http_loopback)
        vault.activity.record("wallet_created", vault.now())
        return wallet

    @classmethod
    def open(
        cls,
        directory: PathLike,
        pin: str,
        *,
        clock: Clock | None = None,
        allow_http_loopback: bool = False,
    ) -> Wallet:
        """Unlock. Raises WrongPinError (attempts left), LockedOutError, VaultBusyError, ..."""
        vault = Vault.open(Path(directory), pin, clock=clock or SystemClock())
        return cls(vault, allow_http_loopback=allow_http_loopback)

    def close(self) -> None:
        if not self._vault.closed:
            self._vault.close()

    @property
    def closed(self) -> bool:
        return self._vault.closed

    def __enter__(self) -> Wallet:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def change_pin(self, old_pin: str, new_pin: str) -> None:
        self._vault.change_pin(old_pin, new_pin)
        self._vault.activity.record("pin_changed", self._vault.now())

    def delete_wallet(self) -> None:
        """Erase this wallet and everything in it; the object is closed afterwards."""
        self._vault.destroy()

    @staticmethod
    def erase(directory: PathLike) -> None:
        """Erase a wallet that is not open, e.g. when its PIN is forgotten. Irreversible."""
        erase(Path(directory))

    # -- credentials ---------------------------------------------------------------------

    def credentials(self) -> list[CredentialSummary]:
        """Newest first. Cheap: one narrow query, no signature work, no network."""
        return self._vault.credentials.summaries()

    def credential(self, credential_id: str) -> StoredCredential:
        return self._vault.credentials.get(credential_id)

    def delete_credential(self, credential_id: str) -> None:
        """Remove the credential and its holder key (one key per credential, DESIGN §6)."""
        vault = self._vault
        with vault.transaction():
            key_id = vault.credentials.key_of(credential_id)
            vault.credentials.delete(credential_id)
            if key_id is not None:
                vault.keys.delete(key_id)
            vault.activity.record("credential_deleted", vault.now(), credential_id=credential_id)

    def _store_credential(self, credential: NewCredential) -> StoredCredential:
        """Store a credential that the caller has already verified (the issuance flows do).

        Not public API: nothing outside wallet_core may put an unverified credential here.
        """
        vault = self._vault
        with vault.transaction():
            credential_id = vault.credentials.add(credential, vault.now())
            vault.activity.record(
                "credential_added",
                vault.now(),
                credential_id=credential_id,
                counterparty=credential.issuer,
            )
        return vault.credentials.get(credential_id)

    # -- keys ----------------------------------------------------------------------------

    def new_key(self, alg: KeyAlgorithm | str = KeyAlgorithm.ES256) -> KeyInfo:
        """Generate a holder key inside the vault and return its public facts."""
        signer = crypto.generate(alg)
        created_at = to_datetime(self._vault.now())
        assert created_at is not None
        info = KeyInfo(signer.kid, signer.alg, dict(signer.public_jwk), created_at)
        self._vault.keys.add(info, signer._vault_material())
        return info

    def holder_keys(self) -> list[KeyInfo]:
        return self._vault.keys.all()

    def signer(self, kid: str) -> Signer:
        return signer_from_vault(self._vault.keys.private_der(kid))

    # -- history and settings ------------------------------------------------------------

    def activity(self, limit: int | None = None) -> list[ActivityEntry]:
        return self._vault.activity.entries(limit)

    def setting(self, key: str, default: Any = None) -> Any:
        return self._vault.settings.get(key, default)

    def set_setting(self, key: str, value: Any) -> None:
        self._vault.settings.set(key, value)

    # -- backup --------------------------------------------------------------------------

    def export_backup(self, path: PathLike, passphrase: str) -> None:
        """Write everything (keys included) to one file sealed with ``passphrase``."""
        vault = self._vault
        export_backup(vault.database, Path(path), passphrase, vault.now(), KdfParams())
        vault.activity.record("backup_exported", vault.now())

    @classmethod
    def restore_backup(
        cls,
        path: PathLike,
        passphrase: str,
        directory: PathLike,
        pin: str,
        *,
        kdf: KdfParams | None = None,
        clock: Clock | None = None,
        allow_http_loopback: bool = False,
    ) -> Wallet:
        """Rebuild a wallet from a backup in a new ``directory`` protected by ``pin``.

        On any failure (wrong passphrase, altered or truncated file) ``BackupError`` is
        raised and ``directory`` is left as it was.
        """
        payload = read_backup(Path(path), passphrase)
        vault = Vault.create(
            Path(directory),
            pin,
            kdf=kdf or KdfParams(),
            clock=clock or SystemClock(),
            populate=lambda db: load_tables(db, payload["tables"]),
            populate_schema=payload["schema_version"],
        )
        vault.activity.record("wallet_restored", vault.now())
        return cls(vault, allow_http_loopback=allow_http_loopback)
