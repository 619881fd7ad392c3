"""SD-JWT against the official material in ../shared/vectors (skipped when it is absent)."""

from __future__ import annotations

import json

import pytest
from helpers import SHARED
from sd_jwt_cases import CASE_NAMES, as_json, load, needs_testcases, public, without_cnf

from wallet_core import MalformedCredentialError
from wallet_core.formats import sd_jwt
from wallet_core.formats.disclosures import b64url_decode, digest_of
from wallet_core.formats.key_binding import sd_hash


@needs_testcases
@pytest.mark.parametrize("name", CASE_NAMES)
@pytest.mark.parametrize("form", ["compact", "flattened", "general"])
def test_sd_jwt_python_case_round_trip(name: str, form: str) -> None:
    """Issue the case's claims, present its choice, verify: the expected claims come out."""
    case = load(name)
    header = case.extra_header
    if not isinstance(header.get("kid", ""), str):
        # header_mod uses kid: 42; RFC 7515 §4.1.4 makes kid a string, and so do we
        with pytest.raises(MalformedCredentialError):
            sd_jwt.issue(case.payload, issuer_key=case.issuer_keys[0], header=header)
        header = {**header, "kid": str(header["kid"])}
    issued = sd_jwt.issue(
        case.payload,
        case.disclosable,
        issuer_key=case.issuer_keys[0],
        holder_jwk=public(case.holder_key) if case.key_binding else None,
        decoys=3 if case.decoys else 0,
        header=header,
    )
    assert sd_jwt.parse_stored(issued).header.items() >= header.items()
    if form != "compact":
        issued = as_json(issued, form)
    holder_key = case.holder_key if case.key_binding else None
    presentation = sd_jwt.present(
        issued, case.disclose, holder_key, aud=case.verifier, nonce=case.nonce, iat=case.iat
    )
    if form != "compact":
        assert json.loads(presentation).get("payload")  # went out the way it came in
    aud, nonce = (case.verifier, case.nonce) if case.key_binding else (None, None)
    claims = sd_jwt.verify(presentation, public(case.issuer_keys[0]), aud, nonce, now=case.iat + 5)
    assert without_cnf(claims) == case.expected


@needs_testcases
@pytest.mark.parametrize("name", CASE_NAMES)
def test_sd_jwt_python_case_holder_view(name: str) -> None:
    """With every disclosure, the holder sees all the claims, and the structure is reported."""
    case = load(name)
    issued = sd_jwt.issue(case.payload, case.disclosable, issuer_key=case.issuer_keys[0])
    parsed = sd_jwt.parse_verified(issued, public(case.issuer_keys[0]), now=case.iat)
    assert parsed.claims == case.payload
    assert sorted(map(repr, (c.path for c in parsed.disclosable))) == sorted(
        map(repr, case.disclosable)
    )
    for claim in parsed.nested:
        assert claim.path[: len(claim.parent or ())] == claim.parent


RFC = SHARED / "vectors" / "ietf-sd-jwt"
needs_rfc = pytest.mark.skipif(not RFC.is_dir(), reason=f"RFC 9901 vectors absent at {RFC}")


def _rfc_keys() -> tuple[dict, dict]:
    import yaml

    settings = yaml.safe_load((RFC / "examples" / "settings.yml").read_text())
    return public(settings["key_settings"]["issuer_keys"][0]), settings["key_settings"][
        "holder_key"
    ]


@needs_rfc
def test_rfc9901_main_example_byte_for_byte() -> None:
    issuer_key, holder_key = _rfc_keys()
    example = RFC / "rfc9901-main-example"
    issuance = (example / "sd_jwt_issuance.txt").read_text().strip()
    presentation = (example / "sd_jwt_kb_presentation.txt").read_text().strip()
    jwt = (example / "issuer_signed_jwt.txt").read_text().strip()
    assert issuance.startswith(jwt + "~")

    parsed = sd_jwt.parse_verified(issuance, issuer_key, now=1748536865)
    assert len(parsed.disclosures) == 10
    assert parsed.claims["address"]["locality"] == "Anytown"
    assert parsed.claims["nationalities"] == ["US", "DE"]
    referenced = set(parsed.payload["_sd"]) | {
        item["..."] for item in parsed.payload["nationalities"]
    }
    assert {digest_of(d.encoded) for d in parsed.disclosures} <= referenced

    kb_start = presentation.rindex("~") + 1
    assert (
        sd_hash(presentation[:kb_start], "sha-256") == "fMV05vuMARs3uG0Dg0BYd_7mQR9EGBkRof0cTZyuqXE"
    )
    claims = sd_jwt.verify(
        presentation,
        issuer_key,
        aud="https://verifier.example.org",
        nonce="1234567890",
        now=1748536865,
    )
    assert claims["nationalities"] == ["US"]
    assert {"given_name", "family_name", "address"} <= claims.keys()
    assert "email" not in claims and "birthdate" not in claims

    # the same choice made by our holder gives the same SD-JWT, byte for byte
    ours = sd_jwt.present(
        issuance,
        [("family_name",), ("address",), ("given_name",), ("nationalities", 0)],
        holder_key,
        aud="https://verifier.example.org",
        nonce="1234567890",
        iat=1748536865,
    )
    assert ours[: ours.rindex("~") + 1] == presentation[:kb_start]
    kb_payload = json.loads(b64url_decode(ours[kb_start:].split(".")[1]))
    rfc_kb_payload = json.loads(b64url_decode(presentation[kb_start:].split(".")[1]))
    assert kb_payload == rfc_kb_payload
    sd_jwt.verify(
        ours, issuer_key, aud="https://verifier.example.org", nonce="1234567890", now=1748536870
    )
