"""In-memory state of the demo verifier: transactions, their outcome, offline checks.

Nothing is persisted. Transactions expire (10 minutes unanswered, 30 minutes after an
answer); the offline replay list keeps each KB-JWT nonce as long as a KB-JWT carrying it
could still pass the freshness check. The stores are bounded (``ExpiringStore``).

Mutation happens on the uvicorn event loop only: the endpoints read and update a
transaction without awaiting in between, and the slow part (signature and status checks,
which fetch from the issuer) runs in a worker thread that gets values, not the transaction.
A transaction is marked ``in_flight`` before that hand-off, so two concurrent answers
cannot both be accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from joserfc.jwk import ECKey

from demo_services.issuer.state import ExpiringStore

Clock = Callable[[], float]

# pending -> request_fetched -> one of the final states
Status = Literal[
    "pending",
    "request_fetched",
    "verified",  # signature, key binding, claims and status all fine
    "revoked",  # status list says invalid (revoked)
    "suspended",
    "status_unknown",  # the status list could not be read or had an unknown value
    "declined",  # the wallet answered access_denied
    "wallet_error",  # the wallet answered another OAuth error
    "failed",  # too many rejected responses
]
FINAL: frozenset[str] = frozenset(
    {"verified", "revoked", "suspended", "status_unknown", "declined", "wallet_error", "failed"}
)
Outcome = Literal["verified", "revoked", "suspended", "status_unknown"]


@dataclass(frozen=True)
class Proven:
    """What a verified presentation showed."""

    outcome: Outcome
    issuer: str | None
    vct: str
    claims: dict[str, Any]  # every disclosed claim about the holder (and visible ones)
    requested: dict[str, Any]  # the requested claims that were disclosed
    claim_set: int | None  # the DCQL claim_sets entry satisfied (None: offline, none)
    unrequested: tuple[str, ...]  # selectively disclosable claims disclosed but not asked
    status: str  # valid / invalid / suspended / unknown / none (no status claim)
    status_detail: str | None
    verified_at: float
    credential_expires_at: float | None
    kb_nonce: str = field(repr=False, default="")

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "issuer": self.issuer,
            "vct": self.vct,
            "claims": self.claims,
            "requested_claims": self.requested,
            "claim_set": self.claim_set,
            "unrequested_disclosures": list(self.unrequested),
            "credential_status": self.status,
            "status_detail": self.status_detail,
            "verified_at": self.verified_at,
            "credential_expires_at": self.credential_expires_at,
        }


@dataclass(frozen=True)
class ErrorRecord:
    at: float
    error: str
    description: str

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at, "error": self.error, "error_description": self.description}


@dataclass(frozen=True)
class RequestFetch:
    at: float
    method: str  # GET or POST
    wallet_nonce: bool  # whether one was sent (and echoed)
    wallet_metadata: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "method": self.method,
            "wallet_nonce": self.wallet_nonce,
            "wallet_metadata": self.wallet_metadata,
        }


@dataclass
class Transaction:
    id: str
    client_id: str
    response_uri: str
    same_device: bool
    request_uri_method: Literal["get", "post"]
    created_at: float
    nonce: str = field(repr=False)
    state: str = field(repr=False)
    # shows the result page (cross-device); a same-device result also needs response_code
    view_key: str = field(repr=False)
    encryption_key: ECKey | None = field(repr=False, default=None)
    # what is asked (query.QueryKind): a microcredential (SD-JWT VC) or an Open Badge
    query: str = "microcredential"
    response_code: str | None = field(repr=False, default=None)
    status: Status = "pending"
    in_flight: bool = False
    failed_responses: int = 0
    completed_at: float | None = None
    result: Proven | None = None
    wallet_error: ErrorRecord | None = None
    errors: list[ErrorRecord] = field(default_factory=list)
    request_fetches: list[RequestFetch] = field(default_factory=list)

    @property
    def final(self) -> bool:
        return self.status in FINAL

    @property
    def encryption_kid(self) -> str | None:
        if self.encryption_key is None:
            return None
        kid = self.encryption_key.kid
        return str(kid) if kid is not None else None


@dataclass(frozen=True)
class OfflineCheck:
    id: str
    at: float
    ok: bool
    result: Proven | None
    error: ErrorRecord | None
    audience: str | None
    challenged: bool = False  # bound to a challenge this verifier issued

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "ok": self.ok,
            "audience": self.audience,
            "challenged": self.challenged,
            "result": self.result.to_json() if self.result else None,
            "error": self.error.to_json() if self.error else None,
        }


MAX_OFFLINE_CHECKS = 100


@dataclass
class VerifierState:
    clock: Clock
    transactions: ExpiringStore[Transaction] = field(init=False)
    offline_nonces: ExpiringStore[bool] = field(init=False)
    offline_challenges: ExpiringStore[bool] = field(init=False)
    offline_checks: list[OfflineCheck] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.transactions = ExpiringStore(self.clock, 1_000)
        self.offline_nonces = ExpiringStore(self.clock, 100_000)
        self.offline_challenges = ExpiringStore(self.clock, 10_000)

    def record_offline(self, check: OfflineCheck) -> None:
        self.offline_checks.append(check)
        del self.offline_checks[:-MAX_OFFLINE_CHECKS]
