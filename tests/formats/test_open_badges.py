"""Open Badges 3.0 structure, held against the official 1EdTech JSON schema (the oracle):
every sample it accepts we accept, and every structural error it reports we report."""

from __future__ import annotations

import copy
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


def _schema_errors(document: Any) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text()))
    unproven = (
        {k: v for k, v in document.items() if k != "proof"}
        if isinstance(document, dict)
        else document
    )
    return [error.message for error in validator.iter_errors(unproven)]


@needs_samples
@pytest.mark.parametrize("path", _samples(), ids=lambda p: p.name)
def test_every_sample_the_schema_accepts_we_accept(path: Any) -> None:
    document = json.loads(path.read_text())
    assert _schema_errors(document) == []
    assert open_badges.is_badge(document)
    assert open_badges.check(document).problems == ()


def _mutations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    places = {
        "": [],
        "credentialSubject": ["credentialSubject"],
        "achievement": ["credentialSubject", "achievement"],
        "criteria": ["credentialSubject", "achievement", "criteria"],
        "issuer": ["issuer"],
    }
    for label, path in places.items():
        target: Any = document
        for step in path:
            target = target.get(step) if isinstance(target, dict) else None
        if not isinstance(target, dict):
            continue
        for key in list(target):
            yield f"{label} without {key}", _changed(document, path, lambda t, k=key: t.pop(k))
        if "type" in target:
            for odd in (["Wrong"], "Wrong", 7):
                yield (
                    f"{label} type {odd!r}",
                    _changed(document, path, lambda t, o=odd: t.update(type=o)),
                )
        if path:
            for odd in (42, "text", []):
                yield (
                    f"{label} is {odd!r}",
                    _changed(document, path[:-1], lambda t, o=odd, k=path[-1]: t.update({k: o})),
                )
    context = document["@context"]
    yield "context v2 only", {**document, "@context": context[:1]}
    yield "contexts swapped", {**document, "@context": [context[1], context[0], *context[2:]]}


def _changed(document: dict[str, Any], path: list[str], change: Any) -> dict[str, Any]:
    copied = copy.deepcopy(document)
    target: Any = copied
    for step in path:
        target = target[step]
    change(target)
    return copied


@needs_samples
@pytest.mark.parametrize("path", _samples()[::8], ids=lambda p: p.name)
def test_every_structural_error_the_schema_reports_we_report(path: Any) -> None:
    document = json.loads(path.read_text())
    missed = [
        label
        for label, mutated in _mutations(document)
        if _schema_errors(mutated) and not open_badges.check(mutated).problems
    ]
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
    badge = {
        "@context": [open_badges.V2, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://issuer.example", "type": ["Profile"]},
        "validFrom": "2026-09-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "a",
                "type": ["Achievement"],
                "name": "n",
                "description": "d",
                "criteria": {},
            },
        },
    }
    problems = open_badges.check(badge).problems
    assert "credentialSubject needs an id or an identifier" in problems
    assert "credentialSubject.achievement.criteria needs an id or a narrative" in problems
    assert not open_badges.is_badge({"type": ["VerifiableCredential"]})
