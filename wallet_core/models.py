"""Frozen dataclasses shared across wallet_core packages (DESIGN §4).

Times are ``datetime`` in UTC. Claim paths are tuples in the OpenID4VP claims-path-pointer
sense: ``str`` for object keys, ``int`` for array indexes, ``None`` for all elements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

ClaimPath = tuple[str | int | None, ...]


class StatusState(StrEnum):
    VALID = "valid"
    INVALID = "invalid"  # revoked
    SUSPENDED = "suspended"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class CredentialStatus:
    state: StatusState = StatusState.UNKNOWN
    checked_at: datetime | None = None


class KeyAlgorithm(StrEnum):
    ES256 = "ES256"
    EDDSA = "EdDSA"


@dataclass(frozen=True)
class KeyInfo:
    """Public facts about a holder key; the private half never leaves the vault."""

    kid: str
    alg: KeyAlgorithm
    public_jwk: Mapping[str, str]
    created_at: datetime


@dataclass(frozen=True)
class NewCredential:
    """What an issuance flow hands to the wallet to store, after verifying it."""

    format: str
    raw: str = field(repr=False)
    claims: Mapping[str, Any] = field(repr=False)
    issuer: str
    type: str
    title: str
    issuer_name: str = ""
    display: Mapping[str, Any] = field(default_factory=dict)
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    status: CredentialStatus = field(default_factory=CredentialStatus)
    key_id: str | None = None


@dataclass(frozen=True)
class CredentialSummary:
    """What a card in the list needs; built without signature work or network."""

    id: str
    format: str
    type: str
    title: str
    issuer: str
    issuer_name: str
    issued_at: datetime | None
    expires_at: datetime | None
    status: CredentialStatus
    added_at: datetime


@dataclass(frozen=True)
class StoredCredential:
    id: str
    format: str
    claims: Mapping[str, Any]
    issuer: str
    display: Mapping[str, Any]
    status: CredentialStatus
    issued_at: datetime | None
    expires_at: datetime | None
    type: str = ""
    title: str = ""
    issuer_name: str = ""
    raw: str = field(default="", repr=False)
    key_id: str | None = None
    added_at: datetime | None = None


@dataclass(frozen=True)
class PendingCredential:
    """A credential the issuer will hand out later (deferred issuance)."""

    id: str
    issuer: str
    configuration_id: str
    title: str
    transaction_id: str = field(repr=False)
    next_poll_at: datetime | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class ActivityEntry:
    """One line of the holder's history: issuance, disclosure, deletion, PIN change, ..."""

    id: int
    at: datetime
    kind: str
    credential_id: str | None = None
    counterparty: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def counterparty_name(self) -> str | None:
        """Who, as a person reads it: the name the wallet showed at the time (an
        institution's display name, a verifier's DNS name), else the identifier."""
        name = self.details.get("name")
        return name if isinstance(name, str) and name else self.counterparty


@dataclass(frozen=True)
class Choice:
    """The holder's answer to one query of a presentation request."""

    credential_id: str
    claims: Sequence[ClaimPath] = ()


# -- presentation (OpenID4VP) -------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A stored credential that can answer one query, and what answering would reveal.

    ``required_claims`` go out whatever the holder chooses; ``optional_claims`` the holder
    may add or leave out. ``alternatives`` are the verifier's other acceptable claim sets
    (DCQL ``claim_sets`` after the preferred one): choosing all of one instead sends that
    set rather than ``required_claims`` — how a holder leaves out, say, a grade.
    Paths are claims-path pointers into the credential's claims.
    """

    credential_id: str
    required_claims: tuple[ClaimPath, ...] = ()
    optional_claims: tuple[ClaimPath, ...] = ()
    alternatives: tuple[tuple[ClaimPath, ...], ...] = ()
    #: held under another name of the asked format (``vc+sd-jwt`` for ``dc+sd-jwt``): offered
    #: only when nothing of the exact format fits, and the verifier may refuse it
    other_format_name: bool = False
    #: claims of the verifier's preferred claim set this credential does not hold (a grade
    #: a credential without one cannot give): what a screen says is missing
    unmet: tuple[ClaimPath, ...] = ()

    # -- the claim-set rule (OpenID4VP 1.0 §6.4.1), for the wallet and its screens ----------

    def always_sent(self) -> tuple[ClaimPath, ...]:
        """The required claims every acceptable claim set contains: the holder cannot
        leave them out."""
        common = set(self.required_claims).intersection(*map(set, self.alternatives))
        return tuple(path for path in self.required_claims if path in common)

    def may_leave_out(self) -> tuple[ClaimPath, ...]:
        """The required claims some acceptable claim set does without."""
        kept = set(self.always_sent())
        return tuple(path for path in self.required_claims if path not in kept)

    def acceptable(self, chosen: Sequence[ClaimPath]) -> bool:
        """Whether ``chosen`` contains a claim set the verifier accepts."""
        picked = set(chosen)
        return any(picked >= set(option) for option in (self.required_claims, *self.alternatives))

    def to_send(self, chosen: Sequence[ClaimPath]) -> tuple[ClaimPath, ...] | None:
        """The chosen claims plus the claim set they complete: the preferred one unless
        the holder picked all of an alternative set (§6.4.1 lets the verifier accept
        either). None when a chosen claim was not asked for."""
        options = [self.required_claims, *self.alternatives]
        allowed = {path for option in options for path in option} | set(self.optional_claims)
        if any(path not in allowed for path in chosen):
            return None
        picked = set(chosen)
        base = next(
            (option for option in self.alternatives if picked >= set(option)),
            self.required_claims,
        )
        if picked >= set(self.required_claims):
            base = self.required_claims
        extra = [path for path in chosen if path in set(self.optional_claims) | set(base)]
        return tuple(dict.fromkeys([*base, *extra]))


@dataclass(frozen=True)
class QueryMatch:
    candidates: tuple[Candidate, ...] = ()
    required: bool = True  # False when the query only serves an optional credential set
    multiple: bool = False  # the verifier accepts several credentials for this query


@dataclass(frozen=True)
class PresentationMatch:
    """Per DCQL credential query id (or PE input descriptor id), who can answer it."""

    queries: Mapping[str, QueryMatch] = field(default_factory=dict)
    satisfiable: bool = False  # every required credential set can be met

    def candidates(self, query_id: str) -> tuple[Candidate, ...]:
        match = self.queries.get(query_id)
        return match.candidates if match is not None else ()


@dataclass(frozen=True)
class PresentationResult:
    ok: bool
    redirect_uri: str | None = None
    verifier_response: Mapping[str, Any] = field(default_factory=dict)
