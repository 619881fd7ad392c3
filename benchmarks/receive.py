"""Receiving from the local demo issuer (issue #4): offer -> stored, pre-authorized, loopback.

    .venv/bin/python benchmarks/receive.py [--repeat 30]

Prints the median end to end (parse the offer link, metadata, token, nonce, credential
request with a batch of proofs, verification incl. issuer key resolution, one vault
transaction), PIN KDF excluded, for the SD-JWT VC microcredential (the baseline) and the
same microcredential as an Open Badge 3.0 in ``jwt_vc_json`` and ``ldp_vc`` (issue #11).
Target (DESIGN §8, issue #11): <= 60 ms each. The first run in a wallet also fetches the
issuer's keys; later runs find them in the vault cache, like a phone would.
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

CONFIGURATIONS = (
    "mc-circulair-ontwerpen",
    "ob3-circulair-ontwerpen-jwt",
    "ob3-circulair-ontwerpen-ldp",
)


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

        def offer_link(configuration: str) -> str:
            made = admin.post(
                f"{server.base_url}/admin/offers", json={"configuration_ids": [configuration]}
            )
            return str(made.json()["offer_link"])

        def receive(link: str) -> float:
            start = time.perf_counter()
            wallet.accept_offer(wallet.parse_offer(link))
            return (time.perf_counter() - start) * 1000

        medians: dict[str, float] = {}
        for configuration in CONFIGURATIONS:
            first = receive(offer_link(configuration))
            samples = [receive(offer_link(configuration)) for _ in range(repeat)]
            medians[configuration] = statistics.median(samples)
            print(f"{configuration}: first (cold) {first:7.1f} ms", end="")
            print(f"   median of {repeat} {medians[configuration]:7.1f} ms", end="")
            print(f"   fastest {min(samples):7.1f} ms   (target <= 60)")
        wallet.close()
    baseline = medians[CONFIGURATIONS[0]]
    for configuration in CONFIGURATIONS[1:]:
        print(f"{configuration} / SD-JWT VC: {medians[configuration] / baseline:5.2f}x")


if __name__ == "__main__":
    main()
