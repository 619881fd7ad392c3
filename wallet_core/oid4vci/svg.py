"""SVG logos and badge images, made safe by checking strictly and then drawing them once
(HAIP 1.0 §4.1: wallets that show issuer logos must take SVG as well as PNG).

An SVG is a document, not a picture: it can carry scripts, load other files and addresses,
expand entities, and nest references until drawing it never ends. So an SVG is **refused**
(not repaired) when it has

- a DTD or entity (parsed with defusedxml, which forbids them);
- more than :data:`MAX_ELEMENTS` elements or deeper nesting than :data:`MAX_DEPTH`;
- ``script``, ``foreignObject``, an HTML element, an ``on…`` event attribute, or animation
  (``animate``, ``set``, …); elements of other namespaces (an editor's metadata) are inert
  to the renderer and allowed, their attributes checked like all others;
- a reference (``href``, ``xlink:href``, ``url(…)`` in attributes or CSS, ``@import``) to
  anything but an element of its own (``#id``) or an inline ``data:image/png|jpeg`` picture;
- more than :data:`MAX_USES` ``use`` elements, or a ``use`` of something that holds a ``use``
  (the nesting that makes drawing exponential).

What passes is drawn once, at receipt, by resvg (a maintained renderer without scripting or
network) into a PNG of :data:`RASTER_WIDTH` pixels wide; only that PNG is kept and shown.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

import resvg_py
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XHTML_NS = "http://www.w3.org/1999/xhtml"
MAX_SVG_BYTES = 256 * 1024
MAX_ELEMENTS = 2_000
MAX_DEPTH = 32
MAX_USES = 64
RASTER_WIDTH = 256
_ANIMATION = frozenset({"animate", "animateMotion", "animateTransform", "set", "discard"})
_FORBIDDEN = frozenset({"script", "foreignObject", "iframe", "handler", *_ANIMATION})
_INLINE_IMAGE = re.compile(r"data:image/(png|jpeg);base64,[A-Za-z0-9+/=\s]*", re.IGNORECASE)
_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)


class UnsafeSvgError(ValueError):
    """The SVG is refused (it is decoration: the caller leaves the logo out)."""


def rasterise(data: bytes) -> bytes:
    """The checked SVG drawn as a PNG; :class:`UnsafeSvgError` for anything refused."""
    if len(data) > MAX_SVG_BYTES:
        raise UnsafeSvgError("the SVG is too large")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, SyntaxError, ValueError) as exc:
        raise UnsafeSvgError("the SVG is not plain XML") from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise UnsafeSvgError("the document is not an SVG")
    _check(root)
    try:
        text = data.decode("utf-8")
        return bytes(
            resvg_py.svg_to_bytes(svg_string=text, width=RASTER_WIDTH, skip_system_fonts=False)
        )
    except (UnicodeDecodeError, ValueError, RuntimeError, OSError) as exc:
        raise UnsafeSvgError("the SVG could not be drawn") from exc


def _check(root: Element) -> None:
    elements = 0
    uses: list[Element] = []
    holds_use: set[str] = set()
    stack: list[tuple[Element, int, list[str]]] = [(root, 1, [])]
    while stack:
        element, depth, ancestors = stack.pop()
        elements += 1
        if elements > MAX_ELEMENTS or depth > MAX_DEPTH:
            raise UnsafeSvgError("the SVG is too complex")
        name = _local(element.tag)
        if element.tag.startswith(f"{{{XHTML_NS}}}") or name in _FORBIDDEN:
            raise UnsafeSvgError(f"the SVG has a {name[:30]} element")
        _check_attributes(element)
        if name == "style":
            _check_style(element.text or "")
        ids = [*ancestors, element.get("id", "")]
        if name == "use":
            uses.append(element)
            holds_use.update(i for i in ids if i)
        stack.extend((child, depth + 1, ids) for child in element)
    if len(uses) > MAX_USES:
        raise UnsafeSvgError("the SVG repeats itself too often")
    for use in uses:
        if _reference(use).removeprefix("#") in holds_use:
            raise UnsafeSvgError("the SVG nests its references")


def _check_attributes(element: Element) -> None:
    for attribute, value in element.attrib.items():
        name = _local(attribute)
        if name.lower().startswith("on"):
            raise UnsafeSvgError("the SVG has an event handler")
        if name == "href":
            _check_reference(value)
        if name == "style":
            _check_style(value)
        for reference in _URL.findall(value):
            _check_reference(reference)


def _check_style(css: str) -> None:
    if "@import" in css.lower() or "expression(" in css.lower():
        raise UnsafeSvgError("the SVG's style loads or runs something")
    for reference in _URL.findall(css):
        _check_reference(reference)


def _check_reference(value: str) -> None:
    reference = value.strip()
    if reference.startswith("#") or _INLINE_IMAGE.fullmatch(reference):
        return
    raise UnsafeSvgError("the SVG refers to something outside itself")


def _reference(element: Element) -> str:
    return element.get("href") or element.get(f"{{{XLINK_NS}}}href") or ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
