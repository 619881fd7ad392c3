"""The Wallet facade: the holder's use cases, composed from storage, crypto and formats.

This is the only module that touches ``storage`` (DESIGN §2). Every use case that writes
more than one row does so in one vault transaction.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypedDict, Unpack

import httpx
from cryptography import x509

from wallet_core import crypto, http
from wallet_core.clock import Clock, SystemClock, to_datetime
from wallet_core.crypto.keys import Signer, signer_from_vault
from wallet_core.errors import NetworkError, TypeMetadataError
from wallet_core.formats import sd_jwt_vc, status, type_metadata
from wallet_core.formats.type_metadata import TypeMetadata
from wallet_core.models import (
    ActivityEntry,
    CredentialStatus,
    CredentialSummary,
    KeyAlgorithm,
    KeyInfo,
    NewCredential,
    StoredCredential,
)
from wallet_core.storage import KdfParams, Vault
from wallet_core.storage.backup import export_backup, load_tables, read_backup
from wallet_core.storage.vault import erase
from wallet_core.trust import IssuerKeyResolver
from wallet_core.trust.cache import Fetched, Source, cached_fetch

PathLike = str | os.PathLike[str]
SD_JWT_VC_FORMATS = frozenset({"dc+sd-jwt", "vc+sd-jwt"})
STATUS_LIST_NAMESPACE = "status-list-token"
TYPE_METADATA_NAMESPACE = "type-metadata"


class WalletOptions(TypedDict, total=False):
    """Keyword options of ``create``, ``open`` and ``restore_backup``."""

    clock: Clock
    allow_http_loopback: bool  # http:// to 127.0.0.0/8 and localhost: tests and the demo only
    trust_anchors: Sequence[x509.Certificate]  # roots for issuer x5c chains
    http_transport: httpx.BaseTransport  # the test seam (httpx.MockTransport)


class Wallet:
    """An unlocked wallet. Obtain one with ``create``, ``open`` or ``restore_backup``."""

    def __init__(self, vault: Vault, options: WalletOptions) -> None:
        self._vault = vault
        self.allow_http_loopback = options.get("allow_http_loopback", False)
        self._policy = http.HttpPolicy(allow_http_loopback=self.allow_http_loopback)
        self._transport = options.get("http_transport")
        self._trust_anchors = tuple(options.get("trust_anchors", ()))
        # Built on first network use: an httpx client loads CA certificates, which would
        # cost more than the whole rest of unlocking.
        self._client: httpx.Client | None = None
        self._issuer_keys: IssuerKeyResolver | None = None

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
        **options: Unpack[WalletOptions],
    ) -> Wallet:
        """A new, empty wallet. Refuses a directory that already holds anything."""
        clock = options.get("clock") or SystemClock()
        vault = Vault.create(Path(directory), pin, kdf=kdf or KdfParams(), clock=clock)
        wallet = cls(vault, options)
        vault.activity.record("wallet_created", vault.now())
        return wallet

    @classmethod
    def open(
        cls,
        directory: PathLike,
        pin: str,
        **options: Unpack[WalletOptions],
    ) -> Wallet:
        """Unlock. Raises WrongPinError (attempts left), LockedOutError, VaultBusyError, ..."""
        vault = Vault.open(Path(directory), pin, clock=options.get("clock") or SystemClock())
        return cls(vault, options)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
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
        """Remove the credential and its holder keys (one key per instance, DESIGN §6)."""
        vault = self._vault
        with vault.transaction():
            key_ids = vault.credentials.key_ids(credential_id)
            vault.credentials.delete(credential_id)  # its batch instances go with it
            for key_id in key_ids:
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

    # -- status --------------------------------------------------------------------------

    def refresh_status(self, credential_id: str) -> CredentialStatus:
        """Check the credential's Token Status List and store what it says.

        Offline (or while the list cannot be fetched) the last known status is returned
        unchanged, with the time it was last checked, so the UI can show its age. A list
        that was fetched but does not verify raises: that is not "offline".
        """
        stored = self.credential(credential_id)
        if stored.format not in SD_JWT_VC_FORMATS:
            return stored.status
        credential = sd_jwt_vc.read_stored(stored.raw)
        reference = status.parse_status_reference(credential.claims)
        if reference is None:
            return stored.status
        issuer = credential.issuer

        def issuer_key(header: Mapping[str, Any], payload: Mapping[str, Any]) -> Mapping[str, Any]:
            # The list must be signed for the credential's own issuer (Token Status List §8.3).
            return self.issuer_keys.resolve(issuer, header)

        def fetch() -> Fetched:
            token = http.get_text(
                self._http, reference.uri, self._policy, accept="application/statuslist+jwt"
            )
            checked = status.verify_status_list_token(
                token, uri=reference.uri, issuer_key=issuer_key, now=self._now()
            )
            return Fetched(token, (checked.valid_until - checked.fetched_at).total_seconds())

        try:
            token, source = cached_fetch(
                self._vault.cache, self._vault.clock, STATUS_LIST_NAMESPACE, reference.uri, fetch
            )
        except NetworkError:
            return stored.status
        if source is Source.STALE_CACHE:
            return stored.status
        result = status.check_token_status(token, reference, issuer_key=issuer_key, now=self._now())
        fresh = CredentialStatus(result.state, self._now())
        self._vault.credentials.set_status(credential_id, fresh)
        return fresh

    def type_metadata(self, vct: str, integrity: str | None = None) -> TypeMetadata:
        """SD-JWT VC Type Metadata of ``vct`` (and what it extends), fetched under the HTTP
        policy and kept in the vault, so cards render offline. A ``vct`` that is not an
        https URL has no retrieval method yet (a registry would be one)."""

        def fetch(url: str) -> bytes:
            def download() -> Fetched:
                response = http.get(self._http, url, self._policy, accept="application/json")
                # kept as base64: integrity (SRI) is over the exact octets served
                return Fetched(base64.b64encode(response.content).decode(), response.max_age())

            if not url.startswith(("https://", "http://")):
                raise TypeMetadataError(f"no way to retrieve type metadata for {url!r}")
            encoded, _ = cached_fetch(
                self._vault.cache, self._vault.clock, TYPE_METADATA_NAMESPACE, url, download
            )
            return base64.b64decode(str(encoded))

        return type_metadata.resolve(vct, fetch, integrity=integrity)

    def _now(self) -> datetime:
        moment = to_datetime(self._vault.now())
        assert moment is not None
        return moment

    # -- network -------------------------------------------------------------------------

    @property
    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = http.make_client(self._policy, transport=self._transport)
        return self._client

    @property
    def issuer_keys(self) -> IssuerKeyResolver:
        """Resolves issuer keys under the wallet's HTTP policy, cached in the vault."""
        if self._issuer_keys is None:
            self._issuer_keys = IssuerKeyResolver(
                self._http, self._policy, self._vault.cache, self._vault.clock, self._trust_anchors
            )
        return self._issuer_keys

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
        **options: Unpack[WalletOptions],
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
            clock=options.get("clock") or SystemClock(),
            populate=lambda db: load_tables(db, payload["tables"]),
            populate_schema=payload["schema_version"],
        )
        vault.activity.record("wallet_restored", vault.now())
        return cls(vault, options)
