"""wallet_core.qr: encode text to PNG, decode images (DESIGN §4, §5, §8).

``realistic_presentation`` is also used by tests/oid4vp/test_qr_payload.py and
benchmarks/qr.py.
"""

from __future__ import annotations

import io
import random
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
import qrcode
from PIL import Image, ImageOps

from wallet_core import qr
from wallet_core.crypto import generate
from wallet_core.errors import QrError
from wallet_core.formats import sd_jwt
from wallet_core.oid4vp import qr_payload

# -- a realistic offline presentation ------------------------------------------------------

DISCLOSABLE = (
    "identifier",
    "title",
    "givenName",
    "familyName",
    "issuanceDate",
    "notionalWorkload",
    "level",
    "nationalQualificationsFrameworkLevel",
    "learningOutcomes",
    "assessmentType",
    "participationForm",
    "qualityAssurance",
    "awardingBody",
    "awardingBodyIdentifier",
    "languageOfAssessment",
)
DISCLOSED = ("title", "familyName", "notionalWorkload", "level", "awardingBody")
AUD = "x509_san_dns:werving.werkgever.example"
NONCE = "n-0S6_WzA2Mj-offline-7f3a"


@dataclass(frozen=True)
class Presentation:
    text: str  # SD-JWT+KB
    issuer_jwk: dict[str, str]
    aud: str
    nonce: str


def realistic_presentation() -> Presentation:
    """An SD-JWT VC microcredential (15 disclosable claims) presented with 5 of them + KB-JWT."""
    issuer, holder = generate(), generate()
    now = int(time.time())
    payload: dict[str, Any] = {
        "iss": "https://www.hogeschool-demo.example",
        "vct": "https://www.hogeschool-demo.example/credentials/microcredential",
        "iat": now,
        "exp": now + 5 * 365 * 86400,
        "status": {
            "status_list": {"idx": 4711, "uri": "https://www.hogeschool-demo.example/status/1"}
        },
        "identifier": f"urn:uuid:{uuid.uuid4()}",
        "title": "Circulair ontwerpen in de bouw",
        "givenName": "Sanne",
        "familyName": "de Vries",
        "issuanceDate": "2026-06-30",
        "notionalWorkload": "5 ECTS",
        "level": "EQF 6",
        "nationalQualificationsFrameworkLevel": "NLQF 6",
        "learningOutcomes": [
            "Past de principes van circulair bouwen (R-ladder, losmaakbaarheid) toe in een "
            "bouwkundig ontwerp.",
            "Berekent de milieuprestatie van een ontwerp (MPG) en onderbouwt ontwerpkeuzes.",
        ],
        "assessmentType": "Ontwerpopdracht met mondelinge verdediging",
        "participationForm": "Hybride: online en op locatie",
        "qualityAssurance": "Kwaliteitskader Microcredentials voor Professionals HBO en WO",
        "awardingBody": "Hogeschool Demo",
        "awardingBodyIdentifier": "99DM",
        "languageOfAssessment": "nl",
    }
    credential = sd_jwt.issue(
        payload,
        [(name,) for name in DISCLOSABLE],
        issuer_key=issuer,
        holder_jwk=holder.public_jwk,
    )
    text = sd_jwt.present(
        credential, [(name,) for name in DISCLOSED], holder_key=holder, aud=AUD, nonce=NONCE
    )
    return Presentation(text, dict(issuer.public_jwk), AUD, NONCE)


def _random_text(length: int, alphabet: str, seed: int) -> str:
    rnd = random.Random(seed)
    return "".join(rnd.choice(alphabet) for _ in range(length))


BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
TEXT_1_5_KB = _random_text(1536, BASE64URL + ".~", seed=15)


def _png_of(image: Image.Image, fmt: str = "PNG", **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _open(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png))


# -- segments and versions ------------------------------------------------------------------


def test_alphanumeric_only_text_is_one_alphanumeric_segment() -> None:
    compact = qr_payload.encode(realistic_presentation().text)
    assert qr.symbol_info(compact).segments == (("alphanumeric", len(compact)),)
    assert qr.symbol_info("EW1:AB").segments == (("alphanumeric", 6),)


def test_mixed_text_is_segmented() -> None:
    assert qr.symbol_info("eyJhbGciOiJFUzI1NiJ9").segments == (("byte", 20),)
    digits = "0123456789" * 4
    info = qr.symbol_info("abc" + digits + "def")
    assert info.segments == (("byte", 3), ("numeric", 40), ("byte", 3))
    # UTF-8 is counted in bytes
    assert qr.symbol_info("Zoë").segments == (("byte", 4),)


@pytest.mark.parametrize(
    ("length", "level"), [(2331, "M"), (2953, "L"), (1273, "H"), (1663, "Q"), (17, "L")]
)
def test_version_fit_matches_qrcode_at_the_capacity_limit(length: int, level: str) -> None:
    text = _random_text(length, "abcdefghijklmnopqrstuvwxyz", seed=length)
    builder = qrcode.QRCode(error_correction=getattr(qrcode.constants, f"ERROR_CORRECT_{level}"))
    builder.add_data(text.encode(), optimize=20)
    info = qr.symbol_info(text, error_correction=level)
    assert info.version == builder.best_fit()
    assert info.modules == 4 * info.version + 17
    assert info.data_bits <= info.capacity_bits
    # every case is exactly at the capacity of its version: one more byte needs the next
    if info.version == 40:
        with pytest.raises(QrError, match="too long"):
            qr.symbol_info(text + "x", error_correction=level)
    else:
        assert qr.symbol_info(text + "x", error_correction=level).version == info.version + 1


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("HELLO WORLD", "M"),  # version 1
        ("https://example.com/" + "a" * 100, "Q"),  # below version 7: no version information
        (TEXT_1_5_KB[:400], "L"),  # version 10+, version information present
        ("EW1:" + "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:" * 40, "M"),
        ("Zoë Jansen, café ëéè " * 10 + "4" * 60, "H"),
        (TEXT_1_5_KB, "M"),
    ],
)
def test_symbol_is_module_for_module_the_one_qrcode_makes(text: str, level: str) -> None:
    """Mask selection and drawing are done here for speed; the result must not change."""
    builder = qrcode.QRCode(
        error_correction=getattr(qrcode.constants, f"ERROR_CORRECT_{level}"), border=0
    )
    builder.add_data(text.encode(), optimize=20)
    builder.make()
    expected = bytes(0 if dark else 255 for row in builder.modules for dark in row)
    image = _open(qr.encode_png(text, box_size=1, border=0, error_correction=level))
    assert image.size == (builder.modules_count, builder.modules_count)
    assert image.convert("L").tobytes() == expected


def test_png_geometry_and_format() -> None:
    png = qr.encode_png("HELLO", box_size=5, border=4)
    image = _open(png)
    assert image.format == "PNG"
    assert image.mode == "1"
    assert image.size == ((21 + 8) * 5,) * 2
    corner = image.convert("L")
    assert corner.getpixel((0, 0)) == 255  # quiet zone
    assert corner.getpixel((4 * 5, 4 * 5)) == 0  # finder pattern


# -- round trips ---------------------------------------------------------------------------


def test_round_trip_1_5_kb_byte_mode() -> None:
    assert qr.symbol_info(TEXT_1_5_KB).segments[0][0] == "byte"
    assert qr.decode_image(qr.encode_png(TEXT_1_5_KB)) == [TEXT_1_5_KB]


@pytest.mark.parametrize(
    "text",
    [
        "Zoë Jansen",  # zbar's own guess reads short UTF-8 like this as Shift-JIS
        "Zoë Jansen é",
        "café ëéèê — Ĳsselmeer 🎓 学位",
        "https://verifier.example/cb?state=abc&x=ë",
    ],
)
def test_round_trip_utf8(text: str) -> None:
    assert qr.decode_image(qr.encode_png(text)) == [text]


def test_round_trip_random_text_with_control_characters() -> None:
    rnd = random.Random(7)
    chars = [chr(rnd.randrange(0, 0x2FFF)) for _ in range(300)]
    text = "".join(c for c in chars if not 0xD800 <= ord(c) <= 0xDFFF) + "\x00\x01\x7f"
    assert qr.decode_image(qr.encode_png(text, error_correction="L")) == [text]


def test_round_trip_latin1_range_text() -> None:
    text = "".join(chr(c) for c in range(1, 256))
    assert qr.decode_image(qr.encode_png(text)) == [text]


def test_round_trip_compact_realistic_presentation() -> None:
    presentation = realistic_presentation()
    compact = qr_payload.encode(presentation.text)
    scanned = qr.decode_image(qr.encode_png(compact))
    assert scanned == [compact]
    text = qr_payload.read_scanned(scanned[0])
    assert text == presentation.text
    claims = sd_jwt.verify(
        text, issuer_key=presentation.issuer_jwk, aud=presentation.aud, nonce=presentation.nonce
    )
    assert claims["title"] == "Circulair ontwerpen in de bouw"
    assert "givenName" not in claims


@pytest.mark.parametrize("level", ["L", "M", "Q", "H"])
def test_round_trip_every_error_correction_level(level: str) -> None:
    text = TEXT_1_5_KB[:500]
    assert qr.decode_image(qr.encode_png(text, error_correction=level)) == [text]


def test_decode_jpeg_screenshot() -> None:
    """PNG scaled x2 (smoothly, as a screenshot of a zoomed screen) and saved as JPEG q70."""
    compact = qr_payload.encode(realistic_presentation().text)
    image = _open(qr.encode_png(compact)).convert("RGB")
    image = image.resize((image.width * 2, image.height * 2), Image.Resampling.BILINEAR)
    jpeg = _png_of(image, "JPEG", quality=70)
    assert _open(jpeg).format == "JPEG"
    assert qr.decode_image(jpeg) == [compact]


@pytest.mark.parametrize(
    ("fmt", "mode", "options"),
    [
        ("GIF", "P", {}),
        ("BMP", "RGB", {}),
        ("WEBP", "RGB", {"lossless": True}),
        ("TIFF", "L", {}),
        ("PPM", "RGB", {}),
    ],
)
def test_decode_other_formats(fmt: str, mode: str, options: dict[str, Any]) -> None:
    text = "Hogeschool Demo — 5 ECTS"
    image = _open(qr.encode_png(text)).convert(mode)
    assert qr.decode_image(_png_of(image, fmt, **options)) == [text]


def test_decode_transparent_png() -> None:
    """Dark modules on a transparent background (transparent would otherwise read as black)."""
    text = "transparent background"
    gray = _open(qr.encode_png(text)).convert("L")
    rgba = Image.new("RGBA", gray.size, (0, 0, 0, 0))
    rgba.putalpha(ImageOps.invert(gray))
    assert qr.decode_image(_png_of(rgba)) == [text]


def test_decode_inverted_image() -> None:
    text = "light modules on a dark screen"
    inverted = ImageOps.invert(_open(qr.encode_png(text)).convert("L"))
    assert qr.decode_image(_png_of(inverted)) == [text]


def test_decode_one_pixel_per_module() -> None:
    text = TEXT_1_5_KB[:200]
    assert qr.decode_image(qr.encode_png(text, box_size=1)) == [text]


@pytest.mark.parametrize("scale", [1.2, 1.5, 1.7])
def test_decode_small_blurred_modules_by_enlarging(scale: float) -> None:
    """1.2-1.7 pixels a module, smoothed (a screenshot of a scaled-down code): zbar alone
    finds nothing; the enlarged second try reads it."""
    from pyzbar import pyzbar

    text = "Circulair ontwerpen in de bouw, 5 ECTS, EQF 6 — Hogeschool Demo " * 3
    base = _open(qr.encode_png(text, box_size=1)).convert("L")
    image = base.resize((round(base.width * scale),) * 2, Image.Resampling.BILINEAR)
    assert not pyzbar.decode(image)
    assert qr.decode_image(_png_of(image)) == [text]


def test_decode_several_codes_in_one_image() -> None:
    first = _open(qr.encode_png("FIRST CODE")).convert("L")
    second = _open(qr.encode_png("second code")).convert("L")
    canvas = Image.new("L", (first.width + second.width, max(first.height, second.height)), 255)
    canvas.paste(first, (0, 0))
    canvas.paste(second, (first.width, 0))
    assert sorted(qr.decode_image(_png_of(canvas))) == ["FIRST CODE", "second code"]


def test_blank_image_gives_no_codes() -> None:
    assert qr.decode_image(_png_of(Image.new("RGB", (400, 300), "white"))) == []
    assert qr.decode_image(_png_of(Image.new("L", (1500, 1200), 0))) == []


def test_decode_accepts_bytearray() -> None:
    assert qr.decode_image(bytearray(qr.encode_png("ABC"))) == ["ABC"]


# -- failures ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"this is not an image",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,  # a PNG signature and nothing valid after it
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"%PDF-1.7\n",
    ],
)
def test_non_image_bytes(data: bytes) -> None:
    with pytest.raises(QrError, match="not a supported image"):
        qr.decode_image(data)


def test_truncated_image() -> None:
    png = qr.encode_png(TEXT_1_5_KB)
    with pytest.raises(QrError):
        qr.decode_image(png[: len(png) // 2])


def test_empty_and_wrong_types() -> None:
    with pytest.raises(QrError, match="empty"):
        qr.decode_image(b"")
    with pytest.raises(QrError, match="bytes"):
        qr.decode_image("iVBORw0KGgo=")  # type: ignore[arg-type]


def test_image_over_the_byte_limit_is_refused_before_decoding() -> None:
    data = qr.encode_png("x") + b"\x00" * qr.MAX_IMAGE_BYTES
    with pytest.raises(QrError, match="larger than 20 MB"):
        qr.decode_image(data)


def test_image_over_the_pixel_limit_is_refused_and_pillow_is_untouched() -> None:
    before = Image.MAX_IMAGE_PIXELS
    bomb = _png_of(Image.new("1", (8000, 6000), 1))  # 48 megapixels in a few kilobytes
    assert len(bomb) < 100_000
    with pytest.raises(QrError, match="megapixels"):
        qr.decode_image(bomb)
    assert before == Image.MAX_IMAGE_PIXELS


def test_missing_zbar_library_is_a_clear_qr_error(monkeypatch: pytest.MonkeyPatch) -> None:
    png = qr.encode_png("x")
    monkeypatch.setitem(sys.modules, "pyzbar", None)
    monkeypatch.setitem(sys.modules, "pyzbar.wrapper", None)
    with pytest.raises(QrError, match="libzbar0"):
        qr.decode_image(png)


def test_wallet_core_imports_without_zbar() -> None:
    code = (
        "import sys\n"
        "sys.modules['pyzbar'] = None\n"
        "import wallet_core\n"
        "from wallet_core import qr\n"
        "assert qr.encode_png('x').startswith(b'\\x89PNG')\n"
        "try:\n"
        "    qr.decode_image(qr.encode_png('x'))\n"
        "except wallet_core.QrError as exc:\n"
        "    assert 'libzbar0' in str(exc)\n"
        "else:\n"
        "    raise AssertionError('expected QrError')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_text_too_long_for_a_qr_code() -> None:
    with pytest.raises(QrError, match="too long"):
        qr.encode_png("x" * 2332)  # byte mode holds 2331 bytes at level M
    with pytest.raises(QrError, match="more than a QR code can hold"):
        qr.encode_png("x" * 1_000_000)
    assert qr.encode_png("x" * 2331)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"box_size": 0},
        {"box_size": 33},
        {"box_size": True},
        {"border": -1},
        {"border": 17},
        {"error_correction": "X"},
        {"error_correction": "m"},
    ],
)
def test_bad_parameters(kwargs: dict[str, Any]) -> None:
    with pytest.raises(QrError):
        qr.encode_png("HELLO", **kwargs)


@pytest.mark.parametrize("text", ["", "\ud800 lone surrogate"])
def test_unencodable_text(text: str) -> None:
    with pytest.raises(QrError):
        qr.encode_png(text)


def test_non_text_is_refused() -> None:
    with pytest.raises(QrError):
        qr.encode_png(b"bytes")  # type: ignore[arg-type]
