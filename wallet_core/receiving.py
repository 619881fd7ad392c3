"""Receiving credentials over OpenID4VCI: the holder's use cases around ``oid4vci.client``.

Every credential is verified before it is stored (signature and issuer key, ``cnf`` equal
to the key made for it, ``vct``, validity); then it, its keys and a history entry are
written in one transaction. Nothing that fails verification is kept.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wallet_core import crypto, issuance_sessions
from wallet_core.crypto import thumbprint
from wallet_core.crypto.keys import Signer, signer_from_vault
from wallet_core.duplicates import refuse_repeat
from wallet_core.errors import (
    DuplicateCredentialError,
    IssuanceError,
    IssuerMismatchError,
    MissingHolderKeyError,
    OfferError,
    PartialIssuanceError,
    WalletError,
    WrongHolderKeyError,
)
from wallet_core.formats import registry
from wallet_core.formats.seam import IssuerKeys, VerifiedCredential
from wallet_core.issuers import IssuerClients
from wallet_core.models import NewCredential, PendingCredential, StoredCredential
from wallet_core.network import Network
from wallet_core.oid4vci import offer as vci_offer
from wallet_core.oid4vci import preview as vci_preview
from wallet_core.oid4vci.attestation import WalletProvider
from wallet_core.oid4vci.authorization import AuthorizationRequest, code_from_redirect
from wallet_core.oid4vci.client import IssuerClient
from wallet_core.oid4vci.display import card_title, display_record, issuer_display_name
from wallet_core.oid4vci.logos import fetch_logos
from wallet_core.oid4vci.models import (
    CredentialConfiguration,
    CredentialOffer,
    IssuerMetadata,
    OfferPreview,
)
from wallet_core.oid4vci.proofs import choose_algorithm
from wallet_core.oid4vci.responses import IssuedCredentials, TokenResponse
from wallet_core.storage import Vault

BATCH_INSTANCES = 3  # instances asked for when the issuer offers batch issuance


@dataclass
class AuthorizationSession:
    """An authorization-code issuance in progress: open ``url``, then call
    ``finish_authorization`` with the redirect. In memory only."""

    offer: CredentialOffer
    request: AuthorizationRequest
    issuer: IssuerClient = field(repr=False)
    finished: bool = False  # an authorization code is redeemed once

    @property
    def url(self) -> str:
        return self.request.url


class Receiving:
    def __init__(
        self,
        vault: Vault,
        network: Network,
        locale: Callable[[], str],
        provider: WalletProvider | None = None,
    ) -> None:
        self._vault = vault
        self._network = network
        self._locale = locale
        self._issuers = IssuerClients(network, vault.clock, provider)

    def parse_offer(self, text: str) -> CredentialOffer:
        return vci_offer.parse_offer(text, self._network.http)

    def preview_offer(self, offer: CredentialOffer, locale: str | None = None) -> OfferPreview:
        metadata = self._issuers.for_preview(offer).metadata
        return vci_preview.build_preview(offer, metadata, locale or self._locale())

    def cancel_pending(self, pending_id: str) -> None:
        vault = self._vault
        _, state = vault.pending.get(pending_id)
        with vault.transaction():
            vault.pending.delete(pending_id)
            for kid in state.get("key_ids", []):
                vault.keys.delete(str(kid))
            issuance_sessions.forget_key(vault.keys, state)
            vault.activity.record("credential_pending_cancelled", vault.now())

    def poll_pending(self, pending_id: str) -> StoredCredential | PendingCredential:
        """Ask the issuer for a deferred credential; store it if it is ready."""
        pending, state = self._vault.pending.get(pending_id)
        issuer = self._issuers.for_issuer(pending.issuer, None)
        token = issuance_sessions.resume(issuer, state, self._vault.keys)
        answer = issuer.deferred(token, pending.transaction_id)
        if not answer.credentials:
            interval = answer.interval or state.get("interval") or 5.0
            self._vault.pending.reschedule(pending_id, self._vault.now() + float(interval))
            return self._vault.pending.get(pending_id)[0]
        configuration = _configuration(issuer.metadata, pending.configuration_id)
        signers = [signer_from_vault(self._vault.keys.private_der(kid)) for kid in state["key_ids"]]
        stored = self._verify_and_store(
            issuer, token, configuration, answer, signers, keys_stored=True, pending_id=pending_id
        )
        return stored

    def accept_offer(
        self, offer: CredentialOffer, tx_code: str | None = None
    ) -> list[StoredCredential | PendingCredential]:
        """The pre-authorized code flow, end to end. A wrong transaction code raises
        ``IssuanceError`` with ``oauth_error == "invalid_grant"`` and the offer stays usable."""
        grant = offer.pre_authorized
        if grant is None:
            raise OfferError("this offer needs a login at the institution (authorization code)")
        issuer = self._issuers.for_offer(offer)
        offer = vci_offer.bind_offer(offer, issuer.metadata)
        _refuse_if_nothing_holdable(offer, issuer.metadata)
        token = issuer.token_pre_authorized(grant, tx_code, offer.credential_configuration_ids)
        return self._receive(issuer, token, offer.credential_configuration_ids)

    def start_authorization(
        self, offer: CredentialOffer, redirect_uri: str
    ) -> AuthorizationSession:
        """Authorization code flow with PKCE (and PAR when offered): open ``session.url``."""
        issuer = self._issuers.for_offer(offer, grant="authorization_code")
        offer = vci_offer.bind_offer(offer, issuer.metadata)
        _refuse_if_nothing_holdable(offer, issuer.metadata)
        return AuthorizationSession(
            offer, issuer.authorization_request(offer, redirect_uri), issuer
        )

    def finish_authorization(
        self, session: AuthorizationSession, redirect_url: str
    ) -> list[StoredCredential | PendingCredential]:
        if session.finished:
            raise IssuanceError("this login was already used; start again from the offer")
        code = code_from_redirect(
            session.request, redirect_url, session.issuer.authorization_server
        )
        session.finished = True
        token = session.issuer.token_authorization_code(code, session.request)
        return self._receive(session.issuer, token, session.request.configuration_ids)

    def _receive(
        self, issuer: IssuerClient, token: TokenResponse, configuration_ids: tuple[str, ...]
    ) -> list[StoredCredential | PendingCredential]:
        """Each configuration on its own: one that fails does not stop the others. If some
        but not all arrive, ``PartialIssuanceError`` says which (and carries the rest)."""
        received: list[StoredCredential | PendingCredential] = []
        failures: dict[str, WalletError] = {}
        for configuration_id in configuration_ids:
            try:
                received.append(self._receive_one(issuer, token, configuration_id))
            except WalletError as exc:
                failures[configuration_id] = exc
        if failures and not received:
            raise next(iter(failures.values()))
        if failures:
            raise PartialIssuanceError(received, failures, len(configuration_ids))
        return received

    def _receive_one(
        self, issuer: IssuerClient, token: TokenResponse, configuration_id: str
    ) -> StoredCredential | PendingCredential:
        metadata = issuer.metadata
        configuration = _configuration(metadata, configuration_id)
        registry.format_for(configuration.format)  # refused before a key is made for it
        algorithm = choose_algorithm(configuration.proof_signing_algs)
        wanted = 1 if metadata.draft13 else min(metadata.batch_size or 1, BATCH_INSTANCES)
        bound = bool(configuration.cryptographic_binding_methods) or metadata.draft13
        signers = [crypto.generate(algorithm) for _ in range(wanted if bound else 0)]
        identifiers = token.credential_identifiers.get(configuration_id) or (None,)
        answer = issuer.request_credential(token, configuration, signers, identifiers[0])
        if answer.transaction_id is not None and not answer.credentials:
            return self._keep_pending(issuer, token, configuration, answer, signers)
        return self._verify_and_store(issuer, token, configuration, answer, signers)

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
        session = issuance_sessions.record_of(issuer, token)
        with vault.transaction():
            for signer in signers:
                self._vault.keys.add_signer(signer, self._vault.now())
            issuance_sessions.keep_key(vault.keys, issuer, session, vault.now())
            vault.pending.add(
                pending_id,
                issuer=issuer.metadata.credential_issuer,
                configuration_id=configuration.id,
                title=card_title(configuration, {}, self._locale()),
                transaction_id=answer.transaction_id or "",
                session={
                    **session,
                    "key_ids": [s.kid for s in signers],
                    "interval": interval,
                },
                next_poll_at=vault.now() + interval,
                now=vault.now(),
            )
            vault.activity.record(
                "credential_pending",
                vault.now(),
                counterparty=issuer.metadata.credential_issuer,
                details={"name": issuer_display_name(issuer.metadata, self._locale())},
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
        metadata, vault = issuer.metadata, self._vault
        try:
            verified, bound = self._verify_all(answer.credentials, configuration, issuer, signers)
            first = verified[0]
            issuer_id = first.issuer or metadata.credential_issuer
            refuse_repeat(vault.credentials, configuration.format, issuer_id, first, vault.now())
        except WalletError as exc:
            if answer.notification_id is not None:
                self._notify(issuer, token, answer.notification_id, "credential_failure")
            if isinstance(exc, DuplicateCredentialError) and pending_id is not None:
                self.cancel_pending(pending_id)  # the issuer is done with it; so are we
            raise
        locale = self._locale()
        display = {**display_record(metadata, configuration), **first.display_facts()}
        logos = [d.logo_uri or "" for d in (*metadata.display, *configuration.display)]
        display["logos"] = fetch_logos(
            self._network.http, [*logos, first.image or ""], cache=vault.cache, clock=vault.clock
        )
        new = NewCredential(
            format=configuration.format,
            raw=first.raw,
            claims=first.claims,
            issuer=issuer_id,
            issuer_name=issuer_display_name(metadata, locale),
            type=first.type or "",
            title=first.name or card_title(configuration, first.claims, locale),
            display=display,
            issued_at=first.issued_at,
            expires_at=first.expires_at,
            key_id=bound[0].kid if bound[0] is not None else None,
        )
        issuance = {
            "notification_id": answer.notification_id,
            **issuance_sessions.record_of(issuer, token),
            "configuration_id": configuration.id,
        }
        used = {signer.kid for signer in bound if signer is not None}
        with vault.transaction():
            for signer in signers:
                if keys_stored and signer.kid not in used:
                    self._vault.keys.delete(signer.kid)  # made for an instance never issued
                elif not keys_stored and signer.kid in used:
                    self._vault.keys.add_signer(signer, self._vault.now())
            instances = [
                (other.raw, signer.kid if signer is not None else None)
                for other, signer in zip(verified[1:], bound[1:], strict=True)
            ]
            credential_id = vault.credentials.add(
                new, vault.now(), instances=instances, issuance=issuance
            )
            if answer.notification_id is not None:  # credential_deleted needs the session
                issuance_sessions.keep_key(vault.keys, issuer, issuance, vault.now())
            else:
                issuance_sessions.forget_key(vault.keys, issuance)
            if pending_id is not None:
                vault.pending.delete(pending_id)
            vault.activity.record(
                "credential_added",
                vault.now(),
                credential_id=credential_id,
                counterparty=metadata.credential_issuer,
                details={"name": new.issuer_name, "instances": len(verified), "vct": first.type},
            )
        if answer.notification_id is not None:
            self._notify(issuer, token, answer.notification_id, "credential_accepted")
        return vault.credentials.get(credential_id)

    def _verify_all(
        self,
        credentials: tuple[object, ...],
        configuration: CredentialConfiguration,
        issuer: IssuerClient,
        signers: list[Signer],
    ) -> tuple[list[VerifiedCredential], list[Signer | None]]:
        """Verify every instance and pair it with the key its ``cnf`` names.

        OpenID4VCI 1.0 §8.3: each proven key binds at most one credential, in no promised
        order, and the issuer may issue fewer. A credential bound to a key we did not make
        for this request, or bound twice, spoils the batch.
        """
        unused = {thumbprint(signer.public_jwk): signer for signer in signers}
        verified: list[VerifiedCredential] = []
        bound: list[Signer | None] = []
        for issued in credentials:
            credential = self._verify_issued(
                issued, configuration, issuer.metadata.credential_issuer
            )
            holder = credential.holder_jwk
            if holder is None:
                if signers:
                    raise MissingHolderKeyError("a credential came without the holder key (cnf)")
                bound.append(None)
            else:
                try:
                    signer = unused.pop(thumbprint(holder))
                except (KeyError, WalletError):
                    raise WrongHolderKeyError(
                        "a credential is bound to a key this wallet did not make for it"
                    ) from None
                bound.append(signer)
            verified.append(credential)
        if not verified:
            raise IssuanceError("the issuer answered without a credential")
        return verified, bound

    def _verify_issued(
        self, issued: object, configuration: CredentialConfiguration, credential_issuer: str
    ) -> VerifiedCredential:
        """An SD-JWT VC must be signed by a key of its ``iss``, which must be the Credential
        Issuer we are talking to: otherwise anyone able to answer at its credential endpoint
        could hand over something self-signed under the institution's name. A W3C
        credential names its issuer by a DID or URL of its own (edubadges' agent signs with
        the institution's DID), and must be signed by one of that issuer's assertion keys."""
        credential_format = registry.format_for(configuration.format)

        def for_jwt(header: Mapping[str, Any], payload: Mapping[str, Any]) -> Mapping[str, Any]:
            if payload.get("iss") != credential_issuer:
                raise IssuerMismatchError("the credential's iss is not the Credential Issuer")
            return self._network.issuer_keys.resolve(credential_issuer, header)

        keys = IssuerKeys(for_jwt=for_jwt, assertion_method=self._network.assertion_keys)
        return credential_format.verify_issued(
            issued, keys, expected_types=configuration.expected_types, now=self._vault.now()
        )

    def _notify(
        self, issuer: IssuerClient, token: TokenResponse, notification_id: str, event: str
    ) -> None:
        """Best effort: a lost notification must never cost the user a credential (§10)."""
        try:
            issuer.notify(token, notification_id, event)
        except WalletError:
            return

    def notify_deleted(self, issuance: Mapping[str, Any]) -> None:
        """Tell the issuer ``credential_deleted`` (OpenID4VCI §10), after the fact and best
        effort: deleting must work offline and must not depend on the issuer."""
        if not issuance or not issuance.get("notification_id") or not issuance.get("issuer"):
            return
        try:
            issuer = self._issuers.for_issuer(issuance["issuer"], None)
            token = issuance_sessions.resume(issuer, issuance, self._vault.keys)
        except WalletError:
            return
        finally:
            issuance_sessions.forget_key(self._vault.keys, issuance)  # best effort, once
        self._notify(issuer, token, str(issuance["notification_id"]), "credential_deleted")


def _refuse_if_nothing_holdable(offer: CredentialOffer, metadata: IssuerMetadata) -> None:
    """Before the code or the login is spent: an offer of nothing this wallet can hold is
    refused whole. (Of a mixed offer the others arrive; the rest is a partial issuance.)"""
    formats = [metadata.configurations[c].format for c in offer.credential_configuration_ids]
    if formats and not any(registry.is_held(f) for f in formats):
        registry.format_for(formats[0])  # raises UnsupportedFormatError, naming the format


def _configuration(metadata: IssuerMetadata, configuration_id: str) -> CredentialConfiguration:
    try:
        return metadata.configurations[configuration_id]
    except KeyError:
        raise IssuanceError(f"the issuer does not describe {configuration_id!r}") from None
