"""Open Badges 3.0: the structure a badge must have, beyond its signature.

In the order of the OB 3.0 "Verification and Validation" section and of the 1EdTech
validator's probes (OB3_NOTES.md §3): context order, types, issuer (a ``Profile``),
``credentialSubject`` (an ``AchievementSubject`` with ``id`` or ``identifier``, its
``IdentityObject``, ``Result`` and ``achievement``), the achievement (``criteria`` with ``id``
or ``narrative``, ``Alignment``, ``ResultDescription``), ``Evidence``, ``Image``, embedded
endorsements, and the issuance date. The official 1EdTech JSON schema is the test oracle:
every structural error it reports is a problem here.

What real issuers send and the schema would not have is a warning, not a problem: a VCDM
1.1 badge (``credentials/v1`` with ``issuanceDate``, what the edubadges agent builds), and an
issuer given as a bare DID or URL instead of a ``Profile``. No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
BADGE_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
ENDORSEMENT_TYPE = "EndorsementCredential"
_OB_CONTEXT = re.compile(r"https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json")


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
    v1 = _check_context(document.get("@context"), found)
    types = set(_types(document.get("type")))
    if ENDORSEMENT_TYPE in types and not types & BADGE_TYPES:
        _check_endorsement(document, v1, found)
        return BadgeCheck(tuple(found.problems), tuple(found.warnings))
    _check_types(document, found)
    for name in ("id", "credentialSubject", "issuer"):
        if name not in document:
            found.problem(f"the badge has no {name}")
    issued = "issuanceDate" if v1 else "validFrom"
    if issued not in document:
        found.problem(f"the badge has no {issued}")
    _check_issuer(document.get("issuer"), "issuer", found)
    _check_subject(document.get("credentialSubject"), found)
    for index, evidence in enumerate(_items(document.get("evidence"))):
        _typed(evidence, "Evidence", f"evidence[{index}]", found, plain=False)
    _check_image(document.get("image"), "image", found)
    for index, endorsement in enumerate(_items(document.get("endorsement"))):
        where = f"endorsement[{index}]"
        if not isinstance(endorsement, Mapping) or ENDORSEMENT_TYPE not in _types(
            endorsement.get("type")
        ):
            found.problem(f"{where} is not an EndorsementCredential")
    return BadgeCheck(tuple(found.problems), tuple(found.warnings))


class _Findings:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.warnings: list[str] = []

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def warning(self, text: str) -> None:
        self.warnings.append(text)


def _check_context(context: Any, found: _Findings) -> bool:
    """Whether the badge is VCDM 1.1 shaped (a warning; 2.0 is what OB 3.0 specifies)."""
    listed = context if isinstance(context, list) else []
    if len(listed) < 2 or listed[0] not in (V1, V2):
        found.problem("@context must start with the VC context, then the OB 3.0 context")
        return False
    if not isinstance(listed[1], str) or not _OB_CONTEXT.fullmatch(listed[1]):
        found.problem("the second @context must be the OB 3.0 context")
    if listed[0] == V1:
        found.warning("a VCDM 1.1 badge (credentials/v1): OB 3.0 specifies VCDM 2.0")
        return True
    return False


def _check_types(document: Mapping[str, Any], found: _Findings) -> None:
    types = _types(document.get("type"))
    if not isinstance(document.get("type"), list):
        found.problem("type must be a list")
    if "VerifiableCredential" not in types:
        found.problem("type must contain VerifiableCredential")
    if not BADGE_TYPES & set(types):
        found.problem("type must contain OpenBadgeCredential or AchievementCredential")


def _check_endorsement(document: Mapping[str, Any], v1: bool, found: _Findings) -> None:
    """An EndorsementCredential (OB 3.0 B.1.7): its subject is an ``EndorsementSubject``
    whose ``id`` is what it endorses."""
    if not isinstance(document.get("type"), list):
        found.problem("type must be a list")
    if "VerifiableCredential" not in _types(document.get("type")):
        found.problem("type must contain VerifiableCredential")
    issued = "issuanceDate" if v1 else "validFrom"
    _required(
        document, ("id", "name", "credentialSubject", "issuer", issued), "the endorsement", found
    )
    _check_issuer(document.get("issuer"), "issuer", found)
    subject = document.get("credentialSubject")
    _typed(subject, "EndorsementSubject", "credentialSubject", found, plain=False)
    _required(subject, ("id",), "credentialSubject", found)


def _check_issuer(issuer: Any, where: str, found: _Findings) -> None:
    if issuer is None:
        return
    if isinstance(issuer, str):
        found.warning(f"{where} is a bare identifier, not a Profile")
        return
    if not isinstance(issuer, Mapping):
        found.problem(f"{where} must be a Profile or an identifier")
        return
    if not isinstance(issuer.get("id"), str):
        found.problem(f"{where} has no id")
    _typed(issuer, "Profile", where, found, plain=False)


def _check_subject(subject: Any, found: _Findings) -> None:
    if subject is None:
        return
    if not isinstance(subject, Mapping):
        found.problem("credentialSubject must be an AchievementSubject object")
        return
    _typed(subject, "AchievementSubject", "credentialSubject", found, plain=False)
    identifiers = _items(subject.get("identifier"))
    if "id" not in subject and not identifiers:
        found.problem("credentialSubject needs an id or an identifier")
    for index, identity in enumerate(identifiers):
        where = f"credentialSubject.identifier[{index}]"
        _typed(identity, "IdentityObject", where, found)
        _required(identity, ("hashed", "identityHash", "identityType"), where, found)
    for index, result in enumerate(_items(subject.get("result"))):
        _typed(result, "Result", f"credentialSubject.result[{index}]", found, plain=False)
    achievement = subject.get("achievement")
    if achievement is None:
        found.problem("credentialSubject has no achievement")
    else:
        _check_achievement(achievement, found)


def _check_achievement(achievement: Any, found: _Findings) -> None:
    where = "credentialSubject.achievement"
    if not isinstance(achievement, Mapping):
        found.problem(f"{where} must be an Achievement object")
        return
    _typed(achievement, "Achievement", where, found, plain=False)
    _required(achievement, ("id", "criteria", "description", "name"), where, found)
    criteria = achievement.get("criteria")
    if isinstance(criteria, Mapping):
        if "id" not in criteria and "narrative" not in criteria:
            found.problem(f"{where}.criteria needs an id or a narrative")
    elif criteria is not None:
        found.problem(f"{where}.criteria must be an object")
    for index, alignment in enumerate(_items(achievement.get("alignment"))):
        at = f"{where}.alignment[{index}]"
        _typed(alignment, "Alignment", at, found, plain=False)
        _required(alignment, ("targetName", "targetUrl"), at, found)
    for index, description in enumerate(_items(achievement.get("resultDescription"))):
        at = f"{where}.resultDescription[{index}]"
        _typed(description, "ResultDescription", at, found, plain=False)
        _required(description, ("id", "name", "resultType"), at, found)
    _check_image(achievement.get("image"), f"{where}.image", found)
    _check_issuer(achievement.get("creator"), f"{where}.creator", found)


def _check_image(image: Any, where: str, found: _Findings) -> None:
    if image is None:
        return
    if not isinstance(image, Mapping):
        found.problem(f"{where} must be an Image object")
        return
    _typed(image, "Image", where, found)
    _required(image, ("id",), where, found)


def _typed(value: Any, wanted: str, where: str, found: _Findings, *, plain: bool = True) -> None:
    """``type`` names ``wanted``: the one IRI for ``plain`` classes (IdentityObject,
    Image), else a list that contains it (as the 1EdTech schema has it)."""
    if not isinstance(value, Mapping):
        found.problem(f"{where} must be an object")
        return
    kind = value.get("type")
    ok = kind == wanted if plain else isinstance(kind, list) and wanted in kind
    if not ok:
        shape = "" if plain else "a list with "
        found.problem(f"{where} must have the type {shape}{wanted}")


def _required(value: Any, names: tuple[str, ...], where: str, found: _Findings) -> None:
    if isinstance(value, Mapping):
        for name in names:
            if name not in value:
                found.problem(f"{where} has no {name}")


def _types(value: Any) -> list[str]:
    listed = value if isinstance(value, list) else [value]
    return [item for item in listed if isinstance(item, str)]


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
