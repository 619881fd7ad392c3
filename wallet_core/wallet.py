"""The Wallet facade: the holder's use cases, composed from storage, crypto and formats.

This is the only module that touches ``storage`` (DESIGN §2). Every use case that writes
more than one row does so in one vault transaction.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypedDict, Unpack

import httpx
from cryptography import x509

from wallet_core import crypto, http
from wallet_core.clock import Clock, SystemClock, to_datetime
from wallet_core.crypto.keys import Signer, signer_from_vault
from wallet_core.errors import (
    IssuanceError,
    NetworkError,
    OfferError,
    TypeMetadataError,
    WalletError,
)
from wallet_core.formats import sd_jwt_vc, status, type_metadata
from wallet_core.formats.type_metadata import TypeMetadata
from wallet_core.models import (
    ActivityEntry,
    CredentialStatus,
    CredentialSummary,
    KeyAlgorithm,
    KeyInfo,
    NewCredential,
    PendingCredential,
    StoredCredential,
)
from wallet_core.oid4vci import metadata as vci_metadata
from wallet_core.oid4vci import offer as vci_offer
from wallet_core.oid4vci import preview as vci_preview
from wallet_core.oid4vci.client import (
    AuthorizationRequest,
    IssuedCredentials,
    IssuerClient,
    TokenResponse,
)
from wallet_core.oid4vci.display import card_title, display_name, display_record, host_of
from wallet_core.oid4vci.models import (
    CredentialConfiguration,
    CredentialOffer,
    IssuerMetadata,
    OfferPreview,
)
from wallet_core.oid4vci.proofs import choose_algorithm
from wallet_core.storage import KdfParams, Vault
from wallet_core.storage.backup import export_backup, load_tables, read_backup
from wallet_core.storage.vault import erase
from wallet_core.trust import IssuerKeyResolver
from wallet_core.trust.cache import Fetched, Source, cached_fetch

PathLike = str | os.PathLike[str]
SD_JWT_VC_FORMATS = frozenset({"dc+sd-jwt", "vc+sd-jwt"})
STATUS_LIST_NAMESPACE = "status-list-token"
TYPE_METADATA_NAMESPACE = "type-metadata"
BATCH_INSTANCES = 3  # instances asked for when the issuer offers batch issuance
DEFAULT_LOCALE = "nl"


@dataclass
class AuthorizationSession:
    """An authorization-code issuance in progress: open ``url``, then call
    ``finish_authorization`` with the redirect. In memory only."""

    offer: CredentialOffer
    request: AuthorizationRequest
    issuer: IssuerClient = field(repr=False)

    @property
    def url(self) -> str:
        return self.request.url


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
        self._deleted_issuance: dict[str, dict[str, Any]] = {}

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
        self._delete_credential(credential_id)
        self._notify_deleted(credential_id)

    def _notify_deleted(self, credential_id: str) -> None:
        """Tell the issuer (``credential_deleted``, OpenID4VCI §10) — after the fact and
        best effort: deleting must work offline and must not depend on the issuer."""
        issuance = self._deleted_issuance.pop(credential_id, None)
        if not issuance or not issuance.get("notification_id") or not issuance.get("issuer"):
            return
        try:
            issuer = self._issuer_client_for(issuance["issuer"], None)
        except WalletError:
            return
        token = TokenResponse(access_token=str(issuance["access_token"]))
        self._notify(issuer, token, str(issuance["notification_id"]), "credential_deleted")

    def _delete_credential(self, credential_id: str) -> None:
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
        self._deleted_issuance[credential_id] = issuance

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

    # -- receiving (OpenID4VCI) -----------------------------------------------------------

    def parse_offer(self, text: str) -> CredentialOffer:
        """An offer from a QR/link/JSON; offers by reference are fetched under the policy."""
        return vci_offer.parse_offer(text, self._http, self._policy)

    def preview_offer(self, offer: CredentialOffer, locale: str | None = None) -> OfferPreview:
        """Who offers what, and whether a transaction code is needed (nothing is stored)."""
        metadata = self._issuer_client(offer).metadata
        return vci_preview.build_preview(offer, metadata, locale or self._locale())

    def accept_offer(
        self, offer: CredentialOffer, tx_code: str | None = None
    ) -> list[StoredCredential | PendingCredential]:
        """The pre-authorized code flow, end to end. A wrong transaction code raises
        ``IssuanceError`` with ``oauth_error == "invalid_grant"`` and the offer stays usable."""
        grant = offer.pre_authorized
        if grant is None:
            raise OfferError("this offer needs a login at the institution (authorization code)")
        issuer = self._issuer_client(offer)
        offer = vci_offer.bind_offer(offer, issuer.metadata)
        token = issuer.token_pre_authorized(grant, tx_code, offer.credential_configuration_ids)
        return self._receive(issuer, token, offer.credential_configuration_ids)

    def start_authorization(
        self, offer: CredentialOffer, redirect_uri: str
    ) -> AuthorizationSession:
        """Authorization code flow with PKCE (and PAR when offered): open ``session.url``."""
        issuer = self._issuer_client(offer, grant="authorization_code")
        offer = vci_offer.bind_offer(offer, issuer.metadata)
        return AuthorizationSession(
            offer, issuer.authorization_request(offer, redirect_uri), issuer
        )

    def finish_authorization(
        self, session: AuthorizationSession, redirect_url: str
    ) -> list[StoredCredential | PendingCredential]:
        code = session.issuer.authorization_code(session.request, redirect_url)
        token = session.issuer.token_authorization_code(code, session.request)
        return self._receive(session.issuer, token, session.request.configuration_ids)

    def pending(self) -> list[PendingCredential]:
        return self._vault.pending.all()

    def poll_pending(self, pending_id: str) -> StoredCredential | PendingCredential:
        """Ask the issuer for a deferred credential; store it if it is ready."""
        pending, state = self._vault.pending.get(pending_id)
        issuer = self._issuer_client_for(pending.issuer, None)
        token = TokenResponse(access_token=state["access_token"])
        answer = issuer.deferred(token, pending.transaction_id)
        if not answer.credentials:
            interval = answer.interval or state.get("interval") or 5.0
            self._vault.pending.reschedule(pending_id, self._vault.now() + float(interval))
            return self._vault.pending.get(pending_id)[0]
        configuration = _configuration(issuer.metadata, pending.configuration_id)
        signers = [self.signer(kid) for kid in state["key_ids"]]
        stored = self._verify_and_store(
            issuer, token, configuration, answer, signers, keys_stored=True, pending_id=pending_id
        )
        return stored

    def _receive(
        self, issuer: IssuerClient, token: TokenResponse, configuration_ids: tuple[str, ...]
    ) -> list[StoredCredential | PendingCredential]:
        received: list[StoredCredential | PendingCredential] = []
        metadata = issuer.metadata
        for configuration_id in configuration_ids:
            configuration = _configuration(metadata, configuration_id)
            algorithm = choose_algorithm(configuration.proof_signing_algs)
            wanted = 1 if metadata.draft13 else min(metadata.batch_size or 1, BATCH_INSTANCES)
            bound = bool(configuration.cryptographic_binding_methods) or metadata.draft13
            signers = [crypto.generate(algorithm) for _ in range(wanted if bound else 0)]
            identifiers = token.credential_identifiers.get(configuration_id) or (None,)
            answer = issuer.request_credential(token, configuration, signers, identifiers[0])
            if answer.transaction_id is not None and not answer.credentials:
                received.append(self._keep_pending(issuer, token, configuration, answer, signers))
            else:
                received.append(
                    self._verify_and_store(issuer, token, configuration, answer, signers)
                )
        return received

    def _keep_pending(
        self,
        issuer: IssuerClient,
        token: TokenResponse,
        configuration: CredentialConfiguration,
        answer: IssuedCredentials,
        signers: list[Signer],
    ) -> PendingCredential:
        vault = self._vault
        pending_id = secrets.token_hex(16)
        interval = answer.interval or 5.0
        with vault.transaction():
            for signer in signers:
                self._store_key(signer)
            vault.pending.add(
                pending_id,
                issuer=issuer.metadata.credential_issuer,
                configuration_id=configuration.id,
                title=card_title(configuration, {}, self._locale()),
                transaction_id=answer.transaction_id or "",
                session={
                    "access_token": token.access_token,
                    "key_ids": [s.kid for s in signers],
                    "interval": interval,
                },
                next_poll_at=vault.now() + interval,
                now=vault.now(),
            )
            vault.activity.record(
                "credential_pending", vault.now(), counterparty=issuer.metadata.credential_issuer
            )
        return vault.pending.get(pending_id)[0]

    def _verify_and_store(
        self,
        issuer: IssuerClient,
        token: TokenResponse,
        configuration: CredentialConfiguration,
        answer: IssuedCredentials,
        signers: list[Signer],
        *,
        keys_stored: bool = False,
        pending_id: str | None = None,
    ) -> StoredCredential:
        """Verify every instance (signature, issuer key, cnf = our key, vct, validity), then
        store them, their keys and a history entry in one transaction; tell the issuer."""
        try:
            verified = [
                self._verify_issued(raw, configuration, signers[i] if i < len(signers) else None)
                for i, raw in enumerate(answer.credentials)
            ]
        except WalletError:
            if answer.notification_id is not None:
                self._notify(issuer, token, answer.notification_id, "credential_failure")
            raise
        first, *others = verified
        locale = self._locale()
        metadata = issuer.metadata
        new = NewCredential(
            format=configuration.format,
            raw=answer.credentials[0],
            claims=first.claims,
            issuer=metadata.credential_issuer,
            issuer_name=display_name(metadata.display, locale)
            or host_of(metadata.credential_issuer),
            type=first.vct,
            title=card_title(configuration, first.claims, locale),
            display=display_record(metadata, configuration),
            issued_at=first.issued_at,
            expires_at=first.expires_at,
            key_id=signers[0].kid if signers else None,
        )
        vault = self._vault
        issuance = {
            "notification_id": answer.notification_id,
            "access_token": token.access_token,
            "configuration_id": configuration.id,
        }
        with vault.transaction():
            if not keys_stored:
                for signer in signers[: len(answer.credentials)]:
                    self._store_key(signer)
            instances = [
                (raw, signers[i + 1].kid if i + 1 < len(signers) else None)
                for i, raw in enumerate(answer.credentials[1:])
            ]
            credential_id = vault.credentials.add(
                new, vault.now(), instances=instances, issuance=issuance
            )
            if pending_id is not None:
                vault.pending.delete(pending_id)
            vault.activity.record(
                "credential_added",
                vault.now(),
                credential_id=credential_id,
                counterparty=metadata.credential_issuer,
                details={"instances": len(answer.credentials), "vct": first.vct},
            )
        del others
        if answer.notification_id is not None:
            self._notify(issuer, token, answer.notification_id, "credential_accepted")
        return vault.credentials.get(credential_id)

    def _verify_issued(
        self, raw: str, configuration: CredentialConfiguration, signer: Signer | None
    ) -> sd_jwt_vc.SdJwtVc:
        if configuration.format not in SD_JWT_VC_FORMATS:
            raise IssuanceError(
                f"credentials in {configuration.format!r} format are not supported yet"
            )

        def issuer_key(header: Mapping[str, Any], payload: Mapping[str, Any]) -> Mapping[str, Any]:
            iss = payload.get("iss")
            return self.issuer_keys.resolve(iss if isinstance(iss, str) else None, header)

        return sd_jwt_vc.verify_issued(
            raw,
            issuer_key,
            holder_jwk=signer.public_jwk if signer is not None else None,
            expected_vct=configuration.vct,
            now=self._vault.now(),
        )

    def _notify(
        self, issuer: IssuerClient, token: TokenResponse, notification_id: str, event: str
    ) -> None:
        """Best effort: a lost notification must never cost the user a credential (§10)."""
        try:
            issuer.notify(token, notification_id, event)
        except WalletError:
            return

    def _store_key(self, signer: Signer) -> None:
        created_at = to_datetime(self._vault.now())
        assert created_at is not None
        info = KeyInfo(signer.kid, signer.alg, dict(signer.public_jwk), created_at)
        self._vault.keys.add(info, signer._vault_material())

    def _issuer_client(self, offer: CredentialOffer, grant: str | None = None) -> IssuerClient:
        server = None
        if grant == "authorization_code" and offer.authorization_code is not None:
            server = offer.authorization_code.authorization_server
        elif offer.pre_authorized is not None:
            server = offer.pre_authorized.authorization_server
        return self._issuer_client_for(offer.credential_issuer, server)

    def _issuer_client_for(self, credential_issuer: str, server: str | None) -> IssuerClient:
        metadata = vci_metadata.fetch_issuer_metadata(
            credential_issuer, self._http, self._policy, key_resolver=self.issuer_keys.resolve
        )
        # the issuer decides which servers may log the user in; an offer only picks among them
        authorization_server = vci_metadata.fetch_authorization_server_metadata(
            vci_metadata.authorization_server_for(metadata, server), self._http, self._policy
        )
        return IssuerClient(
            self._http, self._policy, metadata, authorization_server, self._vault.clock
        )

    def _locale(self) -> str:
        value = self.setting("language", DEFAULT_LOCALE)
        return value if isinstance(value, str) else DEFAULT_LOCALE

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


def _configuration(metadata: IssuerMetadata, configuration_id: str) -> CredentialConfiguration:
    try:
        return metadata.configurations[configuration_id]
    except KeyError:
        raise IssuanceError(f"the issuer does not describe {configuration_id!r}") from None
