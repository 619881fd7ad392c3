"""Which kind of credential a type is, for home's filter: the words students use."""

from __future__ import annotations

KINDS = ("microcredential", "diploma", "badge", "other")

# Looked for in the credential type (an SD-JWT VC ``vct`` or a W3C VC type), lower-cased.
_MARKERS = (
    ("microcredential", ("microcredential", "micro-credential")),
    ("badge", ("badge", "openbadgecredential", "achievementcredential")),
    ("diploma", ("diploma", "degree", "bachelor", "master", "getuigschrift")),
)


def credential_kind(credential_type: str) -> str:
    lowered = credential_type.casefold()
    for kind, markers in _MARKERS:
        if any(marker in lowered for marker in markers):
            return kind
    return "other"
