"""Data Integrity against an independent implementation, both ways: the digitalbazaar
JavaScript stack (@digitalbazaar/vc, data-integrity, eddsa-rdfc-2022-cryptosuite and
ecdsa-rdfc-2019-cryptosuite) signs what we verify, and verifies what we sign — credentials,
and presentations with the holder's ``authentication`` proof bound to a challenge and domain
(OpenID4VP 1.0 B.1.3.2.5) — for each cryptosuite: eddsa-rdfc-2022 (Ed25519) and
ecdsa-rdfc-2019 (P-256).
Installed test-only by the test command (tests/interop/js); both sides read only
eduwallet's pinned contexts."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import time
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from helpers import ob3_badge

from wallet_core.crypto import Signer, did_jwk, generate
from wallet_core.crypto.jwk import b64url_decode, base58btc_encode
from wallet_core.errors import InvalidSignatureError, UntrustedIssuerError
from wallet_core.formats import data_integrity, w3c_presentation, w3c_vc
from wallet_core.trust.keys import multikey_jwk

JS = Path(__file__).parent / "js"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(
    NODE is None or not (JS / "node_modules" / "@digitalbazaar" / "vc").is_dir(),
    reason="node and tests/interop/js/node_modules are needed (scripts/test installs them)",
)
CONTROLLER = "https://issuer.example/issuer"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# each cryptosuite -> the key algorithm add_proof picks it for (vc-di-eddsa §3.2.1,
# vc-di-ecdsa §3.2.1); every test runs once per cryptosuite
ALGORITHMS = {"eddsa-rdfc-2022": "EdDSA", "ecdsa-rdfc-2019": "ES256"}
each_cryptosuite = pytest.mark.parametrize("cryptosuite", ALGORITHMS)


def _oracle(request: dict[str, Any], cryptosuite: str) -> dict[str, Any]:
    """The oracle's answer to ``request``, signing with or accepting only ``cryptosuite``."""
    contexts = resources.files("wallet_core.formats") / "contexts"
    done = subprocess.run(
        [str(NODE), str(JS / "data_integrity_oracle.mjs"), str(contexts)],
        input=json.dumps({**request, "cryptosuite": cryptosuite}),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


@each_cryptosuite
def test_a_badge_they_sign_we_verify_and_a_changed_one_we_refuse(cryptosuite: str) -> None:
    request = {"op": "sign", "controller": CONTROLLER, "credential": ob3_badge(CONTROLLER)}
    answer = _oracle(request, cryptosuite)
    signed = answer["signed"]
    key = multikey_jwk(answer["publicKeyMultibase"], UntrustedIssuerError)
    assert signed["proof"]["cryptosuite"] == cryptosuite
    data_integrity.verify_proof(signed, signed["proof"], key)

    def issuers_key(issuer: str, kid: str | None) -> dict[str, str]:
        if issuer != CONTROLLER or kid != answer["verificationMethod"]:
            raise UntrustedIssuerError("not a key of this issuer")
        return key

    checked = w3c_vc.verify(signed, resolver=issuers_key, now=time.time())
    assert checked.format == "ldp_vc" and "OpenBadgeCredential" in checked.types
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["achievement"]["description"] = "60 EC"
    with pytest.raises(InvalidSignatureError):
        data_integrity.verify_proof(changed, changed["proof"], key)


# the IRIs DID Core's context gives them (the oracle frames with the security context)
_RELATIONSHIPS = {
    "assertionMethod": "https://w3id.org/security#assertionMethod",
    "authentication": "https://w3id.org/security#authenticationMethod",
}


def _public_key_multibase(jwk: Mapping[str, str]) -> str:
    """A Multikey's ``publicKeyMultibase`` (Controlled Identifiers 1.0, "Multikey"): multicodec
    ed25519-pub and the raw key, or p256-pub and the compressed point (SEC 1 §2.3.3)."""
    x = b64url_decode(jwk["x"])
    if jwk["crv"] == "Ed25519":
        return "z" + base58btc_encode(b"\xed\x01" + x)
    parity = b64url_decode(jwk["y"])[-1] & 1
    return "z" + base58btc_encode(b"\x80\x24" + bytes([2 + parity]) + x)


def _controller_documents(
    signer: Signer, controller: str, method: str, relationship: str
) -> dict[str, Any]:
    """What the oracle's document loader serves for ``controller``: its one key as a
    Multikey, and a controller document that lists it under ``relationship``."""
    key_document = {
        "@context": "https://w3id.org/security/multikey/v1",
        "id": method,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": _public_key_multibase(signer.public_jwk),
    }
    return {
        method: key_document,
        controller: {  # a controller document: who may do what with which key
            "@context": [
                "https://w3id.org/security/multikey/v1",
                {  # as a DID document's context would define it
                    relationship: {
                        "@id": _RELATIONSHIPS[relationship],
                        "@type": "@id",
                        "@container": "@set",
                    }
                },
            ],
            "id": controller,
            relationship: [key_document],
        },
    }


@each_cryptosuite
def test_a_badge_we_sign_they_verify_and_a_changed_one_they_refuse(cryptosuite: str) -> None:
    signer = generate(ALGORITHMS[cryptosuite])
    method = f"{CONTROLLER}#key-1"
    documents = _controller_documents(signer, CONTROLLER, method, "assertionMethod")
    signed = data_integrity.add_proof(
        ob3_badge(CONTROLLER), signer, verification_method=method, created="2026-12-01T10:00:00Z"
    )
    assert signed["proof"]["cryptosuite"] == cryptosuite

    def verdict(credential: dict[str, Any]) -> dict[str, Any]:
        request = {"op": "verify", "credential": credential, "documents": documents}
        return _oracle(request, cryptosuite)

    assert verdict(signed) == {"verified": True, "error": None}
    changed = copy.deepcopy(signed)
    changed["name"] = "Something else"
    assert verdict(changed)["error"] == "Invalid signature."


@each_cryptosuite
def test_a_presentation_we_sign_they_verify_with_its_challenge_and_domain(
    cryptosuite: str,
) -> None:
    """Our Data Integrity VP (the holder a did:jwk) passes ``vc.verify`` with the request's
    challenge and domain; another challenge or domain, or a changed VP, fails."""
    issuer = generate(ALGORITHMS[cryptosuite])
    holder_key = generate(ALGORITHMS[cryptosuite])
    holder = did_jwk(holder_key.public_jwk)
    method = f"{CONTROLLER}#key-1"
    credential = ob3_badge(CONTROLLER)
    credential["credentialSubject"]["id"] = holder
    signed = data_integrity.add_proof(
        credential, issuer, verification_method=method, created="2026-12-01T10:00:00Z"
    )
    domain, challenge = "redirect_uri:http://127.0.0.1:8700/response/1", "n-0S6_WzA2Mj"
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    vp = w3c_presentation.present_ldp(
        signed, holder_key, holder=holder, domain=domain, challenge=challenge, created=created
    )
    assert vp["proof"]["cryptosuite"] == cryptosuite
    # the did:jwk's one key, described as the Multikey it is (the oracle resolves no DIDs)
    documents = {
        **_controller_documents(issuer, CONTROLLER, method, "assertionMethod"),
        **_controller_documents(holder_key, holder, f"{holder}#0", "authentication"),
    }

    def verdict(presentation: dict[str, Any], **changes: str) -> dict[str, Any]:
        request = {
            "op": "verify_presentation",
            "presentation": presentation,
            "documents": documents,
            "challenge": challenge,
            "domain": domain,
            **changes,
        }
        return _oracle(request, cryptosuite)

    assert verdict(vp) == {"verified": True, "error": None}
    assert "challenge" in str(verdict(vp, challenge="another")["error"])
    assert "domain" in str(verdict(vp, domain="x509_san_dns:other.example")["error"])
    changed = copy.deepcopy(vp)
    changed["verifiableCredential"][0]["credentialSubject"]["achievement"]["name"] = "Other"
    assert verdict(changed)["error"] == "Invalid signature."
