"""Wallet and key attestations as the demo issuer checks them (OpenID4VCI 1.0 Appendix D,
E; Attestation-Based Client Authentication draft 07 §5; HAIP 1.0 §4.4.1, §4.5.1).

Required when ``IssuerSettings.wallet_providers`` names the roots of trusted wallet
providers; otherwise not asked for (and not looked at).

- at PAR and the token endpoint: ``OAuth-Client-Attestation`` (``typ``
  ``oauth-client-attestation+jwt``, ``x5c`` chaining to a trusted provider root, not
  expired, ``sub`` the client_id, ``cnf.jwk``) and ``OAuth-Client-Attestation-PoP`` (``typ``
  ``oauth-client-attestation-pop+jwt``, signed by ``cnf.jwk``, ``iss`` = ``sub``, ``aud`` this
  server, ``iat`` recent, ``jti`` new); a missing or bad one is ``invalid_client`` (401);
- in each ``jwt`` key proof: a ``key_attestation`` header (``key-attestation+jwt`` by a
  trusted provider, with ``exp``), whose ``attested_keys`` hold the proof's key and whose
  ``nonce`` is the proof's ``c_nonce``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

from demo_services.issuer.context import Issuer
from demo_services.issuer.errors import OAuthError
from demo_services.issuer.proofs import PROOF_ALGORITHMS
from wallet_core.crypto import thumbprint, verify_compact
from wallet_core.errors import WalletError
from wallet_core.trust.x5c import key_from_x5c

CLIENT_ATTESTATION = "oauth-client-attestation+jwt"
CLIENT_ATTESTATION_POP = "oauth-client-attestation-pop+jwt"
KEY_ATTESTATION = "key-attestation+jwt"
MAX_POP_AGE = 300.0
MAX_LENGTH = 16 * 1024


def required(issuer: Issuer) -> bool:
    return bool(issuer.settings.wallet_providers)


def proof_types(issuer: Issuer) -> dict[str, Any]:
    """``proof_types_supported`` of a configuration: ``jwt``, with a key attestation of any
    kind required in the attestation mode (Appendix F.1)."""
    jwt: dict[str, Any] = {"proof_signing_alg_values_supported": list(PROOF_ALGORITHMS)}
    if required(issuer):
        jwt["key_attestations_required"] = {}
    return {"jwt": jwt}


def auth_methods(issuer: Issuer) -> list[str]:
    """``token_endpoint_auth_methods_supported``: public clients, or attested ones."""
    return ["attest_jwt_client_auth"] if required(issuer) else ["none"]


def client_id_of(issuer: Issuer, request: Request, client_id: str | None) -> str | None:
    """The attested client_id (the attestation's ``sub``), when attestation is required;
    a client_id the request gives must be that one (HAIP 1.0 §4.4.1)."""
    if not required(issuer):
        return client_id
    attestation = request.headers.get("oauth-client-attestation")
    pop = request.headers.get("oauth-client-attestation-pop")
    if not attestation or not pop:
        raise _invalid_client("a wallet attestation is required")
    try:
        claims = attested(issuer, attestation, CLIENT_ATTESTATION)
        subject, cnf = claims.get("sub"), claims.get("cnf")
        key = cnf.get("jwk") if isinstance(cnf, Mapping) else None
        if not isinstance(subject, str) or not isinstance(key, dict):
            raise ValueError("the wallet attestation needs sub and cnf.jwk")
        _check_pop(issuer, pop, key, subject)
    except (ValueError, WalletError) as exc:
        raise _invalid_client(str(exc) if isinstance(exc, ValueError) else exc.code) from exc
    if client_id is not None and client_id != subject:
        raise _invalid_client("the client_id is not the attested one")
    return subject


def check_key_attestation(
    issuer: Issuer, header: Mapping[str, Any], proof_jwk: Any, nonce: Any
) -> None:
    """The proof's ``key_attestation`` vouches for its key, for this ``c_nonce``."""
    if not required(issuer):
        return
    token = header.get("key_attestation")
    if not isinstance(token, str):
        raise ValueError("the proof needs a key attestation")
    try:
        claims = attested(issuer, token, KEY_ATTESTATION)
    except WalletError as exc:
        raise ValueError(f"the key attestation is not valid ({exc.code})") from exc
    keys = claims.get("attested_keys")
    listed = [thumbprint(k) for k in keys if isinstance(k, dict)] if isinstance(keys, list) else []
    if thumbprint(proof_jwk) not in listed:
        raise ValueError("the key attestation does not name the proof's key")
    if nonce is not None and claims.get("nonce") != nonce:
        raise ValueError("the key attestation is not for this c_nonce")


def attested(issuer: Issuer, token: str, typ: str) -> dict[str, Any]:
    """The claims of a JWT a trusted wallet provider signed (``x5c``), unexpired."""
    header = _header(token)
    if header.get("typ") != typ or header.get("alg") != "ES256":
        raise ValueError(f"expected an ES256 {typ}")
    key = key_from_x5c(header.get("x5c"), None, issuer.settings.wallet_providers, issuer.now())
    _, body = verify_compact(token, key, algorithms=["ES256"])
    claims = json.loads(body)
    now = issuer.now()
    exp, nbf = claims.get("exp"), claims.get("nbf", 0)
    if not isinstance(exp, int | float) or exp <= now or not isinstance(nbf, int | float):
        raise ValueError(f"the {typ} has expired or has no exp")
    if nbf > now + 60:
        raise ValueError(f"the {typ} is not valid yet")
    return dict(claims)


def _check_pop(issuer: Issuer, pop: str, key: dict[str, Any], subject: str) -> None:
    header = _header(pop)
    if header.get("typ") != CLIENT_ATTESTATION_POP:
        raise ValueError("the PoP has the wrong typ")
    _, body = verify_compact(pop, key, algorithms=["ES256", "EdDSA"])
    claims = json.loads(body)
    now, iat, jti = issuer.now(), claims.get("iat"), claims.get("jti")
    if claims.get("iss") != subject or claims.get("aud") != issuer.identifier:
        raise ValueError("the PoP is for another client or server")
    if not isinstance(iat, int | float) or not now - MAX_POP_AGE <= iat <= now + 60:
        raise ValueError("the PoP is too old or from the future")
    if not isinstance(jti, str) or not jti or issuer.state.dpop_jtis.get(f"pop:{jti}"):
        raise ValueError("the PoP was used before")
    issuer.state.dpop_jtis.put(f"pop:{jti}", True, MAX_POP_AGE + 60)


def _header(token: str) -> dict[str, Any]:
    if len(token) > MAX_LENGTH or token.count(".") != 2:
        raise ValueError("not a compact JWS")
    encoded = token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise ValueError("the JWS header is not JSON") from exc
    if not isinstance(header, dict):
        raise ValueError("the JWS header is not an object")
    return header


def _invalid_client(description: str) -> OAuthError:
    return OAuthError("invalid_client", description, 401)
