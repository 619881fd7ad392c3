"""OpenID4VCI and OpenID4VP against an independent implementation: the wallet receives an
SD-JWT VC from, and presents it to, a server built on Animo's oid4vc-ts (@openid4vc/*, the
OpenWallet Foundation's TypeScript OpenID4VC libraries) with the OWF @sd-jwt libraries and
dcql-ts (tests/interop/js/oid4vc_ts_server.mjs). So agreement with our own demo services is
not the only evidence that we speak the protocols.

Trust is configured as a deployment would: the issuer signs with an ``x5c`` chain to a root
the wallet is given (``trust_anchors``); its leaf names the issuer by its IP-literal host (the
server lives on 127.0.0.1). The verifier identifies itself by ``x509_hash`` (OpenID4VP 1.0
§5.9.3) of a self-signed certificate the wallet pins (``verifier_trust_anchors``), and signs
its Request Object, which the wallet fetches by reference. Certificates are made here, valid
around the real time: the node libraries use the system clock, so the wallet does too.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import queue
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from helpers import PIN
from pki import Pki

from wallet_core import (
    CertificateChainError,
    Choice,
    IssuanceError,
    KdfParams,
    StoredCredential,
    UntrustedVerifierError,
    Wallet,
    WalletError,
    WrongHolderKeyError,
)
from wallet_core.crypto.jwk import b64url, b64url_decode
from wallet_core.formats import sd_jwt_vc

JS = Path(__file__).parent / "js"
NODE = shutil.which("node")
PACKAGES = ("@openid4vc/openid4vci", "@openid4vc/openid4vp", "@sd-jwt/sd-jwt-vc", "dcql", "jose")
pytestmark = pytest.mark.skipif(
    NODE is None or not all((JS / "node_modules" / name).is_dir() for name in PACKAGES),
    reason="node and tests/interop/js/node_modules are needed (scripts/test installs them)",
)
VCT = "urn:eduwallet:interop:oid4vc-ts:diploma"
CLAIMS = {"given_name": "Zoë", "family_name": "Jansen", "degree": "BSc Informatica", "grade": "8,5"}
ASKED = {"given_name", "degree"}  # the server's DCQL query asks for these two only
STARTUP_LIMIT = 60.0  # an upper bound for node to load the libraries on a busy machine


# -- certificates and keys for the server -------------------------------------------------


def _entry(key: ec.EllipticCurvePrivateKey, *chain: x509.Certificate) -> dict[str, Any]:
    """A private JWK (RFC 7518 §6.2) and an ``x5c`` (RFC 7515 §4.1.6: base64, not url)."""
    numbers = key.private_numbers()
    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(numbers.public_numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.public_numbers.y.to_bytes(32, "big")),
        "d": b64url(numbers.private_value.to_bytes(32, "big")),
    }
    x5c = [base64.b64encode(c.public_bytes(Encoding.DER)).decode() for c in chain]
    return {"jwk": jwk, "x5c": x5c}


# -- the server ---------------------------------------------------------------------------


@dataclass
class OidcServer:
    base: str
    http: httpx.Client
    issuer_root: x509.Certificate
    verifier_certificate: x509.Certificate
    log: Path

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(self.base + path, json=body)
        assert response.status_code == 200, (response.text, self.log.read_text())
        answer: dict[str, Any] = response.json()
        return answer

    def result(self, session_id: str) -> dict[str, Any]:
        response = self.http.get(f"{self.base}/results/{session_id}")
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer


@pytest.fixture(scope="module")
def oid4vc_ts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcServer]:
    now = dt.datetime.now(dt.UTC)
    pki, rogue_pki = Pki("Interop", around=now), Pki("Rogue", around=now)  # rogue: never trusted
    here = [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]  # the server's host
    issuer_key, rogue_key, verifier_key, stranger_key = (
        ec.generate_private_key(ec.SECP256R1()) for _ in range(4)
    )
    issuer_leaf = pki.leaf(issuer_key.public_key(), here, subject="oid4vc-ts Hogeschool")
    rogue_leaf = rogue_pki.leaf(rogue_key.public_key(), here, subject="oid4vc-ts Hogeschool")
    verifier_certificate, stranger_certificate = (
        Pki.self_signed(key, [x509.DNSName("verifier.example")], subject=name, around=now)
        for key, name in ((verifier_key, "oid4vc-ts Werkgever"), (stranger_key, "Somebody Else"))
    )
    config = {
        # the root is the anchor, not in x5c
        "issuer": _entry(issuer_key, issuer_leaf, pki.inter),
        "rogue": _entry(rogue_key, rogue_leaf, rogue_pki.inter),
        "verifier": _entry(verifier_key, verifier_certificate),
        "stranger": _entry(stranger_key, stranger_certificate),
    }
    log = tmp_path_factory.mktemp("oid4vc-ts") / "server.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [str(NODE), str(JS / "oid4vc_ts_server.mjs")],
            cwd=JS,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    try:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps(config))
        process.stdin.close()
        lines: queue.Queue[str] = queue.Queue()
        stdout = process.stdout
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            first = lines.get(timeout=STARTUP_LIMIT)  # returns as soon as the server listens
        except queue.Empty:
            pytest.fail(f"the oid4vc-ts server did not start: {log.read_text()}")
        if not first:
            pytest.fail(f"the oid4vc-ts server exited: {log.read_text()}")
        base = json.loads(first)["base"]
        with httpx.Client(timeout=30.0) as client:
            yield OidcServer(base, client, pki.root, verifier_certificate, log)
    finally:
        process.kill()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture
def wallet(tmp_path: Path, oid4vc_ts: OidcServer) -> Iterator[Wallet]:
    with Wallet.create(
        tmp_path / "wallet",
        PIN,
        kdf=KdfParams.fast_for_tests(),
        allow_http_loopback=True,  # the server is on 127.0.0.1 over http
        trust_anchors=[oid4vc_ts.issuer_root],
        verifier_trust_anchors=[oid4vc_ts.verifier_certificate],
    ) as opened:
        yield opened


def _disclosed(presentation: str) -> list[Any]:
    """The disclosures an SD-JWT+KB carries (RFC 9901 §4: between the first and last ``~``)."""
    return [json.loads(b64url_decode(part)) for part in presentation.split("~")[1:-1]]


# -- the tests ----------------------------------------------------------------------------


@pytest.mark.parametrize("response_mode", ["direct_post", "direct_post.jwt"])
def test_receive_from_oid4vc_ts_then_present_only_the_asked_claims(
    wallet: Wallet, oid4vc_ts: OidcServer, response_mode: str
) -> None:
    offer = wallet.parse_offer(oid4vc_ts.post("/offers", {"mode": "honest"})["offer"])
    preview = wallet.preview_offer(offer, "en")
    assert preview.issuer_name == "oid4vc-ts Hogeschool"
    [stored] = wallet.accept_offer(offer)
    assert isinstance(stored, StoredCredential)
    assert stored.format == "dc+sd-jwt" and stored.type == VCT and stored.issuer == oid4vc_ts.base
    assert {name: stored.claims.get(name) for name in CLAIMS} == CLAIMS
    credential = sd_jwt_vc.read_stored(stored.raw)
    assert credential.sd_jwt.header["typ"] == "dc+sd-jwt" and "x5c" in credential.sd_jwt.header
    holder = credential.sd_jwt.holder_jwk
    assert holder is not None and holder["x"] == wallet.signer(stored.key_id or "").public_jwk["x"]
    assert wallet.unused_copies(stored.id) == 1  # batch_size 2: one more instance, own key

    made = oid4vc_ts.post("/verifier-requests", {"response_mode": response_mode})
    request = wallet.parse_presentation_request(made["request"])
    assert request.verifier.verified and request.verifier.method == "x509_hash"
    assert request.response_mode == response_mode
    (candidate,) = wallet.match(request).candidates("diploma")
    assert set(candidate.required_claims) == {(name,) for name in ASKED}
    result = wallet.present(
        request, {"diploma": Choice(candidate.credential_id, list(candidate.required_claims))}
    )
    assert result.ok, result.verifier_response

    seen = oid4vc_ts.result(made["id"])
    assert seen["verified"] is True, seen
    assert seen["claims"] == {"diploma": {name: CLAIMS[name] for name in ASKED}}
    response = seen["response"]  # as the verifier read it (decrypted, for direct_post.jwt)
    assert response["state"] == request.state
    if response_mode == "direct_post.jwt":  # §8.3: one JWE, to the key the verifier named
        assert set(seen["form"]) == {"response"}
        assert seen["encryption"] == {"mode": "Encrypted", "enc": "A256GCM"}
    vp_token = response["vp_token"]
    vp_token = json.loads(vp_token) if isinstance(vp_token, str) else vp_token
    (presentation,) = vp_token["diploma"]
    # the bytes sent carry no disclosure, and no value, of a claim that was not asked for
    assert {disclosure[1] for disclosure in _disclosed(presentation)} == ASKED
    for name in set(CLAIMS) - ASKED:
        assert CLAIMS[name] not in json.dumps(response, ensure_ascii=False)

    # The verifier's own checks bite: the same presentation replayed at another request (its
    # state, another nonce) is refused by oid4vc-ts/sd-jwt, as OpenID4VP 1.0 §14.1 requires.
    other = oid4vc_ts.post("/verifier-requests", {})
    other_state = wallet.parse_presentation_request(other["request"]).state
    replay = oid4vc_ts.http.post(
        f"{oid4vc_ts.base}/responses/{other['id']}",
        data={"vp_token": json.dumps(vp_token), "state": other_state or ""},
    )
    assert replay.status_code == 400
    refused = oid4vc_ts.result(other["id"])
    assert refused["verified"] is False and "nonce" in refused["error"].lower(), refused


def test_an_offer_by_reference_with_a_transaction_code(
    wallet: Wallet, oid4vc_ts: OidcServer
) -> None:
    made = oid4vc_ts.post("/offers", {"tx_code": True, "by_reference": True})
    assert "credential_offer_uri=" in made["offer"]
    offer = wallet.parse_offer(made["offer"])
    preview = wallet.preview_offer(offer, "en")
    assert preview.tx_code is not None and preview.tx_code.length == 6
    wrong = "000000" if made["tx_code"] != "000000" else "111111"
    with pytest.raises(IssuanceError) as refused:  # oid4vc-ts: invalid_grant (§6.3)
        wallet.accept_offer(offer, tx_code=wrong)
    assert refused.value.oauth_error == "invalid_grant"
    assert wallet.credentials() == [] and wallet.holder_keys() == []
    [stored] = wallet.accept_offer(offer, tx_code=made["tx_code"])
    assert isinstance(stored, StoredCredential) and stored.claims.get("degree") == CLAIMS["degree"]


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("foreign-holder-key", WrongHolderKeyError),  # cnf.jwk is not a key of the proofs
        ("untrusted-signer", CertificateChainError),  # x5c chains to a root we do not trust
    ],
)
def test_a_misbehaving_oid4vc_ts_issuer_is_refused_and_nothing_is_stored(
    wallet: Wallet, oid4vc_ts: OidcServer, mode: str, error: type[WalletError]
) -> None:
    offer = wallet.parse_offer(oid4vc_ts.post("/offers", {"mode": mode})["offer"])
    with pytest.raises(error):
        wallet.accept_offer(offer)
    assert wallet.credentials() == [] and wallet.holder_keys() == [] and wallet.pending() == []


def test_a_request_signed_by_an_unpinned_certificate_is_refused(
    wallet: Wallet, oid4vc_ts: OidcServer
) -> None:
    """The client_id names the pinned certificate's hash, but the Request Object is signed
    under another certificate: §5.9.3 x509_hash requires the hash to match the leaf in x5c."""
    made = oid4vc_ts.post("/verifier-requests", {"signer": "stranger"})
    with pytest.raises(UntrustedVerifierError):
        wallet.parse_presentation_request(made["request"])
    assert oid4vc_ts.result(made["id"])["error"] == "no response yet"
