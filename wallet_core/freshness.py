"""Keeping what the wallet knows current: credential status and type metadata.

Both are fetched under the wallet's HTTP policy and kept in the vault cache, so the wallet
shows the last known state offline, with its age.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from wallet_core.clock import to_datetime
from wallet_core.errors import NetworkError, TypeMetadataError
from wallet_core.formats import registry, status, type_metadata
from wallet_core.formats.type_metadata import TypeMetadata
from wallet_core.models import CredentialStatus
from wallet_core.network import Network
from wallet_core.storage import Vault
from wallet_core.trust.cache import Fetched, Source, cached_fetch

STATUS_LIST_NAMESPACE = "status-list-token"
TYPE_METADATA_NAMESPACE = "type-metadata"


class Freshness:
    def __init__(self, vault: Vault, network: Network) -> None:
        self._vault = vault
        self._network = network

    def refresh_status(self, credential_id: str) -> CredentialStatus:
        """Check the credential's Token Status List and store what it says.

        Offline (or while the list cannot be fetched) the last known status is returned
        unchanged, with the time it was last checked, so the UI can show its age. A list
        that was fetched but does not verify raises: that is not "offline".
        """
        stored = self._vault.credentials.get(credential_id)
        if not registry.is_held(stored.format):
            return stored.status
        held = self._vault.credentials.read_once(credential_id, registry.read)
        reference = registry.format_for(stored.format).status_reference(held)
        if reference is None:
            return stored.status
        issuer = held.issuer

        def issuer_key(header: Mapping[str, Any], payload: Mapping[str, Any]) -> Mapping[str, Any]:
            # The list must be signed for the credential's own issuer (Token Status List §8.3).
            return self._network.issuer_keys.resolve(issuer, header)

        def fetch() -> Fetched:
            token = self._network.http.get_text(reference.uri, accept="application/statuslist+jwt")
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
                response = self._network.http.get(url, accept="application/json")
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
