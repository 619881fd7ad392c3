"""Credential Issuer Metadata and AS metadata (OpenID4VCI 1.0 §12, draft 13 §11, RFC 8414)."""

from __future__ import annotations

import copy
import json
import socket
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from loopback import LoopbackServer
from oid4vci.vci_fixtures import (
    EXAMPLE_DIRS,
    ISSUER,
    example_params,
    issuer_document,
    load_example,
    needs_vectors,
    sd_jwt_configuration,
)

from wallet_core.clock import ManualClock
from wallet_core.crypto import Signer, generate, public_only, sign_compact
from wallet_core.crypto.jwk import b64url, b64url_decode
from wallet_core.errors import (
    HttpStatusError,
    InsecureUrlError,
    IssuerMetadataError,
    IssuerMismatchError,
    MalformedResponseError,
    NetworkError,
    OfferError,
    ResponseTooLargeError,
    UnexpectedContentTypeError,
    UntrustedIssuerError,
)
from wallet_core.http import HttpClient, HttpPolicy
from wallet_core.oid4vci.metadata import (
    SIGNED_METADATA_TYP,
    authorization_server_for,
    authorization_server_metadata_urls,
    fetch_authorization_server_metadata,
    fetch_issuer_metadata,
    issuer_metadata_url,
    legacy_issuer_metadata_url,
    parse_authorization_server_metadata,
    parse_issuer_metadata,
    parse_signed_issuer_metadata,
)
from wallet_core.oid4vci.models import ClaimDescription, Display, IssuerMetadata
from wallet_core.trust import IssuerKeyResolver, MemoryCache
from wallet_core.trust.keys import public_key_jwk
from wallet_core.trust.x5c import parse_x5c

STRICT = HttpPolicy()
WELL_KNOWN = "/.well-known/openid-credential-issuer"


def parse(document: Mapping[str, Any], issuer: str = ISSUER) -> IssuerMetadata:
    return parse_issuer_metadata(document, issuer, STRICT)


# -- where the documents live ------------------------------------------------------------


def test_well_known_urls() -> None:
    # 1.0 §12.2.2, both examples of the text.
    assert (
        issuer_metadata_url("https://issuer.example.com/tenant", STRICT)
        == "https://issuer.example.com/.well-known/openid-credential-issuer/tenant"
    )
    assert (
        issuer_metadata_url("https://tenant.issuer.example.com", STRICT)
        == "https://tenant.issuer.example.com/.well-known/openid-credential-issuer"
    )
    assert (
        issuer_metadata_url("https://issuer.example.com:8443/a/b/", STRICT)
        == "https://issuer.example.com:8443/.well-known/openid-credential-issuer/a/b"
    )
    # Draft 13 §11.2.2: appended, after removing a terminating "/".
    assert (
        legacy_issuer_metadata_url("https://issuer.example.com/tenant/", STRICT)
        == "https://issuer.example.com/tenant/.well-known/openid-credential-issuer"
    )
    # RFC 8414 §3.1 inserted; OIDC Discovery §4.1 appended.
    assert authorization_server_metadata_urls("https://as.example/realms/edu", STRICT) == (
        "https://as.example/.well-known/oauth-authorization-server/realms/edu",
        "https://as.example/realms/edu/.well-known/openid-configuration",
    )


@pytest.mark.parametrize(
    "identifier",
    ["", "https://issuer.example?x=1", "https://issuer.example#f", "issuer.example", "https://"],
)
def test_bad_identifiers(identifier: str) -> None:
    with pytest.raises(IssuerMetadataError):
        issuer_metadata_url(identifier, STRICT)


@pytest.mark.parametrize(
    "identifier", ["http://issuer.example", "https://192.168.1.1", "http://127.0.0.1:9"]
)
def test_identifiers_the_policy_refuses(identifier: str) -> None:
    with pytest.raises(InsecureUrlError):
        issuer_metadata_url(identifier, STRICT)


# -- the shared examples -----------------------------------------------------------------


def _as_document(path: Path, value: Any) -> dict[str, Any]:
    """Fragments (only credential_configurations_supported, or one configuration) become
    complete documents for ISSUER."""
    if "credential_issuer" in value:
        return dict(value)
    if "credential_configurations_supported" not in value:  # haip: one configuration
        value = {"credential_configurations_supported": {path.stem: value}}
    return {"credential_issuer": ISSUER, "credential_endpoint": ISSUER + "/credential", **value}


UNSIGNED_EXAMPLES = [
    param
    for param in example_params("credential_issuer_metadata")
    + example_params("credential_metadata")
    # the signed one (a JWT, not JSON) has its own test: test_signed_example_metadata
    if param.values[0] is None or not param.values[0].name.endswith("_jwt.txt")
]


@pytest.mark.parametrize("path", UNSIGNED_EXAMPLES)
def test_every_example_metadata_parses(path: Path) -> None:
    document = _as_document(path, load_example(path))
    metadata = parse(document, document["credential_issuer"])
    assert metadata.configurations
    for configuration_id, configuration in metadata.configurations.items():
        assert configuration.id == configuration_id
        assert configuration.format
        assert configuration.display, "every example names its credential"
        assert all(claim.path for claim in configuration.claims)
    # Every draft-13 era example shows a draft-13 trait (vc+sd-jwt, claim maps, types on
    # the configuration); no 1.0 example does.
    assert metadata.draft13 == (path.parent.parent.name != "oid4vci-1.0-final")


@needs_vectors
def test_final_long_example_values() -> None:
    metadata = parse(load_example(EXAMPLE_DIRS[0] / "credential_issuer_metadata_sd_jwt_long.json"))
    assert metadata.credential_issuer == ISSUER
    assert metadata.authorization_servers == ("https://server.example.com",)
    assert metadata.credential_endpoint == ISSUER + "/credential"
    assert metadata.nonce_endpoint == ISSUER + "/nonce"
    assert metadata.deferred_credential_endpoint == ISSUER + "/deferred_credential"
    assert metadata.notification_endpoint == ISSUER + "/notification"
    assert metadata.batch_size == 10
    assert not metadata.draft13 and not metadata.signed
    assert [d.locale for d in metadata.display] == ["en-US", "fr-FR"]
    assert metadata.display[0].logo_uri == "https://university.example.edu/public/logo.png"
    assert metadata.display[0].logo_alt == "a square logo of a university"
    configuration = metadata.configurations["SD_JWT_VC_example_in_OpenID4VCI"]
    assert configuration.format == "dc+sd-jwt"
    assert configuration.vct == "SD_JWT_VC_example_in_OpenID4VCI"
    assert configuration.scope == "SD_JWT_VC_example_in_OpenID4VCI"
    assert configuration.cryptographic_binding_methods == ("jwk",)
    assert configuration.credential_signing_algs == ("ES256",)
    assert configuration.proof_signing_algs == ("ES256",)
    assert configuration.display[0] == Display(
        name="IdentityCredential",
        locale="en-US",
        description="A credential that signals the membership of a university",
        logo_uri="https://university.example.edu/public/logo_credential.png",
        logo_alt="a square logo of a university credential",
        background_color="#12107c",
        text_color="#FFFFFF",
    )
    assert len(configuration.claims) == 13
    assert configuration.claims[0] == ClaimDescription(
        path=("given_name",),
        display=(
            Display(name="Given Name", locale="en-US"),
            Display(name="Vorname", locale="de-DE"),
        ),
    )
    assert ("address", "street_address") in [claim.path for claim in configuration.claims]


@needs_vectors
def test_draft13_example_values() -> None:
    draft = EXAMPLE_DIRS[1]
    metadata = parse(load_example(draft / "credential_issuer_metadata_jwt_vc_json.json"))
    assert metadata.draft13  # credentialSubject claim map, batch_credential_endpoint
    assert metadata.nonce_endpoint is None
    configuration = metadata.configurations["UniversityDegreeCredential"]
    assert configuration.credential_definition is not None
    assert configuration.credential_definition["type"] == [
        "VerifiableCredential",
        "UniversityDegreeCredential",
    ]
    # Draft 13's own example spells the logo member "url".
    assert configuration.display[0].logo_uri == "https://university.example.edu/public/logo.png"
    paths = [claim.path for claim in configuration.claims]
    assert paths == [
        ("credentialSubject", "given_name"),
        ("credentialSubject", "family_name"),
        ("credentialSubject", "degree"),
        ("credentialSubject", "gpa"),
    ]

    sd_jwt = parse(
        _as_document(Path("x"), load_example(draft / "credential_metadata_sd_jwt_vc.json"))
    )
    assert sd_jwt.draft13
    sd_configuration = sd_jwt.configurations["SD_JWT_VC_example_in_OpenID4VCI"]
    assert sd_configuration.format == "vc+sd-jwt"
    sd_paths = [claim.path for claim in sd_configuration.claims]
    assert ("address",) in sd_paths and ("address", "country") in sd_paths
    assert sd_configuration.claims[0].display[1] == Display(name="Vorname", locale="de-DE")

    mdoc = parse(_as_document(Path("x"), load_example(draft / "credential_metadata_mso_mdoc.json")))
    mdoc_configuration = mdoc.configurations["org.iso.18013.5.1.mDL"]
    mdoc_claims = {claim.path: claim for claim in mdoc_configuration.claims}
    # Namespaces are not claims; elements are (namespace, element).
    assert ("org.iso.18013.5.1",) not in mdoc_claims
    assert mdoc_claims[("org.iso.18013.5.1", "birth_date")].mandatory
    assert ("org.iso.18013.5.1.aamva", "organ_donor") in mdoc_claims

    final_mdoc = parse(
        _as_document(Path("x"), load_example(EXAMPLE_DIRS[0] / "credential_metadata_mso_mdoc.json"))
    )
    final_configuration = final_mdoc.configurations["org.iso.18013.5.1.mDL"]
    assert final_configuration.credential_signing_algs == (-7, -9)  # COSE algorithm numbers
    assert not final_mdoc.draft13


# -- signed metadata (1.0 §12.2.3, draft 13 §11.2.3) -------------------------------------


def _example_token() -> str:
    path = EXAMPLE_DIRS[0] / "credential_issuer_metadata_sd_jwt_jwt.txt"
    return "".join(path.read_text().split())  # line breaks are for display only


@needs_vectors
def test_signed_example_metadata() -> None:
    token = _example_token()
    header = json.loads(b64url_decode(token.split(".")[0]))
    leaf = parse_x5c(header["x5c"])[0]
    seen: list[tuple[str | None, Mapping[str, Any]]] = []

    def resolver(iss: str | None, protected: Mapping[str, Any]) -> Mapping[str, Any]:
        seen.append((iss, protected))
        return public_key_jwk(leaf.public_key(), IssuerMetadataError)

    metadata = parse_signed_issuer_metadata(token, ISSUER, STRICT, resolver)
    assert metadata.signed
    assert seen[0][0] == ISSUER  # no iss claim: the subject is the signer
    assert seen[0][1]["typ"] == SIGNED_METADATA_TYP
    assert metadata.authorization_servers == ("https://server.example.com",)
    assert [d.name for d in metadata.display] == ["Example University", "Example Université"]
    assert "sub" not in metadata.raw and "iat" not in metadata.raw

    # Another key: refused, never a fall-back to something unsigned.
    with pytest.raises(IssuerMetadataError):
        parse_signed_issuer_metadata(token, ISSUER, STRICT, lambda iss, h: public_jwk(generate()))
    # The example certificate is self-signed: no trust anchor makes it trusted (HAIP §4.1
    # forbids that anyway), and the resolver's refusal surfaces.
    anchored = IssuerKeyResolver(HttpClient(STRICT), MemoryCache(), trust_anchors=[leaf])
    with pytest.raises(UntrustedIssuerError):
        parse_signed_issuer_metadata(token, ISSUER, STRICT, anchored)
    with pytest.raises(IssuerMismatchError):
        parse_signed_issuer_metadata(token, "https://other.example", STRICT, resolver)


def public_jwk(signer: Signer) -> dict[str, Any]:
    return dict(public_only(signer.public_jwk))


def signed(signer: Signer, claims: Mapping[str, Any], typ: str | None = SIGNED_METADATA_TYP) -> str:
    header = {"typ": typ} if typ is not None else {}
    return sign_compact(header, dict(claims), signer)


def signed_claims(issuer: str, **extra: Any) -> dict[str, Any]:
    return {"sub": issuer, "iat": 1_700_000_000, **issuer_document(issuer), **extra}


def test_signed_metadata_rules() -> None:
    signer = generate()

    def resolver(iss: str | None, header: Mapping[str, Any]) -> Mapping[str, Any]:
        return public_jwk(signer)

    good = signed(signer, signed_claims(ISSUER))
    assert parse_signed_issuer_metadata(good, ISSUER, STRICT, resolver).signed

    bad: dict[str, tuple[str, type[Exception]]] = {
        "wrong typ": (signed(signer, signed_claims(ISSUER), typ="JWT"), IssuerMetadataError),
        "no typ": (signed(signer, signed_claims(ISSUER), typ=None), IssuerMetadataError),
        "other subject": (
            signed(signer, signed_claims(ISSUER, sub="https://other.example")),
            IssuerMismatchError,
        ),
        "no iat": (
            signed(signer, {k: v for k, v in signed_claims(ISSUER).items() if k != "iat"}),
            IssuerMetadataError,
        ),
        "expired": (signed(signer, signed_claims(ISSUER, exp=1_700_000_100)), IssuerMetadataError),
        "exp not a number": (signed(signer, signed_claims(ISSUER, exp="x")), IssuerMetadataError),
        "nested signed_metadata": (
            signed(signer, signed_claims(ISSUER, signed_metadata="x.y.z")),
            IssuerMetadataError,
        ),
        "tampered": (
            good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"),
            IssuerMetadataError,
        ),
        "alg none": (_unsigned_token(signed_claims(ISSUER)), IssuerMetadataError),
        "HMAC": (_unsigned_token(signed_claims(ISSUER), alg="HS256"), IssuerMetadataError),
        "not a JWS": ("not-a-jws", IssuerMetadataError),
        "not base64url": ("a.b!.c", IssuerMetadataError),
        "payload not an object": (
            b64url(json.dumps({"alg": "ES256", "typ": SIGNED_METADATA_TYP}).encode())
            + "."
            + b64url(b"[1]")
            + ".sig",
            IssuerMetadataError,
        ),
    }
    clock = ManualClock(1_800_000_000)
    for name, (token, error) in bad.items():
        with pytest.raises(error):
            parse_signed_issuer_metadata(token, ISSUER, STRICT, resolver, clock=clock)
        assert name  # for the traceback


def _unsigned_token(claims: Mapping[str, Any], alg: str = "none") -> str:
    header = {"alg": alg, "typ": SIGNED_METADATA_TYP}
    return (
        b64url(json.dumps(header).encode())
        + "."
        + b64url(json.dumps(dict(claims)).encode())
        + "."
        + b64url(b"\x00" * 32)
    )


def test_draft13_signed_metadata_member() -> None:
    signer = generate()
    calls: list[str | None] = []

    def resolver(iss: str | None, header: Mapping[str, Any]) -> Mapping[str, Any]:
        calls.append(iss)
        return public_jwk(signer)

    attested = {
        "iss": "https://federation.example",
        "sub": ISSUER,
        "iat": 1_700_000_000,
        "credential_endpoint": ISSUER + "/signed-credential",
        "display": [{"name": "Signed Name", "locale": "en"}],
    }
    document = {**issuer_document(ISSUER), "signed_metadata": sign_compact({}, attested, signer)}

    # A wallet that cannot establish trust in the signer ignores the member (§11.2.3).
    plain = parse(document)
    assert not plain.signed
    assert plain.credential_endpoint == ISSUER + "/credential"

    # With a resolver the signed values take precedence; the rest stays.
    metadata = parse_issuer_metadata(document, ISSUER, STRICT, key_resolver=resolver)
    assert metadata.signed
    assert calls == ["https://federation.example"]  # the attesting party's key
    assert metadata.credential_endpoint == ISSUER + "/signed-credential"
    assert [d.name for d in metadata.display] == ["Signed Name"]
    assert metadata.nonce_endpoint == ISSUER + "/nonce"

    other = generate()
    with pytest.raises(IssuerMetadataError):
        parse_issuer_metadata(
            document, ISSUER, STRICT, key_resolver=lambda iss, h: public_jwk(other)
        )
    with pytest.raises(IssuerMetadataError):
        parse_issuer_metadata(
            {**document, "signed_metadata": 5}, ISSUER, STRICT, key_resolver=resolver
        )
    nested = sign_compact({}, {**attested, "signed_metadata": "x"}, signer)
    with pytest.raises(IssuerMetadataError):
        parse_issuer_metadata(
            {**document, "signed_metadata": nested}, ISSUER, STRICT, key_resolver=resolver
        )


# -- validation --------------------------------------------------------------------------


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        target: Any = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        target: Any = document
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


CONFIG = ("credential_configurations_supported", "microcredential")
META = (*CONFIG, "credential_metadata")
CLAIMS = (*META, "claims")

INVALID: dict[str, tuple[Callable[[dict[str, Any]], None], type[Exception]]] = {
    "issuer differs": (_set(("credential_issuer",), "https://other.example"), IssuerMismatchError),
    "issuer trailing slash": (_set(("credential_issuer",), ISSUER + "/"), IssuerMismatchError),
    "issuer case": (_set(("credential_issuer",), ISSUER.upper()), IssuerMismatchError),
    "issuer missing": (_delete(("credential_issuer",)), IssuerMismatchError),
    "no credential_endpoint": (_delete(("credential_endpoint",)), IssuerMetadataError),
    "http credential_endpoint": (
        _set(("credential_endpoint",), "http://credential-issuer.example.com/c"),
        IssuerMetadataError,
    ),
    "private nonce_endpoint": (
        _set(("nonce_endpoint",), "https://10.0.0.8/n"),
        IssuerMetadataError,
    ),
    "deferred endpoint not a string": (
        _set(("deferred_credential_endpoint",), ["x"]),
        IssuerMetadataError,
    ),
    "notification endpoint loopback": (
        _set(("notification_endpoint",), "https://127.0.0.1/n"),
        IssuerMetadataError,
    ),
    "authorization_servers empty": (_set(("authorization_servers",), []), IssuerMetadataError),
    "authorization_servers a string": (
        _set(("authorization_servers",), "https://as.example"),
        IssuerMetadataError,
    ),
    "authorization_servers http": (
        _set(("authorization_servers",), ["http://as.example"]),
        IssuerMetadataError,
    ),
    "batch_size 1": (_set(("batch_credential_issuance",), {"batch_size": 1}), IssuerMetadataError),
    "batch_size string": (
        _set(("batch_credential_issuance",), {"batch_size": "10"}),
        IssuerMetadataError,
    ),
    "batch not an object": (_set(("batch_credential_issuance",), 10), IssuerMetadataError),
    "display not an array": (_set(("display",), {"name": "x"}), IssuerMetadataError),
    "display entry not an object": (_set(("display",), ["x"]), IssuerMetadataError),
    "configurations missing": (
        _delete(("credential_configurations_supported",)),
        IssuerMetadataError,
    ),
    "configurations an array": (
        _set(("credential_configurations_supported",), []),
        IssuerMetadataError,
    ),
    "configuration not an object": (_set(CONFIG, "dc+sd-jwt"), IssuerMetadataError),
    "no format": (_delete((*CONFIG, "format")), IssuerMetadataError),
    "sd-jwt without vct": (_delete((*CONFIG, "vct")), IssuerMetadataError),
    "vct not a string": (_set((*CONFIG, "vct"), 1), IssuerMetadataError),
    "scope not a string": (_set((*CONFIG, "scope"), ["a"]), IssuerMetadataError),
    "credential_definition not an object": (
        _set((*CONFIG, "credential_definition"), ["x"]),
        IssuerMetadataError,
    ),
    "binding methods not strings": (
        _set((*CONFIG, "cryptographic_binding_methods_supported"), [1]),
        IssuerMetadataError,
    ),
    "signing algs not an array": (
        _set((*CONFIG, "credential_signing_alg_values_supported"), "ES256"),
        IssuerMetadataError,
    ),
    "proof types not an object": (
        _set((*CONFIG, "proof_types_supported"), ["jwt"]),
        IssuerMetadataError,
    ),
    "proof type without algs": (
        _set((*CONFIG, "proof_types_supported"), {"jwt": {}}),
        IssuerMetadataError,
    ),
    "proof type not an object": (
        _set((*CONFIG, "proof_types_supported"), {"jwt": "ES256"}),
        IssuerMetadataError,
    ),
    "credential_metadata not an object": (_set(META, []), IssuerMetadataError),
    "credential display not an array": (_set((*META, "display"), {}), IssuerMetadataError),
    "claims not an array": (_set(CLAIMS, {"title": {}}), IssuerMetadataError),
    "claim not an object": (_set(CLAIMS, ["title"]), IssuerMetadataError),
    "claim path missing": (_set(CLAIMS, [{"mandatory": True}]), IssuerMetadataError),
    "claim path empty": (_set(CLAIMS, [{"path": []}]), IssuerMetadataError),
    "claim path negative": (_set(CLAIMS, [{"path": ["a", -1]}]), IssuerMetadataError),
    "claim path boolean": (_set(CLAIMS, [{"path": ["a", True]}]), IssuerMetadataError),
    "claim path float": (_set(CLAIMS, [{"path": ["a", 1.0]}]), IssuerMetadataError),
    "claim path a string": (_set(CLAIMS, [{"path": "a"}]), IssuerMetadataError),
    "mandatory not a boolean": (
        _set(CLAIMS, [{"path": ["a"], "mandatory": "yes"}]),
        IssuerMetadataError,
    ),
    "claim display not an array": (
        _set(CLAIMS, [{"path": ["a"], "display": {"name": "A"}}]),
        IssuerMetadataError,
    ),
    "claim display entry not an object": (
        _set(CLAIMS, [{"path": ["a"], "display": ["A"]}]),
        IssuerMetadataError,
    ),
    # 1.0 Appendix B.3: repeated or contradictory descriptions abort processing.
    "same claim twice": (_set(CLAIMS, [{"path": ["a"]}, {"path": ["a"]}]), IssuerMetadataError),
    "null and index": (
        _set(CLAIMS, [{"path": ["a", None]}, {"path": ["a", 0]}]),
        IssuerMetadataError,
    ),
    "array and object": (
        _set(CLAIMS, [{"path": ["a", 0]}, {"path": ["a", "b"]}]),
        IssuerMetadataError,
    ),
    "array and object, nested": (
        _set(CLAIMS, [{"path": ["a", None, "x"]}, {"path": ["a", "b", "y"]}]),
        IssuerMetadataError,
    ),
}


@pytest.mark.parametrize(("mutate", "error"), INVALID.values(), ids=INVALID.keys())
def test_invalid_metadata(mutate: Callable[[dict[str, Any]], None], error: type[Exception]) -> None:
    document = copy.deepcopy(issuer_document(ISSUER))
    mutate(document)
    with pytest.raises(error):
        parse(document)


def test_not_an_object() -> None:
    with pytest.raises(IssuerMetadataError):
        parse(["credential_issuer"])  # type: ignore[arg-type]


def test_valid_claim_paths() -> None:
    document = issuer_document(ISSUER)
    document["credential_configurations_supported"]["microcredential"]["credential_metadata"][
        "claims"
    ] = [
        {"path": ["degrees", None, "type"]},
        {"path": ["degrees", None, "title"]},
        {"path": ["nationalities", 0]},
        {"path": ["nationalities", 1]},
        {"path": ["address"]},
        {"path": ["address", "street"]},
    ]
    paths = [c.path for c in parse(document).configurations["microcredential"].claims]
    assert paths[0] == ("degrees", None, "type")
    assert len(paths) == 6


def test_lenient_display_data() -> None:
    document = issuer_document(ISSUER)
    document["display"] = [
        {"locale": "en", "logo": {"uri": "http://tracker.example/l.png"}},  # no name: allowed
        {"name": "Dubbel", "locale": "en"},  # a second "en": ignored
        {"name": 5, "locale": "nl", "logo": {"uri": "data:image/png;base64,iVBORw0KGgo="}},
    ]
    configuration = document["credential_configurations_supported"]["microcredential"]
    configuration["credential_metadata"]["display"] = [
        {"locale": "de"},  # credential display needs a name: skipped
        {
            "name": "Microcredential",
            "background_color": "rgb(18, 16, 124)",
            "text_color": "white; background: url(https://evil.example)",
            "logo": {"uri": "https://192.168.0.1/logo.png", "alt_text": 7},
        },
        {"name": "Old", "locale": "fr", "background_color": "#abc", "text_color": "rgb(300,0,0)"},
    ]
    metadata = parse(document)
    assert metadata.display == (
        Display(name="", locale="en"),  # the http logo is dropped
        Display(name="", locale="nl", logo_uri="data:image/png;base64,iVBORw0KGgo="),
    )
    first, second = metadata.configurations["microcredential"].display
    assert first == Display(name="Microcredential", background_color="#12107c")
    assert second.background_color == "#abc" and second.text_color is None


def test_dialect_detection() -> None:
    assert not parse(issuer_document(ISSUER)).draft13
    legacy = issuer_document(ISSUER, batch_credential_endpoint=ISSUER + "/batch")
    del legacy["nonce_endpoint"]
    assert parse(legacy).draft13
    # A nonce endpoint means draft 14 or later, whatever else the document still carries.
    assert not parse({**legacy, "nonce_endpoint": ISSUER + "/nonce"}).draft13
    old_format = issuer_document(ISSUER)
    del old_format["nonce_endpoint"]
    old_format["credential_configurations_supported"]["microcredential"]["format"] = "vc+sd-jwt"
    assert parse(old_format).draft13
    # Drafts 14/15: display and claims (array form) on the configuration itself.
    flat = sd_jwt_configuration()
    block = flat.pop("credential_metadata")
    flat.update(block)
    metadata = parse(issuer_document(ISSUER, credential_configurations_supported={"m": flat}))
    assert metadata.configurations["m"].display[0].name == "Microcredential"
    assert metadata.configurations["m"].claims[0].mandatory
    assert not metadata.draft13


def test_legacy_w3c_configuration_shape() -> None:
    """Drafts ≤ 12: @context/types on the configuration; normalized to credential_definition."""
    configuration = {
        "format": "ldp_vc",
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "types": ["VerifiableCredential", "OpenBadgeCredential"],
        "display": [{"name": "Badge"}],
    }
    metadata = parse(
        issuer_document(ISSUER, credential_configurations_supported={"b": configuration})
    )
    assert metadata.configurations["b"].credential_definition == {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
    }


# -- fetching over real HTTP on loopback -------------------------------------------------


def publish_issuer(server: LoopbackServer, tenant: str = "", **extra: Any) -> str:
    issuer = server.base + tenant
    path = WELL_KNOWN + tenant.rstrip("/")
    server.json(path, issuer_document(issuer, **extra))
    return issuer


def test_fetch_root_issuer(server: LoopbackServer, client: HttpClient) -> None:
    issuer = publish_issuer(server)
    metadata = fetch_issuer_metadata(issuer, client)
    assert metadata.credential_issuer == issuer
    assert metadata.configurations["microcredential"].vct == "https://edu.example/microcredential"
    assert server.requests == [WELL_KNOWN]


def test_fetch_inserts_well_known_before_the_path(
    server: LoopbackServer, client: HttpClient
) -> None:
    issuer = publish_issuer(server, "/tenant/hogeschool")
    metadata = fetch_issuer_metadata(issuer, client)
    assert metadata.credential_issuer == issuer and not metadata.draft13
    assert server.requests == [WELL_KNOWN + "/tenant/hogeschool"]

    # A trailing "/" is part of the identifier (compared exactly) but not of the URL.
    server.reset()
    slashed = publish_issuer(server, "/tenant/")
    assert fetch_issuer_metadata(slashed, client).credential_issuer == slashed
    assert server.requests == [WELL_KNOWN + "/tenant"]


def test_fetch_falls_back_to_the_draft13_location(
    server: LoopbackServer, client: HttpClient
) -> None:
    issuer = server.base + "/tenant"
    server.json("/tenant" + WELL_KNOWN, issuer_document(issuer))
    metadata = fetch_issuer_metadata(issuer, client)
    assert server.requests == [WELL_KNOWN + "/tenant", "/tenant" + WELL_KNOWN]
    assert metadata.credential_issuer == issuer
    # Found only where draft 13 puts it, but it has a nonce endpoint: draft 14+ requests.
    assert not metadata.draft13
    server.json("/tenant" + WELL_KNOWN, {**issuer_document(issuer), "nonce_endpoint": None})
    assert fetch_issuer_metadata(issuer, client).draft13


def test_fetch_fallback_only_on_404(server: LoopbackServer, client: HttpClient) -> None:
    issuer = server.base + "/tenant"
    server.json("/tenant" + WELL_KNOWN, issuer_document(issuer))
    server.json(WELL_KNOWN + "/tenant", {"error": "boom"}, status=500)
    with pytest.raises(HttpStatusError) as caught:
        fetch_issuer_metadata(issuer, client)
    assert caught.value.status == 500
    assert server.requests == [WELL_KNOWN + "/tenant"]

    server.reset()
    with pytest.raises(HttpStatusError) as caught:
        fetch_issuer_metadata(issuer, client)
    assert caught.value.status == 404
    assert len(server.requests) == 2

    # Without a path there is only one location.
    server.reset()
    with pytest.raises(HttpStatusError):
        fetch_issuer_metadata(server.base, client)
    assert server.requests == [WELL_KNOWN]


def test_fetch_issuer_mismatch(server: LoopbackServer, client: HttpClient) -> None:
    issuer = server.base + "/tenant"
    server.json(WELL_KNOWN + "/tenant", issuer_document(server.base + "/other"))
    with pytest.raises(IssuerMismatchError):
        fetch_issuer_metadata(issuer, client)


def test_fetch_needs_https(server: LoopbackServer, client: HttpClient) -> None:
    issuer = publish_issuer(server)
    with HttpClient(STRICT) as strict, pytest.raises(InsecureUrlError):
        fetch_issuer_metadata(issuer, strict)
    assert server.requests == []


def test_fetch_endpoint_outside_policy(server: LoopbackServer, client: HttpClient) -> None:
    issuer = publish_issuer(server, credential_endpoint="https://10.0.0.1/credential")
    with pytest.raises(IssuerMetadataError):
        fetch_issuer_metadata(issuer, client)


def test_fetch_too_large(server: LoopbackServer) -> None:
    issuer = publish_issuer(server, padding="x" * 5000)
    small = HttpPolicy(allow_http_loopback=True, timeout=5.0, max_response_bytes=2048)
    with HttpClient(small) as client, pytest.raises(ResponseTooLargeError):
        fetch_issuer_metadata(issuer, client)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_fetch_unreachable(client: HttpClient) -> None:
    with pytest.raises(NetworkError):
        fetch_issuer_metadata(f"http://127.0.0.1:{_closed_port()}", client)


def test_fetch_malformed_answers(server: LoopbackServer, client: HttpClient) -> None:
    server.raw(WELL_KNOWN, b'{"credential_issuer": "', "application/json")
    with pytest.raises(MalformedResponseError):
        fetch_issuer_metadata(server.base, client)
    server.json(WELL_KNOWN, [issuer_document(server.base)])
    with pytest.raises(IssuerMetadataError):
        fetch_issuer_metadata(server.base, client)
    server.raw(WELL_KNOWN, json.dumps(issuer_document(server.base)).encode(), "text/html")
    with pytest.raises(UnexpectedContentTypeError):
        fetch_issuer_metadata(server.base, client)


def test_fetch_signed_metadata(server: LoopbackServer, client: HttpClient) -> None:
    signer = generate()
    issuer = server.base + "/tenant"
    token = signed(signer, signed_claims(issuer))
    server.raw(WELL_KNOWN + "/tenant", token.encode(), "application/jwt")

    def resolver(iss: str | None, header: Mapping[str, Any]) -> Mapping[str, Any]:
        assert iss == issuer
        return public_jwk(signer)

    metadata = fetch_issuer_metadata(issuer, client, key_resolver=resolver)
    assert metadata.signed and metadata.credential_issuer == issuer
    # Not asked for without a resolver, so not accepted.
    with pytest.raises(UnexpectedContentTypeError):
        fetch_issuer_metadata(issuer, client)
    other = generate()
    with pytest.raises(IssuerMetadataError):
        fetch_issuer_metadata(issuer, client, key_resolver=lambda i, h: public_jwk(other))
    # With a resolver, unsigned JSON is still acceptable; metadata.signed tells them apart.
    server.json(WELL_KNOWN + "/tenant", issuer_document(issuer))
    assert not fetch_issuer_metadata(issuer, client, key_resolver=resolver).signed


# -- authorization server metadata -------------------------------------------------------


def as_document(issuer: str, **extra: Any) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "token_endpoint": issuer + "/token",
        "authorization_endpoint": issuer + "/authorize",
        "pushed_authorization_request_endpoint": issuer + "/par",
        "require_pushed_authorization_requests": True,
        "code_challenge_methods_supported": ["S256"],
        "pre-authorized_grant_anonymous_access_supported": True,
        "authorization_response_iss_parameter_supported": True,
        **extra,
    }


def test_as_metadata_rfc8414(server: LoopbackServer, client: HttpClient) -> None:
    issuer = server.base + "/realms/edu"
    server.json("/.well-known/oauth-authorization-server/realms/edu", as_document(issuer))
    metadata = fetch_authorization_server_metadata(issuer, client)
    assert metadata.issuer == issuer
    assert metadata.token_endpoint == issuer + "/token"
    assert metadata.authorization_endpoint == issuer + "/authorize"
    assert metadata.pushed_authorization_request_endpoint == issuer + "/par"
    assert metadata.require_pushed_authorization_requests
    assert metadata.code_challenge_methods == ("S256",)
    assert metadata.pre_authorized_grant_anonymous_access_supported
    assert metadata.authorization_response_iss_parameter_supported
    assert server.requests == ["/.well-known/oauth-authorization-server/realms/edu"]


def test_as_metadata_openid_configuration_fallback(
    server: LoopbackServer, client: HttpClient
) -> None:
    issuer = server.base + "/realms/edu"
    server.json(
        "/realms/edu/.well-known/openid-configuration",
        {"issuer": issuer, "token_endpoint": issuer + "/t"},
    )
    metadata = fetch_authorization_server_metadata(issuer, client)
    assert metadata.token_endpoint == issuer + "/t"
    # Defaults of RFC 8414 / RFC 9126 / RFC 9207 / OpenID4VCI §12.3.
    assert not metadata.require_pushed_authorization_requests
    assert not metadata.pre_authorized_grant_anonymous_access_supported
    assert not metadata.authorization_response_iss_parameter_supported
    assert metadata.code_challenge_methods == ()
    assert server.requests == [
        "/.well-known/oauth-authorization-server/realms/edu",
        "/realms/edu/.well-known/openid-configuration",
    ]


def test_as_metadata_failures(server: LoopbackServer, client: HttpClient) -> None:
    issuer = server.base
    with pytest.raises(HttpStatusError):
        fetch_authorization_server_metadata(issuer, client)
    server.json("/.well-known/oauth-authorization-server", as_document("https://other.example"))
    with pytest.raises(IssuerMismatchError):
        fetch_authorization_server_metadata(issuer, client)
    server.json("/.well-known/oauth-authorization-server", {}, status=503)
    server.json("/.well-known/openid-configuration", as_document(issuer))
    with pytest.raises(HttpStatusError):  # no fall-back on a server error
        fetch_authorization_server_metadata(issuer, client)
    with HttpClient(STRICT) as strict, pytest.raises(InsecureUrlError):
        fetch_authorization_server_metadata(issuer, strict)


AS_INVALID: dict[str, dict[str, Any]] = {
    "no token_endpoint": {"token_endpoint": None},
    "http token_endpoint": {"token_endpoint": "http://as.example/token"},
    "private par endpoint": {"pushed_authorization_request_endpoint": "https://10.0.0.2/par"},
    "flag not a boolean": {"require_pushed_authorization_requests": "true"},
    "anonymous flag not a boolean": {"pre-authorized_grant_anonymous_access_supported": 1},
    "iss flag not a boolean": {"authorization_response_iss_parameter_supported": "yes"},
    "methods not strings": {"code_challenge_methods_supported": [256]},
}


@pytest.mark.parametrize("change", AS_INVALID.values(), ids=AS_INVALID.keys())
def test_as_metadata_invalid(change: dict[str, Any]) -> None:
    document = {
        k: v for k, v in {**as_document("https://as.example"), **change}.items() if v is not None
    }
    with pytest.raises(IssuerMetadataError):
        parse_authorization_server_metadata(document, "https://as.example", STRICT)


def test_as_metadata_not_an_object() -> None:
    with pytest.raises(IssuerMetadataError):
        parse_authorization_server_metadata([], "https://as.example", STRICT)  # type: ignore[arg-type]
    with pytest.raises(IssuerMismatchError):
        parse_authorization_server_metadata(
            as_document("https://as.example/"), "https://as.example", STRICT
        )


def test_which_authorization_server() -> None:
    own = parse(issuer_document(ISSUER))
    assert authorization_server_for(own) == ISSUER  # §12.2.4: the issuer is its own AS
    with pytest.raises(OfferError):
        authorization_server_for(own, "https://as.example")  # "MUST NOT be used otherwise"
    assert authorization_server_for(own, ISSUER) == ISSUER  # naming itself is harmless
    listed = parse(
        issuer_document(ISSUER, authorization_servers=["https://a.example", "https://b.example"])
    )
    assert authorization_server_for(listed) == "https://a.example"
    assert authorization_server_for(listed, "https://b.example") == "https://b.example"
    with pytest.raises(OfferError):
        authorization_server_for(listed, "https://evil.example")
