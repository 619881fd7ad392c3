"""Issuer keys from DIDs: did:jwk, did:key (official test vectors), did:web over loopback."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from loopback import LoopbackServer

from wallet_core.crypto import (
    Signer,
    did_jwk,
    generate,
    public_only,
    sign_compact,
    signer_from_jwk,
    verify_compact,
)
from wallet_core.errors import (
    DidResolutionError,
    IssuerMismatchError,
    UnknownKeyIdError,
    UntrustedIssuerError,
)
from wallet_core.http import HttpClient, HttpPolicy
from wallet_core.trust import IssuerKeyResolver, did_web_url

pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated")

# w3c-ccg/did-method-key test-vectors/nist-curves.json and ed25519-x25519.json.
P256_VECTORS = [
    (
        "did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169",
        {
            "kty": "EC",
            "crv": "P-256",
            "x": "fyNYMN0976ci7xqiSdag3buk-ZCwgXU4kz9XNkBlNUI",
            "y": "hW2ojTNfH7Jbi8--CJUo3OCbH3y5n91g-IMA9MLMbTU",
            "d": "YjRs6vNvw4sYrzVVY8ipkEpDAD9PFqw1sUnvPRMA-WI",
        },
    ),
    (
        "did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv",
        {
            "kty": "EC",
            "crv": "P-256",
            "x": "igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns",
            "y": "efsX5b10x8yjyrj4ny3pGfLcY7Xby1KzgqOdqnsrJIM",
            "d": "gPh-VvVS8MbvKQ9LSVVmfnxnKjHn4Tqj0bmbpehRlpc",
        },
    ),
]
ED25519_VECTORS = [
    # (did, seed, publicKeyBase58)
    (
        "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
        bytes(32),
        "4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS",
    ),
    (
        "did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG",
        bytes(31) + b"\x01",
        "6ASf5EcmmEHTgDJ4X4ZT5vT6iHVJBXPg5AN5YoTCpGWt",
    ),
]

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58encode(data: bytes) -> str:
    """An encoder written here, independent of the decoder under test."""
    number, out = int.from_bytes(data, "big"), ""
    while number:
        number, rest = divmod(number, 58)
        out = _ALPHABET[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def did_key_of(signer_key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey) -> str:
    if isinstance(signer_key, ed25519.Ed25519PrivateKey):
        raw = signer_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return "did:key:z" + b58encode(b"\xed\x01" + raw)
    point = signer_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
    )
    return "did:key:z" + b58encode(b"\x80\x24" + point)


def issue(signer: Signer, iss: str, kid: str | None) -> tuple[str, dict[str, Any]]:
    header: dict[str, Any] = {"typ": "dc+sd-jwt"}
    if kid is not None:
        header["kid"] = kid
    token = sign_compact(header, {"iss": iss, "vct": "https://edu.example/mc"}, signer)
    return token, {**header, "alg": signer.alg.value}


# -- did:key -----------------------------------------------------------------------------


@pytest.mark.parametrize(("did", "private_jwk"), P256_VECTORS)
def test_did_key_p256_vectors(
    resolver: IssuerKeyResolver, did: str, private_jwk: dict[str, str]
) -> None:
    fragment = did.removeprefix("did:key:")
    token, header = issue(signer_from_jwk(private_jwk), did, f"{did}#{fragment}")
    key = resolver.resolve(did, header)
    assert key == public_only(private_jwk)
    verify_compact(token, key)


@pytest.mark.parametrize(("did", "seed", "base58_key"), ED25519_VECTORS)
def test_did_key_ed25519_vectors(
    resolver: IssuerKeyResolver, did: str, seed: bytes, base58_key: str
) -> None:
    private = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert b58encode(raw) == base58_key  # our reading of the vector is right
    assert did_key_of(private) == did  # and so is our test encoder
    token, header = issue(Signer(private), did, f"{did}#{did.removeprefix('did:key:')}")
    key = resolver.resolve(did, header)
    assert key == {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}
    verify_compact(token, key)


@pytest.mark.parametrize(
    "make", [lambda: ec.generate_private_key(ec.SECP256R1()), ed25519.Ed25519PrivateKey.generate]
)
def test_did_key_of_fresh_keys(resolver: IssuerKeyResolver, make: Any) -> None:
    private = make()
    did = did_key_of(private)
    fragment = did.removeprefix("did:key:")
    for kid in (f"{did}#{fragment}", f"#{fragment}", None):
        token, header = issue(Signer(private), did, kid)
        verify_compact(token, resolver.resolve(did, header))


@pytest.mark.parametrize(
    "did",
    [
        "did:key:z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW",  # X25519: not for signing
        "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",  # secp256k1
        "did:key:z0OIl",  # not base58
        "did:key:6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",  # no multibase prefix
        "did:key:z",
        "did:key:z" + b58encode(b"\x80\x24\x02" + b"\xff" * 32),  # not a curve point
    ],
)
def test_did_key_unsupported_or_broken(resolver: IssuerKeyResolver, did: str) -> None:
    with pytest.raises(DidResolutionError):
        resolver.resolve(did, {"alg": "ES256", "kid": f"{did}#x"})


# -- did:jwk -----------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
def test_did_jwk(resolver: IssuerKeyResolver, alg: str) -> None:
    signer = generate(alg)
    did = did_jwk(signer.public_jwk)
    for kid in (f"{did}#0", "#0", None):
        token, header = issue(signer, did, kid)
        key = resolver.resolve(did, header)
        assert key["x"] == signer.public_jwk["x"]
        verify_compact(token, key)


def test_did_jwk_spec_example(resolver: IssuerKeyResolver) -> None:
    # did:jwk spec, P-256 example.
    did = (
        "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVV"
        "M3l6OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"
    )
    key = resolver.resolve(did, {"alg": "ES256", "kid": f"{did}#0"})
    assert key == {
        "crv": "P-256",
        "kty": "EC",
        "x": "acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0",
        "y": "_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE",
    }


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "d": "AA"},
        {"kty": "oct", "k": "c2VjcmV0"},
        {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "use": "enc"},
        {"crv": "P-256"},
    ],
)
def test_did_jwk_refusals(resolver: IssuerKeyResolver, jwk: dict[str, str]) -> None:
    did = "did:jwk:" + b64url(json.dumps(jwk).encode())
    with pytest.raises(UntrustedIssuerError):
        resolver.resolve(did, {"alg": "ES256", "kid": f"{did}#0"})


def test_did_jwk_that_is_not_json(resolver: IssuerKeyResolver) -> None:
    with pytest.raises(DidResolutionError):
        resolver.resolve("did:jwk:bm90IGpzb24", {"alg": "ES256", "kid": "#0"})


# -- kid rules ---------------------------------------------------------------------------


def test_kid_of_another_did_is_refused(resolver: IssuerKeyResolver) -> None:
    victim, attacker = generate(), generate()
    victim_did, attacker_did = did_jwk(victim.public_jwk), did_jwk(attacker.public_jwk)
    _, header = issue(attacker, victim_did, f"{attacker_did}#0")
    with pytest.raises(IssuerMismatchError):
        resolver.resolve(victim_did, header)


@pytest.mark.parametrize("kid", ["#1", "0", "key-1", "did:jwk:xyz#0/x"])
def test_kid_that_names_no_assertion_key(resolver: IssuerKeyResolver, kid: str) -> None:
    did = did_jwk(generate().public_jwk)
    with pytest.raises(UntrustedIssuerError):
        resolver.resolve(did, {"alg": "ES256", "kid": kid})


def test_unsupported_did_method(resolver: IssuerKeyResolver) -> None:
    with pytest.raises(DidResolutionError):
        resolver.resolve("did:ebsi:zo9FR1YfAKFP3Q6dvqhxcXxnfeDiJDP97kmnqhyAUSACj", {"kid": "#k"})


# -- did:web -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        (
            "did:web:w3c-ccg.github.io:user:alice",
            "https://w3c-ccg.github.io/user/alice/did.json",
        ),
        ("did:web:example.com%3A3000", "https://example.com:3000/.well-known/did.json"),
        ("did:web:example.com%3a3000:u:1", "https://example.com:3000/u/1/did.json"),
        ("did:web:Example.COM", "https://example.com/.well-known/did.json"),
    ],
)
def test_did_web_urls(did: str, url: str) -> None:
    assert did_web_url(did, HttpPolicy()) == url


def test_did_web_on_loopback_uses_http_only_with_the_flag() -> None:
    assert did_web_url("did:web:localhost%3A8000", HttpPolicy()) == (
        "https://localhost:8000/.well-known/did.json"
    )
    assert did_web_url("did:web:localhost%3A8000:a", HttpPolicy(allow_http_loopback=True)) == (
        "http://localhost:8000/a/did.json"
    )


@pytest.mark.parametrize(
    "did",
    [
        "did:web:",
        "did:web:exa mple.com",
        "did:web:example.com%2Fpath",
        "did:web:example.com%3A0",
        "did:web:example.com%3Aabc",
        "did:web:example.com::x",
        "did:web:example.com:..:admin",
        "did:web:example.com:%2E%2E",
        "did:web:example.com:a%2Fb",
        "did:web:user@example.com",
        "did:web:-example.com",
    ],
)
def test_invalid_did_web(did: str) -> None:
    with pytest.raises(DidResolutionError):
        did_web_url(did, HttpPolicy())


def web_document(did: str, signer: Signer, *, fragment: str = "key-1") -> dict[str, Any]:
    method = {
        "id": f"{did}#{fragment}",
        "type": "JsonWebKey2020",
        "controller": did,
        "publicKeyJwk": public_only(signer.public_jwk),
    }
    return {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "verificationMethod": [method],
        "assertionMethod": [f"#{fragment}"],
    }


def test_did_web_with_and_without_path(server: LoopbackServer, resolver: IssuerKeyResolver) -> None:
    signer = generate()
    host = f"did:web:localhost%3A{server.port}"
    server.json("/.well-known/did.json", web_document(host, signer))
    token, header = issue(signer, host, f"{host}#key-1")
    verify_compact(token, resolver.resolve(host, header))

    pathed = f"{host}:issuers:hsd"
    other = generate("EdDSA")
    server.json("/issuers/hsd/did.json", web_document(pathed, other, fragment="sig"))
    token, header = issue(other, pathed, "#sig")
    verify_compact(token, resolver.resolve(pathed, header))
    assert server.requests == ["/.well-known/did.json", "/issuers/hsd/did.json"]


def test_did_web_multikey_and_embedded_methods(
    server: LoopbackServer, resolver: IssuerKeyResolver
) -> None:
    private = ed25519.Ed25519PrivateKey.generate()
    did = f"did:web:localhost%3A{server.port}:multi"
    multibase = did_key_of(private).removeprefix("did:key:")
    server.json(
        "/multi/did.json",
        {
            "id": did,
            "assertionMethod": [
                {
                    "id": "#m",
                    "type": "Multikey",
                    "controller": did,
                    "publicKeyMultibase": multibase,
                }
            ],
        },
    )
    token, header = issue(Signer(private), did, f"{did}#m")
    verify_compact(token, resolver.resolve(did, header))


def test_did_web_key_must_be_an_assertion_method(
    server: LoopbackServer, resolver: IssuerKeyResolver
) -> None:
    signer = generate()
    did = f"did:web:localhost%3A{server.port}:auth"
    document = web_document(did, signer)
    document["authentication"] = document.pop("assertionMethod")
    server.json("/auth/did.json", document)
    _, header = issue(signer, did, f"{did}#key-1")
    with pytest.raises(UnknownKeyIdError):
        resolver.resolve(did, header)


def test_did_web_document_for_another_did(
    server: LoopbackServer, resolver: IssuerKeyResolver
) -> None:
    signer = generate()
    did = f"did:web:localhost%3A{server.port}:victim"
    server.json("/victim/did.json", web_document("did:web:evil.example", signer))
    _, header = issue(signer, did, f"{did}#key-1")
    with pytest.raises(DidResolutionError):
        resolver.resolve(did, header)


def test_did_web_private_key_in_document(
    server: LoopbackServer, resolver: IssuerKeyResolver
) -> None:
    signer = generate()
    did = f"did:web:localhost%3A{server.port}:leaky"
    document = web_document(did, signer)
    document["verificationMethod"][0]["publicKeyJwk"]["d"] = "c2VjcmV0"
    server.json("/leaky/did.json", document)
    _, header = issue(signer, did, f"{did}#key-1")
    with pytest.raises(DidResolutionError):
        resolver.resolve(did, header)


def test_did_web_not_json(server: LoopbackServer, resolver: IssuerKeyResolver) -> None:
    did = f"did:web:localhost%3A{server.port}:broken"
    server.raw("/broken/did.json", b"<html>", "application/did+json")
    with pytest.raises(DidResolutionError):
        resolver.resolve(did, {"alg": "ES256", "kid": f"{did}#k"})


def test_did_web_is_cached(server: LoopbackServer, resolver: IssuerKeyResolver) -> None:
    signer = generate()
    did = f"did:web:localhost%3A{server.port}:cached"
    server.json("/cached/did.json", web_document(did, signer), **{"cache-control": "max-age=60"})
    _, header = issue(signer, did, f"{did}#key-1")
    first = resolver.resolve(did, header)
    server.routes.clear()
    assert resolver.resolve(did, header) == first
    assert server.requests == ["/cached/did.json"]


@pytest.mark.parametrize("host", ["10.0.0.1", "169.254.169.254", "localhost"])
def test_did_web_to_hosts_we_may_not_contact(resolver: IssuerKeyResolver, host: str) -> None:
    strict = HttpPolicy()
    with HttpClient(strict) as client:
        strict_resolver = IssuerKeyResolver(client)
        with pytest.raises(DidResolutionError):
            strict_resolver.resolve(f"did:web:{host}", {"alg": "ES256", "kid": "#k"})
