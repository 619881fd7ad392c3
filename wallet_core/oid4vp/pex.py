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
- JSONPath: the safe subset in :mod:`.jsonpath`.
- ``filter`` (:mod:`.json_filter`; JSON Schema subset, draft 21 §12.6): ``type``, ``const``,
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
:meth:`~wallet_core.formats.seam.FormatRules.is_bookkeeping`) selects credentials but is not
a claim to disclose; nor is a field on ``$`` itself. When
``limit_disclosure`` is absent the verifier has not asked the wallet to limit disclosure,
so the remaining selectively disclosable claims are offered as further ``optional_claims``
(after the optional fields, in path order); the holder still chooses. With ``required``
or ``preferred`` nothing beyond the fields is offered. ``limit_disclosure: "required"``
excludes formats that cannot limit disclosure (PE 2.0 §5: return nothing rather than more).
A credential bound to no key of the wallet (an imported badge) is never a candidate: the
``vp_token`` of draft 21 §6.1 carries Verifiable Presentations, and the holder can sign
none for it (DCQL lets a verifier waive holder binding; PE has no such switch).
For SD-JWT VC a ``$.vct`` field is evaluated against every type of the credential (``vct``,
``aka_vcts``, inherited types), as OpenID4VP 1.0 Appendix B.3.5 allows for DCQL.

Without ``submission_requirements`` every input descriptor is required. With them, a
descriptor is ``required`` when a requirement that cannot be skipped (every rule but ``pick``
with ``count``/``min`` 0) reaches it; ``satisfiable`` evaluates the requirements (``pick``
without ``count`` or ``min`` needs one).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wallet_core.errors import PresentationRequestError
from wallet_core.formats.registry import answers, rules_for
from wallet_core.formats.seam import HeldCredential
from wallet_core.models import Candidate, ClaimPath, PresentationMatch, QueryMatch
from wallet_core.oid4vp.claims import covers, dedupe, path_sort_key
from wallet_core.oid4vp.json_filter import check_filter, filter_accepts
from wallet_core.oid4vp.jsonpath import JsonPath, Segment, parse_json_path

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


def fits_requirements(definition: PresentationDefinition, chosen: Collection[str]) -> bool:
    """Whether submitting exactly the descriptors in ``chosen`` meets the definition (§5).

    Without ``submission_requirements`` every input descriptor must be answered. With
    them, each requirement must hold for what is sent: ``all`` every member, ``pick`` with
    ``count`` exactly that many, else at least ``min`` (1) and at most ``max``.
    """
    sent = set(chosen)
    if definition.submission_requirements is None:
        return {d.id for d in definition.input_descriptors} <= sent
    members = _group_members(definition)
    return all(_fits(r, members, sent) for r in definition.submission_requirements)


def _fits(
    requirement: SubmissionRequirement, members: Mapping[str, list[str]], sent: set[str]
) -> bool:
    if requirement.from_group is not None:
        results = [member in sent for member in members.get(requirement.from_group, ())]
    else:
        results = [_fits(nested, members, sent) for nested in requirement.from_nested or ()]
    if requirement.rule == "all":
        return all(results)
    picked = sum(results)
    if requirement.count is not None:
        return picked == requirement.count
    low = requirement.min if requirement.min is not None else 1
    return low <= picked and (requirement.max is None or picked <= requirement.max)


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
    rules = rules_for(credential.format)
    if limit == "required" and not rules.selective:
        return None
    if not credential.holder_binding:  # a VP Token holds presentations the holder signs
        return None
    required: list[ClaimPath] = []
    optional: list[ClaimPath] = []
    for entry in descriptor.fields:
        paths = _evaluate(entry, credential)
        if paths is None:
            if entry.optional:
                continue
            return None
        wanted = [p for p in paths if p and not rules.is_bookkeeping(p)]
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
        if not answers(name, credential.format):
            continue
        if credential.alg is not None and any(
            isinstance(algs := params.get(key), list) and algs and credential.alg not in algs
            for key in ("sd-jwt_alg_values", "alg")
        ):
            continue
        return True
    return False


def _unwrapped(
    segments: tuple[Segment, ...], wrapper: str | None, credential: HeldCredential
) -> tuple[Segment, ...]:
    """A path into the signed payload (``$.vc.credentialSubject``, as PE paths for VCDM 1.1
    JWTs are written) rooted at the credential, which is what the wallet holds as claims."""
    if wrapper is None or not segments or segments[0] != wrapper or wrapper in credential.claims:
        return segments
    return segments[1:]


def _evaluate(entry: Field, credential: HeldCredential) -> tuple[ClaimPath, ...] | None:
    """The concrete paths of the values that satisfy the field, or None (PE 2.0 §8)."""
    rules = rules_for(credential.format)
    type_claim = rules.type_claim
    for path in entry.paths:
        segments = _unwrapped(path.segments, rules.payload_wrapper, credential)
        if type_claim is not None and segments == type_claim:
            nodes: tuple[tuple[ClaimPath, Any], ...] = tuple(
                (type_claim, value) for value in credential.types
            )
        elif segments is not path.segments:
            nodes = JsonPath(path.source, segments).evaluate(credential.claims)
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
