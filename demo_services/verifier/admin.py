"""The admin API for tests and scripts (loopback only, like the whole demo).

POSTs must be ``Content-Type: application/json`` (an empty body means defaults): a
cross-site page cannot send that without a CORS preflight, which this server never
answers. GETs return JSON, which another origin cannot read.

- ``POST /admin/transactions`` ``{"same_device": false, "request_uri_method": "get",
  "query": "microcredential" | "openbadge" | "openbadge_jwt" | "openbadge_ldp"}`` ->
  201 ``{"transaction_id", "link", "client_id", "request_uri", "request_uri_method",
  "response_uri", "response_mode", "nonce", "state", "request", "result_url",
  "expires_in"}``. ``request`` is the Authorization Request's parameters as JSON (for
  signed prefixes the same values the Request Object carries, without ``aud``/``iat``/
  ``exp``/``wallet_nonce``); ``request_uri`` and ``request_uri_method`` are null for
  ``redirect_uri:`` (by value). ``result_url`` opens the result page (``?key=``; for a
  same-device transaction the claims additionally need the ``response_code`` the wallet
  is redirected with).
- ``GET /admin/transactions/{id}`` -> ``transaction_json`` below.
- ``GET /admin/offline`` -> the latest offline checks, oldest first.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from demo_services.issuer.errors import OAuthError
from demo_services.issuer.web import media_type, no_store_json, read_json
from demo_services.verifier.authorization import (
    TransactionRequestError,
    create_transaction,
    link,
    request_parameters,
    request_uri,
)
from demo_services.verifier.context import Verifier, verifier_of
from demo_services.verifier.query import QUERY_KINDS
from demo_services.verifier.state import Transaction


async def create_transaction_endpoint(request: Request) -> Response:
    verifier = verifier_of(request)
    if media_type(request) != "application/json":
        raise OAuthError("invalid_request", "admin calls must be application/json", 415)
    body: dict[str, Any] = {}
    if await request.body():
        body = await read_json(request, "invalid_request")
    same_device = body.get("same_device", False)
    method = body.get("request_uri_method", "get")
    if not isinstance(same_device, bool):
        raise OAuthError("invalid_request", "same_device must be a boolean")
    if method not in ("get", "post"):
        raise OAuthError("invalid_request", "request_uri_method must be get or post")
    query = body.get("query", "microcredential")
    if query not in QUERY_KINDS:
        raise OAuthError("invalid_request", f"query must be one of {', '.join(QUERY_KINDS)}")
    try:
        transaction = create_transaction(
            verifier, same_device=same_device, request_uri_method=method, query=query
        )
    except TransactionRequestError as exc:
        raise OAuthError("invalid_request", str(exc)) from exc
    uri = request_uri(verifier, transaction)
    return no_store_json(
        {
            "transaction_id": transaction.id,
            "link": link(verifier, transaction),
            "client_id": transaction.client_id,
            "request_uri": uri,
            "request_uri_method": transaction.request_uri_method if uri else None,
            "response_uri": transaction.response_uri,
            "response_mode": verifier.settings.response_mode,
            "nonce": transaction.nonce,
            "state": transaction.state,
            "request": request_parameters(verifier, transaction),
            "result_url": result_url(verifier, transaction),
            "same_device": transaction.same_device,
            "query": transaction.query,
            "expires_in": int(verifier.settings.transaction_lifetime),
        },
        201,
    )


async def transaction_endpoint(request: Request) -> Response:
    verifier = verifier_of(request)
    transaction = verifier.state.transactions.get(request.path_params["transaction_id"])
    if transaction is None:
        raise OAuthError("not_found", "unknown or expired transaction", 404)
    return no_store_json(transaction_json(transaction))


async def offline_checks(request: Request) -> Response:
    verifier = verifier_of(request)
    return no_store_json([check.to_json() for check in verifier.state.offline_checks])


def result_url(verifier: Verifier, transaction: Transaction) -> str:
    return verifier.url(f"/result/{transaction.id}?key={transaction.view_key}")


def transaction_json(transaction: Transaction) -> dict[str, Any]:
    """Status and outcome, without the secrets (nonce, state, keys, response code)."""
    return {
        "transaction_id": transaction.id,
        "status": transaction.status,
        "final": transaction.final,
        "client_id": transaction.client_id,
        "same_device": transaction.same_device,
        "query": transaction.query,
        "request_uri_method": transaction.request_uri_method,
        "created_at": transaction.created_at,
        "completed_at": transaction.completed_at,
        "result": transaction.result.to_json() if transaction.result else None,
        "wallet_error": transaction.wallet_error.to_json() if transaction.wallet_error else None,
        "errors": [error.to_json() for error in transaction.errors],
        "request_fetches": [fetch.to_json() for fetch in transaction.request_fetches],
    }
