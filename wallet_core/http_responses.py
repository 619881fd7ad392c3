"""Reading a response under the policy's limits: size caps on the wire and after
decompression, the declared content type, the charset and strict JSON (DESIGN §6).

:mod:`wallet_core.http` sends; this module reads what comes back, so the limits on a
response are written once.
"""

from __future__ import annotations

import json
import time
import zlib
from dataclasses import dataclass
from email.message import Message
from typing import Any

import httpx

from wallet_core.errors import (
    MalformedResponseError,
    NetworkError,
    ResponseTooLargeError,
    TimeoutError_,
    UnexpectedContentTypeError,
    WalletError,
)


@dataclass(frozen=True)
class HttpResponse:
    """A completely read, size-checked response. ``url`` is the final URL after redirects."""

    url: str
    status: int
    headers: httpx.Headers
    content: bytes

    @property
    def media_type(self) -> str | None:
        """The Content-Type without parameters, lower case; None when absent."""
        return _media_type(self.headers.get("content-type"))

    def json(self) -> Any:
        """The body as JSON; :class:`NetworkError` when it is not valid JSON."""
        return _parse_json(self.content)

    def text(self) -> str:
        """The body decoded with the declared charset (UTF-8 when none is declared)."""
        charset = _charset(self.headers.get("content-type")) or "utf-8"
        try:
            return self.content.decode(charset)
        except (LookupError, UnicodeDecodeError) as exc:
            raise NetworkError(f"the response from {self.url} is not valid {charset}") from exc

    def max_age(self) -> float | None:
        """Freshness lifetime from ``Cache-Control`` (RFC 9111 §5.2.2), None when unstated.

        ``no-store``/``no-cache`` give 0: the caller may still keep the value as a stale
        fallback for offline use, but must not treat it as fresh.
        """
        value = self.headers.get("cache-control")
        if not value:
            return None
        lifetime: float | None = None
        for directive in value.split(","):
            name, _, argument = directive.strip().partition("=")
            name = name.strip().lower()
            if name in {"no-store", "no-cache"}:
                return 0.0
            if name == "max-age":
                argument = argument.strip().strip('"')
                if argument.isascii() and argument.isdigit():
                    lifetime = float(argument)
        return lifetime


def read_body(response: httpx.Response, limit: int, deadline: float) -> bytes:
    """The whole body, decoded, of at most ``limit`` bytes, read before ``deadline``."""
    declared = response.headers.get("content-length", "").strip()
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise ResponseTooLargeError(f"the response is larger than {limit} bytes")
    if response.is_stream_consumed:
        # Only a MockTransport response built from bytes arrives already read (and decoded);
        # a real transport always streams. Apply the cap after the fact.
        if len(response.content) > limit:
            raise ResponseTooLargeError(f"the response is larger than {limit} bytes")
        return response.content
    raw = bytearray()
    try:
        # Raw (still encoded) bytes: decoding happens below with an output cap.
        for chunk in response.iter_raw():
            raw += chunk
            if len(raw) > limit:
                raise ResponseTooLargeError(f"the response is larger than {limit} bytes")
            if time.monotonic() > deadline:
                raise TimeoutError_("the response took too long")
    except WalletError:
        raise
    except httpx.TimeoutException as exc:
        raise TimeoutError_("the response took too long") from exc
    except (httpx.HTTPError, httpx.StreamError) as exc:
        raise NetworkError("the response could not be read") from exc
    return _decode(bytes(raw), response.headers.get("content-encoding", ""), limit)


def _decode(raw: bytes, encoding_header: str, limit: int) -> bytes:
    encodings = [e.strip().lower() for e in encoding_header.split(",") if e.strip()]
    data = raw
    for encoding in reversed(encodings):  # listed in the order they were applied
        if encoding == "identity":
            continue
        if encoding in {"gzip", "x-gzip"}:
            data = _inflate(data, zlib.MAX_WBITS | 16, limit)
        elif encoding == "deflate":
            # RFC 9110 says zlib-wrapped; some servers send raw deflate.
            try:
                data = _inflate(data, zlib.MAX_WBITS, limit)
            except NetworkError:
                data = _inflate(data, -zlib.MAX_WBITS, limit)
        else:
            raise NetworkError(f"unsupported content encoding {encoding!r}")
    return data


def _inflate(data: bytes, wbits: int, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise NetworkError("the compressed response is corrupt") from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise ResponseTooLargeError(f"the response is larger than {limit} bytes")
    return out


def _media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def _charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    return charset if isinstance(charset, str) else None


def _expected_types(accept: str) -> set[str] | None:
    types = {t.split(";", 1)[0].strip().lower() for t in accept.split(",")}
    types.discard("")
    return None if not types or "*/*" in types else types


def check_content_type(response: HttpResponse, accept: str) -> None:
    expected = _expected_types(accept)
    if expected is None:
        return
    actual = response.media_type
    if actual in expected:
        return
    # RFC 6839 §3.1: a "+json" type is JSON, e.g. application/jwk-set+json, did+json.
    if actual is not None and "application/json" in expected and actual.endswith("+json"):
        return
    raise UnexpectedContentTypeError(
        f"expected {', '.join(sorted(expected))}, got {actual or 'no content type'}"
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse_json(content: bytes) -> Any:
    try:
        return json.loads(content, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise MalformedResponseError("the response is not valid JSON") from exc
