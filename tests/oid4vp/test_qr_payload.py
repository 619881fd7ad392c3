"""wallet_core.oid4vp.qr_payload: the EW1: compact form of offline presentations."""

from __future__ import annotations

import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_qr import realistic_presentation

from wallet_core import qr
from wallet_core.errors import QrError
from wallet_core.formats import sd_jwt
from wallet_core.oid4vp import qr_payload
from wallet_core.oid4vp.qr_payload import PREFIX, base45_decode, base45_encode

# -- base45, RFC 9285 ----------------------------------------------------------------------

RFC_9285_VECTORS = [
    (b"AB", "BB8"),  # §4.3
    (b"Hello!!", "%69 VD92EX0"),  # §4.3
    (b"base-45", "UJCLQE7W581"),  # §4.3
    (b"ietf!", "QED8WEX0"),  # §4.4 (decoding example)
]


@pytest.mark.parametrize(("data", "text"), RFC_9285_VECTORS)
def test_base45_rfc_vectors(data: bytes, text: str) -> None:
    assert base45_encode(data) == text
    assert base45_decode(text) == data


def test_base45_edges() -> None:
    assert base45_encode(b"") == ""
    assert base45_decode("") == b""
    assert base45_encode(b"\x00") == "00"
    assert base45_encode(b"\xff") == "U5"
    assert base45_encode(b"\xff\xff") == "FGW"  # 65535 = 15 + 21 * 45 + 32 * 45**2
    assert base45_decode("FGW") == b"\xff\xff"
    assert base45_decode("U5") == b"\xff"


@given(st.binary(max_size=600))
def test_base45_round_trip(data: bytes) -> None:
    text = base45_encode(data)
    assert len(text) == 3 * (len(data) // 2) + 2 * (len(data) % 2)
    assert set(text) <= set(qr_payload.BASE45_ALPHABET)
    assert base45_decode(text) == data


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("GGW", "larger than two bytes"),  # 65536
        (":::", "larger than two bytes"),  # 91124, the largest triple
        ("BB8GGW", "larger than two bytes"),
        ("V5", "larger than one byte"),  # 256
        ("::", "larger than one byte"),
        ("A", "dangling"),
        ("BB8A", "dangling"),
        ("BB8BB8B", "dangling"),
        ("bb8", "alphabet"),  # lower case is not base45
        ("BB=", "alphabet"),
        ("BB\n", "alphabet"),
        ("BBÉ", "alphabet"),
        ("BB_", "alphabet"),
    ],
)
def test_base45_invalid(text: str, reason: str) -> None:
    with pytest.raises(QrError, match=reason):
        base45_decode(text)


# -- the compact form ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJodHRwczovL2V4YW1wbGUifQ.c2ln~WyJzYWx0IiwiYSIsMV0~",
        "Zoë Jansen — café ëéè, Ĳsselmeer 🎓",
        "lorem ipsum dolor sit amet " * 2000,  # 54 KB, compresses well
    ],
)
def test_round_trip(text: str) -> None:
    compact = qr_payload.encode(text)
    assert compact.startswith(PREFIX)
    assert qr_payload.is_compact(compact)
    assert qr_payload.decode(compact) == text
    assert qr_payload.read_scanned(compact) == text


@given(st.text(max_size=400))
def test_round_trip_any_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        with pytest.raises(QrError):
            qr_payload.encode(text)
        return
    compact = qr_payload.encode(text)
    assert set(compact) <= set(qr_payload.BASE45_ALPHABET)
    assert qr_payload.decode(compact) == text


def test_every_character_is_qr_alphanumeric() -> None:
    compact = qr_payload.encode(realistic_presentation().text)
    assert set(compact) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def test_encoding_is_zlib_level_9_in_base45() -> None:
    text = "an offline presentation"
    assert qr_payload.encode(text) == PREFIX + base45_encode(zlib.compress(text.encode(), 9))


def _compact(data: bytes) -> str:
    return PREFIX + base45_encode(data)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH-R6IOO", "no 'EW1:' prefix"),
        ("ew1:BB8", "no 'EW1:' prefix"),
        (" EW1:BB8", "no 'EW1:' prefix"),  # decode is strict; read_scanned trims
        ("EW2:BB8", "'EW2:' is not supported"),
        ("EW01:BB8", "'EW01:' is not supported"),
        ("EW1:bb8", "alphabet"),
        ("EW1:GGW", "larger than two bytes"),
        ("EW1:A", "dangling"),
        ("eyJhbGciOiJFUzI1NiJ9.e30.c2ln~", "no 'EW1:' prefix"),
    ],
)
def test_decode_refuses(text: str, reason: str) -> None:
    with pytest.raises(QrError, match=reason):
        qr_payload.decode(text)


def test_zlib_errors() -> None:
    with pytest.raises(QrError, match="not a valid zlib stream"):
        qr_payload.decode(_compact(b"this is not zlib"))
    stream = zlib.compress(b"an offline presentation " * 20, 9)
    with pytest.raises(QrError, match="truncated"):
        qr_payload.decode(_compact(stream[:-6]))
    with pytest.raises(QrError, match="after its zlib stream"):
        qr_payload.decode(_compact(stream + b"\x00"))
    with pytest.raises(QrError, match="not UTF-8"):
        qr_payload.decode(_compact(zlib.compress(b"\xff\xfe caf\xe9", 9)))
    raw_deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = raw_deflate.compress(b"no zlib header") + raw_deflate.flush()
    with pytest.raises(QrError, match="not a valid zlib stream"):
        qr_payload.decode(_compact(deflated))


def test_zlib_bomb_is_capped() -> None:
    bomb = _compact(zlib.compress(b"0" * 50_000_000, 9))  # 50 MB in about 73 KB of text
    assert len(bomb) < 80_000
    with pytest.raises(QrError, match="inflates to more than 65536 bytes"):
        qr_payload.decode(bomb)


def test_max_size_is_exact() -> None:
    compact = qr_payload.encode("x" * 1000)
    assert qr_payload.decode(compact, max_size=1000) == "x" * 1000
    with pytest.raises(QrError, match="more than 999 bytes"):
        qr_payload.decode(compact, max_size=999)
    with pytest.raises(QrError, match="max_size"):
        qr_payload.decode(compact, max_size=0)


def test_oversized_text_is_refused_before_decoding() -> None:
    with pytest.raises(QrError, match="larger than 1000 bytes"):
        qr_payload.decode(PREFIX + "0" * 3000, max_size=1000)
    with pytest.raises(QrError, match="larger than"):
        qr_payload.encode("x" * (qr_payload.DEFAULT_MAX_SIZE + 1))


def test_is_compact() -> None:
    compact = qr_payload.encode("hello")
    assert qr_payload.is_compact(compact)
    assert qr_payload.is_compact(PREFIX)  # shape only: decode still refuses an empty stream
    assert not qr_payload.is_compact(compact.lower())
    assert not qr_payload.is_compact(PREFIX + "A")
    assert not qr_payload.is_compact("EW2:" + compact[4:])
    assert not qr_payload.is_compact("eyJhbGciOiJFUzI1NiJ9.e30.c2ln~")
    assert not qr_payload.is_compact(b"EW1:BB8")  # type: ignore[arg-type]


def test_read_scanned() -> None:
    presentation = realistic_presentation().text
    compact = qr_payload.encode(presentation)
    assert qr_payload.read_scanned(compact) == presentation
    assert qr_payload.read_scanned(compact + "\r\n") == presentation
    assert qr_payload.read_scanned(presentation) == presentation  # other wallets: raw SD-JWT
    assert qr_payload.read_scanned(f"  {presentation}\n") == presentation
    for bad in (
        "https://verifier.example/?x=1",
        "eyJhbGciOiJFUzI1NiJ9.e30.c2ln",  # a JWT, not an SD-JWT
        "eyJhbGciOiJFUzI1NiJ9 e30~",
        "openid4vp://?client_id=x",
        "",
    ):
        with pytest.raises(QrError, match="neither"):
            qr_payload.read_scanned(bad)
    with pytest.raises(QrError, match="not supported"):
        qr_payload.read_scanned("EW2:BB8")
    with pytest.raises(QrError, match="larger than 100 bytes"):
        qr_payload.read_scanned(presentation, max_size=100)


# -- why: the QR code gets smaller ---------------------------------------------------------


def test_compact_form_makes_the_realistic_presentation_qr_smaller() -> None:
    presentation = realistic_presentation()
    text = presentation.text
    compact = qr_payload.encode(text)
    assert 1500 <= len(text) <= 2500
    byte_l = qr.symbol_info(text, error_correction="L")
    compact_l = qr.symbol_info(compact, error_correction="L")
    compact_m = qr.symbol_info(compact, error_correction="M")
    assert byte_l.segments[0][0] == "byte"
    assert compact_l.segments == (("alphanumeric", len(compact)),)
    assert compact_l.data_bits < 0.8 * byte_l.data_bits
    assert compact_l.version <= byte_l.version - 4
    assert compact_l.modules < byte_l.modules
    # the compact form at level M is still smaller than byte mode at L (if M holds it at all)
    assert compact_m.version < byte_l.version
    try:
        byte_m = qr.symbol_info(text, error_correction="M")
    except QrError:
        pass  # more than the 2331 bytes that byte mode holds at level M
    else:
        assert compact_m.version < byte_m.version
    # and it scans back to a presentation that verifies
    scanned = qr.decode_image(qr.encode_png(compact))
    claims = sd_jwt.verify(
        qr_payload.read_scanned(scanned[0]),
        issuer_key=presentation.issuer_jwk,
        aud=presentation.aud,
        nonce=presentation.nonce,
    )
    assert claims["level"] == "EQF 6"
