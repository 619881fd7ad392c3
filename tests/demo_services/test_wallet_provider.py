"""The demo wallet provider: it attests only a key the asker holds, only once per request,
key attestations only for instances it attested, and says the keys are software keys."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cryptography import x509
from wire import jwt_part

from demo_services import wallet_provider
from demo_services.serving import BackgroundServer, start_in_thread
from wallet_core.crypto import Signer, generate, public_only, sign_compact
from wallet_core.trust.x5c import key_from_x5c


@pytest.fixture(scope="module")
def provider() -> Iterator[BackgroundServer]:
    with start_in_thread(wallet_provider.create_app, name="wallet-provider") as server:
        yield server


def _request(
    server: BackgroundServer, signer: Signer, claims: dict[str, Any] | None = None, **header: Any
) -> str:
    payload = {
        "aud": server.base_url,
        "iat": int(time.time()),
        "jti": secrets.token_urlsafe(12),
        **(claims or {}),
    }
    head = {"typ": "wallet-provider-request+jwt", "jwk": public_only(signer.public_jwk), **header}
    return sign_compact(head, payload, signer)


def _ask(server: BackgroundServer, path: str, request: str) -> httpx.Response:
    return httpx.post(f"{server.base_url}{path}", json={"request": request})


def _claims(token: str) -> dict[str, Any]:
    return {"header": jwt_part(token, 0), **jwt_part(token, 1)}


def test_an_instance_is_attested_and_then_its_keys(provider: BackgroundServer) -> None:
    instance, holder = generate("ES256"), generate("ES256")
    answer = _ask(provider, "/wallet-attestations", _request(provider, instance))
    assert answer.status_code == 200, answer.text
    attestation = answer.json()["wallet_attestation"]
    claims = _claims(attestation)
    assert claims["header"]["typ"] == "oauth-client-attestation+jwt"
    assert claims["sub"] == "eduwallet" and claims["iss"] == provider.base_url
    assert claims["cnf"]["jwk"] == public_only(instance.public_jwk)
    root = x509.load_pem_x509_certificate(httpx.get(f"{provider.base_url}/ca.pem").content)
    # signed by a certificate under the provider's root, which x5c leaves out (HAIP §4.4.1)
    key_from_x5c(claims["header"]["x5c"], None, [root], time.time())
    assert len(claims["header"]["x5c"]) == 1

    keys = {"attested_keys": [public_only(holder.public_jwk)], "nonce": "c-nonce-1"}
    answer = _ask(provider, "/key-attestations", _request(provider, instance, keys))
    assert answer.status_code == 200, answer.text
    claims = _claims(answer.json()["key_attestation"])
    assert claims["header"]["typ"] == "key-attestation+jwt"
    assert claims["attested_keys"] == keys["attested_keys"] and claims["nonce"] == "c-nonce-1"
    assert claims["key_storage"] == [f"{provider.base_url}/#software-keys"]
    assert claims["exp"] > claims["iat"]
    assert "software keys" in httpx.get(provider.base_url).text


def test_what_the_provider_refuses(provider: BackgroundServer) -> None:
    instance, stranger = generate("ES256"), generate("ES256")
    signed_by_other = _request(provider, instance)
    header, body, _ = signed_by_other.split(".")
    forged = f"{header}.{body}.{_request(provider, stranger).split('.')[2]}"
    replayed = _request(provider, instance)
    assert _ask(provider, "/wallet-attestations", replayed).status_code == 200
    key = public_only(generate("ES256").public_jwk)
    cases = {
        "a signature by another key": ("/wallet-attestations", forged),
        "a request used before": ("/wallet-attestations", replayed),
        "another audience": (
            "/wallet-attestations",
            _request(provider, instance, {"aud": "https://elsewhere.example"}),
        ),
        "an old request": (
            "/wallet-attestations",
            _request(provider, instance, {"iat": int(time.time()) - 3600}),
        ),
        "keys of an instance never attested": (
            "/key-attestations",
            _request(provider, stranger, {"attested_keys": [key]}),
        ),
        "a private key to attest": (
            "/key-attestations",
            _request(provider, instance, {"attested_keys": [{**key, "d": "AAAA"}]}),
        ),
        "no keys": ("/key-attestations", _request(provider, instance, {"attested_keys": []})),
        "not a JWT": ("/wallet-attestations", "not-a-jwt"),
    }
    for case, (path, request) in cases.items():
        answer = _ask(provider, path, request)
        assert answer.status_code == 400, case
        assert answer.json()["error"] == "invalid_request", case
