"""Presentation Exchange 2.0 subset (OpenID4VP draft 21 §5.1, §12.6, Appendix B.4)."""

from __future__ import annotations

import contextlib
import copy
import json
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oid4vp.match_fixtures import (
    IDENTITY,
    mdl,
    needs_pe_examples,
    pe_example,
    pid,
    plain,
    presentation_definitions,
    sd_jwt_vc_credential,
)

from wallet_core.errors import PresentationRequestError, WalletError
from wallet_core.formats.seam import HeldCredential
from wallet_core.models import Candidate, PresentationMatch
from wallet_core.oid4vp import json_filter, jsonpath, pex

SPEC_PID = {"given_name": "John", "family_name": "Doe", "birthdate": "1940-01-01"}


def _definition(
    fields: list[Any], *, limit: str | None = "required", **descriptor: Any
) -> dict[str, Any]:
    constraints: dict[str, Any] = {"fields": fields}
    if limit is not None:
        constraints["limit_disclosure"] = limit
    return {
        "id": "pd",
        "input_descriptors": [
            {
                "id": "identity",
                "format": {"dc+sd-jwt": {}},
                "constraints": constraints,
                **descriptor,
            }
        ],
    }


VCT_FIELD = {"path": ["$.vct"], "filter": {"type": "string", "const": IDENTITY}}


def _match(document: Any, *held: HeldCredential) -> PresentationMatch:
    return pex.match(pex.parse_definition(document), held)


def _only(result: PresentationMatch, descriptor_id: str = "identity") -> Candidate:
    (candidate,) = result.candidates(descriptor_id)
    return candidate


# -- the spec's examples ---------------------------------------------------------------------------


@needs_pe_examples
@pytest.mark.parametrize("document", presentation_definitions())
def test_every_example_definition_parses(document: Any) -> None:
    definition = pex.parse_definition(document)
    assert definition.input_descriptors
    assert pex.match(definition, [pid()]).queries.keys() == {
        d.id for d in definition.input_descriptors
    }


@needs_pe_examples
def test_sd_jwt_vc_example() -> None:
    """Appendix B.4: vc+sd-jwt, vct identity_credential, family_name and given_name with
    limit_disclosure required; the vct field selects but is not disclosed."""
    document = pe_example("pd_sd_jwt_vc.json")
    held, _ = sd_jwt_vc_credential("spec-pid", IDENTITY, SPEC_PID)
    other, _ = sd_jwt_vc_credential("other", "https://other.example/vct", SPEC_PID)
    missing, _ = sd_jwt_vc_credential("missing", IDENTITY, {"family_name": "Doe"})
    result = _match(document, held, other, missing)
    assert result.satisfiable
    assert result.candidates("identity_credential") == (
        Candidate("spec-pid", (("family_name",), ("given_name",)), ()),
    )
    assert result.queries["identity_credential"].required
    assert not result.queries["identity_credential"].multiple


@needs_pe_examples
def test_sd_jwt_vc_example_checks_the_issuer_algorithm_when_known() -> None:
    document = pe_example("pd_sd_jwt_vc.json")
    held, _ = sd_jwt_vc_credential("spec-pid", IDENTITY, SPEC_PID)
    assert held.alg == "ES256"
    foreign = HeldCredential(
        "es512", held.format, held.types, held.claims, held.disclosable, True, alg="ES512"
    )
    unknown = HeldCredential("unknown", held.format, held.types, held.claims, held.disclosable)
    result = _match(document, held, foreign, unknown)
    assert [c.credential_id for c in result.candidates("identity_credential")] == [
        "spec-pid",
        "unknown",
    ]


@needs_pe_examples
def test_mdl_example() -> None:
    """Appendix B.3: four data elements, limit_disclosure required."""
    document = pe_example("pd_mdl_iso_cbor.json")
    held = mdl(
        driving_privileges=[{"vehicle_category_code": "B"}],
    )
    domestic = {"domestic_namespace": {"domestic_data_element_id": "x"}}
    complete = plain(
        "complete",
        "mso_mdoc",
        held.types,
        {**held.claims, **domestic},
        disclosable=held.disclosable,
    )
    result = _match(document, held, complete, pid())
    assert _only(result, "org.iso.18013.5.1.mDL") == Candidate(
        "complete",
        (
            ("org.iso.18013.5.1", "family_name"),
            ("org.iso.18013.5.1", "portrait"),
            ("org.iso.18013.5.1", "driving_privileges"),
            ("domestic_namespace", "domestic_data_element_id"),
        ),
    )


@needs_pe_examples
@pytest.mark.parametrize(
    ("name", "credential"),
    [
        (
            "pd_jwt_vc.json",
            plain(
                "jwt",
                "jwt_vc_json",
                ("IDCredential",),
                {"iss": "did:example:1", "vc": {"type": ["VerifiableCredential", "IDCredential"]}},
            ),
        ),
        (
            "pd_ldp_vc.json",
            plain(
                "ldp",
                "ldp_vc",
                ("IDCredential",),
                {"type": ["VerifiableCredential", "IDCredential"], "credentialSubject": {}},
            ),
        ),
    ],
)
def test_w3c_type_examples(name: str, credential: HeldCredential) -> None:
    """Appendix B.1: a type constraint only: the whole credential, nothing to choose."""
    document = pe_example(name)
    result = _match(document, credential, pid())
    assert result.satisfiable
    assert _only(result, "id_credential") == Candidate(credential.id, (), ())
    wrong_type = plain(
        "wrong",
        credential.format,
        (),
        json.loads(json.dumps(credential.claims).replace("IDCredential", "Other")),
    )
    assert not _match(document, wrong_type).satisfiable


@needs_pe_examples
def test_alternative_credentials_example_with_submission_requirements() -> None:
    """§5.1: pick 1 from group A (an ID card or a passport)."""
    document = pe_example("vp_token_alternative_credentials.json")
    passport = plain("passport", "jwt_vc_json", (), {"vc": {"type": "PassportCredential"}})
    card = plain("card", "ldp_vc", (), {"type": "IDCardCredential"})
    definition = pex.parse_definition(document)
    assert definition.submission_requirements is not None
    assert definition.submission_requirements[0].needed == 1
    for held in ([passport], [card], [card, passport]):
        result = pex.match(definition, held)
        assert result.satisfiable
        assert all(query.required for query in result.queries.values())
    assert not pex.match(definition, [pid()]).satisfiable


@needs_pe_examples
def test_limit_disclosure_required_excludes_formats_that_cannot_limit() -> None:
    """PE 2.0: a wallet that cannot limit disclosure returns nothing (ldp_vc here)."""
    document = pe_example("vp_token_type_and_claims.json")
    card = plain(
        "card",
        "ldp_vc",
        (),
        {"type": "IDCardCredential", "credentialSubject": SPEC_PID},
    )
    assert not _match(document, card).satisfiable
    relaxed = copy.deepcopy(document)
    del relaxed["input_descriptors"][0]["constraints"]["limit_disclosure"]
    candidate = _only(_match(relaxed, card), "ID card with constraints")
    assert candidate.required_claims == (
        ("credentialSubject", "given_name"),
        ("credentialSubject", "family_name"),
        ("credentialSubject", "birthdate"),
    )


# -- fields, paths and disclosure ------------------------------------------------------------------


def test_optional_fields_become_optional_claims() -> None:
    document = _definition(
        [
            VCT_FIELD,
            {"path": ["$.given_name"]},
            {"path": ["$.email"], "optional": True},
            {"path": ["$.family_name"], "optional": True},
        ]
    )
    assert _only(_match(document, pid())) == Candidate(
        "pid-1", (("given_name",),), (("family_name",),)
    )
    with_email = pid("mail", email="j@example.com")
    assert _only(_match(document, with_email)).optional_claims == (("email",), ("family_name",))


def test_without_limit_disclosure_the_rest_is_offered_as_optional() -> None:
    document = _definition([VCT_FIELD, {"path": ["$.address"]}], limit=None)
    candidate = _only(_match(document, pid()))
    assert candidate.required_claims == (("address",),)
    assert ("address", "street_address") not in candidate.optional_claims
    assert candidate.optional_claims[:3] == (("birthdate",), ("date_of_birth",), ("degrees",))
    assert ("degrees", 0) in candidate.optional_claims
    assert len(set(candidate.optional_claims)) == len(candidate.optional_claims)
    preferred = _definition([VCT_FIELD, {"path": ["$.address"]}], limit="preferred")
    assert _only(_match(preferred, pid())).optional_claims == ()


def test_alternative_paths_first_that_satisfies_wins() -> None:
    fields = [
        VCT_FIELD,
        {"path": ["$.missing", "$.nationalities[0]", "$.family_name"]},
        {"path": ["$.given_name", "$.first_name"], "filter": {"type": "string", "const": "John"}},
        {"path": ["$.last_name", "$.family_name"], "filter": {"const": "Smith"}, "optional": True},
    ]
    assert _only(_match(_definition(fields), pid())) == Candidate(
        "pid-1", (("nationalities", 0), ("given_name",)), ()
    )
    smith = pid("smith", family_name="Smith")
    assert _only(_match(_definition(fields), smith)).optional_claims == (("family_name",),)


def test_filter_failure_on_every_path_rejects_the_credential() -> None:
    document = _definition(
        [VCT_FIELD, {"path": ["$.birthdate"], "filter": {"type": "string", "pattern": "^2"}}]
    )
    assert not _match(document, pid()).satisfiable


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$['given_name']", (("given_name",),)),
        ('$["address"]["street_address"]', (("address", "street_address"),)),
        ("$.address.street_address", (("address", "street_address"),)),
        ("$.nationalities[0]", (("nationalities", 0),)),
        ("$.nationalities[ 1 ]", (("nationalities", 1),)),
        ("$.degrees[*].type", (("degrees", 0, "type"), ("degrees", 1, "type"))),
        ("$.address.*", (("address", "street_address"), ("address", "locality"))),
        (
            "$['degrees'][*]['university']",
            (("degrees", 0, "university"), ("degrees", 1, "university")),
        ),
    ],
)
def test_json_paths_map_to_concrete_claim_paths(path: str, expected: tuple[Any, ...]) -> None:
    required = _only(_match(_definition([{"path": [path]}]), pid())).required_claims
    assert sorted(required, key=str) == sorted(expected, key=str)  # object member order is free


def test_a_wildcard_with_a_filter_discloses_only_the_matching_elements() -> None:
    field = {"path": ["$.degrees[*].type"], "filter": {"const": "Master of Science"}}
    assert _only(_match(_definition([field]), pid())).required_claims == (("degrees", 1, "type"),)


def test_metadata_fields_select_but_are_not_disclosed() -> None:
    fields = [
        VCT_FIELD,
        {"path": ["$.iss"], "filter": {"const": "https://issuer.example"}},
        {"path": ["$.cnf.jwk.kty"], "filter": {"const": "EC"}},
        {"path": ["$.family_name"]},
    ]
    assert _only(_match(_definition(fields), pid())).required_claims == (("family_name",),)
    wrong_issuer = [VCT_FIELD, {"path": ["$.iss"], "filter": {"const": "https://evil.example"}}]
    assert not _match(_definition(wrong_issuer), pid()).satisfiable


def test_vct_field_sees_aka_vcts() -> None:
    aka, _ = sd_jwt_vc_credential(
        "aka", "https://example.com/v2", {"family_name": "Doe"}, aka_vcts=[IDENTITY]
    )
    assert (
        _only(_match(_definition([VCT_FIELD, {"path": ["$.family_name"]}]), aka)).credential_id
        == "aka"
    )


def test_format_families_and_definition_level_format() -> None:
    legacy = pid("legacy", credential_format="vc+sd-jwt")
    document = _definition([{"path": ["$.family_name"]}], format={"vc+sd-jwt": {}})
    assert [c.credential_id for c in _match(document, pid(), legacy).candidates("identity")] == [
        "pid-1",
        "legacy",
    ]
    top_level = _definition([{"path": ["$.family_name"]}])
    del top_level["input_descriptors"][0]["format"]
    top_level["format"] = {"mso_mdoc": {}}
    assert not _match(top_level, pid()).satisfiable
    del top_level["format"]
    assert _match(top_level, pid()).satisfiable


def test_descriptor_without_constraints_takes_any_credential_of_its_format() -> None:
    document = {"id": "x", "input_descriptors": [{"id": "any", "format": {"mso_mdoc": {}}}]}
    assert _only(_match(document, pid(), mdl()), "any") == Candidate(
        "mdl-1",
        (),
        tuple(sorted(mdl().disclosable)),
    )


# -- submission requirements -----------------------------------------------------------------------


def _grouped(requirements: list[Any]) -> dict[str, Any]:
    return {
        "id": "sr",
        "submission_requirements": requirements,
        "input_descriptors": [
            {"id": "pid", "group": ["A"], "constraints": {"fields": [VCT_FIELD]}},
            {"id": "mdl", "group": ["A", "B"], "format": {"mso_mdoc": {}}},
            {"id": "extra", "group": ["C"], "format": {"ldp_vc": {}}},
        ],
    }


def test_submission_requirement_all() -> None:
    document = _grouped([{"rule": "all", "from": "A"}])
    assert not _match(document, pid()).satisfiable
    result = _match(document, pid(), mdl())
    assert result.satisfiable
    assert not result.queries["extra"].required


def test_submission_requirement_pick_counts() -> None:
    assert _match(_grouped([{"rule": "pick", "count": 1, "from": "A"}]), pid()).satisfiable
    assert not _match(_grouped([{"rule": "pick", "count": 2, "from": "A"}]), pid()).satisfiable
    assert _match(_grouped([{"rule": "pick", "min": 1, "max": 2, "from": "A"}]), mdl()).satisfiable
    optional = _match(
        _grouped([{"rule": "pick", "min": 0, "from": "C"}, {"rule": "all", "from": "B"}]), mdl()
    )
    assert optional.satisfiable
    assert not optional.queries["extra"].required and optional.queries["mdl"].required


def test_nested_submission_requirements() -> None:
    document = _grouped(
        [
            {
                "rule": "pick",
                "count": 1,
                "from_nested": [{"rule": "all", "from": "A"}, {"rule": "all", "from": "C"}],
            }
        ]
    )
    assert not _match(document, pid()).satisfiable
    assert _match(document, pid(), mdl()).satisfiable
    card = plain("card", "ldp_vc", (), {})
    assert _match(document, card).satisfiable


# -- JSONPath and filters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "vct",
        "$..vct",
        "$.a..b",
        "$[?(@.a)]",
        "$[?@.a == 1]",
        "$[(@.length-1)]",
        "$[0:2]",
        "$['a','b']",
        "$[-1]",
        "$[01]",
        "$.a[",
        "$['a",
        "$['a\\x']",
        "$.",
        "$.a b",
        "$a",
        "$.a()",
        "@.a",
        12,
        None,
        "$" + ".a" * 600,
    ],
)
def test_unsupported_json_paths_are_refused(text: Any) -> None:
    with pytest.raises(PresentationRequestError):
        jsonpath.parse_json_path(text)


def test_json_path_parsing() -> None:
    assert jsonpath.parse_json_path("$").segments == ()
    assert jsonpath.parse_json_path("$.credentialSubject.given_name").segments == (
        "credentialSubject",
        "given_name",
    )
    assert jsonpath.parse_json_path("$['org.iso.18013.5.1']['family_name']").segments == (
        "org.iso.18013.5.1",
        "family_name",
    )
    assert jsonpath.parse_json_path(
        r"$['it\'s']['\u00e9'][\"q\"]".replace('\\"', '"')
    ).segments == (
        "it's",
        "é",
        "q",
    )
    assert jsonpath.parse_json_path("$.a[*].b.*[3]").segments == ("a", None, "b", None, 3)
    assert jsonpath.parse_json_path("$.@context").segments == ("@context",)


@pytest.mark.parametrize(
    ("schema", "value", "accepted"),
    [
        ({"type": "string"}, "x", True),
        ({"type": "string"}, 1, False),
        ({"type": ["string", "null"]}, None, True),
        ({"type": "integer"}, 3.0, True),
        ({"type": "integer"}, True, False),
        ({"type": "number"}, 1.5, True),
        ({"type": "boolean"}, 0, False),
        ({"type": "array"}, [1], True),
        ({"type": "object"}, {}, True),
        ({"const": 1}, 1.0, True),
        ({"const": 1}, True, False),
        ({"const": {"a": [1]}}, {"a": [1]}, True),
        ({"enum": ["a", "b"]}, "b", True),
        ({"enum": ["a", "b"]}, "c", False),
        ({"pattern": "^did:example:"}, "did:example:1", True),
        ({"pattern": "IDCard"}, "my IDCardCredential", True),
        ({"pattern": "^x$"}, "y", False),
        ({"pattern": "^x$"}, 5, True),
        ({"minimum": 18}, 18, True),
        ({"minimum": 18}, 10**400, True),
        ({"maximum": 1e308}, 10**400, False),
        ({"type": "integer"}, 10**400, True),
        ({"const": 10**400}, 10**400, True),
        ({"exclusiveMinimum": 18}, 18, False),
        ({"maximum": 5}, 6, False),
        ({"exclusiveMaximum": 5}, 4.9, True),
        ({"minLength": 2}, "a", False),
        ({"maxLength": 2}, "ab", True),
        ({"minItems": 1}, [], False),
        ({"maxItems": 1}, [1, 2], False),
        ({"contains": {"const": "IDCredential"}}, ["VerifiableCredential", "IDCredential"], True),
        ({"contains": {"const": "IDCredential"}}, ["VerifiableCredential"], False),
        ({"items": {"type": "string"}}, ["a", 1], False),
        ({"properties": {"a": {"const": 1}}, "required": ["a"]}, {"a": 1}, True),
        ({"required": ["a"]}, {"b": 1}, False),
        ({"not": {"const": "x"}}, "y", True),
        ({"anyOf": [{"const": 1}, {"const": 2}]}, 2, True),
        ({"allOf": [{"type": "number"}, {"minimum": 3}]}, 2, False),
        ({"oneOf": [{"type": "number"}, {"minimum": 3}]}, 5, False),
        ({"type": "string", "format": "date", "formatMaximum": "2008-01-01"}, "1940-01-01", True),
        ({"type": "string", "format": "date", "formatMinimum": "2008-01-01"}, "1940-01-01", False),
        ({"formatExclusiveMaximum": "b"}, "b", False),
        ({"title": "annotations are fine", "$comment": "x"}, "anything", True),
        (True, "anything", True),
        (False, "anything", False),
    ],
)
def test_filter_subset(schema: Any, value: Any, accepted: bool) -> None:
    json_filter.check_filter(schema)
    assert json_filter.filter_accepts(schema, value) is accepted


@pytest.mark.parametrize(
    "schema",
    [
        "string",
        {"$ref": "#/definitions/x"},
        {"if": {"const": 1}},
        {"dependentRequired": {}},
        {"type": "date"},
        {"type": []},
        {"enum": []},
        {"minimum": "1"},
        {"minLength": -1},
        {"formatMinimum": 5},
        {"anyOf": []},
        {"items": [{"type": "string"}]},
        {"properties": []},
        {"required": [1]},
        {"pattern": 5},
        {"pattern": "("},
        {"pattern": "(a+)+$"},
        {"pattern": "(a|a)*b"},
        {"pattern": "(.*a){2}"},
        {"pattern": "(?:x*)+"},
        {"pattern": "(a)\\1"},
        {"pattern": "(?P<n>a)(?P=n)"},
        {"pattern": "a" * 300},
        {"pattern": ".*.*.*x"},
        {"pattern": r"\w+[a-z]{2,}\d*"},
        {"pattern": "a{1,100}b{17}c+"},
        {
            "not": {
                "not": {
                    "not": {
                        "not": {
                            "not": {
                                "not": {
                                    "not": {
                                        "not": {
                                            "not": {
                                                "not": {
                                                    "not": {
                                                        "not": {
                                                            "not": {
                                                                "not": {
                                                                    "not": {
                                                                        "not": {"not": {"not": {}}}
                                                                    }
                                                                }
                                                            }
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    ],
)
def test_unsupported_or_unsafe_filters_are_refused(schema: Any) -> None:
    with pytest.raises(PresentationRequestError):
        json_filter.check_filter(schema)


def test_safe_patterns_are_accepted_and_bounded() -> None:
    for pattern in (
        "^did:indy:idu:test:3QowxFtwciWceMFr7WbwnM:2:BasicScheme:0\\.1",
        "[a-z]+@[a-z]+\\.nl$",
        "(ab)+",
        "(?:foo|bar)",
        "[(]+",
        r"^\d{4}-\d{2}-\d{2}$",
        "^(?:foo|bar)?x{2,16}$",
        ".*@.*",
    ):
        json_filter.check_filter({"pattern": pattern})
    started = time.perf_counter()
    assert not json_filter.filter_accepts({"pattern": "^(ab)+c$"}, "ab" * 2_000)
    assert not json_filter.filter_accepts(
        {"pattern": r"\w+\w+x"}, "a" * json_filter.MAX_PATTERN_SUBJECT
    )
    assert not json_filter.filter_accepts(
        {"pattern": "x"}, "x" * (json_filter.MAX_PATTERN_SUBJECT + 1)
    )
    assert time.perf_counter() - started < 1


# -- invalid definitions ---------------------------------------------------------------------------

_BASE = _definition([VCT_FIELD, {"path": ["$.family_name"]}])


def _bad(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(_BASE)
    descriptor = document["input_descriptors"][0]
    for key, value in changes.items():
        if key.startswith("field_"):
            descriptor["constraints"]["fields"][1][key[6:]] = value
        elif key.startswith("constraints_"):
            descriptor["constraints"][key[12:]] = value
        elif value is None:
            descriptor.pop(key, None)
        else:
            descriptor[key] = value
    return document


BAD_DEFINITIONS: dict[str, Any] = {
    "not an object": [],
    "id missing": {"input_descriptors": _BASE["input_descriptors"]},
    "id not a string": {"id": 1, "input_descriptors": _BASE["input_descriptors"]},
    "descriptors missing": {"id": "x"},
    "descriptors empty": {"id": "x", "input_descriptors": []},
    "descriptors not an array": {"id": "x", "input_descriptors": {}},
    "descriptor not an object": {"id": "x", "input_descriptors": ["a"]},
    "descriptor id missing": _bad(id=None),
    "descriptor ids repeated": {"id": "x", "input_descriptors": _BASE["input_descriptors"] * 2},
    "group not an array": _bad(group="A"),
    "format not an object": _bad(format=["dc+sd-jwt"]),
    "format values not objects": _bad(format={"dc+sd-jwt": True}),
    "format empty": _bad(format={}),
    "constraints not an object": _bad(constraints=[]),
    "limit_disclosure unknown": _bad(constraints_limit_disclosure="always"),
    "fields not an array": _bad(constraints_fields={}),
    "field not an object": _bad(constraints_fields=["$.a"]),
    "field path missing": _bad(field_path=None),
    "field path empty": _bad(field_path=[]),
    "field path not strings": _bad(field_path=[["a"]]),
    "field path a filter expression": _bad(field_path=["$.a[?(@.b)]"]),
    "field filter not an object": _bad(field_filter="string"),
    "field filter unsupported": _bad(field_filter={"$ref": "x"}),
    "field optional not boolean": _bad(field_optional="yes"),
    "field predicate unknown": _bad(field_predicate="maybe", field_filter={"type": "string"}),
    "field predicate without filter": _bad(field_predicate="required"),
    "field intent_to_retain not boolean": _bad(field_intent_to_retain=1),
    "field id not a string": _bad(field_id=3),
    "field ids repeated": _definition([{"id": "f", "path": ["$.a"]}, {"id": "f", "path": ["$.b"]}]),
    "name not a string": {**_BASE, "name": 1},
    "sr not an array": {**_grouped([]), "submission_requirements": {}},
    "sr empty": _grouped([]),
    "sr not an object": _grouped(["all"]),
    "sr rule unknown": _grouped([{"rule": "any", "from": "A"}]),
    "sr both from and from_nested": _grouped(
        [{"rule": "all", "from": "A", "from_nested": [{"rule": "all", "from": "B"}]}]
    ),
    "sr neither from nor from_nested": _grouped([{"rule": "all"}]),
    "sr unknown group": _grouped([{"rule": "all", "from": "Z"}]),
    "sr from_nested empty": _grouped([{"rule": "all", "from_nested": []}]),
    "sr count negative": _grouped([{"rule": "pick", "count": -1, "from": "A"}]),
    "sr min not an integer": _grouped([{"rule": "pick", "min": "1", "from": "A"}]),
    "sr nested invalid": _grouped([{"rule": "all", "from_nested": [{"rule": "all", "from": "Z"}]}]),
}


@pytest.mark.parametrize("document", BAD_DEFINITIONS.values(), ids=BAD_DEFINITIONS.keys())
def test_invalid_definitions_are_refused(document: Any) -> None:
    with pytest.raises(PresentationRequestError):
        pex.parse_definition(document)


def test_parsed_definition_keeps_what_the_ui_shows() -> None:
    document = _definition(
        [{"path": ["$.family_name"], "purpose": "to greet you", "name": "Family name", "id": "f1"}],
        purpose="Check your identity",
        name="Identity",
    )
    document["purpose"] = "Hiring"
    definition = pex.parse_definition(document)
    assert definition.purpose == "Hiring"
    descriptor = definition.descriptor("identity")
    assert (descriptor.name, descriptor.purpose) == ("Identity", "Check your identity")
    assert descriptor.fields[0].purpose == "to greet you"
    with pytest.raises(PresentationRequestError):
        definition.descriptor("nope")


# -- properties ------------------------------------------------------------------------------------

_keys = st.sampled_from(["a", "b", "c d", "é", "it's"])
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from([10**400, -(10**400), 1e308, 0.5])
    | st.text(max_size=3)
)
_trees = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3),
    max_leaves=20,
)
_segments = st.lists(_keys | st.integers(0, 3) | st.none(), max_size=4)


def _render(segments: list[Any]) -> str:
    out = "$"
    for segment in segments:
        if segment is None:
            out += "[*]"
        elif isinstance(segment, int):
            out += f"[{segment}]"
        else:
            out += "['" + segment.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return out


@settings(max_examples=300, deadline=None)
@given(tree=_trees, segments=_segments)
def test_json_path_round_trip_and_evaluation(tree: Any, segments: list[Any]) -> None:
    path = jsonpath.parse_json_path(_render(segments))
    assert list(path.segments) == segments
    for concrete, value in path.evaluate(tree):
        assert len(concrete) == len(segments)
        node = tree
        for part in concrete:
            node = node[part]
        assert node is value


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="$.[]*'\"\\0123abc?@()-:, ", max_size=20))
def test_json_path_parser_raises_only_request_errors(text: str) -> None:
    with contextlib.suppress(PresentationRequestError):
        jsonpath.parse_json_path(text)


_schema_keys = st.sampled_from(
    [
        "type",
        "const",
        "enum",
        "pattern",
        "minimum",
        "maxLength",
        "contains",
        "not",
        "anyOf",
        "properties",
        "required",
        "items",
        "format",
    ]
)
_schemas = st.recursive(
    _scalars | st.lists(_scalars, max_size=2),
    lambda inner: st.dictionaries(_schema_keys, inner, max_size=3) | st.lists(inner, max_size=2),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(schema=_schemas, value=_trees)
def test_filters_raise_only_wallet_errors(schema: Any, value: Any) -> None:
    try:
        json_filter.check_filter(schema)
    except PresentationRequestError:
        return
    with contextlib.suppress(WalletError):
        json_filter.filter_accepts(schema, value)


def test_what_is_sent_must_fit_the_submission_requirements() -> None:
    def fits(requirements: list[Any] | None, sent: set[str]) -> bool:
        document = _grouped(requirements or [])
        if requirements is None:
            del document["submission_requirements"]
        return pex.fits_requirements(pex.parse_definition(document), sent)

    assert fits(None, {"pid", "mdl", "extra"}) and not fits(None, {"pid", "mdl"})
    assert fits([{"rule": "all", "from": "A"}], {"pid", "mdl"})
    assert not fits([{"rule": "all", "from": "A"}], {"pid"})
    exactly_one = [{"rule": "pick", "count": 1, "from": "A"}]
    assert fits(exactly_one, {"mdl"}) and not fits(exactly_one, {"pid", "mdl"})
    at_most_one = [{"rule": "pick", "min": 0, "max": 1, "from": "A"}]
    assert fits(at_most_one, set()) and not fits(at_most_one, {"pid", "mdl"})
    nested = [
        {
            "rule": "pick",
            "count": 1,
            "from_nested": [{"rule": "all", "from": "A"}, {"rule": "all", "from": "C"}],
        }
    ]
    assert fits(nested, {"extra"}) and not fits(nested, {"pid"})


def test_a_credential_bound_to_no_key_of_the_wallet_is_no_candidate() -> None:
    """Draft 21 §6.1: the VP Token holds presentations the holder signs; an imported badge
    has no holder key, so PE (which cannot waive holder binding) never offers it."""
    definition = pex.parse_definition(
        {"id": "pd", "input_descriptors": [{"id": "badge", "format": {"ldp_vc": {}}}]}
    )
    bound = plain("bound", "ldp_vc", (), {"type": ["VerifiableCredential"]})
    imported = plain("imported", "ldp_vc", (), {"type": ["VerifiableCredential"]}, bound=False)
    result = pex.match(definition, [bound, imported])
    assert [c.credential_id for c in result.queries["badge"].candidates] == ["bound"]
