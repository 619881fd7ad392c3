"""The issuer's Token Status List (draft-ietf-oauth-status-list, JWT form, 1 bit per entry).

Indices are handed out in a random order from a list of 4096 entries (then from a further
list, :mod:`~demo_services.issuer.status_shelf`), so a credential's
index says nothing about when it was issued or how many came before it, and every index
hides among thousands of others (status-list §12.2 "herd privacy"). Each credential of a
batch gets its own index, so the copies cannot be linked through ``status.idx``.

The token is signed afresh on every request with ``ttl`` 60 s: revocation on the demo page
shows up at the next fetch, and ``exp`` bounds how long a cached copy may be relied on.
"""

from __future__ import annotations

import secrets
from typing import Any

from wallet_core.crypto import Signer, sign_compact
from wallet_core.formats.status import encode_status_list

LIST_SIZE = 4096
TTL_SECONDS = 60
VALIDITY_SECONDS = 3600
REVOKED = 1
MEDIA_TYPE = "application/statuslist+jwt"


class StatusList:
    def __init__(self, uri: str, size: int = LIST_SIZE) -> None:
        self.uri = uri
        self.size = size
        self._values = [0] * size
        free = list(range(size))
        secrets.SystemRandom().shuffle(free)
        self._free = free

    @property
    def is_full(self) -> bool:
        return not self._free

    def allocate(self) -> int:
        """A free index; a full list is followed by the next (status_shelf.py)."""
        return self._free.pop()

    def set(self, idx: int, value: int) -> None:
        if not 0 <= idx < len(self._values):
            raise IndexError(idx)
        self._values[idx] = value

    def value(self, idx: int) -> int:
        return self._values[idx]

    def token(self, signer: Signer, *, issuer: str, now: float) -> str:
        """A Status List Token (§5.1): ``typ`` statuslist+jwt, ``sub`` = the list's URI."""
        issued_at = int(now)
        payload: dict[str, Any] = {
            "iss": issuer,  # lets a verifier pick the key from the issuer's metadata
            "sub": self.uri,
            "iat": issued_at,
            "exp": issued_at + VALIDITY_SECONDS,
            "ttl": TTL_SECONDS,
            "status_list": {"bits": 1, "lst": encode_status_list(self._values, 1)},
        }
        header = {"typ": "statuslist+jwt", "kid": signer.kid}
        return sign_compact(header, payload, signer)
