"""Which kind of credential a type is, for home's filter: the words students use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wallet_core import CredentialSummary

KINDS = ("microcredential", "diploma", "badge", "other")

# Looked for in the credential type (an SD-JWT VC ``vct`` or a W3C VC type), lower-cased.
_MARKERS = (
    ("microcredential", ("microcredential", "micro-credential")),
    ("badge", ("badge", "openbadgecredential", "achievementcredential")),
    ("diploma", ("diploma", "degree", "bachelor", "master", "getuigschrift")),
)


def kind_of(summary: CredentialSummary, display: Mapping[str, Any] | None) -> str:
    return credential_kind(summary.type, (display or {}).get("kind"))


def credential_kind(credential_type: str, said: str | None = None) -> str:
    """``said``: what the credential calls its achievement (an Open Badge's
    ``achievementType``, kept as ``display["kind"]``), which is more telling than the
    badge's type, so it is asked first."""
    for text in (said or "", credential_type):
        lowered = text.casefold()
        for kind, markers in _MARKERS:
            if any(marker in lowered for marker in markers):
                return kind
    return "other"
