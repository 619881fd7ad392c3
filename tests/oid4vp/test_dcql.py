"""DCQL (OpenID4VP 1.0 §6, §7): parsing, the spec's examples, claim and credential selection."""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oid4vp.match_fixtures import (
    IDENTITY,
    dcql_example,
    dcql_example_names,
    mdl,
    needs_dcql_examples,
    pid,
    plain,
    sd_jwt_vc_credential,
    stored_as,
)

from wallet_core.errors import PresentationRequestError, UnsupportedFormatError, WalletError
from wallet_core.formats import registry, sd_jwt
from wallet_core.formats.rules import DoctypeValue, VctValues
from wallet_core.formats.seam import HeldCredential
from wallet_core.models import Candidate, PresentationMatch
from wallet_core.oid4vp import claims, dcql

SIMPLE: dict[str, Any] = {
    "credentials": [
        {
            "id": "my_credential",
            "format": "dc+sd-jwt",
            "meta": {"vct_values": [IDENTITY]},
            "claims": [
                {"path": ["last_name"]},
                {"path": ["first_name"]},
                {"path": ["address", "street_address"]},
            ],
        }
    ]
}


def _query(**changes: Any) -> dict[str, Any]:
    """SIMPLE with the first credential query's members changed (None removes one)."""
    document = copy.deepcopy(SIMPLE)
    entry = document["credentials"][0]
    for key, value in changes.items():
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    return document


def _match(document: Any, *held: HeldCredential) -> PresentationMatch:
    return dcql.match(dcql.parse_query(document), held)


def _ids(result: PresentationMatch, query_id: str) -> list[str]:
    return [candidate.credential_id for candidate in result.candidates(query_id)]


# -- the spec's examples (OpenID4VP 1.0 §7.4, Appendix D) ----------------------------------------


@needs_dcql_examples
@pytest.mark.parametrize("name", dcql_example_names())
def test_every_spec_example_parses(name: str) -> None:
    query = dcql.parse_query(dcql_example(name))
    assert query.credentials
    for credential_query in query.credentials:
        assert credential_query.meta


@needs_dcql_examples
def test_simple_example_requests_three_claims_of_the_identity_credential() -> None:
    """§7.4: a dc+sd-jwt of type identity_credential with last_name, first_name and
    address.street_address."""
    query = dcql.parse_query(dcql_example("simple"))
    assert query.credentials[0].types == VctValues((IDENTITY,))
    other = pid("other", vct="https://credentials.example.com/other")
    result = dcql.match(query, [pid("pid-1"), other, pid("partial", drop=["first_name"])])
    assert result.satisfiable
    match = result.queries["my_credential"]
    assert match.required and not match.multiple
    assert match.candidates == (
        Candidate(
            "pid-1",
            required_claims=(("last_name",), ("first_name",), ("address", "street_address")),
            optional_claims=(),
        ),
    )


@needs_dcql_examples
def test_simple_example_matches_a_legacy_vc_sd_jwt_credential() -> None:
    result = _match(dcql_example("simple"), pid("legacy", credential_format="vc+sd-jwt"))
    assert _ids(result, "my_credential") == ["legacy"]


@needs_dcql_examples
def test_the_exact_format_comes_first_and_a_legacy_name_only_when_nothing_else_fits() -> None:
    """Issue #12 a: an OWF ``dcql`` verifier refuses ``vc+sd-jwt`` for a ``dc+sd-jwt`` query."""
    legacy = pid("legacy", credential_format="vc+sd-jwt")
    current = pid("current")
    both = _match(dcql_example("simple"), legacy, current)
    assert _ids(both, "my_credential") == ["current"]
    [only] = _match(dcql_example("simple"), legacy).candidates("my_credential")
    assert only.credential_id == "legacy" and only.other_format_name
    [exact] = both.candidates("my_credential")
    assert not exact.other_format_name


@needs_dcql_examples
def test_simple_example_needs_holder_binding_by_default() -> None:
    """§6.1 require_cryptographic_holder_binding defaults to true; Appendix B.3: an SD-JWT
    without cnf cannot be returned then."""
    unbound = pid("unbound", bound=False)
    assert not unbound.holder_binding
    assert not _match(dcql_example("simple"), unbound).satisfiable
    relaxed = dcql_example("simple")
    relaxed["credentials"][0]["require_cryptographic_holder_binding"] = False
    assert _ids(_match(relaxed, unbound), "my_credential") == ["unbound"]


@needs_dcql_examples
def test_simple_mdoc_example_matches_no_sd_jwt_but_an_mdoc() -> None:
    """Appendix D: mso_mdoc with vehicle_holder and first_name; paths are namespace + element."""
    query = dcql.parse_query(dcql_example("simple_mdoc"))
    assert query.credentials[0].types == DoctypeValue("org.iso.7367.1.mVRC")
    assert not dcql.match(query, [pid()]).satisfiable
    vehicle = plain(
        "mvrc",
        "mso_mdoc",
        ("org.iso.7367.1.mVRC",),
        {
            "org.iso.7367.1": {"vehicle_holder": "John Doe"},
            "org.iso.18013.5.1": {"first_name": "John"},
        },
    )
    result = dcql.match(query, [pid(), vehicle, mdl()])
    assert result.satisfiable
    assert result.candidates("my_credential") == (
        Candidate(
            "mvrc",
            (("org.iso.7367.1", "vehicle_holder"), ("org.iso.18013.5.1", "first_name")),
        ),
    )


@needs_dcql_examples
def test_multi_credentials_example_needs_every_credential() -> None:
    """Appendix D: "requests multiple Verifiable Credentials; all of them must be returned"."""
    query = dcql.parse_query(dcql_example("multi_credentials"))
    only_pid = dcql.match(query, [pid()])
    assert _ids(only_pid, "pid") == ["pid-1"]
    assert only_pid.queries["mdl"].required and not only_pid.candidates("mdl")
    assert not only_pid.satisfiable
    vehicle = plain(
        "mvrc",
        "mso_mdoc",
        ("org.iso.7367.1.mVRC",),
        {
            "org.iso.7367.1": {"vehicle_holder": "John Doe"},
            "org.iso.18013.5.1": {"first_name": "John"},
        },
    )
    assert dcql.match(query, [pid(), vehicle]).satisfiable


@needs_dcql_examples
def test_credentials_alternatives_example() -> None:
    """Appendix D: pid, or other_pid, or both pid_reduced_cred_1 and pid_reduced_cred_2;
    nice_to_have may optionally be delivered."""
    query = dcql.parse_query(dcql_example("credentials_alternatives"))
    reduced_1 = pid(
        "reduced-1",
        vct="https://credentials.example.com/reduced_identity_credential",
    )
    reduced_2 = pid("reduced-2", vct="https://cred.example/residence_credential")
    other = pid("other", vct="https://othercredentials.example/pid")
    rewards = sd_jwt_vc_credential(
        "rewards", "https://company.example/company_rewards", {"rewards_number": "A-123"}
    )[0]

    result = dcql.match(query, [reduced_1])
    assert not result.satisfiable
    assert {qid: m.required for qid, m in result.queries.items()} == {
        "pid": True,
        "other_pid": True,
        "pid_reduced_cred_1": True,
        "pid_reduced_cred_2": True,
        "nice_to_have": False,
    }
    both = dcql.match(query, [reduced_1, reduced_2])
    assert both.satisfiable
    assert dcql.satisfiable_options(query, both) == (
        (("pid_reduced_cred_1", "pid_reduced_cred_2"),),
        (),
    )
    assert both.candidates("pid_reduced_cred_2")[0].required_claims == (
        ("postal_code",),
        ("locality",),
        ("region",),
    )
    assert dcql.match(query, [other]).satisfiable
    assert not dcql.match(query, [rewards]).satisfiable
    with_extra = dcql.match(query, [pid(), rewards])
    assert with_extra.satisfiable
    assert _ids(with_extra, "nice_to_have") == ["rewards"]
    assert dcql.satisfiable_options(query, with_extra) == ((("pid",),), (("nice_to_have",),))


@needs_dcql_examples
def test_complex_mdoc_example_id_required_address_optional() -> None:
    """Appendix D: an ID and an address, each from an mDL or a photo ID; the address set is
    not required."""
    query = dcql.parse_query(dcql_example("complex_mdoc"))
    assert not dcql.match(query, [pid()]).satisfiable
    result = dcql.match(query, [mdl()])
    assert result.satisfiable
    assert _ids(result, "mdl-id") == ["mdl-1"]
    assert not result.candidates("mdl-address")
    assert not result.queries["mdl-address"].required
    assert result.queries["photo_card-id"].required
    with_address = dcql.match(
        query, [mdl(resident_address="42 Market Street", resident_country="GB")]
    )
    assert _ids(with_address, "mdl-address") == ["mdl-1"]
    photo = mdl("photo", doctype="org.iso.23220.photoid.1")
    assert _ids(dcql.match(query, [photo]), "photo_card-id") == ["photo"]


@needs_dcql_examples
def test_claims_alternatives_example_returns_the_first_satisfiable_claim_set() -> None:
    """Appendix D: last_name and date_of_birth always, plus one of the two claim sets.

    The prose says "postal_code, or, if that is not available, locality and region", but the
    example lists ``["a", "c", "d", "e"]`` (locality + region) first; §6.4.1 makes the order
    the verifier's preference, so the first listed option wins when both are satisfiable.
    """
    query = dcql.parse_query(dcql_example("claims_alternatives"))
    everything = pid()
    first = (("last_name",), ("locality",), ("region",), ("date_of_birth",))
    second = (("last_name",), ("postal_code",), ("date_of_birth",))
    assert dcql.match(query, [everything]).candidates("pid")[0].required_claims == first
    assert dcql.claim_alternatives(query.credentials[0], everything) == (first, second)
    no_region = pid("no-region", drop=["region"])
    # what it lacks of the preferred set is said, so a screen can tell the holder
    assert dcql.match(query, [no_region]).candidates("pid") == (
        Candidate("no-region", second, unmet=(("region",),)),
    )
    # the credential that meets the preferred set is offered first, whatever the held order
    both = dcql.match(query, [no_region, everything]).candidates("pid")
    assert [c.credential_id for c in both] == [everything.id, "no-region"]
    neither = pid("neither", drop=["region", "postal_code"])
    assert not dcql.match(query, [neither]).satisfiable
    no_birth = pid("no-birth", drop=["date_of_birth"])
    assert not dcql.match(query, [no_birth]).satisfiable


@needs_dcql_examples
def test_value_matching_example() -> None:
    """Appendix D: last_name must be "Doe" and postal_code "90210" or "90211"."""
    document = dcql_example("value_matching_simple")
    assert _ids(_match(document, pid()), "my_credential") == ["pid-1"]
    assert _ids(_match(document, pid("b", postal_code="90211")), "my_credential") == ["b"]
    assert not _match(document, pid("c", postal_code="90212")).satisfiable
    assert not _match(document, pid("d", last_name="Smith")).satisfiable
    # "the type and value of the claim both match exactly": 90210 is not "90210"
    assert not _match(document, pid("e", postal_code=90210)).satisfiable


# -- claim selection (§6.4.1) and the path pointer (§7) -----------------------------------------


def test_no_claims_requests_nothing_selectively_disclosable() -> None:
    result = _match(_query(claims=None), pid())
    assert result.candidates("my_credential") == (Candidate("pid-1", (), ()),)


def test_claim_paths_with_null_and_indexes() -> None:
    """§7.3: ["degrees", null, "type"] selects every type; ["nationalities", 1] the second."""
    document = _query(
        claims=[
            {"path": ["degrees", None, "type"]},
            {"path": ["nationalities", 1]},
        ]
    )
    assert _match(document, pid()).candidates("my_credential")[0].required_claims == (
        ("degrees", None, "type"),
        ("nationalities", 1),
    )
    assert not _match(_query(claims=[{"path": ["nationalities", 2]}]), pid()).satisfiable
    # a key applied to a string, an index applied to an object: the claim does not exist
    assert not _match(_query(claims=[{"path": ["given_name", "x"]}]), pid()).satisfiable
    assert not _match(_query(claims=[{"path": ["address", 0]}]), pid()).satisfiable


def test_values_with_null_narrow_the_disclosure_to_matching_elements() -> None:
    document = _query(claims=[{"path": ["degrees", None, "type"], "values": ["Master of Science"]}])
    candidate = _match(document, pid()).candidates("my_credential")[0]
    assert candidate.required_claims == (("degrees", 1, "type"),)
    missing = _query(claims=[{"path": ["degrees", None, "type"], "values": ["PhD"]}])
    assert not _match(missing, pid()).satisfiable


@pytest.mark.parametrize(
    ("value", "expected", "same"),
    [
        ("Doe", "Doe", True),
        ("Doe", "doe", False),
        (5, 5, True),
        (5.0, 5, True),
        ("5", 5, False),
        (5, "5", False),
        (True, True, True),
        (True, 1, False),
        (1, True, False),
        (False, 0, False),
        (None, "null", False),
        ({"a": 1}, "a", False),
        (["Doe"], "Doe", False),
    ],
)
def test_value_matching_is_type_exact(value: Any, expected: Any, same: bool) -> None:
    document = _query(claims=[{"path": ["x"], "values": [expected]}])
    result = _match(document, pid(x=value))
    assert bool(result.candidates("my_credential")) is same


def test_claim_set_order_is_the_verifiers_preference() -> None:
    document = _query(
        claims=[
            {"id": "over18", "path": ["age_over_18"]},
            {"id": "birth", "path": ["birthdate"]},
        ],
        claim_sets=[["over18"], ["birth"]],
    )
    both = pid("both", age_over_18=True)
    assert _match(document, both).candidates("my_credential")[0].required_claims == (
        ("age_over_18",),
    )
    assert _match(document, pid("birth-only")).candidates("my_credential")[0].required_claims == (
        ("birthdate",),
    )
    assert not _match(document, pid("none", drop=["birthdate"])).satisfiable
    reversed_sets = _query(
        claims=document["credentials"][0]["claims"], claim_sets=[["birth"], ["over18"]]
    )
    assert _match(reversed_sets, both).candidates("my_credential")[0].required_claims == (
        ("birthdate",),
    )


def test_claim_sets_with_value_constraints_fall_through() -> None:
    document = _query(
        claims=[
            {"id": "nl", "path": ["nationalities", None], "values": ["Dutch"]},
            {"id": "any", "path": ["nationalities", 0]},
        ],
        claim_sets=[["nl"], ["any"]],
    )
    assert _match(document, pid()).candidates("my_credential")[0].required_claims == (
        ("nationalities", 0),
    )


def test_duplicate_claim_queries_are_ignored() -> None:
    document = _query(claims=[{"path": ["last_name"]}, {"path": ["last_name"]}])
    assert _match(document, pid()).candidates("my_credential")[0].required_claims == (
        ("last_name",),
    )


def test_multiple_is_reported_and_every_match_listed() -> None:
    many = _query(multiple=True)
    result = _match(many, pid("a"), pid("b"))
    assert result.queries["my_credential"].multiple
    assert _ids(result, "my_credential") == ["a", "b"]
    single = _match(SIMPLE, pid("a"), pid("b"))
    assert not single.queries["my_credential"].multiple
    assert _ids(single, "my_credential") == ["a", "b"]


# -- types and formats (Appendix B) --------------------------------------------------------------


def test_aka_vcts_and_inherited_types_match_vct_values() -> None:
    """Appendix B.3.5: credentials that inherit from a requested type may be returned."""
    aka, _ = sd_jwt_vc_credential(
        "aka", "https://example.com/v2", {"last_name": "Doe"}, aka_vcts=[IDENTITY]
    )
    extends, _ = sd_jwt_vc_credential(
        "extends", "https://example.com/child", {"last_name": "Doe"}, extra_types=[IDENTITY]
    )
    assert aka.types == ("https://example.com/v2", IDENTITY)
    result = _match(_query(claims=[{"path": ["last_name"]}]), aka, extends)
    assert _ids(result, "my_credential") == ["aka", "extends"]


def test_w3c_type_values() -> None:
    """Appendix B.1.1: one inner array must be a subset of the expanded types."""
    document = {
        "credentials": [
            {
                "id": "degree",
                "format": "ldp_vc",
                "meta": {
                    "type_values": [
                        [
                            "https://www.w3.org/2018/credentials#VerifiableCredential",
                            "https://example.org/examples#UniversityDegreeCredential",
                        ],
                        ["IdentityCredential"],
                    ]
                },
                "claims": [{"path": ["credentialSubject", "degree", "name"]}],
            }
        ]
    }
    subject = {"credentialSubject": {"degree": {"name": "Bachelor of Science"}}}
    degree = plain(
        "degree",
        "ldp_vc",
        (
            "https://www.w3.org/2018/credentials#VerifiableCredential",
            "https://example.org/examples#UniversityDegreeCredential",
        ),
        subject,
    )
    identity = plain(
        "id", "ldp_vc", ("https://x#VerifiableCredential", "IdentityCredential"), subject
    )
    partial = plain(
        "partial", "ldp_vc", ("https://example.org/examples#UniversityDegreeCredential",), subject
    )
    result = _match(document, degree, identity, partial, pid())
    assert _ids(result, "degree") == ["degree", "id"]


def test_unknown_formats_match_only_with_empty_meta() -> None:
    held = plain("x", "custom_format", ("t",), {"a": 1})
    strict = {"credentials": [{"id": "q", "format": "custom_format", "meta": {"kind": "t"}}]}
    loose = {"credentials": [{"id": "q", "format": "custom_format", "meta": {}}]}
    assert not _match(strict, held).satisfiable
    assert _ids(_match(loose, held), "q") == ["x"]


def test_mdoc_paths_are_exactly_namespace_and_element() -> None:
    """§7.2.1: anything but two strings is an error for mdoc, i.e. no such claim."""
    query = {
        "credentials": [
            {
                "id": "m",
                "format": "mso_mdoc",
                "meta": {"doctype_value": "org.iso.18013.5.1.mDL"},
                "claims": [{"path": ["org.iso.18013.5.1"]}],
            }
        ]
    }
    assert not _match(query, mdl()).satisfiable


# -- credential sets (§6.2, §6.4.2) ---------------------------------------------------------------


def _two_queries(credential_sets: Any) -> dict[str, Any]:
    return {
        "credentials": [
            {"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": [IDENTITY]}},
            {"id": "b", "format": "dc+sd-jwt", "meta": {"vct_values": ["https://other"]}},
        ],
        "credential_sets": credential_sets,
    }


def test_without_credential_sets_every_query_is_required() -> None:
    document = _two_queries(None)
    del document["credential_sets"]
    result = _match(document, pid())
    assert result.queries["a"].required and result.queries["b"].required
    assert not result.satisfiable


def test_optional_credential_set() -> None:
    document = _two_queries([{"options": [["a"]]}, {"options": [["b"]], "required": False}])
    result = _match(document, pid())
    assert result.satisfiable
    assert result.queries["a"].required and not result.queries["b"].required


def test_a_query_in_no_credential_set_is_not_required() -> None:
    result = _match(_two_queries([{"options": [["b"]]}]), pid())
    assert not result.queries["a"].required
    assert not result.satisfiable


def test_a_query_in_both_a_required_and_an_optional_set_is_required() -> None:
    document = _two_queries([{"options": [["a"], ["b"]]}, {"options": [["b"]], "required": False}])
    result = _match(document, pid())
    assert result.queries["b"].required
    assert result.satisfiable


def test_one_credential_may_serve_two_queries() -> None:
    document = {
        "credentials": [
            {
                "id": "names",
                "format": "dc+sd-jwt",
                "meta": {"vct_values": [IDENTITY]},
                "claims": [{"path": ["given_name"]}],
            },
            {
                "id": "birth",
                "format": "dc+sd-jwt",
                "meta": {"vct_values": [IDENTITY]},
                "claims": [{"path": ["birthdate"]}],
            },
        ],
        "credential_sets": [{"options": [["names", "birth"]]}],
    }
    result = _match(document, pid())
    assert result.satisfiable
    assert _ids(result, "names") == _ids(result, "birth") == ["pid-1"]


# -- what the match means for a real presentation --------------------------------------------------


def test_required_claims_present_exactly_the_requested_disclosures() -> None:
    """The requested paths feed sd_jwt.present: only those disclosures go out (§6.4)."""
    held, raw = sd_jwt_vc_credential(
        "real",
        IDENTITY,
        {
            "last_name": "Doe",
            "first_name": "John",
            "secret": "s",
            "address": {"street_address": "x", "locality": "y"},
        },
        [
            ("last_name",),
            ("first_name",),
            ("secret",),
            ("address",),
            ("address", "street_address"),
            ("address", "locality"),
        ],
    )
    candidate = _match(SIMPLE, held).candidates("my_credential")[0]
    presented = sd_jwt.parse_stored(sd_jwt.present(raw, candidate.required_claims))
    assert presented.claims["last_name"] == "Doe"
    assert presented.claims["first_name"] == "John"
    assert presented.claims["address"] == {"street_address": "x"}
    assert "secret" not in presented.claims


def test_the_registry_reads_a_stored_sd_jwt_vc_into_the_same_view() -> None:
    held, raw = sd_jwt_vc_credential("s1", IDENTITY, {"last_name": "Doe"})
    assert registry.read(stored_as("s1", "dc+sd-jwt", raw)) == held
    assert held.disclosable == frozenset({("last_name",)}) and held.top_level == (("last_name",),)
    assert held.holder_binding and held.alg == "ES256"


def test_a_format_the_wallet_does_not_hold_is_refused_with_its_own_code() -> None:
    with pytest.raises(UnsupportedFormatError) as raised:
        registry.read(stored_as("o1", "mso_mdoc", "omdvY19ub3RfcmVhZA"))
    assert raised.value.code == "unsupported_format"


# -- invalid queries -------------------------------------------------------------------------------

BAD_QUERIES: dict[str, Any] = {
    "not an object": [],
    "no credentials": {},
    "empty credentials": {"credentials": []},
    "credentials not an array": {"credentials": {"id": "x"}},
    "credential not an object": {"credentials": ["x"]},
    "id missing": _query(id=None),
    "id empty": _query(id=""),
    "id with a space": _query(id="my credential"),
    "id with a dot": _query(id="a.b"),
    "id non-ascii": _query(id="é"),
    "id not a string": _query(id=7),
    "duplicate ids": {"credentials": [SIMPLE["credentials"][0]] * 2},
    "format missing": _query(format=None),
    "format empty": _query(format=""),
    "format not a string": _query(format=["dc+sd-jwt"]),
    "meta missing": _query(meta=None),
    "meta not an object": _query(meta=[IDENTITY]),
    "vct_values missing": _query(meta={}),
    "vct_values empty": _query(meta={"vct_values": []}),
    "vct_values not strings": _query(meta={"vct_values": [1]}),
    "vct_values a string": _query(meta={"vct_values": IDENTITY}),
    "doctype_value missing": _query(format="mso_mdoc", meta={}),
    "type_values inner not array": _query(format="ldp_vc", meta={"type_values": ["x"]}),
    "type_values empty inner": _query(format="jwt_vc_json", meta={"type_values": [[]]}),
    "multiple not boolean": _query(multiple="true"),
    "binding not boolean": _query(require_cryptographic_holder_binding=1),
    "claims empty": _query(claims=[]),
    "claims not an array": _query(claims={"path": ["a"]}),
    "claim not an object": _query(claims=[["a"]]),
    "claim path missing": _query(claims=[{"id": "a"}]),
    "claim path empty": _query(claims=[{"path": []}]),
    "claim path a string": _query(claims=[{"path": "a"}]),
    "claim path negative index": _query(claims=[{"path": ["a", -1]}]),
    "claim path float": _query(claims=[{"path": ["a", 1.0]}]),
    "claim path boolean": _query(claims=[{"path": ["a", True]}]),
    "claim path object": _query(claims=[{"path": [{"a": 1}]}]),
    "claim id invalid": _query(claims=[{"id": "a b", "path": ["a"]}]),
    "claim ids repeated": _query(claims=[{"id": "a", "path": ["a"]}, {"id": "a", "path": ["b"]}]),
    "values empty": _query(claims=[{"path": ["a"], "values": []}]),
    "values not an array": _query(claims=[{"path": ["a"], "values": "Doe"}]),
    "values object": _query(claims=[{"path": ["a"], "values": [{"x": 1}]}]),
    "values null": _query(claims=[{"path": ["a"], "values": [None]}]),
    "values fraction": _query(claims=[{"path": ["a"], "values": [1.5]}]),
    "intent_to_retain not boolean": _query(claims=[{"path": ["a"], "intent_to_retain": "no"}]),
    "claim_sets without claims": _query(claims=None, claim_sets=[["a"]]),
    "claim_sets unknown id": _query(claims=[{"id": "a", "path": ["a"]}], claim_sets=[["b"]]),
    "claim_sets with an id-less claim": _query(
        claims=[{"id": "a", "path": ["a"]}, {"path": ["b"]}], claim_sets=[["a"]]
    ),
    "claim_sets empty": _query(claims=[{"id": "a", "path": ["a"]}], claim_sets=[]),
    "claim_sets not nested": _query(claims=[{"id": "a", "path": ["a"]}], claim_sets=["a"]),
    "trusted_authorities empty": _query(trusted_authorities=[]),
    "trusted_authorities no values": _query(trusted_authorities=[{"type": "aki"}]),
    "trusted_authorities no type": _query(trusted_authorities=[{"values": ["x"]}]),
    "credential_sets empty": {**SIMPLE, "credential_sets": []},
    "credential_sets not objects": {**SIMPLE, "credential_sets": [["my_credential"]]},
    "credential_set options missing": {**SIMPLE, "credential_sets": [{}]},
    "credential_set options empty": {**SIMPLE, "credential_sets": [{"options": []}]},
    "credential_set option empty": {**SIMPLE, "credential_sets": [{"options": [[]]}]},
    "credential_set unknown id": {**SIMPLE, "credential_sets": [{"options": [["nope"]]}]},
    "credential_set required not boolean": {
        **SIMPLE,
        "credential_sets": [{"options": [["my_credential"]], "required": "no"}],
    },
}


@pytest.mark.parametrize("document", BAD_QUERIES.values(), ids=BAD_QUERIES.keys())
def test_invalid_queries_are_refused(document: Any) -> None:
    with pytest.raises(PresentationRequestError):
        dcql.parse_query(document)


def test_unknown_members_are_ignored_and_integral_floats_are_integers() -> None:
    document = _query(claims=[{"path": ["x"], "values": [5.0], "future": 1}], future={"a": 1})
    document["future_top_level"] = True
    query = dcql.parse_query(document)
    assert query.credentials[0].claims is not None
    assert query.credentials[0].claims[0].values == (5,)
    assert query.credential("my_credential").id == "my_credential"
    with pytest.raises(PresentationRequestError):
        query.credential("missing")


def test_parsed_defaults() -> None:
    query = dcql.parse_query(SIMPLE)
    entry = query.credentials[0]
    assert entry.multiple is False
    assert entry.require_cryptographic_holder_binding is True
    assert entry.claim_sets is None and query.credential_sets is None
    with_sets = dcql.parse_query({**SIMPLE, "credential_sets": [{"options": [["my_credential"]]}]})
    assert with_sets.credential_sets is not None
    assert with_sets.credential_sets[0].required is True


# -- properties ------------------------------------------------------------------------------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=False)
    | st.text(max_size=3)
)
_keys = st.sampled_from(["a", "b", "c", "0"])
_trees = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=25,
)
_components = (
    _keys
    | st.none()
    | st.integers(-2, 5)
    | st.booleans()
    | st.floats(allow_nan=False)
    | st.text(max_size=2)
)


@settings(max_examples=300, deadline=None)
@given(tree=_trees, path=st.lists(_components, max_size=5))
def test_path_processing_raises_only_wallet_errors(tree: Any, path: list[Any]) -> None:
    try:
        selected = claims.select(tree, tuple(path))
    except WalletError:
        return
    for concrete, value in selected:
        assert len(concrete) == len(path) and None not in concrete
        node = tree
        for part in concrete:
            node = node[part]
        assert node is value


@settings(max_examples=200, deadline=None)
@given(
    tree=st.dictionaries(_keys, _trees, max_size=4),
    path=st.lists(_components, max_size=4),
    values=st.lists(_scalars, max_size=3),
)
def test_matching_random_claims_never_raises(tree: Any, path: list[Any], values: list[Any]) -> None:
    entry: dict[str, Any] = {"path": path}
    if values:
        entry["values"] = values
    try:
        query = dcql.parse_query(_query(claims=[entry]))
    except PresentationRequestError:
        return
    held = plain("x", "dc+sd-jwt", (IDENTITY,), tree)
    result = dcql.match(query, [held])
    for candidate in result.candidates("my_credential"):
        for required in candidate.required_claims:
            assert claims.select(tree, required)


@settings(max_examples=200, deadline=None)
@given(
    document=st.recursive(
        _scalars,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "credentials",
                        "id",
                        "format",
                        "meta",
                        "claims",
                        "path",
                        "values",
                        "claim_sets",
                        "credential_sets",
                        "options",
                        "vct_values",
                    ]
                ),
                inner,
                max_size=5,
            )
        ),
        max_leaves=30,
    )
)
def test_parsing_random_documents_raises_only_request_errors(document: Any) -> None:
    with contextlib.suppress(PresentationRequestError):
        dcql.parse_query(document)


def test_a_json_round_trip_of_a_query_parses_the_same() -> None:
    assert dcql.parse_query(json.loads(json.dumps(SIMPLE))) == dcql.parse_query(SIMPLE)


def test_unmet_sets_name_the_required_sets_no_option_of_is_chosen() -> None:
    def unmet(credential_sets: Any, chosen: set[str]) -> int:
        document = _two_queries(credential_sets)
        if credential_sets is None:
            del document["credential_sets"]
        return len(dcql.unmet_sets(dcql.parse_query(document), chosen))

    assert unmet(None, {"a", "b"}) == 0 and unmet(None, {"a"}) == 1
    either = [{"options": [["a"], ["b"]]}]
    assert unmet(either, {"b"}) == 0 and unmet(either, set()) == 1
    optional = [{"options": [["a"]]}, {"options": [["b"]], "required": False}]
    assert unmet(optional, {"a"}) == 0 and unmet(optional, {"b"}) == 1
