"""QR codes: encode text to a PNG, decode every QR code in an image (DESIGN §2, §4, §8).

Encoding
    ``qrcode`` splits the UTF-8 bytes into segments (``add_data`` with its optimising
    segmenter): runs of at least ``SEGMENT_MIN`` digits become numeric segments, runs of
    the QR alphanumeric set (``0-9 A-Z space $%*+-./:``) alphanumeric segments, the rest
    byte mode; a text made only of alphanumeric characters is one alphanumeric segment
    (bar runs of 20+ digits inside it, which become numeric segments: smaller still).
    Byte segments carry UTF-8 without an ECI header (``decode_image`` and common phone
    scanners read valid UTF-8 as UTF-8). The smallest version that holds the segments at
    the requested error correction level is used (``M`` by default: 15 % of the symbol
    may be damaged, a good trade for screens).

    The symbol is ``qrcode``'s own: the same data codewords, Reed-Solomon blocks, function
    patterns and the same mask (a test compares them module for module). Only two slow
    parts are done here: choosing the mask (``qrcode`` builds and scores eight full
    matrices in pure Python, ~60 ms for a 1.5 KB text; here the eight are scored as rows
    and columns of Python ints, with the same ISO/IEC 18004 penalty rules and tie-break)
    and drawing (one bitmap scaled by ``box_size`` instead of one rectangle per module).
    This relies on ``QRCode.makeImpl`` and the ``setup_*`` methods of qrcode 8 (pinned
    ``<9``); the module-for-module test is what catches a change there.
    The PNG is 1 bit per pixel with a quiet zone of ``border`` modules (4 per the standard).

Decoding
    ``pyzbar`` drives the zbar shared library (Debian ``libzbar0``), imported on first use
    so that ``import wallet_core`` works without it. Only QR codes are looked for, in
    zbar's binary mode where the library offers it (zbar >= 0.23): the payload bytes come
    back unconverted and are read as UTF-8, or as ISO-8859-1 (the QR default for byte
    mode) when they are not valid UTF-8. Without binary mode zbar guesses the character
    set itself and misreads short UTF-8 texts as Shift-JIS ("Zoë" -> "Zo禱").

    Images: PNG, JPEG (also MPO, as phones write), GIF, BMP, WebP, TIFF and PPM, first
    frame only; transparency is flattened onto white, then the image is scanned in
    grayscale. zbar first scans every second row and column: for codes of 3 or more pixels
    a module that finds the code and, for large versions, is ten times faster than a full
    scan (zbar's QR finder slows down with the number of scan lines crossing the finder
    patterns: ~40-100 ms for a version 35+ code at 4 px a module, 3-9 ms this way).
    When nothing is found, every line is scanned; then a rescaled copy (enlarged x2 or x3
    with Lanczos for images up to 1024 pixels, which recovers codes of 1-2 pixels a module
    blurred by scaling; halved for larger ones); then an inverted copy (light modules on a
    dark background).

    Limits, checked before any pixel is decoded: ``MAX_IMAGE_BYTES`` of input and
    ``MAX_IMAGE_PIXELS`` of declared image area (decompression bombs). Pillow's global
    ``Image.MAX_IMAGE_PIXELS`` is left alone; it sits far above these limits.

Every failure raises :class:`wallet_core.errors.QrError`.
"""

from __future__ import annotations

import ctypes
import functools
import io
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Final

import qrcode
from PIL import Image, ImageOps
from qrcode import util as qr_util
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q
from qrcode.exceptions import DataOverflowError

from wallet_core.errors import QrError

__all__ = [
    "DEFAULT_BOX_SIZE",
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "MAX_TEXT_BYTES",
    "QrInfo",
    "decode_image",
    "encode_png",
    "symbol_info",
]

DEFAULT_BOX_SIZE: Final = 6  # pixels per module: 870 px for version 32, 1110 px for 40
MAX_BOX_SIZE: Final = 32
MAX_BORDER: Final = 16
SEGMENT_MIN: Final = 20  # shortest digit / alphanumeric run worth its own segment
MAX_TEXT_BYTES: Final = 7089  # the most any QR code holds (version 40-L, numeric)
MAX_IMAGE_BYTES: Final = 20 * 1024 * 1024
MAX_IMAGE_PIXELS: Final = 40_000_000

_LEVELS: Final = {
    "L": ERROR_CORRECT_L,
    "M": ERROR_CORRECT_M,
    "Q": ERROR_CORRECT_Q,
    "H": ERROR_CORRECT_H,
}
_MODE_NAMES: Final = {
    qr_util.MODE_NUMBER: "numeric",
    qr_util.MODE_ALPHA_NUM: "alphanumeric",
    qr_util.MODE_8BIT_BYTE: "byte",
}
_FORMATS: Final = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF", "PPM")  # JPEG covers MPO
_Y800: Final = int.from_bytes(b"Y800", "little")  # zbar's fourcc for 8-bit grayscale
_ENLARGE_UP_TO: Final = 1024  # longest side up to which the second try enlarges
_BIT_CHARS: Final = bytes.maketrans(b"\x00\x01", b"01")
_PIXELS: Final = bytes.maketrans(b"\x00\x01", b"\xff\x00")  # light module white, dark black


# -- encoding ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QrInfo:
    """What ``encode_png`` would draw for a text (no matrix is built)."""

    version: int  # 1..40
    modules: int  # modules per side, without the quiet zone: 4 * version + 17
    error_correction: str
    segments: tuple[tuple[str, int], ...]  # (mode, characters), e.g. ("alphanumeric", 2312)
    data_bits: int
    capacity_bits: int


def symbol_info(text: str, *, error_correction: str = "M") -> QrInfo:
    """The version, size and segments of the QR code for ``text``."""
    level = _level(error_correction)
    segments = _segments(text)
    version, bits = _fit(segments, level)
    return QrInfo(
        version=version,
        modules=4 * version + 17,
        error_correction=error_correction,
        segments=tuple((_MODE_NAMES[seg.mode], len(seg)) for seg in segments),
        data_bits=bits,
        capacity_bits=qr_util.BIT_LIMIT_TABLE[level][version],
    )


def encode_png(
    text: str,
    *,
    box_size: int = DEFAULT_BOX_SIZE,
    border: int = 4,
    error_correction: str = "M",
) -> bytes:
    """A PNG (1 bit per pixel) of the QR code for ``text``.

    ``box_size`` is pixels per module (1..32), ``border`` the quiet zone in modules
    (0..16; readers expect 4), ``error_correction`` one of ``L M Q H``.
    """
    if not _is_int(box_size) or not 1 <= box_size <= MAX_BOX_SIZE:
        raise QrError(f"box_size must be an integer from 1 to {MAX_BOX_SIZE}")
    if not _is_int(border) or not 0 <= border <= MAX_BORDER:
        raise QrError(f"border must be an integer from 0 to {MAX_BORDER}")
    modules = _matrix(text, _level(error_correction))
    return _png(modules, box_size, border)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _level(error_correction: str) -> int:
    try:
        return int(_LEVELS[error_correction])
    except (KeyError, TypeError):
        raise QrError("error_correction must be one of L, M, Q, H") from None


def _segments(text: str) -> list[Any]:
    if not isinstance(text, str):
        raise QrError("only text can be encoded in a QR code")
    if not text:
        raise QrError("there is nothing to encode")
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise QrError("the text is not valid Unicode (lone surrogate)") from exc
    if len(data) > MAX_TEXT_BYTES:
        raise QrError(f"{len(data)} bytes is more than a QR code can hold")
    builder = qrcode.QRCode()
    builder.add_data(data, optimize=SEGMENT_MIN)
    return list(builder.data_list)


def _segment_bits(mode: int, length: int) -> int:
    if mode == qr_util.MODE_NUMBER:
        return 10 * (length // 3) + (0, 4, 7)[length % 3]
    if mode == qr_util.MODE_ALPHA_NUM:
        return 11 * (length // 2) + 6 * (length % 2)
    return 8 * length


def _fit(segments: Sequence[Any], level: int) -> tuple[int, int]:
    """The smallest version holding ``segments``, and the bits they take in it."""
    payload = sum(_segment_bits(seg.mode, len(seg)) for seg in segments)
    for version in range(1, 41):
        bits = payload + sum(4 + qr_util.length_in_bits(seg.mode, version) for seg in segments)
        if bits <= qr_util.BIT_LIMIT_TABLE[level][version]:
            return version, bits
    raise QrError(
        f"the text is too long for a QR code at error correction level "
        f"{next(k for k, v in _LEVELS.items() if v == level)}"
    )


def _matrix(text: str, level: int) -> list[list[bool]]:
    """The QR code's modules (True = dark), without the quiet zone."""
    segments = _segments(text)
    version, _ = _fit(segments, level)
    code = qrcode.QRCode(version=version, error_correction=level, border=0)
    code.data_list = segments
    try:
        code.makeImpl(True, 0)  # mask 0, format information blank, as qrcode scores masks
        mask = _best_mask(code.modules, version)
        code.makeImpl(False, mask)
    except DataOverflowError as exc:  # cannot happen after _fit; kept as a guard
        raise QrError("the text is too long for a QR code") from exc
    modules: list[list[bool]] = code.modules  # every module is set by now
    return modules


def _bits(line: Sequence[Any]) -> int:
    """A row or column of modules as an int: bit ``i`` is module ``i``."""
    return int(bytes(line[::-1]).translate(_BIT_CHARS), 2)


@functools.cache
def _mask_flips(version: int) -> tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]:
    """For masks 0..7: the bits that change from mask 0, per row and per column.

    Masks touch data modules only, and every mask condition repeats every 12 rows and
    every 12 columns: 12 row patterns and 12 column patterns per mask give them all.
    """
    n = 4 * version + 17
    probe = qrcode.QRCode(version=version)
    probe.modules_count = n
    probe.modules = [[None] * n for _ in range(n)]
    for row, col in ((0, 0), (n - 7, 0), (0, n - 7)):
        probe.setup_position_probe_pattern(row, col)
    probe.setup_position_adjust_pattern()
    probe.setup_timing_pattern()
    probe.setup_type_info(True, 0)
    if version >= 7:
        probe.setup_type_number(True)
    free = [[m is None for m in row] for row in probe.modules]
    data_rows = [_bits(row) for row in free]
    data_cols = [_bits(col) for col in zip(*free, strict=True)]

    conditions = [qr_util.mask_func(mask) for mask in range(8)]
    # row r of mask m is tiles[m][r % 12]; the conditions are not symmetric in (row, col),
    # so the columns get their own tiles
    tiles = [[_bits([c(a, b % 12) for b in range(n)]) for a in range(12)] for c in conditions]
    col_tiles = [[_bits([c(b % 12, a) for b in range(n)]) for a in range(12)] for c in conditions]
    flips = []
    for mask in range(8):
        rows = tuple((tiles[0][r % 12] ^ tiles[mask][r % 12]) & data_rows[r] for r in range(n))
        cols = tuple(
            (col_tiles[0][c % 12] ^ col_tiles[mask][c % 12]) & data_cols[c] for c in range(n)
        )
        flips.append((rows, cols))
    return tuple(flips)


def _best_mask(modules: Sequence[Sequence[Any]], version: int) -> int:
    """qrcode's ``best_mask_pattern``: the first mask with the lowest penalty."""
    rows = [_bits(row) for row in modules]
    cols = [_bits(col) for col in zip(*modules, strict=True)]
    best, best_score = 0, -1
    for mask, (row_flips, col_flips) in enumerate(_mask_flips(version)):
        score = _penalty(
            [r ^ f for r, f in zip(rows, row_flips, strict=True)],
            [c ^ f for c, f in zip(cols, col_flips, strict=True)],
            len(rows),
        )
        if best_score < 0 or score < best_score:
            best, best_score = mask, score
    return best


def _penalty(rows: Sequence[int], cols: Sequence[int], n: int) -> int:
    """ISO/IEC 18004 §7.8.3 penalty, computed as ``qrcode.util.lost_point`` does."""
    full = (1 << n) - 1
    runs = finders = 0
    for lines in (rows, cols):
        for x in lines:
            y = x ^ full
            for z in (x, y):  # N1: 3 + (length - 5) for each run of 5 or more
                run5 = z & (z >> 1) & (z >> 2) & (z >> 3) & (z >> 4)
                if run5:
                    runs += run5.bit_count() + 2 * (run5 & ~(run5 >> 1)).bit_count()
            # N3: 1011101 with four light modules after (p1) or before (p2) it
            core = x & (y >> 1) & (x >> 2) & (x >> 3) & (x >> 4) & (y >> 5) & (x >> 6)
            if core:
                light4 = y & (y >> 1) & (y >> 2) & (y >> 3)
                finders += (core & (light4 >> 7)).bit_count()
                finders += ((core >> 4) & light4).bit_count()
    blocks = 0  # N2: 2 x 2 blocks of one colour
    inner = full >> 1
    for upper, lower in itertools.pairwise(rows):
        same = ~(upper ^ lower)
        blocks += (same & (same >> 1) & ~(upper ^ (upper >> 1)) & inner).bit_count()
    dark = sum(x.bit_count() for x in rows)
    rating = int(abs(float(dark) / (n * n) * 100 - 50) / 5)  # N4, qrcode's float formula
    return runs + 3 * blocks + 40 * finders + 10 * rating


def _png(modules: Sequence[Sequence[bool]], box_size: int, border: int) -> bytes:
    n = len(modules)
    raw = b"".join(bytes(row) for row in modules).translate(_PIXELS)
    image = Image.frombytes("L", (n, n), raw)
    if border:
        image = ImageOps.expand(image, border=border, fill=255)
    if box_size > 1:
        side = (n + 2 * border) * box_size
        image = image.resize((side, side), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.convert("1", dither=Image.Dither.NONE).save(buffer, format="PNG")
    return buffer.getvalue()


# -- decoding ------------------------------------------------------------------------------


def decode_image(image_bytes: bytes | bytearray | memoryview) -> list[str]:
    """The texts of every QR code found in the image, in zbar's order, without duplicates.

    An image without a readable QR code gives ``[]``; an unreadable image, one over the
    limits or a missing zbar library raises ``QrError``.
    """
    if not isinstance(image_bytes, bytes | bytearray | memoryview):
        raise QrError("the image must be given as bytes")
    size = len(image_bytes)
    if size == 0:
        raise QrError("the image is empty")
    if size > MAX_IMAGE_BYTES:
        raise QrError(f"the image is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
    zbar = _zbar()
    gray = _load_gray(bytes(image_bytes))
    with _Scanner(zbar) as scanner:
        for attempt, density in _attempts(gray):
            found = scanner.scan(attempt, density)
            if found:
                return list(dict.fromkeys(found))
    return []


def _zbar() -> ModuleType:
    try:
        from pyzbar import wrapper
    except (ImportError, OSError) as exc:
        raise QrError(
            "QR decoding needs the zbar shared library, which was not found "
            "(Debian/Ubuntu: apt install libzbar0; macOS: brew install zbar)"
        ) from exc
    module: ModuleType = wrapper
    return module


def _load_gray(data: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data), formats=_FORMATS) as image:
            width, height = image.size
            if width < 1 or height < 1:
                raise QrError("the image has no pixels")
            if width * height > MAX_IMAGE_PIXELS:
                raise QrError(
                    f"the image has {width} x {height} pixels, more than "
                    f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels"
                )
            if image.format in ("JPEG", "MPO"):
                image.draft("L", (width, height))  # let libjpeg produce grayscale
            return _flatten(image)
    except QrError:
        raise
    except Image.DecompressionBombError as exc:
        raise QrError("the image is too large") from exc
    except Exception as exc:  # Pillow's decoders raise many types on malformed input
        raise QrError("the data is not a supported image (PNG, JPEG, GIF, ...)") from exc


def _flatten(image: Image.Image) -> Image.Image:
    """Grayscale, transparency composited onto white."""
    transparent = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )
    if transparent:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        white.alpha_composite(rgba)
        return white.convert("L")
    return image.convert("L")


def _attempts(gray: Image.Image) -> Iterator[tuple[Image.Image, int]]:
    """(image, scan density) to try in turn: every second line first (fast, enough for
    modules of 3 pixels or more), every line, enlarged (modules of 1-2 pixels blurred by
    scaling) or halved (photo noise averaged out), inverted."""
    yield gray, 2
    yield gray, 1
    width, height = gray.size
    longest = max(width, height)
    if longest <= _ENLARGE_UP_TO:
        factor = 3 if longest <= _ENLARGE_UP_TO // 2 else 2
        yield gray.resize((width * factor, height * factor), Image.Resampling.LANCZOS), 1
    elif min(width, height) >= 2:
        yield gray.reduce(2), 1
    yield ImageOps.invert(gray), 1


class _Scanner:
    """One zbar image scanner, QR codes only, in binary mode when zbar has it."""

    def __init__(self, zbar: ModuleType) -> None:
        self._zbar = zbar
        self._handle: Any = None
        self.binary = False

    def __enter__(self) -> _Scanner:
        zbar = self._zbar
        handle = zbar.zbar_image_scanner_create()
        if not handle:
            raise QrError("zbar could not create a scanner")
        self._handle = handle
        qr_symbol = int(zbar.ZBarSymbol.QRCODE)
        enable = int(zbar.ZBarConfig.CFG_ENABLE)
        zbar.zbar_image_scanner_set_config(handle, 0, enable, 0)  # 0: every symbology
        zbar.zbar_image_scanner_set_config(handle, qr_symbol, enable, 1)
        symbol, config, value = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
        known = zbar.zbar_parse_config(
            b"qrcode.binary", ctypes.byref(symbol), ctypes.byref(config), ctypes.byref(value)
        )
        if known == 0:
            set_binary = zbar.zbar_image_scanner_set_config(handle, symbol.value, config.value, 1)
            self.binary = set_binary == 0
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._handle:
            self._zbar.zbar_image_scanner_destroy(self._handle)
            self._handle = None

    def scan(self, gray: Image.Image, density: int = 1) -> list[str]:
        """The texts zbar finds, scanning every ``density``-th row and column."""
        zbar = self._zbar
        for axis in (zbar.ZBarConfig.CFG_X_DENSITY, zbar.ZBarConfig.CFG_Y_DENSITY):
            zbar.zbar_image_scanner_set_config(self._handle, 0, int(axis), density)
        pixels = gray.tobytes()  # kept alive until the zbar image is destroyed
        image = zbar.zbar_image_create()
        if not image:
            raise QrError("zbar could not create an image")
        try:
            zbar.zbar_image_set_format(image, _Y800)
            zbar.zbar_image_set_size(image, gray.width, gray.height)
            zbar.zbar_image_set_data(image, pixels, len(pixels), None)  # c_void_p: no copy
            if zbar.zbar_scan_image(self._handle, image) < 0:
                raise QrError("zbar could not scan the image")
            texts = []
            symbol = zbar.zbar_image_first_symbol(image)
            while symbol:
                raw = ctypes.string_at(
                    zbar.zbar_symbol_get_data(symbol), zbar.zbar_symbol_get_data_length(symbol)
                )
                texts.append(self._text(raw))
                symbol = zbar.zbar_symbol_next(symbol)
            return texts
        finally:
            zbar.zbar_image_destroy(image)

    def _text(self, raw: bytes) -> str:
        if not self.binary:  # zbar has already converted the text to UTF-8
            return raw.decode("utf-8", errors="replace")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("latin-1")
