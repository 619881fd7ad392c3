"""Holder keys and JWS: checked against independent verifiers (joserfc, cryptography)."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from joserfc import jws
from joserfc.jwk import ECKey, import_key

from wallet_core import InvalidSignatureError, UnsupportedAlgorithmError, Wallet
from wallet_core.crypto import did_jwk, generate, sign_compact, signer_from_jwk, thumbprint
from wallet_core.crypto.jose import verify_compact
from wallet_core.crypto.jwk import b64url, b64url_decode

# RFC 7638 §3.1
RFC7638_JWK = {
    "kty": "RSA",
    "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
    "BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_"
    "FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI"
    "4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29",
}


def test_rfc7638_thumbprint_example() -> None:
    assert thumbprint(RFC7638_JWK) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
def test_kid_is_the_thumbprint_joserfc_computes(alg: str) -> None:
    signer = generate(alg)
    public = {k: v for k, v in signer.public_jwk.items() if k != "kid"}
    assert signer.kid == import_key(public).thumbprint()
    assert "d" not in signer.public_jwk


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
def test_compact_jws_verifies_with_joserfc(alg: str) -> None:
    signer = generate(alg)
    token = sign_compact({"typ": "kb+jwt"}, {"nonce": "n-0S6_WzA2Mj"}, signer)
    result = jws.deserialize_compact(token, import_key(dict(signer.public_jwk)), algorithms=[alg])
    assert json.loads(result.payload) == {"nonce": "n-0S6_WzA2Mj"}
    assert result.protected == {"typ": "kb+jwt", "alg": alg}


def test_raw_signatures_verify_with_cryptography() -> None:
    es = generate("ES256")
    signature = es.sign(b"data")
    assert len(signature) == 64
    x, y = (int.from_bytes(b64url_decode(es.public_jwk[c]), "big") for c in ("x", "y"))
    public = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    public.verify(encode_dss_signature(r, s), b"data", ec.ECDSA(hashes.SHA256()))

    ed = generate("EdDSA")
    ed_public = ed25519.Ed25519PublicKey.from_public_bytes(b64url_decode(ed.public_jwk["x"]))
    ed_public.verify(ed.sign(b"data"), b"data")


def test_joserfc_tokens_verify_with_us() -> None:
    jwk_key = ECKey.generate_key("P-256")
    token = jws.serialize_compact({"alg": "ES256"}, b"payload", jwk_key)
    header, payload = verify_compact(token, jwk_key.as_dict(private=False))
    assert (header, payload) == ({"alg": "ES256"}, b"payload")


def _forge(alg: str, signature: bytes = b"") -> str:
    header = b64url(json.dumps({"alg": alg}).encode())
    return f"{header}.{b64url(b'{}')}.{b64url(signature)}"


@pytest.mark.parametrize("alg", ["none", "HS256", "HS512"])
def test_none_and_hmac_are_refused(alg: str) -> None:
    signer = generate("ES256")
    with pytest.raises(InvalidSignatureError):
        verify_compact(_forge(alg, b"x" * 32), signer.public_jwk)
    with pytest.raises(InvalidSignatureError):
        verify_compact(_forge("ES256"), signer.public_jwk, algorithms=[alg])


def test_tampered_payload_and_wrong_key_fail() -> None:
    signer = generate("ES256")
    token = sign_compact({}, {"a": 1}, signer)
    head, _, sig = token.split(".")
    forged_payload = b64url(json.dumps({"a": 2}).encode())
    with pytest.raises(InvalidSignatureError):
        verify_compact(f"{head}.{forged_payload}.{sig}", signer.public_jwk)
    with pytest.raises(InvalidSignatureError):
        verify_compact(token, generate("ES256").public_jwk)
    with pytest.raises(InvalidSignatureError):
        verify_compact(token, generate("EdDSA").public_jwk)


def test_did_jwk_round_trips_public_key_only() -> None:
    signer = generate("EdDSA")
    did = did_jwk({**signer.public_jwk, "d": "secret"})
    decoded = json.loads(b64url_decode(did.removeprefix("did:jwk:")))
    assert decoded == dict(signer.public_jwk)


def test_signer_from_private_jwk_matches_joserfc() -> None:
    private = ECKey.generate_key("P-256")
    signer = signer_from_jwk(private.as_dict(private=True))
    assert signer.kid == private.thumbprint()


def test_unsupported_algorithm() -> None:
    with pytest.raises(UnsupportedAlgorithmError):
        generate("RS256")


def test_key_store_never_exposes_private_material(wallet: Wallet) -> None:
    info = wallet.new_key("ES256")
    signer = wallet.signer(info.kid)
    assert signer.kid == info.kid and signer.public_jwk == info.public_jwk
    assert "d" not in info.public_jwk and "d" not in signer.public_jwk
    assert not any(name in repr(signer) for name in ("PRIVATE", "-----BEGIN"))
    assert not hasattr(signer, "__dict__")  # no place to hang a leaked attribute
    token = sign_compact({}, {"x": 1}, signer)
    assert verify_compact(token, info.public_jwk)[1] == b'{"x":1}'


def test_keys_with_list_members_verify() -> None:
    signer = generate("ES256")
    token = sign_compact({}, {"x": 1}, signer)
    jwk = {**signer.public_jwk, "key_ops": ["verify"], "use": "sig"}
    assert verify_compact(token, jwk)[1] == b'{"x":1}'
    assert verify_compact(token, jwk)[1] == b'{"x":1}'  # cached path
