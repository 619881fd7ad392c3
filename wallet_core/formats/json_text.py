"""JSON as the formats read it: strict (RFC 8259: no NaN or Infinity, whatever Python
allows) and fast for the many small texts one credential holds (every SD-JWT disclosure)."""

from __future__ import annotations

import json
from typing import Any

from wallet_core.crypto.jwk import b64url_decode
from wallet_core.errors import MalformedCredentialError


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_not_json)


def loads(text: str) -> Any:
    """``json.loads``, strict; for text without surrounding white space at half the cost.
    Raises ``ValueError`` (or ``RecursionError``) like ``json.loads``."""
    try:
        value, end = _DECODER.raw_decode(text)
    except ValueError:
        return _DECODER.decode(text)  # white space first, or not JSON: the full rules decide
    return value if end == len(text) else _DECODER.decode(text)


def jwt_parts(token: str, what: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and payload of a compact JWT, not yet verified."""
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedCredentialError(f"the {what} is not a compact JWS")
    try:
        header = loads(b64url_decode(parts[0]).decode("utf-8"))
        payload = loads(b64url_decode(parts[1]).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise MalformedCredentialError(f"the {what} is not base64url JSON") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise MalformedCredentialError(f"the {what}'s header and payload must be objects")
    return header, payload
