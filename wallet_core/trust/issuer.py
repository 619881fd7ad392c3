"""Which key signed an SD-JWT VC: :class:`IssuerKeyResolver`.

RFC 9901 §7.1 step 2.c and SD-JWT VC §"Verification and Processing" require the verifier of
an Issuer-signed JWT to establish that the signing key belongs to the issuer, using a key
discovery mechanism "permitted for the Issuer according to policy" (§#key-stuff). The
resolver picks the mechanism from the credential, in a fixed order, and never falls back
from one mechanism to another after a failure (§"Ecosystem-specific Public Key Verification
Methods": an attacker must not be able to steer which verification process is used):

1. ``x5c`` in the protected header → X.509 chain to a configured trust anchor, leaf names
   ``iss`` (see :mod:`wallet_core.trust.x5c`).
2. ``iss`` is a DID → the DID's assertion key named by ``kid`` (see
   :mod:`wallet_core.trust.did`).
3. ``iss`` is an https URL → JWT VC Issuer Metadata (§#jwt-vc-issuer-metadata):
   ``/.well-known/jwt-vc-issuer`` inserted between host and path, ``issuer`` identical to
   ``iss`` (§"JWT VC Issuer Metadata Validation"), exactly one of ``jwks`` / ``jwks_uri``
   (§"JWT VC Issuer Metadata Response"), the key chosen by ``kid``; without a ``kid`` only
   an unambiguous set (one usable key) is accepted.

Every retrieval follows §"Retrieving Documents and Resources via HTTP" through
:mod:`wallet_core.http`; validated results are cached (see :mod:`wallet_core.trust.cache`)
so credentials can be re-verified offline.

Header members that would let the token choose its own key or send us to a URL it names
(``jwk``, ``jku``, ``x5u``) are ignored: a self-asserted key proves nothing, and following
them invites SSRF (RFC 8725 §3.10 "Do Not Trust Received Claims").

Callers verify the signature with ``crypto.verify_compact(token, resolver.resolve(...))``;
the resolver itself never sees the token's payload beyond ``iss``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509

from wallet_core import http
from wallet_core.clock import Clock, SystemClock
from wallet_core.errors import (
    InsecureUrlError,
    IssuerMetadataError,
    IssuerMismatchError,
    UnknownKeyIdError,
    UntrustedIssuerError,
)
from wallet_core.trust.cache import (
    DEFAULT_TTL,
    MAX_TTL,
    Fetched,
    MemoryCache,
    MetadataCache,
    Source,
    cached_fetch,
)
from wallet_core.trust.did import DidResolver
from wallet_core.trust.keys import checked_public_jwk
from wallet_core.trust.x5c import key_from_x5c

JWT_VC_ISSUER_NAMESPACE = "jwt-vc-issuer"
_JWKS_ACCEPT = "application/jwk-set+json, application/json"


class IssuerKeyResolver:
    """Resolves the public JWK that should have signed a credential from ``iss``.

    ``cache`` is the vault's cache repository in the wallet (any :class:`MetadataCache`);
    omitted, an in-memory cache is used. ``trust_anchors`` are the root certificates that
    ``x5c`` chains must reach; with none, ``x5c`` credentials are refused.
    """

    def __init__(
        self,
        client: http.HttpClient,
        cache: MetadataCache | None = None,
        clock: Clock | None = None,
        trust_anchors: Sequence[x509.Certificate] = (),
        *,
        default_ttl: float = DEFAULT_TTL,
        max_ttl: float = MAX_TTL,
    ) -> None:
        self._client = client
        self._cache: MetadataCache = cache if cache is not None else MemoryCache()
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._anchors = tuple(trust_anchors)
        self._default_ttl = default_ttl
        self._max_ttl = max_ttl
        self._dids = DidResolver(
            client, self._cache, self._clock, default_ttl=default_ttl, max_ttl=max_ttl
        )

    def __call__(self, iss: str | None, header: Mapping[str, Any]) -> dict[str, Any]:
        return self.resolve(iss, header)

    def resolve(self, iss: str | None, header: Mapping[str, Any]) -> dict[str, Any]:
        """The public JWK for the Issuer-signed JWT with claim ``iss`` and protected ``header``.

        Raises an :class:`UntrustedIssuerError` subclass when the key cannot be tied to the
        issuer, or a :class:`NetworkError` when it must be fetched, cannot be, and nothing
        (not even stale) is cached.
        """
        if iss is not None and not isinstance(iss, str):
            raise UntrustedIssuerError("iss is not a string")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise UnknownKeyIdError("kid is not a string")
        alg = header.get("alg")
        if "x5c" in header:
            return key_from_x5c(header["x5c"], iss, self._anchors, self._clock.now())
        if iss is None:
            raise UntrustedIssuerError("the credential has neither iss nor x5c")
        if iss.startswith("did:"):
            return self._dids.assertion_key(iss, kid)
        return self._metadata_key(iss, kid, alg if isinstance(alg, str) else None)

    # -- JWT VC Issuer Metadata --------------------------------------------------------

    def _metadata_key(self, iss: str, kid: str | None, alg: str | None) -> dict[str, Any]:
        url = metadata_url(iss, self._client.policy)
        keys, source = self._key_set(iss, url, refresh=False)
        try:
            return select_key(keys, kid, alg)
        except UnknownKeyIdError:
            if source is not Source.FRESH_CACHE:
                raise
        # A kid we have not seen while our copy is still fresh: the issuer may have rotated
        # keys. Ask once more; offline, the stale copy comes back and the error stands.
        keys, _ = self._key_set(iss, url, refresh=True)
        return select_key(keys, kid, alg)

    def _key_set(self, iss: str, url: str, *, refresh: bool) -> tuple[list[Any], Source]:
        value, source = cached_fetch(
            self._cache,
            self._clock,
            JWT_VC_ISSUER_NAMESPACE,
            iss,
            lambda: self._fetch_key_set(iss, url),
            refresh=refresh,
            default_ttl=self._default_ttl,
            max_ttl=self._max_ttl,
        )
        keys = value.get("keys") if isinstance(value, dict) else None
        if not isinstance(keys, list):
            raise IssuerMetadataError("the cached issuer keys are unreadable")
        return keys, source

    def _fetch_key_set(self, iss: str, url: str) -> Fetched:
        response = self._client.get(url, accept="application/json")
        metadata = _json_object(response.content, "the JWT VC Issuer Metadata")
        if metadata.get("issuer") != iss:
            raise IssuerMismatchError("the issuer metadata is for another issuer")
        has_jwks, has_uri = "jwks" in metadata, "jwks_uri" in metadata
        if has_jwks == has_uri:
            raise IssuerMetadataError("the issuer metadata must have either jwks or jwks_uri")
        ages = [response.max_age()]
        if has_jwks:
            jwks = metadata["jwks"]
        else:
            jwks_uri = metadata["jwks_uri"]
            if not isinstance(jwks_uri, str):
                raise IssuerMetadataError("jwks_uri is not a string")
            jwks_response = self._client.get(jwks_uri, accept=_JWKS_ACCEPT)
            jwks = _json_object(jwks_response.content, "the issuer's JWK Set")
            ages.append(jwks_response.max_age())
        keys = checked_key_set(jwks)
        stated = [age for age in ages if age is not None]
        return Fetched({"keys": keys}, min(stated) if stated else None)


def metadata_url(iss: str, policy: http.HttpPolicy) -> str:
    """SD-JWT VC §#jwt-vc-issuer-metadata: well-known suffix between host and path.

    ``iss`` must be an https URL with no query or fragment (``http`` only for loopback under
    the development flag); a trailing ``/`` of the path is dropped first (§"JWT VC Issuer
    Metadata Request").
    """
    parts = urlsplit(iss)
    if parts.query or parts.fragment or "?" in iss or "#" in iss or not parts.netloc:
        raise UntrustedIssuerError("iss is not an https URL without query or fragment")
    try:
        http.check_url(iss, policy)
    except InsecureUrlError as exc:
        # The credential names an issuer we may not contact: that is a property of the
        # credential (untrusted), not a transient network failure.
        raise UntrustedIssuerError("iss is not an https URL the wallet may contact") from exc
    path = parts.path.rstrip("/")
    return f"{parts.scheme}://{parts.netloc}/.well-known/jwt-vc-issuer{path}"


def checked_key_set(jwks: Any) -> list[dict[str, Any]]:
    """RFC 7517 §5: ``{"keys": [...]}``; every key public, asymmetric and well-formed."""
    if not isinstance(jwks, Mapping) or not isinstance(jwks.get("keys"), list):
        raise IssuerMetadataError("the issuer's key set is not a JWK Set")
    keys = []
    for item in jwks["keys"]:
        jwk = checked_public_jwk(item, IssuerMetadataError)
        if jwk is not None:
            keys.append(jwk)
    return keys


def select_key(keys: Sequence[Any], kid: str | None, alg: str | None) -> dict[str, Any]:
    """The one signing key ``kid`` names (or the only one, without ``kid``)."""
    usable = []
    for key in keys:
        jwk = checked_public_jwk(key, IssuerMetadataError)
        if jwk is None or jwk.get("use", "sig") != "sig":
            continue
        if "key_ops" in jwk and "verify" not in jwk["key_ops"]:
            continue
        if alg is not None and "alg" in jwk and jwk["alg"] != alg:
            continue
        usable.append(jwk)
    if kid is None:
        if len(usable) != 1:
            raise UnknownKeyIdError(
                f"the credential names no key and the issuer publishes {len(usable)}"
            )
        return usable[0]
    matches = [jwk for jwk in usable if jwk.get("kid") == kid]
    if not matches:
        raise UnknownKeyIdError("the issuer publishes no signing key with that kid")
    if len(matches) > 1:
        raise IssuerMetadataError("the issuer publishes several keys with the same kid")
    return matches[0]


def _json_object(content: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise IssuerMetadataError(f"{what} is not valid JSON") from exc
    if not isinstance(value, dict):
        raise IssuerMetadataError(f"{what} is not a JSON object")
    return value
