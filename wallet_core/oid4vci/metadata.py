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
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

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
from wallet_core.http import HttpPolicy
from wallet_core.models import ClaimPath
from wallet_core.oid4vci.models import (
    AuthorizationServerMetadata,
    ClaimDescription,
    CredentialConfiguration,
    Display,
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

_SD_JWT_FORMATS = frozenset({"dc+sd-jwt", "vc+sd-jwt"})
_W3C_FORMATS = frozenset({"jwt_vc_json", "jwt_vc_json-ld", "ldp_vc", "jwt_vc"})
# Registered JWT claims of the signed-metadata JWT; they are not metadata parameters.
_JWT_CLAIMS = frozenset({"iss", "sub", "aud", "iat", "exp", "nbf", "jti"})
# Draft-13 claim leaves: these keys describe the claim, every other key is a nested claim.
_CLAIM_LEAF_KEYS = frozenset({"mandatory", "value_type", "display"})
_CLOCK_LEEWAY = 60.0  # seconds of clock skew tolerated on the signed metadata's exp
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_RGB_COLOUR = re.compile(r"rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)", re.IGNORECASE)


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
    client: httpx.Client,
    policy: HttpPolicy,
    *,
    key_resolver: KeyResolver | None = None,
    clock: Clock | None = None,
) -> IssuerMetadata:
    """Fetch, check and parse the metadata of the Credential Issuer ``issuer``.

    With ``key_resolver`` the request also accepts ``application/jwt`` (1.0 §12.2.2: the
    Accept header signals support for signed metadata) and a draft-13 ``signed_metadata``
    is verified and preferred. Network failures raise the :mod:`wallet_core.http` errors.
    """
    primary = issuer_metadata_url(issuer, policy)
    accept = "application/jwt, application/json" if key_resolver is not None else "application/json"
    legacy_location = False
    try:
        response = http.get(client, primary, policy, accept=accept)
    except HttpStatusError as exc:
        appended = legacy_issuer_metadata_url(issuer, policy)
        if exc.status != 404 or appended == primary:
            raise
        try:
            response = http.get(client, appended, policy, accept=accept)
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
        configuration, legacy_shape = _configuration(configuration_id, value, policy)
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
        display=_displays(document.get("display"), "display", policy, name_required=False),
        draft13=legacy and nonce_endpoint is None,
        signed=signed,
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


# -- credential configurations -----------------------------------------------------------


def _configuration(
    configuration_id: str, value: Any, policy: HttpPolicy
) -> tuple[CredentialConfiguration, bool]:
    """One ``credential_configurations_supported`` entry; also whether it is draft-13 shaped."""
    where = f"credential configuration {configuration_id!r}"
    if not isinstance(value, Mapping):
        raise IssuerMetadataError(f"{where} is not an object")
    credential_format = value.get("format")
    if not isinstance(credential_format, str) or not credential_format:
        raise IssuerMetadataError(f"{where} has no format")
    legacy = credential_format == "vc+sd-jwt"
    vct = value.get("vct")
    if vct is not None and (not isinstance(vct, str) or not vct):
        raise IssuerMetadataError(f"{where}: vct is not a non-empty string")
    if credential_format in _SD_JWT_FORMATS and vct is None:
        raise IssuerMetadataError(f"{where}: an SD-JWT VC configuration needs vct")
    definition = _credential_definition(value, where)
    # Drafts ≤ 12 described W3C types on the configuration itself.
    legacy = legacy or ("credential_definition" not in value and definition is not None)
    scope = value.get("scope")
    if scope is not None and not isinstance(scope, str):
        raise IssuerMetadataError(f"{where}: scope is not a string")
    signing_algs = value.get("credential_signing_alg_values_supported", [])
    if not isinstance(signing_algs, list) or not all(
        isinstance(alg, str | int) and not isinstance(alg, bool) for alg in signing_algs
    ):
        raise IssuerMetadataError(f"{where}: credential_signing_alg_values_supported is malformed")

    block = value.get("credential_metadata")
    if block is not None and not isinstance(block, Mapping):
        raise IssuerMetadataError(f"{where}: credential_metadata is not an object")
    block = block or {}
    # 1.0 §12.2.4 moved display and claims into credential_metadata; drafts ≤ 15 had them on
    # the configuration itself.
    display_source = block.get("display", value.get("display"))
    display = _displays(display_source, f"{where} display", policy, name_required=True)
    if "claims" in block:
        claims = _claims_array(block["claims"], where)
    else:
        claims, legacy_claims = _legacy_claims(value, definition, credential_format, where)
        legacy = legacy or legacy_claims
    return (
        CredentialConfiguration(
            id=configuration_id,
            format=credential_format,
            vct=vct,
            credential_definition=definition,
            scope=scope,
            cryptographic_binding_methods=_strings(
                value, "cryptographic_binding_methods_supported", where
            ),
            credential_signing_algs=tuple(signing_algs),
            proof_signing_algs=_proof_signing_algs(value.get("proof_types_supported"), where),
            display=display,
            claims=claims,
            raw=dict(value),
        ),
        legacy,
    )


def _credential_definition(value: Mapping[str, Any], where: str) -> Mapping[str, Any] | None:
    definition = value.get("credential_definition")
    if definition is not None:
        if not isinstance(definition, Mapping):
            raise IssuerMetadataError(f"{where}: credential_definition is not an object")
        return dict(definition)
    # Drafts ≤ 12 put ``@context`` / ``type(s)`` / ``credentialSubject`` on the configuration.
    collected = {
        name: value[name] for name in ("@context", "type", "credentialSubject") if name in value
    }
    if "types" in value and "type" not in collected:
        collected["type"] = value["types"]
    return collected or None


def _proof_signing_algs(value: Any, where: str) -> tuple[str, ...]:
    """1.0 §12.2.4 ``proof_types_supported``: each type lists its signing algorithms."""
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise IssuerMetadataError(f"{where}: proof_types_supported is not an object")
    jwt_algs: tuple[str, ...] = ()
    for proof_type, details in value.items():
        if not isinstance(details, Mapping):
            raise IssuerMetadataError(f"{where}: proof type {proof_type!r} is not an object")
        algs = _strings(details, "proof_signing_alg_values_supported", where)
        if not algs:
            raise IssuerMetadataError(
                f"{where}: proof type {proof_type!r} lists no proof_signing_alg_values_supported"
            )
        if proof_type == "jwt":
            jwt_algs = algs
    return jwt_algs


def _strings(value: Mapping[str, Any], name: str, where: str) -> tuple[str, ...]:
    items = value.get(name)
    if items is None:
        return ()
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise IssuerMetadataError(f"{where}: {name} is not an array of strings")
    return tuple(items)


# -- claims ------------------------------------------------------------------------------


def _claims_array(value: Any, where: str) -> tuple[ClaimDescription, ...]:
    """1.0 Appendix B.2: ``[{path, mandatory?, display?}]``, checked per Appendix B.3."""
    if not isinstance(value, list):
        raise IssuerMetadataError(f"{where}: claims is not an array")
    claims: list[ClaimDescription] = []
    for item in value:
        if not isinstance(item, Mapping):
            raise IssuerMetadataError(f"{where}: a claims entry is not an object")
        path = _claim_path(item.get("path"), where)
        mandatory = item.get("mandatory", False)
        if not isinstance(mandatory, bool):
            raise IssuerMetadataError(f"{where}: mandatory is not a boolean")
        claims.append(
            ClaimDescription(path=path, mandatory=mandatory, display=_claim_labels(item, where))
        )
    _check_claim_paths([claim.path for claim in claims], where)
    return tuple(claims)


def _claim_path(value: Any, where: str) -> ClaimPath:
    """1.0 Appendix C: a non-empty array of strings, non-negative integers and nulls."""
    if not isinstance(value, list) or not value:
        raise IssuerMetadataError(f"{where}: a claim path is not a non-empty array")
    for component in value:
        valid = (
            component is None
            or isinstance(component, str)
            or (isinstance(component, int) and not isinstance(component, bool) and component >= 0)
        )
        if not valid:
            raise IssuerMetadataError(f"{where}: a claim path has an invalid component")
    return tuple(value)


def _check_claim_paths(paths: Sequence[ClaimPath], where: str) -> None:
    """1.0 Appendix B.3: repeated or contradictory claim descriptions abort processing.

    Contradictions: the same path twice; ``null`` and an index into the same array; a claim
    used both as an array (``null``/index) and as an object (string key).
    """
    seen: set[ClaimPath] = set()
    kinds: dict[ClaimPath, set[str]] = {}
    for path in paths:
        if path in seen:
            raise IssuerMetadataError(f"{where}: two claim descriptions for the same claim")
        seen.add(path)
        for depth, component in enumerate(path):
            kind = "key" if isinstance(component, str) else "all" if component is None else "index"
            parent = path[:depth]
            found = kinds.setdefault(parent, set())
            found.add(kind)
            if ("key" in found and len(found) > 1) or {"all", "index"} <= found:
                raise IssuerMetadataError(f"{where}: contradictory claim descriptions")


def _legacy_claims(
    value: Mapping[str, Any],
    definition: Mapping[str, Any] | None,
    credential_format: str,
    where: str,
) -> tuple[tuple[ClaimDescription, ...], bool]:
    """Claims outside ``credential_metadata``; the flag says the draft-13 map form was used.

    Draft 13 Appendix A: SD-JWT VC and mdoc put a nested object map in ``claims`` (mdoc:
    namespace → element), the W3C formats in ``credential_definition.credentialSubject``.
    Drafts 14/15 put the 1.0 array form directly on the configuration.
    """
    claims = value.get("claims")
    if isinstance(claims, list):
        return _claims_array(claims, where), False
    if claims is not None:
        if not isinstance(claims, Mapping):
            raise IssuerMetadataError(f"{where}: claims is neither an array nor an object")
        skip_first = credential_format == "mso_mdoc"  # namespaces are not claims
        return tuple(_claims_map(claims, (), where, emit=not skip_first)), True
    subject = definition.get("credentialSubject") if definition is not None else None
    if credential_format in _W3C_FORMATS and subject is not None:
        if not isinstance(subject, Mapping):
            raise IssuerMetadataError(f"{where}: credentialSubject is not an object")
        return tuple(_claims_map(subject, ("credentialSubject",), where, emit=True)), True
    return (), False


def _claims_map(
    node: Mapping[str, Any], prefix: ClaimPath, where: str, *, emit: bool
) -> list[ClaimDescription]:
    """Flatten a draft-13 claims map into paths, parents before children."""
    found: list[ClaimDescription] = []
    seen: set[ClaimPath] = set()
    for name, child in node.items():
        if name in _CLAIM_LEAF_KEYS and prefix:
            continue  # describes the parent, handled by the caller
        if isinstance(child, list):
            # "an array of such objects": the claim is an array; describe its elements.
            elements = [element for element in child if isinstance(element, Mapping)]
            path: ClaimPath = (*prefix, name)
            if emit:
                found.append(ClaimDescription(path=path))
            for element in elements:
                found.extend(_claims_map(element, (*path, None), where, emit=True))
            continue
        if not isinstance(child, Mapping):
            continue  # not a claim description (unknown extension); ignore
        path = (*prefix, name)
        if emit:
            mandatory = child.get("mandatory", False)
            if not isinstance(mandatory, bool):
                raise IssuerMetadataError(f"{where}: mandatory is not a boolean")
            found.append(
                ClaimDescription(
                    path=path, mandatory=mandatory, display=_claim_labels(child, where)
                )
            )
        found.extend(_claims_map(child, path, where, emit=True))
    unique = []
    for claim in found:
        if claim.path not in seen:
            seen.add(claim.path)
            unique.append(claim)
    return unique


def _claim_labels(item: Mapping[str, Any], where: str) -> tuple[Display, ...]:
    """A claim's ``display``: ``name`` is the label, ``locale`` its language."""
    value = item.get("display")
    if value is None:
        return ()
    if not isinstance(value, list):
        raise IssuerMetadataError(f"{where}: a claim display is not an array")
    labels: list[Display] = []
    locales: set[str | None] = set()
    for entry in value:
        if not isinstance(entry, Mapping):
            raise IssuerMetadataError(f"{where}: a claim display entry is not an object")
        name, locale = _text(entry.get("name")), _text(entry.get("locale"))
        if name is None or locale in locales:
            continue
        locales.add(locale)
        labels.append(
            Display(name=name, locale=locale, description=_text(entry.get("description")))
        )
    return tuple(labels)


# -- display -----------------------------------------------------------------------------


def _displays(
    value: Any, where: str, policy: HttpPolicy, *, name_required: bool
) -> tuple[Display, ...]:
    """1.0 §12.2.4 ``display`` arrays (issuer and credential); see the module docstring."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise IssuerMetadataError(f"{where} is not an array")
    displays: list[Display] = []
    locales: set[str | None] = set()
    for entry in value:
        if not isinstance(entry, Mapping):
            raise IssuerMetadataError(f"{where} has an entry that is not an object")
        name = _text(entry.get("name"))
        if name is None and name_required:
            continue
        locale = _text(entry.get("locale"))
        if locale in locales:
            continue  # "There MUST be only one object for each language identifier"
        locales.add(locale)
        logo = entry.get("logo")
        logo_uri = logo_alt = None
        if isinstance(logo, Mapping):
            # Draft-13's own examples spell it "url"; the text (and 1.0) says "uri".
            logo_uri = _logo_uri(logo.get("uri", logo.get("url")), policy)
            logo_alt = _text(logo.get("alt_text"))
        displays.append(
            Display(
                name=name or "",
                locale=locale,
                description=_text(entry.get("description")),
                logo_uri=logo_uri,
                logo_alt=logo_alt,
                background_color=_colour(entry.get("background_color")),
                text_color=_colour(entry.get("text_color")),
            )
        )
    return tuple(displays)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _logo_uri(value: Any, policy: HttpPolicy) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    if value[:11].lower() == "data:image/":
        return value
    try:
        http.check_url(value, policy)
    except InsecureUrlError:
        return None
    return value


def _colour(value: Any) -> str | None:
    """CSS Color Level 3 numeric colours as ``#rrggbb`` (or ``#rgb``); anything else None."""
    if not isinstance(value, str):
        return None
    colour = value.strip()
    if _HEX_COLOUR.fullmatch(colour):
        return colour
    match = _RGB_COLOUR.fullmatch(colour)
    if match:
        channels = [int(part) for part in match.groups()]
        if all(channel <= 255 for channel in channels):
            return "#" + "".join(f"{channel:02x}" for channel in channels)
    return None


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
    as_issuer: str, client: httpx.Client, policy: HttpPolicy
) -> AuthorizationServerMetadata:
    """RFC 8414 metadata of ``as_issuer``, falling back to OIDC Discovery on a 4xx answer."""
    primary, fallback = authorization_server_metadata_urls(as_issuer, policy)
    try:
        document = http.get_json(client, primary, policy)
    except HttpStatusError as exc:
        if not 400 <= exc.status < 500 or fallback == primary:
            raise
        try:
            document = http.get_json(client, fallback, policy)
        except HttpStatusError:
            raise exc from None
    return parse_authorization_server_metadata(document, as_issuer, policy)


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
        code_challenge_methods=_strings(
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
        raw=dict(document),
    )


def _flag(document: Mapping[str, Any], name: str) -> bool:
    value = document.get(name, False)
    if not isinstance(value, bool):
        raise IssuerMetadataError(f"{name} is not a boolean")
    return value
