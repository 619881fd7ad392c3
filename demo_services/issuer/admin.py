"""The admin API for tests and the demo page (loopback only, like the whole demo).

JSON requests must be ``Content-Type: application/json``: a cross-site page cannot send
that without a CORS preflight, which this server never answers, so other web pages cannot
drive these endpoints. The demo page's buttons post forms instead, carrying the page's
CSRF token, and get a 303 back to the page.

- ``POST /admin/offers`` ``{"configuration_ids": [...]}`` (or ``"configuration_id"``),
  ``"tx_code": bool`` (default false), ``"by_reference": bool`` (default false),
  ``"grant": "pre-authorized" | "authorization_code" | "both"`` (default pre-authorized),
  optional ``"student": {"given_name", "family_name"}`` -> 201 ``{"offer_id", "offer",
  "offer_link", "offer_uri", "tx_code", "pre_authorized_code", "issuer_state",
  "expires_in"}``.
- ``POST /admin/revoke/{idx}`` -> ``{"revoked": [idx, ...]}``: the whole issuance (every
  copy of a batch) the index belongs to.
- ``POST /admin/revoke/bitstring/{idx}`` -> ``{"revoked": [idx, ...]}``: the same for an
  Open Badge (``ldp_vc``) by its Bitstring Status List index.
- ``POST /admin/deferred/{transaction_id}/ready`` -> ``{"transaction_id", "ready": true}``.
- ``GET /admin/notifications``, ``GET /admin/issued`` -> JSON lists.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from demo_services.issuer.catalog import DEMO_STUDENT, Student
from demo_services.issuer.context import Issuer, issuer_of
from demo_services.issuer.credential import make_ready
from demo_services.issuer.errors import OAuthError
from demo_services.issuer.offers import (
    GRANTS,
    OfferRequestError,
    create_offer,
    offer_link,
    offer_uri,
)
from demo_services.issuer.status_list import REVOKED
from demo_services.issuer.tokens import same
from demo_services.issuer.web import FORM, media_type, no_store_json, read_form, read_json


async def _authorize_admin(request: Request) -> dict[str, Any] | None:
    """The JSON body (``{}`` if empty) of an API call, or None for a valid page form."""
    issuer = issuer_of(request)
    kind = media_type(request)
    if kind == FORM:
        form = await read_form(request)
        if not same(issuer.page_csrf, form.get("csrf", "")):
            raise OAuthError("access_denied", "missing or wrong CSRF token", 403)
        return None
    if kind != "application/json":
        raise OAuthError("invalid_request", "admin calls must be application/json", 415)
    if not await request.body():
        return {}
    return await read_json(request, "invalid_request")


def _back_to_page(issuer: Issuer) -> Response:
    return RedirectResponse(issuer.url("/"), status_code=303)


async def create_offer_endpoint(request: Request) -> Response:
    issuer = issuer_of(request)
    body = await _authorize_admin(request)
    if body is None:
        raise OAuthError("invalid_request", "use the JSON API to create offers", 415)
    ids = body.get("configuration_ids")
    if ids is None and "configuration_id" in body:
        ids = [body["configuration_id"]]
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise OAuthError("invalid_request", "configuration_ids must be a list of strings")
    grant = body.get("grant", "pre-authorized")
    if grant not in GRANTS:
        raise OAuthError("invalid_request", f"grant must be one of {', '.join(GRANTS)}")
    try:
        offer = create_offer(
            issuer,
            ids,
            tx_code=bool(body.get("tx_code", False)),
            by_reference=bool(body.get("by_reference", False)),
            grant=grant,
            student=_student(body.get("student")),
        )
    except OfferRequestError as exc:
        raise OAuthError("invalid_request", str(exc)) from exc
    return no_store_json(
        {
            "offer_id": offer.id,
            "offer": offer.document,
            "offer_link": offer_link(issuer, offer),
            "offer_uri": offer_uri(issuer, offer) if offer.by_reference else None,
            "tx_code": offer.tx_code,
            "pre_authorized_code": offer.pre_authorized_code,
            "issuer_state": offer.issuer_state,
            "expires_in": int(issuer.settings.offer_lifetime),
        },
        201,
    )


def _student(value: Any) -> Student:
    if value is None:
        return DEMO_STUDENT
    if not isinstance(value, dict):
        raise OAuthError("invalid_request", "student must be an object")
    given = value.get("given_name", DEMO_STUDENT.given_name)
    family = value.get("family_name", DEMO_STUDENT.family_name)
    birth = value.get("date_of_birth", DEMO_STUDENT.date_of_birth)
    if not all(isinstance(v, str) and v for v in (given, family, birth)):
        raise OAuthError("invalid_request", "student names must be non-empty strings")
    return Student(value.get("number", DEMO_STUDENT.number), given, family, birth)


async def revoke(request: Request) -> Response:
    """Revoke the credential at this Token Status List index (every copy of its batch)."""
    return await _revoke(request, "status")


async def revoke_bitstring(request: Request) -> Response:
    """Revoke the Open Badge at this Bitstring Status List index."""
    return await _revoke(request, "bitstring")


async def _revoke(request: Request, list_kind: str) -> Response:
    issuer = issuer_of(request)
    body = await _authorize_admin(request)
    try:
        idx = int(request.path_params["idx"])
    except ValueError as exc:
        raise OAuthError("invalid_request", "idx must be an integer") from exc
    bitstring = list_kind == "bitstring"
    state = issuer.state
    issuance = state.issuance_by_bitstring_index(idx) if bitstring else state.issuance_by_index(idx)
    if issuance is None:
        raise OAuthError("not_found", f"no credential has this {list_kind} index", 404)
    indices = issuance.bitstring_indices if bitstring else issuance.status_indices
    for index in indices:
        if bitstring:
            listed, at = issuer.bitstrings.locate(index)
            listed.revoke(at)
        else:
            token_list, at = issuer.status_lists.locate(index)
            token_list.set(at, REVOKED)
    issuance.revoked = True
    if body is None:
        return _back_to_page(issuer)
    return no_store_json({"revoked": indices})


async def deferred_ready(request: Request) -> Response:
    issuer = issuer_of(request)
    body = await _authorize_admin(request)
    transaction_id = request.path_params["transaction_id"]
    if not make_ready(issuer, transaction_id):
        raise OAuthError("not_found", "unknown transaction_id", 404)
    if body is None:
        return _back_to_page(issuer)
    return no_store_json({"transaction_id": transaction_id, "ready": True})


async def notifications(request: Request) -> Response:
    issuer = issuer_of(request)
    return no_store_json(
        [
            {
                "notification_id": n.notification_id,
                "event": n.event,
                "event_description": n.event_description,
                "received_at": n.received_at,
                "credential_configuration_id": n.configuration_id,
            }
            for n in issuer.state.notifications
        ]
    )


async def issued(request: Request) -> Response:
    issuer = issuer_of(request)
    return no_store_json(
        [
            {
                "id": i.id,
                "credential_configuration_id": i.configuration_id,
                "student": i.student.number,
                "issued_at": i.issued_at,
                "status_indices": i.status_indices,
                "bitstring_indices": i.bitstring_indices,
                "notification_id": i.notification_id,
                "holder_key_thumbprints": i.holder_thumbprints,
                "revoked": i.revoked,
                "events": i.events,
            }
            for i in issuer.state.issuances
        ]
    )
