"""The DIF Presentation Exchange 2.0 subset that pre-1.0 verifiers send (OpenID4VP draft 21).

OpenID4VP draft 21 §5.1 carries a ``presentation_definition``; the Wallet selects candidate
credentials by PE 2.0 §8 (input evaluation). Appendix B.4 (SD-JWT VC): the input descriptor
is applied to the holder's processed claims, and ``limit_disclosure: "required"`` means only
the claims matched by ``fields`` are disclosed. Supported here:

- Definition: ``id``, ``name``, ``purpose``, ``format``, ``input_descriptors`` (ids unique)
  and ``submission_requirements`` (rules ``all`` and ``pick`` with ``count``/``min``/``max``,
  ``from`` a group or ``from_nested``). ``frame`` and other members are ignored.
- Input descriptor: ``id``, ``name``, ``purpose``, ``group``, ``format`` (keys are format
  identifiers; ``vc+sd-jwt`` and ``dc+sd-jwt`` are one family, see :mod:`.claims`;
  ``sd-jwt_alg_values``/``alg`` are checked when the credential's algorithm is known),
  ``constraints.limit_disclosure`` and ``constraints.fields``. Other constraint members
  (``statuses``, ``subject_is_issuer``, ``is_holder``, ``same_subject``) are ignored. A
  descriptor without ``constraints`` asks for any credential of its format.
- Field: ``path`` (alternatives: the first that yields a value passing ``filter`` wins, PE
  §8), ``id``, ``name``, ``purpose``, ``filter``, ``optional``, ``intent_to_retain`` (mdoc),
  ``predicate`` (accepted; the SD-JWT formats cannot prove a predicate, so the value itself
  is what would be disclosed).
- JSONPath (draft 21 §12.6: no script evaluation): ``$``, ``.name``, ``['name']``/``["name"]``,
  ``[0]``, ``.*``/``[*]``. Recursive descent, filters, scripts, slices, unions and negative
  indexes raise ``PresentationRequestError``.
- ``filter`` (JSON Schema subset, draft 21 §12.6 "bounded computations"): ``type``, ``const``,
  ``enum``, ``pattern``, ``minimum``/``maximum``/``exclusiveMinimum``/``exclusiveMaximum``,
  ``minLength``/``maxLength``, ``minItems``/``maxItems``, ``contains``, ``items`` (one schema),
  ``properties``, ``required``, ``not``, ``allOf``/``anyOf``/``oneOf``,
  ``formatMinimum``/``formatMaximum`` (and exclusive; compared as strings, as ISO 8601 dates
  compare) and the annotations (``format``, ``title``, ...). Any other keyword raises
  ``PresentationRequestError`` rather than being silently ignored (ignoring would match
  credentials the verifier excluded). ``pattern`` (ECMA-262 in JSON Schema, run here with
  Python's ``re``, which agrees on the common syntax) must be cheap for a backtracking
  engine: at most :data:`MAX_PATTERN_CHARS` characters, no back-references, no repeated
  group containing a quantifier or an alternation, at most two unbounded quantifiers; a
  string longer than :data:`MAX_PATTERN_SUBJECT` characters never matches a pattern.

Mapping to :class:`~wallet_core.models.Candidate`: a matched field contributes the concrete
claim paths of the values that satisfied it (the first alternative path that did; every
such value for a wildcard) to ``required_claims``, or to ``optional_claims`` for
``optional: true`` fields. Credential metadata (``$.vct``, ``$.iss``, ``$.type``, ...; see
:func:`.claims.is_metadata_path`) selects credentials but is not a claim to disclose; nor is
a field on ``$`` itself. When
``limit_disclosure`` is absent the verifier has not asked the wallet to limit disclosure,
so the remaining selectively disclosable claims are offered as further ``optional_claims``
(after the optional fields, in path order); the holder still chooses. With ``required``
or ``preferred`` nothing beyond the fields is offered. ``limit_disclosure: "required"``
excludes formats that cannot limit disclosure (PE 2.0 §5: return nothing rather than more).
For SD-JWT VC a ``$.vct`` field is evaluated against every type of the credential (``vct``,
``aka_vcts``, inherited types), as OpenID4VP 1.0 Appendix B.3.5 allows for DCQL.

Without ``submission_requirements`` every input descriptor is required. With them, a
descriptor is ``required`` when a requirement that cannot be skipped (every rule but ``pick``
with ``count``/``min`` 0) reaches it; ``satisfiable`` evaluates the requirements (``pick``
without ``count`` or ``min`` needs one).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wallet_core.errors import PresentationRequestError
from wallet_core.models import Candidate, ClaimPath, PresentationMatch, QueryMatch
from wallet_core.oid4vp.claims import (
    SD_JWT_VC_FORMATS,
    SELECTIVE_DISCLOSURE_FORMATS,
    HeldCredential,
    covers,
    dedupe,
    is_metadata_path,
    path_sort_key,
    same_format,
)

MAX_JSON_PATH_CHARS = 1_000
MAX_PATTERN_CHARS = 256
MAX_PATTERN_SUBJECT = 512
MAX_SCHEMA_DEPTH = 16

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
    i, end = 1, len(text)
    while i < end:
        char = text[i]
        if char == ".":
            i += 1
            if text.startswith(".", i):
                raise PresentationRequestError(f"{where}: recursive descent is not supported")
            if text.startswith("*", i):
                segments.append(None)
                i += 1
                continue
            name = _NAME.match(text, i)
            if name is None:
                raise PresentationRequestError(f"{where}: expected a member name at {i}")
            segments.append(name.group())
            i = name.end()
        elif char == "[":
            i = _skip_spaces(text, i + 1)
            if text.startswith("*", i):
                segments.append(None)
                i += 1
            elif i < end and text[i] in "'\"":
                member, i = _quoted(text, i, where)
                segments.append(member)
            elif (index := _INDEX.match(text, i)) is not None:
                segments.append(int(index.group()))
                i = index.end()
            else:
                raise PresentationRequestError(
                    f"{where}: only names, indexes and '*' are supported in brackets"
                )
            i = _skip_spaces(text, i)
            if not text.startswith("]", i):
                raise PresentationRequestError(f"{where}: expected ']' at {i}")
            i += 1
        else:
            raise PresentationRequestError(f"{where}: unexpected {char!r} at {i}")
    return JsonPath(source=text, segments=tuple(segments))


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


# -- the definition ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One entry of ``constraints.fields`` (PE 2.0 §5)."""

    paths: tuple[JsonPath, ...]
    id: str | None = None
    name: str | None = None
    purpose: str | None = None
    filter: Mapping[str, Any] | bool | None = field(default=None, compare=False)
    optional: bool = False
    predicate: str | None = None
    intent_to_retain: bool | None = None


@dataclass(frozen=True)
class InputDescriptor:
    """One entry of ``input_descriptors`` (PE 2.0 §5)."""

    id: str
    fields: tuple[Field, ...] = ()
    formats: Mapping[str, Mapping[str, Any]] | None = field(default=None, compare=False)
    limit_disclosure: str | None = None
    group: tuple[str, ...] = ()
    name: str | None = None
    purpose: str | None = None


@dataclass(frozen=True)
class SubmissionRequirement:
    """One entry of ``submission_requirements`` (PE 2.0 §5)."""

    rule: str
    from_group: str | None = None
    from_nested: tuple[SubmissionRequirement, ...] | None = None
    count: int | None = None
    min: int | None = None
    max: int | None = None
    name: str | None = None
    purpose: str | None = None

    @property
    def needed(self) -> int | None:
        """How many members a ``pick`` needs at least (None for ``all``)."""
        if self.rule == "all":
            return None
        if self.count is not None:
            return self.count
        return self.min if self.min is not None else 1


@dataclass(frozen=True)
class PresentationDefinition:
    id: str
    input_descriptors: tuple[InputDescriptor, ...]
    submission_requirements: tuple[SubmissionRequirement, ...] | None = None
    formats: Mapping[str, Mapping[str, Any]] | None = field(default=None, compare=False)
    name: str | None = None
    purpose: str | None = None

    def descriptor(self, descriptor_id: str) -> InputDescriptor:
        for descriptor in self.input_descriptors:
            if descriptor.id == descriptor_id:
                return descriptor
        raise PresentationRequestError(f"no input descriptor {descriptor_id!r}")


def parse_definition(document: Any) -> PresentationDefinition:
    """Validate a ``presentation_definition`` of the supported subset (module docstring)."""
    if not isinstance(document, Mapping):
        raise PresentationRequestError("presentation_definition must be a JSON object")
    definition_id = _string(document.get("id"), "presentation_definition.id")
    raw_descriptors = document.get("input_descriptors")
    if not isinstance(raw_descriptors, list) or not raw_descriptors:
        raise PresentationRequestError("input_descriptors must be a non-empty array")
    descriptors = tuple(
        _descriptor(raw, f"input_descriptors[{index}]") for index, raw in enumerate(raw_descriptors)
    )
    ids = [descriptor.id for descriptor in descriptors]
    if len(set(ids)) != len(ids):
        raise PresentationRequestError("input descriptor ids must be unique")
    field_ids = [f.id for d in descriptors for f in d.fields if f.id is not None]
    if len(set(field_ids)) != len(field_ids):
        raise PresentationRequestError("field ids must be unique")
    requirements = None
    if "submission_requirements" in document:
        groups = {group for descriptor in descriptors for group in descriptor.group}
        raw_requirements = document["submission_requirements"]
        if not isinstance(raw_requirements, list) or not raw_requirements:
            raise PresentationRequestError("submission_requirements must be a non-empty array")
        requirements = tuple(
            _requirement(raw, f"submission_requirements[{index}]", groups)
            for index, raw in enumerate(raw_requirements)
        )
    return PresentationDefinition(
        id=definition_id,
        input_descriptors=descriptors,
        submission_requirements=requirements,
        formats=_formats(document, "presentation_definition"),
        name=_optional_string(document, "name", "presentation_definition"),
        purpose=_optional_string(document, "purpose", "presentation_definition"),
    )


def _descriptor(raw: Any, where: str) -> InputDescriptor:
    if not isinstance(raw, Mapping):
        raise PresentationRequestError(f"{where} must be an object")
    group = raw.get("group", [])
    if not isinstance(group, list) or not all(isinstance(g, str) and g for g in group):
        raise PresentationRequestError(f"{where}.group must be an array of strings")
    constraints = raw.get("constraints", {})
    if not isinstance(constraints, Mapping):
        raise PresentationRequestError(f"{where}.constraints must be an object")
    limit = constraints.get("limit_disclosure")
    if limit is not None and limit not in ("required", "preferred"):
        raise PresentationRequestError(
            f"{where}.constraints.limit_disclosure must be 'required' or 'preferred'"
        )
    raw_fields = constraints.get("fields", [])
    if not isinstance(raw_fields, list):
        raise PresentationRequestError(f"{where}.constraints.fields must be an array")
    return InputDescriptor(
        id=_string(raw.get("id"), f"{where}.id"),
        fields=tuple(
            _field(entry, f"{where}.constraints.fields[{index}]")
            for index, entry in enumerate(raw_fields)
        ),
        formats=_formats(raw, where),
        limit_disclosure=limit,
        group=tuple(group),
        name=_optional_string(raw, "name", where),
        purpose=_optional_string(raw, "purpose", where),
    )


def _field(raw: Any, where: str) -> Field:
    if not isinstance(raw, Mapping):
        raise PresentationRequestError(f"{where} must be an object")
    raw_paths = raw.get("path")
    if not isinstance(raw_paths, list) or not raw_paths:
        raise PresentationRequestError(f"{where}.path must be a non-empty array")
    paths = tuple(
        parse_json_path(path, f"{where}.path[{index}]") for index, path in enumerate(raw_paths)
    )
    schema = raw.get("filter")
    if schema is not None:
        check_filter(schema, f"{where}.filter")
    optional = raw.get("optional", False)
    if not isinstance(optional, bool):
        raise PresentationRequestError(f"{where}.optional must be a boolean")
    predicate = raw.get("predicate")
    if predicate is not None:
        if predicate not in ("required", "preferred"):
            raise PresentationRequestError(f"{where}.predicate must be 'required' or 'preferred'")
        if schema is None:
            raise PresentationRequestError(f"{where}: a predicate needs a filter")
    retain = raw.get("intent_to_retain")
    if retain is not None and not isinstance(retain, bool):
        raise PresentationRequestError(f"{where}.intent_to_retain must be a boolean")
    return Field(
        paths=paths,
        id=_optional_string(raw, "id", where),
        name=_optional_string(raw, "name", where),
        purpose=_optional_string(raw, "purpose", where),
        filter=schema,
        optional=optional,
        predicate=predicate,
        intent_to_retain=retain,
    )


def _requirement(raw: Any, where: str, groups: set[str]) -> SubmissionRequirement:
    if not isinstance(raw, Mapping):
        raise PresentationRequestError(f"{where} must be an object")
    rule = raw.get("rule")
    if rule not in ("all", "pick"):
        raise PresentationRequestError(f"{where}.rule must be 'all' or 'pick'")
    if ("from" in raw) == ("from_nested" in raw):
        raise PresentationRequestError(f"{where} needs exactly one of from and from_nested")
    from_group = nested = None
    if "from" in raw:
        from_group = raw["from"]
        if not isinstance(from_group, str) or from_group not in groups:
            raise PresentationRequestError(f"{where}.from names no input descriptor group")
    else:
        entries = raw["from_nested"]
        if not isinstance(entries, list) or not entries:
            raise PresentationRequestError(f"{where}.from_nested must be a non-empty array")
        nested = tuple(
            _requirement(entry, f"{where}.from_nested[{index}]", groups)
            for index, entry in enumerate(entries)
        )
    numbers: dict[str, int | None] = {}
    for key in ("count", "min", "max"):
        value = raw.get(key)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            raise PresentationRequestError(f"{where}.{key} must be a non-negative integer")
        numbers[key] = value
    return SubmissionRequirement(
        rule=rule,
        from_group=from_group,
        from_nested=nested,
        count=numbers["count"],
        min=numbers["min"],
        max=numbers["max"],
        name=_optional_string(raw, "name", where),
        purpose=_optional_string(raw, "purpose", where),
    )


def _formats(raw: Mapping[str, Any], where: str) -> Mapping[str, Mapping[str, Any]] | None:
    if "format" not in raw:
        return None
    formats = raw["format"]
    if (
        not isinstance(formats, Mapping)
        or not formats
        or not all(isinstance(value, Mapping) for value in formats.values())
    ):
        raise PresentationRequestError(f"{where}.format must map format names to objects")
    return {str(name): dict(value) for name, value in formats.items()}


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise PresentationRequestError(f"{where} must be a non-empty string")
    return value


def _optional_string(raw: Mapping[str, Any], key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        raise PresentationRequestError(f"{where}.{key} must be a string")
    return value


# -- matching ----------------------------------------------------------------------------------


def match(definition: PresentationDefinition, held: Sequence[HeldCredential]) -> PresentationMatch:
    """Candidates per input descriptor id and whether the definition can be met (PE 2.0 §8)."""
    candidates = {
        descriptor.id: tuple(
            candidate
            for credential in held
            if (candidate := _candidate(definition, descriptor, credential)) is not None
        )
        for descriptor in definition.input_descriptors
    }
    requirements = definition.submission_requirements
    if requirements is None:
        required = set(candidates)
        satisfiable = all(candidates.values())
    else:
        members = _group_members(definition)
        answered = {descriptor_id for descriptor_id, found in candidates.items() if found}
        required = set()
        for requirement in requirements:
            _collect_required(requirement, members, required)
        satisfiable = all(_met(requirement, members, answered) for requirement in requirements)
    queries = {
        descriptor_id: QueryMatch(
            candidates=found, required=descriptor_id in required, multiple=False
        )
        for descriptor_id, found in candidates.items()
    }
    return PresentationMatch(queries=queries, satisfiable=satisfiable)


def _group_members(definition: PresentationDefinition) -> dict[str, list[str]]:
    members: dict[str, list[str]] = {}
    for descriptor in definition.input_descriptors:
        for group in descriptor.group:
            members.setdefault(group, []).append(descriptor.id)
    return members


def _collect_required(
    requirement: SubmissionRequirement, members: Mapping[str, list[str]], out: set[str]
) -> None:
    if requirement.needed == 0:
        return
    if requirement.from_group is not None:
        out.update(members.get(requirement.from_group, ()))
    for nested in requirement.from_nested or ():
        _collect_required(nested, members, out)


def _met(
    requirement: SubmissionRequirement, members: Mapping[str, list[str]], answered: set[str]
) -> bool:
    if requirement.from_group is not None:
        results = [member in answered for member in members.get(requirement.from_group, ())]
    else:
        results = [_met(nested, members, answered) for nested in requirement.from_nested or ()]
    needed = requirement.needed
    if needed is None:
        return all(results)
    return sum(results) >= needed


def _candidate(
    definition: PresentationDefinition, descriptor: InputDescriptor, credential: HeldCredential
) -> Candidate | None:
    formats = descriptor.formats if descriptor.formats is not None else definition.formats
    if formats is not None and not _format_accepted(formats, credential):
        return None
    limit = descriptor.limit_disclosure
    if limit == "required" and credential.format not in SELECTIVE_DISCLOSURE_FORMATS:
        return None
    required: list[ClaimPath] = []
    optional: list[ClaimPath] = []
    for entry in descriptor.fields:
        paths = _evaluate(entry, credential)
        if paths is None:
            if entry.optional:
                continue
            return None
        wanted = [p for p in paths if p and not is_metadata_path(credential.format, p)]
        (optional if entry.optional else required).extend(wanted)
    must = dedupe(required)
    may = [p for p in dedupe(optional) if not any(covers(r, p) for r in must)]
    if limit is None:
        shown = (*must, *may)
        may.extend(
            sorted(
                (p for p in credential.disclosable if not any(covers(s, p) for s in shown)),
                key=path_sort_key,
            )
        )
    return Candidate(credential.id, must, tuple(may))


def _format_accepted(formats: Mapping[str, Mapping[str, Any]], credential: HeldCredential) -> bool:
    for name, params in formats.items():
        if not same_format(name, credential.format):
            continue
        if credential.alg is not None and any(
            isinstance(algs := params.get(key), list) and algs and credential.alg not in algs
            for key in ("sd-jwt_alg_values", "alg")
        ):
            continue
        return True
    return False


def _evaluate(entry: Field, credential: HeldCredential) -> tuple[ClaimPath, ...] | None:
    """The concrete paths of the values that satisfy the field, or None (PE 2.0 §8)."""
    for path in entry.paths:
        if credential.format in SD_JWT_VC_FORMATS and path.segments == ("vct",):
            nodes: tuple[tuple[ClaimPath, Any], ...] = tuple(
                (("vct",), vct) for vct in credential.types
            )
        else:
            nodes = path.evaluate(credential.claims)
        valid = [
            where
            for where, value in nodes
            if entry.filter is None or filter_accepts(entry.filter, value)
        ]
        if valid:
            return dedupe(valid)
    return None
