"""Open Badges 3.0: the structure a badge must have, beyond its signature.

In the order of the OB 3.0 "Verification and Validation" section and of the 1EdTech
validator's probes (OB3_NOTES.md §3): context order, types, then every object the 1EdTech
JSON schema describes, however deep (``CLASSES``): the issuer (a ``Profile``, with its
address, identifiers, parent and endorsements), ``credentialSubject`` (an
``AchievementSubject`` with ``id`` or ``identifier``, its ``IdentityObject``, ``Result``
and ``achievement``), the achievement (``criteria`` with ``id`` or ``narrative``,
``Alignment``, ``ResultDescription``, ``RubricCriterionLevel``, creator), ``Evidence``,
``Image``, ``credentialSchema``/``credentialStatus``/``refreshService``/``termsOfUse``,
embedded endorsements, and the issuance date. Each object gets its type, its required
members and the shape of each member the schema constrains: objects, lists, text, numbers,
booleans and the closed vocabularies (the table in ``open_badges_schema``). The official
schema is the test oracle: every structural error it reports is a problem here.

What real issuers send and the schema would not have is a warning, not a problem: a VCDM
1.1 badge (``credentials/v1`` with ``issuanceDate``, what the edubadges agent builds), and an
issuer given as a bare DID or URL instead of a ``Profile``. An embedded endorsement's
``proof`` may be one object, as VC Data Integrity allows (the schema wants a list); the
badge's own proof is left to its verification. No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wallet_core.formats.open_badges_schema import CLASSES, LEAVES, VOCABULARIES, is_term

V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
BADGE_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
ENDORSEMENT_TYPE = "EndorsementCredential"
_OB_CONTEXT = re.compile(r"https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json")
_JWS = re.compile(r"[a-zA-Z0-9_-]+\.[a-zA-Z0-9_-]*\.[a-zA-Z0-9_-]+")


@dataclass(frozen=True)
class BadgeCheck:
    problems: tuple[str, ...] = ()  # structural errors: the badge is not a valid OB 3.0
    warnings: tuple[str, ...] = ()  # accepted deviations worth recording

    @property
    def ok(self) -> bool:
        return not self.problems


def is_badge(document: Mapping[str, Any]) -> bool:
    """Whether the credential says it is an Open Badge (or an endorsement of one)."""
    types = set(_types(document.get("type")))
    return bool(types & (BADGE_TYPES | {ENDORSEMENT_TYPE}))


def check(document: Mapping[str, Any]) -> BadgeCheck:
    """The structural problems and accepted deviations of an Open Badges 3.0 credential."""
    found = _Findings()
    types = set(_types(document.get("type")))
    if ENDORSEMENT_TYPE in types and not types & BADGE_TYPES:
        _check_endorsement(document, "", found)
        return BadgeCheck(tuple(found.problems), tuple(found.warnings))
    v1 = _check_context(document.get("@context"), "", found)
    _check_types(document.get("type"), "", ("VerifiableCredential", *BADGE_TYPES), found)
    issued = "issuanceDate" if v1 else "validFrom"
    for name in ("id", "credentialSubject", "issuer", issued):
        if name not in document:
            found.problem(f"the badge has no {name}")
    _members(document, "AchievementCredential", "", found)
    return BadgeCheck(tuple(found.problems), tuple(found.warnings))


class _Findings:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.warnings: list[str] = []

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def warning(self, text: str) -> None:
        self.warnings.append(text)


def _check_context(context: Any, where: str, found: _Findings) -> bool:
    """Whether the credential is VCDM 1.1 shaped (a warning; 2.0 is what OB 3.0 specifies)."""
    at = _at(where, "@context")
    listed = context if isinstance(context, list) else []
    if len(listed) < 2 or listed[0] not in (V1, V2):
        found.problem(f"{at} must start with the VC context, then the OB 3.0 context")
        return False
    if not isinstance(listed[1], str) or not _OB_CONTEXT.fullmatch(listed[1]):
        found.problem(f"the second {at} must be the OB 3.0 context")
    for index, item in enumerate(listed[2:], 2):
        if not isinstance(item, str | Mapping):
            found.problem(f"{at}[{index}] must be a URL or an object")
    if listed[0] == V1:
        found.warning("a VCDM 1.1 badge (credentials/v1): OB 3.0 specifies VCDM 2.0")
        return True
    return False


def _check_types(kind: Any, where: str, wanted: tuple[str, ...], found: _Findings) -> None:
    """A credential's ``type``: a list with VerifiableCredential and one of ``wanted[1:]``."""
    at = _at(where, "type")
    types = _types(kind)
    if not isinstance(kind, list) or len(types) != len(kind):
        found.problem(f"{at} must be a list of text")
    if wanted[0] not in types:
        found.problem(f"{at} must contain {wanted[0]}")
    if not set(wanted[1:]) & set(types):
        found.problem(f"{at} must contain {' or '.join(sorted(wanted[1:]))}")


def _check_endorsement(document: Any, where: str, found: _Findings) -> None:
    """An EndorsementCredential (OB 3.0 B.1.7): its subject is an ``EndorsementSubject``
    whose ``id`` is what it endorses; embedded in a badge, achievement or profile too."""
    if not isinstance(document, Mapping):
        found.problem(f"{where} must be an EndorsementCredential object")
        return
    v1 = _check_context(document.get("@context"), where, found)
    _check_types(document.get("type"), where, ("VerifiableCredential", ENDORSEMENT_TYPE), found)
    issued = "issuanceDate" if v1 else "validFrom"
    names = ("id", "name", "credentialSubject", "issuer", issued)
    _required(document, names, where or "the endorsement", found)
    _members(document, "EndorsementCredential", where, found)


def _check_issuer(issuer: Any, where: str, found: _Findings) -> None:
    """A ``ProfileRef``: a ``Profile``, or (a warning) only its identifier."""
    if isinstance(issuer, str):
        found.warning(f"{where} is a bare identifier, not a Profile")
    elif isinstance(issuer, Mapping):
        _check(issuer, "Profile", where, found)
    else:
        found.problem(f"{where} must be a Profile or an identifier")


def _check(value: Any, name: str, where: str, found: _Findings) -> None:
    """``value`` is an object of the schema class ``name``, and so are its members."""
    if not isinstance(value, Mapping):
        found.problem(f"{where} must be {'an' if name[0] in 'AEIOU' else 'a'} {name} object")
        return
    kind, required, _ = CLASSES[name]
    if kind:
        _typed(value, name, kind, where, found)
    _required(value, required, where, found)
    if name == "AchievementSubject" and "id" not in value and not value.get("identifier"):
        found.problem(f"{where} needs an id or an identifier")
    if name == "Criteria" and "id" not in value and "narrative" not in value:
        found.problem(f"{where} needs an id or a narrative")
    _members(value, name, where, found)


def _members(value: Mapping[str, Any], name: str, where: str, found: _Findings) -> None:
    for member, shape in CLASSES[name][2].items():
        if member in value and not (member == "proof" and not where):  # the proof's own check
            _shaped(value[member], shape, _at(where, member), found)


def _shaped(value: Any, shape: str, where: str, found: _Findings) -> None:
    if shape.startswith("["):
        if not isinstance(value, list):
            found.problem(f"{where} must be a list")
            return
        for index, item in enumerate(value):
            _shaped(item, shape[1:-1], f"{where}[{index}]", found)
    elif shape in LEAVES or shape in VOCABULARIES:
        _leaf(value, shape, where, found)
    elif shape == "jws":
        if not isinstance(value, str) or not _JWS.fullmatch(value):
            found.problem(f"{where} must be a compact JWS")
    elif shape.endswith("+"):
        _one_or_more(value, shape[:-1], where, found)
    elif shape == "ProfileRef":
        _check_issuer(value, where, found)
    elif shape == ENDORSEMENT_TYPE:
        _check_endorsement(value, where, found)
    else:
        _check(value, shape, where, found)


def _leaf(value: Any, shape: str, where: str, found: _Findings) -> None:
    if shape in VOCABULARIES:
        if not is_term(shape, value):
            found.problem(f"{where} must be a term of the OB 3.0 {shape} vocabulary")
        return
    kind, said = LEAVES[shape]
    if not isinstance(value, kind) or (shape == "number" and isinstance(value, bool)):
        found.problem(f"{where} must be {said}")


def _one_or_more(value: Any, one: str, where: str, found: _Findings) -> None:
    if isinstance(value, list) and not value:
        found.problem(f"{where} must not be empty")
    else:
        _shaped(value, one if isinstance(value, Mapping) else f"[{one}]", where, found)


def _typed(value: Mapping[str, Any], wanted: str, kind: str, where: str, found: _Findings) -> None:
    """``type`` names ``wanted``: the one IRI for ``plain`` classes (IdentityObject, Image),
    any IRI for ``text`` ones (credentialStatus, ...), else a list of IRIs with it."""
    given = value.get("type")
    if kind == "text":
        if not isinstance(given, str):
            found.problem(f"{where} must have a type (an IRI)")
    elif kind == "plain":
        if given != wanted:
            found.problem(f"{where} must have the type {wanted}")
    elif not isinstance(given, list) or wanted not in given:
        found.problem(f"{where} must have the type a list with {wanted}")
    elif not all(isinstance(item, str) for item in given):
        found.problem(f"{where}.type must be a list of text")


def _required(value: Any, names: tuple[str, ...], where: str, found: _Findings) -> None:
    if isinstance(value, Mapping):
        for name in names:
            if name not in value:
                found.problem(f"{where} has no {name}")


def _at(where: str, member: str) -> str:
    return f"{where}.{member}" if where else member


def _types(value: Any) -> list[str]:
    listed = value if isinstance(value, list) else [value]
    return [item for item in listed if isinstance(item, str)]
