"""Which implementation answers each credential format identifier: the one place to add a
format (docs/decisions/0006).

``rules_for`` knows every format the protocols mention (held or not); ``format_for`` only
those the wallet can hold, and refuses the others with ``UnsupportedFormatError``.
"""

from __future__ import annotations

from typing import Any

from wallet_core.errors import UnsupportedFormatError
from wallet_core.formats import rules, sd_jwt_vc, w3c_format
from wallet_core.formats.seam import CredentialFormat, FormatRules, HeldCredential
from wallet_core.models import StoredCredential

#: The formats the wallet holds, verifies and presents.
HELD: tuple[CredentialFormat, ...] = (
    sd_jwt_vc.FORMAT,
    w3c_format.JWT_VC_JSON,
    w3c_format.LDP_VC,
)
#: Formats the wallet can reason about in requests and metadata but does not hold yet.
KNOWN: tuple[FormatRules, ...] = (
    rules.MDOC,
    rules.JWT_VC_JSON_LD,
    rules.JWT_VC,
)

_HELD = {identifier: f for f in HELD for identifier in f.identifiers}
_RULES: dict[str, FormatRules] = {i: r for r in (*HELD, *KNOWN) for i in r.identifiers}


def rules_for(identifier: str) -> FormatRules:
    """The rules of ``identifier``; an unregistered one gets rules that match nothing in
    particular (a DCQL query for it matches only with an empty ``meta``)."""
    return _RULES.get(identifier, rules.UNKNOWN)


def format_for(identifier: str) -> CredentialFormat:
    """The implementation for a format the wallet holds; raises ``UnsupportedFormatError``."""
    try:
        return _HELD[identifier]
    except KeyError:
        raise UnsupportedFormatError(
            f"credentials in {identifier!r} format are not supported"
        ) from None


def read(stored: StoredCredential) -> HeldCredential:
    """A stored credential as its own format reads it (``UnsupportedFormatError`` if none)."""
    return format_for(stored.format).read(stored)


def is_held(identifier: str) -> bool:
    return identifier in _HELD


def answers(requested: str, held: str) -> bool:
    """Whether a credential stored as ``held`` answers a request for format ``requested``:
    the same identifier, or two names of one format (``dc+sd-jwt`` and ``vc+sd-jwt``)."""
    if requested == held:
        return True
    found = _RULES.get(requested)
    return found is not None and found is _RULES.get(held)


def vp_formats_supported() -> dict[str, dict[str, Any]]:
    """OpenID4VP 1.0 §10.1 wallet metadata: each held format with its own parameters."""
    return {f.name: dict(f.vp_parameters) for f in HELD}
