"""Compact JWE through joserfc, the one place wallet_core encrypts or decrypts: ``ECDH-ES``
(direct key agreement, RFC 7518 §4.6) with AES-GCM content encryption, the only choice
OpenID4VP 1.0 §8.3 and OpenID4VCI 1.0 §10 ("Encrypted Credential Requests and Responses")
need here.

:func:`encrypt` goes to someone else's public key. :class:`Decrypter` holds an ephemeral
key pair of its own for one exchange: its private half never leaves this module (it is never
stored: a lost response is asked for again).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, import_key

from wallet_core.errors import MalformedResponseError, ProtocolError

ALGORITHM = "ECDH-ES"
ENCRYPTIONS = ("A256GCM", "A128GCM")  # best first: HAIP 1.0 §5 prefers A256GCM
MAX_JWE_LENGTH = 2 * 1024 * 1024


def best_encryption(offered: Sequence[str]) -> str | None:
    """The strongest content encryption of ``offered`` this wallet has; None without one."""
    return next((enc for enc in ENCRYPTIONS if enc in offered), None)


_REGISTRY = jwe.JWERegistry(algorithms=[ALGORITHM, *ENCRYPTIONS])
_PRIVATE = frozenset({"d", "p", "q", "dp", "dq", "qi", "k"})


def encrypt(public_jwk: Mapping[str, Any], payload: bytes, enc: str) -> str:
    """``payload`` to ``public_jwk`` (its ``kid`` goes into the header, §10 / §8.3)."""
    if enc not in ENCRYPTIONS or _PRIVATE & public_jwk.keys():
        raise ProtocolError("only ECDH-ES with A128GCM or A256GCM to a public key")
    header: dict[str, Any] = {"alg": ALGORITHM, "enc": enc}
    if isinstance(public_jwk.get("kid"), str):
        header["kid"] = public_jwk["kid"]
    try:
        return str(
            jwe.encrypt_compact(header, payload, import_key(dict(public_jwk)), registry=_REGISTRY)
        )
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise ProtocolError("the message could not be encrypted to that key") from exc


class Decrypter:
    """An ephemeral P-256 key pair for one encrypted answer."""

    def __init__(self) -> None:
        self._key = ECKey.generate_key("P-256", parameters={"kid": secrets.token_urlsafe(8)})

    @property
    def public_jwk(self) -> dict[str, Any]:
        """To hand out: ``alg`` and ``use`` say what it is for (§10 requires ``alg``)."""
        public = dict(self._key.as_dict(private=False))
        return {**public, "alg": ALGORITHM, "use": "enc"}

    def decrypt(self, token: str, enc: str) -> Any:
        """The JSON an answer encrypted to this key holds; it must use ``enc``."""
        if len(token) > MAX_JWE_LENGTH or token.count(".") != 4:
            raise MalformedResponseError("an encrypted answer is a compact JWE")
        try:
            result = jwe.decrypt_compact(token, self._key, registry=_REGISTRY)
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise MalformedResponseError("the encrypted answer does not decrypt") from exc
        header = result.protected
        if header.get("alg") != ALGORITHM or header.get("enc") != enc or "zip" in header:
            raise MalformedResponseError("the answer is not encrypted as asked")
        try:
            return json.loads(result.plaintext or b"")
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise MalformedResponseError("the encrypted answer is not JSON") from exc
