"""SVG logos (wallet_core.oid4vci.svg): what a logo may be, and hostile SVGs, each refused
before it is drawn: scripts, events, loading anything, entities, nesting bombs, other documents."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from wallet_core.oid4vci import svg

NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
DOT = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=="
)


def _svg(body: str, head: str = "") -> bytes:
    return f'{head}<svg {NS} width="40" height="20" viewBox="0 0 40 20">{body}</svg>'.encode()


def test_a_plain_logo_is_drawn_256_wide() -> None:
    logo = _svg(
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#003366"/></linearGradient>'
        '</defs><rect id="r" width="40" height="20" style="fill:url(#g)"/>'
        '<use href="#r"/><text x="2" y="15" font-size="10">HD</text>'
        f'<image width="1" height="1" xlink:href="{DOT}"/>'
        '<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>'
    )
    drawn = Image.open(io.BytesIO(svg.rasterise(logo)))
    assert drawn.format == "PNG" and drawn.size == (256, 128)
    assert drawn.convert("RGB").getpixel((200, 100)) == (0, 51, 102)


HOSTILE = {
    "a script": _svg("<script>fetch('https://evil.example')</script>"),
    "an event handler": _svg('<rect width="4" height="4" onload="alert(1)"/>'),
    "an HTML island": _svg(
        '<foreignObject width="9" height="9"><div xmlns="http://www.w3.org/1999/xhtml">x</div>'
        "</foreignObject>"
    ),
    "HTML in its own namespace": _svg('<h:p xmlns:h="http://www.w3.org/1999/xhtml">x</h:p>'),
    "animation": _svg('<rect width="4" height="4"><set attributeName="x" to="9"/></rect>'),
    "an external image": _svg('<image href="https://tracker.example/pixel.png"/>'),
    "a local file": _svg('<image xlink:href="file:///etc/passwd"/>'),
    "a relative file": _svg('<image href="../../secret.png"/>'),
    "a link away": _svg('<a href="https://evil.example"><rect width="4" height="4"/></a>'),
    "a url() in an attribute": _svg('<rect width="4" height="4" fill="url(https://e.example/x)"/>'),
    "a url() in CSS": _svg("<style>rect{fill:url('https://e.example/x')}</style>"),
    "an @import": _svg("<style>@import 'https://e.example/x.css';</style>"),
    "an inline SVG image": _svg('<image href="data:image/svg+xml;base64,PHN2Zy8+"/>'),
    "a DTD with entities": _svg(
        "<text>&lol9;</text>",
        head='<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol "lol">'
        '<!ENTITY lol9 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>',
    ),
    "an external entity": _svg(
        "<text>&x;</text>", head='<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    ),
    "too many elements": _svg("<g/>" * (svg.MAX_ELEMENTS + 1)),
    "too deep": _svg("<g>" * (svg.MAX_DEPTH + 1) + "</g>" * (svg.MAX_DEPTH + 1)),
    "a nesting bomb": _svg(
        '<g id="a"><rect width="1" height="1"/></g>'
        + "".join(
            f'<g id="{chr(98 + i)}">' + f'<use href="#{chr(97 + i)}"/>' * 5 + "</g>"
            for i in range(8)
        )
    ),
    "too many uses": _svg('<rect id="r" width="1" height="1"/>' + '<use href="#r"/>' * 65),
    "not an SVG": b'<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
    "not XML": b"\x89PNG\r\n\x1a\n",
    "too large": _svg("<g/>" * 100_000),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_svg_is_refused(case: str) -> None:
    with pytest.raises(svg.UnsafeSvgError):
        svg.rasterise(HOSTILE[case])
