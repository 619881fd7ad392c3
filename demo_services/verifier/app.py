"""The Starlette app of "Werkgever Demo", an OpenID4VP 1.0 verifier on loopback.

``create_app(base_url, client_id_prefix=..., response_mode=..., ...)`` builds it for the URL
it listens on; ``run()`` serves it with uvicorn on 127.0.0.1. Endpoints:

=====================================  ===================================================
``GET  /``                             "Check a microcredential": new transactions, QR,
                                       same-device link, result frame (``?method=post``
                                       for ``request_uri_method=post`` links;
                                       ``?query=openbadge`` for an Open Badge)
``GET|POST /request/{id}``             the signed Request Object (x509 prefixes; POST takes
                                       ``wallet_nonce`` / ``wallet_metadata``, §5.10)
``POST /response/{id}``                the response URI (``direct_post`` /
                                       ``direct_post.jwt``, error responses)
``GET  /result/{id}``                  result page; ``?format=json`` (or Accept JSON);
                                       needs ``key`` or ``response_code``
``GET  /ca.pem``                       the root CA certificate (x509 prefixes)
``GET|POST /offline``                  offline QR upload and its result
``/admin/...``                         see ``admin``
=====================================  ===================================================

Response URI answers: 200 ``{}`` after a processed response (also when the credential
turns out revoked, and after an error response), plus ``redirect_uri`` =
``<public url>/result/{id}?response_code=<random>`` when the transaction was started
same-device (§8.2; cross-device there is nobody on the wallet's side to send to the
result). Refusals are 400 ``{"error": "invalid_request", "error_description"}``: a
presentation that does not verify (the wallet may try again, at most
``max_failed_responses`` times), any answer after the transaction was answered
(replay), unknown or expired transactions.

Requests whose ``Host`` is not ours (127.0.0.1, localhost, or the base URL's host) are
refused (DNS rebinding), as on the issuer.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, NoReturn

import httpx
from cryptography import x509
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from demo_services.issuer.errors import NO_STORE, OAuthError
from demo_services.issuer.tokens import same
from demo_services.issuer.web import media_type, no_store_json, read_form
from demo_services.verifier import admin, offline, pages
from demo_services.verifier.authorization import (
    REQUEST_MEDIA_TYPE,
    RequestUriMethod,
    create_transaction,
    link,
    request_object,
)
from demo_services.verifier.context import (
    ClientIdPrefix,
    IssuerKeySource,
    ResponseMode,
    Verifier,
    VerifierSettings,
    verifier_of,
)
from demo_services.verifier.query import QUERY_KINDS, QueryKind
from demo_services.verifier.response import ResponseRejected, WalletAnswer, read_answer
from demo_services.verifier.state import (
    FINAL,
    ErrorRecord,
    Proven,
    RequestFetch,
    Transaction,
)
from demo_services.verifier.verification import verify_vp_token
from wallet_core import qr

DEFAULT_PORT = 8700
MAX_FETCH_RECORDS = 20
MAX_ERROR_RECORDS = 20
Endpoint = Callable[[Request], Awaitable[Response]]

# Pages: no scripts at all; frames only from ourselves (the result frame on the check page).
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
        "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "no-referrer",  # view keys and response codes travel in URLs
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def create_app(
    base_url: str,
    *,
    client_id_prefix: ClientIdPrefix = "redirect_uri",
    response_mode: ResponseMode = "direct_post",
    vct_values: Sequence[str] | str | None = None,
    trusted_issuers: Sequence[str] | None = None,
    trusted_issuer_keys_from: IssuerKeySource | None = None,
    offline_audiences: Sequence[str] | None = None,
    clock: Callable[[], float] = time.time,
    transport: httpx.BaseTransport | None = None,
    **settings: Any,
) -> Starlette:
    """The verifier app for ``base_url`` (scheme, host and port; no path).

    ``vct_values``: the credential types asked for (the demo issuer's is
    ``<issuer>/types/microcredential``; default ``["VerifiableMicroCredential"]``).
    ``trusted_issuers``: accepted ``iss`` values (default: any whose key resolves).
    ``trusted_issuer_keys_from(header, payload) -> JWK``: replaces the key lookup through
    ``/.well-known/jwt-vc-issuer``. ``transport``: an httpx transport for the verifier's
    own fetches (tests). Other ``VerifierSettings`` fields (lifetimes, ``dns_name``) may be
    passed as keywords.
    """
    if isinstance(vct_values, str):
        vct_values = [vct_values]
    if vct_values is not None:
        settings["vct_values"] = tuple(vct_values)
    config = VerifierSettings(
        base_url=base_url.rstrip("/"),
        client_id_prefix=client_id_prefix,
        response_mode=response_mode,
        trusted_issuers=tuple(trusted_issuers) if trusted_issuers is not None else None,
        offline_audiences=tuple(offline_audiences) if offline_audiences is not None else None,
        **settings,
    )
    verifier = Verifier(config, clock, trusted_issuer_keys_from, transport)
    hosts = {config.host, config.public_host, "127.0.0.1", "localhost"}
    app = Starlette(
        routes=_routes(),
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=sorted(hosts))],
        exception_handlers={OAuthError: _oauth_error},
    )
    app.state.verifier = verifier
    app.state.public_url = verifier.public_url  # the CLI prints this, not the bind address
    return app


def root_certificate(app: Starlette) -> x509.Certificate | None:
    """The trust anchor a wallet needs for the x509 prefixes (None for redirect_uri)."""
    pki = app.state.verifier.pki
    return pki.root if pki is not None else None


def _routes() -> list[Route]:
    def route(path: str, endpoint: Endpoint, *methods: str) -> Route:
        return Route(path, endpoint, methods=list(methods))

    return [
        route("/", home, "GET"),
        route("/ca.pem", ca_pem, "GET"),
        route("/request/{transaction_id}", request_object_endpoint, "GET", "POST"),
        route("/response/{transaction_id}", response_endpoint, "POST"),
        route("/result/{transaction_id}", result_endpoint, "GET"),
        route("/offline", offline_page, "GET"),
        route("/offline", offline_upload, "POST"),
        route("/admin/transactions", admin.create_transaction_endpoint, "POST"),
        route("/admin/transactions/{transaction_id}", admin.transaction_endpoint, "GET"),
        route("/admin/offline", admin.offline_checks, "GET"),
    ]


async def _oauth_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OAuthError)
    return exc.response()


def page(html: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(html, status, headers=_PAGE_HEADERS)


# -- the check page ----------------------------------------------------------------------


async def home(request: Request) -> Response:
    """Two fresh transactions per visit: one for the QR code (cross-device, no redirect
    afterwards) and one for the "open on this device" link (same-device: the wallet is sent
    back to the result with a response code). ``?query=openbadge`` (or ``openbadge_jwt``,
    ``openbadge_ldp``) asks for an Open Badge instead of a microcredential."""
    verifier = verifier_of(request)
    wants_post = request.query_params.get("method") == "post" and verifier.settings.signed
    method: RequestUriMethod = "post" if wants_post else "get"
    asked = request.query_params.get("query", "microcredential")
    query: QueryKind = next((k for k in QUERY_KINDS if k == asked), "microcredential")
    cross = create_transaction(verifier, same_device=False, request_uri_method=method, query=query)
    same_device = create_transaction(
        verifier, same_device=True, request_uri_method=method, query=query
    )
    cross_link = link(verifier, cross)
    html = pages.home_page(
        verifier,
        cross,
        cross_link,
        _qr_data_uri(cross_link),
        link(verifier, same_device),
        method,
    )
    return page(html)


def _qr_data_uri(text: str) -> str:
    png = qr.encode_png(text, box_size=5)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


async def ca_pem(request: Request) -> Response:
    pki = verifier_of(request).pki
    if pki is None:
        return Response("this verifier uses redirect_uri: and has no certificate\n", 404)
    return Response(pki.root_pem, media_type="application/x-pem-file")


# -- request_uri (§5.10) -----------------------------------------------------------------


async def request_object_endpoint(request: Request) -> Response:
    """Any error here is an HTTP error, which makes the wallet stop (§5.10.2)."""
    verifier = verifier_of(request)
    transaction = verifier.state.transactions.get(request.path_params["transaction_id"])
    if transaction is None:
        raise OAuthError("invalid_request", "unknown or expired request", 404)
    if not verifier.settings.signed:
        raise OAuthError("invalid_request", "this verifier sends its requests by value")
    if transaction.final:
        raise OAuthError("invalid_request", "this request has been answered already")
    wallet_nonce: str | None = None
    metadata: dict[str, Any] | None = None
    if request.method == "POST":
        form = await _optional_form(request)
        wallet_nonce = form.get("wallet_nonce")
        if wallet_nonce is not None and not _url_safe(wallet_nonce, 256):
            raise OAuthError("invalid_request", "wallet_nonce must be 1-256 URL-safe characters")
        if "wallet_metadata" in form:
            metadata = _json_object(form["wallet_metadata"], "wallet_metadata")
    token = request_object(verifier, transaction, wallet_nonce)
    fetch = RequestFetch(verifier.now(), request.method, wallet_nonce is not None, metadata)
    transaction.request_fetches.append(fetch)
    del transaction.request_fetches[:-MAX_FETCH_RECORDS]
    if transaction.status == "pending":
        transaction.status = "request_fetched"
    return Response(token, media_type=REQUEST_MEDIA_TYPE, headers=NO_STORE)


async def _optional_form(request: Request) -> dict[str, str]:
    """The POST form; an empty body without a content type counts as an empty form."""
    if not media_type(request) and not await request.body():
        return {}
    return await read_form(request)


def _url_safe(value: str, limit: int) -> bool:
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    return 0 < len(value) <= limit and set(value) <= allowed


def _json_object(text: str, name: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise OAuthError("invalid_request", f"{name} is not JSON") from exc
    if not isinstance(value, dict):
        raise OAuthError("invalid_request", f"{name} must be a JSON object")
    return value


# -- response_uri (§8.2, §8.3, §8.5) -----------------------------------------------------


async def response_endpoint(request: Request) -> Response:
    verifier = verifier_of(request)
    transaction = verifier.state.transactions.get(request.path_params["transaction_id"])
    if transaction is None:
        raise OAuthError("invalid_request", "unknown or expired transaction")
    form = await read_form(request)
    if transaction.final:
        _reject(
            verifier, transaction, ResponseRejected("this transaction has been answered already")
        )
    if transaction.in_flight:
        raise OAuthError("invalid_request", "a response to this transaction is being checked")
    try:
        answer = read_answer(form, transaction)
        _check_state(transaction, answer)
    except ResponseRejected as exc:
        # Not counted towards max_failed_responses: without the right state (or a readable
        # JWE) the answer need not come from the wallet at all, and anyone who saw the QR
        # code could otherwise use the transaction up.
        _reject(verifier, transaction, exc)
    if answer.error is not None:
        transaction.wallet_error = ErrorRecord(
            verifier.now(), answer.error, answer.error_description or ""
        )
        _finish(
            verifier, transaction, "declined" if answer.error == "access_denied" else "wallet_error"
        )
        return _processed(verifier, transaction)
    assert answer.vp_token is not None
    transaction.in_flight = True
    try:
        proven: Proven = await run_in_threadpool(
            verify_vp_token,
            verifier,
            answer.vp_token,
            client_id=transaction.client_id,
            nonce=transaction.nonce,
            query=transaction.query,
        )
    except ResponseRejected as exc:
        _fail(verifier, transaction, exc)
    finally:
        transaction.in_flight = False
    transaction.result = proven
    _finish(verifier, transaction, proven.outcome)
    return _processed(verifier, transaction)


def _check_state(transaction: Transaction, answer: WalletAnswer) -> None:
    """RFC 6749 §4.1.2: state comes back when it was sent. An error response without one is
    still taken (a wallet may fail before it could read the request)."""
    if answer.state is None and answer.error is not None:
        return
    if answer.state is None or not same(transaction.state, answer.state):
        raise ResponseRejected("state is missing or does not belong to this transaction")


def _reject(verifier: Verifier, transaction: Transaction, exc: ResponseRejected) -> NoReturn:
    """Record a refused answer and refuse it."""
    transaction.errors.append(ErrorRecord(verifier.now(), exc.error, exc.description))
    del transaction.errors[:-MAX_ERROR_RECORDS]
    raise OAuthError(exc.error, exc.description)


def _fail(verifier: Verifier, transaction: Transaction, exc: ResponseRejected) -> NoReturn:
    """A response that does not verify: recorded; after too many the transaction fails."""
    transaction.failed_responses += 1
    if transaction.failed_responses >= verifier.settings.max_failed_responses:
        _finish(verifier, transaction, "failed")
    _reject(verifier, transaction, exc)


def _finish(verifier: Verifier, transaction: Transaction, status: str) -> None:
    assert status in FINAL
    transaction.status = status  # type: ignore[assignment]
    transaction.completed_at = verifier.now()
    if transaction.same_device:
        transaction.response_code = _random_code()
    # keep the outcome viewable for a while (re-putting resets the expiry)
    verifier.state.transactions.put(transaction.id, transaction, verifier.settings.result_lifetime)


def _random_code() -> str:
    return secrets.token_urlsafe(24)


def _processed(verifier: Verifier, transaction: Transaction) -> Response:
    body: dict[str, Any] = {}
    if transaction.same_device and transaction.response_code is not None:
        body["redirect_uri"] = verifier.url(
            f"/result/{transaction.id}?response_code={transaction.response_code}"
        )
    return no_store_json(body)


# -- results -----------------------------------------------------------------------------


async def result_endpoint(request: Request) -> Response:
    """Who may look: the browser that started the transaction (``key``, from the check
    page) or, same-device, whoever the wallet sent back (``response_code``). A same-device
    transaction shows its claims only with the response code (§8.2, §14.3 session
    fixation: whoever relayed the request has the key, but not the code)."""
    verifier = verifier_of(request)
    transaction = verifier.state.transactions.get(request.path_params["transaction_id"])
    wants_json = request.query_params.get("format") == "json" or (
        "application/json" in request.headers.get("accept", "")
    )
    if transaction is None:
        return _not_found(wants_json)
    query = request.query_params
    code, key = query.get("response_code", ""), query.get("key", "")
    by_code = (
        bool(code)
        and transaction.response_code is not None
        and same(transaction.response_code, code)
    )
    by_key = bool(key) and same(transaction.view_key, key)
    if not (by_code or by_key):
        if wants_json:
            raise OAuthError("access_denied", "a key or response_code is needed", 403)
        return page(pages.error_page("Geen toegang / No access", "Deze link is niet geldig."), 403)
    show_claims = by_code or not transaction.same_device
    if wants_json:
        body = admin.transaction_json(transaction)
        if not show_claims:
            body["result"] = None
        return no_store_json(body)
    html = pages.result_page(
        verifier, transaction, show_claims=show_claims, embed=query.get("embed") == "1"
    )
    return page(html)


def _not_found(wants_json: bool) -> Response:
    if wants_json:
        return JSONResponse({"error": "not_found"}, 404, headers=NO_STORE)
    return page(pages.error_page("Onbekend / Unknown", "Deze controle bestaat niet (meer)."), 404)


# -- offline -----------------------------------------------------------------------------


async def offline_page(request: Request) -> Response:
    verifier = verifier_of(request)
    challenge = offline.new_challenge(verifier)
    return page(pages.offline_page(verifier, challenge=(challenge, _qr_data_uri(challenge))))


async def offline_upload(request: Request) -> Response:
    verifier = verifier_of(request)
    upload = await offline.read_upload(request, verifier)
    result: Proven | None = None
    error: ResponseRejected | None = None
    audience: str | None = None
    try:
        result, audience = await run_in_threadpool(offline.verify_offline, verifier, upload)
    except ResponseRejected as exc:
        error = exc
    if result is not None and not offline.accept_nonce(verifier, result.kb_nonce):
        result, error = None, ResponseRejected("this presentation was shown before (nonce replay)")
    challenged = result is not None and offline.answered_challenge(verifier, result, audience)
    check = offline.record(
        verifier, result=result, error=error, audience=audience, challenged=challenged
    )
    if upload.from_page:
        challenge = offline.new_challenge(verifier)
        return page(
            pages.offline_page(verifier, check, challenge=(challenge, _qr_data_uri(challenge))),
            200 if check.result else 400,
        )
    return no_store_json(check.to_json(), 200 if check.result else 400)


__all__ = ["DEFAULT_PORT", "create_app", "root_certificate"]
