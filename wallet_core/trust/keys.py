"""Public-key plumbing for trust/: JWK shape checks, X.509/multikey keys as JWKs.

Every key that leaves trust/ is a *public* JWK of an asymmetric type. A fetched key set that
carries private members (``d``, ...) or a symmetric ``oct`` key is refused outright: it
shows the publisher is careless with key material, and an ``oct`` key would turn signature
checks into MAC checks (RFC 8725 §3.2, DESIGN §6 "reject MACs").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

from wallet_core.crypto.jwk import b64url, base58btc_decode
from wallet_core.errors import UntrustedIssuerError

PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})

# RFC 7518 §6 / RFC 8037 §2: the members each key type needs, all base64url strings.
_REQUIRED = {"EC": ("crv", "x", "y"), "OKP": ("crv", "x"), "RSA": ("n", "e")}
_EC_CURVES = {
    "secp256r1": ("P-256", 32),
    "secp384r1": ("P-384", 48),
    "secp521r1": ("P-521", 66),
}

# Multicodec varint prefixes of the key types did:key / Multikey use (multicodec table).
_ED25519_PUB = b"\xed\x01"
_P256_PUB = b"\x80\x24"


def checked_public_jwk(value: Any, error: type[UntrustedIssuerError]) -> dict[str, Any] | None:
    """A copy of ``value`` if it is a well-formed public JWK; None for a key type we skip.

    Raises ``error`` for anything malformed, private or symmetric.
    """
    if not isinstance(value, Mapping):
        raise error("a key is not a JSON object")
    jwk = dict(value)
    if PRIVATE_MEMBERS & jwk.keys():
        raise error("a published key contains private key material")
    kty = jwk.get("kty")
    if not isinstance(kty, str):
        raise error("a key has no kty")
    if kty == "oct":
        raise error("a published key is symmetric")
    required = _REQUIRED.get(kty)
    if required is None:
        return None  # e.g. a post-quantum key we cannot use; it does not taint the set
    for member in required:
        if not isinstance(jwk.get(member), str) or not jwk[member]:
            raise error(f"a {kty} key lacks {member!r}")
    for member in ("kid", "use", "alg"):
        if member in jwk and not isinstance(jwk[member], str):
            raise error(f"a key's {member!r} is not a string")
    if "key_ops" in jwk and not (
        isinstance(jwk["key_ops"], list) and all(isinstance(op, str) for op in jwk["key_ops"])
    ):
        raise error("a key's 'key_ops' is not a list of strings")
    return jwk


def public_key_jwk(key: Any, error: type[UntrustedIssuerError]) -> dict[str, Any]:
    """The JWK of a ``cryptography`` public key (EC P-256/384/521, Ed25519, Ed448, RSA)."""
    if isinstance(key, ec.EllipticCurvePublicKey):
        curve = _EC_CURVES.get(key.curve.name)
        if curve is None:
            raise error(f"unsupported elliptic curve {key.curve.name}")
        name, size = curve
        numbers = key.public_numbers()
        return {
            "kty": "EC",
            "crv": name,
            "x": b64url(numbers.x.to_bytes(size, "big")),
            "y": b64url(numbers.y.to_bytes(size, "big")),
        }
    if isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        crv = "Ed25519" if isinstance(key, ed25519.Ed25519PublicKey) else "Ed448"
        return {"kty": "OKP", "crv": crv, "x": b64url(raw)}
    if isinstance(key, rsa.RSAPublicKey):
        rsa_numbers = key.public_numbers()
        return {"kty": "RSA", "n": _uint(rsa_numbers.n), "e": _uint(rsa_numbers.e)}
    raise error(f"unsupported key type {type(key).__name__}")


def _uint(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def multikey_jwk(multibase: str, error: type[UntrustedIssuerError]) -> dict[str, Any]:
    """The JWK of a multibase (base58btc ``z``) multicodec public key: Ed25519 or P-256.

    This is the encoding of ``did:key`` identifiers and of ``publicKeyMultibase`` in
    ``Multikey`` / ``Ed25519VerificationKey2020`` verification methods.
    """
    if len(multibase) > 200 or not multibase.startswith("z"):
        raise error("only base58btc ('z') multibase keys are supported")
    try:
        raw = base58btc_decode(multibase[1:])
    except ValueError as exc:
        raise error("the multibase key is not valid base58btc") from exc
    if raw.startswith(_ED25519_PUB) and len(raw) == 2 + 32:
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw[2:])}
    if raw.startswith(_P256_PUB) and len(raw) in (2 + 33, 2 + 65):
        try:
            point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw[2:])
        except ValueError as exc:
            raise error("the P-256 key is not a point on the curve") from exc
        return public_key_jwk(point, error)
    raise error("unsupported multicodec key type (Ed25519 and P-256 are supported)")
