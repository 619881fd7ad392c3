"""The JSONPath subset Presentation Exchange fields use (OpenID4VP draft 21 §12.6: no
script evaluation): ``$``, ``.name``, ``['name']``/``["name"]``, ``[0]``, ``.*``/``[*]``.
Recursive descent, filters, scripts, slices, unions and negative indexes are refused with
``PresentationRequestError``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wallet_core.errors import PresentationRequestError
from wallet_core.models import ClaimPath

MAX_JSON_PATH_CHARS = 1_000

# -- JSONPath subset ---------------------------------------------------------------------------

_NAME = re.compile(r"[^\s.\[\]()'\"*?,:$!=<>&|\\]+")
_INDEX = re.compile(r"0|[1-9][0-9]{0,8}")
_ESCAPES = {
    "\\": "\\",
    "/": "/",
    "'": "'",
    '"': '"',
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}
Segment = str | int | None  # member name, array index, wildcard


@dataclass(frozen=True)
class JsonPath:
    """A parsed JSONPath of the supported subset; ``None`` segments are wildcards."""

    source: str
    segments: tuple[Segment, ...]

    def evaluate(self, root: Any) -> tuple[tuple[ClaimPath, Any], ...]:
        """The nodes the path selects, as ``(concrete claim path, value)`` pairs."""
        nodes: list[tuple[ClaimPath, Any]] = [((), root)]
        for segment in self.segments:
            found: list[tuple[ClaimPath, Any]] = []
            for where, value in nodes:
                if segment is None:
                    if isinstance(value, Mapping):
                        found.extend(
                            ((*where, key), item)
                            for key, item in value.items()
                            if isinstance(key, str)
                        )
                    elif isinstance(value, list | tuple):
                        found.extend(((*where, i), item) for i, item in enumerate(value))
                elif isinstance(segment, str):
                    if isinstance(value, Mapping) and segment in value:
                        found.append(((*where, segment), value[segment]))
                elif isinstance(value, list | tuple) and segment < len(value):
                    found.append(((*where, segment), value[segment]))
            nodes = found
        return tuple(nodes)


def parse_json_path(text: Any, where: str = "path") -> JsonPath:
    """Parse the JSONPath subset described in the module docstring."""
    if not isinstance(text, str) or not text.startswith("$"):
        raise PresentationRequestError(f"{where} must be a JSONPath string starting with '$'")
    if len(text) > MAX_JSON_PATH_CHARS:
        raise PresentationRequestError(f"{where} is too long")
    segments: list[Segment] = []
    i = 1
    while i < len(text):
        if text[i] == ".":
            segment, i = _dot_segment(text, i + 1, where)
        elif text[i] == "[":
            segment, i = _bracket_segment(text, i + 1, where)
        else:
            raise PresentationRequestError(f"{where}: unexpected {text[i]!r} at {i}")
        segments.append(segment)
    return JsonPath(source=text, segments=tuple(segments))


def _dot_segment(text: str, i: int, where: str) -> tuple[Segment, int]:
    """The segment after a ``.`` (``i`` is just past it) and where the next one starts."""
    if text.startswith(".", i):
        raise PresentationRequestError(f"{where}: recursive descent is not supported")
    if text.startswith("*", i):
        return None, i + 1
    name = _NAME.match(text, i)
    if name is None:
        raise PresentationRequestError(f"{where}: expected a member name at {i}")
    return name.group(), name.end()


def _bracket_segment(text: str, i: int, where: str) -> tuple[Segment, int]:
    """The segment inside ``[...]`` (``i`` is just past the ``[``) and where the next one
    starts."""
    i = _skip_spaces(text, i)
    segment: Segment
    if text.startswith("*", i):
        segment, i = None, i + 1
    elif i < len(text) and text[i] in "'\"":
        segment, i = _quoted(text, i, where)
    elif (index := _INDEX.match(text, i)) is not None:
        segment, i = int(index.group()), index.end()
    else:
        raise PresentationRequestError(
            f"{where}: only names, indexes and '*' are supported in brackets"
        )
    i = _skip_spaces(text, i)
    if not text.startswith("]", i):
        raise PresentationRequestError(f"{where}: expected ']' at {i}")
    return segment, i + 1


def _skip_spaces(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\n\r":
        i += 1
    return i


def _quoted(text: str, i: int, where: str) -> tuple[str, int]:
    quote, i = text[i], i + 1
    out: list[str] = []
    while i < len(text):
        char = text[i]
        if char == quote:
            return "".join(out), i + 1
        if char != "\\":
            out.append(char)
            i += 1
            continue
        escape = text[i + 1 : i + 2]
        if escape in _ESCAPES:
            out.append(_ESCAPES[escape])
            i += 2
        elif escape == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", text[i + 2 : i + 6]):
            out.append(chr(int(text[i + 2 : i + 6], 16)))
            i += 6
        else:
            raise PresentationRequestError(f"{where}: invalid escape at {i}")
    raise PresentationRequestError(f"{where}: unterminated string")
