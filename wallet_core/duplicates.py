"""Recognising a credential the wallet already holds, when it arrives again.

An issuer that issues the same credential twice (the student accepted the same offer, or
asked again) signs a new copy: new salts, a new key binding, a new status index, a new
issuance time, so its bytes differ. What makes it *the same* credential is what it says
about the student: the same format family, issuer and type, and the same claims once the
per-issuance bookkeeping (validity, key, status, proof, identifiers) and the holder's own
identifier are left aside.

A renewal is not a duplicate and is kept: a copy that replaces one no longer good
(revoked, suspended, expired), or that runs at least ``RENEWAL_MARGIN`` longer. Issuers set
the expiry from the moment of issuance, so the same credential asked for again a day
later runs a day longer; that is still the same credential.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from wallet_core.errors import DuplicateCredentialError
from wallet_core.formats.registry import rules_for
from wallet_core.formats.seam import FormatRules, VerifiedCredential
from wallet_core.models import StatusState
from wallet_core.storage.credentials import CredentialRepository

RENEWAL_MARGIN = timedelta(days=30)
# The holder's identifier in a W3C credential: a DID of a key made for this issuance.
_SUBJECT = "credentialSubject"
# Claims that name one issuance rather than what it says, beside each format's bookkeeping:
# the JWT ID, and the credential identifier and issuance date of the Dutch microcredential
# shape (a new urn:uuid and today's date each time it is issued).
_ISSUANCE_CLAIMS = frozenset({"jti", "identifier", "issuanceDate"})


def refuse_repeat(
    credentials: CredentialRepository,
    format_name: str,
    issuer: str,
    new: VerifiedCredential,
    now: float,
) -> None:
    """Raise ``DuplicateCredentialError`` (naming the held one) when ``new`` repeats it."""
    existing = held_copy(credentials, format_name, issuer, new, now)
    if existing is not None:
        raise DuplicateCredentialError("this credential is already in the wallet", existing)


def held_copy(
    credentials: CredentialRepository,
    format_name: str,
    issuer: str,
    new: VerifiedCredential,
    now: float,
) -> str | None:
    """The id of a held credential that ``new`` (of ``format_name``, issued by ``issuer``)
    only repeats, if any."""
    rules = rules_for(format_name)
    content = _content(new.claims, rules)
    moment = datetime.fromtimestamp(now, UTC)
    for held in credentials.summaries():
        if (
            rules_for(held.format) is not rules
            or held.issuer != issuer
            or held.type != (new.type or "")
            or held.status.state in (StatusState.INVALID, StatusState.SUSPENDED)
            or (held.expires_at is not None and held.expires_at <= moment)
            or _runs_longer(new.expires_at, held.expires_at)
        ):
            continue
        if _content(credentials.get(held.id).claims, rules) == content:
            return held.id
    return None


def _runs_longer(new: datetime | None, held: datetime | None) -> bool:
    if held is None:
        return False
    return new is None or new >= held + RENEWAL_MARGIN


def _content(claims: Mapping[str, Any], rules: FormatRules) -> dict[str, Any]:
    """The claims without what each issuance changes."""
    content: dict[str, Any] = {}
    for name, value in claims.items():
        if rules.is_bookkeeping((name,)) or name in _ISSUANCE_CLAIMS:
            continue
        if isinstance(value, Mapping):
            value = {k: v for k, v in value.items() if not rules.is_bookkeeping((name, k))}
            if name == _SUBJECT and rules.holder_did:
                value.pop("id", None)
        content[name] = value
    return content
