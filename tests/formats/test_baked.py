"""Baked badges (OB 3.0 §5.3): what we bake an independent baker (openbadgeslib, from PyPI)
reads, what it bakes we read, and every malformed or hostile image is refused."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from wallet_core.errors import MalformedCredentialError
from wallet_core.formats import baked

obl = pytest.importorskip("openbadgeslib.baking", reason="openbadgeslib is a dev dependency")

JWT = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6a2V5OnoifQ.c2ln"
JSON_VC = '{"@context": ["https://www.w3.org/ns/credentials/v2"], "name": "a ]]> b"}'
SVG = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>'


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(out, "PNG")
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _with_chunk(image: bytes, chunk: bytes) -> bytes:
    return image[:-12] + chunk + image[-12:]


@pytest.mark.parametrize("payload", [JWT, JSON_VC])
def test_a_png_we_bake_is_read_by_openbadgeslib_and_by_us(payload: str) -> None:
    image = baked.bake_png(_png(), payload)
    assert obl.extract_png(image, keyword=b"openbadgecredential") == payload
    assert Image.open(io.BytesIO(image)).size == (4, 4)  # still a valid picture
    assert baked.unbake(image) == baked.Baked(baked.OB3, payload)


@pytest.mark.parametrize("payload", [JWT, JSON_VC])
def test_a_png_openbadgeslib_bakes_is_read_by_us(payload: str) -> None:
    image = obl.bake_png(_png(), payload, keyword=b"openbadgecredential")
    assert baked.is_png(image) and baked.unbake(image) == baked.Baked(baked.OB3, payload)


def test_an_ob2_png_is_told_apart() -> None:
    image = obl.bake_png(_png(), "https://badges.example/assertions/1")
    assert baked.unbake(image) == baked.Baked(baked.OB2, "https://badges.example/assertions/1")


def test_a_compressed_text_chunk_is_inflated_but_a_bomb_is_refused() -> None:
    head = b"openbadgecredential\x00\x01\x00\x00\x00"
    image = _with_chunk(_png(), _chunk(b"iTXt", head + zlib.compress(JWT.encode())))
    assert baked.unbake(image).payload == JWT
    bomb = zlib.compress(b"a" * (baked.MAX_PAYLOAD + 10), 9)
    with pytest.raises(MalformedCredentialError, match="too large"):
        baked.unbake(_with_chunk(_png(), _chunk(b"iTXt", head + bomb)))


@pytest.mark.parametrize("payload", [JWT, JSON_VC])
def test_an_svg_we_bake_is_read_by_openbadgeslib_and_by_us(payload: str) -> None:
    image = baked.bake_svg(SVG, payload).encode()
    theirs = obl.extract_svg(image, element="openbadges:credential", text_fallback=True)
    assert theirs == payload
    assert baked.is_svg(image) and baked.unbake(image) == baked.Baked(baked.OB3, payload)


def test_an_svg_openbadgeslib_bakes_is_read_by_us() -> None:
    image = obl.bake_svg(
        SVG.encode(),
        JWT,
        element="openbadges:credential",
        namespace="https://purl.imsglobal.org/ob/v3p0",
    )
    assert baked.unbake(image) == baked.Baked(baked.OB3, JWT)


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        (_png(), "no Open Badge"),
        (_png()[:40], "cut short"),
        (_png()[:-4] + b"\x00\x00\x00\x00", "checksum"),
        (SVG.encode(), "no Open Badge"),
        (b"<svg><unclosed></svg>", "not well-formed"),
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg>&x;</svg>',
            "not safe",
        ),
        (
            baked.bake_svg(SVG, JWT).replace("ob/v3p0", "ob/other").encode(),  # wrong namespace
            "no Open Badge",
        ),
        (baked.bake_png(baked.bake_png(_png(), JWT), JWT + "x"), "more than one"),
        (baked.bake_svg(SVG, "   ").encode(), "empty"),
    ],
)
def test_bad_images_are_refused_with_a_reason(image: bytes, reason: str) -> None:
    with pytest.raises(MalformedCredentialError, match=reason):
        baked.unbake(image)


def test_only_real_pngs_can_be_baked() -> None:
    with pytest.raises(MalformedCredentialError):
        baked.bake_png(b"GIF89a...", JWT)
