"""JWT VC Issuer Metadata (SD-JWT VC §"JWT VC Issuer Metadata") over a real loopback server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from loopback import LoopbackServer, Route

from wallet_core.clock import ManualClock
from wallet_core.crypto import Signer, generate, public_only, sign_compact, verify_compact
from wallet_core.errors import (
    HttpStatusError,
    InsecureUrlError,
    IssuerMetadataError,
    IssuerMismatchError,
    UnexpectedContentTypeError,
    UnknownKeyIdError,
    UntrustedIssuerError,
)
from wallet_core.http import HttpClient, HttpPolicy
from wallet_core.trust import IssuerKeyResolver, MemoryCache, metadata_url


def issue(signer: Signer, iss: str, kid: str | None = "k1") -> tuple[str, dict[str, Any]]:
    header: dict[str, Any] = {"typ": "dc+sd-jwt"}
    if kid is not None:
        header["kid"] = kid
    token = sign_compact(header, {"iss": iss, "vct": "https://edu.example/mc"}, signer)
    return token, {**header, "alg": signer.alg.value}


def jwk(signer: Signer, kid: str | None) -> dict[str, Any]:
    key = dict(public_only(signer.public_jwk))
    key.pop("kid", None)
    if kid is not None:
        key["kid"] = kid
    return key


def publish(server: LoopbackServer, tenant: str, document: dict[str, Any], **headers: str) -> str:
    """Serve metadata for ``iss = base + tenant`` at the well-known location; return iss."""
    iss = server.base + tenant
    server.json("/.well-known/jwt-vc-issuer" + tenant.rstrip("/"), document, **headers)
    return iss


def test_keys_by_value(server: LoopbackServer, resolver: IssuerKeyResolver) -> None:
    signer, other = generate(), generate("EdDSA")
    iss = server.base
    publish(server, "", {"issuer": iss, "jwks": {"keys": [jwk(other, "k0"), jwk(signer, "k1")]}})
    token, header = issue(signer, iss)
    key = resolver.resolve(iss, header)
    verify_compact(token, key)
    assert key["kid"] == "k1" and "d" not in key
    assert server.requests == ["/.well-known/jwt-vc-issuer"]


def test_keys_by_reference(server: LoopbackServer, resolver: IssuerKeyResolver) -> None:
    signer = generate()
    iss = server.base
    jwks_uri = server.json("/keys.jwks", {"keys": [jwk(signer, "k1")]})
    publish(server, "", {"issuer": iss, "jwks_uri": jwks_uri})
    token, header = issue(signer, iss)
    verify_compact(token, resolver.resolve(iss, header))
    assert server.requests == ["/.well-known/jwt-vc-issuer", "/keys.jwks"]


def test_jwk_set_media_type_is_accepted(
    server: LoopbackServer, resolver: IssuerKeyResolver
) -> None:
    signer = generate()
    iss = server.base
    server.raw(
        "/set",
        json.dumps({"keys": [jwk(signer, "k1")]}).encode(),
        "application/jwk-set+json",
    )
    publish(server, "", {"issuer": iss, "jwks_uri": server.base + "/set"})
    token, header = issue(signer, iss)
    verify_compact(token, resolver.resolve(iss, header))


@pytest.mark.parametrize("tenant", ["/tenant/1234", "/tenant/1234/"])
def test_well_known_goes_between_host_and_path(
    server: LoopbackServer, resolver: IssuerKeyResolver, tenant: str
) -> None:
    signer = generate()
    iss = server.base + tenant
    server.json(
        "/.well-known/jwt-vc-issuer/tenant/1234",
        {"issuer": iss, "jwks": {"keys": [jwk(signer, "k1")]}},
    )
    token, header = issue(signer, iss)
    verify_compact(token, resolver.resolve(iss, header))
    assert server.requests == ["/.well-known/jwt-vc-issuer/tenant/1234"]


def test_metadata_url_matches_the_spec_examples() -> None:
    policy = HttpPolicy()
    assert metadata_url("https://example.com", policy) == (
        "https://example.com/.well-known/jwt-vc-issuer"
    )
    assert metadata_url("https://example.com/tenant/1234", policy) == (
        "https://example.com/.well-known/jwt-vc-issuer/tenant/1234"
    )
    assert metadata_url("https://example.com:8443/", policy) == (
        "https://example.com:8443/.well-known/jwt-vc-issuer"
    )


@pytest.mark.parametrize(
    "iss",
    [
        "http://issuer.example",
        "https://issuer.example/?tenant=1",
        "https://issuer.example/#x",
        "https://user@issuer.example",
        "https://10.0.0.1/issuer",
        "issuer.example",
        "urn:example:issuer",
    ],
)
def test_iss_must_be_an_https_url_we_may_contact(iss: str) -> None:
    with pytest.raises(UntrustedIssuerError):
        metadata_url(iss, HttpPolicy())


def test_loopback_iss_is_refused_without_the_development_flag(
    server: LoopbackServer, cache: MemoryCache, clock: ManualClock
) -> None:
    strict = HttpPolicy()
    with HttpClient(strict) as client:
        resolver = IssuerKeyResolver(client, cache, clock)
        with pytest.raises(UntrustedIssuerError):
            resolver.resolve(server.base, {"alg": "ES256", "kid": "k1"})
    assert server.requests == []


def test_issuer_must_be_identical(server: LoopbackServer, resolver: IssuerKeyResolver) -> None:
    signer = generate()
    for wrong in (server.base + "/", server.base + "/other", "https://evil.example", None):
        publish(server, "", {"issuer": wrong, "jwks": {"keys": [jwk(signer, "k1")]}})
        _, header = issue(signer, server.base)
        with pytest.raises(IssuerMismatchError):
            resolver.resolve(server.base, header)


def test_unknown_kid(server: LoopbackServer, resolver: IssuerKeyResolver) -> None:
    signer = generate()
    publish(server, "", {"issuer": server.base, "jwks": {"keys": [jwk(signer, "k1")]}})
    _, header = issue(signer, server.base, kid="k2")
    with pytest.raises(UnknownKeyIdError):
        resolver.resolve(server.base, header)


def test_no_kid_is_accepted_only_for_a_single_key(
    server: LoopbackServer, resolver: IssuerKeyResolver, clock: ManualClock
) -> None:
    signer, other = generate(), generate()
    publish(server, "", {"issuer": server.base, "jwks": {"keys": [jwk(signer, None)]}})
    token, header = issue(signer, server.base, kid=None)
    verify_compact(token, resolver.resolve(server.base, header))

    two = {"issuer": server.base + "/two", "jwks": {"keys": [jwk(signer, "a"), jwk(other, "b")]}}
    iss = publish(server, "/two", two)
    _, header = issue(signer, iss, kid=None)
    with pytest.raises(UnknownKeyIdError):
        resolver.resolve(iss, header)


def test_keys_for_another_algorithm_or_encryption_are_not_candidates(
    server: LoopbackServer, resolver: IssuerKeyResolver
) -> None:
    signer, enc = generate(), generate()
    keys = [
        {**jwk(enc, None), "use": "enc"},
        {**jwk(generate(), None), "alg": "ES384"},
        {**jwk(generate(), None), "key_ops": ["encrypt"]},
        jwk(signer, None),
    ]
    publish(server, "", {"issuer": server.base, "jwks": {"keys": keys}})
    token, header = issue(signer, server.base, kid=None)
    verify_compact(token, resolver.resolve(server.base, header))


@pytest.mark.parametrize(
    "document",
    [
        {"jwks": {"keys": []}, "jwks_uri": "http://127.0.0.1:1/keys"},
        {},
        {"jwks": {"keys": "nope"}},
        {"jwks": []},
        {"jwks_uri": 7},
        {"jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": "AA"}]}},
        {"jwks": {"keys": [{"kid": "k1"}]}},
        {"jwks": {"keys": ["k1"]}},
    ],
)
def test_malformed_metadata(
    server: LoopbackServer, resolver: IssuerKeyResolver, document: dict[str, Any]
) -> None:
    publish(server, "", {"issuer": server.base, **document})
    with pytest.raises(IssuerMetadataError):
        resolver.resolve(server.base, {"alg": "ES256", "kid": "k1"})


@pytest.mark.parametrize(
    "extra",
    [
        {"d": "c2VjcmV0"},
        {"kty": "oct", "k": "c2VjcmV0"},
        {"kty": "oct"},
    ],
)
def test_private_or_symmetric_keys_taint_the_set(
    server: LoopbackServer, resolver: IssuerKeyResolver, extra: dict[str, str]
) -> None:
    signer = generate()
    leaky = {**jwk(generate(), "k0"), **extra}
    publish(server, "", {"issuer": server.base, "jwks": {"keys": [leaky, jwk(signer, "k1")]}})
    _, header = issue(signer, server.base)
    with pytest.raises(IssuerMetadataError):
        resolver.resolve(server.base, header)


def test_unknown_key_types_are_skipped(server: LoopbackServer, resolver: IssuerKeyResolver) -> None:
    signer = generate()
    future = {"kty": "AKP", "alg": "ML-DSA-44", "pub": "AAAA", "kid": "pq"}
    publish(server, "", {"issuer": server.base, "jwks": {"keys": [future, jwk(signer, "k1")]}})
    token, header = issue(signer, server.base)
    verify_compact(token, resolver.resolve(server.base, header))


def test_duplicate_kids_are_ambiguous(server: LoopbackServer, resolver: IssuerKeyResolver) -> None:
    signer = generate()
    keys = [jwk(signer, "k1"), jwk(generate(), "k1")]
    publish(server, "", {"issuer": server.base, "jwks": {"keys": keys}})
    _, header = issue(signer, server.base)
    with pytest.raises(IssuerMetadataError):
        resolver.resolve(server.base, header)


def test_invalid_json_and_wrong_type(server: LoopbackServer, resolver: IssuerKeyResolver) -> None:
    server.raw("/.well-known/jwt-vc-issuer", b"{oops", "application/json")
    with pytest.raises(IssuerMetadataError):
        resolver.resolve(server.base, {"alg": "ES256", "kid": "k1"})
    server.raw("/.well-known/jwt-vc-issuer", b"[1, 2]", "application/json")
    with pytest.raises(IssuerMetadataError):
        resolver.resolve(server.base, {"alg": "ES256", "kid": "k1"})
    server.raw("/.well-known/jwt-vc-issuer", b"{}", "text/html")
    with pytest.raises(UnexpectedContentTypeError):
        resolver.resolve(server.base, {"alg": "ES256", "kid": "k1"})


def test_missing_metadata_is_an_http_error(
    resolver: IssuerKeyResolver, server: LoopbackServer
) -> None:
    with pytest.raises(HttpStatusError) as caught:
        resolver.resolve(server.base + "/nobody", {"alg": "ES256", "kid": "k1"})
    assert caught.value.status == 404


def test_failed_documents_are_not_cached(
    server: LoopbackServer, resolver: IssuerKeyResolver, cache: MemoryCache
) -> None:
    signer = generate()
    publish(server, "", {"issuer": "https://evil.example", "jwks": {"keys": [jwk(signer, "k1")]}})
    with pytest.raises(IssuerMismatchError):
        resolver.resolve(server.base, issue(signer, server.base)[1])
    assert cache.get("jwt-vc-issuer", server.base) is None


def test_a_new_kid_triggers_one_refetch_of_a_fresh_copy(
    server: LoopbackServer, resolver: IssuerKeyResolver
) -> None:
    old, new = generate(), generate()
    publish(server, "", {"issuer": server.base, "jwks": {"keys": [jwk(old, "old")]}})
    resolver.resolve(server.base, issue(old, server.base, kid="old")[1])
    publish(server, "", {"issuer": server.base, "jwks": {"keys": [jwk(new, "new")]}})
    token, header = issue(new, server.base, kid="new")
    verify_compact(token, resolver.resolve(server.base, header))
    assert server.requests.count("/.well-known/jwt-vc-issuer") == 2
    with pytest.raises(UnknownKeyIdError):
        resolver.resolve(server.base, issue(new, server.base, kid="never")[1])
    assert server.requests.count("/.well-known/jwt-vc-issuer") == 3


def test_metadata_redirect_to_plain_http_elsewhere_is_refused(
    server: LoopbackServer, resolver: IssuerKeyResolver
) -> None:
    server.routes["/.well-known/jwt-vc-issuer"] = Route(
        302, b"", {"location": "http://issuer.example/.well-known/jwt-vc-issuer"}
    )
    with pytest.raises(InsecureUrlError):
        resolver.resolve(server.base, {"alg": "ES256", "kid": "k1"})
