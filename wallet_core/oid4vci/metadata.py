"""Credential Issuer Metadata and OAuth Authorization Server Metadata (OpenID4VCI 1.0 §12).

Where the documents live:

* **Credential Issuer Metadata** (1.0 §12.2.2): ``/.well-known/openid-credential-issuer``
  *inserted* between host and path: ``https://issuer.example/tenant`` →
  ``https://issuer.example/.well-known/openid-credential-issuer/tenant``. A trailing ``/`` of
  the path is dropped first, as RFC 8414 §3.1 does for the same construction. Draft 13
  (§11.2.2) *appended* the suffix to the identifier instead (after removing a terminating
  ``/``). For an identifier without a path both forms are the same URL; for one with a path,
  when the inserted URL answers 404 we try the appended one once, and metadata found only
  there is marked ``draft13``. Nothing else (5xx, timeouts, bad documents) falls back: those
  say nothing about where the document lives.
* **Authorization Server Metadata** (1.0 §12.2.4 ``authorization_servers``, RFC 8414 §3):
  ``/.well-known/oauth-authorization-server`` inserted after the host; when that answers
  with a 4xx status, the OpenID Connect Discovery 1.0 §4 location (``/.well-known/
  openid-configuration`` appended to the issuer) is tried, because many deployed
  authorization servers only publish that one. Either way ``issuer`` must equal the
  identifier exactly (RFC 8414 §3.3, OIDC Discovery §4.3). Without ``authorization_servers``
  the Credential Issuer is its own authorization server (§12.2.4).

Checks: ``credential_issuer`` must be *identical* to the identifier the URL was built from
(§12.2.4: "simple string comparison with no normalization", else the data "MUST NOT be
used") → :class:`IssuerMismatchError`. Every endpoint must be a URL the wallet may contact
under its :class:`~wallet_core.http.HttpPolicy` (https; §12.2.4 "MUST use the https
scheme"); anything else malformed → :class:`IssuerMetadataError`.

Signed metadata. 1.0 §12.2.3: the whole document may come as a JWT (``application/jwt``,
``typ: openidvci-issuer-metadata+jwt``, ``sub`` = the identifier, ``iat`` required). Draft 13
§11.2.3 instead carries a ``signed_metadata`` JWT inside the JSON whose claims "MUST take
precedence" over the plain values. We ask for / use signed metadata only when the caller
passes a ``key_resolver`` (e.g. :class:`~wallet_core.trust.IssuerKeyResolver`, which handles
``x5c`` chains to trust anchors, DIDs and ``jwt-vc-issuer`` keys): the spec requires that
the wallet "establish trust in the signer", and without a way to do so a wallet that does not
support signed metadata ignores it. With a resolver, a signature that does not verify makes
the whole metadata unusable (never a silent fall-back to the unsigned values, which an
attacker could then control). ``IssuerMetadata.signed`` records a verified signature.

Dialect (``IssuerMetadata.draft13``). The client uses it to choose draft-13 requests
(``format``-based credential request, single ``proof``, ``c_nonce`` from the token
response). It is set when the document shows draft-13-only traits — ``vc+sd-jwt`` format,
``claims`` as a nested object map, ``credential_definition.credentialSubject`` (or
``@context``/``type(s)`` on the configuration itself, drafts ≤ 12),
``batch_credential_endpoint``, ``credential_identifiers_supported``, ``signed_metadata`` — or
was found only at the appended location, *unless* it has a ``nonce_endpoint``, which only
issuers from draft 14 on (request by ``credential_configuration_id``) publish.

Display data is cosmetic, so it is parsed leniently where that cannot hurt: entries with a
field of the wrong type lose that field (a credential display without ``name`` is skipped),
a second entry for the same locale is ignored, colours other than CSS hex / ``rgb()`` are
dropped (the UI takes hex), and a logo URI is kept only if it is a ``data:image/`` URI or a
URL the policy allows fetching (so a logo cannot point the UI at a private network). The
structure (arrays being arrays, objects being objects) is still enforced.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from wallet_core import http
from wallet_core.clock import Clock, SystemClock
from wallet_core.crypto import verify_compact
from wallet_core.crypto.jwk import b64url_decode
from wallet_core.errors import (
    CredentialError,
    HttpStatusError,
    InsecureUrlError,
    IssuerMetadataError,
    IssuerMismatchError,
    MalformedResponseError,
    NetworkError,
    OfferError,
    UnexpectedContentTypeError,
)
from wallet_core.http import HttpClient, HttpPolicy
from wallet_core.oid4vci.configurations import (
    parse_configuration,
    parse_displays,
    string_list,
)
from wallet_core.oid4vci.encryption import parse_encryption
from wallet_core.oid4vci.models import (
    AuthorizationServerMetadata,
    CredentialConfiguration,
    IssuerMetadata,
)

__all__ = [
    "AS_WELL_KNOWN",
    "ISSUER_WELL_KNOWN",
    "OIDC_WELL_KNOWN",
    "SIGNED_METADATA_TYP",
    "KeyResolver",
    "authorization_server_for",
    "authorization_server_metadata_urls",
    "fetch_authorization_server_metadata",
    "fetch_issuer_metadata",
    "issuer_metadata_url",
    "legacy_issuer_metadata_url",
    "parse_authorization_server_metadata",
    "parse_issuer_metadata",
    "parse_signed_issuer_metadata",
]

ISSUER_WELL_KNOWN = "/.well-known/openid-credential-issuer"
AS_WELL_KNOWN = "/.well-known/oauth-authorization-server"
OIDC_WELL_KNOWN = "/.well-known/openid-configuration"
SIGNED_METADATA_TYP = "openidvci-issuer-metadata+jwt"

# (iss, protected header) -> public JWK; IssuerKeyResolver has this shape.
KeyResolver = Callable[[str | None, Mapping[str, Any]], Mapping[str, Any]]

# Registered JWT claims of the signed-metadata JWT; they are not metadata parameters.
_JWT_CLAIMS = frozenset({"iss", "sub", "aud", "iat", "exp", "nbf", "jti"})
_CLOCK_LEEWAY = 60.0  # seconds of clock skew tolerated on the signed metadata's exp


# -- where --------------------------------------------------------------------------------


def issuer_metadata_url(issuer: str, policy: HttpPolicy) -> str:
    """1.0 §12.2.2: the well-known suffix inserted between host and path."""
    scheme, netloc, path = _identifier_parts(issuer, policy)
    return f"{scheme}://{netloc}{ISSUER_WELL_KNOWN}{path.rstrip('/')}"


def legacy_issuer_metadata_url(issuer: str, policy: HttpPolicy) -> str:
    """Draft 13 §11.2.2: the suffix appended, after removing a terminating ``/``."""
    scheme, netloc, path = _identifier_parts(issuer, policy)
    return f"{scheme}://{netloc}{path.rstrip('/')}{ISSUER_WELL_KNOWN}"


def authorization_server_metadata_urls(issuer: str, policy: HttpPolicy) -> tuple[str, str]:
    """RFC 8414 §3.1 (inserted) and OIDC Discovery §4.1 (appended), in the order tried."""
    scheme, netloc, path = _identifier_parts(issuer, policy)
    trimmed = path.rstrip("/")
    return (
        f"{scheme}://{netloc}{AS_WELL_KNOWN}{trimmed}",
        f"{scheme}://{netloc}{trimmed}{OIDC_WELL_KNOWN}",
    )


def _identifier_parts(identifier: str, policy: HttpPolicy) -> tuple[str, str, str]:
    """§12.2.1 / RFC 8414 §2: https, host, optional port and path, no query or fragment.

    A scheme or host the policy forbids raises :class:`InsecureUrlError` (the caller asked
    to contact it); any other flaw :class:`IssuerMetadataError`.
    """
    if not isinstance(identifier, str) or not identifier:
        raise IssuerMetadataError("the issuer identifier is not a non-empty string")
    try:
        parts = urlsplit(identifier)
    except ValueError as exc:
        raise IssuerMetadataError("the issuer identifier is not a URL") from exc
    if "?" in identifier or "#" in identifier or not parts.netloc:
        raise IssuerMetadataError("the issuer identifier must be a URL without query or fragment")
    http.check_url(identifier, policy)
    return parts.scheme, parts.netloc, parts.path


# -- Credential Issuer Metadata ----------------------------------------------------------


def fetch_issuer_metadata(
    issuer: str,
    client: HttpClient,
    *,
    key_resolver: KeyResolver | None = None,
    clock: Clock | None = None,
) -> IssuerMetadata:
    """Fetch, check and parse the metadata of the Credential Issuer ``issuer``.

    With ``key_resolver`` the request also accepts ``application/jwt`` (1.0 §12.2.2: the
    Accept header signals support for signed metadata) and a draft-13 ``signed_metadata``
    is verified and preferred. Network failures raise the :mod:`wallet_core.http` errors.
    """
    policy = client.policy
    primary = issuer_metadata_url(issuer, policy)
    accept = "application/jwt, application/json" if key_resolver is not None else "application/json"
    legacy_location = False
    try:
        response = client.get(primary, accept=accept)
    except HttpStatusError as exc:
        appended = legacy_issuer_metadata_url(issuer, policy)
        if exc.status != 404 or appended == primary:
            raise
        try:
            response = client.get(appended, accept=accept)
        except HttpStatusError:
            # Not there either: the answer for the location 1.0 defines is the one to report.
            raise exc from None
        legacy_location = True
    if response.media_type == "application/jwt":
        if key_resolver is None:  # not asked for; http already refuses this, stay explicit
            raise UnexpectedContentTypeError("signed metadata arrived but was not asked for")
        try:
            token = response.text().strip()
        except NetworkError as exc:
            raise MalformedResponseError("the signed metadata is not text") from exc
        return parse_signed_issuer_metadata(token, issuer, policy, key_resolver, clock=clock)
    return _issuer_metadata(
        response.json(),
        issuer,
        policy,
        key_resolver=key_resolver,
        clock=clock,
        legacy_location=legacy_location,
    )


def parse_issuer_metadata(
    document: Mapping[str, Any],
    expected_issuer: str,
    policy: HttpPolicy,
    *,
    key_resolver: KeyResolver | None = None,
    clock: Clock | None = None,
) -> IssuerMetadata:
    """Validate an unsigned metadata document (1.0 §12.2.4 or draft 13 §11.2.3); no I/O.

    A draft-13 ``signed_metadata`` member is verified (and preferred) only when
    ``key_resolver`` is given; the resolver itself may fetch keys.
    """
    return _issuer_metadata(
        document, expected_issuer, policy, key_resolver=key_resolver, clock=clock
    )


def parse_signed_issuer_metadata(
    token: str,
    expected_issuer: str,
    policy: HttpPolicy,
    key_resolver: KeyResolver,
    *,
    clock: Clock | None = None,
) -> IssuerMetadata:
    """1.0 §12.2.3: metadata that came as a JWT (``application/jwt``)."""
    claims = _verified_claims(token, expected_issuer, key_resolver, clock, require_typ=True)
    if "signed_metadata" in claims:
        raise IssuerMetadataError("signed metadata must not nest signed_metadata")
    document = {name: value for name, value in claims.items() if name not in _JWT_CLAIMS}
    return _build_issuer_metadata(document, expected_issuer, policy, signed=True)


def _issuer_metadata(
    document: Any,
    expected_issuer: str,
    policy: HttpPolicy,
    *,
    key_resolver: KeyResolver | None,
    clock: Clock | None,
    legacy_location: bool = False,
) -> IssuerMetadata:
    if not isinstance(document, Mapping):
        raise IssuerMetadataError("the Credential Issuer Metadata is not a JSON object")
    signed = False
    if key_resolver is not None and "signed_metadata" in document:
        token = document["signed_metadata"]
        if not isinstance(token, str):
            raise IssuerMetadataError("signed_metadata is not a string")
        claims = _verified_claims(token, expected_issuer, key_resolver, clock, require_typ=False)
        if "signed_metadata" in claims:
            # Draft 13 §11.2.3: "A signed_metadata metadata value MUST NOT appear as a claim".
            raise IssuerMetadataError("signed_metadata must not appear inside the signed JWT")
        signed_values = {k: v for k, v in claims.items() if k not in _JWT_CLAIMS}
        # Draft 13 §11.2.3: signed values "MUST take precedence" over the plain ones.
        document = {**document, **signed_values}
        signed = True
    return _build_issuer_metadata(
        document, expected_issuer, policy, signed=signed, legacy_location=legacy_location
    )


def _build_issuer_metadata(
    document: Mapping[str, Any],
    expected_issuer: str,
    policy: HttpPolicy,
    *,
    signed: bool,
    legacy_location: bool = False,
) -> IssuerMetadata:
    _identifier_parts(expected_issuer, policy)
    if document.get("credential_issuer") != expected_issuer:
        raise IssuerMismatchError(
            "the metadata is for another credential issuer than the one asked for"
        )
    servers = document.get("authorization_servers")
    authorization_servers: tuple[str, ...] = ()
    if servers is not None:
        if not isinstance(servers, list) or not servers:
            raise IssuerMetadataError("authorization_servers is not a non-empty array")
        for server in servers:
            _url(server, "authorization_servers", policy)
        authorization_servers = tuple(servers)
    raw_configurations = document.get("credential_configurations_supported")
    if not isinstance(raw_configurations, Mapping):
        raise IssuerMetadataError("credential_configurations_supported is not an object")
    configurations: dict[str, CredentialConfiguration] = {}
    traits = {"batch_credential_endpoint", "credential_identifiers_supported", "signed_metadata"}
    legacy = legacy_location or any(name in document for name in traits)
    for configuration_id, value in raw_configurations.items():
        configuration, legacy_shape = parse_configuration(configuration_id, value, policy)
        configurations[configuration_id] = configuration
        legacy = legacy or legacy_shape
    nonce_endpoint = _endpoint(document, "nonce_endpoint", policy)
    credential_endpoint = _endpoint(document, "credential_endpoint", policy)
    if credential_endpoint is None:
        raise IssuerMetadataError("the metadata has no credential_endpoint")
    return IssuerMetadata(
        credential_issuer=expected_issuer,
        credential_endpoint=credential_endpoint,
        configurations=configurations,
        nonce_endpoint=nonce_endpoint,
        deferred_credential_endpoint=_endpoint(document, "deferred_credential_endpoint", policy),
        notification_endpoint=_endpoint(document, "notification_endpoint", policy),
        authorization_servers=authorization_servers,
        batch_size=_batch_size(document.get("batch_credential_issuance")),
        display=parse_displays(document.get("display"), "display", policy, name_required=False),
        draft13=legacy and nonce_endpoint is None,
        signed=signed,
        encryption=parse_encryption(document),
        raw=dict(document),
    )


def _batch_size(value: Any) -> int | None:
    """1.0 §12.2.4 ``batch_credential_issuance.batch_size``: an integer, 2 or greater."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise IssuerMetadataError("batch_credential_issuance is not an object")
    size = value.get("batch_size")
    if isinstance(size, bool) or not isinstance(size, int) or size < 2:
        raise IssuerMetadataError("batch_credential_issuance.batch_size must be an integer ≥ 2")
    return size


# -- signed metadata ---------------------------------------------------------------------


def _verified_claims(
    token: str,
    expected_issuer: str,
    key_resolver: KeyResolver,
    clock: Clock | None,
    *,
    require_typ: bool,
) -> dict[str, Any]:
    """Verify a signed-metadata JWT and return its claims (1.0 §12.2.3, draft 13 §11.2.3)."""
    header, payload = _decode_unverified(token)
    typ = header.get("typ")
    if require_typ and typ != SIGNED_METADATA_TYP:
        raise IssuerMetadataError(f"signed metadata must have typ {SIGNED_METADATA_TYP}")
    iss = payload.get("iss")
    sub = payload.get("sub")
    # The key belongs to the attesting party (iss), which 1.0 lets default to the issuer.
    signer = iss if isinstance(iss, str) else sub if isinstance(sub, str) else None
    key = key_resolver(signer, header)
    try:
        _, verified = verify_compact(token, key)
    except CredentialError as exc:
        # InvalidSignatureError / MalformedCredentialError name a *credential*; here the
        # metadata is what cannot be trusted.
        raise IssuerMetadataError("the signed metadata does not verify") from exc
    claims = _json_object(verified, "the signed metadata payload")
    if claims.get("sub") != expected_issuer:
        raise IssuerMismatchError("the signed metadata is about another credential issuer")
    iat = claims.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        raise IssuerMetadataError("the signed metadata has no numeric iat")
    exp = claims.get("exp")
    if exp is not None:
        if isinstance(exp, bool) or not isinstance(exp, int | float):
            raise IssuerMetadataError("the signed metadata's exp is not a number")
        now = (clock if clock is not None else SystemClock()).now()
        if now > exp + _CLOCK_LEEWAY:
            raise IssuerMetadataError("the signed metadata has expired")
    return claims


def _decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload, read only to find the key; trusted only after verification."""
    segments = token.split(".")
    if len(segments) != 3:
        raise IssuerMetadataError("the signed metadata is not a compact JWS")
    try:
        header_bytes = b64url_decode(segments[0])
        payload_bytes = b64url_decode(segments[1])
    except ValueError as exc:
        raise IssuerMetadataError("the signed metadata is not base64url") from exc
    return (
        _json_object(header_bytes, "the signed metadata header"),
        _json_object(payload_bytes, "the signed metadata payload"),
    )


def _json_object(content: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise IssuerMetadataError(f"{what} is not JSON") from exc
    if not isinstance(value, dict):
        raise IssuerMetadataError(f"{what} is not a JSON object")
    return value


# -- endpoints ---------------------------------------------------------------------------


def _endpoint(document: Mapping[str, Any], name: str, policy: HttpPolicy) -> str | None:
    value = document.get(name)
    if value is None:
        return None
    return _url(value, name, policy)


def _url(value: Any, name: str, policy: HttpPolicy) -> str:
    """An endpoint the wallet will call: a URL the policy allows (https)."""
    if not isinstance(value, str) or not value:
        raise IssuerMetadataError(f"{name} is not a URL")
    try:
        http.check_url(value, policy)
    except InsecureUrlError as exc:
        # The document declares an endpoint we may not use: the metadata is at fault.
        raise IssuerMetadataError(f"{name} is not an https URL the wallet may use") from exc
    return value


# -- Authorization Server Metadata -------------------------------------------------------


def authorization_server_for(metadata: IssuerMetadata, hint: str | None = None) -> str:
    """The authorization server to use for a grant (1.0 §4.1.1, §12.2.4).

    Without ``authorization_servers`` the Credential Issuer is its own authorization server.
    ``hint`` is a grant's ``authorization_server``; it must be one of the listed servers
    ("the Wallet MUST NOT proceed" otherwise). Without a hint the first listed one is used.
    """
    servers = metadata.authorization_servers or (metadata.credential_issuer,)
    if hint is not None:
        # Without authorization_servers only the issuer itself may be named: an offer is
        # unauthenticated and must not choose where the wallet sends the user to log in.
        if hint not in servers:
            raise OfferError("the offer names an authorization server the issuer does not list")
        return hint
    return servers[0]


def fetch_authorization_server_metadata(
    as_issuer: str, client: HttpClient
) -> AuthorizationServerMetadata:
    """RFC 8414 metadata of ``as_issuer``, falling back to OIDC Discovery on a 4xx answer."""
    primary, fallback = authorization_server_metadata_urls(as_issuer, client.policy)
    try:
        document = client.get_json(primary)
    except HttpStatusError as exc:
        if not 400 <= exc.status < 500 or fallback == primary:
            raise
        try:
            document = client.get_json(fallback)
        except HttpStatusError:
            raise exc from None
    return parse_authorization_server_metadata(document, as_issuer, client.policy)


def parse_authorization_server_metadata(
    document: Mapping[str, Any], expected_issuer: str, policy: HttpPolicy
) -> AuthorizationServerMetadata:
    """Validate RFC 8414 §2 metadata with the members the issuance flows use; no I/O."""
    _identifier_parts(expected_issuer, policy)
    if not isinstance(document, Mapping):
        raise IssuerMetadataError("the authorization server metadata is not a JSON object")
    if document.get("issuer") != expected_issuer:
        # RFC 8414 §3.3: "MUST be identical", else "MUST NOT be used".
        raise IssuerMismatchError("the metadata is for another authorization server")
    token_endpoint = _endpoint(document, "token_endpoint", policy)
    if token_endpoint is None:
        raise IssuerMetadataError("the authorization server metadata has no token_endpoint")
    return AuthorizationServerMetadata(
        issuer=expected_issuer,
        token_endpoint=token_endpoint,
        authorization_endpoint=_endpoint(document, "authorization_endpoint", policy),
        pushed_authorization_request_endpoint=_endpoint(
            document, "pushed_authorization_request_endpoint", policy
        ),
        # RFC 9126 §5
        require_pushed_authorization_requests=_flag(
            document, "require_pushed_authorization_requests"
        ),
        code_challenge_methods=string_list(
            document, "code_challenge_methods_supported", "the authorization server metadata"
        ),
        # OpenID4VCI 1.0 §12.3
        pre_authorized_grant_anonymous_access_supported=_flag(
            document, "pre-authorized_grant_anonymous_access_supported"
        ),
        # RFC 9207 §3
        authorization_response_iss_parameter_supported=_flag(
            document, "authorization_response_iss_parameter_supported"
        ),
        # RFC 9449 §5.1
        dpop_signing_alg_values=string_list(
            document, "dpop_signing_alg_values_supported", "the authorization server metadata"
        ),
        raw=dict(document),
    )


def _flag(document: Mapping[str, Any], name: str) -> bool:
    value = document.get(name, False)
    if not isinstance(value, bool):
        raise IssuerMetadataError(f"{name} is not a boolean")
    return value
