"""Documents issuers publish at an address (``did:web`` documents, controller documents):
fetched under the wallet's HTTP policy, kept in the cache with its freshness rules, and used
stale while offline. One place for the steps both resolvers take."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wallet_core import http
from wallet_core.clock import Clock
from wallet_core.errors import InsecureUrlError, UntrustedIssuerError
from wallet_core.trust.cache import DEFAULT_TTL, MAX_TTL, Fetched, MetadataCache, cached_fetch


class PublishedDocuments:
    def __init__(
        self,
        client: http.HttpClient,
        cache: MetadataCache,
        clock: Clock,
        *,
        default_ttl: float = DEFAULT_TTL,
        max_ttl: float = MAX_TTL,
    ) -> None:
        self._client = client
        self._cache = cache
        self._clock = clock
        self._default_ttl = default_ttl
        self._max_ttl = max_ttl

    def _published(
        self,
        namespace: str,
        key: str,
        url: str,
        fetch: Callable[[], Fetched],
        refused: UntrustedIssuerError,
    ) -> Any:
        """The document at ``url``, ``fetch``ed (and checked) when the cache has no fresh
        copy. ``refused`` is raised when the policy forbids the address: that is a property
        of the credential, not a passing network failure."""
        try:
            self._client.check_url(url)
        except InsecureUrlError as exc:
            raise refused from exc
        document, _ = cached_fetch(
            self._cache,
            self._clock,
            namespace,
            key,
            fetch,
            default_ttl=self._default_ttl,
            max_ttl=self._max_ttl,
        )
        return document
