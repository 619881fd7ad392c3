"""JSON-LD with pinned contexts only, within limits; RDFC-1.0 against the W3C vectors."""

from __future__ import annotations

import hashlib
import json
import time
from importlib import resources
from typing import Any

import pytest
from helpers import SHARED

from wallet_core.errors import (
    JsonLdLimitError,
    MalformedCredentialError,
    UnknownContextError,
    UnsignedContentError,
)
from wallet_core.formats import jsonld

VECTORS = SHARED / "vectors" / "w3c-vc-di-eddsa" / "TestVectors"
needs_vectors = pytest.mark.skipif(
    not VECTORS.is_dir(), reason="../shared/vectors/w3c-vc-di-eddsa is not on this machine"
)
V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def _credential(**extra: Any) -> dict[str, Any]:
    return {
        "@context": [V2, EXAMPLES],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject", "alumniOf": "Hogeschool"},
        **extra,
    }


def test_every_pinned_context_is_shipped_with_its_digest_source_and_licence() -> None:
    folder = resources.files("wallet_core.formats") / "contexts"
    pinned = jsonld.pinned_contexts()
    for url, entry in pinned.items():
        data = (folder / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], url
        assert entry["source"] and entry["licence"], url
        assert isinstance(jsonld.load_context(url), dict)
    required = {
        "https://www.w3.org/2018/credentials/v1",
        V2,
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://w3id.org/security/data-integrity/v2",
        "https://w3id.org/security/multikey/v1",
        "https://w3id.org/security/suites/ed25519-2020/v1",
        "https://www.w3.org/ns/credentials/status/v1",
        "https://w3id.org/vc/status-list/2021/v1",
        "https://raw.githubusercontent.com/educredentials/obv3-examples/refs/heads/main/contexts/educredential.json",
    }
    assert required <= set(pinned)


def test_an_unknown_context_is_refused_with_its_own_code_and_nothing_is_fetched() -> None:
    # 127.0.0.1:9 answers nothing: a loader that fetched would fail differently (or hang).
    for context in ("http://127.0.0.1:9/context.json", "https://evil.example/ctx"):
        with pytest.raises(UnknownContextError) as refused:
            jsonld.expand(_credential(**{"@context": [V2, context]}))
        assert refused.value.code == "unknown_context"


def test_a_pinned_copy_that_changed_on_disk_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    pinned = dict(jsonld.pinned_contexts())
    pinned[EXAMPLES] = {**pinned[EXAMPLES], "sha256": "0" * 64}
    monkeypatch.setattr(jsonld, "pinned_contexts", lambda: pinned)
    jsonld.load_context.cache_clear()
    try:
        with pytest.raises(UnknownContextError, match="digest"):
            jsonld.load_context(EXAMPLES)
    finally:
        jsonld.load_context.cache_clear()


def test_hostile_documents_hit_a_limit_not_the_app() -> None:
    deep: dict[str, Any] = {"alumniOf": "x"}
    for _ in range(jsonld.MAX_DEPTH + 1):
        deep = {"alumniOf": deep}
    many_nodes = {"alumniOf": [{"alumniOf": str(i)} for i in range(jsonld.MAX_BLANK_NODES + 1)]}
    many_quads = {
        "alumniOf": [{"alumniOf": [f"{j}-{i}" for i in range(999)]} for j in range(6)],
        "id": "did:example:subject",
    }
    for subject, limit in (
        (deep, "deeper"),
        (many_nodes, "blank nodes"),
        (many_quads, "statements"),
    ):
        with pytest.raises(JsonLdLimitError, match=limit) as hit:
            jsonld.canonize(_credential(credentialSubject=subject))
        assert hit.value.code == "jsonld_limit"
    with pytest.raises(JsonLdLimitError, match="larger"):
        jsonld.canonize(_credential(description="x" * (jsonld.MAX_JSON_BYTES + 1)))
    with pytest.raises(JsonLdLimitError, match="array"):  # pyld's node map is quadratic
        jsonld.canonize(_credential(credentialSubject={"alumniOf": ["x"] * (jsonld.MAX_ARRAY + 1)}))


def test_the_costly_step_of_canonicalization_has_a_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # Blank nodes that look alike force RDFC-1.0's Hash N-Degree Quads (§4.9); a poison graph
    # drives it exponential, so it runs within a budget of iterations and time.
    alike = _credential(
        credentialSubject={"alumniOf": [{"alumniOf": {"alumniOf": "same"}} for _ in range(4)]}
    )
    assert jsonld.canonize(alike)
    monkeypatch.setattr(jsonld, "MAX_DEEP_ITERATIONS", 1)
    with pytest.raises(JsonLdLimitError, match="too long"):
        jsonld.canonize(alike)
    monkeypatch.setattr(jsonld, "MAX_DEEP_ITERATIONS", 10_000)
    with pytest.raises(JsonLdLimitError, match="too long"):
        jsonld.canonize(alike, deadline_at=time.monotonic() - 1)


def test_what_is_not_json_ld_is_a_malformed_credential() -> None:
    with pytest.raises(MalformedCredentialError):
        jsonld.expand(_credential(**{"@context": [V2, {"@version": "not a number"}]}))
    with pytest.raises(MalformedCredentialError):
        jsonld.expand(["not", "an", "object"])  # type: ignore[arg-type]


@needs_vectors
@pytest.mark.parametrize(
    ("suite", "suffix"), [("eddsa-rdfc-2022", "DataInt"), ("Ed25519Signature2020", "EdSig")]
)
def test_canonical_n_quads_equal_the_w3c_vectors_byte_for_byte(suite: str, suffix: str) -> None:
    folder = VECTORS / suite
    unsigned = json.loads((VECTORS / "unsigned.json").read_text())
    configuration = json.loads((folder / f"proofConfig{suffix}.json").read_text())
    assert jsonld.canonize(unsigned) == (folder / f"canonDoc{suffix}.txt").read_text()
    assert jsonld.canonize(configuration) == (folder / f"proofCanon{suffix}.txt").read_text()


def test_what_the_json_shows_must_be_what_is_signed() -> None:
    # A member no context defines is dropped by JSON-LD and so not signed; a member named
    # by an IRI could carry, say, an expiry under a name the wallet does not read.
    undefined = _credential(
        **{"@context": [V2, OB3]},
        credentialSubject={"type": ["AchievementSubject"], "ECTS": 60},  # OB3 has no @vocab
    )
    iri_named = _credential(**{"https://www.w3.org/2018/credentials#validUntil": "2020-01-01"})
    for document in (undefined, iri_named, _credential(**{"@foo": 1})):
        with pytest.raises(UnsignedContentError) as refused:
            jsonld.canonize(document)
        assert refused.value.code == "unsigned_content"
    alias = {"vu": {"@id": "https://www.w3.org/2018/credentials#validUntil"}}
    for context in ([V2, EXAMPLES, alias], [V2, {"@vocab": None}], {"@vocab": "urn:x#"}):
        with pytest.raises(UnknownContextError, match="inline"):
            jsonld.canonize(_credential(**{"@context": context}))
    nested = _credential(credentialSubject={"@context": {"x": "urn:x"}, "alumniOf": "y"})
    with pytest.raises(UnknownContextError, match="inline"):
        jsonld.canonize(nested)
