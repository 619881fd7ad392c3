"""Receiving from the local demo issuer (issue #4): offer -> stored, pre-authorized, loopback.

    .venv/bin/python benchmarks/receive.py [--repeat 30]

Prints the median end to end (parse the offer link, metadata, token, nonce, credential
request with a batch of proofs, verification incl. issuer key resolution, one vault
transaction), PIN KDF excluded. Target (DESIGN §8): <= 60 ms. The first run in a wallet
also fetches the issuer's keys; later runs find them in the vault cache, like a phone would.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from helpers import PIN

from demo_services.issuer import create_app
from demo_services.serving import start_in_thread
from wallet_core import KdfParams, Wallet


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    repeat = parser.parse_args().repeat
    with (
        start_in_thread(lambda base: create_app(base), name="issuer") as server,
        tempfile.TemporaryDirectory() as tmp,
        httpx.Client(timeout=10) as admin,
    ):
        wallet = Wallet.create(
            Path(tmp) / "w", PIN, kdf=KdfParams.fast_for_tests(), allow_http_loopback=True
        )

        def offer_link() -> str:
            made = admin.post(
                f"{server.base_url}/admin/offers",
                json={"configuration_ids": ["mc-circulair-ontwerpen"]},
            )
            return str(made.json()["offer_link"])

        def receive(link: str) -> float:
            start = time.perf_counter()
            wallet.accept_offer(wallet.parse_offer(link))
            return (time.perf_counter() - start) * 1000

        first = receive(offer_link())
        samples = [receive(offer_link()) for _ in range(repeat)]
        wallet.close()
    print(f"first receive (cold: client, issuer keys):  {first:7.1f} ms")
    print(
        f"receive, median of {repeat}:                  {statistics.median(samples):7.1f} ms"
        "   (target <= 60)"
    )
    print(f"receive, fastest:                         {min(samples):7.1f} ms")


if __name__ == "__main__":
    main()
