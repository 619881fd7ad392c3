"""The cache seam between trust/ and the vault, and the fetch-or-fall-back policy.

trust/ may not import ``wallet_core.storage`` (DESIGN §2: only ``wallet.py`` uses storage), so
this module states the shape it needs as a ``Protocol`` that
``wallet_core.storage.cache.CacheRepository`` already satisfies; ``wallet.py`` passes the
vault's repository straight in. :class:`MemoryCache` is the same thing in memory for tests,
the demo and verifiers that keep nothing.

Policy (why each rule):

* a *fresh* entry is used without touching the network: the issuer told us how long its
  answer stays valid (``Cache-Control: max-age``, SD-JWT VC §http-retrieval / RFC 9111);
* otherwise we fetch, validate, and store only the validated value, with an expiry from
  ``max-age`` (clamped to :data:`MAX_TTL` so a rotated or withdrawn key is noticed
  eventually) or :data:`DEFAULT_TTL` when the server states none;
* when the fetch fails for network reasons and a stale entry exists, the stale entry is
  used: credentials must stay viewable and re-verifiable offline (DESIGN §1.3). A policy
  refusal (:class:`InsecureUrlError`) or a bad document is *not* "offline" and is raised.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from wallet_core.clock import Clock
from wallet_core.errors import InsecureUrlError, NetworkError

DEFAULT_TTL = 24 * 3600.0
"""Seconds a fetched document stays fresh when the server gives no ``max-age``."""

MAX_TTL = 30 * 24 * 3600.0
"""Upper bound on a server-stated lifetime, so key changes are picked up within a month."""


class CachedValue(Protocol):
    """What the cache hands back: ``CacheRepository``'s ``CacheEntry`` has this shape."""

    @property
    def value(self) -> Any: ...

    @property
    def fetched_at(self) -> float: ...

    @property
    def expires_at(self) -> float | None: ...

    def fresh(self, now: float) -> bool: ...


class MetadataCache(Protocol):
    """A namespaced key/value store of JSON values with an expiry (stale entries kept)."""

    def get(self, namespace: str, key: str) -> CachedValue | None: ...

    def put(
        self, namespace: str, key: str, value: Any, now: float, expires_at: float | None
    ) -> None: ...


@dataclass(frozen=True)
class MemoryCacheEntry:
    value: Any
    fetched_at: float
    expires_at: float | None

    def fresh(self, now: float) -> bool:
        return self.expires_at is None or now < self.expires_at


class MemoryCache:
    """In-memory :class:`MetadataCache`. Values are copied in and out, like a real store."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], MemoryCacheEntry] = {}

    def get(self, namespace: str, key: str) -> MemoryCacheEntry | None:
        entry = self._entries.get((namespace, key))
        if entry is None:
            return None
        return MemoryCacheEntry(copy.deepcopy(entry.value), entry.fetched_at, entry.expires_at)

    def put(
        self, namespace: str, key: str, value: Any, now: float, expires_at: float | None
    ) -> None:
        self._entries[(namespace, key)] = MemoryCacheEntry(copy.deepcopy(value), now, expires_at)

    def purge(self, namespace: str) -> None:
        for entry_key in [k for k in self._entries if k[0] == namespace]:
            del self._entries[entry_key]


@dataclass(frozen=True)
class Fetched:
    """A validated value from the network and its freshness lifetime in seconds, if stated."""

    value: Any
    max_age: float | None


class Source(Enum):
    FRESH_CACHE = "fresh_cache"
    NETWORK = "network"
    STALE_CACHE = "stale_cache"


def cached_fetch(
    cache: MetadataCache,
    clock: Clock,
    namespace: str,
    key: str,
    fetch: Callable[[], Fetched],
    *,
    refresh: bool = False,
    default_ttl: float = DEFAULT_TTL,
    max_ttl: float = MAX_TTL,
) -> tuple[Any, Source]:
    """The value for (namespace, key) under the policy above, and where it came from.

    ``fetch`` must validate before returning: whatever it returns is stored as trusted.
    ``refresh`` skips a fresh entry (a key id we have never seen may mean the issuer rotated
    its keys before our copy expired).
    """
    now = clock.now()
    entry = cache.get(namespace, key)
    if entry is not None and not refresh and entry.fresh(now):
        return entry.value, Source.FRESH_CACHE
    try:
        fetched = fetch()
    except InsecureUrlError:
        raise
    except NetworkError:
        if entry is not None:
            return entry.value, Source.STALE_CACHE
        raise
    lifetime = default_ttl if fetched.max_age is None else min(fetched.max_age, max_ttl)
    cache.put(namespace, key, fetched.value, now, now + max(lifetime, 0.0))
    return fetched.value, Source.NETWORK
