"""Issuer keys from DIDs: ``did:jwk``, ``did:key`` and ``did:web``.

The current SD-JWT VC draft defines no DID mechanism but leaves room for one "via
profile/extension" (§#key-stuff; change log -10). Deployed issuers (and OpenID4VCI examples)
use DIDs as ``iss`` with a DID URL as ``kid``, so the wallet supports the three methods that
need no ledger:

* ``did:jwk`` (did:jwk spec): the identifier *is* the base64url JWK; one method ``#0``.
* ``did:key`` (did:key spec v0.7): base58btc multibase of a multicodec key; Ed25519
  (``z6Mk…``) and P-256 (``zDn…``); one method ``#<multibase>``.
* ``did:web`` (did:web spec §"Read"): ``did:web:host%3Aport:a:b`` is fetched from
  ``https://host:port/a/b/did.json``, a bare host from ``/.well-known/did.json``; the
  document's ``id`` must equal the DID. Fetched under the HTTP policy and cached like issuer
  metadata. With the development flag ``allow_http_loopback`` a loopback host is fetched
  over plain http (the tests and the demo run without TLS).

The key must be authorised for issuing: it has to be referenced from (or embedded in) the
document's ``assertionMethod`` (DID Core §5.3.2). A ``kid`` naming another DID than ``iss``
is refused: otherwise anyone could sign in the issuer's name with a key of their own DID.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import string
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from wallet_core import http
from wallet_core.crypto.jwk import b64url_decode
from wallet_core.errors import (
    DidResolutionError,
    IssuerMismatchError,
    UnknownKeyIdError,
)
from wallet_core.trust.cache import Fetched
from wallet_core.trust.keys import checked_public_jwk, multikey_jwk
from wallet_core.trust.published import PublishedDocuments

DID_WEB_NAMESPACE = "did-web"
_DID_WEB_ACCEPT = "application/did+json, application/did+ld+json, application/json"
_HOST_CHARS = frozenset(string.ascii_lowercase + string.digits + ".-")
_SEGMENT_CHARS = frozenset(string.ascii_letters + string.digits + "-._~%!$&'()*+,;=@")


def split_did_url(did_url: str) -> tuple[str, str | None]:
    """(DID, fragment) of a DID URL; DID URLs with a path or query are not key references."""
    did, _, fragment = did_url.partition("#")
    if "/" in did or "?" in did:
        raise DidResolutionError("DID URLs with a path or query are not supported as kid")
    return did, (fragment if "#" in did_url else None)


class DidResolver(PublishedDocuments):
    """Resolves a DID to its document; network documents go through the cache."""

    def resolve(self, did: str) -> dict[str, Any]:
        if did.startswith("did:jwk:"):
            return did_jwk_document(did)
        if did.startswith("did:key:"):
            return did_key_document(did)
        if did.startswith("did:web:"):
            url = did_web_url(did, self._client.policy)
            refused = DidResolutionError("the did:web host may not be contacted")
            fetch = functools.partial(self._fetch_web, did, url)
            document = self._published(DID_WEB_NAMESPACE, did, url, fetch, refused)
            return _checked_document(document, did)
        raise DidResolutionError(f"unsupported DID method in {did[:40]!r}")

    def assertion_key(self, did: str, kid: str | None) -> dict[str, Any]:
        """The public JWK that ``kid`` (absolute or ``#fragment``) names in ``did``'s document."""
        if kid is not None and not kid.startswith("#"):
            if not kid.startswith("did:"):
                raise UnknownKeyIdError("for a DID issuer the kid must be a DID URL")
            kid_did, _ = split_did_url(kid)
            if kid_did != did:
                raise IssuerMismatchError("the kid belongs to another DID than the issuer")
        return assertion_key(self.resolve(did), did, kid)

    def _fetch_web(self, did: str, url: str) -> Fetched:
        response = self._client.get(url, accept=_DID_WEB_ACCEPT)
        try:
            document = json.loads(response.content)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise DidResolutionError("the did:web document is not valid JSON") from exc
        return Fetched(_checked_document(document, did), response.max_age())


def did_jwk_document(did: str) -> dict[str, Any]:
    try:
        decoded = json.loads(b64url_decode(did.removeprefix("did:jwk:")))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise DidResolutionError("the did:jwk identifier does not encode a JSON JWK") from exc
    jwk = checked_public_jwk(decoded, DidResolutionError)
    if jwk is None:
        raise DidResolutionError("the did:jwk key type is not supported")
    method = {"id": f"{did}#0", "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk}
    # did:jwk spec: a key marked "use": "enc" is for key agreement only.
    relationships = (
        ["keyAgreement"]
        if jwk.get("use") == "enc"
        else ["assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation"]
    )
    document: dict[str, Any] = {"id": did, "verificationMethod": [method]}
    for relationship in relationships:
        document[relationship] = [method["id"]]
    return document


def did_key_document(did: str) -> dict[str, Any]:
    multibase = did.removeprefix("did:key:")
    multikey_jwk(multibase, DidResolutionError)  # refuse unsupported keys up front
    method_id = f"{did}#{multibase}"
    method = {
        "id": method_id,
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": multibase,
    }
    document: dict[str, Any] = {"id": did, "verificationMethod": [method]}
    for relationship in ("assertionMethod", "authentication", "capabilityInvocation"):
        document[relationship] = [method_id]
    return document


def did_web_url(did: str, policy: http.HttpPolicy) -> str:
    """did:web spec §"Read (Resolve)": the URL of the DID document."""
    segments = did.removeprefix("did:web:").split(":")
    # Only the port's colon is percent-encoded in the host segment.
    host = unquote(segments[0]).lower()
    name, _, port = host.partition(":")
    if (
        not name
        or not set(name) <= _HOST_CHARS
        or name.startswith(("-", "."))
        or (port and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536))
        or ":" in port
    ):
        raise DidResolutionError("the did:web host is not a valid domain name")
    path = segments[1:]
    for segment in path:
        decoded = unquote(segment)
        if (
            not segment
            or not set(segment) <= _SEGMENT_CHARS
            or decoded in {".", ".."}
            or set(decoded) & set("/?#\\")
        ):
            raise DidResolutionError("the did:web path is not valid")
    loopback = name == "localhost" or name.endswith(".localhost") or _is_loopback_ip(name)
    scheme = "http" if policy.allow_http_loopback and loopback else "https"
    suffix = "/".join([*path, "did.json"]) if path else ".well-known/did.json"
    return f"{scheme}://{host}/{suffix}"


def assertion_key(document: Mapping[str, Any], did: str, kid: str | None) -> dict[str, Any]:
    """Find the verification method ``kid`` among the document's assertion methods."""
    methods: dict[str, Mapping[str, Any]] = {}
    listed = document.get("verificationMethod", [])
    if not isinstance(listed, list):
        raise DidResolutionError("verificationMethod is not a list")
    for method in listed:
        if isinstance(method, Mapping) and isinstance(method.get("id"), str):
            methods[_absolute(method["id"], did)] = method
    authorised: list[str] = []
    assertion = document.get("assertionMethod", [])
    if not isinstance(assertion, list):
        raise DidResolutionError("assertionMethod is not a list")
    for item in assertion:
        if isinstance(item, str):
            authorised.append(_absolute(item, did))
        elif isinstance(item, Mapping) and isinstance(item.get("id"), str):
            method_id = _absolute(item["id"], did)
            methods[method_id] = item  # embedded methods exist only here
            authorised.append(method_id)
    if kid is None:
        if len(set(authorised)) != 1:
            raise UnknownKeyIdError("the credential names no key and the DID has several")
        target = authorised[0]
    else:
        target = _absolute(kid, did)
        if target not in authorised:
            raise UnknownKeyIdError("the DID does not authorise that key to issue credentials")
    method = methods.get(target)
    if method is None:
        raise UnknownKeyIdError("the DID document does not contain that key")
    return _method_jwk(method)


def _method_jwk(method: Mapping[str, Any]) -> dict[str, Any]:
    if "publicKeyJwk" in method:
        jwk = checked_public_jwk(method["publicKeyJwk"], DidResolutionError)
        if jwk is None:
            raise DidResolutionError("the DID key type is not supported")
        return jwk
    multibase = method.get("publicKeyMultibase")
    if isinstance(multibase, str):
        return multikey_jwk(multibase, DidResolutionError)
    raise DidResolutionError("the verification method has no publicKeyJwk or publicKeyMultibase")


def _is_loopback_ip(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _absolute(reference: str, did: str) -> str:
    return f"{did}{reference}" if reference.startswith("#") else reference


def _checked_document(document: Any, did: str) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise DidResolutionError("the DID document is not a JSON object")
    if document.get("id") != did:
        # did:web spec: the document's id must be the DID that was resolved.
        raise DidResolutionError("the DID document is for another DID")
    return document
