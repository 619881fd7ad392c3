"""OpenID4VP 1.0 Authorization Requests, as the wallet receives them (§5).

A request arrives as an ``openid4vp://`` (or ``haip-vp://``, https) link carrying either the
parameters themselves, a signed Request Object by value (``request``) or by reference
(``request_uri``, GET, or POST with ``wallet_nonce`` when ``request_uri_method=post``).
The result names the verifier as its Client Identifier Prefix establishes it (§5.9.3),
and says plainly whether that was verified and how.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from wallet_core import http
from wallet_core.crypto import verify_compact
from wallet_core.crypto.jwk import b64url, b64url_decode
from wallet_core.errors import (
    InsecureUrlError,
    PresentationRequestError,
    UntrustedIssuerError,
    UntrustedVerifierError,
    WalletError,
)
from wallet_core.oid4vp.query import Query, parse_query
from wallet_core.trust import key_from_x5c, parse_x5c

REQUEST_TYP = "oauth-authz-req+jwt"
SCHEMES = ("openid4vp", "haip-vp", "eudi-openid4vp", "https")
SIGNED_PREFIXES = ("x509_san_dns", "x509_hash", "decentralized_identifier")
RESPONSE_MODES = ("direct_post", "direct_post.jwt")
_URL_SAFE = re.compile(r"[A-Za-z0-9\-._~]+")  # §5.2: nonce and state characters
MAX_REQUEST_CHARS = 64 * 1024

DidKeyResolver = Callable[[str, str | None], Mapping[str, Any]]


@dataclass(frozen=True)
class VerifierIdentity:
    """Who asks, as far as the wallet could establish it."""

    client_id: str  # the full Client Identifier, prefix included: the KB-JWT aud
    prefix: str | None
    name: str  # what the UI shows: the certificate's organisation, a DID, a host
    verified: bool  # True only when a signature under a trusted chain or a DID proved it
    method: str  # how: "x509_san_dns", "x509_hash", "decentralized_identifier", "unsigned"
    certificate_issuer: str | None = None


@dataclass(frozen=True)
class PresentationRequest:
    verifier: VerifierIdentity
    response_mode: str
    response_uri: str
    nonce: str = field(repr=False)
    query: Query = field(repr=False, compare=False)  # parsed once, with the request
    state: str | None = field(default=None, repr=False)
    client_metadata: Mapping[str, Any] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def client_id(self) -> str:
        return self.verifier.client_id


def parse_request(
    text: str,
    client: http.HttpClient,
    *,
    trust_anchors: Sequence[x509.Certificate] = (),
    did_key: DidKeyResolver | None = None,
    now: float,
    wallet_metadata: Mapping[str, Any] | None = None,
) -> PresentationRequest:
    """Read, fetch and check a request; raise ``PresentationRequestError`` (malformed) or
    ``UntrustedVerifierError`` (the verifier could not be established) otherwise."""
    outer = _link_parameters(text)
    client_id = outer.get("client_id")
    request_object: str | None = outer.get("request")
    wallet_nonce: str | None = None
    if "request_uri" in outer:
        if request_object is not None:
            raise PresentationRequestError("request and request_uri are mutually exclusive")
        method = outer.get("request_uri_method", "get")
        if method not in ("get", "post"):
            raise PresentationRequestError("request_uri_method must be get or post")
        if method == "post":
            wallet_nonce = secrets.token_urlsafe(24)
        request_object = _fetch_request_object(
            outer["request_uri"], client, wallet_nonce, wallet_metadata
        )
    if request_object is not None:
        if client_id is None:  # RFC 9101 §5: client_id travels with request / request_uri
            raise PresentationRequestError("the link must name the client_id of its request")
        parameters, header = _read_request_object(request_object)
        expires = parameters.get("exp")
        if (
            isinstance(expires, int | float)
            and not isinstance(expires, bool)
            and now > expires + 60
        ):
            raise PresentationRequestError("the request has expired")
        if parameters.get("client_id") != client_id:
            raise PresentationRequestError("the Request Object's client_id differs from the link's")
        if wallet_nonce is not None and parameters.get("wallet_nonce") != wallet_nonce:
            raise PresentationRequestError("the Request Object does not echo our wallet_nonce")
        verifier = _signed_verifier(parameters, header, request_object, trust_anchors, did_key, now)
    else:
        parameters, header = outer, None
        verifier = _unsigned_verifier(parameters)
    return _checked(parameters, verifier, client.policy)


# -- reading the link and the Request Object -------------------------------------------------


def _link_parameters(text: str) -> dict[str, Any]:
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_REQUEST_CHARS:
        raise PresentationRequestError("a presentation request must be a link of sensible size")
    try:
        parts = urlsplit(text.strip())
    except ValueError as exc:
        raise PresentationRequestError("the presentation request is not a link") from exc
    if parts.scheme.lower() not in SCHEMES:
        raise PresentationRequestError("this is not an OpenID4VP request link")
    parameters: dict[str, Any] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name in parameters:
            raise PresentationRequestError(f"the parameter {name!r} appears twice")
        parameters[name] = value
    for name in ("dcql_query", "presentation_definition", "client_metadata"):
        if isinstance(parameters.get(name), str):
            parameters[name] = _json_object(parameters[name], name)
    if not parameters:
        raise PresentationRequestError("the request link carries no parameters")
    return parameters


def _fetch_request_object(
    uri: str,
    client: http.HttpClient,
    wallet_nonce: str | None,
    wallet_metadata: Mapping[str, Any] | None,
) -> str:
    accept = f"application/{REQUEST_TYP}"
    if wallet_nonce is None:
        return client.get_text(uri, accept=accept).strip()
    form = {"wallet_nonce": wallet_nonce}
    if wallet_metadata is not None:
        form["wallet_metadata"] = json.dumps(dict(wallet_metadata), separators=(",", ":"))
    content = client.post_form(uri, form, accept=accept).content
    try:
        return content.decode("ascii").strip()  # a compact JWS is ASCII
    except UnicodeDecodeError as exc:
        raise PresentationRequestError("the Request Object is not a JWS") from exc


def _read_request_object(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims, unverified: which key verifies depends on the client_id prefix."""
    try:
        head, body, _ = token.split(".")
        header = json.loads(b64url_decode(head))
        claims = json.loads(b64url_decode(body))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise PresentationRequestError("the Request Object is not a JWS") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise PresentationRequestError("the Request Object is not a JWS")
    if header.get("typ") != REQUEST_TYP:  # §5: MUST NOT process any other
        raise PresentationRequestError(f"the Request Object's typ must be {REQUEST_TYP!r}")
    return claims, header


# -- establishing the verifier (§5.9.3) ------------------------------------------------------


def _split_client_id(client_id: Any) -> tuple[str | None, str]:
    if not isinstance(client_id, str) or not client_id:
        raise PresentationRequestError("the request has no client_id")
    prefix, separator, rest = client_id.partition(":")
    if separator and prefix in (
        *SIGNED_PREFIXES,
        "redirect_uri",
        "openid_federation",
        "verifier_attestation",
        "origin",
    ):
        return prefix, rest
    return None, client_id


def _unsigned_verifier(parameters: Mapping[str, Any]) -> VerifierIdentity:
    prefix, rest = _split_client_id(parameters.get("client_id"))
    if prefix != "redirect_uri":
        raise UntrustedVerifierError(
            "only redirect_uri: verifiers may send unsigned requests; this one must sign"
            if prefix in SIGNED_PREFIXES
            else "the verifier is neither identifiable nor registered with this wallet"
        )
    target = parameters.get("response_uri") or parameters.get("redirect_uri") or rest
    if target != rest:
        raise PresentationRequestError("redirect_uri: the client_id must be the response URI")
    return VerifierIdentity(
        client_id=str(parameters["client_id"]),
        prefix=prefix,
        name=urlsplit(rest).hostname or rest,
        verified=False,
        method="unsigned",
    )


def _signed_verifier(
    parameters: Mapping[str, Any],
    header: Mapping[str, Any],
    token: str,
    trust_anchors: Sequence[x509.Certificate],
    did_key: DidKeyResolver | None,
    now: float,
) -> VerifierIdentity:
    prefix, rest = _split_client_id(parameters.get("client_id"))
    client_id = str(parameters["client_id"])
    if prefix == "redirect_uri":  # §5.9.3: such requests cannot be signed
        raise PresentationRequestError("a redirect_uri: verifier cannot send a signed request")
    if prefix in ("x509_san_dns", "x509_hash"):
        try:
            leaf = parse_x5c(header.get("x5c"))[0]
            jwk = key_from_x5c(header.get("x5c"), None, trust_anchors, now, trust_pinned=True)
        except UntrustedIssuerError as exc:
            raise UntrustedVerifierError(
                f"the verifier's certificate is not trusted: {exc}"
            ) from exc
        if prefix == "x509_san_dns":
            dns_names = _dns_names(leaf)
            if rest.lower() not in dns_names:
                raise UntrustedVerifierError("the certificate does not name the client_id's host")
            response_uri = parameters.get("response_uri") or parameters.get("redirect_uri")
            if not isinstance(response_uri, str) or urlsplit(response_uri).hostname != rest:
                raise UntrustedVerifierError(
                    "the response goes to another host than the verifier's"
                )
        else:
            der = leaf.public_bytes(serialization.Encoding.DER)
            if b64url(hashlib.sha256(der).digest()) != rest:
                raise UntrustedVerifierError("the certificate does not hash to the client_id")
        _verify(token, jwk)
        return VerifierIdentity(
            client_id=client_id,
            prefix=prefix,
            name=_named(leaf.subject) or rest,
            verified=True,
            method=prefix,
            certificate_issuer=_named(leaf.issuer) or leaf.issuer.rfc4514_string(),
        )
    if prefix == "decentralized_identifier":
        if did_key is None:
            raise UntrustedVerifierError("DID verifiers cannot be resolved here")
        kid = header.get("kid")
        if not isinstance(kid, str) or kid.split("#")[0] != rest:
            raise UntrustedVerifierError("the request's kid is not a key of the verifier's DID")
        try:
            key = did_key(rest, kid)
        except WalletError as exc:
            raise UntrustedVerifierError(f"the verifier's DID: {exc}") from exc
        _verify(token, key)
        return VerifierIdentity(client_id, prefix, rest, True, prefix)
    raise UntrustedVerifierError(
        f"verifiers identified by {prefix or 'a pre-registered id'!r} are not supported"
    )


def _verify(token: str, jwk: Mapping[str, Any]) -> None:
    try:
        verify_compact(token, jwk)
    except WalletError as exc:
        raise UntrustedVerifierError("the request's signature does not verify") from exc


def _dns_names(certificate: x509.Certificate) -> set[str]:
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    return {name.lower() for name in names.get_values_for_type(x509.DNSName)}


def _named(name: x509.Name) -> str | None:
    """The organisation a certificate name gives (``O``), else its ``CN``: what a person
    reads, not ``CN=...,O=...,C=NL``."""
    for oid in (x509.NameOID.ORGANIZATION_NAME, x509.NameOID.COMMON_NAME):
        values = name.get_attributes_for_oid(oid)
        if values and str(values[0].value).strip():
            return str(values[0].value).strip()
    return None


# -- the parameters themselves (§5, §8.2) ----------------------------------------------------


def _checked(
    parameters: Mapping[str, Any], verifier: VerifierIdentity, policy: http.HttpPolicy
) -> PresentationRequest:
    if parameters.get("response_type") != "vp_token":
        raise PresentationRequestError("response_type must be vp_token")
    if "transaction_data" in parameters:  # §5.1: unsupported, so the request is refused
        raise PresentationRequestError("transaction_data is not supported by this wallet")
    mode = parameters.get("response_mode")
    if mode not in RESPONSE_MODES:
        raise PresentationRequestError(f"response_mode must be one of {', '.join(RESPONSE_MODES)}")
    if "redirect_uri" in parameters:  # §8.2: with direct_post it is an error
        raise PresentationRequestError("redirect_uri must not be used with direct_post")
    response_uri = parameters.get("response_uri")
    if not isinstance(response_uri, str):
        raise PresentationRequestError("direct_post needs a response_uri")
    try:
        http.check_url(response_uri, policy)
    except InsecureUrlError as exc:
        raise PresentationRequestError(f"the response_uri may not be used: {exc}") from exc
    nonce = parameters.get("nonce")
    if not isinstance(nonce, str) or not _URL_SAFE.fullmatch(nonce):
        raise PresentationRequestError("nonce is required and must be URL-safe characters")
    state = parameters.get("state")
    if state is not None and (not isinstance(state, str) or not _URL_SAFE.fullmatch(state)):
        raise PresentationRequestError("state must be URL-safe characters")
    query = parse_query(parameters)
    metadata = parameters.get("client_metadata") or {}
    if not isinstance(metadata, dict):
        raise PresentationRequestError("client_metadata must be a JSON object")
    return PresentationRequest(
        verifier=verifier,
        response_mode=str(mode),
        response_uri=response_uri,
        nonce=nonce,
        query=query,
        state=state,
        client_metadata=metadata,
        raw=dict(parameters),
    )


def _json_object(text: str, name: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise PresentationRequestError(f"{name} is not JSON") from exc
    if not isinstance(value, dict):
        raise PresentationRequestError(f"{name} must be a JSON object")
    return value
