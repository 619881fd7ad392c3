"""The authorization code flow's wallet-side records and checks (OpenID4VCI 1.0 §5; RFC
6749 §4.1, RFC 7636 PKCE, RFC 9207 ``iss``): what the wallet remembers between sending the
student to log in and the redirect back, and how that redirect is checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from wallet_core.errors import IssuanceError
from wallet_core.oid4vci.models import AuthorizationServerMetadata


@dataclass(frozen=True)
class AuthorizationRequest:
    """What ``finish`` needs to check the redirect and redeem the code; kept in memory only."""

    url: str = field(repr=False)
    state: str = field(repr=False)
    code_verifier: str = field(repr=False)
    redirect_uri: str = ""
    configuration_ids: tuple[str, ...] = ()


def code_from_redirect(
    request: AuthorizationRequest, redirect_url: str, server: AuthorizationServerMetadata
) -> str:
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
    if issuer is not None and issuer != server.issuer:
        raise IssuanceError("the authorization response comes from another server (iss)")
    if issuer is None and server.authorization_response_iss_parameter_supported:
        raise IssuanceError("the authorization response lacks the iss parameter (RFC 9207)")
    if "error" in query:
        raise IssuanceError(
            f"the authorization was refused: {query['error']}", oauth_error=query["error"]
        )
    code = query.get("code")
    if not code:
        raise IssuanceError("the authorization response carries no code")
    return code
