"""OpenID4VCI examples from ../shared (offers, issuer metadata), and a few builders.

Import as ``from oid4vci.vci_fixtures import ...`` (pytest puts tests/ on sys.path).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import SHARED

VECTORS = SHARED / "vectors"
SPECS = SHARED / "specs"
EXAMPLE_DIRS = (
    VECTORS / "oid4vci-1.0-final" / "examples",
    VECTORS / "oid4vci-draft13" / "examples",
    VECTORS / "haip" / "examples",
)
ABSENT = f"OpenID4VCI examples absent at {VECTORS} (../shared not mounted)"
needs_vectors = pytest.mark.skipif(not EXAMPLE_DIRS[0].is_dir(), reason=ABSENT)

ISSUER = "https://credential-issuer.example.com"


def example_params(prefix: str) -> list[Any]:
    """One pytest param per example file named ``prefix*``; a skipped one when absent."""
    paths = sorted(
        path
        for directory in EXAMPLE_DIRS
        if directory.is_dir()
        for path in directory.glob(prefix + "*")
        if path.suffix in {".json", ".txt"}
    )
    if not paths:
        return [pytest.param(None, marks=pytest.mark.skip(reason=ABSENT))]
    return [pytest.param(path, id=f"{path.parent.parent.name}/{path.name}") for path in paths]


def load_example(path: Path) -> Any:
    """The JSON of an example; ``.txt`` examples may start with HTTP status and headers."""
    text = path.read_text()
    if path.suffix == ".txt":
        text = text[text.index("{") :]
    return json.loads(text)


def spec_offer_links() -> list[Any]:
    """The by-value / by-reference offer links printed in the two spec texts (§4.1.2/4.1.3).

    Their line breaks are "for display purposes only", so lines are joined. ``GET /...``
    request lines become links to a made-up https wallet endpoint.
    """
    found: list[Any] = []
    for name in ("oid4vci-1_0-final.md", "oid4vci-draft13.md"):
        path = SPECS / name
        if not path.is_file():
            continue
        for index, block in enumerate(re.findall(r"```\n(.*?)```", path.read_text(), re.S)):
            joined = "".join(line.strip() for line in block.splitlines())
            if joined.startswith("GET /credential_offer?"):
                joined = "https://wallet.example" + joined[len("GET ") :]
            elif not joined.startswith("openid-credential-offer://"):
                continue
            found.append(pytest.param(joined, id=f"{name}-block{index}"))
    return found or [pytest.param(None, marks=pytest.mark.skip(reason=ABSENT))]


def sd_jwt_configuration(name: str = "Microcredential", **extra: Any) -> dict[str, Any]:
    """A 1.0-layout dc+sd-jwt configuration with en and nl display."""
    return {
        "format": "dc+sd-jwt",
        "vct": "https://edu.example/microcredential",
        "scope": "microcredential",
        "cryptographic_binding_methods_supported": ["jwk"],
        "credential_signing_alg_values_supported": ["ES256"],
        "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["ES256"]}},
        "credential_metadata": {
            "display": [
                {
                    "name": name,
                    "locale": "en",
                    "description": "A small unit of learning",
                    "logo": {"uri": "https://edu.example/logo.png", "alt_text": "logo"},
                    "background_color": "#12107c",
                    "text_color": "#FFFFFF",
                },
                {"name": "Microcredential (nl)", "locale": "nl-NL"},
            ],
            "claims": [
                {"path": ["title"], "mandatory": True, "display": [{"name": "Title"}]},
                {"path": ["ects"]},
            ],
        },
        **extra,
    }


def issuer_document(issuer: str, **extra: Any) -> dict[str, Any]:
    """1.0 Credential Issuer Metadata for ``issuer`` with one configuration."""
    return {
        "credential_issuer": issuer,
        "credential_endpoint": issuer + "/credential",
        "nonce_endpoint": issuer + "/nonce",
        "display": [
            {"name": "Hogeschool Demo", "locale": "nl"},
            {"name": "Demo University of Applied Sciences", "locale": "en"},
        ],
        "credential_configurations_supported": {"microcredential": sd_jwt_configuration()},
        **extra,
    }
