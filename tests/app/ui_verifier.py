"""Shared set-up for the UI tests that present: the demo issuer and verifiers on loopback,
and a wallet (made directly with wallet_core) that already holds a microcredential."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from test_ui_home import PIN

from app.config import AppConfig
from demo_services.issuer import create_app as create_issuer
from demo_services.serving import BackgroundServer, start_in_thread
from demo_services.verifier import create_app as create_verifier
from demo_services.verifier import root_certificate
from wallet_core import KdfParams, Wallet

WITH_GRADE = "mc-circulair-ontwerpen"  # the demo issuer's microcredential with a grade
WITHOUT_GRADE = "mc-data-analyse-python"


@dataclasses.dataclass
class Verifier:
    server: BackgroundServer

    @property
    def url(self) -> str:
        url: str = self.server.app.state.public_url  # type: ignore[attr-defined]
        return url

    def transaction(self) -> dict[str, Any]:
        response = httpx.post(self.url + "/admin/transactions", json={}, timeout=10)
        assert response.status_code == 201, response.text
        value: dict[str, Any] = response.json()
        return value

    def status(self, transaction_id: str) -> dict[str, Any]:
        response = httpx.get(self.url + f"/admin/transactions/{transaction_id}", timeout=10)
        assert response.status_code == 200, response.text
        value: dict[str, Any] = response.json()
        return value


@pytest.fixture(scope="module")
def issuer() -> Iterator[BackgroundServer]:
    with start_in_thread(lambda base: create_issuer(base), name="issuer") as server:
        yield server


@pytest.fixture(scope="module")
def verifiers(issuer: BackgroundServer) -> Iterator[Callable[[str], Verifier]]:
    """``verifiers(prefix)``: a running demo verifier (direct_post.jwt) for that prefix."""
    running: dict[str, Verifier] = {}

    def start(prefix: str) -> Verifier:
        if prefix not in running:
            server = start_in_thread(
                lambda base: create_verifier(
                    base,
                    client_id_prefix=prefix,  # type: ignore[arg-type]
                    response_mode="direct_post.jwt",
                    vct_values=[issuer.base_url + "/types/microcredential"],
                    trusted_issuers=[issuer.base_url],
                ),
                name="verifier",
            )
            running[prefix] = Verifier(server)
        return running[prefix]

    yield start
    for verifier in running.values():
        verifier.server.stop()


def wallet_config(config: AppConfig, verifier: Verifier) -> AppConfig:
    anchor = root_certificate(verifier.server.app)
    return dataclasses.replace(
        config,
        allow_http_loopback=True,
        verifier_trust_anchors=(anchor,) if anchor is not None else (),
    )


def wallet_with_credential(
    config: AppConfig, issuer: BackgroundServer, configuration_ids: list[str] | None = None
) -> list[str]:
    """Create the vault and receive credentials into it; returns their ids."""
    response = httpx.post(
        f"{issuer.base_url}/admin/offers",
        json={"configuration_ids": configuration_ids or [WITH_GRADE]},
        timeout=10,
    )
    response.raise_for_status()
    with Wallet.create(
        config.vault_dir, PIN, kdf=KdfParams.fast_for_tests(), allow_http_loopback=True
    ) as wallet:
        stored = wallet.accept_offer(wallet.parse_offer(response.json()["offer_link"]))
    return [s.id for s in stored]
