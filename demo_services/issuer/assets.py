"""The institution's logo, drawn at start-up so the demo needs no binary files.

PNG rather than SVG: wallets render PNG everywhere, and an SVG logo from a third party is
a script-capable document many wallets rightly refuse.
"""

from __future__ import annotations

import functools
import io

from PIL import Image, ImageDraw, ImageFont

LOGO_COLOR = (0, 105, 92)  # #00695C


@functools.cache
def logo_png(size: int = 256) -> bytes:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 6, fill=LOGO_COLOR)
    font: ImageFont.ImageFont | ImageFont.FreeTypeFont
    try:
        font = ImageFont.load_default(size=size // 2)
    except (TypeError, OSError):  # a Pillow without FreeType: small bitmap font
        font = ImageFont.load_default()
    draw.text((size / 2, size / 2), "HD", fill=(255, 255, 255), font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
