"""DPoP (RFC 9449): the proofs that bind an issuance session's access token to a key of
the wallet, as HAIP 1.0 §4 requires whenever the authorization server offers it.

One :class:`DpopKey` per issuance session (a fresh key; the vault keeps it while a deferred
credential or a notification may still need it). Each request gets a new proof (§4.2:
``typ`` ``dpop+jwt``, the public ``jwk``, ``jti``, ``htm``, ``htu`` without query and
fragment, ``iat``; ``ath`` when an access token goes with it, §7.1) carrying the last
``DPoP-Nonce`` the server at that origin gave (§8.2, §9; HAIP: also from the nonce endpoint).
A server that asks for a (fresh) nonce is answered once with it (§8.1, §9): :func:`asks_for_nonce`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from wallet_core.clock import Clock
from wallet_core.crypto import Signer, generate, sign_compact
from wallet_core.crypto.jwk import b64url
from wallet_core.http import HttpResponse
from wallet_core.models import KeyAlgorithm
from wallet_core.oid4vci.responses import DPOP

PROOF_TYPE = "dpop+jwt"
USE_NONCE = "use_dpop_nonce"
#: what the wallet can sign with, best first (HAIP 1.0 §7: ES256 at least)
ALGORITHMS = (KeyAlgorithm.ES256.value, KeyAlgorithm.EDDSA.value)
MAX_NONCE_LENGTH = 1024
_NONCE = re.compile(r"[\x21\x23-\x5B\x5D-\x7E]+")  # NQCHAR (RFC 9449 §8.1)
_PUBLIC = ("kty", "crv", "x", "y")


def algorithm_for(supported: Collection[str]) -> str | None:
    """The algorithm to prove with, of those the authorization server lists; None when it
    lists none this wallet has (then no DPoP: the server did not ask for it in a way we can
    answer, and a Bearer token is what it will give)."""
    return next((alg for alg in ALGORITHMS if alg in supported), None)


class DpopKey:
    """The DPoP key of one issuance session and the nonces its servers gave."""

    def __init__(self, signer: Signer, clock: Clock) -> None:
        self.signer = signer
        self._clock = clock
        self._nonces: dict[str, str] = {}

    @classmethod
    def fresh(cls, alg: str, clock: Clock) -> DpopKey:
        return cls(generate(alg), clock)

    def headers(self, method: str, url: str, access_token: str | None = None) -> dict[str, str]:
        """The ``DPoP`` header for one request (and ``Authorization`` with the token)."""
        payload: dict[str, Any] = {
            "jti": secrets.token_urlsafe(18),
            "htm": method,
            "htu": target_uri(url),
            "iat": int(self._clock.now()),
        }
        nonce = self._nonces.get(_origin(url))
        if nonce is not None:
            payload["nonce"] = nonce
        out = {}
        if access_token is not None:
            payload["ath"] = access_token_hash(access_token)
            out["Authorization"] = f"{DPOP} {access_token}"
        jwk = {k: self.signer.public_jwk[k] for k in _PUBLIC if k in self.signer.public_jwk}
        out["DPoP"] = sign_compact({"typ": PROOF_TYPE, "jwk": jwk}, payload, self.signer)
        return out

    def remember(self, response: HttpResponse) -> bool:
        """Keep the ``DPoP-Nonce`` a response carries for its origin; whether it had a new one."""
        value: str | None = response.headers.get("dpop-nonce")
        if value is None or len(value) > MAX_NONCE_LENGTH or not _NONCE.fullmatch(value):
            return False
        origin = _origin(response.url)
        known = self._nonces.get(origin)
        self._nonces[origin] = value
        return value != known


def asks_for_nonce(response: HttpResponse, body: Mapping[str, Any]) -> bool:
    """Whether the server refused the proof for want of a (fresh) nonce: ``use_dpop_nonce``
    in a 400 error body (authorization server, §8) or in a 401 ``WWW-Authenticate: DPoP``
    challenge (resource server, §9)."""
    if response.status == 400 and body.get("error") == USE_NONCE:
        return True
    challenge = response.headers.get("www-authenticate", "")
    return (
        response.status == 401
        and challenge[:5].lower() == "dpop "
        and re.search(r'error="use_dpop_nonce"', challenge) is not None
    )


def access_token_hash(access_token: str) -> str:
    return b64url(hashlib.sha256(access_token.encode("ascii", "replace")).digest())


def target_uri(url: str) -> str:
    """``htu``: the request URI without query and fragment (§4.2)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()
