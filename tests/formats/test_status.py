"""Status lists: IETF Token Status List (JWT) and W3C Bitstring Status List.

Official vectors from ../shared when present; otherwise those tests skip. The encoders
below exist only here (the product only decodes).
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import re
import zlib
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers import SHARED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wallet_core.crypto import generate, sign_compact
from wallet_core.errors import (
    ExpiredCredentialError,
    InvalidSignatureError,
    MalformedCredentialError,
    MissingClaimError,
    NotYetValidError,
    StatusIndexError,
    StatusListError,
    UnexpectedTypeError,
    WalletError,
)
from wallet_core.formats import status
from wallet_core.formats.status import (
    BitstringStatusEntry,
    CachePolicy,
    StatusList,
    StatusListReference,
    StatusResult,
)
from wallet_core.models import CredentialStatus, StatusState

VECTORS = SHARED / "vectors" / "ietf-status-list"
EXAMPLES = VECTORS / "examples"
needs_vectors = pytest.mark.skipif(
    not VECTORS.is_dir(), reason=f"official status-list vectors not found at {VECTORS}"
)

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- encoders (test-only) ----------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def pack_lsb(values: Mapping[int, int], bits: int, entries: int) -> bytes:
    """Token Status List byte array (§4.1): LSB-first inside each byte."""
    per_byte = 8 // bits
    out = bytearray(-(-entries * bits // 8))
    for index, value in values.items():
        out[index // per_byte] |= value << ((index % per_byte) * bits)
    return bytes(out)


def encode_lst(data: bytes) -> str:
    return b64url(zlib.compress(data, 9))


def make_lst(values: list[int], bits: int) -> str:
    return encode_lst(pack_lsb(dict(enumerate(values)), bits, len(values)))


def pack_msb(values: Mapping[int, int], size: int, entries: int) -> bytes:
    """W3C bitstring: index 0 is the left-most bit; a value's bits read left to right."""
    total = -(-entries * size // 8) * 8
    acc = 0
    for index, value in values.items():
        acc |= value << (total - (index + 1) * size)
    return acc.to_bytes(total // 8, "big")


def encode_list(data: bytes) -> str:
    return "u" + b64url(gzip.compress(data, mtime=0))


# -- Token Status List: official vectors -------------------------------------------------


def _vectors() -> list[dict[str, Any]]:
    return json.loads((VECTORS / "test_vectors_parsed.json").read_text())  # type: ignore[no-any-return]


@needs_vectors
@pytest.mark.parametrize("position", range(4))
def test_official_vectors_every_index(position: int) -> None:
    vector = _vectors()[position]
    bits, entries = vector["bits"], vector["size_entries"]
    expected = {int(index): value for index, value in vector["expected_nonzero"].items()}
    decoded = status.decode_lst(vector["lst"], bits)
    assert decoded.bits == bits
    assert len(decoded) == entries
    for index, value in expected.items():
        assert decoded.value(index) == value, index
        assert decoded.state(index) == status.status_state(value)
    # Every other index is 0: compare the whole byte array with an independent packing.
    assert decoded.data == pack_lsb(expected, bits, entries)
    # Neighbours of set entries, read through value(), are 0 unless listed.
    for index in expected:
        for near in (index - 1, index + 1):
            if 0 <= near < entries and near not in expected:
                assert decoded.value(near) == 0
    with pytest.raises(StatusIndexError):
        decoded.value(entries)


@needs_vectors
def test_official_vectors_match_the_example_files() -> None:
    for vector in _vectors():
        example = _example_json(EXAMPLES / vector["source_file"])
        assert example["bits"] == vector["bits"]
        assert example["lst"] == vector["lst"]


def _example_json(path: Path) -> dict[str, Any]:
    """The JSON object in an example file; the long ``lst`` values are line-wrapped."""
    text = path.read_text()
    body = re.sub(r"\s+", "", text[text.index("{") : text.rindex("}") + 1])
    return json.loads(body)  # type: ignore[no-any-return]


@needs_vectors
@pytest.mark.parametrize(
    ("name", "bits"), [("status_list_encoding_json.md", 1), ("status_list_encoding2_json.md", 2)]
)
def test_example_files_with_byte_arrays(name: str, bits: int) -> None:
    text = (EXAMPLES / name).read_text()
    match = re.search(r"byte_array = \[([^\]]*)\]", text)
    assert match
    byte_array = bytes(int(item, 16) for item in match.group(1).split(","))
    example = _example_json(EXAMPLES / name)
    decoded = status.decode_status_list(example)
    assert decoded.bits == bits
    assert decoded.data == byte_array


# §4.1: the two worked examples (statuses and compressed hex) from the spec text.
SPEC_1BIT = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]
SPEC_2BIT = [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]


@pytest.mark.parametrize(
    ("hex_stream", "bits", "values", "raw"),
    [
        ("78dadbb918000217015d", 1, SPEC_1BIT, "b9a3"),
        ("78da3be9f2130003df0207", 2, SPEC_2BIT, "c944f9"),
    ],
)
def test_spec_text_examples(hex_stream: str, bits: int, values: list[int], raw: str) -> None:
    decoded = status.decode_lst(b64url(bytes.fromhex(hex_stream)), bits)
    assert decoded.data.hex() == raw
    assert [decoded.value(i) for i in range(len(decoded))] == values
    assert pack_lsb(dict(enumerate(values)), bits, len(values)).hex() == raw


@needs_vectors
def test_jwt_example_resigned_verifies() -> None:
    """status_list_jwt.md, signed with our key (the example's key is not published)."""
    text = (EXAMPLES / "status_list_jwt.md").read_text()
    header_text, payload_text = text.split("\n.\n")
    header, payload = json.loads(header_text), json.loads(payload_text)
    signer = generate("ES256")
    token = sign_compact(header, payload, signer)
    issued = datetime.fromtimestamp(payload["iat"], UTC)
    verified = status.verify_status_list_token(
        token, uri=payload["sub"], issuer_key=signer.public_jwk, now=issued
    )
    assert verified.ttl == timedelta(hours=12)
    assert verified.valid_until == issued + timedelta(hours=12)
    assert verified.status_list.data == bytes.fromhex("b9a3")
    ref = StatusListReference(idx=1, uri=payload["sub"])
    result = status.check_token_status(token, ref, issuer_key=signer.public_jwk, now=issued)
    assert (result.state, result.value) == (StatusState.VALID, 0)


@needs_vectors
def test_raw_jwt_example_payload_decodes() -> None:
    raw = "".join((EXAMPLES / "status_list_jwt_raw.md").read_text().split())
    header_b64, payload_b64, _ = raw.split(".")
    header = json.loads(base64.urlsafe_b64decode(header_b64 + "=="))
    payload = json.loads(base64.urlsafe_b64decode(payload_b64 + "=="))
    assert header["typ"] == status.STATUS_LIST_TYP
    assert [status.decode_status_list(payload["status_list"]).value(i) for i in range(16)] == (
        SPEC_1BIT
    )
    # Its key is not published: any other key must fail as a bad signature.
    with pytest.raises(InvalidSignatureError):
        status.verify_status_list_token(
            raw, uri=payload["sub"], issuer_key=generate("ES256").public_jwk
        )


# -- Token Status List: decoding ---------------------------------------------------------


@given(
    bits=st.sampled_from([1, 2, 4, 8]),
    data=st.data(),
)
@settings(max_examples=200, deadline=None)
def test_round_trip(bits: int, data: st.DataObject) -> None:
    values = data.draw(st.lists(st.integers(0, (1 << bits) - 1), max_size=300))
    decoded = status.decode_lst(make_lst(values, bits), bits)
    assert len(decoded) >= len(values)
    assert len(decoded) - len(values) < 8 // bits
    assert [decoded.value(i) for i in range(len(values))] == values
    assert all(decoded.value(i) == 0 for i in range(len(values), len(decoded)))


@pytest.mark.parametrize(
    ("value", "state"),
    [
        (0, StatusState.VALID),
        (1, StatusState.INVALID),
        (2, StatusState.SUSPENDED),
        (3, StatusState.UNKNOWN),  # application specific (§7.1)
        (0x0C, StatusState.UNKNOWN),
        (0x0F, StatusState.UNKNOWN),
        (0x04, StatusState.UNKNOWN),  # reserved
        (0xFF, StatusState.UNKNOWN),
    ],
)
def test_status_types(value: int, state: StatusState) -> None:
    assert status.status_state(value) is state
    decoded = status.decode_lst(make_lst([0, value], 8), 8)
    assert decoded.state(1) is state


@pytest.mark.parametrize("index", [-1, 16, 10**30, True])
def test_index_out_of_range(index: int) -> None:
    decoded = status.decode_lst(make_lst(SPEC_1BIT, 1), 1)
    with pytest.raises(StatusIndexError):
        decoded.value(index)
    assert isinstance(StatusIndexError(), StatusListError)


def test_index_not_an_int() -> None:
    decoded = status.decode_lst(make_lst(SPEC_1BIT, 1), 1)
    with pytest.raises(StatusIndexError):
        decoded.value("1")  # type: ignore[arg-type]


def test_empty_list_has_no_entries() -> None:
    decoded = status.decode_lst(encode_lst(b""), 1)
    assert len(decoded) == 0
    with pytest.raises(StatusIndexError):
        decoded.value(0)


@pytest.mark.parametrize("bits", [0, 3, 5, 16, -1, True, "1", 1.0, None, [1]])
def test_bits_must_be_1_2_4_8(bits: Any) -> None:
    with pytest.raises(StatusListError):
        status.decode_lst(make_lst([1], 1), bits)


@pytest.mark.parametrize(
    "lst",
    [
        "@@@@",  # not base64url
        "eNrbuRgAAhcBXQ==x",  # junk after padding
        "eNrb+RgAAhcBXQ",  # standard alphabet
        "eNrbuRgA AhcBXQ",  # whitespace
        "A",  # impossible length
        b64url(b"not zlib at all"),
        b64url(gzip.compress(b"\xb9\xa3")),  # GZIP, not zlib
        b64url(zlib.compress(b"\xb9\xa3")[2:-4]),  # raw DEFLATE
        b64url(zlib.compress(b"\xb9\xa3" * 50)[:-3]),  # truncated
        b64url(zlib.compress(b"\xb9\xa3") + b"\x00"),  # trailing bytes
        b64url(zlib.compress(b"\xb9\xa3") * 2),  # two streams
        "",
    ],
)
def test_malformed_lst(lst: str) -> None:
    with pytest.raises(StatusListError):
        status.decode_lst(lst, 1)


@pytest.mark.parametrize("lst", [None, 12, b"eNrbuRgAAhcBXQ", ["x"]])
def test_lst_must_be_a_string(lst: Any) -> None:
    with pytest.raises(StatusListError):
        status.decode_lst(lst, 1)


def test_padding_is_tolerated() -> None:
    assert status.decode_lst("eNrbuRgAAhcBXQ==", 1).data == b"\xb9\xa3"


def test_decompression_is_capped() -> None:
    bomb = encode_lst(bytes(1024 * 1024))  # about 1 KiB compressed
    assert len(bomb) < 2000
    with pytest.raises(StatusListError, match="more than"):
        status.decode_lst(bomb, 1, max_size=1024 * 1024 - 1)
    assert len(status.decode_lst(bomb, 1, max_size=1024 * 1024).data) == 1024 * 1024
    with pytest.raises(StatusListError):
        status.decode_lst(encode_lst(bytes(17 * 1024 * 1024)), 1)  # default cap 16 MiB


@pytest.mark.parametrize(
    "status_list",
    [
        None,
        [],
        {"bits": 1},
        {"lst": "eNrbuRgAAhcBXQ"},
        {"bits": 1, "lst": "eNrbuRgAAhcBXQ", "aggregation_uri": 5},
    ],
)
def test_malformed_status_list_object(status_list: Any) -> None:
    with pytest.raises(StatusListError):
        status.decode_status_list(status_list)


def test_status_list_object_keeps_aggregation_uri() -> None:
    decoded = status.decode_status_list(
        {"bits": 1, "lst": "eNrbuRgAAhcBXQ", "aggregation_uri": "https://a.example/agg"}
    )
    assert decoded == StatusList(1, b"\xb9\xa3", "https://a.example/agg")


# -- Referenced Token --------------------------------------------------------------------

URI = "https://issuer.example/statuslists/1"


def _claims(**status_list: Any) -> dict[str, Any]:
    return {"iss": "https://issuer.example", "status": {"status_list": status_list}}


def test_reference_parsed() -> None:
    assert status.parse_status_reference(_claims(idx=7, uri=URI)) == StatusListReference(7, URI)
    assert status.parse_status_reference(_claims(idx=0, uri=URI, extra=True)) == (
        StatusListReference(0, URI)
    )


def test_no_status_claim_or_other_mechanism() -> None:
    assert status.parse_status_reference({"iss": "x"}) is None
    assert status.parse_status_reference({"status": {"other": {"a": 1}}}) is None


@pytest.mark.parametrize(
    "claims",
    [
        {"status": {}},
        {"status": "revoked"},
        {"status": {"status_list": [0, URI]}},
        _claims(idx=-1, uri=URI),
        _claims(idx=True, uri=URI),
        _claims(idx="3", uri=URI),
        _claims(idx=3.0, uri=URI),
        _claims(idx=3, uri=7),
        _claims(idx=3, uri=""),
        _claims(idx=3, uri="https://"),
        _claims(idx=3, uri="https://[::1"),
        _claims(idx=3, uri="/relative/path"),
    ],
)
def test_malformed_reference(claims: dict[str, Any]) -> None:
    with pytest.raises(MalformedCredentialError):
        status.parse_status_reference(claims)


@pytest.mark.parametrize("missing", ["idx", "uri"])
def test_reference_missing_member(missing: str) -> None:
    ref = {"idx": 1, "uri": URI}
    del ref[missing]
    with pytest.raises(MissingClaimError):
        status.parse_status_reference(_claims(**ref))


def test_reference_uri_is_read_not_judged() -> None:
    """The network policy belongs to wallet_core.http, which applies it when fetching."""
    uri = "http://127.0.0.1:8000/sl/1"
    assert status.parse_status_reference(_claims(idx=1, uri=uri)) == StatusListReference(1, uri)
    with pytest.raises(MalformedCredentialError):
        status.parse_status_reference(_claims(idx=1, uri=""))


# -- Status List Token -------------------------------------------------------------------

SIGNER = generate("ES256")
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
T = int(NOW.timestamp())
LIST_VALUES = [0, 1, 2, 3, 0, 0, 1, 2]  # bits = 2
LST = make_lst(LIST_VALUES, 2)


def make_token(header: Mapping[str, Any] | None = None, signer: Any = SIGNER, **claims: Any) -> str:
    """A Status List Token; a claim or header member set to None is left out."""
    protected = {"typ": "statuslist+jwt", "kid": signer.kid, **(header or {})}
    payload = {
        "sub": URI,
        "iat": T - 60,
        "exp": T + 3600,
        "ttl": 600,
        "status_list": {"bits": 2, "lst": LST},
        **claims,
    }
    return sign_compact(
        {k: v for k, v in protected.items() if v is not None},
        {k: v for k, v in payload.items() if v is not None},
        signer,
    )


def check(token: str, idx: int = 1, **options: Any) -> StatusResult:
    options.setdefault("issuer_key", SIGNER.public_jwk)
    options.setdefault("now", NOW)
    return status.check_token_status(token, StatusListReference(idx, URI), **options)


def test_token_status_values() -> None:
    token = make_token()
    states = [check(token, idx).state for idx in range(len(LIST_VALUES))]
    assert states == [status.status_state(v) for v in LIST_VALUES]
    result = check(token, 2)
    assert result == StatusResult(
        state=StatusState.SUSPENDED,
        value=2,
        checked_at=NOW,
        valid_until=NOW + timedelta(seconds=600),
    )
    assert result.to_credential_status() == CredentialStatus(StatusState.SUSPENDED, NOW)


def test_verified_token_fields() -> None:
    verified = status.verify_status_list_token(
        make_token(), uri=URI, issuer_key=SIGNER.public_jwk, now=NOW
    )
    assert verified.sub == URI
    assert verified.issued_at == NOW - timedelta(seconds=60)
    assert verified.expires_at == NOW + timedelta(hours=1)
    assert verified.ttl == timedelta(seconds=600)
    assert verified.status_list.bits == 2
    assert verified.fetched_at == NOW
    assert verified.header["kid"] == SIGNER.kid


def test_key_resolver_gets_header_and_payload() -> None:
    seen: list[tuple[Mapping[str, Any], Mapping[str, Any]]] = []

    def resolve(header: Mapping[str, Any], payload: Mapping[str, Any]) -> Mapping[str, Any]:
        seen.append((header, payload))
        return SIGNER.public_jwk

    assert check(make_token(iss="https://issuer.example"), issuer_key=resolve).value == 1
    assert seen[0][0]["kid"] == SIGNER.kid
    assert seen[0][1]["iss"] == "https://issuer.example"


def test_key_resolver_must_return_a_jwk() -> None:
    with pytest.raises(MalformedCredentialError):
        check(make_token(), issuer_key=lambda header, payload: "not a jwk")


def test_key_resolver_with_malformed_token() -> None:
    with pytest.raises(MalformedCredentialError):
        check("a.b", issuer_key=lambda header, payload: SIGNER.public_jwk)
    with pytest.raises(MalformedCredentialError):
        check("e30.!!!.sig", issuer_key=lambda header, payload: SIGNER.public_jwk)


@pytest.mark.parametrize("typ", ["application/statuslist+jwt", "StatusList+JWT"])
def test_typ_variants_accepted(typ: str) -> None:
    assert check(make_token({"typ": typ})).value == 1


@pytest.mark.parametrize("typ", [None, "jwt", "JWT", "dc+sd-jwt", "statuslist+cwt"])
def test_wrong_typ(typ: Any) -> None:
    with pytest.raises(UnexpectedTypeError):
        check(make_token({"typ": typ}))


def test_non_string_typ() -> None:
    with pytest.raises(MalformedCredentialError):  # joserfc refuses the header itself
        check(make_token({"typ": 5}))


@pytest.mark.parametrize("sub", ["https://issuer.example/statuslists/2", URI + "/", 1])
def test_sub_mismatch(sub: Any) -> None:
    with pytest.raises(StatusListError, match="sub"):
        check(make_token(sub=sub))


@pytest.mark.parametrize("missing", ["sub", "iat", "status_list"])
def test_missing_required_claim(missing: str) -> None:
    with pytest.raises(MissingClaimError):
        check(make_token(**{missing: None}))


def test_expired_with_leeway() -> None:
    token = make_token(exp=T - 30)
    assert check(token).value == 1  # within the default 60 s leeway
    with pytest.raises(ExpiredCredentialError):
        check(token, leeway=timedelta(0))
    with pytest.raises(ExpiredCredentialError):
        check(make_token(exp=T - 3600))


def test_not_before() -> None:
    with pytest.raises(NotYetValidError):
        check(make_token(nbf=T + 3600))
    assert check(make_token(nbf=T + 30)).value == 1


@pytest.mark.parametrize(
    "claims",
    [
        {"iat": "yesterday"},
        {"iat": True},
        {"exp": "tomorrow"},
        {"exp": 1e300},
        {"exp": 10**400},
        {"iat": -(10**400)},
        {"ttl": 0},
        {"ttl": -5},
        {"ttl": "600"},
        {"ttl": False},
    ],
)
def test_malformed_time_claims(claims: dict[str, Any]) -> None:
    with pytest.raises(MalformedCredentialError):
        check(make_token(**claims))


def test_bad_signature() -> None:
    with pytest.raises(InvalidSignatureError):
        check(make_token(signer=generate("ES256")))
    header, _payload, signature = make_token().split(".")
    other = make_token(status_list={"bits": 2, "lst": make_lst([0] * 8, 2)})
    forged = ".".join([header, other.split(".")[1], signature])
    with pytest.raises(InvalidSignatureError):
        check(forged)


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
def test_ed25519_issuer_key() -> None:
    signer = generate("EdDSA")
    assert check(make_token(signer=signer), issuer_key=signer.public_jwk).value == 1


def test_alg_none_refused() -> None:
    header = b64url(json.dumps({"alg": "none", "typ": "statuslist+jwt"}).encode())
    payload = b64url(json.dumps({"sub": URI, "iat": T, "status_list": {}}).encode())
    with pytest.raises((MalformedCredentialError, InvalidSignatureError)):
        check(f"{header}.{payload}.")


@pytest.mark.parametrize("payload", [b"not json", b"[1, 2]", b"\xff\xfe", b'"text"'])
def test_payload_not_a_json_object(payload: bytes) -> None:
    token = sign_compact({"typ": "statuslist+jwt"}, payload, SIGNER)
    with pytest.raises(MalformedCredentialError):
        check(token)


@pytest.mark.parametrize("idx", [8, 9, 1000])
def test_token_index_out_of_range(idx: int) -> None:
    with pytest.raises(StatusIndexError):
        check(make_token(), idx)


@pytest.mark.parametrize(
    "status_list",
    [
        {"bits": 2, "lst": "not base64!"},
        {"bits": 2, "lst": b64url(b"not zlib")},
        {"bits": 3, "lst": LST},
        {"bits": "2", "lst": LST},
        {"lst": LST},
        "eNrbuRgAAhcBXQ",
    ],
)
def test_token_with_malformed_status_list(status_list: Any) -> None:
    with pytest.raises(StatusListError):
        check(make_token(status_list=status_list))


def test_token_oversize_decompression() -> None:
    token = make_token(status_list={"bits": 1, "lst": encode_lst(bytes(64 * 1024))})
    assert check(token, max_size=64 * 1024).value == 0
    with pytest.raises(StatusListError):
        check(token, max_size=64 * 1024 - 1)


def test_trailing_newline_from_http_body_is_ignored() -> None:
    assert check(make_token() + "\r\n").value == 1


# -- caching -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"ttl": 600, "exp": T + 3600}, timedelta(seconds=600)),
        ({"ttl": 7200, "exp": T + 3600}, timedelta(hours=1)),  # exp wins
        ({"ttl": None, "exp": T + 3600}, timedelta(hours=1)),  # exp only
        ({"ttl": None, "exp": T + 90 * 86400}, timedelta(days=1)),  # capped by max_ttl
        ({"ttl": None, "exp": None}, timedelta(hours=1)),  # default
        ({"ttl": 600, "exp": None}, timedelta(seconds=600)),
        ({"ttl": 1, "exp": None}, timedelta(minutes=1)),  # raised to min_ttl
        ({"ttl": 1, "exp": T + 20}, timedelta(seconds=20)),  # but never past exp
        ({"ttl": 10**9, "exp": None}, timedelta(days=1)),  # capped
        ({"ttl": 1e308, "exp": None}, timedelta(days=1)),
        ({"ttl": 10**400, "exp": None}, timedelta(days=1)),
        ({"ttl": 0.5, "exp": None}, timedelta(minutes=1)),
    ],
)
def test_valid_until(claims: dict[str, Any], expected: timedelta) -> None:
    assert check(make_token(**claims)).valid_until == NOW + expected


def test_valid_until_counts_from_fetch_time() -> None:
    fetched = NOW - timedelta(seconds=100)
    result = check(make_token(), fetched_at=fetched)
    assert result.valid_until == fetched + timedelta(seconds=600)
    assert result.checked_at == NOW


def test_custom_cache_policy() -> None:
    policy = CachePolicy(default_ttl=timedelta(minutes=5), max_ttl=timedelta(minutes=10))
    assert check(make_token(ttl=None, exp=None), cache=policy).valid_until == NOW + timedelta(
        minutes=5
    )
    assert check(make_token(ttl=3000), cache=policy).valid_until == NOW + timedelta(minutes=10)


def test_naive_now_is_utc() -> None:
    naive = NOW.replace(tzinfo=None)
    assert check(make_token(), now=naive).checked_at == NOW


# -- W3C Bitstring Status List -----------------------------------------------------------

LIST_URL = "https://issuer.example/credentials/status/3"
W3C_EXAMPLE_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def test_w3c_example_list_decodes() -> None:
    bitstring = status.decode_encoded_list(W3C_EXAMPLE_LIST)
    assert bitstring == bytes(16 * 1024)


def test_msb_first() -> None:
    assert status.bitstring_value(b"\x80\x01", 0) == 1
    assert [status.bitstring_value(b"\x80\x01", i) for i in range(16)] == [1] + [0] * 14 + [1]
    assert pack_msb({0: 1, 15: 1}, 1, 16) == b"\x80\x01"


def test_status_size_two_and_three() -> None:
    # size 2: entries 0..3 in byte 0, left to right; 0b01_10_11_00 = 0x6C
    assert [status.bitstring_value(b"\x6c", i, 2) for i in range(4)] == [1, 2, 3, 0]
    # size 3 straddles bytes: entry 2 is bits 6..8
    data = pack_msb({0: 5, 2: 7, 5: 3}, 3, 8)
    assert [status.bitstring_value(data, i, 3) for i in range(8)] == [5, 0, 7, 0, 0, 3, 0, 0]


@given(size=st.integers(1, 8), data=st.data())
@settings(max_examples=150, deadline=None)
def test_bitstring_round_trip(size: int, data: st.DataObject) -> None:
    values = data.draw(st.lists(st.integers(0, (1 << size) - 1), max_size=200))
    bitstring = status.decode_encoded_list(
        encode_list(pack_msb(dict(enumerate(values)), size, len(values)))
    )
    assert [status.bitstring_value(bitstring, i, size) for i in range(len(values))] == values


@pytest.mark.parametrize(("index", "size"), [(-1, 1), (16, 1), (8, 2), (5, 3), (True, 1)])
def test_bitstring_range(index: int, size: int) -> None:
    with pytest.raises(StatusIndexError):
        status.bitstring_value(b"\x00\x00", index, size)


@pytest.mark.parametrize("size", [0, -1, True])
def test_bitstring_bad_size(size: int) -> None:
    with pytest.raises(StatusListError):
        status.bitstring_value(b"\x00", 0, size)


@pytest.mark.parametrize(
    "encoded",
    [
        "z" + W3C_EXAMPLE_LIST[1:],  # base58btc prefix
        "U" + W3C_EXAMPLE_LIST[1:],  # base64urlpad prefix
        W3C_EXAMPLE_LIST[1:],  # no prefix
        W3C_EXAMPLE_LIST + "==",  # padding
        "u" + b64url(zlib.compress(bytes(16))),  # zlib, not GZIP
        "u" + b64url(gzip.compress(bytes(16)) * 2),  # two members
        "u" + b64url(gzip.compress(bytes(16))[:-5]),  # truncated
        "u!!!",
        "",
        None,
    ],
)
def test_bad_encoded_list(encoded: Any) -> None:
    with pytest.raises(StatusListError):
        status.decode_encoded_list(encoded)


def test_encoded_list_cap() -> None:
    encoded = encode_list(bytes(100_000))
    with pytest.raises(StatusListError):
        status.decode_encoded_list(encoded, max_size=99_999)


def _entry(**overrides: Any) -> dict[str, Any]:
    entry = {
        "id": LIST_URL + "#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
        **overrides,
    }
    return {k: v for k, v in entry.items() if v is not None}


def _list_credential(
    values: Mapping[int, int], size: int = 1, entries: int = 131_072, **subject: Any
) -> dict[str, Any]:
    credential_subject = {
        "id": LIST_URL + "#list",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": encode_list(pack_msb(values, size, entries)),
        **subject,
    }
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:example:12345",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {k: v for k, v in credential_subject.items() if v is not None},
    }


def test_parse_entries_from_credential() -> None:
    credential = {
        "credentialStatus": [
            _entry(),
            _entry(statusPurpose="suspension", statusListIndex="23452"),
            {"type": "StatusList2021Entry", "statusListIndex": "1"},
        ]
    }
    entries = status.parse_bitstring_entries(credential)
    assert entries == [
        BitstringStatusEntry("revocation", 94567, LIST_URL, id=LIST_URL + "#94567"),
        BitstringStatusEntry("suspension", 23452, LIST_URL, id=LIST_URL + "#94567"),
    ]
    assert status.parse_bitstring_entries({"credentialStatus": _entry()}) == entries[:1]
    assert status.parse_bitstring_entries({}) == []


@pytest.mark.parametrize(
    "entry",
    [
        _entry(statusListIndex=94567),
        _entry(statusListIndex="-1"),
        _entry(statusListIndex="12a"),
        _entry(statusListIndex=""),
        _entry(statusListIndex="١٢"),  # non-ASCII digits
        _entry(statusListIndex="1" * 40),
        _entry(statusPurpose=""),
        _entry(statusPurpose=["revocation"]),
        _entry(statusSize=0),
        _entry(statusSize="1"),
        _entry(statusSize=True),
        _entry(type="StatusList2021Entry"),
        _entry(statusListCredential=5),
        _entry(id=5),
        _entry(statusSize=2, statusMessage=[{"status": "0x0", "message": "a"}]),
        _entry(statusSize=1, statusMessage=[{"status": "0x0", "message": "a"}] * 2),
        _entry(statusSize=1, statusMessage=[{"status": "0", "message": "a"}, {}]),
        _entry(statusSize=1, statusMessage=[{"status": "0x0", "message": 1}] * 2),
        _entry(statusSize=1, statusMessage=[{"status": "0x0", "message": "a"}, "x"]),
        _entry(statusSize=1, statusMessage=[{"status": "0x2", "message": "a"}] * 2),
        _entry(statusSize=1, statusMessage="set"),
        "not an entry",
    ],
)
def test_malformed_entry(entry: Any) -> None:
    with pytest.raises(MalformedCredentialError):
        status.parse_bitstring_entry(entry)


def test_entry_missing_members_and_unsupported_size() -> None:
    for name in ("statusPurpose", "statusListIndex", "statusListCredential"):
        with pytest.raises(MissingClaimError):
            status.parse_bitstring_entry(_entry(**{name: None}))
    with pytest.raises(MissingClaimError):  # statusMessage is required above size 1
        status.parse_bitstring_entry(_entry(statusSize=2))
    with pytest.raises(StatusListError):
        status.parse_bitstring_entry(_entry(statusSize=9))
    with pytest.raises(MalformedCredentialError):
        status.parse_bitstring_entry(_entry(statusListCredential=7))


@pytest.mark.parametrize(
    ("purpose", "value", "state"),
    [
        ("revocation", 0, StatusState.VALID),
        ("revocation", 1, StatusState.INVALID),
        ("suspension", 0, StatusState.VALID),
        ("suspension", 1, StatusState.SUSPENDED),
        ("refresh", 1, StatusState.VALID),
        ("message", 0, StatusState.UNKNOWN),
        ("something-else", 0, StatusState.UNKNOWN),
    ],
)
def test_purpose_to_state(purpose: str, value: int, state: StatusState) -> None:
    assert status.bitstring_state(purpose, value) is state


def test_check_bitstring_status() -> None:
    entry = status.parse_bitstring_entry(_entry())
    valid = _list_credential({94566: 1, 94568: 1})
    assert status.check_bitstring_status(entry, valid, now=NOW) == StatusResult(
        StatusState.VALID, 0, NOW, NOW + timedelta(hours=1), purpose="revocation"
    )
    revoked = _list_credential({94567: 1})
    assert status.check_bitstring_status(entry, revoked, now=NOW).state is StatusState.INVALID


def test_check_bitstring_with_multiple_purposes_and_messages() -> None:
    messages = [{"status": hex(v), "message": m} for v, m in enumerate("abcd")]
    entry = status.parse_bitstring_entry(
        _entry(statusPurpose="message", statusSize=2, statusMessage=messages[::-1])
    )
    assert entry.messages == ("a", "b", "c", "d")
    credential = _list_credential(
        {94567: 2}, size=2, statusPurpose=["revocation", "message"], statusSize=2
    )
    result = status.check_bitstring_status(entry, credential, now=NOW)
    assert (result.state, result.value, result.message) == (StatusState.UNKNOWN, 2, "c")


def test_check_bitstring_ttl_in_milliseconds() -> None:
    entry = status.parse_bitstring_entry(_entry())
    credential = _list_credential({}, ttl=300_000)
    credential["validUntil"] = "2026-11-01T12:03:00Z"
    result = status.check_bitstring_status(entry, credential, now=NOW)
    assert result.valid_until == NOW + timedelta(minutes=3)  # validUntil before ttl
    credential["validUntil"] = "2027-01-01T00:00:00Z"
    result = status.check_bitstring_status(entry, credential, now=NOW)
    assert result.valid_until == NOW + timedelta(minutes=5)
    huge = _list_credential({}, ttl=10**400)
    assert status.check_bitstring_status(entry, huge, now=NOW).valid_until == NOW + timedelta(
        days=1
    )


def test_minimum_length_enforced_unless_lowered() -> None:
    entry = status.parse_bitstring_entry(_entry(statusListIndex="3"))
    short = _list_credential({3: 1}, entries=1024)
    with pytest.raises(StatusListError, match="LENGTH"):
        status.check_bitstring_status(entry, short, now=NOW)
    lowered = status.check_bitstring_status(entry, short, now=NOW, min_entries=1024)
    assert lowered.state is StatusState.INVALID
    # 16 KB holds only 65,536 entries of 2 bits
    messages = [{"status": hex(v), "message": "m"} for v in range(4)]
    entry2 = status.parse_bitstring_entry(
        _entry(statusListIndex="3", statusSize=2, statusMessage=messages)
    )
    with pytest.raises(StatusListError):
        status.check_bitstring_status(entry2, _list_credential({}, size=2, entries=65_536))


def test_bitstring_index_out_of_range() -> None:
    entry = status.parse_bitstring_entry(_entry(statusListIndex="131072"))
    with pytest.raises(StatusIndexError):
        status.check_bitstring_status(entry, _list_credential({}), now=NOW)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"type": ["VerifiableCredential"]}, StatusListError),
        ({"id": "https://issuer.example/credentials/status/4"}, StatusListError),
        ({"validUntil": "2026-10-01T00:00:00Z"}, ExpiredCredentialError),
        ({"validFrom": "2027-01-01T00:00:00Z"}, NotYetValidError),
        ({"validFrom": "yesterday"}, MalformedCredentialError),
        ({"validFrom": 1700000000}, MalformedCredentialError),
        ({"credentialSubject": "list"}, StatusListError),
    ],
)
def test_list_credential_rejected(change: dict[str, Any], error: type[WalletError]) -> None:
    entry = status.parse_bitstring_entry(_entry())
    credential = {**_list_credential({}), **change}
    with pytest.raises(error):
        status.check_bitstring_status(entry, credential, now=NOW)


@pytest.mark.parametrize(
    "subject",
    [
        {"type": "StatusList2021"},
        {"statusPurpose": "suspension"},
        {"statusPurpose": ["suspension", "message"]},
        {"statusPurpose": None},
        {"statusSize": 2},
        {"encodedList": None},
        {"encodedList": "zabc"},
        {"ttl": 0},
        {"ttl": "1000"},
        {"ttl": float("nan")},
    ],
)
def test_list_subject_rejected(subject: dict[str, Any]) -> None:
    entry = status.parse_bitstring_entry(_entry())
    with pytest.raises(StatusListError):
        status.check_bitstring_status(entry, _list_credential({}, **subject), now=NOW)


# -- fuzz: only WalletError subclasses escape ---------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@FUZZ
@given(lst=st.text(max_size=200) | st.binary(max_size=200).map(b64url), bits=json_values)
def test_fuzz_lst(lst: str, bits: Any) -> None:
    try:
        decoded = status.decode_lst(lst, bits, max_size=4096)
        decoded.value(0)
    except WalletError:
        pass


@FUZZ
@given(raw=st.binary(max_size=300))
def test_fuzz_compressed_bytes(raw: bytes) -> None:
    for compressed in (raw, zlib.compress(raw)[:-1] + raw[:3], b"\x78\xda" + raw):
        with contextlib.suppress(WalletError):
            status.decode_lst(b64url(compressed), 1, max_size=4096)
        with contextlib.suppress(WalletError):
            status.decode_encoded_list("u" + b64url(compressed), max_size=4096)


@FUZZ
@given(token=st.text(max_size=300) | st.lists(st.text(max_size=60), max_size=4).map(".".join))
def test_fuzz_token_text(token: str) -> None:
    for key in (SIGNER.public_jwk, lambda header, payload: SIGNER.public_jwk):
        with contextlib.suppress(WalletError):
            check(token, issuer_key=key)


@FUZZ
@given(header=st.dictionaries(st.text(max_size=8), json_values, max_size=4), payload=json_values)
def test_fuzz_signed_payloads(header: dict[str, Any], payload: Any) -> None:
    header = {**header, "typ": "statuslist+jwt"}
    body = payload if isinstance(payload, dict) else {"sub": URI, "status_list": payload}
    nearly_valid = {"sub": URI, "iat": T, "status_list": {"bits": 2, "lst": LST}}
    for candidate in (
        body,
        {"sub": URI, "iat": T, **body},
        {**nearly_valid, **body},
        {**nearly_valid, "status_list": {"bits": payload, "lst": LST}},
        {**nearly_valid, "status_list": {"bits": 1, "lst": payload}},
    ):
        with contextlib.suppress(WalletError):
            check(sign_compact(header, candidate, SIGNER))


@FUZZ
@given(claims=json_values)
def test_fuzz_reference_and_entries(claims: Any) -> None:
    for shaped in (claims, {"status": claims}, {"status": {"status_list": claims}}):
        with contextlib.suppress(WalletError):
            status.parse_status_reference(shaped)
    for shaped in (claims, {"credentialStatus": claims}):
        with contextlib.suppress(WalletError):
            status.parse_bitstring_entries(shaped)


@FUZZ
@given(subject=st.dictionaries(st.text(max_size=12), json_values, max_size=5), data=st.data())
def test_fuzz_list_credential(subject: dict[str, Any], data: st.DataObject) -> None:
    entry = status.parse_bitstring_entry(_entry(statusListIndex="0"))
    base = _list_credential({}, entries=64)
    merged = {**base["credentialSubject"], **subject}
    credential = {**base, "credentialSubject": merged}
    credential.update(data.draw(st.dictionaries(st.text(max_size=10), json_values, max_size=3)))
    with contextlib.suppress(WalletError):
        status.check_bitstring_status(entry, credential, now=NOW, min_entries=64)
