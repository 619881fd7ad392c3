"""The Starlette app of "Hogeschool Demo", an OpenID4VCI issuer on loopback.

``create_app(base_url, mode="1.0" | "draft13", deferred=False, ...)`` builds it for the
URL it will be reached at (the credential issuer identifier); ``run()`` serves it with
uvicorn on 127.0.0.1. Endpoints:

====================================================  ======================================
``GET  /``                                            catalog page, issued credentials
``GET  /offer/{configuration_id}``                    new offer: QR, link, tx code
``GET  /offers/{id}.json``                            offer by reference
``GET  /.well-known/openid-credential-issuer``        credential issuer metadata
``GET  /.well-known/oauth-authorization-server``      authorization server metadata
``GET  /.well-known/jwt-vc-issuer``                   issuer signing key (JWK Set)
``GET  /types/{microcredential|diploma}``             SD-JWT VC type metadata (vct URLs)
``GET  /status/1``                                    Token Status List (statuslist+jwt)
``GET  /.well-known/did.json``                        the issuer's did:web document (Open Badges)
``GET  /status/bitstring/1``                          Bitstring Status List credential (ldp_vc)
``GET  /achievements/{configuration_id}``             an Open Badge's achievement (JSON)
``GET  /static/logo.png``                             logo
``POST /par``, ``GET /authorize``, ``POST /login``    authorization code flow
``POST /token``                                       token endpoint
``POST /nonce``, ``/credential``,
``/deferred_credential``, ``/notification``           credential issuer endpoints
``/admin/...``                                        see ``admin``
====================================================  ======================================

Requests whose ``Host`` is not the issuer's own host (or 127.0.0.1/localhost) are refused,
so a web page using DNS rebinding cannot reach the demo from a browser.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from demo_services.issuer import admin, credential, metadata, oauth, pages
from demo_services.issuer.assets import logo_png
from demo_services.issuer.bitstring import MEDIA_TYPE as BITSTRING_MEDIA_TYPE
from demo_services.issuer.context import Issuer, IssuerSettings, Mode, issuer_of
from demo_services.issuer.did import DATA_INTEGRITY_KEY, did_document
from demo_services.issuer.did import MEDIA_TYPE as DID_MEDIA_TYPE
from demo_services.issuer.errors import OAuthError
from demo_services.issuer.offers import (
    GRANTS,
    Grant,
    OfferRequestError,
    create_offer,
    offer_link,
    qr_data_uri,
)
from demo_services.issuer.state import Clock
from demo_services.issuer.status_list import MEDIA_TYPE as STATUS_LIST_MEDIA_TYPE
from demo_services.issuer.web import no_store_json, page
from wallet_core.crypto import Signer

DEFAULT_PORT = 8600
Endpoint = Callable[[Request], Awaitable[Response]]


def create_app(
    base_url: str,
    *,
    mode: Mode = "1.0",
    deferred: bool = False,
    deferred_delay: float | None = 5.0,
    batch_size: int = 3,
    issuer_key: Signer | None = None,
    clock: Clock = time.time,
    **settings: Any,
) -> Starlette:
    """The issuer app for ``base_url`` (scheme, host and port; no path).

    ``deferred``: the credential endpoint answers 202 with a ``transaction_id``; the
    credential is ready ``deferred_delay`` seconds later, or (``None``) only after
    ``POST /admin/deferred/{transaction_id}/ready``. ``issuer_key`` defaults to a fresh
    P-256 key; ``clock`` lets tests move time. Other ``IssuerSettings`` fields (lifetimes)
    may be passed as keywords.
    """
    config = IssuerSettings(
        base_url=base_url,
        mode=mode,
        deferred=deferred,
        deferred_delay=deferred_delay,
        batch_size=batch_size,
        **settings,
    )
    issuer = Issuer(config, issuer_key, clock)
    host = urlsplit(config.identifier).hostname or "127.0.0.1"
    app = Starlette(
        routes=_routes(),
        middleware=[
            Middleware(
                TrustedHostMiddleware, allowed_hosts=sorted({host, "127.0.0.1", "localhost"})
            )
        ],
        exception_handlers={OAuthError: _oauth_error},
    )
    app.state.issuer = issuer
    return app


def _routes() -> list[Route]:
    def get(path: str, endpoint: Endpoint) -> Route:
        return Route(path, endpoint, methods=["GET"])

    def post(path: str, endpoint: Endpoint) -> Route:
        return Route(path, endpoint, methods=["POST"])

    return [
        get("/", home),
        get("/offer/{configuration_id}", offer_page),
        get("/offers/{offer_id}.json", offer_by_reference),
        get("/.well-known/openid-credential-issuer", issuer_metadata),
        get("/.well-known/oauth-authorization-server", authorization_server_metadata),
        get("/.well-known/jwt-vc-issuer", jwt_vc_issuer),
        get("/types/{type_key}", type_metadata),
        get("/status/{number}", status_list),
        get("/.well-known/did.json", did_json),
        get("/status/bitstring/{number}", bitstring_status_list),
        get("/achievements/{configuration_id}", achievement),
        get("/static/logo.png", logo),
        post("/par", oauth.par),
        get("/authorize", oauth.authorize),
        post("/login", oauth.login),
        post("/token", oauth.token),
        post("/nonce", credential.nonce),
        post("/credential", credential.credential),
        post("/deferred_credential", credential.deferred_credential),
        post("/notification", credential.notification),
        post("/admin/offers", admin.create_offer_endpoint),
        post("/admin/revoke/{idx}", admin.revoke),
        post("/admin/revoke/bitstring/{idx}", admin.revoke_bitstring),
        post("/admin/deferred/{transaction_id}/ready", admin.deferred_ready),
        get("/admin/notifications", admin.notifications),
        get("/admin/issued", admin.issued),
    ]


async def _oauth_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OAuthError)
    return exc.response()


# -- documents ---------------------------------------------------------------------------


async def issuer_metadata(request: Request) -> Response:
    return JSONResponse(metadata.credential_issuer_metadata(issuer_of(request)))


async def authorization_server_metadata(request: Request) -> Response:
    return JSONResponse(metadata.authorization_server_metadata(issuer_of(request)))


async def jwt_vc_issuer(request: Request) -> Response:
    return JSONResponse(metadata.jwt_vc_issuer_metadata(issuer_of(request)))


async def type_metadata(request: Request) -> Response:
    ctype = issuer_of(request).types.get(request.path_params["type_key"])
    if ctype is None:
        return JSONResponse({"error": "not_found"}, 404)
    # The exact bytes vct#integrity was computed over.
    return Response(ctype.body, media_type="application/json")


def _list_number(request: Request) -> int | None:
    number = request.path_params["number"]
    # ASCII digits only: "²" and "١" are digits to str.isdigit but no list number
    return int(number) if number.isascii() and number.isdigit() and len(number) < 6 else None


async def status_list(request: Request) -> Response:
    issuer = issuer_of(request)
    number = _list_number(request)
    listed = issuer.status_lists.get(number) if number is not None else None
    if listed is None:
        return JSONResponse({"error": "not_found"}, 404)
    token = listed.token(issuer.signer, issuer=issuer.identifier, now=issuer.now())
    return Response(
        token, media_type=STATUS_LIST_MEDIA_TYPE, headers={"Cache-Control": "max-age=0"}
    )


async def did_json(request: Request) -> Response:
    issuer = issuer_of(request)
    document = did_document(issuer.did, issuer.signer, issuer.data_integrity_signer)
    return JSONResponse(document, media_type=DID_MEDIA_TYPE)


async def bitstring_status_list(request: Request) -> Response:
    issuer = issuer_of(request)
    number = _list_number(request)
    listed = issuer.bitstrings.get(number) if number is not None else None
    if listed is None:
        return JSONResponse({"error": "not_found"}, 404)
    credential = listed.credential(
        issuer.data_integrity_signer,
        issuer=issuer.did,
        verification_method=issuer.did + DATA_INTEGRITY_KEY,
        now=issuer.now(),
    )
    return JSONResponse(
        credential, media_type=BITSTRING_MEDIA_TYPE, headers={"Cache-Control": "max-age=0"}
    )


async def achievement(request: Request) -> Response:
    """What an Open Badge's ``achievement.id`` names: the course, without any holder."""
    issuer = issuer_of(request)
    offering = issuer.catalog.get(request.path_params["configuration_id"])
    if offering is None or not offering.is_open_badge:
        return JSONResponse({"error": "not_found"}, 404)
    return JSONResponse(
        {
            "id": issuer.url(f"/achievements/{offering.id}"),
            "type": ["Achievement"],
            "name": offering.facts.get("title"),
            "description": offering.description_nl,
        }
    )


async def logo(request: Request) -> Response:
    return Response(logo_png(), media_type="image/png", headers={"Cache-Control": "max-age=3600"})


# -- pages and offers --------------------------------------------------------------------


async def home(request: Request) -> Response:
    return page(pages.home_page(issuer_of(request)))


async def offer_page(request: Request) -> Response:
    """A fresh offer per visit. Query: ``tx_code`` 1/0 (default 1 for the pre-authorized
    grant), ``by_reference`` 1/0 (default 1: a small QR code scans easily), ``grant``
    (default pre-authorized). Open Badges default to ``tx_code=0&by_reference=0``, the
    edubadges offer."""
    issuer = issuer_of(request)
    offering = issuer.catalog.get(request.path_params["configuration_id"])
    if offering is None:
        return page(pages.error_page("Onbekend / Unknown", "Deze credential bestaat niet."), 404)
    query = request.query_params
    grant_value = query.get("grant", "pre-authorized")
    grant: Grant = next((g for g in GRANTS if g == grant_value), "pre-authorized")
    # Open Badges default to what edubadges' agent sends: by value, no transaction code
    default = "0" if offering.is_open_badge else "1"
    wants_code = grant != "authorization_code" and query.get("tx_code", default) == "1"
    by_reference = query.get("by_reference", default) == "1"
    try:
        offer = create_offer(
            issuer, [offering.id], tx_code=wants_code, by_reference=by_reference, grant=grant
        )
    except OfferRequestError as exc:
        return page(pages.error_page("Ongeldig / Invalid", str(exc)), 400)
    link = offer_link(issuer, offer)
    options = {
        "tx_code": "1" if wants_code else "0",
        "by_reference": "1" if by_reference else "0",
        "grant": grant,
    }
    html = pages.offer_page(issuer, offering, offer, link, qr_data_uri(link), options)
    response = page(html)
    response.headers["Cache-Control"] = "no-store"
    return response


async def offer_by_reference(request: Request) -> Response:
    issuer = issuer_of(request)
    offer = issuer.state.offers.get(request.path_params["offer_id"])
    if offer is None or not offer.by_reference:
        return no_store_json({"error": "not_found"}, 404)
    return no_store_json(offer.document)


__all__ = ["DEFAULT_PORT", "create_app"]
