"""What an issuer's OAuth and OpenID4VCI endpoints answer, read strictly: token responses
(OpenID4VCI 1.0 §6.2, RFC 6749 §5.1, RFC 9449 §5), credential and deferred responses (§8.3,
§9), and OAuth error bodies. Pure: no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wallet_core.errors import IssuanceError, MalformedResponseError
from wallet_core.http import HttpResponse

BEARER = "Bearer"
DPOP = "DPoP"


@dataclass(frozen=True)
class TokenResponse:
    access_token: str = field(repr=False)
    token_type: str = BEARER
    expires_in: float | None = None
    c_nonce: str | None = field(default=None, repr=False)  # draft 13 only
    credential_identifiers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def bound(self) -> bool:
        """Whether the token is DPoP-bound: each use needs a proof by the session's key."""
        return self.token_type == DPOP


@dataclass(frozen=True)
class IssuedCredentials:
    """A Credential Response: credentials now, or a transaction to poll later."""

    credentials: tuple[str | dict[str, Any], ...] = field(default=(), repr=False)
    notification_id: str | None = None
    transaction_id: str | None = None
    interval: float | None = None


def parse_token_response(body: Mapping[str, Any]) -> TokenResponse:
    """A successful token response (OpenID4VCI 1.0 §6.2, RFC 6749 §5.1)."""
    token, kind = body.get("access_token"), body.get("token_type", BEARER)
    if not isinstance(token, str) or not token or not isinstance(kind, str):
        raise MalformedResponseError("the token response has no usable access_token")
    # token types are case-insensitive (RFC 6749 §5.1)
    known = {BEARER.lower(): BEARER, DPOP.lower(): DPOP}.get(kind.lower())
    if known is None:
        raise IssuanceError(f"token type {kind[:40]!r} is not supported")
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
        token_type=known,
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
            interval=interval_of(interval),
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


def interval_of(value: Any) -> float | None:
    """A polling interval, kept between a second and a day whatever the issuer says."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return float(min(max(value, 1.0), 86_400.0))


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_object(response: HttpResponse) -> dict[str, Any]:
    if not response.content:
        return {}
    try:
        value = json.loads(response.content, parse_constant=_no_constants)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise MalformedResponseError("the issuer answered with invalid JSON") from exc
    if not isinstance(value, dict):
        raise MalformedResponseError("the issuer answered with JSON that is not an object")
    return value


def oauth_error(body: Mapping[str, Any], what: str) -> IssuanceError:
    error = body.get("error")
    code = error if isinstance(error, str) else None
    description = body.get("error_description")
    detail = f": {description[:200]}" if isinstance(description, str) else ""
    return IssuanceError(f"{what} ({code or 'no error code'}){detail}", oauth_error=code)
