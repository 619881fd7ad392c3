"""W3C VC benchmarks (issue #11): ours against plain pyld normalisation in the same run.

    .venv/bin/python benchmarks/w3c_vc.py [--repeat 30]

Medians of: verifying the 1EdTech signed OB3 sample (ldp_vc, eddsa-rdfc-2022, 16 quads);
canonicalizing and verifying the 1EdTech complete OB3 example (~350 quads, re-signed here
with a fresh key); verifying an edubadges-shaped VC-JWT. Baseline: pyld's own
``normalize`` of the same documents with the same pinned contexts. Targets (issue #11):
verify the signed sample <= 5 ms, the complete example <= 40 ms, a VC-JWT <= 0.5 ms; import
a baked PNG badge into a wallet (unbake, verify, one vault transaction) <= 20 ms, beside
verifying the same badge alone.
Needs ../shared (the samples).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image
from pyld import jsonld as pyld_jsonld
from timing import median_ms

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from helpers import PIN, ob3_badge

from wallet_core import KdfParams, Wallet
from wallet_core.crypto import did_jwk, generate, sign_compact
from wallet_core.errors import UntrustedIssuerError
from wallet_core.formats import baked, data_integrity, jsonld, w3c_vc
from wallet_core.trust.did import assertion_key, did_jwk_document
from wallet_core.trust.keys import multikey_jwk

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    repeat = parser.parse_args().repeat
    if not SAMPLES.is_dir():
        sys.exit(f"{SAMPLES} is not on this machine")
    signed = json.loads((SAMPLES / "01-ob3-1edtech-signed-eddsa-rdfc-2022.json").read_text())
    method = signed["proof"]["verificationMethod"]
    sample_key = multikey_jwk(method.rsplit("#", 1)[1], UntrustedIssuerError)

    complete = json.loads(
        (SAMPLES / "02-ob3-1edtech-complete-openbadgecredential.json").read_text()
    )
    complete.pop("proof", None)
    signer = generate("EdDSA")
    issuer = (
        complete["issuer"]["id"] if isinstance(complete["issuer"], dict) else complete["issuer"]
    )
    big = data_integrity.add_proof(
        complete, signer, verification_method=f"{issuer}#key-1", created="2026-01-01T00:00:00Z"
    )
    quads = jsonld.canonize({k: v for k, v in big.items() if k != "proof"}).count("\n")

    def keys(issuer_id: str, kid: str | None) -> dict[str, str]:
        if kid == method:
            return sample_key
        if kid == f"{issuer}#key-1":
            return signer.public_jwk
        return assertion_key(did_jwk_document(issuer_id), issuer_id, kid)

    jwt_signer = generate("ES256")
    jwt_issuer = did_jwk(jwt_signer.public_jwk)
    token = sign_compact(
        {"typ": "JWT", "kid": f"{jwt_issuer}#0"},
        {
            "iss": jwt_issuer,
            "sub": "did:example:student",
            "iat": int(time.time()),
            "exp": 9999999999,
            "vc": _edubadges_vc(jwt_issuer),
        },
        jwt_signer,
    )
    now = time.time()

    def untagged(url: str, options: object = None) -> dict[str, object]:
        # pyld as it is used by default: the pinned copies, but no "static" tag to cache by
        return {"contextUrl": None, "documentUrl": url, "document": jsonld.load_context(url)}

    loader = {"documentLoader": untagged, "algorithm": "URDNA2015"}
    loader["format"] = "application/n-quads"

    def plain(document: dict) -> object:
        return pyld_jsonld.normalize({k: v for k, v in document.items() if k != "proof"}, loader)

    rows = [
        (
            "verify 1EdTech signed sample (16 quads)",
            lambda: w3c_vc.verify(signed, resolver=keys, now=now),
            lambda: plain(signed),
            5.0,
        ),
        (
            f"verify complete OB3 example ({quads} quads)",
            lambda: w3c_vc.verify(big, resolver=keys, now=now),
            lambda: plain(big),
            40.0,
        ),
        (
            "verify edubadges-shaped VC-JWT",
            lambda: w3c_vc.verify(token, resolver=keys, now=now),
            None,
            0.5,
        ),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        wallet = Wallet.create(Path(tmp) / "w", PIN, kdf=KdfParams.fast_for_tests())
        images = iter(_baked_badges(repeat + 3))
        rows.append(
            (
                "import a baked PNG badge (vs verify alone)",
                lambda: wallet.import_credential(next(images)),
                lambda: w3c_vc.verify(_BADGE_SAMPLE[0], resolver=_did_jwk_keys, now=now),
                20.0,
            )
        )
        _print(rows, repeat)
        wallet.close()


def _print(rows: list, repeat: int) -> None:
    print(f"{'operation':44} {'ours ms':>8} {'baseline ms':>18} {'ratio':>6}  target")
    print("(baseline: plain pyld normalize for the Data Integrity rows)")
    for name, ours, baseline, target in rows:
        a = median_ms(ours, repeat, warmup=3)
        if baseline is None:
            print(f"{name:44} {a:8.3f} {'-':>18} {'-':>6}  <= {target} ms")
            continue
        b = median_ms(baseline, repeat, warmup=3)
        print(f"{name:44} {a:8.3f} {b:18.3f} {a / b:6.2f}  <= {target} ms")


def _edubadges_vc(issuer: str) -> dict:
    """What the edubadges agent puts in ``vc``: VCDM 1.1, the issuer as a DID string."""
    credential = ob3_badge(issuer)
    credential["@context"] = [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    ]
    credential["issuer"] = issuer
    credential["issuanceDate"] = credential.pop("validFrom")
    return credential


_BADGE_SAMPLE: list[dict] = []


def _did_jwk_keys(issuer_id: str, kid: str | None) -> dict:
    return assertion_key(did_jwk_document(issuer_id), issuer_id, kid)


def _baked_badges(count: int) -> list[bytes]:
    """``count`` different badges (their ids differ), each baked into a small PNG."""
    signer = generate("EdDSA")
    issuer = did_jwk(signer.public_jwk)
    picture = io.BytesIO()
    Image.new("RGB", (64, 64), "teal").save(picture, "PNG")
    images = []
    for index in range(count):
        badge = data_integrity.add_proof(
            ob3_badge(issuer, id=f"urn:uuid:00000000-0000-4000-8000-{index:012d}"),
            signer,
            verification_method=f"{issuer}#0",
            created="2026-09-01T00:00:00Z",
        )
        _BADGE_SAMPLE[:] = [badge]
        images.append(baked.bake_png(picture.getvalue(), json.dumps(badge)))
    return images


if __name__ == "__main__":
    main()
