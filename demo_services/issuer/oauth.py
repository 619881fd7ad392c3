"""The authorization server side: PAR, authorization + login page, token endpoint.

Public clients only (wallets have no secret): ``token_endpoint_auth_method`` ``none``.

Authorization code flow (RFC 6749 §4.1 + RFC 7636 PKCE + RFC 9126 PAR + RFC 9207 ``iss``):

- ``POST /par`` validates the request like ``/authorize`` would and answers 201
  ``{"request_uri": "urn:ietf:params:oauth:request_uri:...", "expires_in": 60}``.
- ``GET /authorize`` takes either the plain query or ``client_id`` + ``request_uri`` (then
  every other query parameter is ignored, RFC 9126 §4; the request_uri is single use).
  PKCE with ``S256`` is mandatory (``plain`` is refused); ``redirect_uri`` is mandatory
  (there is no client registration) and must be https, http on a loopback host, or a
  custom scheme. Credentials are asked for by ``authorization_details``
  (``openid_credential``), by ``scope`` (the configuration ids), or, failing both, by the
  offer's ``issuer_state``.
- The login page posts to ``POST /login``; success redirects (303) to the redirect_uri with
  ``code``, ``state`` and ``iss``; "deny" or too many wrong passwords redirect with
  ``error=access_denied``.
- ``POST /token`` with ``grant_type=authorization_code`` needs ``code``, ``redirect_uri``
  (identical), ``client_id`` (identical) and ``code_verifier``. Codes live 2 minutes and are
  single use; replaying one revokes the access token it produced (RFC 6749 §4.1.2).

Pre-authorized code flow (OpenID4VCI §6.1): anonymous access allowed; ``tx_code`` missing
when required or sent when not → ``invalid_request``; wrong → ``invalid_grant`` (five wrong
tries burn the code); unknown/expired/used code → ``invalid_grant``.

Token response: ``access_token`` (opaque, 15 minutes), ``token_type`` ``Bearer``,
``expires_in``; with ``authorization_details`` (in the authorization or token request)
also ``authorization_details`` carrying ``credential_identifiers``; in draft-13 mode also
``c_nonce`` and ``c_nonce_expires_in``.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from demo_services.issuer import attestation, dpop, open_badges, pages
from demo_services.issuer.catalog import DEMO_PASSWORD, DEMO_STUDENT, Student
from demo_services.issuer.context import PRE_AUTHORIZED_GRANT, Issuer, issuer_of
from demo_services.issuer.errors import OAuthError
from demo_services.issuer.state import (
    AccessToken,
    AuthorizationCode,
    AuthorizationRequest,
    LoginSession,
    PreAuthorizedGrant,
)
from demo_services.issuer.tokens import (
    PAR_URN_PREFIX,
    pkce_challenge_is_valid,
    pkce_matches,
    random_token,
    same,
    short_id,
)
from demo_services.issuer.web import no_store_json, page, read_form

_FORBIDDEN_SCHEMES = frozenset({"javascript", "data", "file", "vbscript", "about", "blob"})
_MAX_PARAM = 2048


class AuthorizationRequestError(Exception):
    """``redirect`` False: the client or redirect_uri is unusable; tell the user, not it."""

    def __init__(
        self, error: str, description: str, request: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.redirect_to = request  # client_id/redirect_uri/state, when they are usable


# -- authorization request ---------------------------------------------------------------


def validate_authorization_request(
    issuer: Issuer, params: Mapping[str, str]
) -> AuthorizationRequest:
    client_id, redirect_uri = _client(params)
    back = {"redirect_uri": redirect_uri, "state": params.get("state", "")}
    if params.get("response_type") != "code":
        raise AuthorizationRequestError(
            "unsupported_response_type", "response_type must be code", back
        )
    challenge = _pkce_challenge(params, back)
    configuration_ids, used_details = _requested_configurations(issuer, params, back)
    return AuthorizationRequest(
        client_id=client_id,
        redirect_uri=redirect_uri,
        code_challenge=challenge,
        state=params.get("state") or None,
        configuration_ids=configuration_ids,
        used_authorization_details=used_details,
        scope=params.get("scope") or None,
        issuer_state=params.get("issuer_state") or None,
    )


def _client(params: Mapping[str, str]) -> tuple[str, str]:
    """``client_id`` and ``redirect_uri``; until both are usable, errors go to the user."""
    for name, value in params.items():
        if len(value) > _MAX_PARAM:
            raise AuthorizationRequestError("invalid_request", f"{name} is too long")
    client_id = params.get("client_id", "")
    if not client_id:
        raise AuthorizationRequestError("invalid_request", "client_id is missing")
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri:
        raise AuthorizationRequestError("invalid_request", "redirect_uri is missing")
    if not redirect_uri_is_acceptable(redirect_uri):
        raise AuthorizationRequestError("invalid_request", "redirect_uri is not acceptable")
    return client_id, redirect_uri


def _pkce_challenge(params: Mapping[str, str], back: Mapping[str, str]) -> str:
    challenge = params.get("code_challenge", "")
    if not challenge:
        raise AuthorizationRequestError("invalid_request", "PKCE code_challenge is required", back)
    if params.get("code_challenge_method") != "S256":
        raise AuthorizationRequestError(
            "invalid_request", "code_challenge_method must be S256", back
        )
    if not pkce_challenge_is_valid(challenge):
        raise AuthorizationRequestError("invalid_request", "code_challenge is malformed", back)
    return challenge


def _requested_configurations(
    issuer: Issuer, params: Mapping[str, str], back: Mapping[str, str]
) -> tuple[tuple[str, ...], bool]:
    """The configuration ids asked for, and whether ``authorization_details`` asked."""
    configuration_ids: list[str] = []
    used_details = False
    if "authorization_details" in params:
        try:
            configuration_ids += requested_by_details(issuer, params["authorization_details"])
        except OAuthError as exc:
            raise AuthorizationRequestError(exc.error, exc.description, back) from exc
        used_details = True
    scope = params.get("scope") or None
    if scope:
        # Unknown scope values are ignored (OpenID4VCI §5.1.2).
        by_scope = {o.scope: o.id for o in issuer.catalog.values()}
        configuration_ids += [by_scope[s] for s in scope.split() if s in by_scope]
    issuer_state = params.get("issuer_state") or None
    if issuer_state is not None:
        offer = next(
            (o for o in issuer.state.offers.values() if o.issuer_state == issuer_state), None
        )
        if offer is None:
            raise AuthorizationRequestError(
                "invalid_request", "issuer_state is unknown or its offer expired", back
            )
        if not configuration_ids:
            configuration_ids += offer.configuration_ids
    unique = tuple(dict.fromkeys(configuration_ids))
    if not unique:
        raise AuthorizationRequestError(
            "invalid_scope", "no credential requested (authorization_details or scope)", back
        )
    return unique, used_details


def redirect_uri_is_acceptable(uri: str) -> bool:
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if not scheme or parts.fragment or "#" in uri or scheme in _FORBIDDEN_SCHEMES:
        return False
    if scheme == "https":
        return bool(parts.hostname)
    if scheme == "http":  # RFC 8252 §7.3: loopback only
        host = parts.hostname or ""
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    return True  # a private-use scheme (RFC 8252 §7.1), e.g. eduwallet://callback


def requested_by_details(issuer: Issuer, raw: str) -> list[str]:
    """``authorization_details`` (RFC 9396) of type ``openid_credential`` -> config ids."""
    try:
        details = json.loads(raw)
    except ValueError as exc:
        raise OAuthError("invalid_authorization_details", "not JSON") from exc
    if not isinstance(details, list) or not details:
        raise OAuthError("invalid_authorization_details", "must be a non-empty JSON array")
    ids = []
    for detail in details:
        if not isinstance(detail, dict) or detail.get("type") != "openid_credential":
            raise OAuthError(
                "invalid_authorization_details", "each entry must have type openid_credential"
            )
        locations = detail.get("locations")
        if locations is not None and (
            not isinstance(locations, list) or issuer.identifier not in locations
        ):
            raise OAuthError(
                "invalid_authorization_details", "locations must name this credential issuer"
            )
        if issuer.settings.draft13 and "format" in detail:
            ids += _by_format(issuer, detail)
            continue
        config_id = detail.get("credential_configuration_id")
        if not isinstance(config_id, str) or config_id not in issuer.catalog:
            raise OAuthError("invalid_authorization_details", "unknown credential_configuration_id")
        ids.append(config_id)
    return ids


def _by_format(issuer: Issuer, detail: Mapping[str, Any]) -> list[str]:
    """Draft 13 §5.1.1 also allows ``format`` + ``vct`` (W3C formats: ``format`` +
    ``credential_definition``) instead of a configuration id; that asks for every
    configuration of the type."""
    if "credential_configuration_id" in detail:
        raise OAuthError("invalid_authorization_details", "format goes alone, without an id")
    # Open Badges (draft 13 Appendix A.1): format + credential_definition.type
    ids = open_badges.configurations_like(issuer.catalog.values(), detail)
    if ids is not None:
        if not ids:
            raise OAuthError("invalid_authorization_details", "unknown credential type")
        return ids
    if detail.get("format") != issuer.credential_format():
        raise OAuthError("invalid_authorization_details", "unknown format")
    vct = detail.get("vct")
    ids = [o.id for o in issuer.catalog.values() if issuer.vct_of(o) == vct]
    if not ids:
        raise OAuthError("invalid_authorization_details", "unknown vct")
    return ids


def redirect_with(uri: str, params: Mapping[str, str | None]) -> RedirectResponse:
    query = urlencode({k: v for k, v in params.items() if v})
    separator = "&" if urlsplit(uri).query else ("" if uri.endswith("?") else "?")
    return RedirectResponse(f"{uri}{separator}{query}", status_code=303)


def _error_redirect(issuer: Issuer, error: AuthorizationRequestError) -> Response:
    if error.redirect_to is None:
        return page(pages.error_page("Ongeldig verzoek / Invalid request", error.description), 400)
    return redirect_with(
        error.redirect_to["redirect_uri"],
        {
            "error": error.error,
            "error_description": error.description,
            "state": error.redirect_to.get("state"),
            "iss": issuer.identifier,
        },
    )


# -- endpoints ---------------------------------------------------------------------------


async def par(request: Request) -> Response:
    issuer = issuer_of(request)
    form = await read_form(request)
    if "request_uri" in form:
        raise OAuthError("invalid_request", "request_uri must not be pushed (RFC 9126 2.1)")
    # a proof here binds the code to its key (RFC 9449 §10.1)
    jkt = dpop.proof_key(issuer, request, "authorization")
    attestation.client_id_of(issuer, request, form.get("client_id"))
    try:
        authorization = validate_authorization_request(issuer, form)
    except AuthorizationRequestError as exc:
        raise OAuthError(exc.error, exc.description) from exc
    authorization = dataclasses.replace(authorization, dpop_jkt=jkt)
    request_uri = PAR_URN_PREFIX + random_token()
    lifetime = issuer.settings.par_lifetime
    issuer.state.pushed_requests.put(request_uri, authorization, lifetime)
    body = {"request_uri": request_uri, "expires_in": int(lifetime)}
    return no_store_json(body, 201, dpop.nonce_header(issuer, "authorization"))


async def authorize(request: Request) -> Response:
    issuer = issuer_of(request)
    params = dict(request.query_params)
    try:
        if "request_uri" in params:
            authorization = _pushed_request(issuer, params)
        else:
            authorization = validate_authorization_request(issuer, params)
    except AuthorizationRequestError as exc:
        return _error_redirect(issuer, exc)
    session = LoginSession(id=random_token(), request=authorization)
    issuer.state.login_sessions.put(session.id, session, issuer.settings.login_lifetime)
    return page(pages.login_page(issuer, session))


def _pushed_request(issuer: Issuer, params: Mapping[str, str]) -> AuthorizationRequest:
    authorization = issuer.state.pushed_requests.pop(params["request_uri"])
    if authorization is None:
        raise AuthorizationRequestError("invalid_request", "request_uri is unknown or expired")
    if params.get("client_id") != authorization.client_id:
        raise AuthorizationRequestError(
            "invalid_request", "client_id does not match the pushed request"
        )
    return authorization


async def login(request: Request) -> Response:
    issuer = issuer_of(request)
    form = await read_form(request)
    session = issuer.state.login_sessions.get(form.get("session", ""))
    if session is None:
        return page(
            pages.error_page(
                "Sessie verlopen / Session expired",
                "Start opnieuw vanuit je wallet. / Please start again from your wallet.",
            ),
            400,
        )
    authorization = session.request
    back = {"state": authorization.state, "iss": issuer.identifier}
    if form.get("action") == "deny":
        issuer.state.login_sessions.pop(session.id)
        return redirect_with(
            authorization.redirect_uri,
            {"error": "access_denied", "error_description": "the student declined", **back},
        )
    student = authenticate(form.get("student_number", ""), form.get("password", ""))
    if student is None:
        session.failed_attempts += 1
        if session.failed_attempts >= issuer.settings.max_login_attempts:
            issuer.state.login_sessions.pop(session.id)
            return redirect_with(
                authorization.redirect_uri,
                {"error": "access_denied", "error_description": "too many failed logins", **back},
            )
        return page(pages.login_page(issuer, session, failed=True), 401)
    issuer.state.login_sessions.pop(session.id)
    code = AuthorizationCode(code=random_token(), request=authorization, student=student)
    issuer.state.codes.put(code.code, code, issuer.settings.code_lifetime)
    return redirect_with(authorization.redirect_uri, {"code": code.code, **back})


def authenticate(student_number: str, password: str) -> Student | None:
    number_ok = same(DEMO_STUDENT.number, student_number.strip().lower())
    password_ok = same(DEMO_PASSWORD, password)
    return DEMO_STUDENT if number_ok and password_ok else None


async def token(request: Request) -> Response:
    issuer = issuer_of(request)
    form = await read_form(request)
    # before the grant is looked at: asking for a DPoP nonce must not spend the code
    jkt = dpop.proof_key(issuer, request, "authorization")
    attestation.client_id_of(issuer, request, form.get("client_id"))
    grant_type = form.get("grant_type")
    if grant_type == PRE_AUTHORIZED_GRANT:
        access = _pre_authorized_token(issuer, form)
        used_details = False
    elif grant_type == "authorization_code":
        access, used_details = _authorization_code_token(issuer, form, jkt)
    elif not grant_type:
        raise OAuthError("invalid_request", "grant_type is missing")
    else:
        raise OAuthError("unsupported_grant_type", "use authorization_code or pre-authorized_code")

    if "authorization_details" in form:
        asked = requested_by_details(issuer, form["authorization_details"])
        if not set(asked) <= set(access.configuration_ids):
            raise OAuthError(
                "invalid_authorization_details", "more than was authorized was asked for"
            )
        access.configuration_ids = tuple(dict.fromkeys(asked))
        used_details = True
    access.dpop_jkt = jkt
    body: dict[str, Any] = {
        "access_token": access.token,
        "token_type": "DPoP" if jkt is not None else "Bearer",
        "expires_in": int(issuer.settings.access_token_lifetime),
    }
    if used_details:
        # One Credential Dataset per configuration (OpenID4VCI §6.2).
        access.credential_identifiers = {
            f"{config_id}-{short_id(6)}": config_id for config_id in access.configuration_ids
        }
        body["authorization_details"] = [
            {
                "type": "openid_credential",
                "credential_configuration_id": config_id,
                "credential_identifiers": [
                    ident
                    for ident, cid in access.credential_identifiers.items()
                    if cid == config_id
                ],
            }
            for config_id in access.configuration_ids
        ]
    if issuer.settings.draft13:
        body.update(new_c_nonce(issuer))
    issuer.state.access_tokens.put(access.token, access, issuer.settings.access_token_lifetime)
    return no_store_json(body, headers=dpop.nonce_header(issuer, "authorization"))


def new_c_nonce(issuer: Issuer) -> dict[str, Any]:
    """A fresh single-use c_nonce, as draft 13 returns it in token/credential responses."""
    nonce = random_token()
    issuer.state.nonces.put(nonce, True, issuer.settings.nonce_lifetime)
    return {"c_nonce": nonce, "c_nonce_expires_in": int(issuer.settings.nonce_lifetime)}


def _pre_authorized_token(issuer: Issuer, form: Mapping[str, str]) -> AccessToken:
    code = form.get("pre-authorized_code", "")
    if not code:
        raise OAuthError("invalid_request", "pre-authorized_code is missing")
    grant: PreAuthorizedGrant | None = issuer.state.pre_authorized.get(code)
    if grant is None:
        raise OAuthError("invalid_grant", "the pre-authorized code is unknown, used or expired")
    offered = form.get("tx_code")
    if grant.tx_code is None:
        if offered is not None:
            raise OAuthError("invalid_request", "this offer needs no tx_code")
    elif offered is None:
        raise OAuthError("invalid_request", "tx_code is required for this offer")
    elif not same(grant.tx_code, offered):
        grant.failed_attempts += 1
        if grant.failed_attempts >= issuer.settings.max_tx_code_attempts:
            issuer.state.pre_authorized.pop(code)  # burn it: no brute force of 10^n codes
        raise OAuthError("invalid_grant", "the transaction code is wrong")
    issuer.state.pre_authorized.pop(code)  # single use
    client_id = form.get("client_id") or None
    return AccessToken(
        token=random_token(),
        student=grant.student,
        configuration_ids=grant.configuration_ids,
        credential_identifiers=None,
        client_id=client_id,
        anonymous=client_id is None,
    )


def _authorization_code_token(
    issuer: Issuer, form: Mapping[str, str], jkt: str | None
) -> tuple[AccessToken, bool]:
    for name in ("code", "redirect_uri", "client_id", "code_verifier"):
        if not form.get(name):
            raise OAuthError("invalid_request", f"{name} is missing")
    code = issuer.state.codes.get(form["code"])
    if code is None:
        raise OAuthError("invalid_grant", "the authorization code is unknown or expired")
    if code.used:
        if code.access_token is not None:
            issuer.state.access_tokens.pop(code.access_token)
        raise OAuthError("invalid_grant", "the authorization code was already used")
    code.used = True  # burnt by any redemption attempt, successful or not
    authorization = code.request
    if form["client_id"] != authorization.client_id:
        raise OAuthError("invalid_grant", "the code was issued to another client")
    if form["redirect_uri"] != authorization.redirect_uri:
        raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request")
    if not pkce_matches(form["code_verifier"], authorization.code_challenge):
        raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
    if authorization.dpop_jkt is not None and jkt != authorization.dpop_jkt:
        raise dpop.invalid_proof("authorization", "the code is bound to another DPoP key")
    access = AccessToken(
        token=random_token(),
        student=code.student,
        configuration_ids=authorization.configuration_ids,
        credential_identifiers=None,
        client_id=authorization.client_id,
        anonymous=False,
    )
    code.access_token = access.token
    return access, authorization.used_authorization_details
