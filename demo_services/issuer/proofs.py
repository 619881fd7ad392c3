"""Key proofs of type ``jwt`` (OpenID4VCI 1.0 §F.1, draft 13 §7.2.1.1), checked per §F.4.

The checks, in the order they run (the spec allows any order):

1. compact JWS with a JSON header; ``typ`` is exactly ``openid4vci-proof+jwt``;
2. ``alg`` is one we advertise (ES256, EdDSA): never ``none`` or a MAC;
3. exactly one of ``jwk`` / ``kid`` / ``x5c``. SD-JWT VCs bind with ``jwk``; a ``kid`` is
   accepted only as a ``did:jwk`` DID URL naming its one method ``#0`` (what wallets send for
   the Open Badge configurations, whose ``cryptographic_binding_methods_supported`` is
   ``did:jwk``: the DID becomes ``credentialSubject.id``); ``x5c`` is refused;
4. the key is public (no ``d`` and friends), and the signature verifies with it;
5. payload: ``aud`` is our issuer identifier (a string), ``iat`` within the last five
   minutes (one minute of clock skew ahead), ``nonce`` present when required; ``iss``
   absent for anonymous pre-authorized access, else equal to the client_id if present.

Whether the nonce was issued by us and is unused is the caller's job (it owns the store).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from wallet_core.crypto import thumbprint, verify_compact
from wallet_core.errors import WalletError

PROOF_TYP = "openid4vci-proof+jwt"
PROOF_ALGORITHMS = ("ES256", "EdDSA")
MAX_AGE_SECONDS = 300.0
CLOCK_SKEW_SECONDS = 60.0
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_KEY_FOR_ALG = {"ES256": ("EC", "P-256"), "EdDSA": ("OKP", "Ed25519")}


class ProofError(Exception):
    """A proof failed; ``code`` is the OpenID4VCI error (``invalid_proof``)."""

    def __init__(self, description: str, code: str = "invalid_proof") -> None:
        super().__init__(description)
        self.code = code
        self.description = description


@dataclass(frozen=True)
class ProvenKey:
    jwk: dict[str, str]  # public members only, as it goes into cnf.jwk
    thumbprint: str
    nonce: str | None
    # the holder's DID exactly as the proof's kid named it (None for a jwk proof): a W3C
    # credential's subject must be that very string, or the holder cannot present it
    did: str | None = None
    header: dict[str, Any] = field(default_factory=dict, repr=False)  # key_attestation in it


def verify_proof(
    jwt: Any,
    *,
    audience: str,
    now: float,
    require_nonce: bool,
    client_id: str | None,
    anonymous: bool,
    algorithms: Collection[str] = PROOF_ALGORITHMS,
) -> ProvenKey:
    if not isinstance(jwt, str) or jwt.count(".") != 2:
        raise ProofError("a jwt proof must be a compact JWS string")
    header = _segment(jwt.split(".", 1)[0], "header")
    alg, jwk = _header_key(header, algorithms)
    try:
        _, raw_payload = verify_compact(jwt, jwk, algorithms=[alg])
        key_id = thumbprint(jwk)
    except WalletError as exc:
        raise ProofError("the proof's signature does not verify with its key") from exc
    payload = _json_object(raw_payload, "payload")
    nonce = _check_claims(
        payload,
        audience=audience,
        now=now,
        require_nonce=require_nonce,
        client_id=client_id,
        anonymous=anonymous,
    )
    kid = header.get("kid")
    did = kid.split("#", 1)[0] if isinstance(kid, str) else None
    return ProvenKey(jwk=jwk, thumbprint=key_id, nonce=nonce, did=did, header=dict(header))


def _header_key(
    header: Mapping[str, Any], algorithms: Collection[str]
) -> tuple[str, dict[str, str]]:
    """The header's checks (1 to 3, and that the key is public): the proof's ``alg`` and
    the key to verify it with."""
    if header.get("typ") != PROOF_TYP:
        raise ProofError(f"the proof's typ must be {PROOF_TYP!r}")
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in algorithms:
        raise ProofError(f"the proof's alg must be one of {sorted(algorithms)}")
    jwk = _holder_key(header)
    expected = _KEY_FOR_ALG.get(alg)
    if expected is not None and (jwk.get("kty"), jwk.get("crv")) != expected:
        raise ProofError(f"alg {alg} needs a {expected[0]}/{expected[1]} key")
    return alg, jwk


def _check_claims(
    payload: Mapping[str, Any],
    *,
    audience: str,
    now: float,
    require_nonce: bool,
    client_id: str | None,
    anonymous: bool,
) -> str | None:
    """Check 5: ``aud``, ``iat``, ``nonce`` and ``iss``; return the nonce."""
    if payload.get("aud") != audience:
        raise ProofError(f"the proof's aud must be the credential issuer {audience!r}")
    iat = payload.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        raise ProofError("the proof needs a numeric iat")
    if iat < now - MAX_AGE_SECONDS:
        raise ProofError("the proof is too old (iat); make a fresh one")
    if iat > now + CLOCK_SKEW_SECONDS:
        raise ProofError("the proof's iat is in the future")
    nonce = payload.get("nonce")
    if nonce is not None and not isinstance(nonce, str):
        raise ProofError("the proof's nonce must be a string")
    if require_nonce and nonce is None:
        raise ProofError("the proof must carry a c_nonce from the nonce endpoint")
    if "iss" in payload:
        if anonymous:
            raise ProofError("iss must be omitted after anonymous pre-authorized access")
        if client_id is not None and payload["iss"] != client_id:
            raise ProofError("the proof's iss must be the client_id")
    return nonce


def _holder_key(header: Mapping[str, Any]) -> dict[str, str]:
    present = [name for name in ("jwk", "kid", "x5c") if name in header]
    if len(present) != 1:
        raise ProofError("the proof header needs exactly one of jwk, kid, x5c")
    if present[0] == "x5c":
        raise ProofError("x5c proofs are not supported; send the key as jwk")
    jwk = _did_jwk_key(header["kid"]) if present[0] == "kid" else header["jwk"]
    if not isinstance(jwk, dict) or not all(isinstance(v, str) for v in jwk.values()):
        raise ProofError("the proof's jwk must be a JSON object of strings")
    if _PRIVATE_MEMBERS & jwk.keys():
        raise ProofError("the proof's jwk contains private key material")
    return {name: value for name, value in jwk.items() if name in ("kty", "crv", "x", "y")}


def _did_jwk_key(kid: Any) -> Any:
    if not isinstance(kid, str) or not kid.startswith("did:jwk:"):
        raise ProofError("only did:jwk key ids are supported; send the key as jwk")
    encoded, _, fragment = kid.removeprefix("did:jwk:").partition("#")
    if fragment not in ("", "0"):
        raise ProofError("a did:jwk has one verification method, #0")
    return _json_object(_b64url(encoded), "did:jwk")


def _segment(text: str, what: str) -> dict[str, Any]:
    return _json_object(_b64url(text), what)


def _b64url(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ProofError("the proof is not base64url") from exc


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ProofError(f"the proof's {what} is not JSON") from exc
    if not isinstance(value, dict):
        raise ProofError(f"the proof's {what} is not a JSON object")
    return value
