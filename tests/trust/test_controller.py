"""Keys of an issuer that is a URL: its controller document, over loopback HTTP; and a badge
signed by such an issuer verified end to end (w3c_vc with AssertionKeys)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from helpers import ob3_badge
from loopback import LoopbackServer

from wallet_core.clock import ManualClock
from wallet_core.crypto import generate
from wallet_core.crypto.jwk import b64url_decode, base58btc_encode
from wallet_core.errors import (
    InvalidSignatureError,
    IssuerMismatchError,
    NetworkError,
    UnknownKeyIdError,
    UntrustedIssuerError,
)
from wallet_core.formats import data_integrity, w3c_vc
from wallet_core.http import HttpClient, HttpPolicy
from wallet_core.trust import AssertionKeys, ControllerResolver, DidResolver, MemoryCache

KEY = generate("EdDSA")
MULTIKEY = "z" + base58btc_encode(b"\xed\x01" + b64url_decode(KEY.public_jwk["x"]))
PUBLIC = {name: value for name, value in KEY.public_jwk.items() if name != "kid"}


def _controller(issuer: str, *, listed: bool = True, own_id: str | None = None) -> dict[str, Any]:
    method = {
        "id": f"{issuer}#key-1",
        "type": "Multikey",
        "controller": issuer,
        "publicKeyMultibase": MULTIKEY,
    }
    document: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/cid/v1"],
        "id": own_id or issuer,
        "verificationMethod": [method],
    }
    if listed:
        document["assertionMethod"] = [f"{issuer}#key-1"]
    return document


def test_the_key_the_issuers_document_lists_is_the_issuers_key(
    server: LoopbackServer, client: HttpClient, cache: MemoryCache, clock: ManualClock
) -> None:
    issuer = server.json("/issuers/1", _controller(f"{server.base}/issuers/1"))
    controllers = ControllerResolver(client, cache, clock)
    assert controllers.assertion_key(issuer, f"{issuer}#key-1") == PUBLIC
    assert controllers.assertion_key(issuer, "#key-1") == PUBLIC
    assert server.requests == ["/issuers/1"]  # then from the cache


def test_a_key_the_issuer_does_not_list_or_a_document_not_its_own_is_refused(
    server: LoopbackServer, client: HttpClient, cache: MemoryCache, clock: ManualClock
) -> None:
    controllers = ControllerResolver(client, cache, clock)
    unlisted = server.json("/unlisted", _controller(f"{server.base}/unlisted", listed=False))
    with pytest.raises(UnknownKeyIdError):
        controllers.assertion_key(unlisted, f"{unlisted}#key-1")
    borrowed = server.json("/borrowed", _controller("https://elsewhere.example/issuer"))
    with pytest.raises(IssuerMismatchError):
        controllers.assertion_key(borrowed, f"{borrowed}#key-1")
    with pytest.raises(IssuerMismatchError):  # a key of another controller
        controllers.assertion_key(unlisted, "https://evil.example/issuer#key-1")
    with pytest.raises(UntrustedIssuerError), HttpClient(HttpPolicy()) as strict:
        # the HTTP policy: no plain http, no private addresses
        ControllerResolver(strict, cache, clock).assertion_key("http://10.0.0.1/i", None)


def test_a_known_issuer_is_checked_offline_from_the_cache(
    server: LoopbackServer,
    client: HttpClient,
    offline_client: HttpClient,
    cache: MemoryCache,
    clock: ManualClock,
) -> None:
    issuer = server.json("/issuers/2", _controller(f"{server.base}/issuers/2"))
    ControllerResolver(client, cache, clock).assertion_key(issuer, "#key-1")
    clock.advance(10 * 24 * 3600)  # long stale: still the last known document offline
    offline = ControllerResolver(offline_client, cache, clock)
    assert offline.assertion_key(issuer, "#key-1") == PUBLIC
    with pytest.raises(NetworkError):
        offline.assertion_key(f"{server.base}/never-seen", "#key-1")


def test_a_badge_from_a_url_issuer_verifies_end_to_end(
    server: LoopbackServer, client: HttpClient, cache: MemoryCache, clock: ManualClock
) -> None:
    issuer = server.json("/issuers/3", _controller(f"{server.base}/issuers/3"))
    badge = ob3_badge(issuer)
    signed = data_integrity.add_proof(
        badge, KEY, verification_method=f"{issuer}#key-1", created="2026-09-01T00:00:00Z"
    )
    keys = AssertionKeys(
        DidResolver(client, cache, clock), ControllerResolver(client, cache, clock)
    )
    checked = w3c_vc.verify(signed, resolver=keys, now=time.time())
    assert checked.issuer == issuer and checked.format == "ldp_vc"
    intruder = generate("EdDSA")
    forged = data_integrity.add_proof(
        badge, intruder, verification_method=f"{issuer}#key-1", created="2026-09-01T00:00:00Z"
    )
    with pytest.raises(InvalidSignatureError):  # the issuer's listed key does not verify it
        w3c_vc.verify(forged, resolver=keys, now=time.time())
    with pytest.raises(UntrustedIssuerError):
        keys("urn:example:issuer", None)
