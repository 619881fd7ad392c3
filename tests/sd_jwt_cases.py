"""Loading the sd-jwt-python test cases (../shared/vectors) for our tests and the interop tests.

The YAML marks selectively disclosable claims with a custom ``!sd`` tag; the reference
package's loader understands it, and ``split_sd`` turns its markers into our claim paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import SHARED

TESTCASES = SHARED / "vectors" / "sd-jwt-python" / "tests" / "testcases"
needs_testcases = pytest.mark.skipif(
    not TESTCASES.is_dir(), reason=f"the shared test vectors are not present at {TESTCASES}"
)
CASE_NAMES = (
    sorted(p.parent.name for p in TESTCASES.glob("*/specification.yml"))
    if TESTCASES.is_dir()
    else []
)


@dataclass(frozen=True)
class Case:
    name: str
    user_claims: Any  # with the reference's SDObj markers
    payload: dict[str, Any]  # plain claims, iss/iat/exp added as the reference tests do
    disclosable: list[tuple[Any, ...]]
    disclose: list[tuple[Any, ...]]
    holder_disclosed: Any
    expected: dict[str, Any]
    key_binding: bool
    serialization: str
    decoys: bool
    extra_header: dict[str, Any]
    issuer_keys: list[dict[str, Any]]
    holder_key: dict[str, Any]
    issuer: str
    verifier: str
    nonce: str
    iat: int


def load(name: str, now: float | None = None) -> Case:
    """The case; ``now`` replaces its 2023 ``iat`` for tests that must use the real clock."""
    from sd_jwt.utils.yaml_specification import _yaml_load_specification

    directory = TESTCASES / name
    with (directory / "specification.yml").open() as handle:
        spec = _yaml_load_specification(handle)
    settings = yaml.safe_load((TESTCASES / "settings.yml").read_text())
    settings.update(spec.get("settings_override", {}))
    plain, disclosable = split_sd(spec["user_claims"])
    iat = settings["iat"] if now is None else int(now)
    issuer = settings["identifiers"]["issuer"]
    times = {"iss": issuer, "iat": iat, "exp": iat + settings["expiry_seconds"]}
    return Case(
        name=name,
        user_claims={**spec["user_claims"], **times},
        payload={**plain, **times},
        disclosable=disclosable,
        disclose=to_paths(spec["holder_disclosed_claims"]),
        holder_disclosed=spec["holder_disclosed_claims"],
        expected={**spec["expect_verified_user_claims"], **times},
        key_binding=bool(spec.get("key_binding", False)),
        serialization=spec.get("serialization_format", "compact"),
        decoys=bool(spec.get("add_decoy_claims", False)),
        extra_header=dict(spec.get("extra_header_parameters", {})),
        issuer_keys=settings["key_settings"]["issuer_keys"],
        holder_key=settings["key_settings"]["holder_key"],
        issuer=issuer,
        verifier=settings["identifiers"]["verifier"],
        nonce=str(settings["key_binding_nonce"]),
        iat=iat,
    )


def split_sd(value: Any, path: tuple[Any, ...] = ()) -> tuple[Any, list[tuple[Any, ...]]]:
    """Plain claims and the paths the ``!sd`` markers made selectively disclosable."""
    from sd_jwt.common import SDObj

    if isinstance(value, SDObj):
        inner, paths = split_sd(value.value, path)
        return inner, [path, *paths]
    if isinstance(value, dict):
        out, paths = {}, []
        for key, child in value.items():
            name = key.value if isinstance(key, SDObj) else key
            inner, below = split_sd(child, (*path, name))
            out[name] = inner
            paths += ([(*path, name)] if isinstance(key, SDObj) else []) + below
        return out, paths
    if isinstance(value, list):
        items, paths = [], []
        for index, child in enumerate(value):
            inner, below = split_sd(child, (*path, index))
            items.append(inner)
            paths += below
        return items, paths
    return value, []


def to_paths(spec: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The reference's holder_disclosed_claims tree as our list of claim paths."""
    if spec is True:
        return [path]
    if isinstance(spec, dict):
        return [p for key, child in spec.items() for p in to_paths(child, (*path, key))]
    if isinstance(spec, list):
        return [p for index, child in enumerate(spec) for p in to_paths(child, (*path, index))]
    return []


def without_cnf(claims: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in claims.items() if k != "cnf"}


def public(jwk: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in jwk.items() if k != "d"}


def as_json(compact: str, form: str) -> str:
    """An RFC 9901 §8 JSON serialization of a compact SD-JWT(+KB)."""
    import json

    jwt, *disclosures, kb = compact.split("~")
    protected, payload, signature = jwt.split(".")
    header: dict[str, Any] = {"disclosures": disclosures}
    if kb:
        header["kb_jwt"] = kb
    signature_entry = {"protected": protected, "header": header, "signature": signature}
    if form == "flattened":
        return json.dumps({"payload": payload, **signature_entry})
    return json.dumps({"payload": payload, "signatures": [signature_entry]})


__all__ = ["CASE_NAMES", "Case", "Path", "as_json", "load", "needs_testcases"]
