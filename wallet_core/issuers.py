"""Clients for Credential Issuers, each on metadata fetched once for an offer.

The preview of an offer fetches the issuer's and its authorization server's metadata; the
accept (or login) that follows within ``METADATA_REUSE_SECONDS`` uses the same documents
instead of fetching them again. Signed metadata is judged by the wallet's clock.
"""

from __future__ import annotations

from wallet_core.clock import Clock
from wallet_core.network import Network
from wallet_core.oid4vci import metadata as vci_metadata
from wallet_core.oid4vci.client import IssuerClient
from wallet_core.oid4vci.models import (
    AuthorizationServerMetadata,
    CredentialOffer,
    IssuerMetadata,
)

# Long enough to read a preview and type a code, short enough that a changed key is seen.
METADATA_REUSE_SECONDS = 300.0


class IssuerClients:
    def __init__(self, network: Network, clock: Clock) -> None:
        self._network = network
        self._clock = clock
        # (issuer, server) -> (fetched at, issuer metadata, authorization server metadata)
        self._known: dict[
            tuple[str, str | None], tuple[float, IssuerMetadata, AuthorizationServerMetadata]
        ] = {}

    def for_offer(self, offer: CredentialOffer, grant: str | None = None) -> IssuerClient:
        """For the grant the offer is used with (pre-authorized unless said otherwise)."""
        server = None
        if grant == "authorization_code" and offer.authorization_code is not None:
            server = offer.authorization_code.authorization_server
        elif offer.pre_authorized is not None:
            server = offer.pre_authorized.authorization_server
        return self.for_issuer(offer.credential_issuer, server)

    def for_issuer(self, credential_issuer: str, server: str | None) -> IssuerClient:
        key = (credential_issuer, server)
        known = self._known.get(key)
        now = self._clock.now()
        if known is None or not 0 <= now - known[0] <= METADATA_REUSE_SECONDS:
            network = self._network
            issuer = vci_metadata.fetch_issuer_metadata(
                credential_issuer,
                network.http,
                key_resolver=network.issuer_keys.resolve,
                clock=self._clock,
            )
            # the issuer decides which servers may log the user in; an offer only picks
            authorization = vci_metadata.fetch_authorization_server_metadata(
                vci_metadata.authorization_server_for(issuer, server), network.http
            )
            known = self._known[key] = (now, issuer, authorization)
        _, issuer_metadata, authorization_server = known
        return IssuerClient(self._network.http, issuer_metadata, authorization_server, self._clock)
