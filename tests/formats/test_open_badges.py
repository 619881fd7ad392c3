"""Open Badges 3.0 structure, held against the official 1EdTech JSON schema (the oracle):
every sample it accepts we accept, and every structural error it reports we report."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import SHARED

from wallet_core.formats import open_badges

EDU = SHARED / "samples" / "educredentials"
SCHEMA = EDU / "schemas" / "ob_v3p0_achievementcredential_schema.json"
needs_samples = pytest.mark.skipif(
    not SCHEMA.is_file(), reason="../shared/samples/educredentials is not on this machine"
)


def _samples() -> list[Any]:
    if not EDU.is_dir():
        return []
    found = sorted((EDU / "credentials").glob("*.json"))
    complete = SHARED / "samples" / "02-ob3-1edtech-complete-openbadgecredential.json"
    return [*found, complete]


@functools.cache
def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text()))


def _unproven(document: Any) -> Any:
    if isinstance(document, dict):
        return {k: v for k, v in document.items() if k != "proof"}
    return document


def _schema_errors(document: Any) -> list[str]:
    return [error.message for error in _validator().iter_errors(_unproven(document))]


def _first_schema_error(document: Any) -> str | None:
    error = next(iter(_validator().iter_errors(_unproven(document))), None)
    return None if error is None else str(error.message)


@needs_samples
@pytest.mark.parametrize("path", _samples(), ids=lambda p: p.name)
def test_every_sample_the_schema_accepts_we_accept(path: Any) -> None:
    document = json.loads(path.read_text())
    assert _schema_errors(document) == []
    assert open_badges.is_badge(document)
    assert open_badges.check(document).problems == ()


ODD_TYPES: tuple[Any, ...] = (["Wrong"], "Wrong", 7)
ODD_VALUES: tuple[Any, ...] = (42, "text", [], {})
ODD_LEAVES: tuple[Any, ...] = (42, "odd")  # wrong kind for text, or a word of no vocabulary
GONE = object()  # an edit that removes the member
Path_ = tuple[str | int, ...]


def _places(value: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every object and array in the document, nested ones and those in arrays too, with
    its JSON path (the badge's own ``proof``, which the oracle leaves out, excepted)."""
    if not isinstance(value, dict | list):
        return
    yield path, value
    for step, inner in value.items() if isinstance(value, dict) else enumerate(value):
        if path or step != "proof":
            yield from _places(inner, (*path, step))


def _edits(document: dict[str, Any]) -> Iterator[tuple[Path_, Any]]:
    """(a) each member of each object removed, (b) each ``type`` made odd, (c) each object
    and array (the document excepted) replaced by an odd value, (d) each array element
    replaced by an odd value, (e) each text, number and boolean member given a value of
    another kind or outside its vocabulary: an edit is the path and its new value (or
    ``GONE``)."""
    for path, target in _places(document):
        if isinstance(target, dict):
            yield from (((*path, key), GONE) for key in target)
            for key, leaf in target.items():
                if not isinstance(leaf, dict | list):
                    yield from (((*path, key), odd) for odd in ODD_LEAVES if odd != leaf)
            if "type" in target:
                yield from (((*path, "type"), odd) for odd in ODD_TYPES)
        else:
            yield from (((*path, i), odd) for i in range(len(target)) for odd in ODD_VALUES)
        if path:
            yield from ((path, odd) for odd in ODD_VALUES if odd != target)


def _edited(value: Any, path: Path_, new: Any) -> Any:
    """``value`` with the edit made, sharing what it does not change."""
    step, rest = path[0], path[1:]
    copied: Any = dict(value) if isinstance(value, dict) else list(value)
    if rest:
        copied[step] = _edited(value[step], rest, new)
    elif new is GONE:
        del copied[step]
    else:
        copied[step] = new
    return copied


def _mutations(document: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    seen: set[tuple[Path_, str]] = set()
    for path, new in _edits(document):
        key = (path, "GONE" if new is GONE else json.dumps(new))
        if key not in seen:  # (c) and (d) meet at array elements
            seen.add(key)
            where = "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in path)
            label = f"without {where}" if new is GONE else f"{where} = {new!r}"
            yield label, _edited(document, path, new)
    context = document["@context"]
    yield "context v2 only", {**document, "@context": context[:1]}
    yield "contexts swapped", {**document, "@context": [context[1], context[0], *context[2:]]}


@needs_samples
@pytest.mark.parametrize("path", _samples(), ids=lambda p: p.name)
def test_every_structural_error_the_schema_reports_we_report(path: Any) -> None:
    document = json.loads(path.read_text())
    missed = []
    for label, mutated in _mutations(document):
        error = _first_schema_error(mutated)
        if error and not open_badges.check(mutated).problems:
            missed.append(f"{label}: {error}")
    assert missed == []


def test_what_edubadges_sends_is_accepted_with_warnings() -> None:
    # VCDM 1.1 with the OB 3.0.2 context and the issuer as a DID string (OB3_NOTES.md §1)
    badge = {
        "@context": [open_badges.V1, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"],
        "id": "http://example.com/credentials/3527",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": "did:jwk:eyJrdHkiOiJFQyJ9",
        "issuanceDate": "2026-09-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:jwk:holder",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://edubadges.nl/badge/1",
                "type": ["Achievement"],
                "name": "Circulair ontwerpen",
                "description": "5 EC",
                "criteria": {"narrative": "Passed."},
            },
        },
    }
    checked = open_badges.check(badge)
    assert checked.ok and len(checked.warnings) == 2


def test_a_subject_without_id_or_identifier_and_criteria_without_either_are_problems() -> None:
    badge = _with_achievement(criteria={})
    del badge["credentialSubject"]["id"]
    problems = open_badges.check(badge).problems
    assert "credentialSubject needs an id or an identifier" in problems
    assert "credentialSubject.achievement.criteria needs an id or a narrative" in problems
    assert not open_badges.is_badge({"type": ["VerifiableCredential"]})


def _with_achievement(**members: Any) -> dict[str, Any]:
    achievement = {
        "id": "a",
        "type": ["Achievement"],
        "name": "n",
        "description": "d",
        "criteria": {"narrative": "Passed."},
        **members,
    }
    return {
        "@context": [open_badges.V2, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://issuer.example", "type": ["Profile"]},
        "validFrom": "2026-09-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:1",
            "type": ["AchievementSubject"],
            "achievement": achievement,
        },
    }


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        ({"name": 5}, "credentialSubject.achievement.name must be text"),
        (
            {"creditsAvailable": "5"},
            "credentialSubject.achievement.creditsAvailable must be a number",
        ),
        (
            {"creditsAvailable": True},
            "credentialSubject.achievement.creditsAvailable must be a number",
        ),
        (
            {"achievementType": "Microcredential"},
            "credentialSubject.achievement.achievementType must be a term of the OB 3.0"
            " AchievementType vocabulary",
        ),
    ],
)
def test_text_numbers_and_vocabulary_terms_are_checked(members: Any, problem: str) -> None:
    assert open_badges.check(_with_achievement(**members)).problems == (problem,)


def test_a_vocabulary_may_be_extended_with_an_ext_term() -> None:
    badge = _with_achievement(achievementType="ext:Minor", creditsAvailable=5.5)
    assert open_badges.check(badge).ok
