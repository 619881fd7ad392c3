"""Interoperability with the reference implementation (PyPI ``sd-jwt``), both directions.

Our issuer and verifier share code, so agreeing with each other proves little; here the
reference issues and verifies against us, for every sd-jwt-python test case.
"""

from __future__ import annotations

import json
import time

import pytest
from sd_jwt_cases import CASE_NAMES, Case, load, needs_testcases, public, without_cnf

from wallet_core.formats import sd_jwt

reference = pytest.importorskip("sd_jwt.issuer", reason="the reference sd-jwt package is missing")
from jwcrypto.jwk import JWK  # noqa: E402
from sd_jwt.holder import SDJWTHolder  # noqa: E402
from sd_jwt.issuer import SDJWTIssuer  # noqa: E402
from sd_jwt.verifier import SDJWTVerifier  # noqa: E402


def _jwk(key: dict) -> JWK:
    return JWK(**{k: v for k, v in key.items() if k != "kid"})


def _reference_issue(case: Case, serialization: str) -> str:
    return SDJWTIssuer(
        case.user_claims,
        _jwk(case.issuer_keys[0]),
        holder_key=_jwk(case.holder_key) if case.key_binding else None,
        add_decoy_claims=case.decoys,
        serialization_format=serialization,
        extra_header_parameters={"typ": "dc+sd-jwt"},
    ).sd_jwt_issuance


def _reference_verify(case: Case, presentation: str, serialization: str) -> dict:
    def issuer_key(issuer: str, header: dict) -> JWK:
        assert issuer == case.issuer
        return _jwk(public(case.issuer_keys[0]))

    kwargs = (
        {"expected_aud": case.verifier, "expected_nonce": case.nonce} if case.key_binding else {}
    )
    verifier = SDJWTVerifier(presentation, issuer_key, serialization_format=serialization, **kwargs)
    return verifier.get_verified_payload()


@needs_testcases
@pytest.mark.parametrize("name", CASE_NAMES)
@pytest.mark.parametrize("serialization", ["compact", "json"])
def test_reference_issues_we_verify_and_present_it_verifies(name: str, serialization: str) -> None:
    case = load(name, now=time.time())
    issued = _reference_issue(case, serialization)
    # as the holder: all disclosures processed, nothing lost
    parsed = sd_jwt.parse_verified(issued, public(case.issuer_keys[0]))
    assert without_cnf(parsed.claims) == case.payload
    assert sd_jwt.verify(issued, public(case.issuer_keys[0]), reject_key_binding=True)
    # we present; the reference verifies our presentation
    holder_key = case.holder_key if case.key_binding else None
    presentation = sd_jwt.present(
        issued, case.disclose, holder_key, aud=case.verifier, nonce=case.nonce
    )
    assert without_cnf(_reference_verify(case, presentation, serialization)) == case.expected
    # and so do we
    aud, nonce = (case.verifier, case.nonce) if case.key_binding else (None, None)
    claims = sd_jwt.verify(presentation, public(case.issuer_keys[0]), aud, nonce)
    assert without_cnf(claims) == case.expected


@needs_testcases
@pytest.mark.parametrize("name", CASE_NAMES)
def test_we_issue_reference_presents_and_verifies(name: str) -> None:
    case = load(name, now=time.time())
    issued = sd_jwt.issue(
        case.payload,
        case.disclosable,
        issuer_key=case.issuer_keys[0],
        holder_jwk=public(case.holder_key) if case.key_binding else None,
        decoys=2 if case.decoys else 0,
    )
    holder = SDJWTHolder(issued)
    holder.create_presentation(
        case.holder_disclosed,
        nonce=case.nonce if case.key_binding else None,
        aud=case.verifier if case.key_binding else None,
        holder_key=_jwk(case.holder_key) if case.key_binding else None,
    )
    presentation = holder.sd_jwt_presentation
    assert without_cnf(_reference_verify(case, presentation, "compact")) == case.expected
    aud, nonce = (case.verifier, case.nonce) if case.key_binding else (None, None)
    claims = sd_jwt.verify(presentation, public(case.issuer_keys[0]), aud, nonce)
    assert without_cnf(claims) == case.expected


@needs_testcases
def test_reference_verifier_rejects_what_we_withheld() -> None:
    """A claim we did not disclose cannot be recovered by the reference verifier either."""
    case = load("key_binding", now=time.time())
    issued = sd_jwt.issue(
        case.payload,
        case.disclosable,
        issuer_key=case.issuer_keys[0],
        holder_jwk=public(case.holder_key),
    )
    presentation = sd_jwt.present(
        issued, [("given_name",)], case.holder_key, aud=case.verifier, nonce=case.nonce
    )
    payload = _reference_verify(case, presentation, "compact")
    assert "given_name" in payload and "email" not in payload and "address" not in payload
    assert "johndoe@example.com" not in presentation and json.dumps("Anytown") not in presentation
