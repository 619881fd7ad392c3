"""Public JWK helpers: RFC 7638 thumbprints and did:jwk."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping

from wallet_core.errors import KeyStoreError

# RFC 7638 §3.2: only the required members, in lexicographic order.
_REQUIRED_MEMBERS = {
    "EC": ("crv", "kty", "x", "y"),
    "OKP": ("crv", "kty", "x"),
    "RSA": ("e", "kty", "n"),
}
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict base64url without padding (RFC 7515 §2); raises ``ValueError`` otherwise."""
    if not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ValueError("not base64url") from exc


def public_only(jwk: Mapping[str, str]) -> dict[str, str]:
    return {name: value for name, value in jwk.items() if name not in _PRIVATE_MEMBERS}


def thumbprint(jwk: Mapping[str, str]) -> str:
    """RFC 7638 SHA-256 JWK thumbprint, base64url."""
    members = _REQUIRED_MEMBERS.get(jwk.get("kty", ""))
    if members is None:
        raise KeyStoreError(f"cannot take the thumbprint of key type {jwk.get('kty')!r}")
    try:
        canonical = {name: jwk[name] for name in members}
    except KeyError as exc:
        raise KeyStoreError(f"the JWK lacks the member {exc.args[0]!r}") from exc
    encoded = json.dumps(canonical, separators=(",", ":"), sort_keys=True).encode()
    return b64url(hashlib.sha256(encoded).digest())


def did_jwk(jwk: Mapping[str, str]) -> str:
    """did:jwk of the public part of ``jwk`` (compact JSON, base64url)."""
    encoded = json.dumps(public_only(jwk), separators=(",", ":"), sort_keys=True).encode()
    return "did:jwk:" + b64url(encoded)
