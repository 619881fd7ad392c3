"""The wallet's network side: one HTTP client under one policy, and the issuer-key
resolver that caches in the vault. Both are built on first use: an httpx client loads CA
certificates, which would cost more than all the rest of unlocking."""

from __future__ import annotations

from collections.abc import Sequence

import httpx
from cryptography import x509

from wallet_core import http
from wallet_core.clock import Clock
from wallet_core.trust import AssertionKeys, ControllerResolver, DidResolver, IssuerKeyResolver
from wallet_core.trust.cache import MetadataCache


class Network:
    def __init__(
        self,
        policy: http.HttpPolicy,
        cache: MetadataCache,
        clock: Clock,
        *,
        transport: httpx.BaseTransport | None = None,
        trust_anchors: Sequence[x509.Certificate] = (),
        verifier_trust_anchors: Sequence[x509.Certificate] = (),
    ) -> None:
        self._policy = policy
        self._cache = cache
        self._clock = clock
        self._transport = transport
        # Separate lists: a CA trusted to vouch for employers must not thereby vouch for
        # diploma issuers, and the other way round.
        self.trust_anchors = tuple(trust_anchors)
        self.verifier_trust_anchors = tuple(verifier_trust_anchors)
        self._client: http.HttpClient | None = None
        self._issuer_keys: IssuerKeyResolver | None = None
        self._assertion_keys: AssertionKeys | None = None

    @property
    def http(self) -> http.HttpClient:
        if self._client is None:
            self._client = http.HttpClient(self._policy, transport=self._transport)
        return self._client

    @property
    def issuer_keys(self) -> IssuerKeyResolver:
        """Resolves issuer keys under the wallet's HTTP policy, cached in the vault."""
        if self._issuer_keys is None:
            self._issuer_keys = IssuerKeyResolver(
                self.http, self._cache, self._clock, self.trust_anchors
            )
        return self._issuer_keys

    @property
    def assertion_keys(self) -> AssertionKeys:
        """The assertion-method keys of W3C credential issuers (DIDs and controller
        documents), under the same policy and cache."""
        if self._assertion_keys is None:
            self._assertion_keys = AssertionKeys(
                DidResolver(self.http, self._cache, self._clock),
                ControllerResolver(self.http, self._cache, self._clock),
            )
        return self._assertion_keys

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
            self._issuer_keys = None
            self._assertion_keys = None
