"""Data Integrity proofs: the W3C vc-di-eddsa vectors, and every way a proof must fail."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from helpers import SHARED

from wallet_core.crypto import generate, signer_from_jwk
from wallet_core.crypto.jwk import b64url, base58btc_decode, base58btc_encode
from wallet_core.errors import InvalidSignatureError, MalformedCredentialError, UntrustedIssuerError
from wallet_core.formats import data_integrity, jsonld
from wallet_core.trust.keys import multikey_jwk

VECTORS = SHARED / "vectors" / "w3c-vc-di-eddsa" / "TestVectors"
needs_vectors = pytest.mark.skipif(
    not VECTORS.is_dir(), reason="../shared/vectors/w3c-vc-di-eddsa is not on this machine"
)
SUITES = [("eddsa-rdfc-2022", "DataInt"), ("Ed25519Signature2020", "EdSig")]


def _vector(suite: str, suffix: str) -> tuple[dict[str, Any], dict[str, str]]:
    signed = json.loads((VECTORS / suite / f"signed{suffix}.json").read_text())
    key = json.loads((VECTORS / "keyPair.json").read_text())["publicKeyMultibase"]
    return signed, multikey_jwk(key, UntrustedIssuerError)


@needs_vectors
@pytest.mark.parametrize(("suite", "suffix"), SUITES)
def test_the_w3c_vectors_hash_and_verify_byte_for_byte(suite: str, suffix: str) -> None:
    signed, key = _vector(suite, suffix)
    combined = data_integrity.hash_data(signed, signed["proof"])
    folder = VECTORS / suite
    assert combined[:32].hex() == (folder / f"proofHash{suffix}.txt").read_text().strip()
    assert combined[32:].hex() == (folder / f"docHash{suffix}.txt").read_text().strip()
    assert combined.hex() == (folder / f"combinedHash{suffix}.txt").read_text().strip()
    data_integrity.verify_proof(signed, signed["proof"], key)


@needs_vectors
@pytest.mark.parametrize(("suite", "suffix"), SUITES)
def test_a_changed_claim_a_changed_proof_or_another_key_is_refused(suite: str, suffix: str) -> None:
    signed, key = _vector(suite, suffix)
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["alumniOf"] = "The School of Forgeries"
    moved = copy.deepcopy(signed)
    moved["proof"]["created"] = "2024-02-24T23:36:38Z"
    for document in (tampered, moved):
        with pytest.raises(InvalidSignatureError):
            data_integrity.verify_proof(document, document["proof"], key)
    other = generate("EdDSA").public_jwk
    with pytest.raises(InvalidSignatureError):
        data_integrity.verify_proof(signed, signed["proof"], other)
    p256 = generate("ES256").public_jwk  # a valid key of the wrong type for the suite
    with pytest.raises(InvalidSignatureError, match="type"):
        data_integrity.verify_proof(signed, signed["proof"], p256)


@needs_vectors
def test_unknown_suites_and_malformed_proofs_are_not_checked() -> None:
    signed, key = _vector(*SUITES[0])
    for change in (
        {"cryptosuite": "eddsa-jcs-2022"},
        {"type": "RsaSignature2018"},
        {"type": ["DataIntegrityProof"]},
        {"cryptosuite": {"not": "a name"}},
    ):
        proof = {**signed["proof"], **change}
        assert data_integrity.suite_of(proof) is None
        with pytest.raises(MalformedCredentialError):
            data_integrity.verify_proof(signed, proof, key)
    for value in ("uMEUCIQ", "z0OIl", 7, "z" + "2" * 500):
        with pytest.raises(MalformedCredentialError):
            data_integrity.verify_proof(signed, {**signed["proof"], "proofValue": value}, key)


@needs_vectors
def test_ecdsa_rdfc_2019_signs_the_same_hash_with_p256() -> None:
    # No official vector for this suite is on this machine: a P-256 signature over the same
    # hash data checks the P1363 signature path; the independent check is still to come.
    signed, _ = _vector(*SUITES[0])
    signer = generate("ES256")
    proof = {**signed["proof"], "cryptosuite": "ecdsa-rdfc-2019"}
    proof["verificationMethod"] = "did:example:issuer#p256"
    signature = signer.sign(data_integrity.hash_data(signed, proof))
    proof["proofValue"] = "z" + base58btc_encode(signature)
    data_integrity.verify_proof(signed, proof, signer.public_jwk)
    with pytest.raises(InvalidSignatureError):
        data_integrity.verify_proof(signed, proof, generate("ES256").public_jwk)


SAMPLES = SHARED / "samples"
ONE_EDTECH = SHARED / "vectors" / "1edtech-openbadges-spec" / "ob_v3p0" / "impl" / "test-vectors"


@pytest.mark.skipif(
    not (SAMPLES.is_dir() and ONE_EDTECH.is_dir()), reason="../shared samples are not here"
)
def test_the_1edtech_signed_open_badge_verifies_and_canonicalizes_as_published() -> None:
    signed = json.loads((SAMPLES / "01-ob3-1edtech-signed-eddsa-rdfc-2022.json").read_text())
    method = signed["proof"]["verificationMethod"]  # https issuer URL with the multikey
    key = multikey_jwk(method.rsplit("#", 1)[1], UntrustedIssuerError)
    data_integrity.verify_proof(signed, signed["proof"], key)
    unsecured = {name: value for name, value in signed.items() if name != "proof"}
    expected = (ONE_EDTECH / "obv3p0" / "document-canon.txt").read_text()
    assert jsonld.canonize(unsecured) == expected
    proof_config = {
        "@context": signed["@context"],
        **{name: value for name, value in signed["proof"].items() if name != "proofValue"},
    }
    assert jsonld.canonize(proof_config) == (ONE_EDTECH / "obv3p0" / "proof-canon.txt").read_text()
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["achievement"]["name"] = "Forged"
    with pytest.raises(InvalidSignatureError):
        data_integrity.verify_proof(changed, changed["proof"], key)


@needs_vectors
def test_signing_the_w3c_vector_with_its_key_gives_its_signature_byte_for_byte() -> None:
    """Ed25519 is deterministic: the vector's key over our hash must give the vector's
    signature, and our proof must be the published one (vc-di-eddsa B.1)."""
    folder = VECTORS / "eddsa-rdfc-2022"
    pair = json.loads((VECTORS / "keyPair.json").read_text())
    seed = base58btc_decode(pair["privateKeyMultibase"][1:])
    assert seed[:2] == b"\x80\x26" and len(seed) == 34  # the ed25519-priv multicodec
    public = multikey_jwk(pair["publicKeyMultibase"], UntrustedIssuerError)
    signer = signer_from_jwk({**public, "d": b64url(seed[2:])})
    unsigned = json.loads((VECTORS / "unsigned.json").read_text())
    config = json.loads((folder / "proofConfigDataInt.json").read_text())
    assert jsonld.canonize(unsigned) == (folder / "canonDocDataInt.txt").read_text()
    assert jsonld.canonize(config) == (folder / "proofCanonDataInt.txt").read_text()
    signed = data_integrity.add_proof(
        unsigned,
        signer,
        verification_method=config["verificationMethod"],
        created=config["created"],
    )
    signature = base58btc_decode(signed["proof"]["proofValue"][1:])
    assert signature.hex() == (folder / "sigHexDataInt.txt").read_text().strip()
    assert signed["proof"]["proofValue"] == (folder / "sigBTC58DataInt.txt").read_text().strip()
    published = json.loads((folder / "signedDataInt.json").read_text())
    assert signed["proof"]["proofValue"] == published["proof"]["proofValue"]
