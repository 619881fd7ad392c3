"""SD-JWT Disclosures and their digests (RFC 9901 §4.2).

A Disclosure is base64url(JSON array): ``[salt, name, value]`` for an object property or
``[salt, value]`` for an array element. Its digest is taken over the ASCII bytes of that
base64url string exactly as transmitted (§4.2.3), never over a re-encoding.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from typing import Any, NamedTuple

from wallet_core.crypto.jwk import b64url, b64url_decode
from wallet_core.errors import (
    MalformedDisclosureError,
    ReservedClaimNameError,
    UnsupportedHashAlgorithmError,
)
from wallet_core.formats.json_text import loads

# IANA "Named Information Hash Algorithm" names accepted for _sd_alg (§4.1.1).
HASH_ALGORITHMS: dict[str, Callable[[bytes], Any]] = {
    "sha-256": hashlib.sha256,
    "sha-384": hashlib.sha384,
    "sha-512": hashlib.sha512,
}
__all__ = ["b64url", "b64url_decode"]  # re-exported for the other format modules
DEFAULT_HASH = "sha-256"
RESERVED_NAMES = frozenset({"_sd", "..."})


def hash_function(alg: str) -> Callable[[bytes], Any]:
    try:
        return HASH_ALGORITHMS[alg]
    except KeyError:
        raise UnsupportedHashAlgorithmError(f"_sd_alg {alg!r} is not supported") from None


def digest_of(encoded: str, alg: str = DEFAULT_HASH) -> str:
    return _digest(hash_function(alg), encoded)


def _digest(hasher: Callable[[bytes], Any], encoded: str) -> str:
    """Over the ASCII of the text as sent, never a re-encoding (§4.2.3)."""
    return b64url(hasher(encoded.encode("ascii")).digest())


def digest_length(alg: str) -> int:
    """Length of a base64url digest for ``alg``: a cheap check that digests match _sd_alg."""
    return len(b64url(hash_function(alg)(b"").digest()))


class _SaltSource:
    """128-bit salts from the OS CSPRNG, drawn 64 at a time: one system call per 64 claims."""

    def __init__(self) -> None:
        self._pool: list[str] = []

    def next(self) -> str:
        if not self._pool:
            block = secrets.token_bytes(16 * 64)
            self._pool = [b64url(block[i : i + 16]) for i in range(0, len(block), 16)]
        return self._pool.pop()


_salts = _SaltSource()


class Disclosure(NamedTuple):  # a tuple: made for every disclosure of every credential read
    encoded: str
    salt: str
    name: str | None  # None for an array element
    value: Any
    digest: str

    @property
    def is_array_element(self) -> bool:
        return self.name is None


def make_disclosure(name: str | None, value: Any, alg: str = DEFAULT_HASH) -> Disclosure:
    """A new Disclosure with a 128-bit random salt (§9.3)."""
    salt = _salts.next()
    content = [salt, value] if name is None else [salt, name, value]
    encoded = b64url(json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode())
    return Disclosure(encoded, salt, name, value, digest_of(encoded, alg))


def parse_disclosure(encoded: str, alg: str = DEFAULT_HASH) -> Disclosure:
    hasher = hash_function(alg)
    try:
        content = loads(b64url_decode(encoded).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise MalformedDisclosureError("a disclosure is not base64url-encoded JSON") from exc
    if type(content) is not list or len(content) not in (2, 3):
        raise MalformedDisclosureError("a disclosure must be an array of 2 or 3 elements")
    salt = content[0]
    if not isinstance(salt, str):
        raise MalformedDisclosureError("a disclosure's salt must be a string")
    name: str | None = None
    if len(content) == 3:
        name = content[1]
        if not isinstance(name, str):
            raise MalformedDisclosureError("a disclosure's claim name must be a string")
        if name in RESERVED_NAMES:
            raise ReservedClaimNameError(f"a disclosure may not name a claim {name!r}")
    return Disclosure(encoded, salt, name, content[-1], _digest(hasher, encoded))


def decoy_digest(alg: str = DEFAULT_HASH) -> str:
    """A digest no disclosure will ever match, to hide how many claims there are (§4.2.5)."""
    return b64url(hash_function(alg)(secrets.token_bytes(16)).digest())
