"""Key Binding JWTs: proof that the presenter holds the key in ``cnf`` (RFC 9901 §4.3, §7.3)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from wallet_core.crypto import Signer, sign_compact, verify_compact
from wallet_core.errors import (
    KeyBindingAudienceError,
    KeyBindingHashError,
    KeyBindingNonceError,
    KeyBindingTimeError,
    KeyBindingTypeError,
    MalformedCredentialError,
)
from wallet_core.formats.disclosures import b64url, hash_function

KB_TYP = "kb+jwt"


def sd_hash(sd_jwt_compact: str, hash_alg: str) -> str:
    """Digest over the US-ASCII bytes of ``JWT~D1~...~Dn~`` with the SD-JWT's _sd_alg (§4.3.1)."""
    return b64url(hash_function(hash_alg)(sd_jwt_compact.encode("ascii")).digest())


def create(
    sd_jwt_compact: str, hash_alg: str, signer: Signer, *, aud: str, nonce: str, iat: int
) -> str:
    payload = {"iat": iat, "aud": aud, "nonce": nonce, "sd_hash": sd_hash(sd_jwt_compact, hash_alg)}
    return sign_compact({"typ": KB_TYP}, payload, signer)


def verify(
    kb_jwt: str,
    sd_jwt_compact: str,
    hash_alg: str,
    holder_jwk: Mapping[str, Any],
    *,
    aud: str | None,
    nonce: str | None,
    now: float,
    max_age: float,
    leeway: float,
) -> dict[str, Any]:
    """Check a KB-JWT by §7.3 step 5; return its payload."""
    header, raw = verify_compact(kb_jwt, holder_jwk)
    if header.get("typ") != KB_TYP:
        raise KeyBindingTypeError(f"the KB-JWT typ must be {KB_TYP!r}")
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise MalformedCredentialError("the KB-JWT payload is not JSON") from exc
    if not isinstance(payload, dict):
        raise MalformedCredentialError("the KB-JWT payload is not an object")
    iat = payload.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        raise KeyBindingTimeError("the KB-JWT has no numeric iat")
    if iat > now + leeway or iat < now - max_age - leeway:
        raise KeyBindingTimeError("the KB-JWT was not created within the accepted window")
    # aud is a single string here (§4.3); a list is not accepted.
    if not isinstance(payload.get("aud"), str) or (aud is not None and payload["aud"] != aud):
        raise KeyBindingAudienceError("the KB-JWT is not addressed to this verifier")
    if not isinstance(payload.get("nonce"), str) or (
        nonce is not None and payload["nonce"] != nonce
    ):
        raise KeyBindingNonceError("the KB-JWT nonce does not match this transaction")
    if payload.get("sd_hash") != sd_hash(sd_jwt_compact, hash_alg):
        raise KeyBindingHashError("the KB-JWT does not cover this SD-JWT and its disclosures")
    return payload
