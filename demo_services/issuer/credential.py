"""The credential issuer's endpoints: nonce, credential, deferred credential, notification.

OpenID4VCI 1.0 (default):

- ``POST /nonce`` -> ``{"c_nonce"}`` with ``Cache-Control: no-store``. Nonces are random,
  live five minutes and are single use: a credential request consumes every nonce its
  proofs carry (all proofs of one batch may share one nonce).
- ``POST /credential`` (Bearer): exactly one of ``credential_identifier`` (required when the
  token response carried ``credential_identifiers``) / ``credential_configuration_id``
  (required otherwise); ``proofs: {"jwt": [...]}`` with 1..batch_size proofs, each with its
  own key. 200 ``{"credentials": [{"credential"}...], "notification_id"}``, one credential
  per proof, each bound (``cnf.jwk``) to its proof's key; deferred mode: 202
  ``{"transaction_id", "interval"}``.
- ``POST /deferred_credential`` (Bearer, the token that got the transaction_id):
  ``{"transaction_id"}``; not ready: 202 ``{"transaction_id", "interval"}`` (1.0 §9.2);
  ready: 200 like the credential response; the transaction_id then stops working.
- ``POST /notification`` (Bearer) ``{"notification_id", "event", "event_description"?}``;
  204; idempotent.

Draft 13 (``mode="draft13"``): ``format`` ``vc+sd-jwt`` + ``vct`` (an Open Badge:
``jwt_vc_json``/``ldp_vc`` + ``credential_definition.type``, draft 13 Appendix A.1; or
``credential_identifier``) and one ``proof: {"proof_type": "jwt", "jwt"}``; response
``{"credential", "c_nonce", "c_nonce_expires_in", "notification_id"}``; every error caused
by the proof or its nonce is ``invalid_proof`` carrying a fresh ``c_nonce`` (draft 13
§7.3.2); deferred: 202 ``{"transaction_id", "c_nonce", ...}``, then 400
``issuance_pending`` with ``interval`` until ready (draft 13 §9.3).

Error codes: ``invalid_token`` (401), ``insufficient_scope`` (403, configuration not
covered by the token), ``invalid_credential_request``, ``unknown_credential_configuration``,
``unknown_credential_identifier``, ``invalid_proof``, ``invalid_nonce`` (1.0: get a new
nonce and retry), ``invalid_transaction_id``, ``invalid_notification_id``,
``invalid_notification_request``; draft 13 adds ``unsupported_credential_format``,
``unsupported_credential_type`` and ``issuance_pending``.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from demo_services.issuer import attestation, dpop, encryption, open_badges
from demo_services.issuer.catalog import Offering
from demo_services.issuer.context import Issuer, issuer_of
from demo_services.issuer.errors import OAuthError, invalid_token
from demo_services.issuer.issuance import issue
from demo_services.issuer.oauth import new_c_nonce
from demo_services.issuer.proofs import ProofError, ProvenKey, verify_proof
from demo_services.issuer.state import AccessToken, DeferredTransaction, NotificationEvent
from demo_services.issuer.tokens import random_token, short_id
from demo_services.issuer.web import no_content, no_store_json, read_json
from wallet_core.crypto import did_jwk

NOTIFICATION_EVENTS = frozenset({"credential_accepted", "credential_failure", "credential_deleted"})
_REQUEST = "invalid_credential_request"


async def nonce(request: Request) -> Response:
    issuer = issuer_of(request)
    value = random_token()
    issuer.state.nonces.put(value, True, issuer.settings.nonce_lifetime)
    # HAIP 1.0 §4: the nonce endpoint may hand the DPoP nonce of the credential endpoint
    return no_store_json({"c_nonce": value}, headers=dpop.nonce_header(issuer, "resource"))


def access_of(issuer: Issuer, request: Request) -> AccessToken:
    """The access token presented: ``Bearer``, or ``DPoP`` with a proof by the key the
    token is bound to (RFC 9449 §7). A DPoP-bound token never works as a Bearer token, and
    in DPoP mode there are no Bearer tokens."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    scheme, value = scheme.lower(), value.strip()
    if scheme not in ("bearer", "dpop") or not value:
        raise invalid_token("an access token is required")
    access = issuer.state.access_tokens.get(value)
    if access is None:
        raise invalid_token()
    if scheme == "bearer":
        if access.dpop_jkt is not None or issuer.settings.dpop:
            raise dpop.invalid_proof("resource", "this access token is bound to DPoP")
        return access
    if access.dpop_jkt is None:
        raise invalid_token("this access token is not bound to DPoP")
    jkt = dpop.proof_key(issuer, request, "resource", access_token=value, required=True)
    if jkt != access.dpop_jkt:
        raise dpop.invalid_proof("resource", "the proof is by another key than the token's")
    return access


async def credential(request: Request) -> Response:
    issuer = issuer_of(request)
    access = access_of(issuer, request)
    body, answer_key = await encryption.read(issuer, request, _REQUEST)
    if issuer.settings.draft13:
        return _credential_draft13(issuer, access, body)
    offering = _requested(issuer, access, body)
    keys = _proofs(issuer, access, body)
    return encryption.seal(_issue_or_defer(issuer, access, offering, keys), answer_key)


# -- OpenID4VCI 1.0 ----------------------------------------------------------------------


def _requested(issuer: Issuer, access: AccessToken, body: dict[str, Any]) -> Offering:
    has_identifier = "credential_identifier" in body
    if has_identifier == ("credential_configuration_id" in body):
        raise OAuthError(
            _REQUEST, "send exactly one of credential_identifier, credential_configuration_id"
        )
    if has_identifier:
        identifier = body["credential_identifier"]
        if access.credential_identifiers is None:
            raise OAuthError(
                _REQUEST,
                "credential_identifier is only for tokens issued with authorization_details",
            )
        if not isinstance(identifier, str) or identifier not in access.credential_identifiers:
            raise OAuthError("unknown_credential_identifier", "unknown credential_identifier")
        return issuer.catalog[access.credential_identifiers[identifier]]
    config_id = body["credential_configuration_id"]
    if access.credential_identifiers is not None:
        raise OAuthError(
            _REQUEST, "use a credential_identifier from the token response's authorization_details"
        )
    if not isinstance(config_id, str) or config_id not in issuer.catalog:
        raise OAuthError("unknown_credential_configuration", "unknown credential_configuration_id")
    _check_covered(access, config_id)
    return issuer.catalog[config_id]


def _check_covered(access: AccessToken, config_id: str) -> None:
    if config_id not in access.configuration_ids:
        raise OAuthError(
            "insufficient_scope",
            "the access token does not cover this credential",
            403,
            headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'},
        )


def _proofs(issuer: Issuer, access: AccessToken, body: dict[str, Any]) -> list[ProvenKey]:
    proofs = body.get("proofs")
    if proofs is None:
        hint = " (proof is draft 13; 1.0 uses proofs: {jwt: [...]})" if "proof" in body else ""
        raise OAuthError("invalid_proof", "proofs is missing" + hint)
    if not isinstance(proofs, dict) or len(proofs) != 1:
        raise OAuthError("invalid_proof", "proofs must hold exactly one proof type")
    jwts = proofs.get("jwt")
    if jwts is None:
        raise OAuthError("invalid_proof", "only the jwt proof type is supported")
    if not isinstance(jwts, list) or not jwts:
        raise OAuthError("invalid_proof", "proofs.jwt must be a non-empty array")
    if len(jwts) > issuer.settings.batch_size:
        raise OAuthError(_REQUEST, f"at most {issuer.settings.batch_size} proofs per request")
    keys = [_verify(issuer, access, jwt) for jwt in jwts]
    if len({key.thumbprint for key in keys}) != len(keys):
        raise OAuthError("invalid_proof", "each proof must use a different key")
    if not _consume_nonces(issuer, keys):
        raise OAuthError("invalid_nonce", "the c_nonce is unknown, used or expired; get a new one")
    return keys


def _verify(issuer: Issuer, access: AccessToken, jwt: Any) -> ProvenKey:
    try:
        key = verify_proof(
            jwt,
            audience=issuer.identifier,
            now=issuer.now(),
            require_nonce=True,
            client_id=access.client_id,
            anonymous=access.anonymous,
        )
        attestation.check_key_attestation(issuer, key.header, key.jwk, key.nonce)
    except ProofError as exc:
        raise OAuthError("invalid_proof", exc.description) from exc
    except ValueError as exc:
        raise OAuthError("invalid_proof", str(exc)) from exc
    return key


def _consume_nonces(issuer: Issuer, keys: list[ProvenKey]) -> bool:
    """All nonces valid -> consume them all and True; else consume nothing and False."""
    nonces = {key.nonce for key in keys if key.nonce is not None}
    if not all(issuer.state.nonces.get(value) for value in nonces):
        return False
    for value in nonces:
        issuer.state.nonces.pop(value)
    return True


def _issue_or_defer(
    issuer: Issuer, access: AccessToken, offering: Offering, keys: list[ProvenKey]
) -> Response:
    jwks = [key.jwk for key in keys]
    # an Open Badge's subject: the DID the proof named (or the did:jwk of its jwk)
    dids = [key.did or did_jwk(key.jwk) for key in keys]
    settings = issuer.settings
    if settings.deferred:
        delay = settings.deferred_delay
        transaction = DeferredTransaction(
            id=short_id(),
            access_token=access.token,
            configuration_id=offering.id,
            student=access.student,
            holder_jwks=jwks,
            ready_at=None if delay is None else issuer.now() + delay,
            holder_dids=dids,
        )
        issuer.state.transactions.put(transaction.id, transaction, settings.access_token_lifetime)
        access.transaction_ids.add(transaction.id)
        if settings.draft13:
            return no_store_json({"transaction_id": transaction.id, **new_c_nonce(issuer)}, 202)
        return no_store_json(
            {"transaction_id": transaction.id, "interval": settings.deferred_interval}, 202
        )
    return _deliver(issuer, access, offering, jwks, dids)


def _deliver(
    issuer: Issuer,
    access: AccessToken,
    offering: Offering,
    jwks: list[dict[str, str]],
    dids: list[str],
) -> Response:
    issuance, credentials = issue(issuer, offering, access.student, jwks, dids)
    access.notification_ids.add(issuance.notification_id)
    access.issued.append(offering.id)
    if issuer.settings.draft13:
        return no_store_json(
            {
                "credential": credentials[0],
                "notification_id": issuance.notification_id,
                **new_c_nonce(issuer),
            }
        )
    return no_store_json(
        {
            "credentials": [{"credential": text} for text in credentials],
            "notification_id": issuance.notification_id,
        }
    )


# -- draft 13 ----------------------------------------------------------------------------


def _credential_draft13(issuer: Issuer, access: AccessToken, body: dict[str, Any]) -> Response:
    offering = _requested_draft13(issuer, access, body)
    proof = body.get("proof")
    if not isinstance(proof, dict):
        raise _draft13_proof_error(issuer, "proof is missing")
    if proof.get("proof_type") != "jwt":
        raise _draft13_proof_error(issuer, "only proof_type jwt is supported")
    try:
        key = verify_proof(
            proof.get("jwt"),
            audience=issuer.identifier,
            now=issuer.now(),
            require_nonce=True,
            client_id=access.client_id,
            anonymous=access.anonymous,
        )
    except ProofError as exc:
        raise _draft13_proof_error(issuer, exc.description) from exc
    if not _consume_nonces(issuer, [key]):
        raise _draft13_proof_error(issuer, "the c_nonce is unknown, used or expired")
    return _issue_or_defer(issuer, access, offering, [key])


def _draft13_proof_error(issuer: Issuer, description: str) -> OAuthError:
    return OAuthError("invalid_proof", description, extra=new_c_nonce(issuer))


def _requested_draft13(issuer: Issuer, access: AccessToken, body: dict[str, Any]) -> Offering:
    if "credential_identifier" in body:
        if "format" in body:
            raise OAuthError(_REQUEST, "credential_identifier excludes format")
        identifier = body["credential_identifier"]
        known = access.credential_identifiers or {}
        if not isinstance(identifier, str) or identifier not in known:
            raise OAuthError(_REQUEST, "unknown credential_identifier")
        return issuer.catalog[known[identifier]]
    if access.credential_identifiers is not None:
        raise OAuthError(_REQUEST, "use a credential_identifier from the token response")
    fmt = body.get("format")
    if fmt is None:
        raise OAuthError(_REQUEST, "format (or credential_identifier) is required")
    if fmt in ("jwt_vc_json", "ldp_vc"):
        return _requested_open_badge(issuer, access, fmt, body.get("credential_definition"))
    if fmt != issuer.credential_format():
        raise OAuthError(
            "unsupported_credential_format", "this issuer issues vc+sd-jwt, jwt_vc_json, ldp_vc"
        )
    vct = body.get("vct")
    if not any(t.vct == vct for t in issuer.types.values()):
        raise OAuthError("unsupported_credential_type", "unknown vct")
    # Several offered configurations can share a vct (all microcredentials do): take them
    # in offer order, each once, then repeat the last (re-issuance for another key).
    candidates = [
        cid for cid in access.configuration_ids if issuer.vct_of(issuer.catalog[cid]) == vct
    ]
    if not candidates:
        raise OAuthError("insufficient_scope", "the access token does not cover this vct", 403)
    fresh = [cid for cid in candidates if cid not in access.issued]
    return issuer.catalog[fresh[0] if fresh else candidates[-1]]


def _requested_open_badge(
    issuer: Issuer, access: AccessToken, fmt: str, requested: Any
) -> Offering:
    """Draft 13 Appendix A.1: ``format`` + ``credential_definition`` (its ``type``) name
    the configuration; among those the token covers, the first not yet issued."""
    if not isinstance(requested, dict) or not isinstance(requested.get("type"), list):
        raise OAuthError(_REQUEST, "credential_definition with a type array is required")
    known = [o for o in issuer.catalog.values() if open_badges.matches(o, fmt, requested)]
    if not known:
        raise OAuthError("unsupported_credential_type", "no configuration has these types")
    candidates = [o.id for o in known if o.id in access.configuration_ids]
    if not candidates:
        raise OAuthError("insufficient_scope", "the access token does not cover this type", 403)
    fresh = [cid for cid in candidates if cid not in access.issued]
    return issuer.catalog[fresh[0] if fresh else candidates[-1]]


# -- deferred and notification -----------------------------------------------------------


async def deferred_credential(request: Request) -> Response:
    issuer = issuer_of(request)
    access = access_of(issuer, request)
    body, answer_key = await encryption.read(issuer, request, _REQUEST)
    return encryption.seal(_deferred(issuer, access, body), answer_key)


def _deferred(issuer: Issuer, access: AccessToken, body: dict[str, Any]) -> Response:
    transaction_id = body.get("transaction_id")
    if not isinstance(transaction_id, str) or not transaction_id:
        raise OAuthError(_REQUEST, "transaction_id is missing")
    transaction = issuer.state.transactions.get(transaction_id)
    if transaction is None or transaction.access_token != access.token:
        raise OAuthError("invalid_transaction_id", "unknown, delivered or foreign transaction_id")
    interval = issuer.settings.deferred_interval
    if transaction.ready_at is None or issuer.now() < transaction.ready_at:
        if issuer.settings.draft13:
            raise OAuthError("issuance_pending", "not ready yet", extra={"interval": interval})
        return no_store_json({"transaction_id": transaction.id, "interval": interval}, 202)
    issuer.state.transactions.pop(transaction.id)  # invalidated once delivered
    offering = issuer.catalog[transaction.configuration_id]
    return _deliver(issuer, access, offering, transaction.holder_jwks, transaction.holder_dids)


def make_ready(issuer: Issuer, transaction_id: str) -> bool:
    transaction = issuer.state.transactions.get(transaction_id)
    if transaction is None:
        return False
    transaction.ready_at = issuer.now()
    return True


async def notification(request: Request) -> Response:
    issuer = issuer_of(request)
    access = access_of(issuer, request)
    body = await read_json(request, "invalid_notification_request")
    notification_id = body.get("notification_id")
    event = body.get("event")
    description = body.get("event_description")
    if not isinstance(notification_id, str) or not notification_id:
        raise OAuthError("invalid_notification_request", "notification_id is missing")
    if event not in NOTIFICATION_EVENTS:
        raise OAuthError("invalid_notification_request", "unknown event")
    if description is not None and not isinstance(description, str):
        raise OAuthError("invalid_notification_request", "event_description must be text")
    if notification_id not in access.notification_ids:
        raise OAuthError("invalid_notification_id", "unknown notification_id")
    issuance = issuer.state.issuance_by_notification(notification_id)
    issuer.state.notifications.append(
        NotificationEvent(
            notification_id=notification_id,
            event=event,
            event_description=description,
            received_at=issuer.now(),
            configuration_id=issuance.configuration_id if issuance else None,
        )
    )
    if issuance is not None:
        issuance.events.append(event)
    return no_content()
