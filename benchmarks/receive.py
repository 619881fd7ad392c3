"""Receiving from the local demo issuer (issue #4): offer -> stored, pre-authorized, loopback.

    .venv/bin/python benchmarks/receive.py [--repeat 30]

Prints the median end to end (parse the offer link, metadata, token, nonce, credential
request with a batch of proofs, verification incl. issuer key resolution, one vault
transaction), PIN KDF excluded:

- the SD-JWT VC microcredential with a Bearer token (the baseline: the issuer's metadata is
  shown to the wallet without DPoP), with DPoP as the demo issuer offers it, and against the
  issuer in its HAIP mode (``dpop=True``: DPoP required, each server asking for its own
  nonce, so the token and the credential request each go twice), and that with wallet and
  key attestations by the demo wallet provider as well (issue #12);
- the same microcredential as an Open Badge 3.0 in ``jwt_vc_json`` and ``ldp_vc`` (#11).

Targets (DESIGN §8, issues #11, #12): <= 60 ms each; <= 80 ms with DPoP in the HAIP mode.
The first run in a wallet also fetches the issuer's keys; later runs find them in the vault
cache, like a phone would.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from cryptography import x509

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from helpers import PIN

from demo_services import wallet_provider
from demo_services.issuer import create_app
from demo_services.serving import start_in_thread
from wallet_core import KdfParams, Wallet

SD_JWT = "mc-circulair-ontwerpen"
# (row, issuer mode, configuration, wallet)
ROWS = (
    ("SD-JWT VC, Bearer (baseline)", "default", SD_JWT, "bearer"),
    ("SD-JWT VC, DPoP", "default", SD_JWT, "dpop"),
    ("SD-JWT VC, DPoP with nonces (HAIP)", "haip", SD_JWT, "dpop"),
    ("SD-JWT VC, DPoP + attestations (HAIP)", "attested", SD_JWT, "attested"),
    ("OB3 jwt_vc_json, DPoP", "default", "ob3-circulair-ontwerpen-jwt", "dpop"),
    ("OB3 ldp_vc, DPoP", "default", "ob3-circulair-ontwerpen-ldp", "dpop"),
)


class WithoutDpop(httpx.HTTPTransport):
    """Shows the wallet authorization server metadata without DPoP: it then uses Bearer."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.url.path != "/.well-known/oauth-authorization-server":
            return response
        document = json.loads(response.read())
        document.pop("dpop_signing_alg_values_supported", None)
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return httpx.Response(200, headers=headers, content=json.dumps(document).encode())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    repeat = parser.parse_args().repeat
    with contextlib.ExitStack() as stack:
        provider = stack.enter_context(
            start_in_thread(wallet_provider.create_app, name="wallet-provider")
        )
        roots = (x509.load_pem_x509_certificate(httpx.get(f"{provider.base_url}/ca.pem").content),)
        servers = {
            "default": stack.enter_context(start_in_thread(create_app, name="issuer")),
            "haip": stack.enter_context(
                start_in_thread(lambda base: create_app(base, dpop=True), name="haip-issuer")
            ),
            "attested": stack.enter_context(
                start_in_thread(
                    lambda base: create_app(base, dpop=True, wallet_providers=roots),
                    name="attested-issuer",
                )
            ),
        }
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        admin = stack.enter_context(httpx.Client(timeout=10))

        def open_wallet(name: str, **options: object) -> Wallet:
            kdf = KdfParams.fast_for_tests()
            wallet = Wallet.create(tmp / name, PIN, kdf=kdf, allow_http_loopback=True, **options)
            stack.callback(wallet.close)
            return wallet

        wallets = {
            "dpop": open_wallet("dpop"),
            "bearer": open_wallet("bearer", http_transport=WithoutDpop()),
            "attested": open_wallet("attested", wallet_provider=provider.base_url),
        }

        def offer_link(mode: str, configuration: str) -> str:
            made = admin.post(
                f"{servers[mode].base_url}/admin/offers",
                json={"configuration_ids": [configuration]},
            )
            return str(made.json()["offer_link"])

        def timed(wallet: Wallet, link: str) -> float:
            start = time.perf_counter()
            wallet.accept_offer(wallet.parse_offer(link))
            return (time.perf_counter() - start) * 1000

        medians: dict[str, float] = {}
        for row, mode, configuration, kind in ROWS:

            def receive(
                wallet: Wallet = wallets[kind], mode: str = mode, configuration: str = configuration
            ) -> float:
                return timed(wallet, offer_link(mode, configuration))

            first = receive()
            samples = [receive() for _ in range(repeat)]
            medians[row] = statistics.median(samples)
            target = 60 if mode == "default" else 80
            print(f"{row:38} first (cold) {first:7.1f} ms", end="")
            print(f"   median of {repeat} {medians[row]:7.1f} ms", end="")
            print(f"   fastest {min(samples):7.1f} ms   (target <= {target})")
    baseline = medians[ROWS[0][0]]
    for row, *_ in ROWS[1:]:
        print(f"{row:38} / baseline: {medians[row] / baseline:5.2f}x")


if __name__ == "__main__":
    main()
