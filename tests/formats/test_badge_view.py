"""The facts of an Open Badge as a person reads them (wallet_core.formats.badge_view): the
educredentials samples and the 1EdTech OB 3.0 samples, the edubadges agent's VCDM 1.1 shape,
and hostile shapes (random values at every member must not raise)."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import SHARED, ob3_badge
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wallet_core.formats.badge_values import BadgeFacts, badge_term, pretty_name
from wallet_core.formats.badge_view import badge_facts

SAMPLES = SHARED / "samples"
EDU = SAMPLES / "educredentials" / "credentials"
needs_samples = pytest.mark.skipif(
    not EDU.is_dir(), reason="../shared/samples/educredentials is not on this machine"
)
OB3_SAMPLES = (
    "01-ob3-1edtech-signed-eddsa-rdfc-2022.json",
    "02-ob3-1edtech-complete-openbadgecredential.json",
    "03-ob3-1edtech-endorsementcredential.json",
)
# Values that are links by nature; every other text must read as words, not as an IRI.
LINKS = frozenset({"image", "criteria_url", "issuer_url", "url"})
IRI = re.compile(r"^(https?://|ext:|urn:|did:)|^[a-z]+:[A-Za-z]")


def _samples() -> list[Path]:
    if not EDU.is_dir():
        return []
    return [*sorted(EDU.glob("*.json")), *(SAMPLES / name for name in OB3_SAMPLES)]


def _load(name: str) -> dict[str, Any]:
    path = EDU / name if (EDU / name).is_file() else SAMPLES / name
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def _shown_texts(value: Any, name: str = "") -> Iterator[tuple[str, str]]:
    """(field, text) of every string a screen would show, dataclasses walked through."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.name not in LINKS and f.name != "details":
                yield from _shown_texts(getattr(value, f.name), f.name)
    elif isinstance(value, tuple):
        for item in value:
            yield from _shown_texts(item, name)
    elif isinstance(value, str):
        yield name, value


def _facts(document: Any) -> BadgeFacts:
    facts = badge_facts(document)
    assert facts is not None
    return facts


@needs_samples
@pytest.mark.parametrize("path", _samples(), ids=lambda p: p.name)
def test_every_sample_reads_as_words(path: Path) -> None:
    document = json.loads(path.read_text())
    facts = _facts(document)
    assert facts.name
    for name, text in _shown_texts(facts):
        assert not IRI.search(text), f"{name} shows {text!r}"
        assert "{" not in text and "[" not in text, f"{name} shows raw JSON {text!r}"
    for detail in facts.details:
        assert isinstance(detail.value, str | bool | int | float)
        assert not any(k in ("@context", "proof", "type", "credentialSchema") for k in detail.keys)
        if isinstance(detail.value, str):
            assert not detail.value.startswith(("data:", "ext:", "urn:", "did:", "sha256$"))
    if facts.image is not None:
        assert facts.image.startswith(("data:image/", "https://"))
    if "issuer" in document and isinstance(document["issuer"], dict):
        assert facts.issuer_name == document["issuer"]["name"].strip()


@needs_samples
@pytest.mark.parametrize("path", [p for p in _samples() if p.parent == EDU], ids=lambda p: p.name)
def test_the_educredential_facts_are_all_there(path: Path) -> None:
    document = json.loads(path.read_text())
    facts = _facts(document)
    achievement = document["credentialSubject"]["achievement"]
    assert facts.name == achievement["name"]
    assert facts.description == (achievement["description"].strip() or None)
    assert facts.criteria == (achievement["criteria"]["narrative"].strip() or None)
    assert facts.valid_from is not None
    brins = [
        i["identifier"]
        for i in document["issuer"].get("otherIdentifier", [])
        if i["identifierType"] == "ext:BRIN"
    ]
    assert facts.brin == (brins[0] if brins else None)
    units = {w.unit for w in facts.workload}
    for member, unit in (("ECTS", "ects"), ("SBU", "sbu"), ("timeInvestment", "hours")):
        assert (member in achievement) == (unit in units)
    targets = {a["targetType"] for a in achievement.get("alignment", [])}
    assert (facts.eqf_level is not None) == ("ext:EQF" in targets)
    assert bool(facts.quality_assurance) == ("ext:QualityAssurance" in targets)
    if "participationType" in achievement:
        assert facts.participation is not None
        assert facts.participation.text.lower() == achievement["participationType"]
    if "identityChecked" in achievement:
        assert facts.identity_checked is achievement["identityChecked"]
    values = [r["value"] for r in document["credentialSubject"].get("result", []) if "value" in r]
    assert [g.value for g in facts.grades][: len(values)] == values  # then any statuses


@needs_samples
def test_a_hogeschool_microcredential_in_detail() -> None:
    facts = _facts(_load("uvh_fvhz_microcredential_full.json"))
    assert facts.name == "Microcredential Argumenteren over Onzinnige Zaken"
    assert facts.issuer_name == "Universiteit van Harderwijk"
    assert facts.brin == "UN1VH"
    assert facts.issuer_country == "The Netherlands"
    assert [(w.amount, w.unit) for w in facts.workload] == [(4.5, "ects")]
    assert facts.eqf_level is None or facts.eqf_level.isdigit()
    [assurance] = facts.quality_assurance
    assert assurance.code == "AV-4223" and assurance.name == "M Psychological Assessment"
    assert assurance.url == "https://data.example.com/decisions/AV-4223"
    assert facts.participation is not None and facts.participation.code == "onsite_or_blended"
    assert facts.assessment is not None and facts.assessment.code == "testing"
    assert facts.supervision is not None
    assert facts.supervision.code == "onsite_with_identity_verification"
    assert facts.identity_checked is True
    assert facts.language == "nl-NL"
    assert facts.education_program == "20121354"
    [grade] = facts.grades
    assert (grade.value, grade.name, grade.minimum, grade.maximum, grade.required) == (
        "8.5",
        "Final Project Grade",
        "1",
        "10",
        "6",
    )
    assert grade.kind is not None and grade.kind.text == "ECTS grade score"
    assert facts.is_microcredential
    # The issuer's address lines are not facts, but they are in the details.
    keys = {d.keys: d.value for d in facts.details}
    assert keys[("issuer", "address", "addressLocality")] == "Harderwijk"


@needs_samples
def test_an_embedded_image_and_a_result_without_its_description() -> None:
    embedded = _facts(_load("theed_microcredential_embedded_ho.json"))
    assert embedded.image is not None and embedded.image.startswith("data:image/jpeg;base64,")
    assert not any(
        isinstance(d.value, str) and d.value.startswith("data:") for d in embedded.details
    )
    # This sample's result names a ResultDescription the achievement does not have.
    mismatched = _facts(_load("theed_regular_full_ho.json"))
    [grade] = mismatched.grades
    assert grade.value == "8.0" and grade.name is None


@needs_samples
def test_the_complete_1edtech_example() -> None:
    facts = _facts(_load("02-ob3-1edtech-complete-openbadgecredential.json"))
    assert facts.name == "1EdTech University Degree"  # the achievement's, not the VC's
    assert facts.achievement_type is not None and facts.achievement_type.code == "degree"
    assert facts.criteria_url == "https://1edtech.edu/achievements/degree"
    assert facts.issuer_url == "https://1edtech.edu"
    assert facts.issuer_email == "registrar@1edtech.edu"
    assert [(i.kind.text, i.value) for i in facts.issuer_identifiers] == [
        ("Sourced id", "12345"),
        ("National identity number", "67890"),
    ]
    assert facts.valid_until is not None and facts.valid_until.year == 2030
    assert [g.value for g in facts.grades][:1] == ["A"]
    abouts = sorted({e.about for e in facts.endorsements})
    assert abouts == ["achievement", "creator", "credential", "issuer"]
    assert all(e.endorser == "Example Accrediting Agency" for e in facts.endorsements[:1])
    assert facts.endorsements[0].comment == "1EdTech University is in good standing"
    shown = {d.keys: d.value for d in facts.details}
    assert shown[("name",)] == "1EdTech University Degree for Example Student"
    assert shown[("credentialSubject", "achievement", "fieldOfStudy")] == "Research"
    assert shown[("evidence", 1, "id")] == "https://github.com/somebody/project"
    assert not any("proof" in d.keys or "refreshService" in d.keys for d in facts.details)


@needs_samples
def test_an_endorsement_credential_on_its_own() -> None:
    facts = _facts(_load("03-ob3-1edtech-endorsementcredential.json"))
    assert facts.name == "SDE endorsement"
    assert facts.issuer_name == "State Department of Education"


def _edubadges_jwt_claims() -> dict[str, Any]:
    """What the UniMe agent signs (OB3_NOTES.md §1.2-1.3), VCDM 1.1, with the JWT's
    registered claims mapped into the ``vc`` object as the W3C format stores it."""
    ui = "https://demo.edubadges.nl"
    return {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        ],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "id": "http://example.com/credentials/3527",
        "name": "OpenBadgeCredential",
        "issuanceDate": "2026-03-02T10:00:00Z",
        "issuer": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": "did:jwk:eyJrdHkiOiJFQyJ9",
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": "sha256$" + "ab" * 32,
                    "hashed": True,
                    "identityType": "emailAddress",
                    "salt": "s4lt",
                }
            ],
            "achievement": {
                "id": f"{ui}/public/assertions/abc",
                "type": ["Achievement"],
                "criteria": {"narrative": "* Ontwerpt een **circulair** gebouw"},
                "description": "Circulair ontwerpen in de bouw, 5 EC",
                "name": "Circulair ontwerpen in de bouw",
                "image": {"type": "Image", "id": f"{ui}/media/badge.png"},
                "inLanguage": "nl",
                "ECTS": 5.0,
                "educationProgramIdentifier": "[56823]",
                "participationType": "blended",
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetType": "ext:EQFAlignment",
                        "targetName": "EQF niveau 6",
                        "targetUrl": "https://europa.eu/europass/en/description-eight-eqf-levels",
                        "targetCode": "6",
                    }
                ],
            },
        },
        "iss": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "sub": "did:jwk:eyJrdHkiOiJFQyJ9",
        "exp": 9999999999,
    }


def test_the_edubadges_agent_shape() -> None:
    facts = _facts(_edubadges_jwt_claims())
    assert facts.name == "Circulair ontwerpen in de bouw"  # not the config's display name
    assert facts.issuer_name is None  # a bare DID: the screen names the issuer otherwise
    assert facts.valid_from is not None and facts.valid_from.isoformat().startswith("2026-03-02")
    assert facts.valid_until is None  # exp 9999999999: edubadges' "never", no end date
    assert [(w.amount, w.unit) for w in facts.workload] == [(5.0, "ects")]
    assert facts.eqf_level == "6"
    assert facts.participation is not None and facts.participation.text == "Blended"
    assert facts.image == "https://demo.edubadges.nl/media/badge.png"
    assert facts.language == "nl"
    assert facts.education_program is None  # "[56823]": raw JSON, not shown
    shown = {d.keys for d in facts.details}
    assert ("name",) in shown  # the VC's own name differs: kept for the details
    assert not any(k[0] in ("iss", "sub", "exp") for k in shown)
    assert not any("identifier" in k for k in shown)  # a hashed email says nothing


def test_the_test_helpers_badge() -> None:
    facts = _facts(ob3_badge("https://hs-demo.example"))
    assert facts.name == "Circulair ontwerpen in de bouw"
    assert facts.issuer_name == "Hogeschool Demo"
    assert facts.criteria == "Passed the assessment."
    assert not facts.is_microcredential
    assert facts.details == ()  # the VC's name repeats the achievement's


def test_not_a_badge() -> None:
    assert badge_facts({"vct": "https://x.example/micro", "title": "Data-analyse"}) is None
    assert badge_facts({"type": ["VerifiableCredential"]}) is None
    for value in (None, "OpenBadgeCredential", ["OpenBadgeCredential"], 3):
        assert badge_facts(value) is None


def test_links_and_images_are_https_or_embedded_only() -> None:
    document = ob3_badge("https://hs-demo.example")
    achievement = document["credentialSubject"]["achievement"]
    for bad in (
        "http://hs-demo.example/b.png",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,<script>",
        "https://",
        " ",
    ):
        achievement["image"] = {"id": bad, "type": "Image"}
        achievement["criteria"] = {"id": bad}
        facts = _facts(document)
        assert facts.image is None and facts.criteria_url is None, bad
    achievement["image"] = "data:image/png;base64,iVBORw0KGgo="
    assert _facts(document).image == "data:image/png;base64,iVBORw0KGgo="


def test_enumerations_given_as_iris_become_words() -> None:
    document = ob3_badge("https://hs-demo.example")
    glossary = "https://edubadges.nl/static/obv3-glossary.html#"
    document["credentialSubject"]["achievement"].update(
        participationType=glossary + "participation-type-onsite-or-blended",
        assessmentType="ext:RecognitionOfPriorLearning",
        achievementType="ext:Minor",
    )
    facts = _facts(document)
    assert facts.participation is not None
    assert (facts.participation.code, facts.participation.text) == (
        "onsite_or_blended",
        "Onsite or blended",
    )
    assert facts.assessment is not None
    assert facts.assessment.text == "Recognition of prior learning"
    assert facts.achievement_type is not None and facts.achievement_type.text == "Minor"


def test_pretty_names() -> None:
    assert pretty_name("participation-type-online") == "Participation type online"
    assert pretty_name("MicroCredential") == "Micro credential"
    assert pretty_name("ECTSGradeScore") == "ECTS grade score"
    assert pretty_name("BRIN") == "BRIN"
    assert pretty_name("addressCountryCode") == "Address country code"
    assert pretty_name("__") == ""
    term = badge_term("ext:BRIN")
    assert term is not None and (term.code, term.text) == ("brin", "BRIN")
    assert badge_term("") is None and badge_term(["ext:BRIN"]) is None
    assert badge_term("https://x.example/") is not None  # the host's last label
    assert badge_term("#") is None


# -- hostile shapes -----------------------------------------------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["ext:BRIN", "ext:EQF", "https://x.example/a#b", "data:image/png;base64,x"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*path, index))


def _replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    changed = copy.deepcopy(document)
    node = changed
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return changed


def _rich_badge() -> dict[str, Any]:
    document = _edubadges_jwt_claims()
    document["issuer"] = {
        "id": "https://hs.example",
        "type": ["Profile"],
        "name": "Hogeschool",
        "otherIdentifier": [{"identifier": "00AB", "identifierType": "ext:BRIN"}],
        "address": {"addressCountry": "NL"},
        "endorsement": [{"name": "e", "issuer": {"name": "x"}, "credentialSubject": {}}],
    }
    subject = document["credentialSubject"]
    subject["result"] = [{"resultDescription": "urn:r1", "value": "8"}]
    subject["achievement"]["resultDescription"] = [{"id": "urn:r1", "name": "Grade"}]
    subject["achievement"]["alignment"].append(
        {"targetType": "ext:QualityAssurance", "targetName": "NVAO"}
    )
    return document


RICH = _rich_badge()
RICH_PATHS = list(_paths(RICH))[1:]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(min_value=0, max_value=len(RICH_PATHS) - 1), value=JSON)
def test_any_value_at_any_member_never_raises(index: int, value: Any) -> None:
    path = RICH_PATHS[index]
    if path[0] == "type":
        return  # then it may no longer be a badge; covered below
    facts = badge_facts(_replaced(RICH, path, value))
    assert facts is not None
    for _, text in _shown_texts(facts):
        assert isinstance(text, str)


@settings(max_examples=200, deadline=None)
@given(body=st.dictionaries(st.text(max_size=20), JSON, max_size=8), subject=JSON)
def test_random_documents_that_say_they_are_badges_never_raise(body: Any, subject: Any) -> None:
    document = {**body, "type": ["OpenBadgeCredential"], "credentialSubject": subject}
    badge_facts(document)
    badge_facts({**document, "credentialSubject": {"achievement": subject, "result": subject}})


def test_deep_and_wide_documents_are_bounded() -> None:
    deep: Any = "leaf"
    for _ in range(500):
        deep = {"x": [deep]}
    wide = {f"k{i}": f"v{i}" for i in range(10_000)}
    document = ob3_badge("https://hs-demo.example", evidence=deep, extra=wide)
    facts = _facts(document)
    assert len(facts.details) <= 200


def test_credits_available_is_the_workload_when_no_ects_is_given() -> None:
    badge = ob3_badge("did:web:hs.example")
    achievement = badge["credentialSubject"]["achievement"]
    achievement["creditsAvailable"] = 5
    facts = _facts(badge)
    assert [(w.amount, w.unit) for w in facts.workload] == [(5.0, "credits")]
    achievement["ECTS"] = 4.5  # the educredential member says it exactly: it wins
    facts = _facts(badge)
    assert [(w.amount, w.unit) for w in facts.workload] == [(4.5, "ects")]
    assert any(d.keys[-1] == "creditsAvailable" for d in facts.details)


def test_edubadges_never_is_no_end_date() -> None:
    facts = _facts({**ob3_badge("did:web:hs.example"), "exp": 9999999999})
    assert facts.valid_until is None
    facts = _facts({**ob3_badge("did:web:hs.example"), "validUntil": "2030-01-01T00:00:00Z"})
    assert facts.valid_until is not None and facts.valid_until.year == 2030
