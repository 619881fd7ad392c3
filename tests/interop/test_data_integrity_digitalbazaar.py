"""Data Integrity against an independent implementation, both ways: the digitalbazaar
JavaScript stack (@digitalbazaar/vc, data-integrity, eddsa-rdfc-2022-cryptosuite) signs what
we verify, and verifies what we sign — credentials, and presentations with the holder's
``authentication`` proof bound to a challenge and domain (OpenID4VP 1.0 B.1.3.2.5).
Installed test-only by the test command (tests/interop/js); both sides read only
eduwallet's pinned contexts."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import time
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


def _oracle(request: dict[str, Any]) -> dict[str, Any]:
    contexts = resources.files("wallet_core.formats") / "contexts"
    done = subprocess.run(
        [str(NODE), str(JS / "data_integrity_oracle.mjs"), str(contexts)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def test_a_badge_they_sign_we_verify_and_a_changed_one_we_refuse() -> None:
    answer = _oracle({"op": "sign", "controller": CONTROLLER, "credential": ob3_badge(CONTROLLER)})
    signed = answer["signed"]
    key = multikey_jwk(answer["publicKeyMultibase"], UntrustedIssuerError)
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
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


def _controller_documents(
    signer: Signer, controller: str, method: str, relationship: str
) -> dict[str, Any]:
    """What the oracle's document loader serves for ``controller``: its one Ed25519 key as a
    Multikey, and a controller document that lists it under ``relationship``."""
    raw = b64url_decode(signer.public_jwk["x"])
    multibase = "z" + base58btc_encode(b"\xed\x01" + raw)  # multicodec ed25519-pub
    key_document = {
        "@context": "https://w3id.org/security/multikey/v1",
        "id": method,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": multibase,
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


def test_a_badge_we_sign_they_verify_and_a_changed_one_they_refuse() -> None:
    signer = generate("EdDSA")
    method = f"{CONTROLLER}#key-1"
    documents = _controller_documents(signer, CONTROLLER, method, "assertionMethod")
    signed = data_integrity.add_proof(
        ob3_badge(CONTROLLER), signer, verification_method=method, created="2026-12-01T10:00:00Z"
    )
    verdict = _oracle({"op": "verify", "credential": signed, "documents": documents})
    assert verdict == {"verified": True, "error": None}
    changed = copy.deepcopy(signed)
    changed["name"] = "Something else"
    assert (
        _oracle({"op": "verify", "credential": changed, "documents": documents})["verified"]
        is False
    )


def test_a_presentation_we_sign_they_verify_with_its_challenge_and_domain() -> None:
    """Our Data Integrity VP (Ed25519, the holder a did:jwk) passes ``vc.verify`` with the
    request's challenge and domain; another challenge or domain, or a changed VP, fails."""
    issuer, holder_key = generate("EdDSA"), generate("EdDSA")
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
        return _oracle(request)

    assert verdict(vp) == {"verified": True, "error": None}
    assert "challenge" in str(verdict(vp, challenge="another")["error"])
    assert "domain" in str(verdict(vp, domain="x509_san_dns:other.example")["error"])
    changed = copy.deepcopy(vp)
    changed["verifiableCredential"][0]["credentialSubject"]["achievement"]["name"] = "Other"
    assert verdict(changed)["verified"] is False
