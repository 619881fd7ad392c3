"""Parsing what Credential Issuer Metadata says about each credential: configurations, their
claims (the 1.0 array and the draft-13 map) and display entries (OpenID4VCI 1.0 §12.2.4,
Appendix A/B; draft 13 §11.2.3). Display data is cosmetic and parsed leniently; anything a
flow depends on is parsed strictly."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from wallet_core import http
from wallet_core.errors import InsecureUrlError, IssuerMetadataError
from wallet_core.formats.registry import rules_for
from wallet_core.http import HttpPolicy
from wallet_core.models import ClaimPath
from wallet_core.oid4vci.models import ClaimDescription, CredentialConfiguration, Display

_CLAIM_LEAF_KEYS = frozenset({"mandatory", "value_type", "display"})
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_RGB_COLOUR = re.compile(r"rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)", re.IGNORECASE)


# -- credential configurations -----------------------------------------------------------


def parse_configuration(
    configuration_id: str, value: Any, policy: HttpPolicy
) -> tuple[CredentialConfiguration, bool]:
    """One ``credential_configurations_supported`` entry; also whether it is draft-13 shaped."""
    where = f"credential configuration {configuration_id!r}"
    if not isinstance(value, Mapping):
        raise IssuerMetadataError(f"{where} is not an object")
    credential_format = value.get("format")
    if not isinstance(credential_format, str) or not credential_format:
        raise IssuerMetadataError(f"{where} has no format")
    rules = rules_for(credential_format)
    legacy = rules.is_legacy(credential_format)
    vct = value.get("vct")
    if vct is not None and (not isinstance(vct, str) or not vct):
        raise IssuerMetadataError(f"{where}: vct is not a non-empty string")
    type_key = rules.configuration_type_key  # OpenID4VCI 1.0 Appendix A: vct for SD-JWT VC
    if type_key is not None and value.get(type_key) is None:
        raise IssuerMetadataError(f"{where}: a {credential_format} configuration needs {type_key}")
    definition = _credential_definition(value, where)
    # Drafts ≤ 12 described W3C types on the configuration itself.
    legacy = legacy or ("credential_definition" not in value and definition is not None)
    scope = value.get("scope")
    if scope is not None and not isinstance(scope, str):
        raise IssuerMetadataError(f"{where}: scope is not a string")
    signing_algs = value.get("credential_signing_alg_values_supported", [])
    if not isinstance(signing_algs, list) or not all(
        isinstance(alg, str | int) and not isinstance(alg, bool) for alg in signing_algs
    ):
        raise IssuerMetadataError(f"{where}: credential_signing_alg_values_supported is malformed")

    block = value.get("credential_metadata")
    if block is not None and not isinstance(block, Mapping):
        raise IssuerMetadataError(f"{where}: credential_metadata is not an object")
    block = block or {}
    # 1.0 §12.2.4 moved display and claims into credential_metadata; drafts ≤ 15 had them on
    # the configuration itself.
    display_source = block.get("display", value.get("display"))
    display = parse_displays(display_source, f"{where} display", policy, name_required=True)
    if "claims" in block:
        claims = _claims_array(block["claims"], where)
    else:
        claims, legacy_claims = _legacy_claims(value, definition, credential_format, where)
        legacy = legacy or legacy_claims
    return (
        CredentialConfiguration(
            id=configuration_id,
            format=credential_format,
            vct=vct,
            credential_definition=definition,
            scope=scope,
            cryptographic_binding_methods=string_list(
                value, "cryptographic_binding_methods_supported", where
            ),
            credential_signing_algs=tuple(signing_algs),
            proof_signing_algs=_proof_signing_algs(value.get("proof_types_supported"), where),
            key_attestation_required=_key_attestation_required(value.get("proof_types_supported")),
            display=display,
            claims=claims,
            raw=dict(value),
        ),
        legacy,
    )


def _credential_definition(value: Mapping[str, Any], where: str) -> Mapping[str, Any] | None:
    definition = value.get("credential_definition")
    if definition is not None:
        if not isinstance(definition, Mapping):
            raise IssuerMetadataError(f"{where}: credential_definition is not an object")
        return dict(definition)
    # Drafts ≤ 12 put ``@context`` / ``type(s)`` / ``credentialSubject`` on the configuration.
    collected = {
        name: value[name] for name in ("@context", "type", "credentialSubject") if name in value
    }
    if "types" in value and "type" not in collected:
        collected["type"] = value["types"]
    return collected or None


def _proof_signing_algs(value: Any, where: str) -> tuple[str, ...]:
    """1.0 §12.2.4 ``proof_types_supported``: each type lists its signing algorithms."""
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise IssuerMetadataError(f"{where}: proof_types_supported is not an object")
    jwt_algs: tuple[str, ...] = ()
    for proof_type, details in value.items():
        if not isinstance(details, Mapping):
            raise IssuerMetadataError(f"{where}: proof type {proof_type!r} is not an object")
        algs = string_list(details, "proof_signing_alg_values_supported", where)
        if not algs:
            raise IssuerMetadataError(
                f"{where}: proof type {proof_type!r} lists no proof_signing_alg_values_supported"
            )
        if proof_type == "jwt":
            jwt_algs = algs
    return jwt_algs


def _key_attestation_required(value: Any) -> bool:
    """Appendix F.1: ``key_attestations_required`` on the ``jwt`` proof type (its members
    name the storage the issuer accepts; an empty object asks for any attestation)."""
    jwt = value.get("jwt") if isinstance(value, Mapping) else None
    return isinstance(jwt, Mapping) and isinstance(jwt.get("key_attestations_required"), Mapping)


def string_list(value: Mapping[str, Any], name: str, where: str) -> tuple[str, ...]:
    items = value.get(name)
    if items is None:
        return ()
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise IssuerMetadataError(f"{where}: {name} is not an array of strings")
    return tuple(items)


# -- claims ------------------------------------------------------------------------------


def _claims_array(value: Any, where: str) -> tuple[ClaimDescription, ...]:
    """1.0 Appendix B.2: ``[{path, mandatory?, display?}]``, checked per Appendix B.3."""
    if not isinstance(value, list):
        raise IssuerMetadataError(f"{where}: claims is not an array")
    claims: list[ClaimDescription] = []
    for item in value:
        if not isinstance(item, Mapping):
            raise IssuerMetadataError(f"{where}: a claims entry is not an object")
        path = _claim_path(item.get("path"), where)
        mandatory = item.get("mandatory", False)
        if not isinstance(mandatory, bool):
            raise IssuerMetadataError(f"{where}: mandatory is not a boolean")
        claims.append(
            ClaimDescription(path=path, mandatory=mandatory, display=_claim_labels(item, where))
        )
    _check_claim_paths([claim.path for claim in claims], where)
    return tuple(claims)


def _claim_path(value: Any, where: str) -> ClaimPath:
    """1.0 Appendix C: a non-empty array of strings, non-negative integers and nulls."""
    if not isinstance(value, list) or not value:
        raise IssuerMetadataError(f"{where}: a claim path is not a non-empty array")
    for component in value:
        valid = (
            component is None
            or isinstance(component, str)
            or (isinstance(component, int) and not isinstance(component, bool) and component >= 0)
        )
        if not valid:
            raise IssuerMetadataError(f"{where}: a claim path has an invalid component")
    return tuple(value)


def _check_claim_paths(paths: Sequence[ClaimPath], where: str) -> None:
    """1.0 Appendix B.3: repeated or contradictory claim descriptions abort processing.

    Contradictions: the same path twice; ``null`` and an index into the same array; a claim
    used both as an array (``null``/index) and as an object (string key).
    """
    seen: set[ClaimPath] = set()
    kinds: dict[ClaimPath, set[str]] = {}
    for path in paths:
        if path in seen:
            raise IssuerMetadataError(f"{where}: two claim descriptions for the same claim")
        seen.add(path)
        for depth, component in enumerate(path):
            kind = "key" if isinstance(component, str) else "all" if component is None else "index"
            parent = path[:depth]
            found = kinds.setdefault(parent, set())
            found.add(kind)
            if ("key" in found and len(found) > 1) or {"all", "index"} <= found:
                raise IssuerMetadataError(f"{where}: contradictory claim descriptions")


def _legacy_claims(
    value: Mapping[str, Any],
    definition: Mapping[str, Any] | None,
    credential_format: str,
    where: str,
) -> tuple[tuple[ClaimDescription, ...], bool]:
    """Claims outside ``credential_metadata``; the flag says the draft-13 map form was used.

    Draft 13 Appendix A: SD-JWT VC and mdoc put a nested object map in ``claims`` (mdoc:
    namespace → element), the W3C formats in ``credential_definition.credentialSubject``.
    Drafts 14/15 put the 1.0 array form directly on the configuration.
    """
    claims = value.get("claims")
    if isinstance(claims, list):
        return _claims_array(claims, where), False
    if claims is not None:
        if not isinstance(claims, Mapping):
            raise IssuerMetadataError(f"{where}: claims is neither an array nor an object")
        skip_first = rules_for(credential_format).namespaced_claims  # namespaces aren't claims
        return tuple(_claims_map(claims, (), where, emit=not skip_first)), True
    subject = definition.get("credentialSubject") if definition is not None else None
    if rules_for(credential_format).subject_in_definition and subject is not None:
        if not isinstance(subject, Mapping):
            raise IssuerMetadataError(f"{where}: credentialSubject is not an object")
        return tuple(_claims_map(subject, ("credentialSubject",), where, emit=True)), True
    return (), False


def _claims_map(
    node: Mapping[str, Any], prefix: ClaimPath, where: str, *, emit: bool
) -> list[ClaimDescription]:
    """Flatten a draft-13 claims map into paths, parents before children."""
    found: list[ClaimDescription] = []
    seen: set[ClaimPath] = set()
    for name, child in node.items():
        if name in _CLAIM_LEAF_KEYS and prefix:
            continue  # describes the parent, handled by the caller
        if isinstance(child, list):
            # "an array of such objects": the claim is an array; describe its elements.
            elements = [element for element in child if isinstance(element, Mapping)]
            path: ClaimPath = (*prefix, name)
            if emit:
                found.append(ClaimDescription(path=path))
            for element in elements:
                found.extend(_claims_map(element, (*path, None), where, emit=True))
            continue
        if not isinstance(child, Mapping):
            continue  # not a claim description (unknown extension); ignore
        path = (*prefix, name)
        if emit:
            mandatory = child.get("mandatory", False)
            if not isinstance(mandatory, bool):
                raise IssuerMetadataError(f"{where}: mandatory is not a boolean")
            found.append(
                ClaimDescription(
                    path=path, mandatory=mandatory, display=_claim_labels(child, where)
                )
            )
        found.extend(_claims_map(child, path, where, emit=True))
    unique = []
    for claim in found:
        if claim.path not in seen:
            seen.add(claim.path)
            unique.append(claim)
    return unique


def _claim_labels(item: Mapping[str, Any], where: str) -> tuple[Display, ...]:
    """A claim's ``display``: ``name`` is the label, ``locale`` its language."""
    value = item.get("display")
    if value is None:
        return ()
    if not isinstance(value, list):
        raise IssuerMetadataError(f"{where}: a claim display is not an array")
    labels: list[Display] = []
    locales: set[str | None] = set()
    for entry in value:
        if not isinstance(entry, Mapping):
            raise IssuerMetadataError(f"{where}: a claim display entry is not an object")
        name, locale = _text(entry.get("name")), _text(entry.get("locale"))
        if name is None or locale in locales:
            continue
        locales.add(locale)
        labels.append(
            Display(name=name, locale=locale, description=_text(entry.get("description")))
        )
    return tuple(labels)


# -- display -----------------------------------------------------------------------------


def parse_displays(
    value: Any, where: str, policy: HttpPolicy, *, name_required: bool
) -> tuple[Display, ...]:
    """1.0 §12.2.4 ``display`` arrays (issuer and credential); see the module docstring."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise IssuerMetadataError(f"{where} is not an array")
    displays: list[Display] = []
    locales: set[str | None] = set()
    for entry in value:
        if not isinstance(entry, Mapping):
            raise IssuerMetadataError(f"{where} has an entry that is not an object")
        name = _text(entry.get("name"))
        if name is None and name_required:
            continue
        locale = _text(entry.get("locale"))
        if locale in locales:
            continue  # "There MUST be only one object for each language identifier"
        locales.add(locale)
        logo = entry.get("logo")
        logo_uri = logo_alt = None
        if isinstance(logo, Mapping):
            # Draft-13's own examples spell it "url"; the text (and 1.0) says "uri".
            logo_uri = _logo_uri(logo.get("uri", logo.get("url")), policy)
            logo_alt = _text(logo.get("alt_text"))
        displays.append(
            Display(
                name=name or "",
                locale=locale,
                description=_text(entry.get("description")),
                logo_uri=logo_uri,
                logo_alt=logo_alt,
                background_color=_colour(entry.get("background_color")),
                text_color=_colour(entry.get("text_color")),
            )
        )
    return tuple(displays)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _logo_uri(value: Any, policy: HttpPolicy) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    if value[:11].lower() == "data:image/":
        return value
    try:
        http.check_url(value, policy)
    except InsecureUrlError:
        return None
    return value


def _colour(value: Any) -> str | None:
    """CSS Color Level 3 numeric colours as ``#rrggbb`` (or ``#rgb``); anything else None."""
    if not isinstance(value, str):
        return None
    colour = value.strip()
    if _HEX_COLOUR.fullmatch(colour):
        return colour
    match = _RGB_COLOUR.fullmatch(colour)
    if match:
        channels = [int(part) for part in match.groups()]
        if all(channel <= 255 for channel in channels):
            return "#" + "".join(f"{channel:02x}" for channel in channels)
    return None
