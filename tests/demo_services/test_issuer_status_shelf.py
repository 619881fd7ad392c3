"""The demo issuer's status lists roll over: a full list is followed by the next, never an
HTTP 500 (Step 9 point 15), and a wallet checks credentials on any of them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from helpers import PIN

from demo_services.issuer import create_app
from demo_services.issuer.client import DemoIssuerClient
from demo_services.issuer.status_list import StatusList
from demo_services.issuer.status_shelf import StatusShelf
from demo_services.serving import BackgroundServer, start_in_thread
from wallet_core import KdfParams, ManualClock, StatusState, StoredCredential, Wallet
from wallet_core.formats import sd_jwt_vc

SIZE = 4  # entries per list here; 4096 in the demo


@pytest.fixture
def small_lists() -> Iterator[BackgroundServer]:
    factory = lambda base: create_app(base, status_list_size=SIZE)  # noqa: E731
    with start_in_thread(factory, name="issuer") as server:
        yield server


def test_a_shelf_opens_the_next_list_when_one_is_full() -> None:
    shelf = StatusShelf(lambda n: StatusList(f"https://i.example/status/{n}", 2))
    numbers = [shelf.allocate() for _ in range(5)]
    assert sorted(numbers[:2]) == [0, 1] and sorted(numbers[2:4]) == [2, 3] and numbers[4] >= 4
    assert [listed.uri for listed in shelf.lists] == [
        f"https://i.example/status/{n}" for n in (1, 2, 3)
    ]
    listed, index = shelf.locate(3)
    assert listed is shelf.lists[1] and index == 1
    assert shelf.get(3) is shelf.lists[2] and shelf.get(4) is None and shelf.get(0) is None
    with pytest.raises(IndexError):
        shelf.locate(6)


def test_issuing_past_a_full_list_goes_on_and_each_list_answers(
    small_lists: BackgroundServer, tmp_path: Path
) -> None:
    clock = ManualClock(time.time())
    options = {"clock": clock, "allow_http_loopback": True}
    received: list[StoredCredential] = []
    with (
        httpx.Client(timeout=10) as http,
        Wallet.create(tmp_path / "w", PIN, kdf=KdfParams.fast_for_tests(), **options) as wallet,
    ):
        admin = DemoIssuerClient(small_lists.base_url, http)
        for n in range(3):  # a batch of 3 each: 9 entries, over lists of 4
            student = {"given_name": "Sam", "family_name": f"Student {n}"}
            offer = admin.create_offer(["mc-data-analyse-python"], student=student)
            [stored] = wallet.accept_offer(wallet.parse_offer(offer["offer_link"]))
            assert isinstance(stored, StoredCredential)
            received.append(stored)
        uris = {
            sd_jwt_vc.read_stored(raw).status["status_list"]["uri"]  # type: ignore[index]
            for c in received
            for raw in [c.raw, *(i.raw for i in wallet._vault.credentials.instances(c.id))]
        }
        assert uris == {f"{small_lists.base_url}/status/{n}" for n in (1, 2, 3)}
        assert http.get(f"{small_lists.base_url}/status/4").status_code == 404
        assert http.get(f"{small_lists.base_url}/status/x").status_code == 404
        for odd in ("%C2%B2", "%D9%A1", "99999999"):  # "²", an Arabic one: digits to Python
            assert http.get(f"{small_lists.base_url}/status/{odd}").status_code == 404
            assert http.get(f"{small_lists.base_url}/status/bitstring/{odd}").status_code == 404

        last = http.get(f"{small_lists.base_url}/admin/issued").json()[-1]
        revoked = http.post(
            f"{small_lists.base_url}/admin/revoke/{last['status_indices'][0]}", json={}
        )
        assert revoked.status_code == 200, revoked.text
        clock.advance(120)  # past the ttl of the lists the wallet read on receipt
        assert wallet.refresh_status(received[-1].id).state is StatusState.INVALID
        assert wallet.refresh_status(received[0].id).state is StatusState.VALID
