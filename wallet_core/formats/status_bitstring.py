"""W3C Bitstring Status List v1.1 (``specs/bitstring-status-list.txt``): decoding and lookup,
and its predecessor StatusList2021 (W3C CCG "Status List 2021", the same bitstring).

Section names follow the W3C document: "BitstringStatusListEntry" and
"BitstringStatusListCredential" (Data Model), "Validate Algorithm", "Bitstring Expansion
Algorithm", "Bitstring Encoding" (Security Considerations).

StatusList2021 (``StatusList2021Entry`` -> ``StatusList2021Credential`` whose subject is a
``StatusList2021``) differs only where the 2021 draft did: ``encodedList`` is the GZIP
bitstring in base64 *without* a multibase prefix (issuers send base64url, some the standard
alphabet or padding; the 2023 drafts added the ``u`` prefix, which is tolerated), there is
no ``statusSize``/``statusMessage``, and a VCDM 1.1 list credential has
``issuanceDate``/``expirationDate`` rather than ``validFrom``/``validUntil``. A
:class:`ListProfile` names these differences; an entry carries its ``type``.

Decisions:

- ``encodedList`` is multibase ``u`` (base64url, no padding) of a single GZIP member;
  other multibase prefixes, padding, raw zlib and trailing bytes are refused.
- Bits are read **MSB-first**: index 0 is the left-most (most significant) bit of byte 0
  ("Bitstring Encoding"). A ``statusSize`` > 1 value occupies bits
  ``[index*size, (index+1)*size)`` and is read left to right, most significant bit first;
  it may straddle a byte boundary (e.g. ``statusSize`` 3).
- ``statusSize`` 1..8 is supported ("Conforming processors MAY choose to only support
  bitstring entry sizes of 1"); larger sizes raise StatusListError. Above 1,
  ``statusMessage`` is required with exactly 2**size entries covering every value.
- ``statusListIndex`` must be a string of ASCII digits (an integer is refused, as the
  spec requires a string).
- Minimum length ("Validate Algorithm"): bitstring bits / ``statusSize`` must be at least
  ``min_entries``, 131,072 by default (16 KB at size 1); the parameter exists because the
  spec lets an ecosystem set a different lower bound. Shorter lists are refused
  (STATUS_LIST_LENGTH_ERROR -> StatusListError): a short list weakens herd privacy.
- ``statusPurpose`` -> state: ``revocation`` set = INVALID, ``suspension`` set =
  SUSPENDED, unset = VALID; ``refresh`` never invalidates (VALID); ``message`` and unknown
  purposes are UNKNOWN (the wallet cannot interpret issuer-defined messages; the raw value
  and the entry's message are returned). The entry's purpose must be one of the list
  credential's purposes (STATUS_VERIFICATION_ERROR -> StatusListError).
- The list credential's ``id``, when present, must equal ``statusListCredential``;
  ``validFrom``/``validUntil`` are enforced; ``ttl`` is in **milliseconds**.

The list credential's proof (Data Integrity or VC-JOSE) is NOT verified here: the caller
must verify it before calling ``check_bitstring_status`` (the spec's STATUS_VERIFICATION_
ERROR case); the wallet does so in :mod:`status_w3c` (``verify_list_credential``). Not done:
``statusReference``, historical ``timestamp``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from wallet_core.errors import (
    ExpiredCredentialError,
    MalformedCredentialError,
    MissingClaimError,
    NotYetValidError,
    StatusIndexError,
    StatusListError,
)
from wallet_core.formats.status_common import (
    DEFAULT_CACHE_POLICY,
    DEFAULT_LEEWAY,
    DEFAULT_MAX_DECOMPRESSED,
    GZIP_WBITS,
    CachePolicy,
    StatusResult,
    b64url_decode_strict,
    is_number,
    require_url_text,
    utc,
)
from wallet_core.formats.status_common import inflate as _inflate
from wallet_core.models import StatusState

DEFAULT_MIN_ENTRIES = 131_072
MAX_STATUS_SIZE = 8
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_TYPE = "BitstringStatusList"
ENTRY_TYPE_2021 = "StatusList2021Entry"
_GZIP_BASE64 = "H4sI"  # every GZIP member starts 1f 8b 08: "H4sI" in base64


@dataclass(frozen=True)
class ListProfile:
    """The names (and the ``encodedList`` encoding) one status list generation uses."""

    entry_type: str
    credential_type: str
    list_type: str
    multibase: bool  # encodedList multibase "u" (v1.0+), else plain base64 (2021)
    sized: bool  # statusSize / statusMessage exist


BITSTRING = ListProfile(ENTRY_TYPE, LIST_CREDENTIAL_TYPE, LIST_TYPE, True, True)
STATUS_LIST_2021 = ListProfile(
    ENTRY_TYPE_2021, "StatusList2021Credential", "StatusList2021", False, False
)
PROFILES = {profile.entry_type: profile for profile in (BITSTRING, STATUS_LIST_2021)}

_INDEX = re.compile(r"[0-9]{1,32}")
_HEX_STATUS = re.compile(r"0[xX][0-9a-fA-F]{1,8}")
_PURPOSE_STATES = {"revocation": StatusState.INVALID, "suspension": StatusState.SUSPENDED}


@dataclass(frozen=True)
class BitstringStatusEntry:
    """One ``BitstringStatusListEntry`` (or ``StatusList2021Entry``, by ``type``);
    ``messages[value]`` is that value's message."""

    purpose: str
    index: int
    list_credential: str
    size: int = 1
    messages: tuple[str, ...] = ()
    id: str | None = None
    type: str = ENTRY_TYPE

    @property
    def profile(self) -> ListProfile:
        return PROFILES[self.type]


def bitstring_state(purpose: str, value: int) -> StatusState:
    """Map a status value read for ``purpose`` to a ``StatusState`` (see module docstring)."""
    if purpose == "refresh":
        return StatusState.VALID
    if purpose not in _PURPOSE_STATES:
        return StatusState.UNKNOWN
    return StatusState.VALID if value == 0 else _PURPOSE_STATES[purpose]


def decode_encoded_list(
    encoded: str, *, max_size: int = DEFAULT_MAX_DECOMPRESSED, multibase: bool = True
) -> bytes:
    """Multibase-decode and GUNZIP ``encodedList`` ("Bitstring Expansion Algorithm");
    ``multibase=False`` reads the StatusList2021 form (see the module docstring)."""
    if not multibase:
        return _inflate(_base64_2021(encoded), GZIP_WBITS, max_size, "encodedList")
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise StatusListError("encodedList must be multibase base64url (prefix 'u')")
    body = encoded[1:]
    if "=" in body:
        raise StatusListError("encodedList must be base64url without padding")
    return _inflate(b64url_decode_strict(body, "encodedList"), GZIP_WBITS, max_size, "encodedList")


def _base64_2021(encoded: Any) -> bytes:
    """StatusList2021 ``encodedList``: base64url or base64, padding optional; a multibase
    ``u`` before the GZIP magic (what later drafts wrote) is dropped."""
    if not isinstance(encoded, str):
        raise StatusListError("encodedList must be a base64 string")
    if encoded.startswith("u" + _GZIP_BASE64):
        encoded = encoded[1:]
    return b64url_decode_strict(encoded.replace("+", "-").replace("/", "_"), "encodedList")


def bitstring_value(bitstring: bytes, index: int, size: int = 1) -> int:
    """The ``size``-bit value at ``index``, MSB-first ("Bitstring Encoding")."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise StatusListError("statusSize must be a positive integer")
    if isinstance(index, bool) or not isinstance(index, int):
        raise StatusIndexError("the status index must be an integer")
    start, end = index * size, (index + 1) * size
    if index < 0 or end > len(bitstring) * 8:
        raise StatusIndexError(f"status index {index} is outside the bitstring (RANGE_ERROR)")
    first, last = start // 8, (end - 1) // 8
    chunk = int.from_bytes(bitstring[first : last + 1], "big")
    return (chunk >> ((last + 1) * 8 - end)) & ((1 << size) - 1)


def parse_bitstring_entry(entry: Any, profile: ListProfile = BITSTRING) -> BitstringStatusEntry:
    """Validate one ``credentialStatus`` object of ``profile``'s type
    (``BitstringStatusListEntry``, or ``StatusList2021Entry`` with ``STATUS_LIST_2021``)."""
    if not isinstance(entry, Mapping):
        raise MalformedCredentialError("credentialStatus entries must be JSON objects")
    if profile.entry_type not in _types(entry.get("type")):
        raise MalformedCredentialError(f"credentialStatus type must be {profile.entry_type!r}")
    for name in ("statusPurpose", "statusListIndex", "statusListCredential"):
        if name not in entry:
            raise MissingClaimError(f"credentialStatus lacks {name!r}")
    purpose = entry["statusPurpose"]
    if not isinstance(purpose, str) or not purpose:
        raise MalformedCredentialError("statusPurpose must be a non-empty string")
    raw_index = entry["statusListIndex"]
    if not isinstance(raw_index, str) or not _INDEX.fullmatch(raw_index):
        raise MalformedCredentialError("statusListIndex must be a string of decimal digits")
    url = require_url_text(entry["statusListCredential"], "statusListCredential")
    size = entry.get("statusSize", 1) if profile.sized else 1
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise MalformedCredentialError("statusSize must be an integer greater than zero")
    if size > MAX_STATUS_SIZE:
        raise StatusListError(f"statusSize above {MAX_STATUS_SIZE} is not supported")
    messages = _messages(entry.get("statusMessage"), size) if profile.sized else ()
    entry_id = entry.get("id")
    if entry_id is not None and not isinstance(entry_id, str):
        raise MalformedCredentialError("credentialStatus id must be a string")
    return BitstringStatusEntry(
        purpose, int(raw_index), url, size, messages, entry_id, profile.entry_type
    )


def entry_profile(entry: Mapping[str, Any]) -> ListProfile | None:
    """The status list generation a ``credentialStatus`` object names, if any."""
    for name in _types(entry.get("type")):
        if isinstance(name, str) and name in PROFILES:
            return PROFILES[name]
    return None


def parse_bitstring_entries(credential: Mapping[str, Any]) -> list[BitstringStatusEntry]:
    """All ``BitstringStatusListEntry`` objects of a credential's ``credentialStatus``
    (an object or an array); entries of other types are skipped (``status_w3c`` reads every
    type the wallet knows, StatusList2021 included)."""
    if not isinstance(credential, Mapping):
        raise MalformedCredentialError("the credential must be a JSON object")
    raw = credential.get("credentialStatus")
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    entries = []
    for item in items:
        if not isinstance(item, Mapping):
            raise MalformedCredentialError("credentialStatus entries must be JSON objects")
        if ENTRY_TYPE in _types(item.get("type")):
            entries.append(parse_bitstring_entry(item))
    return entries


def check_bitstring_status(
    entry: BitstringStatusEntry,
    list_credential: Mapping[str, Any],
    *,
    now: datetime | None = None,
    fetched_at: datetime | None = None,
    leeway: timedelta = DEFAULT_LEEWAY,
    min_entries: int = DEFAULT_MIN_ENTRIES,
    max_size: int = DEFAULT_MAX_DECOMPRESSED,
    cache: CachePolicy = DEFAULT_CACHE_POLICY,
) -> StatusResult:
    """Read ``entry`` from an already proof-verified ``BitstringStatusListCredential`` (or
    ``StatusList2021Credential``) ("Validate Algorithm" steps after dereferencing and proof
    verification)."""
    current = utc(now)
    fetched = current if fetched_at is None else utc(fetched_at)
    valid_until = _check_list_credential(entry, list_credential, current, leeway)
    subject, ttl = _list_subject(entry, list_credential.get("credentialSubject"))
    bitstring = decode_encoded_list(
        subject["encodedList"], max_size=max_size, multibase=entry.profile.multibase
    )
    if len(bitstring) * 8 // entry.size < min_entries:
        raise StatusListError(
            f"the status list has fewer than {min_entries} entries (STATUS_LIST_LENGTH_ERROR)"
        )
    value = bitstring_value(bitstring, entry.index, entry.size)
    return StatusResult(
        state=bitstring_state(entry.purpose, value),
        value=value,
        checked_at=current,
        valid_until=cache.valid_until(fetched, ttl, valid_until),
        purpose=entry.purpose,
        message=entry.messages[value] if entry.messages else None,
    )


def _check_list_credential(
    entry: BitstringStatusEntry,
    list_credential: Mapping[str, Any],
    current: datetime,
    leeway: timedelta,
) -> datetime | None:
    """Check the list credential's type, id and validity period; return its ``validUntil``
    (VCDM 1.1: ``expirationDate``)."""
    if not isinstance(list_credential, Mapping):
        raise StatusListError("the status list credential must be a JSON object")
    wanted = entry.profile.credential_type
    if wanted not in _types(list_credential.get("type")):
        raise StatusListError(f"the status list credential is not a {wanted}")
    if "id" in list_credential and list_credential["id"] != entry.list_credential:
        raise StatusListError("the status list credential's id is not statusListCredential")
    start = "validFrom" if "validFrom" in list_credential else "issuanceDate"
    end = "validUntil" if "validUntil" in list_credential else "expirationDate"
    valid_from = _datetime(list_credential.get(start), start)
    valid_until = _datetime(list_credential.get(end), end)
    if valid_until is not None and current - leeway > valid_until:
        raise ExpiredCredentialError("the status list credential has expired")
    if valid_from is not None and current + leeway < valid_from:
        raise NotYetValidError("the status list credential is not valid yet")
    return valid_until


def _list_subject(
    entry: BitstringStatusEntry, subject: Any
) -> tuple[Mapping[str, Any], timedelta | None]:
    """Check the list's ``credentialSubject`` against ``entry``; return it and its ``ttl``."""
    list_type = entry.profile.list_type
    if not isinstance(subject, Mapping) or list_type not in _types(subject.get("type")):
        raise StatusListError(f"credentialSubject must be a {list_type}")
    purposes = subject.get("statusPurpose")
    purposes = [purposes] if isinstance(purposes, str) else purposes
    if not isinstance(purposes, list) or entry.purpose not in purposes:
        raise StatusListError("the status list does not serve the entry's statusPurpose")
    if subject.get("statusSize", entry.size) != entry.size:
        raise StatusListError("the status list's statusSize differs from the entry's")
    if "encodedList" not in subject:
        raise StatusListError("credentialSubject lacks encodedList")
    if "ttl" not in subject:
        return subject, None
    raw_ttl = subject["ttl"]
    if not is_number(raw_ttl) or raw_ttl <= 0:
        raise StatusListError("ttl must be a positive number of milliseconds")
    return subject, timedelta(milliseconds=min(raw_ttl, 1e15))


def _types(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [value]
    return value if isinstance(value, list) else []


def _messages(raw: Any, size: int) -> tuple[str, ...]:
    """``statusMessage``: required above size 1, exactly 2**size, one per value."""
    if raw is None:
        if size > 1:
            raise MissingClaimError("statusMessage is required when statusSize > 1")
        return ()
    count = 1 << size
    if not isinstance(raw, list) or len(raw) != count:
        raise MalformedCredentialError(f"statusMessage must be an array of {count} objects")
    by_value: dict[int, str] = {}
    for item in raw:
        if not isinstance(item, Mapping):
            raise MalformedCredentialError("statusMessage items must be JSON objects")
        status, message = item.get("status"), item.get("message")
        if not isinstance(status, str) or not _HEX_STATUS.fullmatch(status):
            raise MalformedCredentialError("statusMessage status must be a 0x-prefixed hex string")
        if not isinstance(message, str):
            raise MalformedCredentialError("statusMessage message must be a string")
        value = int(status, 16)
        if value >= count or value in by_value:
            raise MalformedCredentialError("statusMessage must list each status value once")
        by_value[value] = message
    return tuple(by_value[value] for value in range(count))


def _datetime(value: Any, what: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedCredentialError(f"{what} must be an XML Schema dateTimeStamp string")
    try:
        return utc(datetime.fromisoformat(value))
    except (ValueError, OverflowError) as exc:
        raise MalformedCredentialError(f"{what} is not a valid date-time") from exc
