"""The real eduwallet ``Wallet`` against the demo verifier (and the demo issuer): receive,
parse the request, match, present, decline, and an offline presentation QR."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from helpers import PIN

from demo_services.issuer.client import DemoIssuerClient
from demo_services.serving import BackgroundServer
from demo_services.verifier import root_certificate
from wallet_core import Choice, KdfParams, Wallet, qr
from wallet_core.oid4vp import qr_payload

from .verifier_fixtures import WITH_GRADE, VerifierHandle, verifiers

__all__ = ["verifiers"]  # fixture, imported for pytest

Verifiers = Callable[..., VerifierHandle]


@pytest.fixture
def wallet_for(
    tmp_path: Path, issuer_server: BackgroundServer, http: httpx.Client
) -> Iterator[Callable[[VerifierHandle], tuple[Wallet, str]]]:
    """A wallet trusting the verifier's CA, holding one microcredential (with a grade)."""
    opened: list[Wallet] = []

    def make(verifier: VerifierHandle) -> tuple[Wallet, str]:
        anchor = root_certificate(verifier.server.app)
        wallet = Wallet.create(
            tmp_path / f"wallet{len(opened)}",
            PIN,
            kdf=KdfParams.fast_for_tests(),
            allow_http_loopback=True,
            verifier_trust_anchors=[anchor] if anchor else [],
        )
        opened.append(wallet)
        offer = DemoIssuerClient(issuer_server.base_url, http).create_offer([WITH_GRADE])
        [stored] = wallet.accept_offer(wallet.parse_offer(offer["offer_link"]))
        return wallet, stored.id

    yield make
    for wallet in opened:
        wallet.close()


@pytest.mark.parametrize("same_device", [True, False], ids=["same-device", "cross-device"])
@pytest.mark.parametrize(
    ("prefix", "mode", "method"),
    [
        ("redirect_uri", "direct_post", "get"),
        ("redirect_uri", "direct_post.jwt", "get"),
        ("x509_san_dns", "direct_post", "get"),
        ("x509_san_dns", "direct_post.jwt", "post"),
        ("x509_hash", "direct_post.jwt", "get"),
        ("x509_hash", "direct_post", "post"),
    ],
)
def test_wallet_presents_to_the_verifier(
    prefix: str,
    mode: str,
    method: str,
    same_device: bool,
    verifiers: Verifiers,
    wallet_for: Callable[[VerifierHandle], tuple[Wallet, str]],
    http: httpx.Client,
) -> None:
    verifier = verifiers(prefix, mode)
    wallet, credential_id = wallet_for(verifier)
    tx = verifier.transaction(same_device=same_device, request_uri_method=method)
    request = wallet.parse_presentation_request(tx["link"])
    assert request.verifier.verified is (prefix != "redirect_uri")
    [candidate] = wallet.match(request).candidates("microcredential")
    chosen = [*candidate.required_claims, *candidate.optional_claims]
    result = wallet.present(request, {"microcredential": Choice(credential_id, chosen)})
    assert result.ok, result.verifier_response
    status = verifier.status(tx["transaction_id"])
    assert status["status"] == "verified", status
    assert status["result"]["requested_claims"]["title"] == "Circulair ontwerpen in de bouw"
    assert status["result"]["unrequested_disclosures"] == []  # nothing unselected leaked
    # a batch instance no verifier has seen was used, and is now spent
    used = [i for i in wallet._vault.credentials.instances(credential_id) if i.used_at]
    assert len(used) == 1
    if same_device:
        assert result.redirect_uri is not None
        assert "Geverifieerd" in http.get(result.redirect_uri).text
    else:
        assert result.redirect_uri is None


def test_wallet_declines(
    verifiers: Verifiers, wallet_for: Callable[[VerifierHandle], tuple[Wallet, str]]
) -> None:
    verifier = verifiers("x509_san_dns", "direct_post.jwt")
    wallet, _ = wallet_for(verifier)
    tx = verifier.transaction()
    result = wallet.decline(wallet.parse_presentation_request(tx["link"]))
    assert result.ok
    status = verifier.status(tx["transaction_id"])
    assert status["status"] == "declined"
    assert status["wallet_error"]["error"] == "access_denied"


def test_wallet_offline_qr(
    verifiers: Verifiers,
    wallet_for: Callable[[VerifierHandle], tuple[Wallet, str]],
    http: httpx.Client,
) -> None:
    verifier = verifiers("x509_hash")
    wallet, credential_id = wallet_for(verifier)
    claims = [("title",), ("awardingBody",), ("notionalWorkload",), ("level",)]
    for audience in (verifier.url, None):  # None: the wallet's generic offline audience
        text = wallet.offline_presentation(credential_id, claims, audience=audience)
        png = qr.encode_png(qr_payload.encode(text), error_correction="L")
        response = http.post(
            verifier.url + "/offline", content=png, headers={"Content-Type": "image/png"}
        )
        assert response.status_code == 200, response.text
        assert response.json()["result"]["claim_set"] == 1
