"""The format seam: one registry answers for every format identifier (docs/decisions/0006)."""

from __future__ import annotations

import pytest
from oid4vp.match_fixtures import stored_as

from wallet_core.crypto import generate
from wallet_core.errors import (
    MalformedCredentialError,
    PresentationRequestError,
    UnexpectedCredentialTypeError,
    UnsupportedFormatError,
)
from wallet_core.formats import registry, rules, sd_jwt_vc
from wallet_core.formats.seam import CredentialFormat, DisplaySource, IssuerKeys

ISSUER = generate("ES256")


def _no_assertion_keys(*_: object) -> object:
    raise AssertionError("an SD-JWT VC has no assertion methods")


def _issued(**extra: object) -> str:
    payload = {"iss": "https://hs.example", "vct": "https://hs.example/mc", "title": "X"}
    return sd_jwt_vc.issue({**payload, **extra}, [("title",)], issuer_key=ISSUER)


def test_both_names_of_sd_jwt_vc_are_one_format_and_the_w3c_formats_are_their_own() -> None:
    assert registry.format_for("dc+sd-jwt") is registry.format_for("vc+sd-jwt")
    assert registry.answers("dc+sd-jwt", "vc+sd-jwt") and registry.answers("vc+sd-jwt", "dc+sd-jwt")
    assert not registry.answers("dc+sd-jwt", "jwt_vc_json")
    assert not registry.answers("jwt_vc", "jwt_vc_json")  # a draft name is its own format
    assert [f.identifiers for f in registry.HELD] == [
        frozenset({"dc+sd-jwt", "vc+sd-jwt"}),
        frozenset({"jwt_vc_json"}),
        frozenset({"ldp_vc"}),
    ]
    assert registry.vp_formats_supported() == {
        "dc+sd-jwt": {
            "sd-jwt_alg_values": ["ES256", "EdDSA"],
            "kb-jwt_alg_values": ["ES256", "EdDSA"],
        },
        "jwt_vc_json": {"alg_values": ["ES256", "EdDSA", "RS256"]},
        "ldp_vc": {
            "proof_type_values": ["DataIntegrityProof", "Ed25519Signature2020"],
            "cryptosuite_values": ["eddsa-rdfc-2022", "ecdsa-rdfc-2019"],
        },
    }


def test_known_formats_have_rules_but_are_refused_for_holding() -> None:
    for identifier in ("mso_mdoc", "jwt_vc_json-ld", "jwt_vc"):
        assert identifier in registry.rules_for(identifier).identifiers
        assert not registry.is_held(identifier)
        with pytest.raises(UnsupportedFormatError):
            registry.format_for(identifier)
    assert registry.rules_for("no-such-format") is rules.UNKNOWN


def test_each_format_parses_its_own_dcql_meta() -> None:
    vct = registry.rules_for("dc+sd-jwt").type_filter({"vct_values": ["a", "b"]}, "meta")
    assert vct.accepts(["b"]) and not vct.accepts(["c"])
    doctype = registry.rules_for("mso_mdoc").type_filter(
        {"doctype_value": "org.iso.18013.5.1.mDL"}, "m"
    )
    assert doctype.accepts(["org.iso.18013.5.1.mDL"])
    w3c = registry.rules_for("ldp_vc").type_filter({"type_values": [["A", "B"], ["C"]]}, "m")
    assert w3c.accepts(["A", "B", "X"]) and w3c.accepts(["C"]) and not w3c.accepts(["A"])
    unknown = registry.rules_for("no-such-format")
    assert unknown.type_filter({}, "m").accepts([]) and not unknown.type_filter(
        {"x": 1}, "m"
    ).accepts([])
    for identifier, bad in (("dc+sd-jwt", {}), ("mso_mdoc", {"doctype_value": 7}), ("ldp_vc", {})):
        with pytest.raises(PresentationRequestError):
            registry.rules_for(identifier).type_filter(bad, "meta")


def test_bookkeeping_and_pointer_rules_follow_the_format() -> None:
    sd = registry.rules_for("dc+sd-jwt")
    assert (
        sd.is_bookkeeping(("vct",))
        and sd.is_bookkeeping(("cnf", "jwk"))
        and not sd.is_bookkeeping(("title",))
    )
    jwt_vc = registry.rules_for("jwt_vc_json")
    assert jwt_vc.is_bookkeeping(("vc", "issuer")) and not jwt_vc.is_bookkeeping(
        ("vc", "credentialSubject")
    )
    assert jwt_vc.is_bookkeeping(("exp",)) and not registry.rules_for("ldp_vc").is_bookkeeping(
        ("exp",)
    )
    mdoc = registry.rules_for("mso_mdoc")
    assert mdoc.pointer_allowed(("ns", "element")) and not mdoc.pointer_allowed(("ns",))
    assert not mdoc.pointer_allowed(("ns", 0))


def test_sd_jwt_vc_on_the_seam_verifies_reads_and_says_where_its_status_and_type_are() -> None:
    fmt: CredentialFormat = registry.format_for("dc+sd-jwt")
    text = _issued(status={"status_list": {"idx": 3, "uri": "https://hs.example/status/1"}})
    keys = IssuerKeys(lambda header, payload: ISSUER.public_jwk, _no_assertion_keys)
    verified = fmt.verify_issued(text, keys, expected_types=(), now=1.8e9)
    assert verified.raw == text and verified.type == "https://hs.example/mc"
    assert verified.issuer == "https://hs.example" and verified.holder_jwk is None
    with pytest.raises(MalformedCredentialError):  # a JSON object is not an SD-JWT VC
        fmt.verify_issued({"vct": "x"}, keys, expected_types=(), now=0)
    with pytest.raises(UnexpectedCredentialTypeError):
        fmt.verify_issued(text, keys, expected_types=("https://hs.example/other",), now=1.8e9)
    held = registry.read(stored_as("c1", "dc+sd-jwt", text))
    reference = fmt.status_reference(held)
    assert reference is not None and (reference.idx, reference.uri) == (
        3,
        "https://hs.example/status/1",
    )
    assert fmt.display_source(held) == DisplaySource(type_metadata="https://hs.example/mc")
    assert held.top_level == (("title",),)
