"""OpenID4VP request examples from ../shared and the held credentials the matcher tests use.

Import as ``from oid4vp.match_fixtures import ...`` (pytest puts tests/ on sys.path).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
from helpers import SHARED

from wallet_core.crypto import generate
from wallet_core.formats import sd_jwt_vc
from wallet_core.formats.seam import HeldCredential
from wallet_core.models import ClaimPath, CredentialStatus, StoredCredential

VECTORS = SHARED / "vectors"
DCQL_EXAMPLES = VECTORS / "oid4vp-1.0-final" / "examples" / "query_lang"
PE_EXAMPLES = VECTORS / "oid4vp-draft21-PE" / "examples"
HAIP_EXAMPLES = VECTORS / "haip" / "examples"
DCQL_ABSENT = f"OpenID4VP 1.0 DCQL examples absent at {DCQL_EXAMPLES} (../shared not mounted)"
PE_ABSENT = f"OpenID4VP draft 21 PE examples absent at {PE_EXAMPLES} (../shared not mounted)"
needs_dcql_examples = pytest.mark.skipif(not DCQL_EXAMPLES.is_dir(), reason=DCQL_ABSENT)
needs_pe_examples = pytest.mark.skipif(not PE_EXAMPLES.is_dir(), reason=PE_ABSENT)

IDENTITY = "https://credentials.example.com/identity_credential"
ISSUER_KEY = generate("ES256")
HOLDER_KEY = generate("ES256")


def load_lenient_json(path: Path) -> Any:
    """JSON of a spec example. ``pd_mdl_iso_cbor.json`` (draft 21) has a trailing comma after
    its ``format`` object, a typo in the upstream example; trailing commas are dropped."""
    return json.loads(re.sub(r",(\s*[}\]])", r"\1", path.read_text()))


def dcql_example(name: str) -> Any:
    return json.loads((DCQL_EXAMPLES / f"{name}.json").read_text())


def dcql_example_names() -> list[Any]:
    """One param per DCQL example; a skipped one (with the reason) when ../shared is absent."""
    if not DCQL_EXAMPLES.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=DCQL_ABSENT))]
    return sorted(path.stem for path in DCQL_EXAMPLES.glob("*.json"))


def presentation_definitions() -> list[Any]:
    """Every presentation definition among the draft 21 request examples (``pd_*.json`` and the
    ``vp_token_*`` ones, unwrapped from ``vp_token.presentation_definition``) and HAIP's."""
    found: list[Any] = []
    candidates = sorted(PE_EXAMPLES.glob("request/*.json")) if PE_EXAMPLES.is_dir() else []
    candidates += sorted(HAIP_EXAMPLES.glob("presentation_definition*.json"))
    for path in candidates:
        document = load_lenient_json(path)
        wrapped = document.get("vp_token", {}).get("presentation_definition")
        definition = wrapped if wrapped is not None else document
        if "input_descriptors" in definition:
            found.append(pytest.param(definition, id=f"{path.parent.name}/{path.name}"))
    return found or [pytest.param(None, marks=pytest.mark.skip(reason=PE_ABSENT))]


def pe_example(name: str) -> Any:
    document = load_lenient_json(PE_EXAMPLES / "request" / name)
    wrapped = document.get("vp_token", {}).get("presentation_definition")
    return wrapped if wrapped is not None else document


# -- held credentials --------------------------------------------------------------------------


def sd_jwt_vc_credential(
    credential_id: str,
    vct: str,
    claims: Mapping[str, Any],
    disclosable: Iterable[ClaimPath] | None = None,
    *,
    bound: bool = True,
    aka_vcts: Iterable[str] = (),
    credential_format: str = "dc+sd-jwt",
    extra_types: Iterable[str] = (),
) -> tuple[HeldCredential, str]:
    """Issue a real SD-JWT VC (every top-level claim disclosable unless told otherwise) and
    build the matcher's view of it, as the wallet will."""
    payload: dict[str, Any] = {"iss": "https://issuer.example", "iat": 1_700_000_000, "vct": vct}
    aka = list(aka_vcts)
    if aka:
        payload["aka_vcts"] = aka
    payload.update(claims)
    paths = list(disclosable) if disclosable is not None else [(name,) for name in claims]
    raw = sd_jwt_vc.issue(
        payload,
        paths,
        issuer_key=ISSUER_KEY,
        holder_jwk=HOLDER_KEY.public_jwk if bound else None,
    )
    held = sd_jwt_vc.FORMAT.read(stored_as(credential_id, credential_format, raw))
    types = tuple(dict.fromkeys((*held.types, *extra_types)))
    return dataclasses.replace(held, types=types), raw


def stored_as(credential_id: str, credential_format: str, raw: str) -> StoredCredential:
    """What the vault would hand back for ``raw`` (only what formats read is filled in)."""
    return StoredCredential(
        id=credential_id,
        format=credential_format,
        claims={},
        issuer="https://issuer.example",
        display={},
        status=CredentialStatus(),
        issued_at=None,
        expires_at=None,
        raw=raw,
    )


PID_CLAIMS: dict[str, Any] = {
    "given_name": "John",
    "family_name": "Doe",
    "first_name": "John",
    "last_name": "Doe",
    "birthdate": "1940-01-01",
    "date_of_birth": "1940-01-01",
    "address": {"street_address": "42 Market Street", "locality": "Milliways"},
    "postal_code": "90210",
    "locality": "Milliways",
    "region": "Betelgeuse",
    "nationalities": ["British", "Betelgeusian"],
    "degrees": [
        {"type": "Bachelor of Science", "university": "University of Betelgeuse"},
        {"type": "Master of Science", "university": "University of Betelgeuse"},
    ],
}
PID_DISCLOSABLE: list[ClaimPath] = [
    *((name,) for name in PID_CLAIMS),
    ("address", "street_address"),
    ("address", "locality"),
    ("nationalities", 0),
    ("nationalities", 1),
    ("degrees", 0),
    ("degrees", 1),
]


def pid(
    credential_id: str = "pid-1",
    *,
    drop: Iterable[str] = (),
    vct: str = IDENTITY,
    bound: bool = True,
    credential_format: str = "dc+sd-jwt",
    **changes: Any,
) -> HeldCredential:
    """The identity credential of the spec examples, as a real SD-JWT VC."""
    dropped = set(drop)
    claims = {k: v for k, v in {**PID_CLAIMS, **changes}.items() if k not in dropped}
    disclosable = [p for p in PID_DISCLOSABLE if p[0] in claims]
    disclosable += [(k,) for k in changes if k not in PID_CLAIMS]
    return sd_jwt_vc_credential(
        credential_id,
        vct,
        claims,
        disclosable,
        bound=bound,
        credential_format=credential_format,
    )[0]


def plain(
    credential_id: str,
    credential_format: str,
    types: Iterable[str],
    claims: Mapping[str, Any],
    *,
    disclosable: Iterable[ClaimPath] = (),
    bound: bool = True,
    alg: str | None = None,
) -> HeldCredential:
    """A held credential of any format, built directly (mdoc, W3C VCs)."""
    return HeldCredential(
        id=credential_id,
        format=credential_format,
        types=tuple(types),
        claims=claims,
        disclosable=frozenset(disclosable),
        holder_binding=bound,
        alg=alg,
    )


def mdl(
    credential_id: str = "mdl-1", doctype: str = "org.iso.18013.5.1.mDL", **elements: Any
) -> HeldCredential:
    """An mdoc as the matcher sees it: ``{namespace: {data element: value}}``."""
    namespace = {
        "given_name": "John",
        "family_name": "Doe",
        "portrait": "aGVsbG8=",
        **elements,
    }
    claims = {"org.iso.18013.5.1": {k: v for k, v in namespace.items() if v is not None}}
    paths = [("org.iso.18013.5.1", name) for name in claims["org.iso.18013.5.1"]]
    return plain(credential_id, "mso_mdoc", (doctype,), claims, disclosable=paths)
