"""Credential Offers (OpenID4VCI 1.0 §4.1, draft 13 §4.1): links, JSON, by reference."""

from __future__ import annotations

import copy
import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from loopback import DEV, LoopbackServer
from oid4vci.vci_fixtures import (
    ISSUER,
    example_params,
    issuer_document,
    load_example,
    needs_vectors,
    spec_offer_links,
)

from wallet_core.errors import (
    HttpStatusError,
    InsecureUrlError,
    MalformedResponseError,
    NetworkError,
    OfferError,
    OfferExpiredError,
    ResponseTooLargeError,
    UnexpectedContentTypeError,
)
from wallet_core.http import HttpClient, HttpPolicy
from wallet_core.oid4vci.metadata import parse_issuer_metadata
from wallet_core.oid4vci.models import CredentialOffer, TxCode
from wallet_core.oid4vci.offer import (
    LEGACY_ID_PREFIX,
    MAX_OFFER_CHARS,
    PRE_AUTHORIZED_GRANT,
    bind_offer,
    parse_offer,
    parse_offer_document,
)

SECRET_CODE = "SplxlOBeZQQYbYS6WxSbIA-secret"
STRICT = HttpPolicy()


def offer_document(**extra: Any) -> dict[str, Any]:
    return {
        "credential_issuer": ISSUER,
        "credential_configuration_ids": ["microcredential"],
        "grants": {
            PRE_AUTHORIZED_GRANT: {
                "pre-authorized_code": SECRET_CODE,
                "tx_code": {"length": 6, "input_mode": "numeric", "description": "Sent by mail"},
            },
            "authorization_code": {"issuer_state": "state-123"},
        },
        **extra,
    }


def link(document: dict[str, Any], scheme: str = "openid-credential-offer://") -> str:
    return f"{scheme}?credential_offer={quote(json.dumps(document), safe='')}"


@pytest.fixture
def offline() -> Iterator[HttpClient]:
    """A client that must not be used: by-value offers need no network."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"unexpected request to {request.url}")

    with HttpClient(STRICT, transport=httpx.MockTransport(handler)) as made:
        yield made


# -- the shared examples -----------------------------------------------------------------


@pytest.mark.parametrize("path", example_params("credential_offer"))
def test_every_example_offer_parses(path: Path) -> None:
    document = load_example(path)
    offer = parse_offer_document(document)
    assert offer.credential_issuer == document["credential_issuer"]
    assert offer.credential_configuration_ids
    assert offer.pre_authorized is not None or offer.authorization_code is not None
    # The same object through every carrier gives the same offer.
    text = json.dumps(document)
    with HttpClient(STRICT, transport=httpx.MockTransport(_no_network)) as client:
        assert parse_offer(text, client) == offer
        assert parse_offer(link(document), client) == offer
        assert parse_offer(link(document, "haip-vci://"), client) == offer
        assert parse_offer(link(document, "https://wallet.example/offer"), client) == offer


def _no_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError("a by-value offer needs no network")


@needs_vectors
def test_example_values_are_read_exactly() -> None:
    from oid4vci.vci_fixtures import EXAMPLE_DIRS

    final = EXAMPLE_DIRS[0]
    multiple = parse_offer_document(
        load_example(final / "credential_offer_multiple_credentials.json")
    )
    assert multiple.credential_configuration_ids == (
        "UniversityDegreeCredential",
        "org.iso.18013.5.1.mDL",
    )
    assert multiple.pre_authorized is not None
    assert multiple.pre_authorized.code == "oaKazRN8I0IbtZ0C7JuMn5"
    assert multiple.pre_authorized.tx_code == TxCode(
        length=4,
        input_mode="numeric",
        description="Please provide the one-time code that was sent via e-mail",
    )
    assert not multiple.draft13

    by_reference = parse_offer_document(load_example(final / "credential_offer_by_reference.json"))
    assert by_reference.pre_authorized is not None
    # §4.1.1: "tx_code ... indicating that a Transaction Code is required if present, even
    # if empty"; input_mode defaults to numeric.
    assert by_reference.pre_authorized.tx_code == TxCode(length=None, input_mode="numeric")

    authz = parse_offer_document(load_example(final / "credential_offer_authz_code.txt"))
    assert authz.pre_authorized is None
    assert authz.authorization_code is not None
    assert authz.authorization_code.issuer_state == "eyJhbGciOiJSU0Et...FYUaBy"

    haip = parse_offer_document(load_example(EXAMPLE_DIRS[2] / "credential_offer_sd_jwt_vc.json"))
    assert haip.credential_configuration_ids == ("IdentityCredential_SD-JWT-VC",)
    assert haip.draft13  # the draft-12 "credentials" array


@pytest.mark.parametrize("text", spec_offer_links())
def test_links_printed_in_the_specs(text: str) -> None:
    reference = {
        "credential_issuer": ISSUER,
        "credential_configuration_ids": ["UniversityDegree_LDP_VC"],
        "grants": {PRE_AUTHORIZED_GRANT: {"pre-authorized_code": "adhjhdjajkdkhjhdj"}},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == "GET"
        assert request.url.host == "server.example.com"
        assert request.headers["accept"] == "application/json"
        return httpx.Response(200, json=reference)

    with HttpClient(STRICT, transport=httpx.MockTransport(handler)) as client:
        offer = parse_offer(text, client)
    assert offer.credential_issuer == ISSUER
    if "credential_offer_uri" in text:
        assert offer.credential_configuration_ids == ("UniversityDegree_LDP_VC",)
    else:
        assert offer.pre_authorized is not None
        assert offer.pre_authorized.code == "oaKazRN8I0IbtZ0C7JuMn5"
        assert offer.pre_authorized.tx_code is not None  # {} or {input_mode: text, ...}
        # Draft 13's own examples still print the draft-12 "credentials" member.
        assert offer.draft13 == ("%22credentials%22" in text)


# -- carriers ----------------------------------------------------------------------------


def test_link_forms(offline: HttpClient) -> None:
    document = offer_document()
    expected = parse_offer_document(document)
    assert expected.pre_authorized is not None and expected.authorization_code is not None
    forms = [
        link(document),
        link(document, "OPENID-CREDENTIAL-OFFER://"),
        link(document, "openid-credential-offer://offer"),
        link(document, "haip-vci://"),
        link(document, "https://wallet.example/cb") + "&utm=x",
        "  \ufeff" + json.dumps(document) + "\n",
        # Form encoding: '+' for spaces, as urlencode() writes it.
        "openid-credential-offer://?credential_offer="
        + quote(json.dumps(document), safe="").replace("%20", "+"),
    ]
    for text in forms:
        assert parse_offer(text, offline) == expected, text


def test_http_link_only_on_loopback_in_development(offline: HttpClient) -> None:
    document = offer_document()
    text = link(document, "http://127.0.0.1:8000/offer")
    with HttpClient(DEV, transport=httpx.MockTransport(_no_network)) as dev:
        assert parse_offer(text, dev).credential_issuer == ISSUER
        with pytest.raises(OfferError):
            parse_offer(link(document, "http://wallet.example/offer"), dev)
    with pytest.raises(OfferError):
        parse_offer(text, offline)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "hello",
        "openid4vp://?request_uri=https://verifier.example/r",
        "ftp://x/?credential_offer=%7B%7D",
        "openid-credential-offer://",
        "openid-credential-offer://?credential_offer=",
        "openid-credential-offer://?credential_offer_uri=",
        "openid-credential-offer://?foo=bar",
        "openid-credential-offer://?credential_offer=%7B&credential_offer_uri=https://x.example/o",
        "openid-credential-offer://?credential_offer=%7B%7D&credential_offer=%7B%7D",
        "openid-credential-offer://?credential_offer=not-json",
        "openid-credential-offer://?credential_offer=%5B%5D",
        "openid-credential-offer://?credential_offer=%7B%22a%22:NaN%7D",
        "{not json",
        "[1, 2]",
        "[" * 100_000,
    ],
)
def test_unusable_texts(text: str, offline: HttpClient) -> None:
    with pytest.raises(OfferError):
        parse_offer(text, offline)


def test_overlong_text(offline: HttpClient) -> None:
    document = offer_document(padding="x" * MAX_OFFER_CHARS)
    with pytest.raises(OfferError, match="longer"):
        parse_offer(json.dumps(document), offline)


def test_not_text(offline: HttpClient) -> None:
    with pytest.raises(OfferError):
        parse_offer(b"{}", offline)  # type: ignore[arg-type]


# -- field rules (§4.1.1) ----------------------------------------------------------------


def _set(path: tuple[str, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(path: tuple[str, ...]) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        target = document
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


PRE = ("grants", PRE_AUTHORIZED_GRANT)
TX = (*PRE, "tx_code")
AUTHZ = ("grants", "authorization_code")


def _legacy_pin(document: dict[str, Any], value: Any) -> None:
    grant = document["grants"][PRE_AUTHORIZED_GRANT]
    del grant["tx_code"]
    grant["user_pin_required"] = value


def _legacy_credentials(document: dict[str, Any], value: Any) -> None:
    del document["credential_configuration_ids"]
    document["credentials"] = value


INVALID: dict[str, Callable[[dict[str, Any]], None]] = {
    "issuer missing": _delete(("credential_issuer",)),
    "issuer not a string": _set(("credential_issuer",), 42),
    "issuer empty": _set(("credential_issuer",), ""),
    "issuer http": _set(("credential_issuer",), "http://credential-issuer.example.com"),
    "issuer http loopback without flag": _set(("credential_issuer",), "http://127.0.0.1:8000"),
    "issuer private address": _set(("credential_issuer",), "https://10.0.0.1"),
    "issuer with query": _set(("credential_issuer",), ISSUER + "?tenant=1"),
    "issuer with fragment": _set(("credential_issuer",), ISSUER + "#x"),
    "issuer with user info": _set(("credential_issuer",), "https://user@issuer.example"),
    "issuer not a URL": _set(("credential_issuer",), "credential-issuer.example.com"),
    "issuer other scheme": _set(("credential_issuer",), "did:web:issuer.example"),
    "ids missing": _delete(("credential_configuration_ids",)),
    "ids empty": _set(("credential_configuration_ids",), []),
    "ids not an array": _set(("credential_configuration_ids",), "microcredential"),
    "ids not strings": _set(("credential_configuration_ids",), [1]),
    "ids empty string": _set(("credential_configuration_ids",), [""]),
    "ids duplicated": _set(("credential_configuration_ids",), ["a", "b", "a"]),
    "grants not an object": _set(("grants",), ["authorization_code"]),
    "pre-auth grant not an object": _set(PRE, "code"),
    "pre-authorized_code missing": _delete((*PRE, "pre-authorized_code")),
    "pre-authorized_code not a string": _set((*PRE, "pre-authorized_code"), 12345),
    "pre-authorized_code empty": _set((*PRE, "pre-authorized_code"), ""),
    "tx_code not an object": _set(TX, True),
    "tx_code length zero": _set((*TX, "length"), 0),
    "tx_code length negative": _set((*TX, "length"), -4),
    "tx_code length a string": _set((*TX, "length"), "6"),
    "tx_code length a float": _set((*TX, "length"), 6.0),
    "tx_code length a boolean": _set((*TX, "length"), True),
    "tx_code input_mode unknown": _set((*TX, "input_mode"), "alphanumeric"),
    "tx_code input_mode not a string": _set((*TX, "input_mode"), 1),
    "tx_code description not a string": _set((*TX, "description"), ["x"]),
    "tx_code description too long": _set((*TX, "description"), "x" * 301),
    "pre-auth authorization_server not a string": _set((*PRE, "authorization_server"), 1),
    "authz grant not an object": _set(AUTHZ, "yes"),
    "issuer_state not a string": _set((*AUTHZ, "issuer_state"), {"s": 1}),
    "authz authorization_server not a string": _set((*AUTHZ, "authorization_server"), []),
    "legacy user_pin_required not a boolean": lambda d: _legacy_pin(d, "yes"),
    "legacy credentials empty": lambda d: _legacy_credentials(d, []),
    "legacy credentials bad entry": lambda d: _legacy_credentials(d, [{"types": ["X"]}]),
    "legacy credentials not strings": lambda d: _legacy_credentials(d, [3]),
}


@pytest.mark.parametrize("mutate", INVALID.values(), ids=INVALID.keys())
def test_invalid_offers(mutate: Callable[[dict[str, Any]], None]) -> None:
    document = copy.deepcopy(offer_document())
    mutate(document)
    with pytest.raises(OfferError) as caught:
        parse_offer_document(document)
    # The pre-authorized code is a bearer secret: never in a message (DESIGN §6).
    assert SECRET_CODE not in str(caught.value)


def test_not_an_object() -> None:
    with pytest.raises(OfferError):
        parse_offer_document(["not", "an", "object"])  # type: ignore[arg-type]


def test_tx_code_boundaries() -> None:
    document = offer_document()
    document["grants"][PRE_AUTHORIZED_GRANT]["tx_code"] = {"description": "x" * 300}
    offer = parse_offer_document(document)
    assert offer.pre_authorized is not None
    assert offer.pre_authorized.tx_code == TxCode(description="x" * 300)
    document["grants"][PRE_AUTHORIZED_GRANT]["tx_code"] = {"input_mode": "text", "length": 1}
    offer = parse_offer_document(document)
    assert offer.pre_authorized is not None
    assert offer.pre_authorized.tx_code == TxCode(length=1, input_mode="text")
    del document["grants"][PRE_AUTHORIZED_GRANT]["tx_code"]
    offer = parse_offer_document(document)
    assert offer.pre_authorized is not None and offer.pre_authorized.tx_code is None


def test_grants_optional_and_unknown_grants_ignored() -> None:
    document = offer_document()
    del document["grants"]
    offer = parse_offer_document(document)
    assert offer.pre_authorized is None and offer.authorization_code is None
    offer = parse_offer_document({**document, "grants": {}})
    assert offer.pre_authorized is None and offer.authorization_code is None
    offer = parse_offer_document({**document, "grants": {"urn:example:grant": {"x": 1}}})
    assert offer.pre_authorized is None and offer.authorization_code is None
    # §4.1.1: unrecognized parameters are ignored.
    assert parse_offer_document({**offer_document(), "future": {"a": 1}}).pre_authorized


def test_authorization_server_hints_and_draft13_interval() -> None:
    document = offer_document()
    document["grants"][PRE_AUTHORIZED_GRANT]["authorization_server"] = "https://as.example"
    document["grants"][PRE_AUTHORIZED_GRANT]["interval"] = 5  # draft 13; ignored
    document["grants"]["authorization_code"]["authorization_server"] = "https://as2.example"
    offer = parse_offer_document(document)
    assert offer.pre_authorized is not None and offer.authorization_code is not None
    assert offer.pre_authorized.authorization_server == "https://as.example"
    assert offer.authorization_code.authorization_server == "https://as2.example"


def test_loopback_issuer_needs_the_development_flag() -> None:
    document = offer_document(credential_issuer="http://127.0.0.1:8000/tenant")
    assert parse_offer_document(document, policy=DEV).credential_issuer.endswith("/tenant")
    with pytest.raises(OfferError):
        parse_offer_document(document)


# -- drafts 11/12 ------------------------------------------------------------------------


def legacy_document(credentials: list[Any], **grant: Any) -> dict[str, Any]:
    return {
        "credential_issuer": ISSUER,
        "credentials": credentials,
        "grants": {PRE_AUTHORIZED_GRANT: {"pre-authorized_code": SECRET_CODE, **grant}},
    }


def test_legacy_credentials_and_user_pin() -> None:
    offer = parse_offer_document(legacy_document(["a", "b"], user_pin_required=True))
    assert offer.draft13
    assert offer.credential_configuration_ids == ("a", "b")
    assert offer.pre_authorized is not None
    # The old PIN had no declared character set: do not force a numeric keypad.
    assert offer.pre_authorized.tx_code == TxCode(input_mode="text")

    offer = parse_offer_document(legacy_document(["a"], user_pin_required=False))
    assert offer.draft13 and offer.pre_authorized is not None
    assert offer.pre_authorized.tx_code is None

    # tx_code wins over user_pin_required (issuers in transition send both).
    offer = parse_offer_document(
        legacy_document(["a"], user_pin_required=False, tx_code={"length": 4})
    )
    assert offer.pre_authorized is not None
    assert offer.pre_authorized.tx_code == TxCode(length=4)

    # Very early drafts: user_pin_required next to grants.
    document = {**legacy_document(["a"]), "user_pin_required": True}
    offer = parse_offer_document(document)
    assert offer.pre_authorized is not None and offer.pre_authorized.tx_code is not None

    # Both members: the 1.0 one is used and "credentials" ignored.
    both = {**legacy_document(["old"]), "credential_configuration_ids": ["new"]}
    offer = parse_offer_document(both)
    assert offer.credential_configuration_ids == ("new",) and not offer.draft13

    with pytest.raises(OfferError):
        parse_offer_document(legacy_document(["a", "a"]))


DEGREE = "UniversityDegreeCredential"


def test_legacy_object_entries_resolve_against_metadata() -> None:
    metadata_document = issuer_document(ISSUER)
    metadata_document["credential_configurations_supported"]["degree"] = {
        "format": "jwt_vc_json",
        "credential_definition": {"type": ["VerifiableCredential", DEGREE]},
    }
    metadata = parse_issuer_metadata(metadata_document, ISSUER, STRICT)
    offer = parse_offer_document(
        legacy_document(
            [
                {
                    "format": "jwt_vc_json",
                    "types": ["VerifiableCredential", "UniversityDegreeCredential"],
                },
                {"format": "dc+sd-jwt", "vct": "https://edu.example/microcredential"},
            ]
        )
    )
    assert offer.credential_configuration_ids == (f"{LEGACY_ID_PREFIX}0", f"{LEGACY_ID_PREFIX}1")
    bound = bind_offer(offer, metadata)
    assert bound.credential_configuration_ids == ("degree", "microcredential")
    assert bound.pre_authorized == offer.pre_authorized

    unknown = parse_offer_document(legacy_document([{"format": "ldp_vc", "types": ["X"]}]))
    with pytest.raises(OfferError):
        bind_offer(unknown, metadata)


# -- bind_offer --------------------------------------------------------------------------


def test_bind_offer_checks_against_metadata() -> None:
    metadata = parse_issuer_metadata(
        issuer_document(ISSUER, authorization_servers=["https://as.example"]), ISSUER, STRICT
    )
    offer = parse_offer_document(offer_document())
    assert bind_offer(offer, metadata) is offer

    with pytest.raises(OfferError):
        bind_offer(
            parse_offer_document(offer_document(credential_configuration_ids=["x"])), metadata
        )
    with pytest.raises(OfferError):
        other = offer_document(credential_issuer="https://other.example")
        bind_offer(parse_offer_document(other), metadata)
    hinted = offer_document()
    hinted["grants"][PRE_AUTHORIZED_GRANT]["authorization_server"] = "https://evil.example"
    with pytest.raises(OfferError):
        bind_offer(parse_offer_document(hinted), metadata)
    hinted["grants"][PRE_AUTHORIZED_GRANT]["authorization_server"] = "https://as.example"
    assert bind_offer(parse_offer_document(hinted), metadata).pre_authorized is not None

    # Without authorization_servers the issuer is its own AS: a hint may only name it.
    own = parse_issuer_metadata(issuer_document(ISSUER), ISSUER, STRICT)
    with pytest.raises(OfferError):
        bind_offer(parse_offer_document(hinted), own)
    hinted["grants"][PRE_AUTHORIZED_GRANT]["authorization_server"] = ISSUER
    assert bind_offer(parse_offer_document(hinted), own).pre_authorized is not None


# -- secrets -----------------------------------------------------------------------------


def test_repr_does_not_show_the_pre_authorized_code() -> None:
    offer = parse_offer_document(offer_document())
    assert SECRET_CODE not in repr(offer)
    assert SECRET_CODE not in repr(offer.pre_authorized)


def test_raw_is_kept_but_hidden_from_repr() -> None:
    offer = parse_offer_document(offer_document(extra_member="kept"))
    assert offer.raw["extra_member"] == "kept"
    assert "extra_member" not in repr(offer)


# -- by reference, over real HTTP on loopback (§4.1.3) -----------------------------------


def reference_link(url: str) -> str:
    return f"openid-credential-offer://?credential_offer_uri={quote(url, safe='')}"


def test_by_reference(server: LoopbackServer, client: HttpClient) -> None:
    url = server.json("/offers/abc", offer_document())
    offer = parse_offer(reference_link(url), client)
    assert offer == parse_offer_document(offer_document())
    assert server.requests == ["/offers/abc"]
    # an https-style claimed link carrying the reference works the same way
    https_link = "https://wallet.example/offer?credential_offer_uri=" + quote(url, safe="")
    assert parse_offer(https_link, client) == offer


def test_by_reference_needs_https(server: LoopbackServer, client: HttpClient) -> None:
    url = server.json("/offers/abc", offer_document())
    with HttpClient(STRICT) as strict, pytest.raises(InsecureUrlError):
        parse_offer(reference_link(url), strict)
    with pytest.raises(InsecureUrlError):
        parse_offer(reference_link("https://10.1.2.3/offer"), client)
    assert server.requests == []


def test_by_reference_too_large(server: LoopbackServer) -> None:
    url = server.json("/offers/big", offer_document(padding="x" * 4000))
    small = HttpPolicy(allow_http_loopback=True, timeout=5.0, max_response_bytes=1024)
    with HttpClient(small) as client, pytest.raises(ResponseTooLargeError):
        parse_offer(reference_link(url), client)


def test_by_reference_unreachable(client: HttpClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The port was free a moment ago and nothing listens on it now.
    with pytest.raises(NetworkError):
        parse_offer(reference_link(f"http://127.0.0.1:{port}/offer"), client)


def test_by_reference_bad_answers(server: LoopbackServer, client: HttpClient) -> None:
    url = server.raw("/offers/broken", b'{"credential_issuer": ', "application/json")
    with pytest.raises(MalformedResponseError):
        parse_offer(reference_link(url), client)

    # §4.1.3: "The Credential Offer cannot be signed" and must be application/json.
    url = server.raw("/offers/jwt", b"eyJhbGciOiJub25lIn0.e30.", "application/jwt")
    with pytest.raises(UnexpectedContentTypeError):
        parse_offer(reference_link(url), client)

    # An offer the issuer no longer serves was used or has expired: the student is told so.
    with pytest.raises(OfferExpiredError):
        parse_offer(reference_link(server.base + "/offers/missing"), client)
    url = server.json("/offers/gone", {}, status=410)
    with pytest.raises(OfferExpiredError):
        parse_offer(reference_link(url), client)
    url = server.json("/offers/failing", {}, status=500)
    with pytest.raises(HttpStatusError) as caught:
        parse_offer(reference_link(url), client)
    assert caught.value.status == 500

    url = server.json("/offers/array", [offer_document()])
    with pytest.raises(OfferError):
        parse_offer(reference_link(url), client)

    url = server.json("/offers/invalid", offer_document(credential_configuration_ids=[]))
    with pytest.raises(OfferError):
        parse_offer(reference_link(url), client)


def test_offer_is_frozen() -> None:
    offer = parse_offer_document(offer_document())
    assert isinstance(offer, CredentialOffer)
    with pytest.raises(AttributeError):
        offer.credential_issuer = "https://evil.example"  # type: ignore[misc]
