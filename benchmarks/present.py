"""Presenting (issue #5): to the demo verifier on loopback, and offline by QR.

    .venv/bin/python benchmarks/present.py [--repeat 20]

Medians of: parse request + match + build + POST (x509_hash, signed request by reference,
direct_post.jwt; the verifier's own checks run inside the POST); building an offline
SD-JWT+KB; the QR encode and decode of its EW1 form. Targets (DESIGN §8): QR encode /
decode of 1.5 KB <= 40 ms each. The verifier's verification (issuer key, status list
fetch) is part of the POST time, as a user would wait for it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from helpers import PIN
from timing import median_ms

from demo_services.issuer import create_app as create_issuer
from demo_services.serving import start_in_thread
from demo_services.verifier import create_app as create_verifier
from demo_services.verifier import root_certificate
from wallet_core import Choice, KdfParams, Wallet, qr
from wallet_core.oid4vp import qr_payload

CLAIMS = [("title",), ("awardingBody",), ("notionalWorkload",), ("level",), ("grade",)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    repeat = parser.parse_args().repeat
    with (
        start_in_thread(lambda base: create_issuer(base), name="issuer") as issuer,
        tempfile.TemporaryDirectory() as tmp,
        httpx.Client(timeout=10) as admin,
    ):
        vct = issuer.base_url + "/types/microcredential"
        with start_in_thread(
            lambda base: create_verifier(
                base,
                client_id_prefix="x509_hash",
                response_mode="direct_post.jwt",
                vct_values=[vct],
                trusted_issuers=[issuer.base_url],
            ),
            name="verifier",
        ) as verifier:
            anchor = root_certificate(verifier.app)  # type: ignore[attr-defined]
            wallet = Wallet.create(
                Path(tmp) / "w",
                PIN,
                kdf=KdfParams.fast_for_tests(),
                allow_http_loopback=True,
                verifier_trust_anchors=[anchor] if anchor else [],
            )
            offer = admin.post(
                f"{issuer.base_url}/admin/offers",
                json={"configuration_ids": ["mc-circulair-ontwerpen"]},
            ).json()
            [stored] = wallet.accept_offer(wallet.parse_offer(offer["offer_link"]))
            url = verifier.app.state.public_url  # type: ignore[attr-defined]

            def present() -> None:
                tx = admin.post(f"{url}/admin/transactions", json={}).json()
                request = wallet.parse_presentation_request(tx["link"])
                [candidate] = wallet.match(request).candidates("microcredential")
                result = wallet.present(
                    request,
                    {"microcredential": Choice(stored.id, list(candidate.required_claims))},
                )
                assert result.ok, result.verifier_response

            present_ms = median_ms(present, repeat)
            offline = wallet.offline_presentation(stored.id, CLAIMS)
            offline_ms = median_ms(lambda: wallet.offline_presentation(stored.id, CLAIMS), repeat)
            compact = qr_payload.encode(offline)
            png = qr.encode_png(compact, error_correction="L")
            encode_ms = median_ms(lambda: qr.encode_png(compact, error_correction="L"), repeat)
            decode_ms = median_ms(lambda: qr.decode_image(png), repeat)
            assert qr_payload.read_scanned(qr.decode_image(png)[0]) == offline
            wallet.close()
    print(f"present to the verifier (parse+match+build+POST): {present_ms:7.1f} ms")
    print(f"offline presentation, build:                      {offline_ms:7.2f} ms")
    print(f"offline presentation: {len(offline)} bytes raw, {len(compact)} chars EW1")
    print(f"QR encode (EW1, level L):                         {encode_ms:7.1f} ms   (target <= 40)")
    print(f"QR decode:                                        {decode_ms:7.1f} ms   (target <= 40)")


if __name__ == "__main__":
    main()
