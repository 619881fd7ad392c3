"""Encrypted Credential Requests and Responses on the demo issuer's side (OpenID4VCI 1.0
§10), in its ``encryption`` mode: both required, as an issuer that takes confidentiality
beyond TLS seriously would have it.

- metadata: ``credential_request_encryption`` (an ECDH-ES P-256 key of the issuer with a
  ``kid``; A128GCM and A256GCM; required) and ``credential_response_encryption`` (same
  algorithms; required);
- a request to the credential or deferred endpoint must be an ``application/jwt`` JWE to
  that key, of JSON claims that name the wallet's ``credential_response_encryption``
  (``jwk`` with ``alg`` ECDH-ES, ``enc``); else ``invalid_encryption_parameters``;
- a successful answer is a JWE to that key (``application/jwt``); errors stay plain JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, import_key
from starlette.requests import Request
from starlette.responses import Response

from demo_services.issuer.context import Issuer
from demo_services.issuer.errors import NO_STORE, OAuthError
from demo_services.issuer.web import read_json

ALGORITHM = "ECDH-ES"
ENCS = ("A128GCM", "A256GCM")
JWT = "application/jwt"
MAX_REQUEST = 256 * 1024
INVALID = "invalid_encryption_parameters"
_REGISTRY = jwe.JWERegistry(algorithms=[ALGORITHM, *ENCS])


def _key(issuer: Issuer) -> ECKey:
    key = issuer.encryption_key
    assert isinstance(key, ECKey)
    return key


def metadata(issuer: Issuer) -> dict[str, Any]:
    if not issuer.settings.encryption:
        return {}
    public = {**_key(issuer).as_dict(private=False), "alg": ALGORITHM, "use": "enc"}
    return {
        "credential_request_encryption": {
            "jwks": {"keys": [public]},
            "enc_values_supported": list(ENCS),
            "encryption_required": True,
        },
        "credential_response_encryption": {
            "alg_values_supported": [ALGORITHM],
            "enc_values_supported": list(ENCS),
            "encryption_required": True,
        },
    }


async def read(
    issuer: Issuer, request: Request, error: str
) -> tuple[dict[str, Any], Mapping[str, Any] | None]:
    """The request's JSON, and where its answer must be encrypted to (None: plain)."""
    if not issuer.settings.encryption:
        return await read_json(request, error), None
    if request.headers.get("content-type", "").split(";")[0].strip() != JWT:
        raise OAuthError(INVALID, "this issuer takes encrypted requests only (application/jwt)")
    token = (await request.body()).decode("ascii", "replace")
    if len(token) > MAX_REQUEST:
        raise OAuthError(INVALID, "the encrypted request is too large")
    try:
        result = jwe.decrypt_compact(token, _key(issuer), registry=_REGISTRY)
        body = json.loads(result.plaintext or b"")
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise OAuthError(INVALID, "the request does not decrypt with this issuer's key") from exc
    if result.protected.get("kid") != _key(issuer).kid or "zip" in result.protected:
        raise OAuthError(INVALID, "the request names another key or is compressed")
    if not isinstance(body, dict):
        raise OAuthError(error, "the request must be a JSON object")
    return body, _answer_key(body.pop("credential_response_encryption", None))


def seal(response: Response, answer_key: Mapping[str, Any] | None) -> Response:
    """A successful answer encrypted to the wallet's key (§8.3, §9.2)."""
    if answer_key is None or not 200 <= response.status_code < 300:
        return response
    header = {"alg": ALGORITHM, "enc": answer_key["enc"]}
    if isinstance(answer_key["jwk"].get("kid"), str):
        header["kid"] = answer_key["jwk"]["kid"]
    token = jwe.encrypt_compact(
        header, bytes(response.body), import_key(answer_key["jwk"]), registry=_REGISTRY
    )
    return Response(token, response.status_code, headers=NO_STORE, media_type=JWT)


def _answer_key(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise OAuthError(INVALID, "credential_response_encryption is required")
    jwk, enc = value.get("jwk"), value.get("enc")
    if enc not in ENCS or "zip" in value:
        raise OAuthError(INVALID, "enc must be A128GCM or A256GCM, without zip")
    if not isinstance(jwk, dict) or jwk.get("alg") != ALGORITHM or jwk.get("kty") != "EC":
        raise OAuthError(INVALID, "the response key must be an EC key with alg ECDH-ES")
    if "d" in jwk:
        raise OAuthError(INVALID, "the response key must be public")
    try:
        import_key(jwk)
    except (JoseError, ValueError, TypeError) as exc:
        raise OAuthError(INVALID, "the response key is not a usable JWK") from exc
    return {"jwk": jwk, "enc": enc}
