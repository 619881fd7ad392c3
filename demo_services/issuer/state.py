"""In-memory session state of the demo issuer: offers, codes, tokens, nonces, issuances.

Nothing is persisted: restarting the demo forgets everything (and the issuer key, unless
one is passed in). Every secret-bearing record expires, and the stores are bounded, so a
script hammering the endpoints cannot grow memory without limit.

All mutation happens on the uvicorn event loop (the endpoints are ``async`` and never
await between reading and updating a record), so no locks are needed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from demo_services.issuer.catalog import Student

Clock = Callable[[], float]
T = TypeVar("T")


class ExpiringStore(Generic[T]):
    """key -> value with an expiry time; expired entries read as absent.

    ``max_items`` bounds memory: past it the oldest entries are dropped (the dict keeps
    insertion order), which for nonces and codes only means "expired early".
    """

    def __init__(self, clock: Clock, max_items: int = 10_000) -> None:
        self._clock = clock
        self._max_items = max_items
        self._items: dict[str, tuple[float, T]] = {}

    def put(self, key: str, value: T, lifetime: float) -> None:
        self._purge()
        self._items[key] = (self._clock() + lifetime, value)
        while len(self._items) > self._max_items:
            del self._items[next(iter(self._items))]

    def get(self, key: str) -> T | None:
        entry = self._items.get(key)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._items[key]
            return None
        return entry[1]

    def pop(self, key: str) -> T | None:
        value = self.get(key)
        self._items.pop(key, None)
        return value

    def values(self) -> Iterator[T]:
        now = self._clock()
        return iter([value for expiry, value in self._items.values() if expiry > now])

    def __len__(self) -> int:
        return len(self._items)

    def _purge(self) -> None:
        now = self._clock()
        for key in [k for k, (expiry, _) in self._items.items() if expiry <= now]:
            del self._items[key]


@dataclass
class Offer:
    id: str
    configuration_ids: tuple[str, ...]
    student: Student
    document: dict[str, Any]
    pre_authorized_code: str | None
    tx_code: str | None
    issuer_state: str | None
    by_reference: bool


@dataclass
class PreAuthorizedGrant:
    code: str
    configuration_ids: tuple[str, ...]
    student: Student
    tx_code: str | None
    failed_attempts: int = 0


@dataclass(frozen=True)
class AuthorizationRequest:
    """A validated authorization request (from the query or from PAR)."""

    client_id: str
    redirect_uri: str
    code_challenge: str
    state: str | None
    configuration_ids: tuple[str, ...]
    used_authorization_details: bool
    scope: str | None
    issuer_state: str | None
    dpop_jkt: str | None = None  # the key a DPoP proof at PAR bound the code to


@dataclass
class LoginSession:
    """The login page of one authorization request; ``id`` is also its CSRF token."""

    id: str
    request: AuthorizationRequest
    failed_attempts: int = 0


@dataclass
class AuthorizationCode:
    code: str
    request: AuthorizationRequest
    student: Student
    used: bool = False
    access_token: str | None = None  # revoked if the code is replayed (RFC 6749 §4.1.2)


@dataclass
class AccessToken:
    token: str
    student: Student
    configuration_ids: tuple[str, ...]
    # credential_identifier -> configuration id, when authorization_details were used
    credential_identifiers: dict[str, str] | None
    client_id: str | None
    anonymous: bool  # pre-authorized code without client_id: proofs must not carry iss
    notification_ids: set[str] = field(default_factory=set)
    issued: list[str] = field(default_factory=list)  # configuration ids, in order
    transaction_ids: set[str] = field(default_factory=set)
    dpop_jkt: str | None = None  # DPoP-bound: each use needs a proof by this key


@dataclass
class DeferredTransaction:
    id: str
    access_token: str
    configuration_id: str
    student: Student
    holder_jwks: list[dict[str, str]]
    ready_at: float | None  # None: only the admin endpoint makes it ready
    holder_dids: list[str] = field(default_factory=list)  # Open Badges: the subjects


@dataclass
class Issuance:
    """One credential response: a dataset issued as one or more (batch) credentials."""

    id: str
    configuration_id: str
    student: Student
    issued_at: float
    status_indices: list[int]
    notification_id: str
    holder_thumbprints: list[str]
    revoked: bool = False
    # Open Badges (ldp_vc): their Bitstring Status List indices
    bitstring_indices: list[int] = field(default_factory=list)
    events: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NotificationEvent:
    notification_id: str
    event: str
    event_description: str | None
    received_at: float
    configuration_id: str | None


@dataclass
class IssuerState:
    """Everything the issuer remembers, with the lifetimes it applies."""

    clock: Clock
    offers: ExpiringStore[Offer] = field(init=False)
    pre_authorized: ExpiringStore[PreAuthorizedGrant] = field(init=False)
    pushed_requests: ExpiringStore[AuthorizationRequest] = field(init=False)
    login_sessions: ExpiringStore[LoginSession] = field(init=False)
    codes: ExpiringStore[AuthorizationCode] = field(init=False)
    access_tokens: ExpiringStore[AccessToken] = field(init=False)
    nonces: ExpiringStore[bool] = field(init=False)
    transactions: ExpiringStore[DeferredTransaction] = field(init=False)
    dpop_jtis: ExpiringStore[bool] = field(init=False)
    dpop_nonces: ExpiringStore[bool] = field(init=False)
    issuances: list[Issuance] = field(default_factory=list)
    notifications: list[NotificationEvent] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.offers = ExpiringStore(self.clock, 1_000)
        self.pre_authorized = ExpiringStore(self.clock, 1_000)
        self.pushed_requests = ExpiringStore(self.clock, 1_000)
        self.login_sessions = ExpiringStore(self.clock, 1_000)
        self.codes = ExpiringStore(self.clock, 1_000)
        self.access_tokens = ExpiringStore(self.clock, 10_000)
        self.nonces = ExpiringStore(self.clock, 10_000)
        self.transactions = ExpiringStore(self.clock, 1_000)
        self.dpop_jtis = ExpiringStore(self.clock, 10_000)
        self.dpop_nonces = ExpiringStore(self.clock, 10_000)

    def issuance_by_notification(self, notification_id: str) -> Issuance | None:
        return next((i for i in self.issuances if i.notification_id == notification_id), None)

    def issuance_by_index(self, idx: int) -> Issuance | None:
        return next((i for i in self.issuances if idx in i.status_indices), None)

    def issuance_by_bitstring_index(self, idx: int) -> Issuance | None:
        return next((i for i in self.issuances if idx in i.bitstring_indices), None)
