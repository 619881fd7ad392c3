"""The issuer's W3C Bitstring Status List for its Data Integrity Open Badges.

Bitstring Status List v1.1: each ``ldp_vc`` credential carries a ``credentialStatus``
``BitstringStatusListEntry`` (``statusPurpose`` revocation, ``statusListIndex`` as a string,
``statusListCredential`` = ``{base}/status/bitstring/<n>``, a further list once one is full,
see status_shelf.py); that URL serves a
``BitstringStatusListCredential`` (VCDM 2.0) whose ``encodedList`` is multibase ``u`` of the
GZIP-compressed bitstring, index 0 the most significant bit of byte 0 ("Bitstring
Encoding"). 131,072 entries, the spec's minimum for herd privacy ("Validate Algorithm"),
handed out in a random order like the Token Status List's.

The list credential is signed afresh (eddsa-rdfc-2022, the issuer's ``#key-2``) at every
fetch, valid for an hour, ``ttl`` 60 s (in milliseconds, as the spec has it): a revocation
on the demo page shows at the next fetch.
"""

from __future__ import annotations

import gzip
import secrets
import time
from typing import Any

from wallet_core.crypto import Signer
from wallet_core.crypto.jwk import b64url
from wallet_core.formats import data_integrity

LIST_SIZE = 131_072
TTL_MS = 60_000
VALIDITY_SECONDS = 3600
MEDIA_TYPE = "application/vc+ld+json"
VC_V2 = "https://www.w3.org/ns/credentials/v2"


class BitstringStatusList:
    def __init__(self, url: str, size: int = LIST_SIZE) -> None:
        self.url = url
        self._bits = bytearray(size // 8)
        self.size = size
        self._free = list(range(size))
        secrets.SystemRandom().shuffle(self._free)

    @property
    def is_full(self) -> bool:
        return not self._free

    def allocate(self) -> int:
        """A free index; a full list is followed by the next (status_shelf.py)."""
        return self._free.pop()

    def revoke(self, index: int) -> None:
        if not 0 <= index < self.size:
            raise IndexError(index)
        self._bits[index // 8] |= 0x80 >> (index % 8)

    def is_set(self, index: int) -> bool:
        return bool(self._bits[index // 8] & (0x80 >> (index % 8)))

    def entry(self, index: int) -> dict[str, Any]:
        """The ``credentialStatus`` of the credential at ``index``."""
        return {
            "id": f"{self.url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": self.url,
        }

    def encoded_list(self) -> str:
        # mtime=0: the same bits always give the same bytes
        return "u" + b64url(gzip.compress(bytes(self._bits), mtime=0))

    def credential(
        self, signer: Signer, *, issuer: str, verification_method: str, now: float
    ) -> dict[str, Any]:
        """The signed ``BitstringStatusListCredential``."""
        document = {
            "@context": [VC_V2],
            "id": self.url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer,
            "validFrom": _iso(now),
            "validUntil": _iso(now + VALIDITY_SECONDS),
            "credentialSubject": {
                "id": f"{self.url}#list",
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": self.encoded_list(),
                "ttl": TTL_MS,
            },
        }
        return data_integrity.add_proof(
            document, signer, verification_method=verification_method, created=_iso(now)
        )


def _iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))
