"""Wallet attestation and key attestation (OpenID4VCI 1.0 Appendix D, E; HAIP 1.0 §4.4.1,
§4.5.1) against the demo wallet provider and the demo issuer in its full HAIP mode (DPoP and
attestations required): a wallet its provider vouches for gets its credential; a wallet with
no attestation, or one from a provider the issuer does not trust, is refused and keeps
nothing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import httpx
import pytest
from cryptography import x509
from demo_admin import ISSUER_KEY, Admin, log_in
from wire import Wire, jwt_part

from demo_services import wallet_provider
from demo_services.issuer import create_app
from demo_services.serving import BackgroundServer, start_in_thread
from wallet_core import IssuanceError, StoredCredential, Wallet


def _provider() -> Iterator[BackgroundServer]:
    with start_in_thread(wallet_provider.create_app, name="wallet-provider") as server:
        yield server


provider = pytest.fixture(scope="module")(_provider)
other_provider = pytest.fixture(scope="module")(_provider)


def _root(server: BackgroundServer) -> x509.Certificate:
    return x509.load_pem_x509_certificate(httpx.get(f"{server.base_url}/ca.pem").content)


@pytest.fixture(scope="module")
def haip_issuer(provider: BackgroundServer) -> Iterator[BackgroundServer]:
    roots = (_root(provider),)
    factory = lambda base: create_app(  # noqa: E731
        base, issuer_key=ISSUER_KEY, dpop=True, wallet_providers=roots
    )
    with start_in_thread(factory, name="haip-issuer") as server:
        yield server


def test_an_attested_wallet_receives_with_dpop_and_attested_keys(
    open_wallet: Callable[..., Wallet], haip_issuer: BackgroundServer, provider: BackgroundServer
) -> None:
    admin = Admin(haip_issuer)
    seen = Wire()
    wallet = open_wallet(http_transport=seen, wallet_provider=provider.base_url)
    for family_name in ("Jansen", "de Vries"):  # two credentials: the same one twice is refused
        made = admin.offer(student={"given_name": "Sam", "family_name": family_name})
        [stored] = wallet.accept_offer(wallet.parse_offer(made["offer_link"]))
        assert isinstance(stored, StoredCredential)
    attestations = []
    for sent in [e.request for e in seen.of("/token")]:
        if "oauth-client-attestation" not in sent.headers:
            continue
        attestation = sent.headers["oauth-client-attestation"]
        assert jwt_part(attestation, 1)["sub"] == "eduwallet"
        pop = jwt_part(sent.headers["oauth-client-attestation-pop"], 1)
        assert pop["iss"] == "eduwallet" and pop["aud"] == haip_issuer.base_url
        attestations.append(attestation)
    assert len(set(attestations)) == 2  # one of its own for each issuance session
    # every proof carries one key attestation of the request's keys, saying software keys
    proofs = json.loads(seen.of("/credential")[-1].request.content)["proofs"]["jwt"]
    attested = {str(jwt_part(proof, 0)["key_attestation"]) for proof in proofs}
    assert len(attested) == 1
    claims = jwt_part(attested.pop(), 1)
    assert claims["key_storage"] == [f"{provider.base_url}/#software-keys"]
    assert len(claims["attested_keys"]) == len(proofs)  # type: ignore[arg-type]
    # HAIP 1.0 §4.4.1: nothing an issuer sees is the same for two sessions of one instance,
    # not the attestation, not the key it attests
    session_keys = {json.dumps(jwt_part(a, 1)["cnf"], sort_keys=True) for a in attestations}
    assert len(session_keys) == 2
    admin.http.close()


def test_the_authorization_code_flow_authenticates_at_par_and_token(
    open_wallet: Callable[..., Wallet], haip_issuer: BackgroundServer, provider: BackgroundServer
) -> None:
    admin = Admin(haip_issuer)
    seen = Wire()
    wallet = open_wallet(http_transport=seen, wallet_provider=provider.base_url)
    offer = wallet.parse_offer(admin.offer(grant="authorization_code")["offer_link"])
    session = wallet.start_authorization(offer, "eduwallet://callback")
    [stored] = wallet.finish_authorization(session, log_in(session.url))
    assert isinstance(stored, StoredCredential)
    for path in ("/par", "/token"):
        assert all("oauth-client-attestation-pop" in e.request.headers for e in seen.of(path))
    admin.http.close()


def test_a_wallet_without_an_attestation_is_refused_and_keeps_nothing(
    open_wallet: Callable[..., Wallet], haip_issuer: BackgroundServer
) -> None:
    admin = Admin(haip_issuer)
    wallet = open_wallet()
    with pytest.raises(IssuanceError) as refused:
        wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
    assert refused.value.oauth_error == "invalid_client"
    assert wallet.credentials() == [] and wallet.holder_keys() == []
    admin.http.close()


def test_a_wallet_vouched_for_by_an_untrusted_provider_is_refused(
    open_wallet: Callable[..., Wallet],
    haip_issuer: BackgroundServer,
    other_provider: BackgroundServer,
) -> None:
    admin = Admin(haip_issuer)
    wallet = open_wallet(wallet_provider=other_provider.base_url)
    with pytest.raises(IssuanceError) as refused:
        wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
    assert refused.value.oauth_error == "invalid_client"
    assert wallet.credentials() == [] and wallet.holder_keys() == []
    admin.http.close()


def test_a_wallet_provider_that_does_not_answer_is_a_clean_refusal(
    open_wallet: Callable[..., Wallet], haip_issuer: BackgroundServer, provider: BackgroundServer
) -> None:
    """No attestation to be had (here: a wrong provider address): a typed error before
    anything is spent at the issuer's token endpoint, and nothing kept."""
    admin = Admin(haip_issuer)
    seen = Wire()
    wallet = open_wallet(http_transport=seen, wallet_provider=f"{provider.base_url}/nowhere")
    with pytest.raises(IssuanceError) as refused:
        wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
    assert refused.value.oauth_error is None  # the wallet's own refusal, not the issuer's
    assert seen.of("/token") == [] and wallet.credentials() == []
    admin.http.close()
