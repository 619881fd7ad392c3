"""Helpers for the Open Badge tests of the demo issuer and verifier: a resolver for the
issuer's did:web over loopback, badges fetched as a wallet would (proof ``kid`` =
``did:jwk``), and the digitalbazaar Data Integrity oracle (tests/interop/js)."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pytest

from demo_services.issuer.client import DemoIssuerClient
from wallet_core import http
from wallet_core.crypto import Signer, did_jwk, generate
from wallet_core.trust import AssertionKeys, ControllerResolver, DidResolver, MemoryCache

OB3_JWT = "ob3-circulair-ontwerpen-jwt"
OB3_LDP = "ob3-circulair-ontwerpen-ldp"
TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
JS = Path(__file__).resolve().parents[1] / "interop" / "js"
NODE = shutil.which("node")
needs_oracle = pytest.mark.skipif(
    NODE is None or not (JS / "node_modules" / "@digitalbazaar" / "vc").is_dir(),
    reason="node and tests/interop/js/node_modules are needed (scripts/test installs them)",
)


class _Clock:
    def now(self) -> float:
        return time.time()


def assertion_keys() -> AssertionKeys:
    """What a wallet or verifier resolves W3C issuers with (did:web over loopback http)."""
    client = http.HttpClient(http.HttpPolicy(allow_http_loopback=True, timeout=5.0))
    return AssertionKeys(
        DidResolver(client, MemoryCache(), _Clock()),
        ControllerResolver(client, MemoryCache(), _Clock()),
    )


def badge(
    issuer: DemoIssuerClient, configuration_id: str, alg: str = "ES256"
) -> tuple[Any, Signer, str]:
    """(credential, holder key, holder DID) from the 1.0 flow, the proof naming did:jwk."""
    holder = generate(alg)
    [credential] = issuer.issue(configuration_id, [holder], by_did=True)
    return credential, holder, did_jwk(holder.public_jwk)


def oracle_documents(did_document: dict[str, Any]) -> dict[str, Any]:
    """The issuer's Multikey (``#key-2``) and a controller document listing it under
    ``assertionMethod``, as the oracle's loader serves them (it resolves no DIDs)."""
    did = did_document["id"]
    [method] = [m for m in did_document["verificationMethod"] if m["type"] == "Multikey"]
    key = {"@context": "https://w3id.org/security/multikey/v1", **method}
    controller = {
        "@context": [
            "https://w3id.org/security/multikey/v1",
            {
                "assertionMethod": {
                    "@id": "https://w3id.org/security#assertionMethod",
                    "@type": "@id",
                    "@container": "@set",
                }
            },
        ],
        "id": did,
        "assertionMethod": [key],
    }
    return {method["id"]: key, did: controller}


def oracle_verify(credential: dict[str, Any], documents: dict[str, Any]) -> dict[str, Any]:
    contexts = resources.files("wallet_core.formats") / "contexts"
    done = subprocess.run(
        [str(NODE), str(JS / "data_integrity_oracle.mjs"), str(contexts)],
        input=json.dumps(
            {"op": "verify", "credential": credential, "documents": documents, "ignoreStatus": True}
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def did_document(issuer: DemoIssuerClient, client: httpx.Client) -> dict[str, Any]:
    response = client.get(issuer.url("/.well-known/did.json"))
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document
