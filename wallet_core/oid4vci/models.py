"""What offers and metadata look like once parsed: the one shape for 1.0 and draft 13.

Parsers normalize draft-13 input to these models and record ``draft13=True`` so the
client can speak the dialect the issuer understands.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wallet_core.models import ClaimPath


@dataclass(frozen=True)
class TxCode:
    """The transaction code the user must type (OpenID4VCI 1.0 §4.1.1)."""

    length: int | None = None
    input_mode: str = "numeric"  # "numeric" or "text"
    description: str | None = None


@dataclass(frozen=True)
class PreAuthorizedGrant:
    code: str = field(repr=False)  # a bearer secret until redeemed
    tx_code: TxCode | None = None
    authorization_server: str | None = None
    legacy_user_pin: bool = False  # the offer said user_pin_required (drafts <= 12)


@dataclass(frozen=True)
class AuthorizationCodeGrant:
    issuer_state: str | None = field(default=None, repr=False)
    authorization_server: str | None = None


@dataclass(frozen=True)
class CredentialOffer:
    credential_issuer: str
    credential_configuration_ids: tuple[str, ...]
    pre_authorized: PreAuthorizedGrant | None = None
    authorization_code: AuthorizationCodeGrant | None = None
    draft13: bool = False
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Display:
    """One locale's display entry of an issuer or a credential configuration."""

    name: str
    locale: str | None = None
    description: str | None = None
    logo_uri: str | None = None
    logo_alt: str | None = None
    background_color: str | None = None
    text_color: str | None = None


@dataclass(frozen=True)
class ClaimDescription:
    path: ClaimPath
    mandatory: bool = False
    display: tuple[Display, ...] = ()  # name = the claim's label in that locale


@dataclass(frozen=True)
class CredentialConfiguration:
    id: str
    format: str  # "dc+sd-jwt", "vc+sd-jwt" (draft 13), "jwt_vc_json", "ldp_vc", "mso_mdoc", ...
    vct: str | None = None
    credential_definition: Mapping[str, Any] | None = None
    scope: str | None = None
    cryptographic_binding_methods: tuple[str, ...] = ()
    credential_signing_algs: tuple[Any, ...] = ()
    proof_signing_algs: tuple[
        str, ...
    ] = ()  # proof_types_supported.jwt.proof_signing_alg_values_supported
    key_attestation_required: bool = False  # proof_types_supported.jwt.key_attestations_required
    display: tuple[Display, ...] = ()
    claims: tuple[ClaimDescription, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def expected_types(self) -> tuple[str, ...]:
        """The types it promises: its ``vct``, or the ``type`` of its
        ``credential_definition`` (OpenID4VCI 1.0 Appendix A.1.1.2, A.1.2.2)."""
        if self.vct is not None:
            return (self.vct,)
        types = (self.credential_definition or {}).get("type")
        return tuple(t for t in types if isinstance(t, str)) if isinstance(types, list) else ()


@dataclass(frozen=True)
class Encryption:
    """What the issuer offers: its request keys (public, with ``alg`` and ``kid``) and the
    ``enc`` values, for requests and responses; whether either is required."""

    request_keys: tuple[Mapping[str, Any], ...] = field(default=(), repr=False)
    request_encs: tuple[str, ...] = ()
    request_required: bool = False
    response_algs: tuple[str, ...] = ()
    response_encs: tuple[str, ...] = ()
    response_required: bool = False

    @property
    def required(self) -> bool:
        return self.request_required or self.response_required


@dataclass(frozen=True)
class IssuerMetadata:
    credential_issuer: str
    credential_endpoint: str
    configurations: Mapping[str, CredentialConfiguration]
    nonce_endpoint: str | None = None
    deferred_credential_endpoint: str | None = None
    notification_endpoint: str | None = None
    authorization_servers: tuple[str, ...] = ()
    batch_size: int | None = None
    display: tuple[Display, ...] = ()
    draft13: bool = False
    signed: bool = False  # came as a verified signed_metadata JWT
    #: credential_request_encryption / credential_response_encryption (§10), when offered
    encryption: Encryption | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class AuthorizationServerMetadata:
    issuer: str
    token_endpoint: str
    authorization_endpoint: str | None = None
    pushed_authorization_request_endpoint: str | None = None
    require_pushed_authorization_requests: bool = False
    code_challenge_methods: tuple[str, ...] = ()
    pre_authorized_grant_anonymous_access_supported: bool = False
    authorization_response_iss_parameter_supported: bool = False
    #: DPoP is used whenever this lists an algorithm the wallet has (HAIP 1.0 §4)
    dpop_signing_alg_values: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class OfferedCredential:
    configuration_id: str
    name: str
    description: str | None
    format: str
    logo_uri: str | None = None
    background_color: str | None = None
    text_color: str | None = None


@dataclass(frozen=True)
class OfferPreview:
    """What the user sees before accepting: who offers what, and whether a code is needed."""

    issuer: str
    issuer_name: str
    issuer_logo_uri: str | None
    credentials: tuple[OfferedCredential, ...]
    tx_code: TxCode | None
    grants: tuple[str, ...]  # "pre-authorized_code", "authorization_code"
