"""SD-JWT VC rules, the spec's examples, and interop with the reference implementation."""

from __future__ import annotations

import time
from typing import Any

import pytest
import yaml
from helpers import SHARED

from wallet_core import errors
from wallet_core.crypto import generate
from wallet_core.formats import sd_jwt, sd_jwt_vc

EXAMPLES = SHARED / "vectors" / "ietf-sd-jwt-vc" / "examples"
needs_examples = pytest.mark.skipif(
    not EXAMPLES.is_dir(), reason=f"SD-JWT VC examples absent at {EXAMPLES}"
)
EXAMPLE_NAMES = (
    sorted(p.parent.name for p in EXAMPLES.glob("*/specification.yml")) if EXAMPLES.is_dir() else []
)
ISSUER, HOLDER = generate("ES256"), generate("ES256")
NOW = time.time()


def _example(
    name: str,
) -> tuple[dict[str, Any], list[tuple[Any, ...]], dict[str, Any], dict[str, Any]]:
    from sd_jwt.utils.yaml_specification import _yaml_load_specification
    from sd_jwt_cases import split_sd

    with (EXAMPLES / name / "specification.yml").open() as handle:
        spec = _yaml_load_specification(handle)
    settings = yaml.safe_load((EXAMPLES / "settings.yml").read_text())
    payload, disclosable = split_sd(spec["user_claims"])
    payload.setdefault("iss", settings["identifiers"]["issuer"])
    payload.update(iat=int(NOW), exp=int(NOW) + settings["expiry_seconds"])
    return payload, disclosable, spec, settings


@needs_examples
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_spec_examples_issue_verify_present(name: str) -> None:
    from sd_jwt_cases import public, to_paths

    payload, disclosable, spec, settings = _example(name)
    keys = settings["key_settings"]
    header = {k: v for k, v in spec.get("extra_header_parameters", {}).items() if k != "typ"}
    issued = sd_jwt_vc.issue(
        payload,
        disclosable,
        issuer_key=keys["issuer_key"],
        holder_jwk=public(keys["holder_key"]),
        header=header,
    )
    credential = sd_jwt_vc.verify_issued(
        issued,
        public(keys["issuer_key"]),
        holder_jwk=public(keys["holder_key"]),
        expected_vct=payload["vct"],
    )
    assert credential.vct == payload["vct"] and credential.issuer == payload["iss"]
    assert credential.sd_jwt.header["typ"] == "dc+sd-jwt"
    assert credential.sd_jwt.claims == {**payload, "cnf": {"jwk": public(keys["holder_key"])}}

    chosen = to_paths(spec["holder_disclosed_claims"])
    verifier = settings["identifiers"]["verifier"]
    presentation = sd_jwt.present(issued, chosen, keys["holder_key"], aud=verifier, nonce="n-1")
    shown = sd_jwt_vc.verify_presentation(
        presentation, public(keys["issuer_key"]), aud=verifier, nonce="n-1"
    )
    for path in chosen:
        assert path[0] in shown.claims
    hidden = {path[0] for path in disclosable} - {path[0] for path in chosen}
    assert not hidden & shown.claims.keys()
    assert {"vct", "iss", "cnf", "exp"} <= shown.claims.keys()


@needs_examples
def test_reference_verifies_our_sd_jwt_vc_presentation() -> None:
    from jwcrypto.jwk import JWK
    from sd_jwt.verifier import SDJWTVerifier
    from sd_jwt_cases import public

    payload, disclosable, _, settings = _example("01")
    keys = settings["key_settings"]
    issued = sd_jwt_vc.issue(
        payload, disclosable, issuer_key=keys["issuer_key"], holder_jwk=public(keys["holder_key"])
    )
    presentation = sd_jwt.present(
        issued, [("address",)], keys["holder_key"], aud="https://v", nonce="n"
    )
    verified = SDJWTVerifier(
        presentation,
        lambda iss, header: JWK(**public(keys["issuer_key"])),
        expected_aud="https://v",
        expected_nonce="n",
    ).get_verified_payload()
    assert verified["address"]["locality"] == "Anytown" and "given_name" not in verified


def _issue(
    payload: dict[str, Any],
    disclosable: list[tuple[Any, ...]] = (),
    typ: str = "dc+sd-jwt",
    **kw: Any,
) -> str:
    return sd_jwt.issue(payload, list(disclosable), issuer_key=ISSUER, typ=typ, **kw)


BASE = {
    "iss": "https://hs.example",
    "vct": "https://hs.example/mc",
    "iat": int(NOW),
    "title": "Circular design",
}


def test_legacy_typ_accepted_and_others_refused() -> None:
    assert (
        sd_jwt_vc.verify_issued(_issue(BASE, typ="vc+sd-jwt"), ISSUER.public_jwk).vct == BASE["vct"]
    )
    with pytest.raises(errors.UnexpectedTypeError):
        sd_jwt_vc.verify_issued(_issue(BASE, typ="JWT"), ISSUER.public_jwk)
    with pytest.raises(errors.UnexpectedTypeError):
        sd_jwt_vc.verify_issued(_issue(BASE, typ=None), ISSUER.public_jwk)


def test_vct_required() -> None:
    without = {k: v for k, v in BASE.items() if k != "vct"}
    with pytest.raises(errors.MissingClaimError):
        sd_jwt_vc.verify_issued(_issue(without), ISSUER.public_jwk)
    with pytest.raises(errors.MissingClaimError):
        sd_jwt_vc.issue(without, [], issuer_key=ISSUER)


@pytest.mark.parametrize("claim", sorted(sd_jwt_vc.NEVER_DISCLOSABLE))
def test_claims_that_must_stay_visible(claim: str) -> None:
    values = {
        "status": {"status_list": {"idx": 1, "uri": "https://s"}},
        "vct": BASE["vct"],
        "nbf": int(NOW) - 10,
        "exp": int(NOW) + 3600,
        "cnf": {"jwk": dict(HOLDER.public_jwk)},
        "aka_vcts": ["urn:example:mc"],
    }
    payload = {**BASE, claim: values.get(claim, "x")}
    with pytest.raises(errors.ForbiddenDisclosureError):
        sd_jwt_vc.verify_issued(_issue(payload, [(claim,)]), ISSUER.public_jwk)
    with pytest.raises(errors.ForbiddenDisclosureError):
        sd_jwt_vc.issue(payload, [(claim,)], issuer_key=ISSUER)


def test_holder_binding_must_be_our_key() -> None:
    bound = _issue(BASE, holder_jwk=HOLDER.public_jwk)
    sd_jwt_vc.verify_issued(bound, ISSUER.public_jwk, holder_jwk=HOLDER.public_jwk)
    with pytest.raises(errors.WrongHolderKeyError):
        sd_jwt_vc.verify_issued(bound, ISSUER.public_jwk, holder_jwk=generate().public_jwk)
    with pytest.raises(errors.MissingHolderKeyError):
        sd_jwt_vc.verify_issued(_issue(BASE), ISSUER.public_jwk, holder_jwk=HOLDER.public_jwk)


def test_expected_type_and_aka_vcts() -> None:
    credential = _issue({**BASE, "aka_vcts": ["urn:example:mc"]})
    assert sd_jwt_vc.verify_issued(credential, ISSUER.public_jwk, expected_vct="urn:example:mc")
    with pytest.raises(errors.UnexpectedCredentialTypeError):
        sd_jwt_vc.verify_issued(credential, ISSUER.public_jwk, expected_vct="https://other/type")
    with pytest.raises(errors.MalformedCredentialError):
        sd_jwt_vc.verify_issued(_issue({**BASE, "aka_vcts": [BASE["vct"]]}), ISSUER.public_jwk)


def test_time_checks_with_skew() -> None:
    with pytest.raises(errors.ExpiredCredentialError):
        sd_jwt_vc.verify_issued(
            _issue({**BASE, "exp": int(NOW) - 3600}), ISSUER.public_jwk, now=NOW
        )
    with pytest.raises(errors.NotYetValidError):
        sd_jwt_vc.verify_issued(
            _issue({**BASE, "nbf": int(NOW) + 3600}), ISSUER.public_jwk, now=NOW
        )
    with pytest.raises(errors.NotYetValidError):
        sd_jwt_vc.verify_issued(
            _issue({**BASE, "iat": int(NOW) + 3600}), ISSUER.public_jwk, now=NOW
        )
    # a few seconds of clock difference between issuer and phone are fine
    fine = {**BASE, "iat": int(NOW) + 20, "nbf": int(NOW) + 20, "exp": int(NOW) - 20}
    credential = sd_jwt_vc.verify_issued(_issue(fine), ISSUER.public_jwk, now=NOW)
    assert credential.expires_at is not None and credential.not_before is not None


def test_issuer_sent_key_binding_is_refused() -> None:
    issued = _issue(BASE, [("title",)], holder_jwk=HOLDER.public_jwk)
    with_kb = sd_jwt.present(issued, [("title",)], HOLDER, aud="x", nonce="y")
    with pytest.raises(errors.UnexpectedKeyBindingError):
        sd_jwt_vc.verify_issued(with_kb, ISSUER.public_jwk)


def test_subject_claims_hide_bookkeeping() -> None:
    credential = sd_jwt_vc.read_stored(
        _issue({**BASE, "status": {"status_list": {"idx": 0, "uri": "https://s"}}})
    )
    assert credential.subject_claims() == {"title": "Circular design"}
    assert credential.status == {"status_list": {"idx": 0, "uri": "https://s"}}


def test_time_claims_out_of_any_calendar_are_malformed() -> None:
    with pytest.raises(errors.MalformedCredentialError):
        sd_jwt_vc.verify_issued(_issue({**BASE, "exp": 10**20}), ISSUER.public_jwk)
