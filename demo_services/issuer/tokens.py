"""Random values and the few comparisons the OAuth side needs.

Every code, token, nonce and id comes from ``secrets`` (CSPRNG), and secrets are compared
in constant time, so neither guessing nor timing helps an attacker on the same machine.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

# RFC 7636 §4.1: 43-128 characters of the unreserved set.
_PKCE_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
PAR_URN_PREFIX = "urn:ietf:params:oauth:request_uri:"  # RFC 9126 §2.2


def random_token(nbytes: int = 32) -> str:
    """An unguessable URL-safe string (256 bits by default) for codes and tokens."""
    return secrets.token_urlsafe(nbytes)


def short_id(nbytes: int = 12) -> str:
    """Ids that are not secrets but should not be enumerable (offers, transactions)."""
    return secrets.token_urlsafe(nbytes)


def numeric_code(length: int) -> str:
    """A transaction code of ``length`` decimal digits (leading zeros kept)."""
    return f"{secrets.randbelow(10**length):0{length}d}"


def same(secret: str, offered: str) -> bool:
    """Constant-time equality for secrets (tx codes, passwords, CSRF tokens)."""
    return hmac.compare_digest(secret.encode(), offered.encode())


def s256(verifier: str) -> str:
    """RFC 7636 §4.2: ``BASE64URL(SHA256(ASCII(code_verifier)))``."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def pkce_verifier_is_valid(verifier: str) -> bool:
    return _PKCE_VERIFIER.fullmatch(verifier) is not None


def pkce_challenge_is_valid(challenge: str) -> bool:
    """An S256 challenge is 43 base64url characters (a SHA-256 digest)."""
    return re.fullmatch(r"[A-Za-z0-9_-]{43}", challenge) is not None


def pkce_matches(verifier: str, challenge: str) -> bool:
    return pkce_verifier_is_valid(verifier) and same(challenge, s256(verifier))
