"""SD-JWT VC Type Metadata: integrity, extends, claim rules and localized display."""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers import SHARED

from wallet_core import errors
from wallet_core.crypto import generate
from wallet_core.formats import sd_jwt, sd_jwt_vc, type_metadata
from wallet_core.formats.type_metadata import check_integrity, integrity_of, localize, resolve

SAMPLE = SHARED / "samples" / "webuild-microcredential-type-metadata.json"
needs_sample = pytest.mark.skipif(
    not SAMPLE.is_file(), reason=f"sample type metadata absent at {SAMPLE}"
)


def _fetcher(documents: dict[str, Any]) -> type_metadata.Fetch:
    raw = {
        url: doc if isinstance(doc, bytes) else json.dumps(doc).encode()
        for url, doc in documents.items()
    }
    calls: list[str] = []

    def fetch(url: str) -> bytes:
        calls.append(url)
        if url not in raw:
            raise errors.NetworkError("not served")
        return raw[url]

    fetch.calls = calls  # type: ignore[attr-defined]
    return fetch


# -- integrity (W3C SRI syntax) ------------------------------------------------------------


def test_spec_integrity_example() -> None:
    document = b'{"vct": "x"}'
    check_integrity(document, integrity_of(document))
    check_integrity(document, f"sha256-AAAA {integrity_of(document, 'sha384')}")  # strongest wins
    with pytest.raises(errors.IntegrityMismatchError):
        check_integrity(document + b" ", integrity_of(document))
    with pytest.raises(errors.IntegrityMismatchError):
        # a weaker matching digest does not rescue a failing stronger one
        check_integrity(document, f"{integrity_of(document)} sha512-AAAA")
    with pytest.raises(errors.IntegrityMismatchError):
        check_integrity(document, "md5-1B2M2Y8AsgTpgAmY7PhCfg==")


# -- extends ---------------------------------------------------------------------------------

BASE = {
    "vct": "https://example.com/base-type-metadata",
    "display": [{"locale": "en", "name": "Base"}],
    "claims": [
        {"path": ["name"], "display": [{"label": "Full Name", "locale": "en"}], "sd": "always"},
        {
            "path": ["address", "city"],
            "display": [{"label": "City", "locale": "en"}],
            "mandatory": True,
        },
    ],
}
CHILD = {
    "vct": "https://example.com/custom-type-metadata",
    "extends": "https://example.com/base-type-metadata",
    "claims": [
        {
            "path": ["address", "city"],
            "display": [{"label": "Town", "locale": "en"}],
            "mandatory": True,
        },
        {"path": ["nationalities"], "display": [{"label": "Nationalities", "locale": "en"}]},
    ],
}


def test_spec_extends_example_gives_the_effective_claims() -> None:
    fetch = _fetcher({BASE["vct"]: BASE, CHILD["vct"]: CHILD})
    metadata = resolve(CHILD["vct"], fetch)
    assert [(list(c.path), c.display[0].label) for c in metadata.claims] == [
        (["name"], "Full Name"),
        (["address", "city"], "Town"),
        (["nationalities"], "Nationalities"),
    ]
    assert metadata.display[0].name == "Base"  # inherited: the child defines no display
    assert metadata.lineage == (CHILD["vct"], BASE["vct"])
    assert fetch.calls == [CHILD["vct"], BASE["vct"]]  # type: ignore[attr-defined]


def test_extends_integrity_is_checked() -> None:
    base_bytes = json.dumps(BASE).encode()
    child = {**CHILD, "extends#integrity": integrity_of(base_bytes)}
    resolve(CHILD["vct"], _fetcher({BASE["vct"]: base_bytes, CHILD["vct"]: child}))
    with pytest.raises(errors.IntegrityMismatchError):
        resolve(CHILD["vct"], _fetcher({BASE["vct"]: base_bytes + b"\n", CHILD["vct"]: child}))


def test_vct_integrity_is_checked() -> None:
    child_bytes = json.dumps({"vct": "urn:x"}).encode()
    resolve("urn:x", _fetcher({"urn:x": child_bytes}), integrity=integrity_of(child_bytes))
    with pytest.raises(errors.IntegrityMismatchError):
        resolve("urn:x", _fetcher({"urn:x": child_bytes}), integrity=integrity_of(b"other"))


def test_extends_cycles_and_depth_are_refused() -> None:
    a = {"vct": "urn:a", "extends": "urn:b"}
    b = {"vct": "urn:b", "extends": "urn:a"}
    with pytest.raises(errors.TypeMetadataCycleError):
        resolve("urn:a", _fetcher({"urn:a": a, "urn:b": b}))
    chain = {f"urn:{i}": {"vct": f"urn:{i}", "extends": f"urn:{i + 1}"} for i in range(10)}
    with pytest.raises(errors.TypeMetadataCycleError):
        resolve("urn:0", _fetcher(chain), max_depth=5)


@pytest.mark.parametrize(
    "override",
    [
        {"path": ["name"], "sd": "never"},  # base says always
        {"path": ["address", "city"], "mandatory": False},  # base says mandatory
    ],
)
def test_extending_type_may_not_loosen_rules(override: dict[str, Any]) -> None:
    child = {**CHILD, "claims": [override]}
    with pytest.raises(errors.TypeMetadataError):
        resolve(CHILD["vct"], _fetcher({BASE["vct"]: BASE, CHILD["vct"]: child}))


@pytest.mark.parametrize(
    "document",
    [
        {"vct": "urn:other"},
        [1, 2],
        b"not json",
        {"vct": "urn:x", "claims": [{"path": []}]},
        {"vct": "urn:x", "claims": [{"path": ["a", -1]}]},
        {"vct": "urn:x", "claims": [{"path": ["a"], "sd": "sometimes"}]},
        {"vct": "urn:x", "claims": [{"path": ["a"]}, {"path": ["a"]}]},
        {"vct": "urn:x", "display": [{"locale": "en"}]},
        {"vct": "urn:x", "extends": 5},
    ],
)
def test_malformed_metadata(document: Any) -> None:
    with pytest.raises(errors.TypeMetadataError):
        resolve("urn:x", _fetcher({"urn:x": document}))


def test_fetch_failure_is_typed() -> None:
    with pytest.raises(errors.NetworkError):
        resolve("urn:missing", _fetcher({}))


# -- the microcredential we must render well -------------------------------------------------

ISSUER, HOLDER = generate(), generate()


def microcredential(metadata: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    payload = {
        "iss": "https://hogeschool.example",
        "iat": 1_800_000_000,
        "vct": metadata["vct"],
        "attestation_legal_category": "non-qualified-EAA",
        "identifier": "urn:hs:mc:2026:0042",
        "title": "Circulair ontwerpen in de bouw",
        "givenName": "Zoë",
        "familyName": "Jansen",
        "issuerCountry": "NL",
        "awardingBody": "Hogeschool Demo",
        "issuanceDate": "2026-09-01",
        "learningOutcomes": [
            "Ontwerpt circulaire detailleringen",
            "Beoordeelt materiaalpaspoorten",
        ],
        "notionalWorkload": "5 EC",
        "typeOfAssessment": "Portfolio",
        "formOfParticipation": "Blended",
        "qualityAssurance": "Kwaliteitskader Microcredentials HBO/WO",
        "level": "EQF 6",
    }
    disclosable = [
        tuple(c["path"])
        for c in metadata["claims"]
        if c.get("sd") in ("always", "allowed") and c["path"][0] in payload
    ]
    return payload, disclosable


@needs_sample
def test_webuild_microcredential_validates_and_localizes() -> None:
    document = json.loads(SAMPLE.read_text())
    metadata = resolve(document["vct"], _fetcher({document["vct"]: document}))
    payload, disclosable = microcredential(document)
    issued = sd_jwt_vc.issue(payload, disclosable, issuer_key=ISSUER, holder_jwk=HOLDER.public_jwk)
    credential = sd_jwt_vc.verify_issued(
        issued, ISSUER.public_jwk, holder_jwk=HOLDER.public_jwk, now=1_800_000_000
    )
    type_metadata.validate(
        metadata, credential.claims, [c.path for c in credential.sd_jwt.disclosable]
    )

    display = localize(metadata, "nl-NL")  # no Dutch in the sample: English it is
    assert display.name == "MicroCredential" and display.locale == "en-US"
    assert display.label(("notionalWorkload",)) == "Notional workload"
    assert display.label(("learningOutcomes",)) == "Learning outcomes"
    assert json.loads(json.dumps(display.to_json()))["claims"][0]["path"]


@needs_sample
def test_webuild_rules_reject_wrong_disclosability_and_missing_claims() -> None:
    document = json.loads(SAMPLE.read_text())
    metadata = resolve(document["vct"], _fetcher({document["vct"]: document}))
    payload, disclosable = microcredential(document)
    # "title" is sd: always -- issuing it in the clear violates the type
    visible_title = [p for p in disclosable if p != ("title",)]
    parsed = sd_jwt.parse_stored(sd_jwt.issue(payload, visible_title, issuer_key=ISSUER))
    with pytest.raises(errors.ForbiddenDisclosureError):
        type_metadata.validate(metadata, parsed.claims, [c.path for c in parsed.disclosable])
    # "attestation_legal_category" is sd: never
    parsed = sd_jwt.parse_stored(
        sd_jwt.issue(payload, [*disclosable, ("attestation_legal_category",)], issuer_key=ISSUER)
    )
    with pytest.raises(errors.ForbiddenDisclosureError):
        type_metadata.validate(metadata, parsed.claims, [c.path for c in parsed.disclosable])
    # "learningOutcomes" is mandatory
    missing = {k: v for k, v in payload.items() if k != "learningOutcomes"}
    parsed = sd_jwt.parse_stored(
        sd_jwt.issue(missing, [p for p in disclosable if p[0] in missing], issuer_key=ISSUER)
    )
    with pytest.raises(errors.MissingClaimError):
        type_metadata.validate(metadata, parsed.claims, [c.path for c in parsed.disclosable])


def test_localize_prefers_dutch_then_english() -> None:
    document = {
        "vct": "urn:mc",
        "display": [
            {"locale": "de", "name": "Mikro"},
            {
                "locale": "en-GB",
                "name": "Microcredential",
                "rendering": {
                    "simple": {
                        "background_color": "#12107c",
                        "text_color": "#FFFFFF",
                        "logo": {"uri": "https://hs.example/logo.png", "alt_text": "HS"},
                    }
                },
            },
            {"locale": "nl", "name": "Microcredential (NL)"},
        ],
        "claims": [
            {
                "path": ["ects"],
                "display": [
                    {"locale": "en", "label": "Credits"},
                    {"locale": "nl", "label": "Studiepunten"},
                ],
            },
            {"path": ["eqf"], "display": [{"locale": "en", "label": "EQF level"}]},
            {"path": ["degrees", None, "type"], "display": [{"locale": "fr", "label": "Type"}]},
        ],
    }
    metadata = resolve("urn:mc", _fetcher({"urn:mc": document}))
    dutch = localize(metadata, "nl-NL")
    assert dutch.name == "Microcredential (NL)" and dutch.label(("ects",)) == "Studiepunten"
    assert dutch.label(("eqf",)) == "EQF level"  # nl -> en fallback per claim
    assert dutch.label(("degrees", None, "type")) == "Type"  # last resort: what there is
    english = localize(metadata, "en-US")
    assert english.name == "Microcredential" and english.background_color == "#12107c"
    assert english.logo_uri == "https://hs.example/logo.png" and english.logo_alt == "HS"


def test_claim_path_selection_follows_the_spec() -> None:
    credential = {
        "name": "Arthur Dent",
        "address": {"street_address": "42 Market Street", "city": "Milliways"},
        "degrees": [{"type": "Bachelor of Science"}, {"type": "Master of Science"}],
    }
    select = type_metadata.select
    assert select(credential, ["name"]) == ["Arthur Dent"]
    assert select(credential, ["degrees", None, "type"]) == [
        "Bachelor of Science",
        "Master of Science",
    ]
    assert select(credential, ["degrees", 5]) == []
    with pytest.raises(errors.TypeMetadataError):
        select(credential, ["name", "first"])
