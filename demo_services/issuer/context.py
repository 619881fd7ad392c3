"""The issuer's settings and the one object every endpoint works with (``Issuer``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from cryptography import x509
from joserfc.jwk import ECKey
from starlette.requests import Request

from demo_services.issuer.bitstring import BitstringStatusList
from demo_services.issuer.catalog import BY_ID, Offering
from demo_services.issuer.did import did_web
from demo_services.issuer.state import Clock, IssuerState
from demo_services.issuer.status_list import LIST_SIZE as STATUS_LIST_SIZE
from demo_services.issuer.status_list import StatusList
from demo_services.issuer.status_shelf import StatusShelf
from demo_services.issuer.tokens import random_token
from demo_services.issuer.type_metadata import CredentialType, build_types
from wallet_core.crypto import Signer, generate

Mode = Literal["1.0", "draft13"]
MODES: tuple[Mode, ...] = ("1.0", "draft13")
PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


@dataclass(frozen=True)
class IssuerSettings:
    """Protocol choices and lifetimes (seconds). Defaults suit the interactive demo."""

    base_url: str
    mode: Mode = "1.0"
    deferred: bool = False
    # seconds until a deferred credential is ready; None: only POST /admin/deferred/.../ready
    deferred_delay: float | None = 5.0
    deferred_interval: int = 2  # the polling interval we ask wallets to respect
    batch_size: int = 3
    tx_code_length: int = 6
    offer_lifetime: float = 600.0  # pre-authorized code, issuer_state, offer by reference
    par_lifetime: float = 60.0
    login_lifetime: float = 600.0
    code_lifetime: float = 120.0
    access_token_lifetime: float = 900.0
    nonce_lifetime: float = 300.0
    credential_validity_days: int = 5 * 365
    # entries per Token Status List; a full one is followed by the next (status_shelf.py)
    status_list_size: int = STATUS_LIST_SIZE
    max_tx_code_attempts: int = 5
    # the wallet app's address (``scripts/run --demo``): "Open in wallet" goes there
    wallet_url: str | None = None
    max_login_attempts: int = 5
    # DPoP (issuer/dpop.py): offered always; required, with nonces, when True (HAIP 1.0)
    dpop: bool = False
    dpop_nonce_lifetime: float = 300.0
    # encrypted credential requests and responses, required (issuer/encryption.py)
    encryption: bool = False
    # the roots of the wallet providers it trusts: when any, wallet and key attestations
    # are required (issuer/attestation.py)
    wallet_providers: tuple[x509.Certificate, ...] = ()

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("base_url must be an absolute http(s) URL")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            # Endpoints live at the root; an identifier with a path would need the
            # well-known URLs inserted before it, which this demo does not serve.
            raise ValueError("base_url must have no path, query or fragment")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if self.batch_size < 2:
            raise ValueError("batch_size must be 2 or greater (OpenID4VCI §12.2.4)")
        if not 4 <= self.tx_code_length <= 8:
            raise ValueError("tx_code_length must be 4..8")

    @property
    def identifier(self) -> str:
        return self.base_url.rstrip("/")

    @property
    def draft13(self) -> bool:
        return self.mode == "draft13"


class Issuer:
    """Settings, signing key, catalog, types, state and status list of one running issuer."""

    def __init__(self, settings: IssuerSettings, signer: Signer | None, clock: Clock) -> None:
        self.settings = settings
        self.signer = signer or generate("ES256")
        self.clock = clock
        self.catalog: Mapping[str, Offering] = BY_ID
        self.types: Mapping[str, CredentialType] = build_types(
            settings.identifier, self.url("/static/logo.png")
        )
        self.state = IssuerState(clock)
        self.status_lists = StatusShelf(
            lambda n: StatusList(self.url(f"/status/{n}"), settings.status_list_size)
        )
        # Open Badges: issued as did:web of this address (issuer/did.py); Data Integrity
        # proofs need an Ed25519 key, the Bitstring Status List revokes those credentials
        self.did = did_web(settings.identifier)
        self.data_integrity_signer = generate("EdDSA")
        self.bitstrings = StatusShelf(
            lambda n: BitstringStatusList(self.url(f"/status/bitstring/{n}"))
        )
        # Guards the demo page's form posts (revoke, deferred ready) against cross-site
        # requests; the JSON admin API is guarded by requiring application/json instead.
        self.page_csrf = random_token(16)
        # the key wallets encrypt credential requests to, in the encryption mode
        self.encryption_key = ECKey.generate_key("P-256", parameters={"kid": random_token(8)})

    @property
    def identifier(self) -> str:
        return self.settings.identifier

    def url(self, path: str) -> str:
        return self.settings.identifier + path

    def now(self) -> float:
        return self.clock()

    def type_of(self, offering: Offering) -> CredentialType:
        return self.types[offering.type_key]

    def credential_format(self) -> str:
        """The SD-JWT VC format identifier of this mode."""
        return "vc+sd-jwt" if self.settings.draft13 else "dc+sd-jwt"

    def vct_of(self, offering: Offering) -> str | None:
        """The SD-JWT VC type of a configuration (None for an Open Badge)."""
        return None if offering.is_open_badge else self.type_of(offering).vct

    def format_of(self, offering: Offering) -> str:
        return offering.kind if offering.is_open_badge else self.credential_format()


def issuer_of(request: Request) -> Issuer:
    issuer = request.app.state.issuer
    assert isinstance(issuer, Issuer)
    return issuer
