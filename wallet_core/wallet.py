"""The Wallet facade: the holder's use cases, composed from storage, crypto and formats.

Only the use-case layer touches ``storage`` (DESIGN §2): this module and those it
composes, ``receiving`` (OpenID4VCI), ``presenting`` (OpenID4VP, QR) and ``freshness``
(status, type metadata); see docs/decisions/0003. Every use
case that writes more than one row does so in one vault transaction.
"""

from __future__ import annotations

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
from wallet_core.formats.seam import HeldCredential
from wallet_core.formats.type_metadata import TypeMetadata
from wallet_core.freshness import Freshness
from wallet_core.importing import Importing
from wallet_core.models import (
    ActivityEntry,
    Choice,
    ClaimPath,
    CredentialStatus,
    CredentialSummary,
    KeyAlgorithm,
    KeyInfo,
    NewCredential,
    PendingCredential,
    PresentationMatch,
    PresentationResult,
    StoredCredential,
)
from wallet_core.network import Network
from wallet_core.oid4vci.attestation import WalletProvider
from wallet_core.oid4vci.models import (
    CredentialOffer,
    OfferPreview,
)
from wallet_core.oid4vp.request import PresentationRequest
from wallet_core.presenting import Presenting
from wallet_core.receiving import AuthorizationSession, Receiving
from wallet_core.storage import KdfParams, Vault
from wallet_core.storage.backup import export_backup, load_tables, read_backup
from wallet_core.storage.vault import erase, lockout_remaining
from wallet_core.trust import IssuerKeyResolver

PathLike = str | os.PathLike[str]
DEFAULT_LOCALE = "nl"


class WalletOptions(TypedDict, total=False):
    """Keyword options of ``create``, ``open`` and ``restore_backup``."""

    clock: Clock
    allow_http_loopback: bool  # http:// to 127.0.0.0/8 and localhost: tests and the demo only
    trust_anchors: Sequence[x509.Certificate]  # roots for issuer x5c chains
    verifier_trust_anchors: Sequence[x509.Certificate]  # roots for verifier certificates
    http_transport: httpx.BaseTransport  # the test seam (httpx.MockTransport)
    wallet_provider: str  # the URL of the wallet provider that attests this instance


class Wallet:
    """An unlocked wallet. Obtain one with ``create``, ``open`` or ``restore_backup``."""

    def __init__(self, vault: Vault, options: WalletOptions) -> None:
        self._vault = vault
        self.allow_http_loopback = options.get("allow_http_loopback", False)
        self._network = Network(
            http.HttpPolicy(allow_http_loopback=self.allow_http_loopback),
            vault.cache,
            vault.clock,
            transport=options.get("http_transport"),
            trust_anchors=options.get("trust_anchors", ()),
            verifier_trust_anchors=options.get("verifier_trust_anchors", ()),
        )
        provider_url = options.get("wallet_provider")
        provider = (
            WalletProvider(provider_url, self._network.http, vault.clock) if provider_url else None
        )
        self._receiving = Receiving(vault, self._network, self._locale, provider)
        self._freshness = Freshness(vault, self._network)
        self._presenting = Presenting(vault, self._network)
        self._importing = Importing(vault, self._network)

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
        self._network.close()
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
    def lockout_remaining(directory: PathLike, clock: Clock | None = None) -> float:
        """Seconds before the next PIN attempt is allowed (0: now), without making one.

        Lets an unlock screen show the countdown of a lockout that began earlier.
        """
        return lockout_remaining(Path(directory), clock or SystemClock())

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

    def unused_copies(self, credential_id: str) -> int:
        """Spare batch instances no verifier has seen yet. At 0, presentations fall back to
        the one primary copy, so from then on verifiers could link them (OpenID4VCI 1.0
        batch issuance exists for this unlinkability)."""
        return sum(1 for i in self._vault.credentials.instances(credential_id) if i.used_at is None)

    def import_credential(self, data: bytes | str, filename: str | None = None) -> StoredCredential:
        """Verify and store a credential from a file or link: an Open Badge / W3C VC as
        JSON-LD with its proof, a VC-JWT, a baked PNG or SVG, or the https URL of an OB 2.0
        hosted assertion. Refused input raises and stores nothing; a credential already in
        the wallet raises ``DuplicateCredentialError``."""
        return self._importing.import_credential(data, filename)

    def delete_credential(self, credential_id: str) -> None:
        """Remove it and its keys, then tell the issuer (best effort, §10)."""
        issuance = self._delete_credential(credential_id)
        self._receiving.notify_deleted(issuance)

    def _delete_credential(self, credential_id: str) -> dict[str, Any]:
        """Remove the credential and its holder keys (one key per instance, DESIGN §6)."""
        vault = self._vault
        issuance = {
            **vault.credentials.issuance(credential_id),
            "issuer": vault.credentials.get(credential_id).issuer,
        }
        with vault.transaction():
            key_ids = vault.credentials.key_ids(credential_id)
            vault.credentials.delete(credential_id)  # its batch instances go with it
            for key_id in key_ids:
                vault.keys.delete(key_id)
            vault.activity.record("credential_deleted", vault.now(), credential_id=credential_id)
        return issuance

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
                details={"name": credential.issuer_name},
            )
        return vault.credentials.get(credential_id)

    # -- receiving (OpenID4VCI) -----------------------------------------------------------

    def parse_offer(self, text: str) -> CredentialOffer:
        """An offer from a QR/link/JSON; offers by reference are fetched under the policy."""
        return self._receiving.parse_offer(text)

    def preview_offer(self, offer: CredentialOffer, locale: str | None = None) -> OfferPreview:
        """Who offers what, and whether a transaction code is needed (nothing is stored)."""
        return self._receiving.preview_offer(offer, locale)

    def accept_offer(
        self, offer: CredentialOffer, tx_code: str | None = None
    ) -> list[StoredCredential | PendingCredential]:
        """The pre-authorized code flow, end to end. A wrong transaction code raises
        ``IssuanceError`` with ``oauth_error == "invalid_grant"`` and the offer stays usable."""
        return self._freshness.on_arrival(self._receiving.accept_offer(offer, tx_code))

    def start_authorization(
        self, offer: CredentialOffer, redirect_uri: str
    ) -> AuthorizationSession:
        """Authorization code flow with PKCE (and PAR when offered): open ``session.url``."""
        return self._receiving.start_authorization(offer, redirect_uri)

    def finish_authorization(
        self, session: AuthorizationSession, redirect_url: str
    ) -> list[StoredCredential | PendingCredential]:
        return self._freshness.on_arrival(
            self._receiving.finish_authorization(session, redirect_url)
        )

    def pending(self) -> list[PendingCredential]:
        return self._vault.pending.all()

    def cancel_pending(self, pending_id: str) -> None:
        """Give up on a deferred credential: forget its session and the keys made for it."""
        self._receiving.cancel_pending(pending_id)

    def poll_pending(self, pending_id: str) -> StoredCredential | PendingCredential:
        """Ask the issuer for a deferred credential; store it if it is ready."""
        [result] = self._freshness.on_arrival([self._receiving.poll_pending(pending_id)])
        return result

    def _locale(self) -> str:
        value = self.setting("language", DEFAULT_LOCALE)
        return value if isinstance(value, str) else DEFAULT_LOCALE

    # -- presenting (OpenID4VP, QR) -------------------------------------------------------

    def parse_presentation_request(self, text: str) -> PresentationRequest:
        """An openid4vp:// (or https) request; request objects are fetched and verified, and
        the verifier's identity is established by its client_id prefix."""
        return self._presenting.parse_request(text)

    def match(self, request: PresentationRequest) -> PresentationMatch:
        """Per query: which credentials can answer, with required and optional claims."""
        return self._presenting.match(request)

    def present(
        self,
        request: PresentationRequest,
        choices: Mapping[str, Choice],
        matched: PresentationMatch | None = None,
    ) -> PresentationResult:
        """Send what the holder confirmed; nothing else is disclosed. ``matched`` is this
        request's :meth:`match` when the caller has it (it is not run again)."""
        return self._presenting.present(request, choices, matched)

    def decline(self, request: PresentationRequest) -> PresentationResult:
        return self._presenting.decline(request)

    def held(self, credential_id: str) -> HeldCredential:
        """The credential as its format reads it: claim tree, types, what can be left out."""
        return self._presenting.held_one(credential_id)

    def offline_presentation(
        self,
        credential_id: str,
        claims: Sequence[ClaimPath],
        nonce: str | None = None,
        audience: str | None = None,
    ) -> str:
        """An SD-JWT+KB to show as a QR, made without a network."""
        return self._presenting.offline_presentation(credential_id, claims, nonce, audience)

    # -- freshness -----------------------------------------------------------------------

    def refresh_status(self, credential_id: str) -> CredentialStatus:
        """Check the credential's status list; offline, the last known status (with its age)."""
        return self._freshness.refresh_status(credential_id)

    def type_metadata(self, vct: str, integrity: str | None = None) -> TypeMetadata:
        """SD-JWT VC Type Metadata of ``vct``, fetched under the policy and kept in the vault."""
        return self._freshness.type_metadata(vct, integrity)

    @property
    def issuer_keys(self) -> IssuerKeyResolver:
        """Resolves issuer keys under the wallet's HTTP policy, cached in the vault."""
        return self._network.issuer_keys

    # -- keys ----------------------------------------------------------------------------

    def new_key(self, alg: KeyAlgorithm | str = KeyAlgorithm.ES256) -> KeyInfo:
        """Generate a holder key inside the vault and return its public facts."""
        return self._vault.keys.add_signer(crypto.generate(alg), self._vault.now())

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

    @property
    def last_backup_at(self) -> datetime | None:
        """When a backup was last made of this wallet, or it was restored from one (the file
        it came from is one): as its history says."""
        return to_datetime(self._vault.activity.last_at("backup_exported", "wallet_restored"))

    @classmethod
    def restore_backup(
        cls,
        source: PathLike | bytes,
        passphrase: str,
        directory: PathLike,
        pin: str,
        *,
        kdf: KdfParams | None = None,
        **options: Unpack[WalletOptions],
    ) -> Wallet:
        """Rebuild a wallet from a backup in a new ``directory`` protected by ``pin``.

        ``source`` is the backup file or its bytes (an upload in the browser has no path).

        On any failure (wrong passphrase, altered or truncated file) ``BackupError`` is
        raised and ``directory`` is left as it was.
        """
        payload = read_backup(source if isinstance(source, bytes) else Path(source), passphrase)
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
