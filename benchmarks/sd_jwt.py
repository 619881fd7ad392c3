"""SD-JWT benchmarks (issue #3): ours against the reference ``sd-jwt`` in the same run.

    .venv/bin/python benchmarks/sd_jwt.py [--repeat 300]

An SD-JWT VC with 20 selectively disclosable claims: issue; read the stored credential;
present 5 of them with a KB-JWT, from the stored text (as the reference always does) and
from the wallet's per-vault parsed cache; verify with Key Binding. Prints medians in ms and
ours/reference ratios. Targets (DESIGN §8, issue #10): parse stored <= 0.1 ms, present
<= 0.2 ms, verify <= 0.3 ms, each faster than the reference.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# This file's name would shadow the reference package ``sd_jwt`` when run as a script.
from timing import median_ms

sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from jwcrypto.jwk import JWK  # noqa: E402
from sd_jwt.common import SDObj  # noqa: E402
from sd_jwt.holder import SDJWTHolder  # noqa: E402
from sd_jwt.issuer import SDJWTIssuer  # noqa: E402
from sd_jwt.verifier import SDJWTVerifier  # noqa: E402

from wallet_core.crypto import signer_from_jwk  # noqa: E402
from wallet_core.formats import sd_jwt  # noqa: E402

AUD, NONCE = "x509_hash:QWxsIHlvdXIgYmFzZQ", "n-0S6_WzA2Mj"
CLAIMS = {f"claim_{i:02d}": f"value number {i}" for i in range(20)}
CHOSEN = [f"claim_{i:02d}" for i in (1, 4, 7, 12, 18)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=300)
    repeat = parser.parse_args().repeat

    issuer_jwk = JWK.generate(kty="EC", crv="P-256")
    holder_jwk = JWK.generate(kty="EC", crv="P-256")
    issuer_private = issuer_jwk.export(private_key=True, as_dict=True)
    holder_private = holder_jwk.export(private_key=True, as_dict=True)
    issuer_public = issuer_jwk.export(private_key=False, as_dict=True)
    holder_public = holder_jwk.export(private_key=False, as_dict=True)
    issuer_signer, holder_signer = signer_from_jwk(issuer_private), signer_from_jwk(holder_private)
    payload = {"iss": "https://hs.example", "vct": "https://hs.example/mc", **CLAIMS}
    paths = [(name,) for name in CLAIMS]

    # -- ours
    def our_issue() -> str:
        return sd_jwt.issue(payload, paths, issuer_key=issuer_signer, holder_jwk=holder_public)

    credential = our_issue()
    stored = sd_jwt.parse_stored(credential)

    def our_present() -> str:
        """From the per-wallet cache: the stored credential was parsed when first read."""
        return sd_jwt.present(stored, [(c,) for c in CHOSEN], holder_signer, aud=AUD, nonce=NONCE)

    def our_present_from_text() -> str:
        """From the stored text, as the reference's holder always starts."""
        return sd_jwt.present(
            credential, [(c,) for c in CHOSEN], holder_signer, aud=AUD, nonce=NONCE
        )

    def our_parse_stored() -> object:
        return sd_jwt.parse_stored(credential)

    presentation = our_present()

    def our_verify() -> dict:
        return sd_jwt.verify(presentation, issuer_public, aud=AUD, nonce=NONCE)

    assert sorted(k for k in our_verify() if k.startswith("claim_")) == CHOSEN

    # -- reference
    reference_claims = {"iss": payload["iss"], "vct": payload["vct"]}
    reference_claims.update({SDObj(k): v for k, v in CLAIMS.items()})

    def ref_issue() -> str:
        return SDJWTIssuer(reference_claims, issuer_jwk, holder_key=holder_jwk).sd_jwt_issuance

    ref_credential = ref_issue()

    def ref_present() -> str:
        holder = SDJWTHolder(ref_credential)
        holder.create_presentation(
            {c: True for c in CHOSEN}, nonce=NONCE, aud=AUD, holder_key=holder_jwk
        )
        return holder.sd_jwt_presentation

    ref_presentation = ref_present()

    def ref_verify() -> dict:
        return SDJWTVerifier(
            ref_presentation, lambda iss, header: issuer_jwk, expected_aud=AUD, expected_nonce=NONCE
        ).get_verified_payload()

    assert sorted(k for k in ref_verify() if k.startswith("claim_")) == CHOSEN

    # each side also verifies the other's output, so both measure the same work
    sd_jwt.verify(ref_present(), issuer_public, aud=AUD, nonce=NONCE)

    def ref_parse_stored() -> object:
        return SDJWTHolder(ref_credential)

    rows = [
        ("issue (20 SD claims)", our_issue, ref_issue, None),
        ("parse stored (20 claims)", our_parse_stored, ref_parse_stored, 0.1),
        ("present 5 + KB, from text", our_present_from_text, ref_present, 0.2),
        ("present 5 + KB, cached", our_present, ref_present, 0.2),
        ("verify with KB", our_verify, ref_verify, 0.3),
    ]
    signature_ms = median_ms(lambda: issuer_signer.sign(b"x" * 600), repeat, warmup=20)
    print(f"{'operation':27} {'ours ms':>9} {'reference ms':>13} {'ratio':>7}  target")
    for name, ours, theirs, target in rows:
        a, b = median_ms(ours, repeat, warmup=20), median_ms(theirs, repeat, warmup=20)
        goal = f"<= {target} ms and < reference" if target else ""
        print(f"{name:27} {a:9.3f} {b:13.3f} {a / b:7.2f}  {goal}")
    print(f"(one ES256 signature here: {signature_ms:.3f} ms)")


if __name__ == "__main__":
    main()
