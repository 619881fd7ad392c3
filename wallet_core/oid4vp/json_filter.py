"""The JSON Schema subset Presentation Exchange ``filter`` uses (draft 21 §12.6 "bounded
computations"). Any other keyword is refused rather than ignored: ignoring would match
credentials the verifier excluded. ``pattern`` must be cheap for a backtracking engine
(see :func:`_backtracking_safe`)."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
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
        check = _CHECKS.get(key)
        if check is None:
            raise PresentationRequestError(f"{where}: filter keyword {key!r} is not supported")
        check(arg, f"{where}.{key}", depth)


def filter_accepts(schema: Any, value: Any) -> bool:
    """Whether ``value`` validates against a filter that passed :func:`check_filter`."""
    if isinstance(schema, bool):
        return schema
    if not isinstance(schema, Mapping):
        raise PresentationRequestError("a filter must be a JSON Schema object")
    return all(_keyword(key, arg, value) for key, arg in schema.items())


def _keyword(key: str, arg: Any, value: Any) -> bool:
    match = _MATCHES.get(key)
    if match is None:
        raise PresentationRequestError(f"filter keyword {key!r} is not supported")
    return match(arg, value)


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


# -- checking a filter: keyword -> check(argument, where, depth) --------------------------------


def _check_nothing(arg: Any, here: str, depth: int) -> None:
    pass


def _check_type(arg: Any, here: str, depth: int) -> None:
    names = arg if isinstance(arg, list) else [arg]
    if not names or not all(isinstance(n, str) and n in _TYPES for n in names):
        raise PresentationRequestError(f"{here} names an unknown type")


def _check_enum(arg: Any, here: str, depth: int) -> None:
    if not isinstance(arg, list) or not arg:
        raise PresentationRequestError(f"{here} must be a non-empty array")


def _check_pattern(arg: Any, here: str, depth: int) -> None:
    _compile(arg, here)


def _check_number(arg: Any, here: str, depth: int) -> None:
    if not _is_number(arg):
        raise PresentationRequestError(f"{here} must be a number")


def _check_count(arg: Any, here: str, depth: int) -> None:
    if not isinstance(arg, int) or isinstance(arg, bool) or arg < 0:
        raise PresentationRequestError(f"{here} must be a non-negative integer")


def _check_string(arg: Any, here: str, depth: int) -> None:
    if not isinstance(arg, str):
        raise PresentationRequestError(f"{here} must be a string")


def _check_subschema(arg: Any, here: str, depth: int) -> None:
    check_filter(arg, here, depth + 1)


def _check_schema_list(arg: Any, here: str, depth: int) -> None:
    if not isinstance(arg, list) or not arg:
        raise PresentationRequestError(f"{here} must be a non-empty array")
    for index, sub in enumerate(arg):
        check_filter(sub, f"{here}[{index}]", depth + 1)


def _check_properties(arg: Any, here: str, depth: int) -> None:
    if not isinstance(arg, Mapping):
        raise PresentationRequestError(f"{here} must be an object")
    for name, sub in arg.items():
        check_filter(sub, f"{here}.{name}", depth + 1)


def _check_required(arg: Any, here: str, depth: int) -> None:
    if not isinstance(arg, list) or not all(isinstance(n, str) for n in arg):
        raise PresentationRequestError(f"{here} must be an array of strings")


_CHECKS: dict[str, Callable[[Any, str, int], None]] = {
    **dict.fromkeys(_ANNOTATIONS, _check_nothing),
    "type": _check_type,
    "const": _check_nothing,
    "enum": _check_enum,
    "pattern": _check_pattern,
    **dict.fromkeys(_NUMBER_BOUNDS, _check_number),
    **dict.fromkeys(_COUNTS, _check_count),
    **dict.fromkeys(_FORMAT_BOUNDS, _check_string),
    **dict.fromkeys(_SUBSCHEMA, _check_subschema),
    **dict.fromkeys(_SCHEMA_LISTS, _check_schema_list),
    "properties": _check_properties,
    "required": _check_required,
}

# -- applying a checked filter: keyword -> match(argument, value) -------------------------------
# A keyword about one JSON type (pattern, minimum, items, ...) accepts a value of any other
# type, as JSON Schema has it.


def _match_type(arg: Any, value: Any) -> bool:
    names = arg if isinstance(arg, list) else [arg]
    return any(_has_type(value, name) for name in names)


def _match_enum(arg: Any, value: Any) -> bool:
    return isinstance(arg, list) and any(_json_equal(value, option) for option in arg)


def _match_pattern(arg: Any, value: Any) -> bool:
    if not isinstance(value, str):
        return True
    return len(value) <= MAX_PATTERN_SUBJECT and _compile(arg, "pattern").search(value) is not None


def _match_number_bound(key: str, arg: Any, value: Any) -> bool:
    return not _is_number(value) or _within(key, value, arg)


def _match_format_bound(key: str, arg: Any, value: Any) -> bool:
    # "formatMinimum" compares like "minimum", on strings.
    return not isinstance(value, str) or _within(key[6].lower() + key[7:], value, arg)


def _match_contains(arg: Any, value: Any) -> bool:
    return not _is_array(value) or any(filter_accepts(arg, item) for item in value)


def _match_items(arg: Any, value: Any) -> bool:
    return not _is_array(value) or all(filter_accepts(arg, item) for item in value)


def _match_properties(arg: Any, value: Any) -> bool:
    return not isinstance(value, Mapping) or all(
        filter_accepts(sub, value[name]) for name, sub in arg.items() if name in value
    )


def _match_required(arg: Any, value: Any) -> bool:
    return not isinstance(value, Mapping) or all(name in value for name in arg)


_MATCHES: dict[str, Callable[[Any, Any], bool]] = {
    **dict.fromkeys(_ANNOTATIONS, lambda arg, value: True),
    "type": _match_type,
    "const": lambda arg, value: _json_equal(value, arg),
    "enum": _match_enum,
    "pattern": _match_pattern,
    **{key: functools.partial(_match_number_bound, key) for key in _NUMBER_BOUNDS},
    **{key: functools.partial(_count_ok, key) for key in _COUNTS},
    **{key: functools.partial(_match_format_bound, key) for key in _FORMAT_BOUNDS},
    "not": lambda arg, value: not filter_accepts(arg, value),
    "allOf": lambda arg, value: all(filter_accepts(sub, value) for sub in arg),
    "anyOf": lambda arg, value: any(filter_accepts(sub, value) for sub in arg),
    "oneOf": lambda arg, value: sum(1 for sub in arg if filter_accepts(sub, value)) == 1,
    "contains": _match_contains,
    "items": _match_items,
    "properties": _match_properties,
    "required": _match_required,
}


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
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if _back_reference(pattern, i):
                return False
            i += 2
        elif char == "[":
            end = _class_end(pattern, i)
            if end is None:
                return False
            i = end
        elif (repetition := _repetition(pattern, i)) is not None:
            length, upper = repetition
            unbounded += upper is None or upper > _SMALL_REPEAT
            risky[-1] = True
            i += length
        elif char == "(":
            risky.append(False)
            if pattern.startswith("?P=", i + 1):
                return False
            i += 1 + pattern.startswith("?", i + 1)  # "(?": the "?" is no quantifier
        elif char == ")":
            inner = risky.pop() if len(risky) > 1 else False
            if inner and _repetition(pattern, i + 1) is not None:
                return False
            risky[-1] = risky[-1] or inner
            i += 1
        else:
            risky[-1] = risky[-1] or char in "?|"
            i += 1
    return unbounded <= MAX_UNBOUNDED_QUANTIFIERS


def _back_reference(pattern: str, i: int) -> bool:
    """Whether the escape at ``i`` is (or may be) a back-reference: ``\\1``, ``\\k<name>``."""
    following = pattern[i + 1 : i + 2]
    return (following.isdigit() and following != "0") or following == "k"


def _class_end(pattern: str, i: int) -> int | None:
    """Where the character class opened at ``i`` ends (just past its ``]``; a ``]`` first
    in it is a literal), or None if it holds a back-reference-like escape."""
    i += 1
    if pattern.startswith("]", i) or pattern.startswith("^]", i):
        i += 1 + pattern.startswith("^", i)
    while i < len(pattern):
        if pattern[i] == "\\":
            if _back_reference(pattern, i):
                return None
            i += 2
        elif pattern[i] == "]":
            return i + 1
        else:
            i += 1
    return i
