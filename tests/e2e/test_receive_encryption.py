"""Encrypted credential requests and responses (OpenID4VCI 1.0 §10) against the demo issuer
in its encryption mode (both required): the request goes as a JWE to the issuer's key and
names an ephemeral key, the answer comes back as a JWE to it; an answer that is not
encrypted, or does not decrypt, is refused and nothing is kept."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from demo_admin import ISSUER_KEY, Admin
from wire import ChangeResponse, Wire, with_json

from demo_services.issuer import create_app
from demo_services.serving import BackgroundServer, start_in_thread
from wallet_core import IssuanceError, PendingCredential, StoredCredential, Wallet, WalletError


def _serve(**options: object) -> Iterator[BackgroundServer]:
    factory = lambda base: create_app(  # noqa: E731
        base, issuer_key=ISSUER_KEY, encryption=True, dpop=True, **options
    )
    with start_in_thread(factory, name="encrypting-issuer") as server:
        yield server


@pytest.fixture(scope="module")
def encrypting_issuer() -> Iterator[BackgroundServer]:
    yield from _serve()


@pytest.fixture(scope="module")
def encrypting_deferred_issuer() -> Iterator[BackgroundServer]:
    yield from _serve(deferred=True, deferred_delay=None)


def test_request_and_answer_are_encrypted_end_to_end(
    open_wallet: Callable[..., Wallet], encrypting_issuer: BackgroundServer
) -> None:
    admin = Admin(encrypting_issuer)
    wire = Wire()
    wallet = open_wallet(http_transport=wire)
    [stored] = wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
    assert isinstance(stored, StoredCredential)
    [exchange] = wire.of("/credential")
    sent, answer = exchange.request, exchange.response
    assert sent.headers["content-type"] == "application/jwt"
    assert answer.headers["content-type"].startswith("application/jwt")
    body = answer.content
    assert body.count(b".") == 4  # a compact JWE: the credential is not readable on the way
    assert stored.raw.split("~")[0].encode() not in body
    admin.http.close()


def test_a_deferred_credential_comes_encrypted_too(
    open_wallet: Callable[..., Wallet], encrypting_deferred_issuer: BackgroundServer
) -> None:
    admin = Admin(encrypting_deferred_issuer)
    wire = Wire()
    wallet = open_wallet(http_transport=wire)
    [pending] = wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
    assert isinstance(pending, PendingCredential)
    admin.post(f"/admin/deferred/{pending.transaction_id}/ready")
    assert isinstance(wallet.poll_pending(pending.id), StoredCredential)
    polls = [e for e in wire.of("/deferred_credential") if e.response.content.count(b".") == 4]
    assert polls and all(e.request.headers["content-type"] == "application/jwt" for e in polls)
    admin.http.close()


def _plain_answer(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
    """The answer as a server that ignored the wallet's key would send it."""
    if request.url.path != "/credential" or response.status_code != 200:
        return None
    return httpx.Response(200, json={"credentials": [{"credential": "eyJ.x.y"}]})


def _garbled_answer(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
    if request.url.path != "/credential" or response.status_code != 200:
        return None
    head, key, iv, ciphertext, tag = response.content.decode().split(".")
    flipped = ("A" if ciphertext[0] != "A" else "B") + ciphertext[1:]
    garbled = ".".join((head, key, iv, flipped, tag)).encode()
    return httpx.Response(200, headers={"Content-Type": "application/jwt"}, content=garbled)


@pytest.mark.parametrize("rewrite", [_plain_answer, _garbled_answer])
def test_an_answer_that_is_not_encrypted_to_the_wallet_is_refused(
    open_wallet: Callable[..., Wallet], encrypting_issuer: BackgroundServer, rewrite: ChangeResponse
) -> None:
    admin = Admin(encrypting_issuer)
    wallet = open_wallet(http_transport=Wire(change_response=rewrite))
    with pytest.raises(WalletError) as refused:
        wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
    assert refused.value.code == "malformed_response"
    assert wallet.credentials() == [] and wallet.holder_keys() == []
    admin.http.close()


def _without_request_key(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
    if request.url.path != "/.well-known/openid-credential-issuer":
        return None
    return with_json(response, lambda document: document.pop("credential_request_encryption"))


def test_required_encryption_without_a_request_key_is_refused_before_sending(
    open_wallet: Callable[..., Wallet], encrypting_issuer: BackgroundServer
) -> None:
    """§8.2: response encryption only with request encryption, so the wallet's key for the
    answer cannot be swapped on the way."""
    admin = Admin(encrypting_issuer)
    wire = Wire(change_response=_without_request_key)
    wallet = open_wallet(http_transport=wire)
    with pytest.raises(IssuanceError):
        wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
    assert wire.of("/credential") == []
    assert wallet.credentials() == []
    admin.http.close()
