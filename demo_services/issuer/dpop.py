"""DPoP (RFC 9449) as the demo issuer checks it, at its authorization server (PAR, token)
and at its resource endpoints (credential, deferred, notification).

By default DPoP is offered (``dpop_signing_alg_values_supported``) and a token requested with
a proof is bound to its key (``token_type`` DPoP, §5); Bearer still works. With
``IssuerSettings.dpop`` it is required, as HAIP 1.0 §4 has it: Bearer is refused, and each
server demands a nonce of its own (``DPoP-Nonce``, §8 and §9), valid for
``dpop_nonce_lifetime`` seconds, so a wallet must follow both the 400 ``use_dpop_nonce`` of
the authorization server and the 401 challenge of the resource server.

A proof (§4.3) must be one ``DPoP`` header: a JWS of ``typ`` ``dpop+jwt`` signed with ES256 or
EdDSA by the public ``jwk`` in its header; ``htm`` the request's method, ``htu`` its URI
without query and fragment, ``iat`` recent, ``jti`` never seen before, ``ath`` the hash of the
access token presented with it, and the key the one the token (or the code, §10) is bound to.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any, Literal

from starlette.requests import Request

from demo_services.issuer.context import Issuer
from demo_services.issuer.errors import OAuthError
from demo_services.issuer.tokens import random_token
from wallet_core.crypto import thumbprint, verify_compact
from wallet_core.errors import WalletError
from wallet_core.oid4vci.dpop import PROOF_TYPE, access_token_hash

ALGORITHMS = ("ES256", "EdDSA")
MAX_PROOF_LENGTH = 8 * 1024
MAX_AGE = 300.0  # how old a proof's iat may be
MAX_AHEAD = 60.0  # clock skew allowed the other way
Server = Literal["authorization", "resource"]
_PRIVATE = frozenset({"d", "p", "q", "dp", "dq", "qi", "k"})


def metadata(issuer: Issuer) -> dict[str, Any]:
    """The authorization server metadata member that offers DPoP (§5.1)."""
    return {"dpop_signing_alg_values_supported": list(ALGORITHMS)}


def proof_key(
    issuer: Issuer,
    request: Request,
    server: Server,
    *,
    access_token: str | None = None,
    required: bool = False,
) -> str | None:
    """The JWK thumbprint of the key that proved this request; None when it carries no
    proof and none is ``required`` (nor demanded by ``IssuerSettings.dpop``)."""
    proofs = request.headers.getlist("dpop")
    if not proofs:
        if required or issuer.settings.dpop:
            raise invalid_proof(server, "a DPoP proof is required")
        return None
    if len(proofs) > 1:
        raise invalid_proof(server, "exactly one DPoP header")
    payload, jwk = _verified(proofs[0], server)
    now = issuer.now()
    htu = issuer.url(request.url.path)
    if payload.get("htm") != request.method or payload.get("htu") != htu:
        raise invalid_proof(server, "the proof is for another request (htm, htu)")
    iat = payload.get("iat")
    if (
        isinstance(iat, bool)
        or not isinstance(iat, int | float)
        or not (now - MAX_AGE <= iat <= now + MAX_AHEAD)
    ):
        raise invalid_proof(server, "the proof is too old or from the future (iat)")
    jti = payload.get("jti")
    if not isinstance(jti, str) or not 8 <= len(jti) <= 256:
        raise invalid_proof(server, "the proof needs a jti")
    if issuer.state.dpop_jtis.get(jti) is not None:
        raise invalid_proof(server, "the proof was used before (jti)")
    if access_token is not None and payload.get("ath") != access_token_hash(access_token):
        raise invalid_proof(server, "the proof is not for this access token (ath)")
    if issuer.settings.dpop:
        _check_nonce(issuer, server, payload.get("nonce"))
    issuer.state.dpop_jtis.put(jti, True, MAX_AGE + MAX_AHEAD)
    return thumbprint(jwk)


def new_nonce(issuer: Issuer, server: Server) -> str:
    value = random_token(16)
    issuer.state.dpop_nonces.put(f"{server}:{value}", True, issuer.settings.dpop_nonce_lifetime)
    return value


def nonce_header(issuer: Issuer, server: Server) -> dict[str, str]:
    """A fresh ``DPoP-Nonce`` for a successful response, when nonces are demanded (§8.2)."""
    return {"DPoP-Nonce": new_nonce(issuer, server)} if issuer.settings.dpop else {}


def invalid_proof(server: Server, description: str) -> OAuthError:
    return _error(server, "invalid_dpop_proof", description)


def _check_nonce(issuer: Issuer, server: Server, nonce: Any) -> None:
    valid = isinstance(nonce, str) and issuer.state.dpop_nonces.get(f"{server}:{nonce}")
    if not valid:
        raise _error(
            server,
            "use_dpop_nonce",
            "use the DPoP nonce of this server",
            {"DPoP-Nonce": new_nonce(issuer, server)},
        )


def _error(
    server: Server, error: str, description: str, headers: Mapping[str, str] | None = None
) -> OAuthError:
    """§7.1 / §9: the resource server challenges with ``WWW-Authenticate: DPoP``; the
    authorization server answers 400 with the error in the body."""
    if server == "authorization":
        return OAuthError(error, description, 400, headers=headers)
    challenge = f'DPoP algs="{" ".join(ALGORITHMS)}", error="{error}"'
    return OAuthError(
        error, description, 401, headers={**(headers or {}), "WWW-Authenticate": challenge}
    )


def _verified(proof: str, server: Server) -> tuple[dict[str, Any], dict[str, Any]]:
    if len(proof) > MAX_PROOF_LENGTH or proof.count(".") != 2:
        raise invalid_proof(server, "the proof is not a compact JWS")
    try:
        encoded = proof.split(".", 1)[0]
        header = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise invalid_proof(server, "the proof header is not JSON") from exc
    if not isinstance(header, dict) or header.get("typ") != PROOF_TYPE:
        raise invalid_proof(server, "the proof must have typ dpop+jwt")
    jwk = header.get("jwk")
    if header.get("alg") not in ALGORITHMS or not isinstance(jwk, dict) or _PRIVATE & jwk.keys():
        raise invalid_proof(server, "the proof needs an allowed alg and a public jwk")
    try:
        _, body = verify_compact(proof, jwk, algorithms=[str(header["alg"])])
        payload = json.loads(body)
    except (WalletError, ValueError) as exc:
        raise invalid_proof(server, "the proof signature does not verify") from exc
    if not isinstance(payload, dict):
        raise invalid_proof(server, "the proof payload is not a JSON object")
    return payload, jwk
