"""Receiving from the demo issuer in its HAIP mode (``dpop=True``): DPoP-bound tokens (RFC
9449) on every flow, each server's own ``DPoP-Nonce`` followed once, the session's DPoP key
kept in the vault for a deferred poll and the ``credential_deleted`` notification; and the
clean refusals: another key, a nonce that is always stale, a wallet that sends no proof."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs

import httpx
import pytest
from demo_admin import Admin, log_in
from pydpop import generate_key, generate_proof
from wire import Wire, jwt_part, with_json

from demo_services.serving import BackgroundServer
from wallet_core import IssuanceError, PendingCredential, StoredCredential, Wallet
from wallet_core.storage.keys import DPOP


def _dpop_keys(wallet: Wallet) -> list[str]:
    return [k.kid for k in wallet._vault.keys.all(DPOP)]


def test_pre_authorized_issuance_with_dpop_and_both_servers_nonces(
    open_wallet: Callable[..., Wallet], dpop_issuer: BackgroundServer
) -> None:
    admin = Admin(dpop_issuer)
    recorder = Wire()
    wallet = open_wallet(http_transport=recorder)
    [stored] = wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
    assert isinstance(stored, StoredCredential)
    # the authorization server asked for its nonce once; the nonce endpoint handed the
    # credential endpoint's, so that request went through at once
    assert [(e.status, e.proved) for e in recorder.of("/token")] == [(400, True), (200, True)]
    first, second = recorder.of("/token")
    assert first.nonce is None and second.nonce is not None
    [credential] = recorder.of("/credential")
    assert (credential.status, credential.scheme, credential.proved) == (200, "DPoP", True)
    assert credential.nonce not in (None, second.nonce)
    # the issuer will be told of a deletion: the session's key stays, as no holder key
    kept = _dpop_keys(wallet)
    assert len(kept) == 1 and kept[0] not in [k.kid for k in wallet.holder_keys()]

    wallet.delete_credential(stored.id)
    assert [n["event"] for n in admin.notifications()][-1] == "credential_deleted"
    [notification] = [e for e in recorder.of("/notification") if e.status == 204][-1:]
    assert notification.scheme == "DPoP"
    assert _dpop_keys(wallet) == [] and wallet.holder_keys() == []
    admin.http.close()


def test_authorization_code_with_par_binds_the_code_to_the_dpop_key(
    open_wallet: Callable[..., Wallet], dpop_issuer: BackgroundServer
) -> None:
    admin = Admin(dpop_issuer)
    recorder = Wire()
    wallet = open_wallet(http_transport=recorder)
    offer = wallet.parse_offer(admin.offer(grant="authorization_code")["offer_link"])
    session = wallet.start_authorization(offer, "eduwallet://callback")
    assert [(e.status, e.proved) for e in recorder.of("/par")] == [(400, True), (201, True)]
    # HAIP 1.0 §4.3: the credential type goes as the configuration's scope
    pushed = parse_qs(recorder.of("/par")[-1].request.content.decode())
    assert pushed["scope"] == ["mc-circulair-ontwerpen"] and "authorization_details" not in pushed
    [stored] = wallet.finish_authorization(session, log_in(session.url))
    assert isinstance(stored, StoredCredential)
    assert [e.status for e in recorder.of("/token")] == [200]  # the AS's nonce was known
    admin.http.close()


def test_a_deferred_credential_is_fetched_with_the_kept_dpop_key_after_a_restart(
    open_wallet: Callable[..., Wallet], dpop_deferred_issuer: BackgroundServer
) -> None:
    admin = Admin(dpop_deferred_issuer)
    wallet = open_wallet()
    [pending] = wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
    assert isinstance(pending, PendingCredential) and len(_dpop_keys(wallet)) == 1
    wallet.close()

    recorder = Wire()
    wallet = open_wallet(http_transport=recorder)  # a restart: only the vault remembers
    admin.post(f"/admin/deferred/{pending.transaction_id}/ready")
    stored = wallet.poll_pending(pending.id)
    assert isinstance(stored, StoredCredential)
    # a new conversation knows no nonce: the resource server asks, once
    polls = recorder.of("/deferred_credential")
    assert [(e.status, e.scheme) for e in polls] == [(401, "DPoP"), (200, "DPoP")]
    admin.http.close()


def test_cancelling_a_pending_credential_forgets_its_dpop_key(
    open_wallet: Callable[..., Wallet], dpop_deferred_issuer: BackgroundServer
) -> None:
    admin = Admin(dpop_deferred_issuer)
    wallet = open_wallet()
    [pending] = wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
    assert isinstance(pending, PendingCredential) and _dpop_keys(wallet)
    wallet.cancel_pending(pending.id)
    assert _dpop_keys(wallet) == [] and wallet.holder_keys() == []
    admin.http.close()


def _proof_by_another_key(request: httpx.Request) -> httpx.Request | None:
    """The credential request as a wallet that lost its DPoP key would send it: a proof
    right in every claim, by another key (made by an independent DPoP library)."""
    proof = request.headers.get("dpop")
    if request.url.path != "/credential" or proof is None:
        return None
    claims = jwt_part(proof, 1)
    forged = generate_proof(
        private_key=generate_key(),
        htm="POST",
        htu=claims["htu"],
        access_token=request.headers["authorization"].partition(" ")[2],
        nonce=claims.get("nonce"),
    )
    headers = {**request.headers, "DPoP": forged}
    return httpx.Request(request.method, request.url, headers=headers, content=request.content)


def test_a_proof_by_another_key_is_refused_and_nothing_is_kept(
    open_wallet: Callable[..., Wallet], dpop_issuer: BackgroundServer
) -> None:
    admin = Admin(dpop_issuer)
    recorder = Wire(_proof_by_another_key)
    wallet = open_wallet(http_transport=recorder)
    with pytest.raises(IssuanceError) as refused:
        wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
    assert refused.value.oauth_error == "invalid_dpop_proof"
    assert [e.status for e in recorder.of("/credential")] == [401]
    assert wallet.credentials() == [] and wallet.holder_keys() == [] and _dpop_keys(wallet) == []
    admin.http.close()


def test_a_nonce_that_is_always_stale_gets_one_retry_then_a_clean_refusal(
    open_wallet: Callable[..., Wallet], stale_nonce_issuer: BackgroundServer
) -> None:
    admin = Admin(stale_nonce_issuer)
    recorder = Wire()
    wallet = open_wallet(http_transport=recorder)
    with pytest.raises(IssuanceError) as refused:
        wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
    assert refused.value.oauth_error == "use_dpop_nonce"
    assert [e.status for e in recorder.of("/token")] == [400, 400]  # one retry, no more
    assert wallet.credentials() == [] and wallet.holder_keys() == []
    admin.http.close()


def _hide_dpop(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
    """An authorization server metadata without ``dpop_signing_alg_values_supported``: the
    wallet then sends no proof, as it would to a server that does not offer DPoP."""
    if request.url.path != "/.well-known/oauth-authorization-server":
        return None
    return with_json(response, lambda document: document.pop("dpop_signing_alg_values_supported"))


def test_without_a_proof_the_haip_issuer_refuses_and_nothing_is_kept(
    open_wallet: Callable[..., Wallet], dpop_issuer: BackgroundServer
) -> None:
    admin = Admin(dpop_issuer)
    recorder = Wire(change_response=_hide_dpop)
    wallet = open_wallet(http_transport=recorder)
    with pytest.raises(IssuanceError) as refused:
        wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
    assert refused.value.oauth_error == "invalid_dpop_proof"
    assert [(e.status, e.proved) for e in recorder.of("/token")] == [(400, False)]
    assert wallet.credentials() == [] and wallet.holder_keys() == []
    admin.http.close()
