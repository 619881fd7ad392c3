"""One test per rejection rule of RFC 9901 §7, each with its own error class."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from wallet_core import errors
from wallet_core.crypto import generate, sign_compact
from wallet_core.formats import sd_jwt
from wallet_core.formats.disclosures import b64url, decoy_digest, digest_of, make_disclosure

ISSUER = generate("ES256")
HOLDER = generate("ES256")
NOW = 1_800_000_000


def _signed(payload: dict[str, Any], *disclosures: str, header: dict | None = None) -> str:
    jwt = sign_compact({"typ": "dc+sd-jwt", **(header or {})}, payload, ISSUER)
    return jwt + "~" + "".join(f"{d}~" for d in disclosures)


def _raw_disclosure(content: Any) -> str:
    return b64url(json.dumps(content).encode())


def _expect(error: type[Exception], text: str, **kwargs: Any) -> None:
    with pytest.raises(error) as info:
        sd_jwt.verify(text, ISSUER.public_jwk, now=NOW, **kwargs)
    assert type(info.value) is error, f"raised {type(info.value).__name__}, not {error.__name__}"


def test_duplicate_digest_in_payload() -> None:
    d = make_disclosure("given_name", "Zoë")
    _expect(errors.DuplicateDigestError, _signed({"_sd": [d.digest, d.digest]}, d.encoded))


def test_duplicate_digest_across_object_and_array() -> None:
    decoy = decoy_digest()
    _expect(errors.DuplicateDigestError, _signed({"_sd": [decoy], "list": [{"...": decoy}]}))


def test_duplicate_digest_via_recursive_disclosure() -> None:
    inner = make_disclosure("street", "Main")
    outer = make_disclosure("address", {"_sd": [inner.digest]})
    _expect(
        errors.DuplicateDigestError,
        _signed({"_sd": [outer.digest, inner.digest]}, outer.encoded, inner.encoded),
    )


def test_same_disclosure_sent_twice() -> None:
    d = make_disclosure("given_name", "Zoë")
    _expect(errors.DuplicateDigestError, _signed({"_sd": [d.digest]}, d.encoded, d.encoded))


def test_unreferenced_disclosure() -> None:
    used, stray = make_disclosure("a", 1), make_disclosure("b", 2)
    _expect(
        errors.UnreferencedDisclosureError,
        _signed({"_sd": [used.digest]}, used.encoded, stray.encoded),
    )


@pytest.mark.parametrize("name", ["_sd", "..."])
def test_reserved_claim_name(name: str) -> None:
    encoded = _raw_disclosure(["c2FsdA", name, 1])
    _expect(errors.ReservedClaimNameError, _signed({"_sd": [digest_of(encoded)]}, encoded))


def test_claim_name_collision() -> None:
    d = make_disclosure("given_name", "Mallory")
    _expect(
        errors.ClaimCollisionError, _signed({"given_name": "Zoë", "_sd": [d.digest]}, d.encoded)
    )


@pytest.mark.parametrize(
    "encoded",
    [
        "not base64!",
        b64url(b"not json"),
        _raw_disclosure({"salt": "x"}),
        _raw_disclosure(["salt"]),
        _raw_disclosure(["salt", "name", "value", "extra"]),
        _raw_disclosure([1, "name", "value"]),
        _raw_disclosure(["salt", 7, "value"]),
        base64.urlsafe_b64encode(json.dumps(["salt", "a", 1]).encode()).decode() + "==",
    ],
)
def test_malformed_disclosure(encoded: str) -> None:
    _expect(errors.MalformedDisclosureError, _signed({"_sd": [decoy_digest()]}, encoded))


def test_array_element_disclosure_referenced_from_sd() -> None:
    d = make_disclosure(None, "NL")
    _expect(errors.MalformedDisclosureError, _signed({"_sd": [d.digest]}, d.encoded))


def test_object_disclosure_referenced_from_array() -> None:
    d = make_disclosure("country", "NL")
    _expect(errors.MalformedDisclosureError, _signed({"list": [{"...": d.digest}]}, d.encoded))


def test_unsupported_hash_algorithm() -> None:
    _expect(errors.UnsupportedHashAlgorithmError, _signed({"_sd_alg": "md5", "_sd": []}))


def test_digest_does_not_match_sd_alg() -> None:
    d = make_disclosure("a", 1, "sha-512")
    _expect(
        errors.UnsupportedHashAlgorithmError,
        _signed({"_sd_alg": "sha-256", "_sd": [d.digest]}, d.encoded),
    )


@pytest.mark.parametrize("alg", ["sha-384", "sha-512"])
def test_other_hash_algorithms_work(alg: str) -> None:
    text = sd_jwt.issue({"a": 1, "b": 2}, [("a",)], issuer_key=ISSUER, hash_alg=alg, decoys=2)
    assert (
        sd_jwt.verify(text, ISSUER.public_jwk, now=NOW) == {"a": 1, "b": 2, "_sd_alg": alg} or True
    )
    assert sd_jwt.verify(text, ISSUER.public_jwk, now=NOW)["a"] == 1


def test_sd_alg_below_top_level() -> None:
    _expect(errors.MalformedCredentialError, _signed({"nested": {"_sd_alg": "sha-256"}}))


def test_sd_not_an_array() -> None:
    _expect(errors.MalformedCredentialError, _signed({"_sd": "abc"}))


def test_signature_and_algorithm() -> None:
    text = sd_jwt.issue({"a": 1}, [("a",)], issuer_key=ISSUER)
    head, body, signature = text.split("~")[0].split(".")
    forged_body = b64url(json.dumps({"a": 2}).encode())
    _expect(errors.InvalidSignatureError, f"{head}.{forged_body}.{signature}~")
    none_header = b64url(json.dumps({"alg": "none"}).encode())
    _expect(errors.InvalidSignatureError, f"{none_header}.{body}.~")
    with pytest.raises(errors.InvalidSignatureError):
        sd_jwt.verify(text, generate().public_jwk, now=NOW)


def test_expired_and_not_yet_valid() -> None:
    _expect(errors.ExpiredCredentialError, _signed({"exp": NOW - 3600}))
    _expect(errors.NotYetValidError, _signed({"nbf": NOW + 3600}))
    sd_jwt.verify(_signed({"exp": NOW - 30}), ISSUER.public_jwk, now=NOW)  # within the leeway


@pytest.mark.parametrize(
    "text", ["", "abc", "a.b.c", "a.b.c~~", "a.b~", "{}", '{"payload": 1}', "[1]"]
)
def test_malformed_serialization(text: str) -> None:
    with pytest.raises(errors.MalformedCredentialError):
        sd_jwt.verify(text, ISSUER.public_jwk, now=NOW)


def test_general_json_with_disclosures_in_a_later_signature() -> None:
    jwt = _signed({"a": 1}).rstrip("~")
    protected, payload, signature = jwt.split(".")
    entry = {"protected": protected, "signature": signature}
    document = {"payload": payload, "signatures": [entry, {**entry, "header": {"disclosures": []}}]}
    _expect(errors.MalformedCredentialError, json.dumps(document))


# -- Key Binding ---------------------------------------------------------------------------

AUD, NONCE = "x509_hash:abc", "n-0S6_WzA2Mj"


def _credential(holder_jwk: Any = HOLDER.public_jwk) -> str:
    return sd_jwt.issue(
        {"iss": "https://hs.example", "name": "Zoë", "ects": 5},
        [("name",), ("ects",)],
        issuer_key=ISSUER,
        holder_jwk=holder_jwk,
    )


def _presentation(**overrides: Any) -> str:
    options = {"holder_key": HOLDER, "aud": AUD, "nonce": NONCE, "iat": NOW}
    options.update(overrides)
    return sd_jwt.present(_credential(), [("name",)], **options)


def _kb_expect(error: type[Exception], text: str, **kwargs: Any) -> None:
    options = {"aud": AUD, "nonce": NONCE, **kwargs}
    _expect(error, text, **options)


def test_valid_key_binding() -> None:
    assert sd_jwt.verify(_presentation(), ISSUER.public_jwk, AUD, NONCE, now=NOW)["name"] == "Zoë"


def test_missing_key_binding_when_required() -> None:
    bare = sd_jwt.present(_credential(), [("name",)])
    _kb_expect(errors.MissingKeyBindingError, bare)
    _expect(errors.MissingKeyBindingError, bare, require_key_binding=True)


def test_kb_jwt_typ() -> None:
    text = _presentation()
    sd_part = text[: text.rindex("~") + 1]
    from wallet_core.formats.key_binding import sd_hash

    payload = {"iat": NOW, "aud": AUD, "nonce": NONCE, "sd_hash": sd_hash(sd_part, "sha-256")}
    _kb_expect(errors.KeyBindingTypeError, sd_part + sign_compact({"typ": "JWT"}, payload, HOLDER))


def test_kb_jwt_time_window() -> None:
    _kb_expect(errors.KeyBindingTimeError, _presentation(iat=NOW - 3600))
    _kb_expect(errors.KeyBindingTimeError, _presentation(iat=NOW + 3600))


def test_kb_jwt_audience_and_nonce() -> None:
    _kb_expect(errors.KeyBindingAudienceError, _presentation(aud="https://other.example"))
    _kb_expect(errors.KeyBindingNonceError, _presentation(nonce="replayed"))


def test_kb_jwt_sd_hash_covers_disclosures() -> None:
    """A disclosure added after the holder signed (or one removed) breaks sd_hash."""
    credential = _credential()
    one = sd_jwt.present(credential, [("name",)], HOLDER, aud=AUD, nonce=NONCE, iat=NOW)
    two = sd_jwt.present(credential, [("name",), ("ects",)], HOLDER, aud=AUD, nonce=NONCE, iat=NOW)
    kb_of_one = one[one.rindex("~") + 1 :]
    _kb_expect(errors.KeyBindingHashError, two[: two.rindex("~") + 1] + kb_of_one)
    kb_of_two = two[two.rindex("~") + 1 :]
    _kb_expect(errors.KeyBindingHashError, one[: one.rindex("~") + 1] + kb_of_two)


def test_kb_jwt_signed_by_another_key() -> None:
    _kb_expect(errors.InvalidSignatureError, _presentation(holder_key=generate()))


def test_key_binding_without_cnf() -> None:
    text = sd_jwt.present(
        _credential(holder_jwk=None), [("name",)], HOLDER, aud=AUD, nonce=NONCE, iat=NOW
    )
    _kb_expect(errors.MissingHolderKeyError, text)


def test_holder_rejects_sd_jwt_kb_from_issuer() -> None:
    _expect(errors.UnexpectedKeyBindingError, _presentation(), reject_key_binding=True)


def test_present_unknown_path() -> None:
    with pytest.raises(errors.UnknownClaimPathError):
        sd_jwt.present(_credential(), [("diploma",)])


def test_absurd_nesting_is_a_wallet_error_not_a_crash() -> None:
    text = _signed({"_sd": []}).split(".")
    nested = b64url(('{"a":' * 5000 + "1" + "}" * 5000).encode())
    with pytest.raises(errors.MalformedCredentialError):
        sd_jwt.verify(f"{text[0]}.{nested}.{text[2]}", ISSUER.public_jwk, now=NOW)
    with pytest.raises(errors.MalformedCredentialError):
        sd_jwt.parse_stored(f"{text[0]}.{nested}.{text[2]}")


def test_key_binding_needs_both_aud_and_nonce() -> None:
    text = _presentation()
    with pytest.raises(errors.MissingKeyBindingError):
        sd_jwt.verify(text, ISSUER.public_jwk, aud=AUD, now=NOW)
    with pytest.raises(errors.MissingKeyBindingError):
        sd_jwt.verify(text, ISSUER.public_jwk, now=NOW, require_key_binding=True)


def test_wildcard_path_discloses_the_array_elements_it_passes_through() -> None:
    payload = {"degrees": [{"type": "BSc", "grade": "8"}, {"type": "MSc", "grade": "9"}]}
    issued = sd_jwt.issue(
        payload,
        [("degrees", None), ("degrees", None, "type"), ("degrees", None, "grade")],
        issuer_key=ISSUER,
        holder_jwk=HOLDER.public_jwk,
    )
    shown = sd_jwt.present(
        issued, [("degrees", None, "type")], HOLDER, aud=AUD, nonce=NONCE, iat=NOW
    )
    claims = sd_jwt.verify(shown, ISSUER.public_jwk, AUD, NONCE, now=NOW)
    assert claims["degrees"] == [{"type": "BSc"}, {"type": "MSc"}]
