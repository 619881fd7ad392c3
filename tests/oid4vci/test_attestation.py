"""One issuance session's wallet attestation (wallet_core.oid4vci.attestation) against the
real demo wallet provider: asked for once, over the session's own key, and asked for again
when it is about to expire (a login at the institution may outlast it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from wire import jwt_part

from demo_services import wallet_provider
from demo_services.serving import BackgroundServer, start_in_thread
from wallet_core import ManualClock
from wallet_core.http import HttpClient
from wallet_core.oid4vci.attestation import ATTESTATION_HEADER, ClientAttestation, WalletProvider

CLOCK = ManualClock()  # the provider's and the wallet's, so both see the hour pass


@pytest.fixture(scope="module")
def provider() -> Iterator[BackgroundServer]:
    factory = lambda base: wallet_provider.create_app(base, clock=CLOCK.now)  # noqa: E731
    with start_in_thread(factory, name="wallet-provider") as server:
        yield server


def test_a_session_attests_its_own_key_once_and_again_before_it_expires(
    provider: BackgroundServer, client: HttpClient
) -> None:
    service = WalletProvider(provider.base_url, client, CLOCK)
    session, other = ClientAttestation(service, CLOCK), ClientAttestation(service, CLOCK)
    first = session.headers("https://as.example")[ATTESTATION_HEADER]
    assert session.headers("https://as.example")[ATTESTATION_HEADER] == first  # cached
    assert (
        jwt_part(other.headers("https://as.example")[ATTESTATION_HEADER], 1)["cnf"]
        != (jwt_part(first, 1)["cnf"])
    )  # each session its own key

    CLOCK.advance(jwt_part(first, 1)["exp"] - CLOCK.now() - 30)  # 30 s before it expires
    renewed = session.headers("https://as.example")[ATTESTATION_HEADER]
    assert renewed != first and jwt_part(renewed, 1)["cnf"] == jwt_part(first, 1)["cnf"]
    # the provider still attests keys for the session's key
    assert session.key_attestation([{"kty": "EC", "crv": "P-256", "x": "x", "y": "y"}], None)
