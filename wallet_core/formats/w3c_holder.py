"""The holder's key of a W3C presentation, from the holder's DID with no network.

``did:jwk`` (did:jwk spec: one verification method ``#0``; a key marked ``"use": "enc"`` is
for key agreement only) and ``did:key`` (did:key v0.7: one method ``#<multibase>``, Ed25519
``z6Mk…`` or P-256 ``zDn…``): both methods' one key is authorised for ``authentication``, so
the key *is* the holder's. Other DID methods would need their document fetched; a verifier
of wallet presentations refuses them (``MissingHolderKeyError``).
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from wallet_core.crypto.jwk import b64url, base58btc_decode, did_jwk_key
from wallet_core.errors import MissingHolderKeyError, WrongHolderKeyError

# Multicodec varint prefixes of the did:key key types (multicodec table).
_ED25519_PUB = b"\xed\x01"
_P256_PUB = b"\x80\x24"


def method_of(holder: str) -> str:
    """The one verification method of a did:jwk (``#0``) or did:key (``#<multibase>``)."""
    if holder.startswith("did:key:"):
        return f"{holder}#{holder.removeprefix('did:key:')}"
    return f"{holder}#0"


def holder_key(method: str, holder: str) -> dict[str, Any]:
    """The public key of verification method ``method`` of ``holder``'s DID, resolved
    without network: did:jwk (method ``#0``) or did:key (``#<multibase>``)."""
    did, sep, fragment = method.partition("#")
    if method.startswith("#"):
        did = holder
    if did != holder or not sep:
        raise WrongHolderKeyError("the presentation is not signed by a key of its holder")
    if did.startswith("did:jwk:"):
        jwk = did_jwk_key(did)
        if jwk is None or fragment != "0" or jwk.get("use") == "enc":
            # did:jwk: one method "#0"; a key marked for encryption is not for authentication
            raise MissingHolderKeyError("the holder's did:jwk names no authentication key")
        return jwk
    if did.startswith("did:key:"):
        multibase = did.removeprefix("did:key:")
        if fragment != multibase:
            raise MissingHolderKeyError("the did:key has one method, #<its multibase>")
        return _did_key_jwk(multibase)
    raise MissingHolderKeyError("the holder is not a did:jwk or did:key")


def _did_key_jwk(multibase: str) -> dict[str, Any]:
    """did:key v0.7 §3.1 (Ed25519 ``z6Mk…``, P-256 ``zDn…``) as a JWK."""
    if len(multibase) > 200 or not multibase.startswith("z"):
        raise MissingHolderKeyError("a did:key is base58btc multibase")
    try:
        raw = base58btc_decode(multibase[1:])
    except ValueError as exc:
        raise MissingHolderKeyError("the did:key is not base58btc") from exc
    if raw.startswith(_ED25519_PUB) and len(raw) == 34:
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw[2:])}
    if raw.startswith(_P256_PUB) and len(raw) in (35, 67):
        try:
            point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw[2:])
        except ValueError as exc:
            raise MissingHolderKeyError("the did:key P-256 key is not on the curve") from exc
        x, y = point.public_numbers().x, point.public_numbers().y
        return {"kty": "EC", "crv": "P-256", "x": _b64(x), "y": _b64(y)}
    raise MissingHolderKeyError("the did:key is neither an Ed25519 nor a P-256 key")


def _b64(coordinate: int) -> str:
    return b64url(coordinate.to_bytes(32, "big"))
