"""QR benchmarks (DESIGN §8): encode text to PNG, decode the PNG; byte mode vs compact form.

    .venv/bin/python benchmarks/qr.py [--repeat 30]

1. A 1.5 KB base64url-like text (byte mode, level M, default box size): medians of
   ``qr.encode_png`` and ``qr.decode_image``. Targets: <= 40 ms each.
2. A realistic offline presentation (SD-JWT VC microcredential, 15 disclosable claims,
   5 disclosed, KB-JWT): the raw text in byte mode vs the ``EW1:`` compact form
   (``oid4vp.qr_payload``) in alphanumeric mode -- text length, QR version and modules,
   PNG size, encode and decode medians. Byte mode is shown at every level that holds it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# This file's name must not shadow anything when run as a script; tests/ has the fixtures.
HERE = Path(__file__).resolve().parent
from timing import median_ms  # noqa: E402 - before this folder leaves sys.path

sys.path = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent / "tests"))

from test_qr import TEXT_1_5_KB, realistic_presentation  # noqa: E402

from wallet_core import qr  # noqa: E402
from wallet_core.errors import QrError  # noqa: E402
from wallet_core.oid4vp import qr_payload  # noqa: E402


def row(label: str, text: str, level: str, repeat: int) -> None:
    try:
        info = qr.symbol_info(text, error_correction=level)
    except QrError:
        print(f"  {label:<22} {level}  {len(text):5d} chars   does not fit in a QR code")
        return
    png = qr.encode_png(text, error_correction=level)
    scanned = "" if qr.decode_image(png) == [text] else "  (did NOT scan back)"
    encode = median_ms(lambda: qr.encode_png(text, error_correction=level), repeat, warmup=3)
    decode = median_ms(lambda: qr.decode_image(png), repeat, warmup=3)
    mode = "+".join(sorted({mode for mode, _ in info.segments}))
    print(
        f"  {label:<22} {level}  {len(text):5d} chars  {mode:<12} version {info.version:2d} "
        f"({info.modules} modules)  {info.data_bits:6d} bits  PNG {len(png):6d} B  "
        f"encode {encode:5.1f} ms  decode {decode:5.1f} ms{scanned}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    repeat = parser.parse_args().repeat

    print(f"QR, medians of {repeat}; box size {qr.DEFAULT_BOX_SIZE} px, quiet zone 4 modules")
    print("1.5 KB text (targets: encode <= 40 ms, decode <= 40 ms)")
    row("base64url-like", TEXT_1_5_KB, "M", repeat)

    presentation = realistic_presentation().text
    compact = qr_payload.encode(presentation)
    print(
        f"realistic presentation: SD-JWT+KB {len(presentation)} B -> EW1 compact "
        f"{len(compact)} chars"
    )
    for level in ("L", "M", "Q"):
        row("SD-JWT+KB, byte mode", presentation, level, repeat)
        row("EW1 compact", compact, level, repeat)
    pack = median_ms(lambda: qr_payload.encode(presentation), repeat, warmup=3)
    unpack = median_ms(lambda: qr_payload.read_scanned(compact), repeat, warmup=3)
    print(f"  qr_payload.encode {pack:.2f} ms, read_scanned {unpack:.2f} ms")


if __name__ == "__main__":
    main()
