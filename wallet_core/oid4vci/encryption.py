"""Encrypted Credential Requests and Responses (OpenID4VCI 1.0 §10; §8.2, §8.3, §9).

An issuer offers them in its metadata: ``credential_request_encryption`` (its ``jwks``, each
key with a ``kid`` and an ``alg``, the ``enc`` values, whether it is required) and
``credential_response_encryption`` (``alg``/``enc`` values, required or not). The wallet uses
them whenever they are offered (HAIP asks for confidentiality beyond TLS where an issuer
does), and then both: "Credential Request encryption MUST be used if the
``credential_response_encryption`` parameter is included", so an answer cannot be redirected
to a key an attacker slipped into the request.

- the request: a JWE (``ECDH-ES`` to the issuer's key, whose ``alg`` it must be; ``kid`` in the
  header) of the request's JSON claims, sent as ``application/jwt``;
- the answer: the request names a fresh ephemeral key (``credential_response_encryption``:
  ``jwk``, ``enc``), and a 200/202 answer must be an ``application/jwt`` JWE to it. An
  unencrypted answer to a request that asked for encryption is refused (§10: "SHOULD be
  rejected"). Errors are never encrypted (§8.3.1).

Compression (``zip``) is never asked for: a decompression bomb inside an encrypted body is
still a bomb.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from wallet_core.crypto import jwe
from wallet_core.errors import IssuanceError, IssuerMetadataError, MalformedResponseError
from wallet_core.http import HttpResponse
from wallet_core.oid4vci.models import Encryption
from wallet_core.oid4vci.responses import json_object

JWT_MEDIA_TYPE = "application/jwt"
ACCEPT = "application/json, application/jwt"


def parse_encryption(document: Mapping[str, Any]) -> Encryption | None:
    """The two metadata members (§12.2.4), checked; None when neither is there."""
    request = document.get("credential_request_encryption")
    response = document.get("credential_response_encryption")
    if request is None and response is None:
        return None
    found: dict[str, Any] = {}
    if request is not None:
        request = _object(request, "credential_request_encryption")
        jwks = request.get("jwks")
        # §12.2.4 says a JWK Set; the spec's own example sends the bare array of keys
        keys = jwks.get("keys") if isinstance(jwks, Mapping) else jwks
        if not isinstance(keys, list) or not keys or not all(isinstance(k, Mapping) for k in keys):
            raise IssuerMetadataError("credential_request_encryption.jwks has no keys")
        found["request_keys"] = tuple(keys)
        found["request_encs"] = _names(request, "enc_values_supported")
        found["request_required"] = _required(request, "credential_request_encryption")
    if response is not None:
        response = _object(response, "credential_response_encryption")
        found["response_algs"] = _names(response, "alg_values_supported")
        found["response_encs"] = _names(response, "enc_values_supported")
        found["response_required"] = _required(response, "credential_response_encryption")
    return Encryption(**found)


class Exchange:
    """One request to the credential (or deferred) endpoint under ``encryption``."""

    def __init__(self, encryption: Encryption | None) -> None:
        self._encryption = encryption
        self._decrypter: jwe.Decrypter | None = None
        self._response_enc: str | None = None

    def content(self, body: Mapping[str, Any]) -> tuple[bytes, str]:
        """The request body and its media type: JSON, or a JWE of it with the key for the
        answer inside."""
        offer = self._encryption
        if offer is None or not offer.request_keys:
            if offer is not None and offer.required:
                raise IssuanceError("the issuer requires encryption but offers no request key")
            return _json(body), "application/json"
        key, request_enc = _request_key(offer)
        claims = dict(body)
        if offer.response_algs:
            if jwe.ALGORITHM not in offer.response_algs:
                raise IssuanceError("the issuer offers no response encryption this wallet has")
            self._response_enc = _enc(offer.response_encs)
            self._decrypter = jwe.Decrypter()
            claims["credential_response_encryption"] = {
                "jwk": self._decrypter.public_jwk,
                "enc": self._response_enc,
            }
        return jwe.encrypt(key, _json(claims), request_enc).encode("ascii"), JWT_MEDIA_TYPE

    def answer(self, response: HttpResponse) -> dict[str, Any]:
        """The answer's JSON: decrypted when encryption was asked for (errors are plain)."""
        if self._decrypter is None or self._response_enc is None or response.status >= 300:
            return json_object(response)
        if response.media_type != JWT_MEDIA_TYPE:
            raise MalformedResponseError("the issuer answered unencrypted, though asked to encrypt")
        decrypted = self._decrypter.decrypt(
            response.content.decode("ascii", "replace"), self._response_enc
        )
        if not isinstance(decrypted, dict):
            raise MalformedResponseError("the decrypted answer is not a JSON object")
        return decrypted


def _request_key(offer: Encryption) -> tuple[Mapping[str, Any], str]:
    for key in offer.request_keys:
        if (
            key.get("alg") == jwe.ALGORITHM
            and key.get("kty") == "EC"
            and isinstance(key.get("kid"), str)
        ):
            return key, _enc(offer.request_encs)
    raise IssuanceError("the issuer offers no request encryption key this wallet can use")


def _enc(offered: tuple[str, ...]) -> str:
    enc = jwe.best_encryption(offered)
    if enc is None:
        raise IssuanceError("the issuer offers no content encryption this wallet has")
    return enc


def _json(body: Mapping[str, Any]) -> bytes:
    return json.dumps(dict(body), separators=(",", ":"), ensure_ascii=False).encode()


def _object(value: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise IssuerMetadataError(f"{name} is not an object")
    return value


def _names(value: Mapping[str, Any], name: str) -> tuple[str, ...]:
    items = value.get(name)
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise IssuerMetadataError(f"{name} must be a non-empty array of strings")
    return tuple(items)


def _required(value: Mapping[str, Any], name: str) -> bool:
    required = value.get("encryption_required")
    if not isinstance(required, bool):
        raise IssuerMetadataError(f"{name}.encryption_required must be a boolean")
    return required
