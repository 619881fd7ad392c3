"""The demo wallet provider: it vouches for eduwallet instances (OpenID4VCI 1.0 Appendix D
and E; HAIP 1.0 §4.4.1, §4.5.1), as a real provider's backend would after checking the app's
platform attestation. Here there is no platform to ask, so it says what it knows and no more:
the keys are **software keys** (``key_storage`` names this provider's page that says so).

``POST /wallet-attestations`` ``{"request": JWT}``: the JWT (``typ``
``wallet-provider-request+jwt``) is signed by the key in its ``jwk`` header (eduwallet makes
one for each issuance session), ``aud`` this provider, ``iat`` recent, ``jti`` new.
Answer: ``{"wallet_attestation"}``, an ``oauth-client-attestation+jwt`` with ``x5c`` (the
provider's certificate, not its root), ``iss`` this provider, ``sub`` the client_id every
eduwallet shares, ``cnf.jwk`` that key, valid an hour.

``POST /key-attestations`` ``{"request": JWT}``: the same kind of request by a key
attested before (within the hour), with ``attested_keys`` (public JWKs) and the issuer's ``nonce``.
Answer: ``{"key_attestation"}``, a ``key-attestation+jwt`` over those keys.

``GET /ca.pem``: the root, for issuers that trust this provider. Everything is in memory.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from demo_services.issuer.state import ExpiringStore
from demo_services.verifier.pki import create_pki
from wallet_core.crypto import public_only, sign_compact, thumbprint, verify_compact
from wallet_core.errors import WalletError
from wallet_core.oid4vci.attestation import REQUEST_TYPE

DEFAULT_PORT = 8800
CLIENT_ID = "eduwallet"  # the sub of every attestation: shared by all instances (HAIP §4.4.1)
ATTESTATION_LIFETIME = 3600
MAX_REQUEST_AGE = 300
MAX_KEYS = 16
NAME = "eduwallet demo wallet provider"
_PRIVATE = frozenset({"d", "p", "q", "dp", "dq", "qi", "k"})


class ProviderError(Exception):
    def response(self) -> JSONResponse:
        return JSONResponse({"error": "invalid_request", "error_description": str(self)}, 400)


class Provider:
    def __init__(self, base_url: str, clock: Callable[[], float]) -> None:
        self.identifier = base_url.rstrip("/")
        self.clock = clock
        self.pki = create_pki(urlsplit(base_url).hostname or "localhost", clock(), NAME)
        # thumbprints of the keys it attested, for as long as the attestation holds
        self.instances: ExpiringStore[bool] = ExpiringStore(clock, 10_000)
        self.seen: ExpiringStore[bool] = ExpiringStore(clock, 10_000)

    @property
    def key_storage(self) -> str:
        return f"{self.identifier}/#software-keys"

    def checked_request(self, request_jwt: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """(payload, instance key) of a request JWT signed by the key it carries."""
        if not isinstance(request_jwt, str) or len(request_jwt) > 16_384:
            raise ProviderError("the request must be a JWT")
        try:
            encoded = request_jwt.split(".", 1)[0]
            header = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
            jwk = header["jwk"]
            if header.get("typ") != REQUEST_TYPE or _PRIVATE & set(jwk):
                raise ProviderError("the request has the wrong type or a private key")
            _, body = verify_compact(request_jwt, jwk, algorithms=["ES256", "EdDSA"])
            payload = json.loads(body)
        except (ValueError, KeyError, TypeError, binascii.Error, WalletError) as exc:
            raise ProviderError("the request is not signed by the key it carries") from exc
        now = self.clock()
        iat, jti = payload.get("iat"), payload.get("jti")
        if payload.get("aud") != self.identifier:
            raise ProviderError("the request is for another provider")
        if not isinstance(iat, int | float) or not now - MAX_REQUEST_AGE <= iat <= now + 60:
            raise ProviderError("the request is too old or from the future")
        if not isinstance(jti, str) or not jti or self.seen.get(jti):
            raise ProviderError("the request was used before")
        self.seen.put(jti, True, 2 * MAX_REQUEST_AGE)
        return payload, public_only(jwk)

    def sign(self, typ: str, payload: dict[str, Any]) -> str:
        now = int(self.clock())
        claims = {"iss": self.identifier, "iat": now, "exp": now + ATTESTATION_LIFETIME, **payload}
        return sign_compact({"typ": typ, "x5c": self.pki.x5c}, claims, self.pki.signer)


def _provider(request: Request) -> Provider:
    provider = request.app.state.provider
    assert isinstance(provider, Provider)
    return provider


async def _body(request: Request) -> Any:
    try:
        body = json.loads(await request.body())
    except ValueError as exc:
        raise ProviderError("the body must be JSON") from exc
    if not isinstance(body, dict):
        raise ProviderError("the body must be a JSON object")
    return body.get("request")


async def wallet_attestation(request: Request) -> Response:
    provider = _provider(request)
    _, instance = provider.checked_request(await _body(request))
    provider.instances.put(thumbprint(instance), True, ATTESTATION_LIFETIME)
    attestation = provider.sign(
        "oauth-client-attestation+jwt",
        {
            "sub": CLIENT_ID,
            "wallet_name": "eduwallet",
            "wallet_link": provider.identifier,
            "nbf": int(provider.clock()),
            "cnf": {"jwk": instance},
        },
    )
    return JSONResponse({"wallet_attestation": attestation}, headers={"Cache-Control": "no-store"})


async def key_attestation(request: Request) -> Response:
    provider = _provider(request)
    payload, instance = provider.checked_request(await _body(request))
    if not provider.instances.get(thumbprint(instance)):
        raise ProviderError("this provider has not attested that wallet instance")
    keys = payload.get("attested_keys")
    if not isinstance(keys, list) or not 0 < len(keys) <= MAX_KEYS:
        raise ProviderError(f"attested_keys must list 1 to {MAX_KEYS} keys")
    if any(not isinstance(k, dict) or _PRIVATE & set(k) for k in keys):
        raise ProviderError("attested_keys must be public JWKs")
    claims: dict[str, Any] = {
        "attested_keys": [public_only(k) for k in keys],
        "key_storage": [provider.key_storage],
        "user_authentication": [provider.key_storage],
    }
    if isinstance(payload.get("nonce"), str):
        claims["nonce"] = payload["nonce"]
    attestation = provider.sign("key-attestation+jwt", claims)
    return JSONResponse({"key_attestation": attestation}, headers={"Cache-Control": "no-store"})


async def ca_pem(request: Request) -> Response:
    return Response(_provider(request).pki.root_pem, media_type="application/x-pem-file")


async def page(request: Request) -> Response:
    return HTMLResponse(
        "<!doctype html><title>eduwallet demo wallet provider</title>"
        "<h1>eduwallet demo wallet provider</h1>"
        '<p id="software-keys">The keys this provider attests are software keys: the app keeps'
        " them in its encrypted vault (SQLCipher), protected by the student's PIN, with no"
        " secure hardware. It attests that much and nothing more.</p>"
    )


async def _error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProviderError)
    return exc.response()


def create_app(base_url: str, *, clock: Callable[[], float] = time.time) -> Starlette:
    host = urlsplit(base_url).hostname or "127.0.0.1"
    app = Starlette(
        routes=[
            Route("/", page),
            Route("/ca.pem", ca_pem),
            Route("/wallet-attestations", wallet_attestation, methods=["POST"]),
            Route("/key-attestations", key_attestation, methods=["POST"]),
        ],
        middleware=[
            Middleware(
                TrustedHostMiddleware, allowed_hosts=sorted({host, "127.0.0.1", "localhost"})
            )
        ],
        exception_handlers={ProviderError: _error},
    )
    app.state.provider = Provider(base_url, clock)
    return app
