"""Format rules: what OpenID4VP Appendix B and OpenID4VCI Appendix A say of each format.

:class:`Rules` carries them as data, so every format (held or only known) is one instance
of it. mdoc and the draft-era W3C identifiers are known here for matching and metadata; the
wallet does not hold them (the W3C VC formats it holds are in :mod:`.w3c_format`). A format
nobody registered gets :data:`UNKNOWN`: it matches a DCQL query only when the query's
``meta`` is empty (§6.1 makes ``meta`` format-specific).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from wallet_core.errors import PresentationRequestError
from wallet_core.formats.seam import TypeFilter
from wallet_core.models import ClaimPath

# -- DCQL meta (Appendix B) ----------------------------------------------------------------


@dataclass(frozen=True)
class VctValues:
    """SD-JWT VC ``meta.vct_values`` (B.3.5): one of them is among the credential's types."""

    values: tuple[str, ...]

    def accepts(self, types: Collection[str]) -> bool:
        return any(value in types for value in self.values)


@dataclass(frozen=True)
class DoctypeValue:
    """mdoc ``meta.doctype_value`` (B.2.3)."""

    value: str

    def accepts(self, types: Collection[str]) -> bool:
        return self.value in types


@dataclass(frozen=True)
class TypeValues:
    """W3C VC ``meta.type_values`` (B.1.1): one inner array is a subset of the types."""

    values: tuple[tuple[str, ...], ...]

    def accepts(self, types: Collection[str]) -> bool:
        held = set(types)
        return any(held.issuperset(inner) for inner in self.values)


@dataclass(frozen=True)
class OnlyEmptyMeta:
    """A format whose ``meta`` the wallet does not understand: only an empty one matches."""

    empty: bool

    def accepts(self, types: Collection[str]) -> bool:
        return self.empty


def string_list(value: Any, where: str) -> tuple[str, ...]:
    """A non-empty array of non-empty strings, as DCQL uses throughout."""
    if not isinstance(value, list) or not value:
        raise PresentationRequestError(f"{where} must be a non-empty array")
    if not all(isinstance(item, str) and item for item in value):
        raise PresentationRequestError(f"{where} must hold non-empty strings")
    return tuple(value)


def vct_values(meta: Mapping[str, Any], where: str) -> TypeFilter:
    return VctValues(string_list(meta.get("vct_values"), f"{where}.vct_values"))


def doctype_value(meta: Mapping[str, Any], where: str) -> TypeFilter:
    value = meta.get("doctype_value")
    if not isinstance(value, str) or not value:
        raise PresentationRequestError(f"{where}.doctype_value must be a string")
    return DoctypeValue(value)


def type_values(meta: Mapping[str, Any], where: str) -> TypeFilter:
    outer = meta.get("type_values")
    if not isinstance(outer, list) or not outer:
        raise PresentationRequestError(f"{where}.type_values must be a non-empty array")
    return TypeValues(
        tuple(string_list(inner, f"{where}.type_values[{i}]") for i, inner in enumerate(outer))
    )


def only_empty_meta(meta: Mapping[str, Any], where: str) -> TypeFilter:
    return OnlyEmptyMeta(not meta)


# -- the rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """One format's rules as data; implements :class:`~.seam.FormatRules`."""

    identifiers: frozenset[str]
    legacy_identifiers: frozenset[str] = frozenset()
    selective: bool = False
    bookkeeping: frozenset[str] = frozenset()
    #: bookkeeping that sits under a wrapper claim (``vc`` in a VCDM 1.1 JWT payload)
    bookkeeping_under: tuple[str, frozenset[str]] | None = None
    type_claim: ClaimPath | None = None
    configuration_type_key: str | None = None
    namespaced_claims: bool = False
    subject_in_definition: bool = False
    #: the holder is named by a DID (the credential subject's ``id``), not a ``cnf`` key
    holder_did: bool = False
    #: where a PE ``presentation_submission`` finds the credential inside the holder's
    #: presentation: the presentation's format and ``path_nested`` (OpenID4VP draft 21
    #: Appendix A.1); None when the credential is itself the presentation (SD-JWT VC)
    nested_in: tuple[str, str] | None = None
    #: mdoc pointers are exactly a namespace and an element identifier (OpenID4VP §7.2.1)
    pointer_length: int | None = None
    meta: Callable[[Mapping[str, Any], str], TypeFilter] = only_empty_meta

    def is_legacy(self, identifier: str) -> bool:
        return identifier in self.legacy_identifiers

    @property
    def payload_wrapper(self) -> str | None:
        return self.bookkeeping_under[0] if self.bookkeeping_under is not None else None

    def is_bookkeeping(self, path: ClaimPath) -> bool:
        if not path:
            return False
        if self.bookkeeping_under is not None and path[0] == self.bookkeeping_under[0]:
            return len(path) > 1 and path[1] in self.bookkeeping_under[1]
        return path[0] in self.bookkeeping

    def pointer_allowed(self, path: ClaimPath) -> bool:
        if self.pointer_length is None:
            return True
        return len(path) == self.pointer_length and all(isinstance(p, str) for p in path)

    def type_filter(self, meta: Mapping[str, Any], where: str) -> TypeFilter:
        return self.meta(meta, where)


# VCDM 1.1 and 2.0 properties that describe the credential, not its subject.
W3C_BOOKKEEPING = frozenset(
    {
        "@context",
        "id",
        "type",
        "issuer",
        "issuanceDate",
        "validFrom",
        "validUntil",
        "expirationDate",
        "credentialStatus",
        "credentialSchema",
        "proof",
    }
)
JWT_REGISTERED = frozenset({"iss", "nbf", "exp", "iat", "jti"})

MDOC = Rules(
    identifiers=frozenset({"mso_mdoc"}),
    selective=True,
    namespaced_claims=True,
    pointer_length=2,
    meta=doctype_value,
)
# Draft-era W3C identifiers: known to issuer metadata (claims in credential_definition),
# without DCQL meta of their own.
JWT_VC_JSON_LD = Rules(identifiers=frozenset({"jwt_vc_json-ld"}), subject_in_definition=True)
JWT_VC = Rules(identifiers=frozenset({"jwt_vc"}), subject_in_definition=True)
UNKNOWN = Rules(identifiers=frozenset())
