"""OpenID4VP 1.0 Authorization Responses (§8): the ``vp_token``, ``direct_post`` and the
encrypted ``direct_post.jwt``, and the error response for a declined request."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from wallet_core import http
from wallet_core.crypto import jwe
from wallet_core.errors import InsecureUrlError, PresentationRequestError
from wallet_core.models import PresentationResult
from wallet_core.oid4vp.request import PresentationRequest

_OUTCOMES = (200, 400, 401, 403)


def send(
    client: http.HttpClient,
    request: PresentationRequest,
    parameters: Mapping[str, Any],
) -> PresentationResult:
    """POST the response to the verifier (encrypted for ``direct_post.jwt``) and read what it
    says; a ``redirect_uri`` in its answer is where the user's browser goes next (§8.2)."""
    fields = dict(parameters)
    if request.state is not None:
        fields["state"] = request.state
    if request.response_mode == "direct_post.jwt":
        form = {"response": _encrypt(fields, request.client_metadata)}
    else:
        form = {
            k: v if isinstance(v, str) else json.dumps(v, separators=(",", ":"))
            for k, v in fields.items()
        }
    response = client.post_form(
        request.response_uri, form, accept="*/*", allow_status=_OUTCOMES[1:]
    )
    # The presentation has gone out: from here on nothing raises, a bad reply is reported.
    try:
        answer = json.loads(response.content) if response.content else {}
    except (ValueError, RecursionError):
        answer = {}
    if not isinstance(answer, dict):
        answer = {}
    redirect = answer.get("redirect_uri")
    if not isinstance(redirect, str):
        redirect = None
    else:
        try:
            client.check_url(redirect)
        except InsecureUrlError:
            redirect = None
    return PresentationResult(
        ok=200 <= response.status < 300, redirect_uri=redirect, verifier_response=answer
    )


def _encrypt(fields: Mapping[str, Any], metadata: Mapping[str, Any]) -> str:
    """JWE, ECDH-ES to the verifier's key from ``client_metadata.jwks`` (§8.3)."""
    jwks = metadata.get("jwks")
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    candidates = [
        key
        for key in keys or []
        if isinstance(key, dict)
        and key.get("kty") in ("EC", "OKP")
        and key.get("use", "enc") == "enc"
        and "d" not in key
    ]
    if not candidates:
        raise PresentationRequestError("direct_post.jwt needs an encryption key in client_metadata")
    key = candidates[0]
    offered = metadata.get("encrypted_response_enc_values_supported") or ["A128GCM"]
    if not isinstance(offered, list) or not all(isinstance(e, str) for e in offered):
        raise PresentationRequestError("encrypted_response_enc_values_supported must list names")
    enc = jwe.best_encryption(offered)  # §8.3: A128GCM when the verifier names none
    if enc is None:
        raise PresentationRequestError("the verifier offers no encryption this wallet supports")
    payload = json.dumps(dict(fields), separators=(",", ":")).encode()
    return jwe.encrypt(key, payload, enc)
