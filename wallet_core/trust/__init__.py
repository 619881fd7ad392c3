"""Who signed a credential: issuer key resolution (jwt-vc-issuer metadata, x5c, DIDs).

``IssuerKeyResolver(client, cache, clock, trust_anchors).resolve(iss, header)`` returns the
public JWK to check an Issuer-signed JWT with; see :mod:`.issuer` for the order of mechanisms
and the spec sections behind each rule. ``AssertionKeys`` (:mod:`.controller`) answers W3C
credentials: the issuer's assertion-method key, from its DID or its controller document.
trust/ does no storage of its own: the cache is a
:class:`MetadataCache` the caller passes (the vault's cache repository in the wallet,
:class:`MemoryCache` elsewhere).
"""

from wallet_core.trust.cache import (
    DEFAULT_TTL,
    MAX_TTL,
    CachedValue,
    MemoryCache,
    MemoryCacheEntry,
    MetadataCache,
)
from wallet_core.trust.controller import AssertionKeys, ControllerResolver
from wallet_core.trust.did import DidResolver, did_web_url
from wallet_core.trust.issuer import (
    JWT_VC_ISSUER_NAMESPACE,
    IssuerKeyResolver,
    checked_key_set,
    metadata_url,
    select_key,
)
from wallet_core.trust.x5c import key_from_x5c, parse_x5c

__all__ = [
    "DEFAULT_TTL",
    "JWT_VC_ISSUER_NAMESPACE",
    "MAX_TTL",
    "AssertionKeys",
    "CachedValue",
    "ControllerResolver",
    "DidResolver",
    "IssuerKeyResolver",
    "MemoryCache",
    "MemoryCacheEntry",
    "MetadataCache",
    "checked_key_set",
    "did_web_url",
    "key_from_x5c",
    "metadata_url",
    "parse_x5c",
    "select_key",
]
