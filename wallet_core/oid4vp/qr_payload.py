"""A compact text form for offline presentations shown as a QR code.

An offline presentation is an SD-JWT+KB (``<issuer-jwt>~<disclosure>~...~<kb-jwt>``). For a
microcredential with five disclosed claims that is about 1.5-2.5 KB of base64url text, which
a QR code can only carry in byte mode (8 bits a character): a version 30+ symbol with tiny
modules that a phone camera struggles with. The compact form packs the same text tighter,
the way the EU Digital COVID Certificate did with ``HC1:``::

    EW1:<base45( zlib( UTF-8 text, level 9 ) )>

- ``EW1:`` -- ``EW`` for eduwallet, ``1`` the format version, ``:`` the separator. Every
  character of the result is in the QR alphanumeric set (``0-9 A-Z space $%*+-./:``), so
  the whole string is one alphanumeric segment at 5.5 bits a character.
- zlib: one RFC 1950 stream (DEFLATE, RFC 1951) at level 9, with nothing after it.
- base45: RFC 9285, implemented here (``base45_encode`` / ``base45_decode``), strict: only
  the 45 upper-case characters, no length of 1 modulo 3, no group above its range.

The payload is the presentation text unchanged; a verifier checks it exactly as one that
arrived online (signature, disclosures, KB-JWT ``aud``/``nonce``/``sd_hash``). Compression
gains less than one might hope on base64url text (zlib leaves ~70 %: signatures, digests
and salts are random) but, with alphanumeric mode, the data bits drop by about 28 %. For
the realistic 2.4 KB presentation of tests/test_qr.py: byte mode needs version 36 at
level L and does not fit at all at level M (2331 bytes at most); the compact form (2.5 K
characters) is version 30 at L and version 34 at M.

Versioning: version 1 is frozen. A different layout (say, base64url segments decoded to
binary before compression) gets a new number, ``EW2:``; ``decode`` refuses numbers it does
not know with a clear error instead of guessing, and ``is_compact`` answers for version 1.

Interoperability: other wallets show a plain SD-JWT+KB in byte mode, and so may older
versions of this one. A verifier should accept both; ``read_scanned`` does: the compact form
is decoded, a text that looks like an SD-JWT (``ey...`` with a ``~``) is returned as it is,
anything else is refused.

Limits: ``decode`` inflates with ``zlib.decompressobj`` and ``max_length``, so a zlib bomb
costs at most ``max_size`` bytes (64 KiB by default) before it is refused.

Every failure raises :class:`wallet_core.errors.QrError`.
"""

from __future__ import annotations

import re
import zlib
from typing import Final

from wallet_core.errors import QrError

__all__ = [
    "DEFAULT_MAX_SIZE",
    "PREFIX",
    "base45_decode",
    "base45_encode",
    "decode",
    "encode",
    "is_compact",
    "read_scanned",
]

PREFIX: Final = "EW1:"
DEFAULT_MAX_SIZE: Final = 64 * 1024

BASE45_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_BASE45_VALUES: Final = {char: value for value, char in enumerate(BASE45_ALPHABET)}
_BASE45_TEXT: Final = re.compile(r"[0-9A-Z $%*+\-./:]*")
_VERSIONED: Final = re.compile(r"EW([0-9]+):")
_SD_JWT_TEXT: Final = re.compile(r"ey[A-Za-z0-9_\-.~]*")
_ZLIB_LEVEL: Final = 9


# -- base45 (RFC 9285) ---------------------------------------------------------------------


def base45_encode(data: bytes) -> str:
    """RFC 9285 §4: two bytes to three characters, a last single byte to two."""
    alphabet = BASE45_ALPHABET
    out: list[str] = []
    pairs_end = len(data) - len(data) % 2
    for i in range(0, pairs_end, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out += (alphabet[c], alphabet[d], alphabet[e])
    if pairs_end != len(data):
        d, c = divmod(data[-1], 45)
        out += (alphabet[c], alphabet[d])
    return "".join(out)


def base45_decode(text: str) -> bytes:
    """RFC 9285 §4.2, strict: any character outside the alphabet, a dangling character or a
    group that does not fit in its bytes is an error (§6: decoders must reject them)."""
    if not isinstance(text, str):
        raise QrError("base45 input must be text")
    if len(text) % 3 == 1:
        raise QrError("base45 text has a dangling character (length is 1 modulo 3)")
    values = _BASE45_VALUES
    try:
        digits = [values[char] for char in text]
    except KeyError as exc:
        raise QrError("base45 text contains a character outside its alphabet") from exc
    out = bytearray()
    full_end = len(digits) - len(digits) % 3
    for i in range(0, full_end, 3):
        n = digits[i] + digits[i + 1] * 45 + digits[i + 2] * 2025
        if n > 0xFFFF:
            raise QrError(f"base45 group at position {i} is larger than two bytes")
        out += n.to_bytes(2, "big")
    if full_end != len(digits):
        n = digits[-2] + digits[-1] * 45
        if n > 0xFF:
            raise QrError(f"base45 group at position {full_end} is larger than one byte")
        out.append(n)
    return bytes(out)


# -- the compact form ----------------------------------------------------------------------


def encode(presentation: str) -> str:
    """``EW1:`` + base45 of the zlib-compressed UTF-8 text."""
    if not isinstance(presentation, str):
        raise QrError("only text can be encoded")
    try:
        data = presentation.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise QrError("the text is not valid Unicode (lone surrogate)") from exc
    if len(data) > DEFAULT_MAX_SIZE:
        raise QrError(f"the text is larger than {DEFAULT_MAX_SIZE} bytes")
    return PREFIX + base45_encode(zlib.compress(data, _ZLIB_LEVEL))


def decode(text: str, *, max_size: int = DEFAULT_MAX_SIZE) -> str:
    """The presentation text inside an ``EW1:`` compact form (only that form; see
    ``read_scanned`` for what a scanner should accept)."""
    if not isinstance(max_size, int) or max_size < 1:
        raise QrError("max_size must be a positive number of bytes")
    if not isinstance(text, str):
        raise QrError("a compact presentation is text")
    versioned = _VERSIONED.match(text)
    if versioned is None:
        raise QrError(f"not a compact eduwallet presentation (no {PREFIX!r} prefix)")
    if versioned.group(0) != PREFIX:
        raise QrError(
            f"compact presentation format {versioned.group(0)!r} is not supported "
            f"(this wallet reads {PREFIX!r})"
        )
    body = text[len(PREFIX) :]
    # zlib adds at most a few bytes per 16 KB to incompressible data
    if len(body) > (max_size + max_size // 100 + 64) * 3 // 2 + 2:
        raise QrError(f"the compact presentation is larger than {max_size} bytes")
    compressed = base45_decode(body)
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(compressed, max_size + 1)
    except zlib.error as exc:
        raise QrError("the compact presentation is not a valid zlib stream") from exc
    if len(data) > max_size:
        raise QrError(f"the compact presentation inflates to more than {max_size} bytes")
    if not inflater.eof:
        raise QrError("the compact presentation's zlib stream is truncated")
    if inflater.unused_data:
        raise QrError("the compact presentation has data after its zlib stream")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QrError("the compact presentation is not UTF-8 text") from exc


def is_compact(text: str) -> bool:
    """Whether ``text`` has the shape of an ``EW1:`` compact form (prefix, base45 alphabet,
    possible length). Cheap; ``decode`` may still refuse it."""
    if not isinstance(text, str) or not text.startswith(PREFIX):
        return False
    body = text[len(PREFIX) :]
    return len(body) % 3 != 1 and _BASE45_TEXT.fullmatch(body) is not None


def read_scanned(text: str, *, max_size: int = DEFAULT_MAX_SIZE) -> str:
    """What a verifier does with a scanned offline presentation: the decoded compact form,
    or a raw SD-JWT(+KB) unchanged; anything else raises ``QrError``.

    Surrounding white space and line breaks (some scanners add them) are ignored; a
    base45 text never ends in a space, so nothing of the payload is lost.
    """
    if not isinstance(text, str):
        raise QrError("a scanned presentation is text")
    candidate = text.strip(" \t\r\n")
    if _VERSIONED.match(candidate):
        return decode(candidate, max_size=max_size)
    if candidate.startswith("ey") and "~" in candidate:
        if len(candidate) > max_size:
            raise QrError(f"the scanned presentation is larger than {max_size} bytes")
        if _SD_JWT_TEXT.fullmatch(candidate):
            return candidate
    raise QrError("the QR code holds neither a compact presentation nor an SD-JWT")
