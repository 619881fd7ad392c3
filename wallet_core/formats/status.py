"""Credential status: IETF Token Status List (JWT form) and W3C Bitstring Status List.

Section numbers refer to draft-ietf-oauth-status-list (-20, ``specs/status-list.md``),
counted from its headings: §4.1 Compressed Byte Array, §4.2 JSON Status List, §5.1 Status
List Token in JWT Format, §6.2 Referenced Token in JOSE, §7 Status Types, §8.3 Validation
Rules, §11.5/§13.7 expiry and caching. The W3C half lives in ``status_bitstring`` and is
re-exported here, so ``from wallet_core.formats import status`` is the one entry point.

Typical holder flow (the caller does the fetching with its HTTP policy)::

    ref = status.parse_status_reference(claims)
    if ref is not None:
        token = http_get(ref.uri, accept="application/statuslist+jwt")
        result = status.check_token_status(token, ref, issuer_key=jwk_or_resolver)

Decisions:

- ``lst`` is base64url of a **zlib** (RFC 1950) stream; raw DEFLATE or GZIP is refused.
  Values are packed LSB-first inside each byte (§4.1 step 3, §11.1).
- Status Types (§7.1): 0x00 VALID, 0x01 INVALID, 0x02 SUSPENDED. 0x03 and 0x0C-0x0F are
  "application specific" and every other value is reserved: with no application profile
  defining them here, they all map to ``StatusState.UNKNOWN``; the raw value stays in
  ``StatusResult.value`` for a profile that knows better. UNKNOWN is not VALID: callers
  should show it as "status unknown", not as "valid".
- Keys (§11.3): pass the issuer's public JWK, or a resolver
  ``(header, unverified_payload) -> JWK`` that picks the key by ``kid``/``x5c``/``iss``.
  Only asymmetric JWS algorithms are accepted (``crypto.verify_compact``); §11.6 allows
  MACs, but a wallet has no shared secret with a Status Issuer.
- ``typ`` (§5.1) is compared case-insensitively, with or without the ``application/``
  prefix (RFC 7515 §4.1.9). ``sub`` must equal the Referenced Token's ``uri`` exactly.
  ``iat`` must be present; ``exp`` and ``nbf``, when present, are enforced with
  ``leeway``. ``ttl`` must be a positive number.
- Index out of range, negative or not an int: ``StatusIndexError`` (§8.3 step 6).
- Caching: ``CachePolicy`` (in ``status_common``) turns ``exp``/``ttl`` into
  ``StatusResult.valid_until``.
- Not implemented: the CWT form (§5.2), historical resolution (§8.4), aggregation (§9).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from wallet_core.crypto import verify_compact
from wallet_core.crypto.jwk import b64url
from wallet_core.errors import (
    ExpiredCredentialError,
    MalformedCredentialError,
    MissingClaimError,
    NotYetValidError,
    StatusIndexError,
    StatusListError,
    UnexpectedTypeError,
)
from wallet_core.formats.status_bitstring import (
    DEFAULT_MIN_ENTRIES,
    BitstringStatusEntry,
    bitstring_state,
    bitstring_value,
    check_bitstring_status,
    decode_encoded_list,
    parse_bitstring_entries,
    parse_bitstring_entry,
)
from wallet_core.formats.status_common import (
    DEFAULT_CACHE_POLICY,
    DEFAULT_LEEWAY,
    DEFAULT_MAX_DECOMPRESSED,
    ZLIB_WBITS,
    CachePolicy,
    StatusResult,
    b64url_decode_strict,
    from_epoch,
    inflate,
    is_number,
    require_url_text,
    utc,
)
from wallet_core.models import StatusState

__all__ = [
    "DEFAULT_CACHE_POLICY",
    "DEFAULT_LEEWAY",
    "DEFAULT_MAX_DECOMPRESSED",
    "DEFAULT_MIN_ENTRIES",
    "STATUS_LIST_TYP",
    "BitstringStatusEntry",
    "CachePolicy",
    "KeyResolver",
    "KeySource",
    "StatusList",
    "StatusListReference",
    "StatusListToken",
    "StatusResult",
    "bitstring_state",
    "bitstring_value",
    "check_bitstring_status",
    "check_token_status",
    "decode_encoded_list",
    "decode_lst",
    "decode_status_list",
    "parse_bitstring_entries",
    "parse_bitstring_entry",
    "parse_status_reference",
    "status_state",
    "verify_status_list_token",
]

STATUS_LIST_TYP = "statuslist+jwt"
ALLOWED_BITS = frozenset({1, 2, 4, 8})

KeyResolver = Callable[[Mapping[str, Any], Mapping[str, Any]], Mapping[str, Any]]
"""``(protected header, unverified payload) -> public JWK``. The payload is not yet
verified when the resolver sees it: use it only to choose a key (e.g. by ``iss``)."""

KeySource = Mapping[str, Any] | KeyResolver

_STATUS_TYPES = {0: StatusState.VALID, 1: StatusState.INVALID, 2: StatusState.SUSPENDED}


def status_state(value: int) -> StatusState:
    """Map a Status Type value (§7.1) to a ``StatusState``; unregistered or application
    specific values (0x03, 0x0C-0x0F, the rest) are UNKNOWN."""
    return _STATUS_TYPES.get(value, StatusState.UNKNOWN)


# -- the Status List ---------------------------------------------------------------------


@dataclass(frozen=True)
class StatusList:
    """A decoded Status List (§4.1): ``bits`` per entry, ``data`` the uncompressed bytes."""

    bits: int
    data: bytes = field(repr=False)
    aggregation_uri: str | None = None

    def __len__(self) -> int:
        return len(self.data) * 8 // self.bits

    def value(self, index: int) -> int:
        """The status value at ``index``: byte ``index*bits // 8``, counted from the least
        significant bit (§4.1 step 3, §11.1)."""
        if isinstance(index, bool) or not isinstance(index, int):
            raise StatusIndexError("the status index must be an integer")
        if index < 0 or index >= len(self):
            raise StatusIndexError(f"status index {index} is outside the list (0..{len(self) - 1})")
        per_byte = 8 // self.bits
        byte = self.data[index // per_byte]
        return (byte >> ((index % per_byte) * self.bits)) & ((1 << self.bits) - 1)

    def state(self, index: int) -> StatusState:
        return status_state(self.value(index))


def decode_lst(lst: str, bits: int, *, max_size: int = DEFAULT_MAX_DECOMPRESSED) -> StatusList:
    """Decode ``lst`` (base64url of a zlib stream, §4.2) with ``bits`` in {1, 2, 4, 8}."""
    if isinstance(bits, bool) or not isinstance(bits, int) or bits not in ALLOWED_BITS:
        raise StatusListError("bits must be one of 1, 2, 4, 8")
    compressed = b64url_decode_strict(lst, "the status list (lst)")
    return StatusList(bits, inflate(compressed, ZLIB_WBITS, max_size, "the status list (lst)"))


def decode_status_list(status_list: Any, *, max_size: int = DEFAULT_MAX_DECOMPRESSED) -> StatusList:
    """Decode the JSON ``StatusList`` object (§4.2): ``{"bits": .., "lst": .., ...}``."""
    if not isinstance(status_list, Mapping):
        raise StatusListError("status_list must be a JSON object")
    for name in ("bits", "lst"):
        if name not in status_list:
            raise StatusListError(f"status_list lacks {name!r}")
    aggregation = status_list.get("aggregation_uri")
    if aggregation is not None and not isinstance(aggregation, str):
        raise StatusListError("aggregation_uri must be a string")
    decoded = decode_lst(status_list["lst"], status_list["bits"], max_size=max_size)
    return StatusList(decoded.bits, decoded.data, aggregation)


# -- the Referenced Token ----------------------------------------------------------------


@dataclass(frozen=True)
class StatusListReference:
    """The ``status.status_list`` claim of a Referenced Token (§6.2)."""

    idx: int
    uri: str


def parse_status_reference(claims: Mapping[str, Any]) -> StatusListReference | None:
    """Read ``status.status_list`` from a credential's (processed) claims.

    Returns None when the credential has no ``status`` claim, or only status mechanisms
    other than ``status_list`` (§6.1 allows others). ``idx`` must be a non-negative
    integer; ``uri`` a non-empty string. Whether that URL may be fetched is decided where it
    is fetched, by ``wallet_core.http`` (one network policy, DESIGN §6).
    """
    if not isinstance(claims, Mapping):
        raise MalformedCredentialError("the credential claims must be a JSON object")
    if "status" not in claims:
        return None
    status = claims["status"]
    if not isinstance(status, Mapping) or not status:
        raise MalformedCredentialError("status must be a non-empty JSON object (§6.2)")
    if "status_list" not in status:
        return None
    ref = status["status_list"]
    if not isinstance(ref, Mapping):
        raise MalformedCredentialError("status.status_list must be a JSON object")
    for name in ("idx", "uri"):
        if name not in ref:
            raise MissingClaimError(f"status.status_list lacks {name!r}")
    idx = ref["idx"]
    if isinstance(idx, bool) or not isinstance(idx, int) or idx < 0:
        raise MalformedCredentialError("status.status_list.idx must be a non-negative integer")
    uri = require_url_text(ref["uri"], "status.status_list.uri")
    return StatusListReference(idx=idx, uri=uri)


# -- the Status List Token (JWT) ---------------------------------------------------------


@dataclass(frozen=True)
class StatusListToken:
    """A verified Status List Token (§5.1)."""

    sub: str
    issued_at: datetime
    expires_at: datetime | None
    ttl: timedelta | None
    status_list: StatusList
    fetched_at: datetime
    valid_until: datetime
    header: Mapping[str, Any] = field(repr=False)
    claims: Mapping[str, Any] = field(repr=False)


def verify_status_list_token(
    token: str,
    *,
    uri: str,
    issuer_key: KeySource,
    now: datetime | None = None,
    fetched_at: datetime | None = None,
    leeway: timedelta = DEFAULT_LEEWAY,
    max_size: int = DEFAULT_MAX_DECOMPRESSED,
    cache: CachePolicy = DEFAULT_CACHE_POLICY,
) -> StatusListToken:
    """Verify a Status List Token in JWT form for the Referenced Token's ``uri``.

    §8.3 steps 3-5: signature (InvalidSignatureError / MalformedCredentialError), ``typ``
    (UnexpectedTypeError), ``sub`` == ``uri`` (StatusListError), ``iat`` and
    ``status_list`` present (MissingClaimError), ``exp``/``nbf`` with ``leeway``
    (ExpiredCredentialError / NotYetValidError), then decompression (StatusListError).
    ``fetched_at`` (default ``now``) anchors ``ttl``; naive datetimes are taken as UTC.
    """
    current = utc(now)
    fetched = current if fetched_at is None else utc(fetched_at)
    if not isinstance(token, str):
        raise MalformedCredentialError("the Status List Token must be a string")
    token = token.strip()
    key = issuer_key if isinstance(issuer_key, Mapping) else _resolve_key(token, issuer_key)
    header, payload = verify_compact(token, key)
    typ = header.get("typ")
    if not isinstance(typ, str) or typ.lower().removeprefix("application/") != STATUS_LIST_TYP:
        raise UnexpectedTypeError(f"a Status List Token must have typ {STATUS_LIST_TYP!r}")
    claims = _json_object(payload, "the Status List Token payload")

    for name in ("sub", "status_list"):
        if name not in claims:
            raise MissingClaimError(f"the Status List Token lacks {name!r} (§5.1)")
    if claims["sub"] != uri:
        raise StatusListError("the Status List Token's sub is not the referenced uri (§8.3)")
    issued_at = _time_claim(claims, "iat")
    expires_at = _time_claim(claims, "exp")
    not_before = _time_claim(claims, "nbf")
    if issued_at is None:
        raise MissingClaimError("the Status List Token lacks 'iat' (§5.1)")
    if expires_at is not None and current - leeway > expires_at:
        raise ExpiredCredentialError("the Status List Token has expired")
    if not_before is not None and current + leeway < not_before:
        raise NotYetValidError("the Status List Token is not valid yet")
    ttl = None
    if "ttl" in claims:
        raw_ttl = claims["ttl"]
        if not is_number(raw_ttl) or raw_ttl <= 0:
            raise MalformedCredentialError("ttl must be a positive number of seconds (§5.1)")
        ttl = _seconds(raw_ttl)

    status_list = decode_status_list(claims["status_list"], max_size=max_size)
    return StatusListToken(
        sub=uri,
        issued_at=issued_at,
        expires_at=expires_at,
        ttl=ttl,
        status_list=status_list,
        fetched_at=fetched,
        valid_until=cache.valid_until(fetched, ttl, expires_at),
        header=header,
        claims=claims,
    )


def check_token_status(
    token: str,
    reference: StatusListReference,
    *,
    issuer_key: KeySource,
    now: datetime | None = None,
    fetched_at: datetime | None = None,
    leeway: timedelta = DEFAULT_LEEWAY,
    max_size: int = DEFAULT_MAX_DECOMPRESSED,
    cache: CachePolicy = DEFAULT_CACHE_POLICY,
) -> StatusResult:
    """Verify ``token`` for ``reference`` and read the referenced entry (§8.3 steps 3-7)."""
    current = utc(now)
    verified = verify_status_list_token(
        token,
        uri=reference.uri,
        issuer_key=issuer_key,
        now=current,
        fetched_at=fetched_at,
        leeway=leeway,
        max_size=max_size,
        cache=cache,
    )
    value = verified.status_list.value(reference.idx)
    return StatusResult(
        state=status_state(value),
        value=value,
        checked_at=current,
        valid_until=verified.valid_until,
    )


def _resolve_key(token: str, resolver: KeyResolver) -> Mapping[str, Any]:
    """Give the resolver the header and the (unverified) payload of a compact JWS."""
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedCredentialError("a Status List Token must be a compact JWS")
    try:
        header = _json_object(b64url_decode_strict(parts[0], "the JWS header"), "the header")
        payload = _json_object(b64url_decode_strict(parts[1], "the JWS payload"), "the payload")
    except StatusListError as exc:
        raise MalformedCredentialError("the Status List Token is not a compact JWS") from exc
    key = resolver(header, payload)
    if not isinstance(key, Mapping):
        raise MalformedCredentialError("the key resolver did not return a JWK")
    return key


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError
        raise MalformedCredentialError(f"{what} is not JSON") from exc
    if not isinstance(value, dict):
        raise MalformedCredentialError(f"{what} is not a JSON object")
    return value


def _time_claim(claims: Mapping[str, Any], name: str) -> datetime | None:
    if name not in claims:
        return None
    value = claims[name]
    if not is_number(value):
        raise MalformedCredentialError(f"{name} must be a NumericDate")
    return from_epoch(value, name)


def _seconds(value: float) -> timedelta:
    try:
        return timedelta(seconds=value)
    except OverflowError:
        return timedelta.max


# -- encoding (for issuers: the demo issuer and tests) -----------------------------------


def encode_status_list(values: Sequence[int], bits: int) -> str:
    """The ``lst`` value for ``values``: the inverse of :func:`decode_lst` (§4.1, §4.2).

    Each value takes ``bits`` bits (1, 2, 4 or 8), packed **LSB-first** inside each byte
    (index ``i`` lives in byte ``i*bits // 8`` at bit offset ``(i*bits) % 8``), then the
    bytes are zlib-compressed (RFC 1950, highest level, as §4.1 step 4 recommends) and
    base64url-encoded without padding. A partly used last byte is padded with zeros.
    Values outside ``0 .. 2**bits - 1`` raise ``StatusListError``.
    """
    if isinstance(bits, bool) or not isinstance(bits, int) or bits not in ALLOWED_BITS:
        raise StatusListError("bits must be one of 1, 2, 4, 8")
    per_byte = 8 // bits
    data = bytearray((len(values) + per_byte - 1) // per_byte)
    for index, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << bits:
            raise StatusListError(f"status value {value!r} does not fit in {bits} bit(s)")
        data[index // per_byte] |= value << ((index % per_byte) * bits)
    return b64url(zlib.compress(bytes(data), 9))
