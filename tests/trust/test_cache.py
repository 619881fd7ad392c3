"""Offline behaviour: cached issuer keys, expiry from Cache-Control, stale fallback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import PIN
from loopback import LoopbackServer, Route

from wallet_core import Wallet
from wallet_core.clock import ManualClock
from wallet_core.crypto import Signer, generate, public_only, sign_compact, verify_compact
from wallet_core.errors import (
    InsecureUrlError,
    IssuerMismatchError,
    NetworkError,
    UntrustedIssuerError,
)
from wallet_core.http import HttpClient, HttpPolicy
from wallet_core.trust import (
    DEFAULT_TTL,
    JWT_VC_ISSUER_NAMESPACE,
    MAX_TTL,
    IssuerKeyResolver,
    MemoryCache,
    MetadataCache,
)
from wallet_core.trust.cache import Fetched, Source, cached_fetch

WELL_KNOWN = "/.well-known/jwt-vc-issuer"


def signed(signer: Signer, iss: str) -> tuple[str, dict[str, Any]]:
    header = {"typ": "dc+sd-jwt", "kid": "k1"}
    token = sign_compact(header, {"iss": iss, "vct": "https://edu.example/mc"}, signer)
    return token, {**header, "alg": signer.alg.value}


def publish(server: LoopbackServer, signer: Signer, **headers: str) -> str:
    key = {**public_only(signer.public_jwk), "kid": "k1"}
    server.json(WELL_KNOWN, {"issuer": server.base, "jwks": {"keys": [key]}}, **headers)
    return server.base


def test_offline_after_one_online_resolve(
    server: LoopbackServer,
    resolver: IssuerKeyResolver,
    offline_client: HttpClient,
    cache: MemoryCache,
    clock: ManualClock,
) -> None:
    signer = generate()
    iss = publish(server, signer, **{"cache-control": "max-age=600"})
    token, header = signed(signer, iss)
    online_key = resolver.resolve(iss, header)

    offline = IssuerKeyResolver(offline_client, cache, clock)
    assert offline.resolve(iss, header) == online_key  # fresh: no network needed

    clock.advance(601)  # now stale, and the network is still down
    verify_compact(token, offline.resolve(iss, header))
    assert server.requests == [WELL_KNOWN]


def test_offline_with_nothing_cached(offline_client: HttpClient, clock: ManualClock) -> None:
    offline = IssuerKeyResolver(offline_client, MemoryCache(), clock)
    with pytest.raises(NetworkError):
        offline.resolve("https://issuer.example", {"alg": "ES256", "kid": "k1"})


def test_stale_entry_when_the_server_answers_an_error(
    server: LoopbackServer, resolver: IssuerKeyResolver, clock: ManualClock
) -> None:
    signer = generate()
    iss = publish(server, signer)
    _, header = signed(signer, iss)
    key = resolver.resolve(iss, header)
    clock.advance(DEFAULT_TTL + 1)
    server.routes[WELL_KNOWN] = Route(503, b"{}", {"content-type": "application/json"})
    assert resolver.resolve(iss, header) == key
    assert server.requests == [WELL_KNOWN, WELL_KNOWN]


def test_a_bad_answer_is_not_papered_over_by_the_cache(
    server: LoopbackServer, resolver: IssuerKeyResolver, clock: ManualClock
) -> None:
    signer = generate()
    iss = publish(server, signer)
    _, header = signed(signer, iss)
    resolver.resolve(iss, header)
    clock.advance(DEFAULT_TTL + 1)
    server.json(WELL_KNOWN, {"issuer": "https://evil.example", "jwks": {"keys": []}})
    with pytest.raises(IssuerMismatchError):
        resolver.resolve(iss, header)


def test_expiry_follows_cache_control(
    server: LoopbackServer, resolver: IssuerKeyResolver, cache: MemoryCache, clock: ManualClock
) -> None:
    signer = generate()
    iss = publish(server, signer, **{"cache-control": "public, max-age=3600"})
    _, header = signed(signer, iss)
    resolver.resolve(iss, header)
    entry = cache.get(JWT_VC_ISSUER_NAMESPACE, iss)
    assert entry is not None and entry.expires_at == clock.now() + 3600
    assert entry.value == {"keys": [{**public_only(signer.public_jwk), "kid": "k1"}]}

    clock.advance(3599)
    resolver.resolve(iss, header)
    assert server.requests == [WELL_KNOWN]
    clock.advance(2)
    resolver.resolve(iss, header)
    assert server.requests == [WELL_KNOWN, WELL_KNOWN]


def test_expiry_default_clamp_and_no_store(
    server: LoopbackServer, resolver: IssuerKeyResolver, cache: MemoryCache, clock: ManualClock
) -> None:
    signer = generate()
    _, header = signed(signer, server.base)
    for headers, lifetime in (
        ({}, DEFAULT_TTL),
        ({"cache-control": "max-age=999999999"}, MAX_TTL),
        ({"cache-control": "no-store"}, 0.0),
    ):
        clock.advance(MAX_TTL + 1)
        publish(server, signer, **headers)
        resolver.resolve(server.base, header)
        entry = cache.get(JWT_VC_ISSUER_NAMESPACE, server.base)
        assert entry is not None and entry.expires_at == clock.now() + lifetime


def test_jwks_uri_lifetime_is_the_shorter_of_the_two(
    server: LoopbackServer, resolver: IssuerKeyResolver, cache: MemoryCache, clock: ManualClock
) -> None:
    signer = generate()
    key = {**public_only(signer.public_jwk), "kid": "k1"}
    uri = server.json("/jwks", {"keys": [key]}, **{"cache-control": "max-age=120"})
    server.json(
        WELL_KNOWN, {"issuer": server.base, "jwks_uri": uri}, **{"cache-control": "max-age=900"}
    )
    resolver.resolve(server.base, signed(signer, server.base)[1])
    entry = cache.get(JWT_VC_ISSUER_NAMESPACE, server.base)
    assert entry is not None and entry.expires_at == clock.now() + 120


def test_a_policy_refusal_is_not_offline(cache: MemoryCache, clock: ManualClock) -> None:
    # Cached while the development flag was on; a strict wallet must not use it.
    iss = "http://127.0.0.1:9/issuer"
    cache.put(JWT_VC_ISSUER_NAMESPACE, iss, {"keys": []}, clock.now(), clock.now() + 60)
    strict = HttpPolicy()
    with HttpClient(strict) as client:
        resolver = IssuerKeyResolver(client, cache, clock)
        with pytest.raises(UntrustedIssuerError):
            resolver.resolve(iss, {"alg": "ES256", "kid": "k1"})


def test_cached_fetch_does_not_fall_back_on_insecure_urls(
    cache: MemoryCache, clock: ManualClock
) -> None:
    cache.put("ns", "k", {"old": True}, clock.now() - 10, clock.now() - 5)

    def refused() -> Fetched:
        raise InsecureUrlError("redirected to http")

    with pytest.raises(InsecureUrlError):
        cached_fetch(cache, clock, "ns", "k", refused)

    def down() -> Fetched:
        raise NetworkError("down")

    assert cached_fetch(cache, clock, "ns", "k", down) == ({"old": True}, Source.STALE_CACHE)


def test_memory_cache_copies_values(clock: ManualClock) -> None:
    cache = MemoryCache()
    value = {"keys": [{"kid": "a"}]}
    cache.put("ns", "k", value, 1.0, None)
    value["keys"].clear()
    entry = cache.get("ns", "k")
    assert entry is not None and entry.value == {"keys": [{"kid": "a"}]} and entry.fresh(1e12)
    entry.value["keys"].clear()
    again = cache.get("ns", "k")
    assert again is not None and again.value == {"keys": [{"kid": "a"}]}


def test_the_vault_cache_works_offline_across_restarts(
    server: LoopbackServer,
    client: HttpClient,
    offline_client: HttpClient,
    wallet: Wallet,
    wallet_dir: Path,
    clock: ManualClock,
) -> None:
    """wallet.py passes the vault's CacheRepository straight in (a MetadataCache)."""
    signer = generate()
    iss = publish(server, signer, **{"cache-control": "max-age=60"})
    token, header = signed(signer, iss)
    repository: MetadataCache = wallet._vault.cache
    IssuerKeyResolver(client, repository, clock).resolve(iss, header)
    wallet.close()

    clock.advance(3600)  # stale by now, and offline
    with Wallet.open(wallet_dir, PIN, clock=clock) as reopened:
        offline = IssuerKeyResolver(offline_client, reopened._vault.cache, clock)
        verify_compact(token, offline.resolve(iss, header))
