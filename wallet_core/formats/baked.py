"""Badges baked into their image: the credential carried inside a PNG or SVG file.

Open Badges 3.0 §5.3 "Baking" and the OB 2.0 Baking Specification:

- **PNG**: one ``iTXt`` chunk with keyword ``openbadgecredential`` (OB 3.0; the text is the
  credential as JSON or as a compact VC-JWT) or ``openbadges`` (OB 2.0; a hosted
  assertion's URL, a signed assertion or its JSON). The specifications say the text is not
  compressed; a compressed one is still read, inflated under a size limit.
- **SVG**: an ``<openbadges:credential>`` element in namespace
  ``https://purl.imsglobal.org/ob/v3p0`` whose ``verify`` attribute holds a VC-JWT or whose
  text holds the JSON (OB 3.0), or ``<openbadges:assertion>`` in ``http://openbadges.org``
  (OB 2.0) likewise.

Everything here works on bytes in memory with limits: the chunk count, every chunk's CRC,
the inflated size; SVG is parsed with ``defusedxml`` (no DTDs, entities or external
references). An image with no badge, or with two different ones, is refused.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException

from wallet_core.errors import MalformedCredentialError

OB3: Final = "ob3"
OB2: Final = "ob2"
PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_KEYWORDS: Final = {b"openbadgecredential": OB3, b"openbadges": OB2}
_OB3_NAMESPACE: Final = "https://purl.imsglobal.org/ob/v3p0"
_SVG_ELEMENTS: Final = {
    f"{{{_OB3_NAMESPACE}}}credential": OB3,
    "{http://openbadges.org}assertion": OB2,
}
MAX_CHUNKS: Final = 10_000
MAX_PAYLOAD: Final = 4 * 1024 * 1024  # a credential with embedded images stays far below


@dataclass(frozen=True)
class Baked:
    """The badge found in an image: ``kind`` is :data:`OB3` or :data:`OB2`."""

    kind: str
    payload: str


def is_png(data: bytes) -> bool:
    return data.startswith(PNG_SIGNATURE)


def is_svg(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in data[:65536]


def unbake(data: bytes) -> Baked:
    """The one badge baked into a PNG or SVG image; raises ``MalformedCredentialError``."""
    found = set(_png_badges(data) if is_png(data) else _svg_badges(data))
    if not found:
        raise MalformedCredentialError("the image carries no Open Badge")
    if len(found) > 1:
        raise MalformedCredentialError("the image carries more than one Open Badge")
    return found.pop()


def bake_png(image: bytes, payload: str, kind: str = OB3) -> bytes:
    """``image`` with ``payload`` in an uncompressed iTXt chunk before ``IEND``."""
    if not is_png(image) or image[-12:-8] != b"\x00\x00\x00\x00" or image[-8:-4] != b"IEND":
        raise MalformedCredentialError("not a PNG image that ends as PNG images do")
    keyword = next(k for k, v in _KEYWORDS.items() if v == kind)
    body = keyword + b"\x00\x00\x00\x00\x00" + payload.encode()
    chunk = struct.pack(">I", len(body)) + b"iTXt" + body
    chunk += struct.pack(">I", zlib.crc32(b"iTXt" + body))
    return image[:-12] + chunk + image[-12:]


def bake_svg(svg: str, payload: str) -> str:
    """``svg`` with an OB 3.0 ``<openbadges:credential>`` as the root's first child: a JSON
    credential as its text, a VC-JWT in ``verify``."""
    start = svg.index("<svg") + len("<svg")
    close = svg.index(">", start)
    if payload.lstrip().startswith("{"):
        cdata = payload.replace("]]>", "]]]]><![CDATA[>")  # the one sequence CDATA cannot hold
        element = f"<openbadges:credential><![CDATA[{cdata}]]></openbadges:credential>"
    else:
        element = f'<openbadges:credential verify="{escape(payload, {chr(34): "&quot;"})}"/>'
    opening = f'{svg[:start]} xmlns:openbadges="{_OB3_NAMESPACE}"{svg[start:close]}>'
    return opening + element + svg[close + 1 :]


def _png_badges(data: bytes) -> Iterator[Baked]:
    offset = len(PNG_SIGNATURE)
    for _ in range(MAX_CHUNKS):
        if offset + 12 > len(data):
            raise MalformedCredentialError("the PNG image is cut short")
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        end = offset + 12 + length
        if end > len(data):
            raise MalformedCredentialError("the PNG image is cut short")
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(kind + body) != crc:
            raise MalformedCredentialError("the PNG image is damaged (a chunk checksum fails)")
        if kind == b"IEND":
            return
        if kind == b"iTXt":
            found = _itxt(body)
            if found is not None:
                yield Baked(*found)
        offset = end
    raise MalformedCredentialError("the PNG image has too many chunks")


def _itxt(body: bytes) -> tuple[str, str] | None:
    """An iTXt chunk (PNG 1.2 §4.2.3.3): keyword, NUL, compression flag and method,
    language tag, NUL, translated keyword, NUL, UTF-8 text."""
    keyword, _, rest = body.partition(b"\x00")
    kind = _KEYWORDS.get(keyword)
    if kind is None:
        return None
    if len(rest) < 2:
        raise MalformedCredentialError("the badge's PNG text chunk is malformed")
    compressed, method, rest = rest[0], rest[1], rest[2:]
    _language, _, rest = rest.partition(b"\x00")
    _translated, _, text = rest.partition(b"\x00")
    if compressed:
        if method != 0:
            raise MalformedCredentialError("the badge's PNG text uses an unknown compression")
        text = _inflate(text)
    if len(text) > MAX_PAYLOAD:
        raise MalformedCredentialError("the badge baked into the image is too large")
    try:
        return kind, text.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise MalformedCredentialError("the badge's PNG text is not UTF-8") from exc


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_PAYLOAD + 1)
    except zlib.error as exc:
        raise MalformedCredentialError("the badge's PNG text does not decompress") from exc
    if len(out) > MAX_PAYLOAD or inflater.unconsumed_tail:
        raise MalformedCredentialError("the badge baked into the image is too large")
    return out


def _svg_badges(data: bytes) -> Iterator[Baked]:
    if len(data) > MAX_PAYLOAD * 2:
        raise MalformedCredentialError("the SVG image is too large")
    try:
        root = safe_xml.fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, SyntaxError) as exc:  # ParseError is a SyntaxError
        raise MalformedCredentialError("the SVG image is not well-formed or not safe") from exc
    for element in root.iter():
        kind = _SVG_ELEMENTS.get(str(element.tag))
        if kind is not None:
            yield Baked(kind, _svg_payload(element))


def _svg_payload(element: Element) -> str:
    verify = element.get("verify")
    text = (verify if verify is not None else "".join(element.itertext())).strip()
    if not text:
        raise MalformedCredentialError("the badge element in the SVG image is empty")
    return text
