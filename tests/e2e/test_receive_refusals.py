"""What the wallet refuses when receiving, and that a refusal leaves the wallet unchanged.

A transport wrapper rewrites the demo issuer's real answers (the httpx transport is the one
test seam DESIGN allows); the issuer's key is known to the tests, so forgeries can be exact.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from demo_admin import ISSUER_KEY, Admin

from wallet_core import (
    ExpiredCredentialError,
    InvalidSignatureError,
    IssuerMismatchError,
    MalformedResponseError,
    NetworkError,
    OfferError,
    PartialIssuanceError,
    ResponseTooLargeError,
    UnexpectedCredentialTypeError,
    Wallet,
    WalletError,
    WrongHolderKeyError,
)
from wallet_core.crypto import generate
from wallet_core.formats import sd_jwt_vc

Rewrite = Callable[[httpx.Request, bytes], bytes | None]


class Tamper(httpx.HTTPTransport):
    """Passes requests to the real server and lets a test rewrite the answers."""

    def __init__(self, rewrite: Rewrite) -> None:
        super().__init__()
        self._rewrite = rewrite

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        body = response.read()
        replaced = self._rewrite(request, body)
        if replaced is None:
            replaced = body
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return httpx.Response(response.status_code, headers=headers, content=replaced)


def _reissue(raw: str, *, signer: Any = ISSUER_KEY, **changes: Any) -> str:
    """The same credential with some claims changed, signed again."""
    original = sd_jwt_vc.read_stored(raw)
    holder = changes.pop("holder_jwk", original.sd_jwt.holder_jwk)
    payload = {k: v for k, v in original.claims.items() if k != "cnf"} | changes
    disclosable = [c.path for c in original.sd_jwt.disclosable]
    header = {"kid": original.sd_jwt.header["kid"]}
    return sd_jwt_vc.issue(
        payload, disclosable, issuer_key=signer, holder_jwk=holder, header=header
    )


def _on_credentials(change: Callable[[str], str]) -> Rewrite:
    def rewrite(request: httpx.Request, body: bytes) -> bytes | None:
        if request.url.path != "/credential" or not body:
            return None
        answer = json.loads(body)
        for entry in answer.get("credentials", []):
            entry["credential"] = change(entry["credential"])
        return json.dumps(answer).encode()

    return rewrite


def _assert_unchanged(wallet: Wallet) -> None:
    assert wallet.credentials() == [] and wallet.holder_keys() == [] and wallet.pending() == []
    assert [e.kind for e in wallet.activity()] == ["wallet_created"]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda raw: _reissue(raw, signer=generate("ES256")), InvalidSignatureError),
        (lambda raw: _reissue(raw, holder_jwk=dict(generate().public_jwk)), WrongHolderKeyError),
        (
            lambda raw: _reissue(raw, vct="https://elsewhere.example/type"),
            UnexpectedCredentialTypeError,
        ),
        (lambda raw: _reissue(raw, exp=1_600_000_000), ExpiredCredentialError),
    ],
    ids=["wrong-issuer-key", "bound-to-another-key", "another-vct", "expired"],
)
def test_bad_credentials_are_not_stored(
    open_wallet: Callable[..., Wallet], admin: Admin, change: Callable[[str], str], error: type
) -> None:
    wallet = open_wallet(http_transport=Tamper(_on_credentials(change)))
    offer = wallet.parse_offer(admin.offer()["offer_link"])
    with pytest.raises(error):
        wallet.accept_offer(offer)
    _assert_unchanged(wallet)
    assert "credential_failure" in [n["event"] for n in admin.notifications()]


def _on_metadata(change: Callable[[bytes], bytes]) -> Rewrite:
    def rewrite(request: httpx.Request, body: bytes) -> bytes | None:
        if request.url.path.startswith("/.well-known/openid-credential-issuer"):
            return change(body)
        return None

    return rewrite


def _other_issuer(body: bytes) -> bytes:
    return json.dumps({**json.loads(body), "credential_issuer": "https://evil.example"}).encode()


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (_other_issuer, IssuerMismatchError),
        (lambda body: b"{not json", MalformedResponseError),
        (lambda body: b" " * (2 * 1024 * 1024) + body, ResponseTooLargeError),
    ],
    ids=["credential-issuer-mismatch", "malformed-json", "too-large"],
)
def test_bad_metadata_is_refused(
    open_wallet: Callable[..., Wallet], admin: Admin, change: Callable[[bytes], bytes], error: type
) -> None:
    wallet = open_wallet(http_transport=Tamper(_on_metadata(change)))
    offer = wallet.parse_offer(admin.offer()["offer_link"])
    with pytest.raises(error):
        wallet.accept_offer(offer)
    _assert_unchanged(wallet)


def test_http_issuer_refused_without_the_development_flag(
    open_wallet: Callable[..., Wallet], admin: Admin
) -> None:
    wallet = open_wallet(allow_http_loopback=False)
    with pytest.raises(WalletError) as refused:
        wallet.parse_offer(admin.offer()["offer_link"])
    assert isinstance(refused.value, OfferError | NetworkError)
    _assert_unchanged(wallet)


def test_unreachable_issuer(open_wallet: Callable[..., Wallet]) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    offer = {
        "credential_issuer": f"http://127.0.0.1:{port}",
        "credential_configuration_ids": ["mc"],
        "grants": {
            "urn:ietf:params:oauth:grant-type:pre-authorized_code": {"pre-authorized_code": "x"}
        },
    }
    wallet = open_wallet()
    parsed = wallet.parse_offer(json.dumps(offer))
    with pytest.raises(NetworkError):
        wallet.accept_offer(parsed)
    _assert_unchanged(wallet)


def test_more_credentials_than_proofs_are_refused(
    open_wallet: Callable[..., Wallet], admin: Admin
) -> None:
    """An extra instance (here: one bound to a key already used) spoils the whole batch."""

    def add_one(request: httpx.Request, body: bytes) -> bytes | None:
        if request.url.path != "/credential" or not body:
            return None
        answer = json.loads(body)
        answer["credentials"].append({"credential": answer["credentials"][0]["credential"]})
        return json.dumps(answer).encode()

    wallet = open_wallet(http_transport=Tamper(add_one))
    with pytest.raises(WrongHolderKeyError):
        wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
    _assert_unchanged(wallet)


def test_one_mis_bound_instance_spoils_the_batch(
    open_wallet: Callable[..., Wallet], admin: Admin
) -> None:
    def rebind_last(request: httpx.Request, body: bytes) -> bytes | None:
        if request.url.path != "/credential" or not body:
            return None
        answer = json.loads(body)
        last = answer["credentials"][-1]
        last["credential"] = _reissue(last["credential"], holder_jwk=dict(generate().public_jwk))
        return json.dumps(answer).encode()

    wallet = open_wallet(http_transport=Tamper(rebind_last))
    with pytest.raises(WrongHolderKeyError):
        wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
    _assert_unchanged(wallet)


def test_invalid_nonce_is_retried_once_with_a_fresh_nonce(
    open_wallet: Callable[..., Wallet], admin: Admin
) -> None:
    """OpenID4VCI §8.3.1.2: on invalid_nonce the wallet gets a new nonce and tries again."""
    seen: list[str] = []

    class FirstNonceStale(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            seen.append(request.url.path)
            if request.url.path == "/credential" and seen.count("/credential") == 1:
                return httpx.Response(400, json={"error": "invalid_nonce"})
            return super().handle_request(request)

    wallet = open_wallet(http_transport=FirstNonceStale())
    stored = wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
    assert len(stored) == 1 and wallet.credentials()
    assert seen.count("/credential") == 2 and seen.count("/nonce") == 2


def test_batch_in_any_order_and_fewer_instances_are_fine(
    open_wallet: Callable[..., Wallet], admin: Admin
) -> None:
    """§8.3: keys bind at most one credential each, in no promised order; fewer may come."""

    def reverse_and_drop(request: httpx.Request, body: bytes) -> bytes | None:
        if request.url.path != "/credential" or not body:
            return None
        answer = json.loads(body)
        answer["credentials"] = list(reversed(answer["credentials"]))[:2]
        return json.dumps(answer).encode()

    wallet = open_wallet(http_transport=Tamper(reverse_and_drop))
    stored = wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
    assert len(stored) == 1
    credential_id = wallet.credentials()[0].id
    assert len(wallet._vault.credentials.instances(credential_id)) == 1
    assert len(wallet.holder_keys()) == 2  # the key for the instance never issued is not kept


def test_credential_signed_under_another_iss_is_refused(
    open_wallet: Callable[..., Wallet], admin: Admin
) -> None:
    """A self-signed did:jwk credential must not pass as the institution's."""
    from wallet_core.crypto import did_jwk

    rogue = generate("ES256")
    wallet = open_wallet(
        http_transport=Tamper(
            _on_credentials(lambda raw: _reissue(raw, signer=rogue, iss=did_jwk(rogue.public_jwk)))
        )
    )
    with pytest.raises(IssuerMismatchError):
        wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
    _assert_unchanged(wallet)


def test_an_offer_of_two_where_one_is_refused_keeps_the_other_and_says_so(
    open_wallet: Callable[..., Wallet], admin: Admin
) -> None:
    requests: list[int] = []
    forge = _on_credentials(lambda raw: _reissue(raw, signer=generate("ES256")))

    def second_is_forged(request: httpx.Request, body: bytes) -> bytes | None:
        if request.url.path == "/credential" and body:
            requests.append(1)
            if len(requests) == 2:
                return forge(request, body)
        return None

    wallet = open_wallet(http_transport=Tamper(second_is_forged))
    made = admin.http.post(
        f"{admin.base}/admin/offers",
        json={"configuration_ids": ["mc-circulair-ontwerpen", "mc-zorgtechnologie"]},
    ).json()
    with pytest.raises(PartialIssuanceError) as partial:
        wallet.accept_offer(wallet.parse_offer(made["offer_link"]))
    assert partial.value.offered == 2
    [kept] = partial.value.received
    assert list(partial.value.failures) == ["mc-zorgtechnologie"]
    assert isinstance(partial.value.failures["mc-zorgtechnologie"], InvalidSignatureError)
    assert [c.id for c in wallet.credentials()] == [kept.id]
