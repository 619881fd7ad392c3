"""Verifying a bare signature over bytes with a public JWK, as W3C Data Integrity proofs
carry them (no JOSE envelope): Ed25519, and ECDSA P-256 with SHA-256 in IEEE P1363 form
(r || s, 64 bytes). Public keys only: nothing here sees a private key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from wallet_core.crypto.jwk import b64url_decode
from wallet_core.errors import InvalidSignatureError, KeyStoreError


def verify_detached(public_jwk: Mapping[str, Any], signature: bytes, message: bytes) -> None:
    """Raise ``InvalidSignatureError`` unless ``signature`` is the key's over ``message``;
    ``KeyStoreError`` for a key that is not an Ed25519 or P-256 public key."""
    kty, crv = public_jwk.get("kty"), public_jwk.get("crv")
    try:
        if kty == "OKP" and crv == "Ed25519":
            key = ed25519.Ed25519PublicKey.from_public_bytes(_coordinate(public_jwk, "x", 32))
            key.verify(signature, message)
            return
        if kty == "EC" and crv == "P-256":
            numbers = ec.EllipticCurvePublicNumbers(
                int.from_bytes(_coordinate(public_jwk, "x", 32), "big"),
                int.from_bytes(_coordinate(public_jwk, "y", 32), "big"),
                ec.SECP256R1(),
            )
            if len(signature) != 64:
                raise InvalidSignatureError("a P-256 signature is 64 bytes (r || s)")
            der = encode_dss_signature(
                int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            )
            numbers.public_key().verify(der, message, ec.ECDSA(hashes.SHA256()))
            return
    except InvalidSignature:
        raise InvalidSignatureError("the signature does not verify") from None
    except ValueError as exc:
        raise KeyStoreError("the public key is not usable") from exc
    raise KeyStoreError(f"unsupported key type {kty!r}/{crv!r} for a detached signature")


def _coordinate(jwk: Mapping[str, Any], name: str, length: int) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise ValueError(f"the JWK lacks {name!r}")
    raw = b64url_decode(value)
    if len(raw) != length:
        raise ValueError(f"the JWK's {name!r} has the wrong length")
    return raw
