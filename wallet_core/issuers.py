"""Clients for Credential Issuers, each on metadata fetched once for an offer.

The preview of an offer fetches the issuer's and its authorization server's metadata; the
accept (or login) that follows within ``METADATA_REUSE_SECONDS`` uses the same documents
instead of fetching them again. Signed metadata is judged by the wallet's clock.
"""

from __future__ import annotations

from wallet_core.clock import Clock
from wallet_core.network import Network
from wallet_core.oid4vci import metadata as vci_metadata
from wallet_core.oid4vci.attestation import ClientAttestation, WalletProvider
from wallet_core.oid4vci.client import IssuerClient
from wallet_core.oid4vci.models import (
    AuthorizationServerMetadata,
    CredentialOffer,
    IssuerMetadata,
)

# Long enough to read a preview and type a code, short enough that a changed key is seen.
METADATA_REUSE_SECONDS = 300.0


class IssuerClients:
    def __init__(
        self, network: Network, clock: Clock, provider: WalletProvider | None = None
    ) -> None:
        self._network = network
        self._clock = clock
        self._provider = provider
        # what a preview fetched, until its accept takes it: (issuer, server) -> (fetched
        # at, issuer metadata, authorization server metadata)
        self._previewed: dict[
            tuple[str, str | None], tuple[float, IssuerMetadata, AuthorizationServerMetadata]
        ] = {}

    def for_preview(self, offer: CredentialOffer) -> IssuerClient:
        """Fresh metadata, kept for the accept (or login) that follows."""
        key = _key(offer, None)
        fetched = self._fetch(*key)
        self._previewed[key] = (self._clock.now(), fetched.metadata, fetched.authorization_server)
        return fetched

    def for_offer(self, offer: CredentialOffer, grant: str | None = None) -> IssuerClient:
        """For the grant the offer is used with (pre-authorized unless said otherwise): the
        preview's metadata when it is at most ``METADATA_REUSE_SECONDS`` old, taken once
        (a retry after a failure fetches anew)."""
        key = _key(offer, grant)
        kept = self._previewed.pop(key, None)
        if kept is not None and 0 <= self._clock.now() - kept[0] <= METADATA_REUSE_SECONDS:
            return self._client(kept[1], kept[2])
        return self._fetch(*key)

    def for_issuer(self, credential_issuer: str, server: str | None) -> IssuerClient:
        """Always fetched: deferred polls and notifications come long after any preview."""
        return self._fetch(credential_issuer, server)

    def _fetch(self, credential_issuer: str, server: str | None) -> IssuerClient:
        client = self._network.http
        issuer = vci_metadata.fetch_issuer_metadata(
            credential_issuer,
            client,
            key_resolver=self._network.issuer_keys.resolve,
            clock=self._clock,
        )
        # the issuer decides which servers may log the user in; an offer only picks
        authorization = vci_metadata.fetch_authorization_server_metadata(
            vci_metadata.authorization_server_for(issuer, server), client
        )
        return self._client(issuer, authorization)

    def _client(
        self, issuer: IssuerMetadata, authorization: AuthorizationServerMetadata
    ) -> IssuerClient:
        # a wallet attestation of its own for each session: no two issuers see the same one
        attestation = (
            ClientAttestation(self._provider, self._clock) if self._provider is not None else None
        )
        return IssuerClient(self._network.http, issuer, authorization, self._clock, attestation)


def _key(offer: CredentialOffer, grant: str | None) -> tuple[str, str | None]:
    server = None
    if grant == "authorization_code" and offer.authorization_code is not None:
        server = offer.authorization_code.authorization_server
    elif offer.pre_authorized is not None:
        server = offer.pre_authorized.authorization_server
    return offer.credential_issuer, server
