"""Compact JWS through joserfc, the one place wallet_core touches JOSE.

Only asymmetric algorithms are accepted: ``none`` and the HMAC family are refused in
both directions, whatever a token's header says (RFC 8725 §3.1, §3.2).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Mapping
from typing import Any

from joserfc import errors as jose_errors
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import import_key
from joserfc.registry import HeaderParameter

from wallet_core.crypto.jwk import b64url, public_only
from wallet_core.crypto.keys import Signer
from wallet_core.errors import InvalidSignatureError, MalformedCredentialError

ALLOWED_ALGORITHMS = frozenset(
    {
        "ES256",
        "ES384",
        "ES512",
        "EdDSA",
        "Ed25519",
        "PS256",
        "PS384",
        "PS512",
        "RS256",
        "RS384",
        "RS512",
    }
)

_REGISTRY = jws.JWSRegistry(
    # header parameters beyond RFC 7515 that credentials and proofs carry: a key proof's key
    # attestation (OpenID4VCI 1.0 Appendix F.1); unknown ones are still refused
    header_registry={"key_attestation": HeaderParameter("Key attestation", "str")},
    algorithms=sorted(ALLOWED_ALGORITHMS),
)
# joserfc's 512-byte default refuses every header that carries an x5c certificate chain.
_REGISTRY.max_header_length = 16 * 1024
_SIGNATURE_FAILURES = (
    jose_errors.BadSignatureError,
    jose_errors.UnsupportedAlgorithmError,
    jose_errors.InvalidKeyTypeError,
    jose_errors.InvalidKeyCurveError,
)


def sign_compact(
    header: Mapping[str, Any], payload: bytes | Mapping[str, Any], signer: Signer
) -> str:
    """``header`` gets ``alg`` from the signer; a JSON payload is serialized compactly."""
    protected = {**header, "alg": signer.alg.value}
    body = payload if isinstance(payload, bytes) else _compact_json(payload)
    signing_input = f"{b64url(_compact_json(protected))}.{b64url(body)}"
    return f"{signing_input}.{b64url(signer.sign(signing_input.encode('ascii')))}"


def verify_compact(
    token: str,
    public_jwk: Mapping[str, Any],
    algorithms: Collection[str] = ALLOWED_ALGORITHMS,
) -> tuple[dict[str, Any], bytes]:
    """Return (protected header, payload bytes) of a valid compact JWS, else raise."""
    refused = set(algorithms) - ALLOWED_ALGORITHMS
    if refused:
        raise InvalidSignatureError(f"algorithms {sorted(refused)} are never accepted")
    try:
        key = _imported(json.dumps(public_only(public_jwk), sort_keys=True))
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise InvalidSignatureError("the verification key is not a usable JWK") from exc
    try:
        result = jws.deserialize_compact(
            token, key, algorithms=list(algorithms), registry=_REGISTRY
        )
    except JoseError as exc:
        if isinstance(exc, _SIGNATURE_FAILURES):
            raise InvalidSignatureError("the signature does not verify") from exc
        raise MalformedCredentialError(
            "the JWS is malformed or its algorithm is not allowed"
        ) from exc
    except (ValueError, TypeError, KeyError) as exc:
        raise MalformedCredentialError("the JWS is malformed") from exc
    return dict(result.protected), bytes(result.payload)


@functools.lru_cache(maxsize=128)
def _imported(jwk_json: str) -> Any:
    """Parsed keys are reused: issuer and holder keys repeat, and parsing costs about as much
    as a signature check. Only public members reach the cache."""
    return import_key(json.loads(jwk_json))


def _compact_json(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
