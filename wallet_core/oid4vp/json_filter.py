"""The JSON Schema subset Presentation Exchange ``filter`` uses (draft 21 §12.6 "bounded
computations"). Any other keyword is refused rather than ignored: ignoring would match
credentials the verifier excluded. ``pattern`` must be cheap for a backtracking engine
(see :func:`_backtracking_safe`)."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from typing import Any

from wallet_core.errors import PresentationRequestError

MAX_PATTERN_CHARS = 256
MAX_PATTERN_SUBJECT = 512
MAX_SCHEMA_DEPTH = 16

# -- JSON Schema subset ------------------------------------------------------------------------

_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object", "null"})
_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "title",
        "description",
        "default",
        "examples",
        "format",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)
_NUMBER_BOUNDS = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})
_COUNTS = frozenset({"minLength", "maxLength", "minItems", "maxItems"})
_FORMAT_BOUNDS = frozenset(
    {"formatMinimum", "formatMaximum", "formatExclusiveMinimum", "formatExclusiveMaximum"}
)
_SUBSCHEMA = frozenset({"contains", "items", "not"})
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf"})


def check_filter(schema: Any, where: str = "filter", depth: int = 0) -> None:
    """Raise ``PresentationRequestError`` unless ``schema`` is in the supported subset."""
    if isinstance(schema, bool):
        return
    if not isinstance(schema, Mapping):
        raise PresentationRequestError(f"{where} must be a JSON Schema object")
    if depth > MAX_SCHEMA_DEPTH:
        raise PresentationRequestError(f"{where} is nested too deeply")
    for key, arg in schema.items():
        here = f"{where}.{key}"
        if key in _ANNOTATIONS:
            continue
        if key == "type":
            names = arg if isinstance(arg, list) else [arg]
            if not names or not all(isinstance(n, str) and n in _TYPES for n in names):
                raise PresentationRequestError(f"{here} names an unknown type")
        elif key == "const":
            continue
        elif key == "enum":
            if not isinstance(arg, list) or not arg:
                raise PresentationRequestError(f"{here} must be a non-empty array")
        elif key == "pattern":
            _compile(arg, here)
        elif key in _NUMBER_BOUNDS:
            if not _is_number(arg):
                raise PresentationRequestError(f"{here} must be a number")
        elif key in _COUNTS:
            if not isinstance(arg, int) or isinstance(arg, bool) or arg < 0:
                raise PresentationRequestError(f"{here} must be a non-negative integer")
        elif key in _FORMAT_BOUNDS:
            if not isinstance(arg, str):
                raise PresentationRequestError(f"{here} must be a string")
        elif key in _SUBSCHEMA:
            check_filter(arg, here, depth + 1)
        elif key in _SCHEMA_LISTS:
            if not isinstance(arg, list) or not arg:
                raise PresentationRequestError(f"{here} must be a non-empty array")
            for index, sub in enumerate(arg):
                check_filter(sub, f"{here}[{index}]", depth + 1)
        elif key == "properties":
            if not isinstance(arg, Mapping):
                raise PresentationRequestError(f"{here} must be an object")
            for name, sub in arg.items():
                check_filter(sub, f"{here}.{name}", depth + 1)
        elif key == "required":
            if not isinstance(arg, list) or not all(isinstance(n, str) for n in arg):
                raise PresentationRequestError(f"{here} must be an array of strings")
        else:
            raise PresentationRequestError(f"{where}: filter keyword {key!r} is not supported")


def filter_accepts(schema: Any, value: Any) -> bool:
    """Whether ``value`` validates against a filter that passed :func:`check_filter`."""
    if isinstance(schema, bool):
        return schema
    if not isinstance(schema, Mapping):
        raise PresentationRequestError("a filter must be a JSON Schema object")
    return all(_keyword(key, arg, value) for key, arg in schema.items())


def _keyword(key: str, arg: Any, value: Any) -> bool:
    if key in _ANNOTATIONS:
        return True
    if key == "type":
        names = arg if isinstance(arg, list) else [arg]
        return any(_has_type(value, name) for name in names)
    if key == "const":
        return _json_equal(value, arg)
    if key == "enum":
        return isinstance(arg, list) and any(_json_equal(value, option) for option in arg)
    if key == "pattern":
        if not isinstance(value, str):
            return True
        return (
            len(value) <= MAX_PATTERN_SUBJECT and _compile(arg, "pattern").search(value) is not None
        )
    if key in _NUMBER_BOUNDS:
        return not _is_number(value) or _within(key, value, arg)
    if key in _COUNTS:
        return _count_ok(key, arg, value)
    if key in _FORMAT_BOUNDS:
        return not isinstance(value, str) or _within(key[6].lower() + key[7:], value, arg)
    if key == "not":
        return not filter_accepts(arg, value)
    if key == "allOf":
        return all(filter_accepts(sub, value) for sub in arg)
    if key == "anyOf":
        return any(filter_accepts(sub, value) for sub in arg)
    if key == "oneOf":
        return sum(1 for sub in arg if filter_accepts(sub, value)) == 1
    if key == "contains":
        return not _is_array(value) or any(filter_accepts(arg, item) for item in value)
    if key == "items":
        return not _is_array(value) or all(filter_accepts(arg, item) for item in value)
    if key == "properties":
        return not isinstance(value, Mapping) or all(
            filter_accepts(sub, value[name]) for name, sub in arg.items() if name in value
        )
    if key == "required":
        return not isinstance(value, Mapping) or all(name in value for name in arg)
    raise PresentationRequestError(f"filter keyword {key!r} is not supported")


def _within(key: str, value: Any, bound: Any) -> bool:
    if key == "minimum":
        return bool(value >= bound)
    if key == "maximum":
        return bool(value <= bound)
    if key == "exclusiveMinimum":
        return bool(value > bound)
    return bool(value < bound)


def _count_ok(key: str, bound: int, value: Any) -> bool:
    if key in ("minLength", "maxLength"):
        if not isinstance(value, str):
            return True
        size = len(value)
    elif _is_array(value):
        size = len(value)
    else:
        return True
    return size >= bound if key.startswith("min") else size <= bound


def _has_type(value: Any, name: str) -> bool:
    if name == "string":
        return isinstance(value, str)
    if name == "number":
        return _is_number(value)
    if name == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if name == "boolean":
        return isinstance(value, bool)
    if name == "array":
        return _is_array(value)
    if name == "object":
        return isinstance(value, Mapping)
    return value is None


def _is_number(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int) and not isinstance(value, bool)


def _is_array(value: Any) -> bool:
    return isinstance(value, list | tuple)


def _json_equal(a: Any, b: Any) -> bool:
    """JSON equality: ``true`` is not ``1``; ``1`` is ``1.0``; containers compare deeply."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if _is_array(a) and _is_array(b):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and bool(a == b)


def _compile(pattern: Any, where: str) -> re.Pattern[str]:
    if not isinstance(pattern, str):
        raise PresentationRequestError(f"{where} must be a string")
    try:
        return _compile_checked(pattern)
    except PresentationRequestError as exc:
        raise PresentationRequestError(f"{where}: {exc}") from None


@functools.lru_cache(maxsize=256)
def _compile_checked(pattern: str) -> re.Pattern[str]:
    if len(pattern) > MAX_PATTERN_CHARS or not _backtracking_safe(pattern):
        raise PresentationRequestError("the pattern is too complex to evaluate safely")
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise PresentationRequestError("the pattern is not a valid regular expression") from exc


_QUANTIFIER = re.compile(r"[*+]|\{([0-9]*)(,?)([0-9]*)\}")
MAX_UNBOUNDED_QUANTIFIERS = 2
_SMALL_REPEAT = 16


def _repetition(pattern: str, i: int) -> tuple[int, int | None] | None:
    """A repeating quantifier at ``i`` as (its length, its upper bound or None), else None."""
    found = _QUANTIFIER.match(pattern, i)
    if found is None:
        return None
    if found.group() in ("*", "+"):
        return 1, None
    low, comma, high = found.groups()
    if not low and not high:
        return None  # "{}" / "{,}" are literals
    upper = int(high) if high else (None if comma else int(low))
    if upper is not None and upper <= 1:
        return None
    return len(found.group()), upper


def _backtracking_safe(pattern: str) -> bool:
    """Bound the work of a backtracking regex engine (conservatively):

    - no back-references;
    - no repeated group that itself contains a quantifier or an alternation (``(a+)+``,
      ``(a|a)*``: exponential);
    - at most :data:`MAX_UNBOUNDED_QUANTIFIERS` unbounded quantifiers (``*``, ``+``,
      ``{n,}``, ``{n,m}`` with m > 16): each one multiplies the polynomial worst case.
    """
    risky = [False]  # per open group: does it contain a quantifier or an alternation?
    unbounded = 0
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            following = pattern[i + 1 : i + 2]
            if (following.isdigit() and following != "0") or following == "k":
                return False
            i += 2
            continue
        if in_class:
            in_class = char != "]"
            i += 1
            continue
        repetition = _repetition(pattern, i)
        if repetition is not None:
            length, upper = repetition
            unbounded += upper is None or upper > _SMALL_REPEAT
            risky[-1] = True
            i += length
            continue
        if char == "[":
            in_class = True
            if pattern.startswith("]", i + 1) or pattern.startswith("^]", i + 1):
                i += 1 + pattern.startswith("^", i + 1)
        elif char == "(":
            risky.append(False)
            if pattern.startswith("?", i + 1):
                if pattern.startswith("?P=", i + 1):
                    return False
                i += 1
        elif char == ")":
            inner = risky.pop() if len(risky) > 1 else False
            if inner and _repetition(pattern, i + 1) is not None:
                return False
            risky[-1] = risky[-1] or inner
        elif char in "?|":
            risky[-1] = True
        i += 1
    return unbounded <= MAX_UNBOUNDED_QUANTIFIERS
