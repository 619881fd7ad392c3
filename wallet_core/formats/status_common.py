"""Pieces shared by the two status-list formats (see ``status`` and ``status_bitstring``).

Strict base64url, bounded inflate (zlib for the IETF Token Status List, GZIP for the W3C
Bitstring Status List), the result type, the caching policy and the status-URL check.
No I/O: callers pass what they fetched.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from wallet_core.crypto.jwk import b64url_decode
from wallet_core.errors import (
    MalformedCredentialError,
    StatusListError,
)
from wallet_core.models import CredentialStatus, StatusState

#: Default cap on a decompressed status list. The largest IETF test vector (2^20 entries
#: of 8 bits) is 1 MiB; a W3C list of 131,072 entries of 8 bits is 128 KiB.
DEFAULT_MAX_DECOMPRESSED = 16 * 1024 * 1024

#: Clock-skew tolerance for ``exp``/``nbf``/``validFrom``/``validUntil``.
DEFAULT_LEEWAY = timedelta(seconds=60)

ZLIB_WBITS = 15  # RFC 1950 container, as the Token Status List requires (§4.1 step 4)
GZIP_WBITS = 31  # RFC 1952 container, as the Bitstring Status List requires


@dataclass(frozen=True)
class StatusResult:
    """The outcome of one status check.

    ``value`` is the raw status value read from the list (IETF Status Type, or the W3C
    entry's ``statusSize`` bits). ``valid_until`` is when the caller should fetch the list
    again (see ``CachePolicy``). ``purpose`` and ``message`` are only set for W3C entries.
    """

    state: StatusState
    value: int
    checked_at: datetime
    valid_until: datetime | None
    purpose: str | None = None
    message: str | None = None

    def to_credential_status(self) -> CredentialStatus:
        """The subset ``models.CredentialStatus`` stores (state and check time)."""
        return CredentialStatus(state=self.state, checked_at=self.checked_at)


@dataclass(frozen=True)
class CachePolicy:
    """How long a fetched status list may be relied upon.

    Token Status List §13.7 "Status List Update Interval and Caching" and §11.5 "Expiration
    and Caching": ``exp`` is a hard limit, ``ttl``
    is relative to the fetch time, and clients SHOULD keep both within reasonable bounds so
    that an issuer cannot make wallets hammer its server (tiny ``ttl``) or keep stale
    revocation data for months (huge ``ttl``).

    - ``ttl`` present: cache for ``ttl`` clamped to [``min_ttl``, ``max_ttl``], never past
      ``exp`` (or a W3C list's ``validUntil``).
    - no ``ttl`` but ``exp``: cache until ``exp``, at most ``max_ttl``.
    - neither: cache for ``default_ttl`` (one hour).
    """

    default_ttl: timedelta = timedelta(hours=1)
    min_ttl: timedelta = timedelta(minutes=1)
    max_ttl: timedelta = timedelta(days=1)

    def valid_until(
        self, fetched_at: datetime, ttl: timedelta | None, expires: datetime | None
    ) -> datetime:
        if ttl is not None:
            horizon = fetched_at + min(max(ttl, self.min_ttl), self.max_ttl)
        elif expires is not None:
            horizon = fetched_at + self.max_ttl
        else:
            horizon = fetched_at + self.default_ttl
        return horizon if expires is None else min(horizon, expires)


DEFAULT_CACHE_POLICY = CachePolicy()


def b64url_decode_strict(text: str, what: str) -> bytes:
    """base64url (RFC 4648 §5); padding is tolerated, anything else is a StatusListError."""
    if not isinstance(text, str):
        raise StatusListError(f"{what} is not base64url")
    try:
        return b64url_decode(text.rstrip("="))
    except ValueError as exc:
        raise StatusListError(f"{what} is not base64url") from exc


def inflate(data: bytes, wbits: int, max_size: int, what: str) -> bytes:
    """Decompress one zlib (``wbits=15``) or GZIP (``wbits=31``) stream, at most ``max_size``.

    Refuses, with StatusListError: corrupt or truncated streams, trailing bytes after the
    stream (including a second GZIP member), and output beyond ``max_size`` (decompression
    bombs: the output is produced in bounded steps, never all at once).
    """
    if max_size < 0:
        raise StatusListError("the decompression limit must not be negative")
    decompressor = zlib.decompressobj(wbits)
    out = bytearray()
    pending = data
    try:
        while True:
            chunk = decompressor.decompress(pending, max_size + 1 - len(out))
            out += chunk
            if len(out) > max_size:
                raise StatusListError(f"{what} decompresses to more than {max_size} bytes")
            if decompressor.eof:
                break
            pending = decompressor.unconsumed_tail
            if not chunk and not pending:
                raise StatusListError(f"{what} is a truncated compressed stream")
    except zlib.error as exc:
        raise StatusListError(f"{what} is not a valid compressed stream") from exc
    if decompressor.unused_data:
        raise StatusListError(f"{what} has trailing bytes after the compressed stream")
    return bytes(out)


def require_url_text(uri: Any, what: str) -> str:
    """An absolute URL with a host. Whether it may be fetched (https only, no private
    networks, ...) is decided when it is fetched, by wallet_core.http: one network policy."""
    if not isinstance(uri, str) or not uri:
        raise MalformedCredentialError(f"{what} must be a non-empty string")
    try:
        parts = urlsplit(uri)
        host = parts.hostname
    except ValueError as exc:
        raise MalformedCredentialError(f"{what} is not a valid URL") from exc
    if not parts.scheme or not host:
        raise MalformedCredentialError(f"{what} is not an absolute URL with a host")
    return uri


def utc(moment: datetime | None) -> datetime:
    """``moment`` as an aware UTC datetime (naive values are taken to be UTC); None = now."""
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def is_number(value: Any) -> bool:
    """A JSON number (not a bool), finite."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def from_epoch(value: float, what: str) -> datetime:
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise MalformedCredentialError(f"{what} is not a representable time") from exc
