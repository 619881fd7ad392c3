"""An Open Badges 3.0 credential as a person reads it: the facts of the badge.

:func:`badge_facts` takes the credential document the vault keeps (``StoredCredential.claims``
of a ``jwt_vc_json`` or ``ldp_vc`` credential: for a VC-JWT the ``vc`` object with the JWT's
``iss``/``sub``/``nbf``/``exp`` mapped in) and answers what the screens show:

- OB 3.0 itself: the achievement's name (``credentialSubject.achievement.name`` before the
  VC's own ``name``: LCW #692 shows why), type, description and criteria (Markdown), image,
  the issuer's ``Profile`` (name, ``otherIdentifier``, url, email, country), the validity
  period (VCDM 2.0 ``validFrom``/``validUntil``, VCDM 1.1 ``issuanceDate``/
  ``expirationDate``, a JWT's ``nbf``/``exp``), results matched to their
  ``ResultDescription`` by id, and embedded endorsements;
- the Dutch educredential extension (OB3_NOTES.md §1.4): workload (``ECTS``, ``SBU``,
  ``timeInvestment`` in hours), EQF level and quality assurance as ``alignment`` entries
  (``targetType`` ``ext:EQF`` / ``ext:QualityAssurance``), ``participationType``,
  ``assessmentType``, ``supervisionType``, ``identityChecked``, ``inLanguage`` and
  ``educationProgramIdentifier``. Learning outcomes have no field of their own there (the
  samples state them in the criteria narrative); ``learningOutcome(s)`` members and
  ``ext:LearningOutcome`` alignments are read when an issuer sends them.

Everything else goes to :attr:`BadgeFacts.details`, leaf by leaf, without the credential's
technical members (contexts, types, proofs, schemas, status, identifiers).

The document was verified when it arrived, but its shape beyond the OB 3.0 structure check
is the issuer's. So this module is tolerant: a member that is missing or of the wrong type is
skipped, nothing raises, and no display value is raw JSON or an IRI: an enumerated value
given as an IRI (``ext:BRIN``, ``https://…#participation-type-online``) becomes a
:class:`BadgeTerm`, a code the UI translates plus its last segment in words. Embedded
endorsements are checked when the credential arrives (:mod:`~wallet_core.formats.endorsements`),
and shown with that outcome. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from wallet_core.formats import endorsements
from wallet_core.formats.badge_values import (
    MAX_TEXT,
    BadgeEndorsement,
    BadgeFacts,
    BadgeGrade,
    BadgeIdentifier,
    BadgeQualityAssurance,
    BadgeTerm,
    BadgeWorkload,
    Path,
    badge_term,
    details_of,
    entries,
    https_url,
    image_source,
    number_of,
    plain_text,
    text_of,
    time_of,
)
from wallet_core.formats.open_badges import is_badge
from wallet_core.formats.open_badges_v2 import as_badge_view, is_hosted_assertion
from wallet_core.formats.w3c_vc import OPEN_ENDED

_WORKLOAD = (("ECTS", "ects"), ("SBU", "sbu"), ("timeInvestment", "hours"))
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}")
_CODE = re.compile(r"[\w.-]{1,40}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def badge_facts(document: Any, endorsement_checks: Any = None) -> BadgeFacts | None:
    """The facts of an Open Badge, or None when ``document`` is not one. Never raises.
    ``endorsement_checks``: what the wallet found of its endorsements when it arrived
    (``StoredCredential.display["endorsements"]``); without them none counts as checked."""
    if is_hosted_assertion(document):
        document = as_badge_view(document)  # an OB 2.0 badge, read as OB 3.0 names it
    if not isinstance(document, Mapping) or not is_badge(document):
        return None
    reader = _Reader(document)
    subject_at = _first_mapping_at(reader, ("credentialSubject",))
    achievement_at = (*subject_at, "achievement") if subject_at else None
    facts: dict[str, Any] = {}
    facts.update(_achievement(reader, achievement_at))
    facts.update(_issuer(reader))
    facts.update(_validity(reader))
    if achievement_at is not None:
        facts.update(_alignments(reader, achievement_at))
        facts["grades"] = _grades(reader, subject_at, achievement_at)
    facts["endorsements"] = _endorsements(reader, endorsement_checks)
    _hide_hashed_identities(reader, subject_at)
    facts["details"] = details_of(document, reader.used)
    return BadgeFacts(**facts)


# -- reading ---------------------------------------------------------------------------------


class _Reader:
    """Reads members by path and remembers which ones the facts used."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.used: set[Path] = set()

    def peek(self, path: Path) -> Any:
        node: Any = self.document
        for key in path:
            if isinstance(key, str) and isinstance(node, Mapping):
                node = node.get(key)
            elif isinstance(key, int) and isinstance(node, list) and 0 <= key < len(node):
                node = node[key]
            else:
                return None
        return node

    def take(self, path: Path) -> Any:
        """The member at ``path``, now counted as shown (so not repeated in the details)."""
        value = self.peek(path)
        if value is not None:
            self.used.add(path)
        return value


def _at(path: Path, index: int | None) -> Path:
    return path if index is None else (*path, index)


def _first_mapping_at(reader: _Reader, path: Path) -> Path | None:
    for index, entry in entries(reader.peek(path)):
        if isinstance(entry, Mapping):
            return _at(path, index)
    return None


# -- the parts ------------------------------------------------------------------------------


def _achievement(reader: _Reader, at: Path | None) -> dict[str, Any]:
    achievement: Path = at if at is not None and isinstance(reader.peek(at), Mapping) else ()
    if achievement:
        reader.used.update({(*achievement, "id"), (*achievement, "type")})
    name = text_of(reader.take((*achievement, "name"))) if achievement else None
    if name is None or reader.peek(("name",)) == name:
        name = name or text_of(reader.take(("name",)))
        reader.used.add(("name",))
    criteria_at = (*achievement, "criteria")
    out: dict[str, Any] = {"name": name}
    if achievement:
        out.update(
            achievement_type=badge_term(reader.take((*achievement, "achievementType"))),
            description=text_of(reader.take((*achievement, "description")), MAX_TEXT),
            criteria=text_of(reader.take((*criteria_at, "narrative")), MAX_TEXT),
            criteria_url=https_url(reader.take((*criteria_at, "id"))),
            image=image_source(reader.take((*achievement, "image"))),
            language=_language(reader.take((*achievement, "inLanguage"))),
            education_program=_program(reader.take((*achievement, "educationProgramIdentifier"))),
            participation=_enum(reader, achievement, "participationType", "participation-type-"),
            assessment=_enum(reader, achievement, "assessmentType", "assessment-type-"),
            supervision=_enum(reader, achievement, "supervisionType", "supervision-type-"),
            learning_outcomes=_outcomes(reader, achievement),
            workload=_workload(reader, achievement),
        )
        checked = reader.take((*achievement, "identityChecked"))
        out["identity_checked"] = checked if isinstance(checked, bool) else None
    # The VC's own description and image stand in for the achievement's, or repeat them.
    for member, read in (("description", _long_text), ("image", image_source)):
        if out.get(member) is None:
            out[member] = read(reader.take((member,)))
        elif read(reader.peek((member,))) == out[member]:
            reader.used.add((member,))
    return out


def _enum(reader: _Reader, achievement: Path, member: str, scheme: str) -> BadgeTerm | None:
    return badge_term(reader.take((*achievement, member)), scheme)


def _long_text(value: Any) -> str | None:
    return text_of(value, MAX_TEXT)


def _language(value: Any) -> str | None:
    text = text_of(value, 40)
    return text if text is not None and _LANGUAGE.fullmatch(text) else None


def _program(value: Any) -> str | None:
    """ISAT/CREBO code: a number or a string (a list in OB 2.0 exports: its first entry)."""
    first = plain_text(next((entry for _, entry in entries(value)), None))
    return first if first is not None and _CODE.fullmatch(first) else None


def _workload(reader: _Reader, achievement: Path) -> tuple[BadgeWorkload, ...]:
    found = []
    for member, unit in _WORKLOAD:
        amount = number_of(reader.take((*achievement, member)))
        if amount is not None:
            found.append(BadgeWorkload(amount, unit))
    if not any(w.unit == "ects" for w in found):
        # OB 3.0's own member (what an issuer uses without the educredential extension)
        credits = number_of(reader.take((*achievement, "creditsAvailable")))
        if credits is not None:
            found.insert(0, BadgeWorkload(credits, "credits"))
    return tuple(found)


def _outcomes(reader: _Reader, achievement: Path) -> tuple[str, ...]:
    outcomes: list[str] = []
    for member in ("learningOutcome", "learningOutcomes"):
        for _, entry in entries(reader.take((*achievement, member))):
            text = text_of(entry, MAX_TEXT)
            if text is not None:
                outcomes.append(text)
    return tuple(outcomes)


def _alignments(reader: _Reader, achievement: Path) -> dict[str, Any]:
    """EQF level, quality assurance and learning outcomes given as ``alignment`` entries;
    the other alignments (competency frameworks, ...) stay for the details."""
    path = (*achievement, "alignment")
    eqf: str | None = None
    assurance: list[BadgeQualityAssurance] = []
    outcomes: list[str] = []
    for index, entry in entries(reader.peek(path)):
        if not isinstance(entry, Mapping):
            continue
        kind = badge_term(entry.get("targetType"))
        # edubadges names them ext:{framework}Alignment, the educredentials ext:{framework}
        code = kind.code.removesuffix("alignment") if kind else ""
        if code == "eqf" and eqf is None:
            eqf = _eqf_level(entry)
        elif code == "qualityassurance":
            assurance.append(_assurance(entry))
        elif code == "learningoutcome" and text_of(entry.get("targetName"), MAX_TEXT):
            outcomes.append(str(text_of(entry.get("targetName"), MAX_TEXT)))
        else:
            continue
        reader.used.add(_at(path, index))
    out: dict[str, Any] = {"eqf_level": eqf, "quality_assurance": tuple(assurance)}
    if outcomes:
        out["learning_outcomes"] = (*_outcomes(reader, achievement), *outcomes)
    return out


def _eqf_level(entry: Mapping[str, Any]) -> str | None:
    for value in (entry.get("targetCode"), entry.get("targetName")):
        text = plain_text(value)
        digits = re.findall(r"\b[1-8]\b", text) if text else []
        if len(digits) == 1:
            return str(digits[0])
    return None


def _assurance(entry: Mapping[str, Any]) -> BadgeQualityAssurance:
    return BadgeQualityAssurance(
        name=text_of(entry.get("targetName")),
        description=text_of(entry.get("targetDescription"), MAX_TEXT),
        code=plain_text(entry.get("targetCode")),
        url=https_url(entry.get("targetUrl")),
    )


def _issuer(reader: _Reader) -> dict[str, Any]:
    issuer = reader.peek(("issuer",))
    reader.used.add(("issuer", "id"))
    if not isinstance(issuer, Mapping):
        reader.used.add(("issuer",))  # a bare DID or URL: shown as the issuer's address
        return {}
    country = None
    for member in ("addressCountry", "addressCountryCode"):
        country = country or plain_text(reader.take(("issuer", "address", member)))
    identifiers = []
    for index, entry in entries(reader.peek(("issuer", "otherIdentifier"))):
        kind = badge_term(entry.get("identifierType")) if isinstance(entry, Mapping) else None
        value = plain_text(entry.get("identifier")) if isinstance(entry, Mapping) else None
        if kind is not None and value is not None:
            identifiers.append(BadgeIdentifier(kind, value))
            reader.used.add(_at(("issuer", "otherIdentifier"), index))
    email = text_of(reader.take(("issuer", "email")))
    return {
        "issuer_name": text_of(reader.take(("issuer", "name"))),
        "issuer_identifiers": tuple(identifiers),
        "issuer_url": https_url(reader.take(("issuer", "url"))),
        "issuer_email": email if email and _EMAIL.fullmatch(email) else None,
        "issuer_country": country,
    }


def _validity(reader: _Reader) -> dict[str, Any]:
    """VCDM 2.0 names first, then VCDM 1.1, then the JWT's own claims."""
    valid_from = valid_until = None
    for member in ("validFrom", "issuanceDate", "nbf", "iat"):
        valid_from = valid_from or time_of(reader.take((member,)))
    for member in ("validUntil", "expirationDate", "exp"):
        valid_until = valid_until or time_of(reader.take((member,)))
    if valid_until is not None and valid_until.timestamp() >= OPEN_ENDED:
        valid_until = None  # edubadges' "never"
    return {"valid_from": valid_from, "valid_until": valid_until}


def _grades(reader: _Reader, subject: Path | None, achievement: Path) -> tuple[BadgeGrade, ...]:
    """Each ``Result`` with its ``ResultDescription`` (matched by id); a result whose
    description is missing still shows its value."""
    described = (*achievement, "resultDescription")
    descriptions: dict[str, tuple[Path, Mapping[str, Any]]] = {}
    for index, entry in entries(reader.peek(described)):
        if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
            descriptions.setdefault(entry["id"], (_at(described, index), entry))
    grades = []
    results = (*subject, "result") if subject else ("credentialSubject", "result")
    for index, result in entries(reader.peek(results)):
        if not isinstance(result, Mapping):
            continue
        key = result.get("resultDescription")
        found = descriptions.get(key) if isinstance(key, str) else None
        grade = _grade(result, found[1] if found else {})
        if grade is not None:
            grades.append(grade)
            reader.used.add(_at(results, index))
            if found:
                reader.used.add(found[0])
    return tuple(grades)


def _grade(result: Mapping[str, Any], description: Mapping[str, Any]) -> BadgeGrade | None:
    value = plain_text(result.get("value"))
    if value is None and isinstance(result.get("achievedLevel"), str):
        levels = description.get("rubricCriterionLevel")
        for _, level in entries(levels):
            if isinstance(level, Mapping) and level.get("id") == result["achievedLevel"]:
                value = text_of(level.get("name")) or text_of(level.get("level"))
    if value is None:
        status = badge_term(result.get("status"))
        value = status.text if status else None
    if value is None:
        return None
    return BadgeGrade(
        value=value,
        name=text_of(description.get("name")),
        kind=badge_term(description.get("resultType")),
        minimum=plain_text(description.get("valueMin")),
        maximum=plain_text(description.get("valueMax")),
        required=plain_text(description.get("requiredValue")),
    )


def _endorsements(reader: _Reader, checks: Any) -> tuple[BadgeEndorsement, ...]:
    checked = endorsements.outcomes(checks)
    found = []
    for endorsement in endorsements.embedded(reader.document):
        entry = endorsement.entry
        issuer = entry.get("issuer")
        subject = entry.get("credentialSubject")
        found.append(
            BadgeEndorsement(
                about=endorsement.about,
                endorser=text_of(issuer.get("name")) if isinstance(issuer, Mapping) else None,
                name=text_of(entry.get("name")),
                comment=text_of(subject.get("endorsementComment"), MAX_TEXT)
                if isinstance(subject, Mapping)
                else None,
                outcome=checked.get(endorsement.path, "unchecked"),
            )
        )
        reader.used.add(endorsement.path)
    return tuple(found)


def _hide_hashed_identities(reader: _Reader, subject: Path | None) -> None:
    """A hashed recipient identity (``sha256$…`` of an email address) says nothing to a
    person; one sent in the clear stays for the details."""
    path = (*subject, "identifier") if subject else ("credentialSubject", "identifier")
    for index, entry in entries(reader.peek(path)):
        if isinstance(entry, Mapping) and entry.get("hashed") is not False:
            reader.used.add(_at(path, index))
