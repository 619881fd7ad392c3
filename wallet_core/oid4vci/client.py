"""The holder's side of the OpenID4VCI conversation: token, nonce, credential, deferred,
notification and the authorization-code request (OpenID4VCI 1.0 §5-§11, draft 13 compatible).

Nothing here stores anything or decides what to trust; ``wallet.py`` verifies what comes
back before it keeps it. All HTTP goes through ``wallet_core.http`` under the wallet's policy.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from wallet_core.clock import Clock
from wallet_core.crypto import Signer
from wallet_core.crypto.jwk import b64url
from wallet_core.errors import IssuanceError, MalformedResponseError
from wallet_core.http import HttpClient, HttpResponse
from wallet_core.oid4vci.models import (
    AuthorizationServerMetadata,
    CredentialConfiguration,
    CredentialOffer,
    IssuerMetadata,
    PreAuthorizedGrant,
)
from wallet_core.oid4vci.proofs import binds_by_did, proof_jwt

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
WALLET_CLIENT_ID = "eduwallet"  # a public client (RFC 6749 §2.1); no registration needed
_OAUTH_ERRORS = (400, 401, 403)
BEARER = "Bearer"


@dataclass(frozen=True)
class TokenResponse:
    access_token: str = field(repr=False)
    token_type: str = BEARER
    expires_in: float | None = None
    c_nonce: str | None = field(default=None, repr=False)  # draft 13 only
    credential_identifiers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def authorization(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


@dataclass(frozen=True)
class IssuedCredentials:
    """A Credential Response: credentials now, or a transaction to poll later."""

    credentials: tuple[str | dict[str, Any], ...] = field(default=(), repr=False)
    notification_id: str | None = None
    transaction_id: str | None = None
    interval: float | None = None


@dataclass(frozen=True)
class AuthorizationRequest:
    """What ``finish`` needs to check the redirect and redeem the code; kept in memory only."""

    url: str = field(repr=False)
    state: str = field(repr=False)
    code_verifier: str = field(repr=False)
    redirect_uri: str = ""
    configuration_ids: tuple[str, ...] = ()


class IssuerClient:
    """One conversation with one Credential Issuer and its Authorization Server."""

    def __init__(
        self,
        client: HttpClient,
        metadata: IssuerMetadata,
        authorization_server: AuthorizationServerMetadata,
        clock: Clock,
    ) -> None:
        self._client = client
        self.metadata = metadata
        self.authorization_server = authorization_server
        self._clock = clock

    # -- token (§6) --------------------------------------------------------------------

    def token_pre_authorized(
        self, grant: PreAuthorizedGrant, tx_code: str | None, configuration_ids: Sequence[str]
    ) -> TokenResponse:
        if grant.tx_code is not None and not tx_code:
            raise IssuanceError(
                "this offer needs the transaction code", oauth_error="invalid_request"
            )
        form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": grant.code}
        if grant.tx_code is not None and tx_code is not None:
            # drafts up to 12 called it user_pin; draft 13 and 1.0 call it tx_code
            form["user_pin" if grant.legacy_user_pin else "tx_code"] = tx_code
        if not self.metadata.draft13:
            form["authorization_details"] = self._authorization_details(configuration_ids)
        return self._token(form)

    def token_authorization_code(self, code: str, request: AuthorizationRequest) -> TokenResponse:
        return self._token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "code_verifier": request.code_verifier,
                "redirect_uri": request.redirect_uri,
                "client_id": WALLET_CLIENT_ID,
            }
        )

    def _token(self, form: Mapping[str, str]) -> TokenResponse:
        response = self._client.post_form(
            self.authorization_server.token_endpoint,
            form,
            allow_status=_OAUTH_ERRORS,
        )
        body = _json_object(response)
        if response.status != 200:
            raise _oauth_error(body, "the token request was refused")
        return parse_token_response(body)

    def _authorization_details(self, configuration_ids: Sequence[str]) -> str:
        details: list[dict[str, Any]] = []
        for configuration_id in configuration_ids:
            detail: dict[str, Any] = {
                "type": "openid_credential",
                "credential_configuration_id": configuration_id,
            }
            if self.metadata.authorization_servers:  # §5.1.1: then locations is required
                detail["locations"] = [self.metadata.credential_issuer]
            details.append(detail)
        return json.dumps(details, separators=(",", ":"))

    # -- authorization code (§5) --------------------------------------------------------

    def authorization_request(
        self, offer: CredentialOffer, redirect_uri: str
    ) -> AuthorizationRequest:
        """PKCE S256 and ``state``; pushed (PAR, RFC 9126) whenever the AS offers it."""
        server = self.authorization_server
        if server.authorization_endpoint is None:
            raise IssuanceError("the authorization server has no authorization endpoint")
        if server.code_challenge_methods and "S256" not in server.code_challenge_methods:
            raise IssuanceError("the authorization server does not support PKCE S256")
        verifier = secrets.token_urlsafe(48)
        state = secrets.token_urlsafe(24)
        params = {
            "response_type": "code",
            "client_id": WALLET_CLIENT_ID,
            "redirect_uri": redirect_uri,
            "state": state,
            "code_challenge": b64url(hashlib.sha256(verifier.encode("ascii")).digest()),
            "code_challenge_method": "S256",
        }
        ids = offer.credential_configuration_ids
        scopes = [self._configuration(i).scope for i in ids]
        if self.metadata.draft13 and all(scopes):
            params["scope"] = " ".join(s for s in scopes if s)
        else:
            params["authorization_details"] = self._authorization_details(ids)
        grant = offer.authorization_code
        if grant is not None and grant.issuer_state is not None:
            params["issuer_state"] = grant.issuer_state
        if server.pushed_authorization_request_endpoint is not None:
            response = self._client.post_form(
                server.pushed_authorization_request_endpoint,
                params,
                allow_status=_OAUTH_ERRORS,
            )
            body = _json_object(response)
            if response.status not in (200, 201):
                raise _oauth_error(body, "the pushed authorization request was refused")
            request_uri = body.get("request_uri")
            if not isinstance(request_uri, str) or not request_uri:
                raise MalformedResponseError("the PAR response has no request_uri")
            query = {"client_id": WALLET_CLIENT_ID, "request_uri": request_uri}
        elif server.require_pushed_authorization_requests:
            raise IssuanceError("the authorization server requires PAR but offers no endpoint")
        else:
            query = params
        self._client.check_url(server.authorization_endpoint)
        separator = "&" if "?" in server.authorization_endpoint else "?"
        return AuthorizationRequest(
            url=f"{server.authorization_endpoint}{separator}{urlencode(query)}",
            state=state,
            code_verifier=verifier,
            redirect_uri=redirect_uri,
            configuration_ids=tuple(ids),
        )

    def authorization_code(self, request: AuthorizationRequest, redirect_url: str) -> str:
        """Check the redirect (state, RFC 9207 ``iss``, errors) and return the code."""
        parts = urlsplit(redirect_url)
        expected = urlsplit(request.redirect_uri)
        if (parts.scheme, parts.netloc, parts.path) != (
            expected.scheme,
            expected.netloc,
            expected.path,
        ):
            raise IssuanceError("the redirect does not come back to this wallet's redirect_uri")
        query = {k: v[0] for k, v in parse_qs(parts.query).items() if v}
        if query.get("state") != request.state:
            raise IssuanceError("the authorization response does not belong to this request")
        issuer = query.get("iss")
        if issuer is not None and issuer != self.authorization_server.issuer:
            raise IssuanceError("the authorization response comes from another server (iss)")
        if (
            issuer is None
            and self.authorization_server.authorization_response_iss_parameter_supported
        ):
            raise IssuanceError("the authorization response lacks the iss parameter (RFC 9207)")
        if "error" in query:
            raise IssuanceError(
                f"the authorization was refused: {query['error']}", oauth_error=query["error"]
            )
        code = query.get("code")
        if not code:
            raise IssuanceError("the authorization response carries no code")
        return code

    # -- nonce and credential (§7, §8) ---------------------------------------------------

    def nonce(self, token: TokenResponse) -> str | None:
        if self.metadata.nonce_endpoint is None:
            return token.c_nonce
        response = self._client.post_form(self.metadata.nonce_endpoint, {})
        value = _json_object(response).get("c_nonce")
        if not isinstance(value, str) or not value:
            raise MalformedResponseError("the nonce response has no c_nonce")
        return value

    def request_credential(
        self,
        token: TokenResponse,
        configuration: CredentialConfiguration,
        signers: Sequence[Signer],
        credential_identifier: str | None = None,
    ) -> IssuedCredentials:
        """One request with one proof per signer; retried once with a fresh nonce when the
        issuer says ``invalid_nonce`` (§8.3.1.2)."""
        nonce = self.nonce(token)
        retried = False
        while True:
            body = self._credential_body(configuration, signers, nonce, credential_identifier)
            response = self._client.post_json(
                self.metadata.credential_endpoint,
                body,
                headers=token.authorization,
                allow_status=_OAUTH_ERRORS,
            )
            answer = _json_object(response)
            if response.status in (200, 202):
                return parse_credential_response(answer, response.status)
            error = answer.get("error")
            fresh = answer.get("c_nonce")  # draft 13 hands the new nonce in the error body
            stale_nonce = error == "invalid_nonce" or (
                error == "invalid_proof" and isinstance(fresh, str)
            )
            if retried or not stale_nonce:
                raise _oauth_error(answer, "the credential request was refused")
            retried = True
            nonce = fresh if isinstance(fresh, str) else self.nonce(token)

    def _credential_body(
        self,
        configuration: CredentialConfiguration,
        signers: Sequence[Signer],
        nonce: str | None,
        credential_identifier: str | None,
    ) -> dict[str, Any]:
        now = int(self._clock.now())
        by_did = binds_by_did(configuration)
        audience = self.metadata.credential_issuer
        proofs = [
            proof_jwt(signer, audience=audience, nonce=nonce, issued_at=now, by_did=by_did)
            for signer in signers
        ]
        if self.metadata.draft13:
            body: dict[str, Any] = {"format": configuration.format}
            if configuration.vct is not None:
                body["vct"] = configuration.vct
            if configuration.credential_definition is not None:
                # only the type identity; the metadata's display parts are not ours to send
                definition = configuration.credential_definition
                body["credential_definition"] = {
                    k: definition[k] for k in ("type", "@context") if k in definition
                }
            if proofs:
                body["proof"] = {"proof_type": "jwt", "jwt": proofs[0]}
            return body
        body = (
            {"credential_identifier": credential_identifier}
            if credential_identifier is not None
            else {"credential_configuration_id": configuration.id}
        )
        if proofs:
            body["proofs"] = {"jwt": proofs}
        return body

    def _configuration(self, configuration_id: str) -> CredentialConfiguration:
        try:
            return self.metadata.configurations[configuration_id]
        except KeyError:
            raise IssuanceError(f"the issuer does not describe {configuration_id!r}") from None

    # -- deferred and notification (§9, §10) ---------------------------------------------

    def deferred(self, token: TokenResponse, transaction_id: str) -> IssuedCredentials:
        endpoint = self.metadata.deferred_credential_endpoint
        if endpoint is None:
            raise IssuanceError("the issuer deferred issuance but has no deferred endpoint")
        response = self._client.post_json(
            endpoint,
            {"transaction_id": transaction_id},
            headers=token.authorization,
            allow_status=_OAUTH_ERRORS,
        )
        answer = _json_object(response)
        if response.status in (200, 202):
            issued = parse_credential_response(answer, response.status)
            return (
                issued
                if issued.credentials
                else IssuedCredentials(transaction_id=transaction_id, interval=issued.interval)
            )
        if answer.get("error") == "issuance_pending":  # draft 13's way of saying "not yet"
            interval = answer.get("interval")
            return IssuedCredentials(
                transaction_id=transaction_id,
                interval=_interval(interval),
            )
        raise _oauth_error(answer, "the deferred credential request was refused")

    def notify(self, token: TokenResponse, notification_id: str, event: str) -> None:
        endpoint = self.metadata.notification_endpoint
        if endpoint is None:
            return
        response = self._client.post_json(
            endpoint,
            {"notification_id": notification_id, "event": event},
            headers=token.authorization,
            allow_status=_OAUTH_ERRORS,
        )
        if response.status >= 300:
            raise _oauth_error(_json_object(response), "the notification was refused")


def parse_token_response(body: Mapping[str, Any]) -> TokenResponse:
    """A successful token response (OpenID4VCI 1.0 §6.2, RFC 6749 §5.1)."""
    token, kind = body.get("access_token"), body.get("token_type", BEARER)
    if not isinstance(token, str) or not token or not isinstance(kind, str):
        raise MalformedResponseError("the token response has no usable access_token")
    if kind.lower() != "bearer":
        raise IssuanceError(f"token type {kind!r} is not supported (DPoP is not yet)")
    identifiers: dict[str, tuple[str, ...]] = {}
    details = body.get("authorization_details")
    for detail in details if isinstance(details, list) else []:
        if isinstance(detail, dict) and isinstance(detail.get("credential_identifiers"), list):
            configuration = str(detail.get("credential_configuration_id", ""))
            named = detail["credential_identifiers"]
            identifiers[configuration] = tuple(i for i in named if isinstance(i, str) and i)
    expires = body.get("expires_in")
    nonce = body.get("c_nonce")
    return TokenResponse(
        access_token=token,
        token_type=kind,
        expires_in=(
            float(expires)
            if isinstance(expires, int | float) and not isinstance(expires, bool)
            else None
        ),
        c_nonce=nonce if isinstance(nonce, str) else None,
        credential_identifiers=identifiers,
    )


def parse_credential_response(answer: Mapping[str, Any], status: int) -> IssuedCredentials:
    """A credential response: immediate (§8.3) or deferred (202, ``transaction_id``)."""
    notification = answer.get("notification_id")
    notification_id = notification if isinstance(notification, str) else None
    if status == 202 or (
        "transaction_id" in answer and "credentials" not in answer and "credential" not in answer
    ):
        transaction = answer.get("transaction_id")
        interval = answer.get("interval")
        if not isinstance(transaction, str) or not transaction:
            raise MalformedResponseError("a deferred response needs a transaction_id")
        return IssuedCredentials(
            transaction_id=transaction,
            interval=_interval(interval),
            notification_id=notification_id,
        )
    if "credentials" in answer:  # 1.0: [{"credential": ...}, ...]
        entries = answer["credentials"]
        if not isinstance(entries, list) or not entries:
            raise MalformedResponseError("credentials must be a non-empty array")
        values = [entry.get("credential") if isinstance(entry, dict) else None for entry in entries]
    else:  # draft 13: a single "credential"
        values = [answer.get("credential")]
    # §8.3: a string, or a JSON object for formats issued as JSON (ldp_vc); what a string or
    # object must hold is for the credential's format to say.
    issued = tuple(value for value in values if isinstance(value, str | dict) and value)
    if len(issued) != len(values):
        raise MalformedResponseError("a credential must be a non-empty string or JSON object")
    return IssuedCredentials(credentials=issued, notification_id=notification_id)


def _interval(value: Any) -> float | None:
    """A polling interval, kept between a second and a day whatever the issuer says."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return float(min(max(value, 1.0), 86_400.0))


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_object(response: HttpResponse) -> dict[str, Any]:
    if not response.content:
        return {}
    try:
        value = json.loads(response.content, parse_constant=_no_constants)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise MalformedResponseError("the issuer answered with invalid JSON") from exc
    if not isinstance(value, dict):
        raise MalformedResponseError("the issuer answered with JSON that is not an object")
    return value


def _oauth_error(body: Mapping[str, Any], what: str) -> IssuanceError:
    error = body.get("error")
    code = error if isinstance(error, str) else None
    description = body.get("error_description")
    detail = f": {description[:200]}" if isinstance(description, str) else ""
    return IssuanceError(f"{what} ({code or 'no error code'}){detail}", oauth_error=code)
