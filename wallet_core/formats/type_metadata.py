"""SD-JWT VC Type Metadata (draft-ietf-oauth-sd-jwt-vc §6, §7): resolve, check, localize.

No I/O here: ``resolve`` takes a ``fetch(url) -> bytes`` that the wallet backs with its HTTP
policy and vault cache. Integrity strings follow W3C SRI syntax (§7: the strongest supported
algorithm wins; any matching digest of that algorithm passes).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from wallet_core.errors import (
    ForbiddenDisclosureError,
    IntegrityMismatchError,
    MissingClaimError,
    TypeMetadataCycleError,
    TypeMetadataError,
    WalletError,
)
from wallet_core.models import ClaimPath

Fetch = Callable[[str], bytes]
SdRule = Literal["always", "allowed", "never"]
MAX_EXTENDS_DEPTH = 5
FALLBACK_LOCALE = "en"
# strongest first (§7: use the strongest algorithm the document offers)
_SRI_ALGORITHMS = (
    ("sha512", hashlib.sha512),
    ("sha384", hashlib.sha384),
    ("sha256", hashlib.sha256),
)


@dataclass(frozen=True)
class ClaimDisplay:
    locale: str
    label: str
    description: str | None = None


@dataclass(frozen=True)
class ClaimMetadata:
    path: ClaimPath
    display: tuple[ClaimDisplay, ...] = ()
    mandatory: bool = False
    sd: SdRule = "allowed"
    svg_id: str | None = None


@dataclass(frozen=True)
class TypeDisplay:
    locale: str
    name: str
    description: str | None = None
    rendering: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TypeMetadata:
    """Type Metadata with every ``extends`` applied (§6.4)."""

    vct: str
    name: str | None = None
    description: str | None = None
    display: tuple[TypeDisplay, ...] = ()
    claims: tuple[ClaimMetadata, ...] = ()
    lineage: tuple[str, ...] = ()  # this vct, then each type it extends

    def claim(self, path: ClaimPath) -> ClaimMetadata | None:
        return next((c for c in self.claims if c.path == path), None)


# -- integrity -----------------------------------------------------------------------------


def check_integrity(document: bytes, integrity: str) -> None:
    """Raise ``IntegrityMismatchError`` unless ``document`` matches the SRI string."""
    if not isinstance(integrity, str):
        raise IntegrityMismatchError("the integrity value must be a string")
    offered: dict[str, list[bytes]] = {}
    for expression in integrity.split():
        algorithm, _, rest = expression.partition("-")
        digest = rest.split("?", 1)[0]  # SRI allows options after '?'
        try:
            offered.setdefault(algorithm, []).append(base64.b64decode(digest, validate=True))
        except (binascii.Error, ValueError):
            continue
    for algorithm, function in _SRI_ALGORITHMS:
        if algorithm in offered:
            if function(document).digest() in offered[algorithm]:
                return
            raise IntegrityMismatchError(f"the document does not match its {algorithm} integrity")
    raise IntegrityMismatchError("the integrity value uses no supported hash algorithm")


def integrity_of(document: bytes, algorithm: str = "sha256") -> str:
    """The SRI string for ``document`` (for issuers and tests)."""
    function = dict(_SRI_ALGORITHMS)[algorithm]
    return f"{algorithm}-{base64.b64encode(function(document).digest()).decode()}"


# -- resolution ----------------------------------------------------------------------------


def resolve(
    vct: str,
    fetch: Fetch,
    *,
    integrity: str | None = None,
    max_depth: int = MAX_EXTENDS_DEPTH,
) -> TypeMetadata:
    """Fetch the metadata of ``vct`` and of every type it extends, and merge them (§6.3-6.4)."""
    chain: list[dict[str, Any]] = []
    wanted, wanted_integrity = vct, integrity
    while True:
        if wanted in (doc["vct"] for doc in chain):
            raise TypeMetadataCycleError(f"type metadata extends itself through {wanted!r}")
        if len(chain) > max_depth:
            raise TypeMetadataCycleError(f"type metadata extends more than {max_depth} levels deep")
        document = _load(wanted, fetch, wanted_integrity)
        chain.append(document)
        parent = document.get("extends")
        if parent is None:
            break
        if not isinstance(parent, str) or not parent:
            raise TypeMetadataError("extends must be a non-empty string")
        wanted, wanted_integrity = parent, document.get("extends#integrity")
    merged = _parse(chain[-1])
    for document in reversed(chain[:-1]):
        merged = _extend(merged, _parse(document))
    return TypeMetadata(
        vct=vct,
        name=merged.name,
        description=merged.description,
        display=merged.display,
        claims=merged.claims,
        lineage=tuple(doc["vct"] for doc in chain),
    )


def _load(vct: str, fetch: Fetch, integrity: str | None) -> dict[str, Any]:
    try:
        raw = fetch(vct)
    except WalletError:
        raise
    except Exception as exc:  # whatever the fetcher raised becomes a typed error here
        raise TypeMetadataError(f"type metadata for {vct!r} could not be retrieved") from exc
    if integrity is not None:
        check_integrity(raw, integrity)
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise TypeMetadataError("type metadata is not JSON") from exc
    if not isinstance(document, dict):
        raise TypeMetadataError("type metadata must be a JSON object")
    if document.get("vct") != vct:
        raise TypeMetadataError("the type metadata describes another vct than the one referenced")
    return document


def _parse(document: Mapping[str, Any]) -> TypeMetadata:
    try:
        display = tuple(
            TypeDisplay(
                locale=_text(entry.get("locale", entry.get("lang"))),  # "lang" in early drafts
                name=_text(entry["name"]),
                description=_optional_text(entry.get("description")),
                rendering=dict(entry.get("rendering") or {}),
            )
            for entry in _array(document.get("display"))
        )
        claims = tuple(_claim(entry) for entry in _array(document.get("claims")))
    except (KeyError, TypeError, ValueError) as exc:
        raise TypeMetadataError("type metadata is malformed") from exc
    paths = [claim.path for claim in claims]
    if len(paths) != len(set(paths)):
        raise TypeMetadataError("type metadata describes one claim path twice")
    return TypeMetadata(
        vct=str(document["vct"]),
        name=_optional_text(document.get("name")),
        description=_optional_text(document.get("description")),
        display=display,
        claims=claims,
    )


def _claim(entry: Any) -> ClaimMetadata:
    if not isinstance(entry, dict):
        raise TypeError("claim metadata must be an object")
    path = entry["path"]
    if not isinstance(path, list) or not path:
        raise ValueError("a claim path must be a non-empty array")
    for component in path:
        valid = (
            component is None
            or isinstance(component, str)
            or (isinstance(component, int) and not isinstance(component, bool) and component >= 0)
        )
        if not valid:
            raise ValueError("a claim path holds strings, null and non-negative integers")
    sd = entry.get("sd", "allowed")
    if sd not in ("always", "allowed", "never"):
        raise ValueError("sd must be always, allowed or never")
    mandatory = entry.get("mandatory", False)
    if not isinstance(mandatory, bool):
        raise ValueError("mandatory must be a boolean")
    display = tuple(
        ClaimDisplay(
            locale=_text(item.get("locale", item.get("lang"))),
            label=_text(item["label"]),
            description=_optional_text(item.get("description")),
        )
        for item in _array(entry.get("display"))
    )
    return ClaimMetadata(tuple(path), display, mandatory, sd, _optional_text(entry.get("svg_id")))


def _extend(base: TypeMetadata, child: TypeMetadata) -> TypeMetadata:
    """Child over base: display replaced wholesale, claim metadata merged per path (§6.5, §6.6)."""
    claims = {claim.path: claim for claim in base.claims}
    for claim in child.claims:
        inherited = claims.get(claim.path)
        if inherited is not None:
            if inherited.sd != "allowed" and claim.sd != inherited.sd:
                raise TypeMetadataError(
                    f"an extending type may not change sd of {list(claim.path)}"
                )
            if inherited.mandatory and not claim.mandatory:
                raise TypeMetadataError(
                    f"an extending type may not make {list(claim.path)} optional"
                )
            claim = ClaimMetadata(
                claim.path,
                claim.display or inherited.display,
                claim.mandatory,
                claim.sd,
                claim.svg_id or inherited.svg_id,
            )
        claims[claim.path] = claim
    return TypeMetadata(
        vct=child.vct,
        name=child.name or base.name,
        description=child.description or base.description,
        display=child.display or base.display,
        claims=tuple(claims.values()),
    )


def _array(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError("expected an array")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("expected a non-empty string")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


# -- validation ----------------------------------------------------------------------------


def select(claims: Any, path: Sequence[str | int | None]) -> list[Any]:
    """Claim path processing (§6.7.1): the elements ``path`` addresses in ``claims``."""
    selected = [claims]
    for component in path:
        following: list[Any] = []
        for element in selected:
            if isinstance(component, str):
                if not isinstance(element, dict):
                    raise TypeMetadataError(f"claim path {list(path)} crosses a non-object")
                if component in element:
                    following.append(element[component])
            else:
                if not isinstance(element, list):
                    raise TypeMetadataError(f"claim path {list(path)} crosses a non-array")
                if component is None:
                    following.extend(element)
                elif component < len(element):
                    following.append(element[component])
        selected = following
    return selected


def validate(
    metadata: TypeMetadata,
    claims: Mapping[str, Any],
    disclosable: Iterable[ClaimPath],
) -> None:
    """Check a holder's full view of a credential against the claim metadata (§6.8).

    ``mandatory`` claims must be present; ``sd: always`` claims must be disclosable and
    ``sd: never`` claims must not be.
    """
    disclosable_paths = set(disclosable)
    for rule in metadata.claims:
        present = select(claims, rule.path)
        if rule.mandatory and not present:
            raise MissingClaimError(f"the mandatory claim {list(rule.path)} is missing")
        concrete = _concrete_paths(claims, rule.path)
        if rule.sd == "never" and any(p in disclosable_paths for p in concrete):
            raise ForbiddenDisclosureError(f"{list(rule.path)} must never be disclosable")
        if rule.sd == "always" and any(p not in disclosable_paths for p in concrete):
            raise ForbiddenDisclosureError(f"{list(rule.path)} must always be disclosable")


def _concrete_paths(
    value: Any, path: Sequence[str | int | None], prefix: ClaimPath = ()
) -> list[ClaimPath]:
    if not path:
        return [prefix]
    head, rest = path[0], path[1:]
    if isinstance(head, str):
        if isinstance(value, dict) and head in value:
            return _concrete_paths(value[head], rest, (*prefix, head))
        return []
    if not isinstance(value, list):
        return []
    indexes = range(len(value)) if head is None else ([head] if head < len(value) else [])
    return [p for i in indexes for p in _concrete_paths(value[i], rest, (*prefix, i))]


# -- localization --------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimLabel:
    path: ClaimPath
    label: str
    description: str | None = None


@dataclass(frozen=True)
class LocalizedDisplay:
    """What a card and its detail page need, in one language (nl -> en -> anything)."""

    locale: str
    name: str
    description: str | None = None
    background_color: str | None = None
    text_color: str | None = None
    logo_uri: str | None = None
    logo_alt: str | None = None
    claims: tuple[ClaimLabel, ...] = ()

    def label(self, path: ClaimPath) -> str | None:
        return next((c.label for c in self.claims if c.path == path), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "locale": self.locale,
            "name": self.name,
            "description": self.description,
            "background_color": self.background_color,
            "text_color": self.text_color,
            "logo_uri": self.logo_uri,
            "logo_alt": self.logo_alt,
            "claims": [
                {"path": list(c.path), "label": c.label, "description": c.description}
                for c in self.claims
            ],
        }


def pick_locale(
    available: Sequence[str], wanted: str, fallback: str = FALLBACK_LOCALE
) -> str | None:
    """Best of ``available`` for ``wanted``: exact tag, same language, then ``fallback``'s
    language, then the first one. Tags compare case-insensitively (RFC 5646 §2.1.1)."""
    if not available:
        return None
    lowered = [tag.lower() for tag in available]
    for candidate in (wanted, fallback):
        tag = candidate.lower()
        if tag in lowered:
            return available[lowered.index(tag)]
        language = tag.split("-")[0]
        for index, other in enumerate(lowered):
            if other.split("-")[0] == language:
                return available[index]
    return available[0]


def localize(metadata: TypeMetadata, locale: str) -> LocalizedDisplay:
    entries = {entry.locale: entry for entry in metadata.display}
    chosen_tag = pick_locale(list(entries), locale)
    entry = entries.get(chosen_tag) if chosen_tag else None
    simple = dict((entry.rendering.get("simple") or {}) if entry else {})
    logo_entry = simple.get("logo")
    logo: dict[str, Any] = logo_entry if isinstance(logo_entry, dict) else {}
    labels = []
    for claim in metadata.claims:
        by_locale = {item.locale: item for item in claim.display}
        tag = pick_locale(list(by_locale), locale)
        if tag is not None:
            item = by_locale[tag]
            labels.append(ClaimLabel(claim.path, item.label, item.description))
    return LocalizedDisplay(
        locale=chosen_tag or locale,
        name=entry.name if entry else (metadata.name or metadata.vct),
        description=entry.description if entry else metadata.description,
        background_color=_optional_str(simple.get("background_color")),
        text_color=_optional_str(simple.get("text_color")),
        logo_uri=_optional_str(logo.get("uri")),
        logo_alt=_optional_str(logo.get("alt_text")),
        claims=tuple(labels),
    )


def _optional_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
