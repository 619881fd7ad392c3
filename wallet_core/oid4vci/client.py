"""The holder's side of the OpenID4VCI conversation: token, nonce, credential, deferred,
notification and the authorization-code request (OpenID4VCI 1.0 §5-§11, draft 13 compatible).

When the authorization server offers DPoP (RFC 9449; HAIP 1.0 §4 makes it the rule), every
request to it (PAR, token) and every use of the access token carries a proof by the
session's DPoP key (:mod:`~wallet_core.oid4vci.dpop`), with the one retry a server that asks
for a fresh ``DPoP-Nonce`` gets.

Nothing here stores anything or decides what to trust; ``wallet.py`` verifies what comes
back before it keeps it. All HTTP goes through ``wallet_core.http`` under the wallet's policy.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from wallet_core.clock import Clock
from wallet_core.crypto import Signer
from wallet_core.crypto.jwk import b64url
from wallet_core.errors import IssuanceError, MalformedResponseError, OfferExpiredError
from wallet_core.http import HttpClient, HttpResponse
from wallet_core.oid4vci.attestation import ClientAttestation
from wallet_core.oid4vci.authorization import AuthorizationRequest
from wallet_core.oid4vci.dpop import DpopKey, algorithm_for, asks_for_nonce
from wallet_core.oid4vci.encryption import ACCEPT, Exchange
from wallet_core.oid4vci.models import (
    AuthorizationServerMetadata,
    CredentialConfiguration,
    CredentialOffer,
    IssuerMetadata,
    PreAuthorizedGrant,
)
from wallet_core.oid4vci.proofs import binds_by_did, proof_jwt, request_body
from wallet_core.oid4vci.responses import (
    IssuedCredentials,
    TokenResponse,
    interval_of,
    json_object,
    oauth_error,
    parse_credential_response,
    parse_token_response,
)

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
WALLET_CLIENT_ID = "eduwallet"  # a public client (RFC 6749 §2.1); no registration needed
_OAUTH_ERRORS = (400, 401, 403)
Send = Callable[[Mapping[str, str]], HttpResponse]


class IssuerClient:
    """One conversation with one Credential Issuer and its Authorization Server."""

    def __init__(
        self,
        client: HttpClient,
        metadata: IssuerMetadata,
        authorization_server: AuthorizationServerMetadata,
        clock: Clock,
        attestation: ClientAttestation | None = None,
    ) -> None:
        self._client = client
        #: the wallet attestation this session authenticates with (Appendix E), if any
        self.attestation = attestation
        self.metadata = metadata
        self.authorization_server = authorization_server
        self._clock = clock
        #: this session's DPoP key: made at the first request to a server that offers DPoP,
        #: or the one a deferred poll or a notification must go on with
        self.dpop: DpopKey | None = None

    def use_dpop_key(self, signer: Signer) -> None:
        """Go on with the DPoP key an earlier request of this session proved with."""
        self.dpop = DpopKey(signer, self._clock)

    @property
    def client_id(self) -> str:
        """Who the wallet says it is: its wallet attestation's ``sub`` (HAIP 1.0 §4.4.1), or
        the public client id every instance shares."""
        return self.attestation.client_id if self.attestation is not None else WALLET_CLIENT_ID

    def _key_attestation(
        self, configuration: CredentialConfiguration, signers: Sequence[Signer], nonce: str | None
    ) -> str | None:
        """One key attestation of all the keys of the request (HAIP 1.0 §4.5.1), when the
        configuration asks for one."""
        if not configuration.key_attestation_required or not signers:
            return None
        if self.attestation is None:
            raise IssuanceError("the issuer wants the keys attested by a wallet provider")
        return self.attestation.key_attestation([s.public_jwk for s in signers], nonce)

    def _session_key(self) -> DpopKey | None:
        if self.dpop is None:
            alg = algorithm_for(self.authorization_server.dpop_signing_alg_values)
            if alg is not None:
                self.dpop = DpopKey.fresh(alg, self._clock)
        return self.dpop

    def _send(
        self,
        url: str,
        send: Send,
        token: TokenResponse | None = None,
        read: Callable[[HttpResponse], dict[str, Any]] = json_object,
    ) -> tuple[HttpResponse, dict[str, Any]]:
        """One request, with its DPoP proof (and the access token, when ``token``); sent once
        more with the fresh ``DPoP-Nonce`` when the server asks for one (RFC 9449 §8, §9)."""
        key = self._session_key() if token is None or token.bound else None
        if token is not None and token.bound and key is None:
            raise IssuanceError("the access token is bound to a DPoP key this session lacks")

        def once() -> tuple[HttpResponse, dict[str, Any]]:
            if key is not None:
                headers = key.headers("POST", url, token.access_token if token else None)
            else:
                headers = {"Authorization": f"Bearer {token.access_token}"} if token else {}
            if token is None and self.attestation is not None:  # the authorization server
                headers.update(self.attestation.headers(self.authorization_server.issuer))
            response = send(headers)
            return response, read(response)

        response, body = once()
        if key is not None and key.remember(response) and asks_for_nonce(response, body):
            response, body = once()
            key.remember(response)
        return response, body

    # -- token (§6) --------------------------------------------------------------------

    def token_pre_authorized(
        self, grant: PreAuthorizedGrant, tx_code: str | None, configuration_ids: Sequence[str]
    ) -> TokenResponse:
        if grant.tx_code is not None and not tx_code:
            raise IssuanceError(
                "this offer needs the transaction code", oauth_error="invalid_request"
            )
        form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": grant.code}
        if self.attestation is not None:  # authenticated, so no longer anonymous access
            form["client_id"] = self.client_id
        if grant.tx_code is not None and tx_code is not None:
            # drafts up to 12 called it user_pin; draft 13 and 1.0 call it tx_code
            form["user_pin" if grant.legacy_user_pin else "tx_code"] = tx_code
        if not self.metadata.draft13:
            form["authorization_details"] = self._authorization_details(configuration_ids)
        try:
            return self._token(form)
        except IssuanceError as exc:
            if exc.oauth_error == "invalid_grant" and grant.tx_code is None:
                raise OfferExpiredError("the offer has expired or was used already") from exc
            raise

    def token_authorization_code(self, code: str, request: AuthorizationRequest) -> TokenResponse:
        return self._token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "code_verifier": request.code_verifier,
                "redirect_uri": request.redirect_uri,
                "client_id": self.client_id,
            }
        )

    def _token(self, form: Mapping[str, str]) -> TokenResponse:
        endpoint = self.authorization_server.token_endpoint
        response, body = self._send(
            endpoint,
            lambda headers: self._client.post_form(
                endpoint, form, headers=headers, allow_status=_OAUTH_ERRORS
            ),
        )
        if response.status != 200:
            raise oauth_error(body, "the token request was refused")
        token = parse_token_response(body)
        if token.bound and self.dpop is None:
            raise IssuanceError("the token is bound to DPoP, which this server does not offer")
        return token

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
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "code_challenge": b64url(hashlib.sha256(verifier.encode("ascii")).digest()),
            "code_challenge_method": "S256",
        }
        ids = offer.credential_configuration_ids
        scopes = [self._configuration(i).scope for i in ids]
        if all(scopes):  # HAIP 1.0 §4.2, §4.3: the configuration's scope, when it has one
            params["scope"] = " ".join(dict.fromkeys(s for s in scopes if s))  # once each
        else:
            params["authorization_details"] = self._authorization_details(ids)
        grant = offer.authorization_code
        if grant is not None and grant.issuer_state is not None:
            params["issuer_state"] = grant.issuer_state
        par = server.pushed_authorization_request_endpoint
        if par is not None:
            # with a DPoP proof, the code is bound to the session's key (RFC 9449 §10.1)
            response, body = self._send(
                par,
                lambda headers: self._client.post_form(
                    par, params, headers=headers, allow_status=_OAUTH_ERRORS
                ),
            )
            if response.status not in (200, 201):
                raise oauth_error(body, "the pushed authorization request was refused")
            request_uri = body.get("request_uri")
            if not isinstance(request_uri, str) or not request_uri:
                raise MalformedResponseError("the PAR response has no request_uri")
            query = {"client_id": self.client_id, "request_uri": request_uri}
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

    # -- nonce and credential (§7, §8) ---------------------------------------------------

    def nonce(self, token: TokenResponse) -> str | None:
        if self.metadata.nonce_endpoint is None:
            return token.c_nonce
        response = self._client.post_form(self.metadata.nonce_endpoint, {})
        if token.bound and self.dpop is not None:
            self.dpop.remember(response)  # HAIP 1.0 §4: a DPoP-Nonce may come with it
        value = json_object(response).get("c_nonce")
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
            response, answer = self._post_json(
                self.metadata.credential_endpoint, body, token, encrypted=True
            )
            if response.status in (200, 202):
                return parse_credential_response(answer, response.status)
            error = answer.get("error")
            fresh = answer.get("c_nonce")  # draft 13 hands the new nonce in the error body
            stale_nonce = error == "invalid_nonce" or (
                error == "invalid_proof" and isinstance(fresh, str)
            )
            if retried or not stale_nonce:
                raise oauth_error(answer, "the credential request was refused")
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
        attested = self._key_attestation(configuration, signers, nonce)
        proofs = [
            proof_jwt(
                signer,
                audience=audience,
                nonce=nonce,
                issued_at=now,
                by_did=by_did,
                key_attestation=attested,
            )
            for signer in signers
        ]
        return request_body(
            configuration,
            proofs,
            draft13=self.metadata.draft13,
            credential_identifier=credential_identifier,
        )

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
        body = {"transaction_id": transaction_id}
        response, answer = self._post_json(endpoint, body, token, encrypted=True)
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
                interval=interval_of(interval),
            )
        raise oauth_error(answer, "the deferred credential request was refused")

    def notify(self, token: TokenResponse, notification_id: str, event: str) -> None:
        endpoint = self.metadata.notification_endpoint
        if endpoint is None:
            return
        body = {"notification_id": notification_id, "event": event}
        response, answer = self._post_json(endpoint, body, token)
        if response.status >= 300:
            raise oauth_error(answer, "the notification was refused")

    def _post_json(
        self, url: str, body: Mapping[str, Any], token: TokenResponse, *, encrypted: bool = False
    ) -> tuple[HttpResponse, dict[str, Any]]:
        """``encrypted``: under the issuer's request and response encryption, when it offers
        them (the credential and deferred endpoints, §10)."""
        exchange = Exchange(self.metadata.encryption if encrypted else None)
        content, media_type = exchange.content(body)
        return self._send(
            url,
            lambda headers: self._client.post_content(
                url,
                content,
                media_type,
                accept=ACCEPT,
                headers=headers,
                allow_status=_OAUTH_ERRORS,
            ),
            token,
            read=exchange.answer,
        )
