"""Reading what a wallet posts to the response URI (OpenID4VP 1.0 §8.2, §8.3, §8.5).

``direct_post``: a form with ``vp_token`` (a JSON object as a string, §8.1) and ``state``,
or an error response (``error``, ``error_description``, ``state``).

``direct_post.jwt``: a form with ``response`` = a compact JWE (§8.3): ``alg`` ``ECDH-ES``
to the transaction's ephemeral key, ``kid`` naming it (required: the key has one),
``enc`` ``A128GCM`` or ``A256GCM``, no ``zip`` (a compressed payload is a decompression
bomb waiting to happen and nobody needs it). The plaintext is a JSON object with the
response parameters as top-level members, ``vp_token`` as an object. A wallet that cannot
encrypt may still send a plain error response (§8.3.1); a plain ``vp_token`` is refused in
this mode, since the verifier asked for confidentiality.

``state`` inside the JWE wins over one outside it (the outer form is not covered by the
AEAD tag). The JWE is not signed, so encryption proves nothing about the sender: the
KB-JWT does that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from joserfc import jwe
from joserfc.errors import JoseError

from demo_services.verifier.authorization import ENCRYPTION_ENCS
from demo_services.verifier.state import Transaction
from wallet_core.crypto.jwk import b64url_decode

_REGISTRY = jwe.JWERegistry(algorithms=["ECDH-ES", *ENCRYPTION_ENCS])
# RFC 6749 §4.1.2.1: error and error_description use %x20-21 / %x23-5B / %x5D-7E
_ERROR_TEXT = re.compile(r"[\x20\x21\x23-\x5B\x5D-\x7E]*")
MAX_ERROR_TEXT = 500


class ResponseRejected(Exception):
    """The answer cannot be accepted; ``error`` is the OAuth error code we reply with."""

    def __init__(self, description: str, error: str = "invalid_request") -> None:
        super().__init__(description)
        self.error = error
        self.description = description


@dataclass(frozen=True)
class WalletAnswer:
    vp_token: dict[str, Any] | None
    error: str | None
    error_description: str | None
    state: str | None
    encrypted: bool


def read_answer(form: Mapping[str, str], transaction: Transaction) -> WalletAnswer:
    encrypted_mode = transaction.encryption_key is not None
    if "response" in form:
        if not encrypted_mode:
            raise ResponseRejected("this verifier asked for direct_post, not direct_post.jwt")
        fields = decrypt(form["response"], transaction)
        if "state" not in fields and "state" in form:
            fields["state"] = form["state"]
        return _answer(fields, encrypted=True)
    if encrypted_mode and "vp_token" in form:
        raise ResponseRejected("this verifier asked for an encrypted response (direct_post.jwt)")
    return _answer(dict(form), encrypted=False)


def decrypt(token: str, transaction: Transaction) -> dict[str, Any]:
    key = transaction.encryption_key
    assert key is not None
    header = _protected_header(token)
    if header.get("alg") != "ECDH-ES":
        raise ResponseRejected("the response must be encrypted with alg ECDH-ES")
    if header.get("enc") not in ENCRYPTION_ENCS:
        raise ResponseRejected(f"enc must be one of {', '.join(ENCRYPTION_ENCS)}")
    if header.get("kid") != transaction.encryption_kid:
        raise ResponseRejected("the response is not encrypted to this request's key (kid)")
    if "zip" in header:
        raise ResponseRejected("compressed responses are not accepted")
    try:
        plaintext = jwe.decrypt_compact(token, key, registry=_REGISTRY).plaintext
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise ResponseRejected("the encrypted response could not be decrypted") from exc
    try:
        fields = json.loads(plaintext or b"")
    except (ValueError, RecursionError) as exc:
        raise ResponseRejected("the decrypted response is not JSON") from exc
    if not isinstance(fields, dict):
        raise ResponseRejected("the decrypted response is not a JSON object")
    return fields


def _protected_header(token: str) -> dict[str, Any]:
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 5:
        raise ResponseRejected("response must be a compact JWE (five parts)")
    try:
        header = json.loads(b64url_decode(parts[0]))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ResponseRejected("the JWE header is not base64url JSON") from exc
    if not isinstance(header, dict):
        raise ResponseRejected("the JWE header is not a JSON object")
    return header


def _answer(fields: Mapping[str, Any], *, encrypted: bool) -> WalletAnswer:
    state = fields.get("state")
    if state is not None and not isinstance(state, str):
        raise ResponseRejected("state must be a string")
    has_token, has_error = "vp_token" in fields, "error" in fields
    if has_token and has_error:
        raise ResponseRejected("a response carries either vp_token or error, not both")
    if has_error:
        return WalletAnswer(
            vp_token=None,
            error=_error_text(fields["error"], "error", required=True),
            error_description=_error_text(fields.get("error_description"), "error_description"),
            state=state,
            encrypted=encrypted,
        )
    if not has_token:
        raise ResponseRejected("the response has neither vp_token nor error")
    token = fields["vp_token"]
    if isinstance(token, str):  # direct_post: the JSON object travels as a string (§8.1)
        try:
            token = json.loads(token)
        except (ValueError, RecursionError) as exc:
            raise ResponseRejected("vp_token is not JSON") from exc
    if not isinstance(token, dict):
        raise ResponseRejected("vp_token must be a JSON object keyed by credential query id")
    return WalletAnswer(token, None, None, state, encrypted)


def _error_text(value: Any, name: str, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value):
        raise ResponseRejected(f"{name} must be a non-empty string")
    if not _ERROR_TEXT.fullmatch(value):
        raise ResponseRejected(f"{name} contains characters RFC 6749 does not allow")
    return value[:MAX_ERROR_TEXT]
