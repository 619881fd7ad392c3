"""SD-JWT VC (draft-ietf-oauth-sd-jwt-vc): the credential rules on top of RFC 9901.

- ``typ`` is ``dc+sd-jwt``; the legacy ``vc+sd-jwt`` is accepted on input (§3.2.1).
- ``vct`` is required; ``iss``, ``nbf``, ``exp``, ``cnf``, ``vct``, ``vct#integrity``,
  ``aka_vcts`` and ``status`` must never be selectively disclosable (§3.2.2.2).
- A holder checks that ``cnf`` binds the credential to the key it made for it.

:data:`FORMAT` is SD-JWT VC on the format seam (:mod:`wallet_core.formats.seam`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wallet_core.clock import to_datetime
from wallet_core.crypto import Signer, thumbprint
from wallet_core.errors import (
    ForbiddenDisclosureError,
    KeyStoreError,
    MalformedCredentialError,
    MissingClaimError,
    MissingHolderKeyError,
    NotYetValidError,
    UnexpectedCredentialTypeError,
    UnexpectedKeyBindingError,
    UnexpectedTypeError,
    WrongHolderKeyError,
)
from wallet_core.formats import sd_jwt, status
from wallet_core.formats.rules import Rules, vct_values
from wallet_core.formats.sd_jwt import DEFAULT_LEEWAY, IssuerKey, SdJwt
from wallet_core.formats.seam import (
    DisplaySource,
    HeldCredential,
    IssuerKeys,
    VerifiedCredential,
)
from wallet_core.models import ClaimPath, StoredCredential

TYP = "dc+sd-jwt"
# The media type's draft-era name (SD-JWT VC draft history; OpenID4VP draft 21 B.4): the
# same data model, so a credential stored under either name answers a query for either.
LEGACY_TYP = "vc+sd-jwt"
ACCEPTED_TYPS = frozenset({TYP, LEGACY_TYP})
NEVER_DISCLOSABLE = frozenset(
    {"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "aka_vcts", "status"}
)
# In every presentation, so never a claim to disclose: §3.2.2.2 plus what RFC 9901 adds.
BOOKKEEPING = NEVER_DISCLOSABLE | {"iat", "_sd_alg"}


@dataclass(frozen=True)
class SdJwtVc:
    sd_jwt: SdJwt
    vct: str
    issuer: str | None
    issued_at: datetime | None
    not_before: datetime | None
    expires_at: datetime | None

    @property
    def claims(self) -> dict[str, Any]:
        return self.sd_jwt.claims

    @property
    def vct_integrity(self) -> str | None:
        value = self.sd_jwt.claims.get("vct#integrity")
        return value if isinstance(value, str) else None

    @property
    def types(self) -> tuple[str, ...]:
        """``vct`` and the ``aka_vcts`` the issuer asserts as well (§3.2.2.1.1)."""
        aka = self.sd_jwt.claims.get("aka_vcts")
        return (self.vct, *(aka if isinstance(aka, list) else ()))

    @property
    def status(self) -> Mapping[str, Any] | None:
        value = self.sd_jwt.claims.get("status")
        return value if isinstance(value, dict) else None

    def subject_claims(self) -> dict[str, Any]:
        """The claims about the holder, without the credential's own bookkeeping."""
        return {k: v for k, v in self.sd_jwt.claims.items() if k not in BOOKKEEPING}


def issue(
    payload: Mapping[str, Any],
    disclosable: list[tuple[Any, ...]],
    **options: Any,
) -> str:
    """``sd_jwt.issue`` with the SD-JWT VC rules checked first (used by the demo issuer)."""
    if not isinstance(payload.get("vct"), str):
        raise MissingClaimError("an SD-JWT VC needs a vct")
    forbidden = [path for path in disclosable if path and path[0] in NEVER_DISCLOSABLE]
    if forbidden:
        raise ForbiddenDisclosureError(f"{list(forbidden[0])} must never be disclosable")
    return sd_jwt.issue(payload, disclosable, typ=TYP, **options)


def verify_issued(
    text: str,
    issuer_key: IssuerKey,
    *,
    holder_jwk: Mapping[str, Any] | None = None,
    expected_vct: str | None = None,
    now: float | None = None,
    leeway: float = DEFAULT_LEEWAY,
) -> SdJwtVc:
    """What a holder checks before storing a credential it received (§4, RFC 9901 §7.2).

    ``holder_jwk`` is the public key the wallet generated for this credential; the
    credential's ``cnf.jwk`` must be that key.
    """
    moment = time.time() if now is None else now
    parsed = sd_jwt.parse_verified(text, issuer_key, now=moment, leeway=leeway)
    if parsed.serialized.kb_jwt is not None:
        raise UnexpectedKeyBindingError("an issuer must not send an SD-JWT+KB")
    credential = _check(parsed, moment, leeway)
    if expected_vct is not None and expected_vct not in credential.types:
        raise UnexpectedCredentialTypeError(f"expected a {expected_vct!r} credential")
    if holder_jwk is not None:
        bound = parsed.holder_jwk
        if bound is None:
            raise MissingHolderKeyError("the credential is not bound to a holder key (no cnf.jwk)")
        try:
            same = thumbprint(bound) == thumbprint(holder_jwk)
        except KeyStoreError as exc:
            raise MalformedCredentialError("cnf.jwk is not a usable public key") from exc
        if not same:
            raise WrongHolderKeyError("the credential is bound to a key this wallet did not make")
    return credential


def verify_presentation(
    text: str,
    issuer_key: IssuerKey,
    *,
    aud: str,
    nonce: str,
    now: float | None = None,
    leeway: float = DEFAULT_LEEWAY,
    kb_max_age: float = sd_jwt.DEFAULT_KB_MAX_AGE,
) -> SdJwtVc:
    """What a verifier checks: RFC 9901 §7.3 with Key Binding, then the SD-JWT VC rules."""
    moment = time.time() if now is None else now
    sd_jwt.verify(
        text,
        issuer_key,
        aud,
        nonce,
        moment,
        require_key_binding=True,
        kb_max_age=kb_max_age,
        leeway=leeway,
    )
    parsed = sd_jwt.parse_verified(text, issuer_key, now=moment, leeway=leeway)
    return _check(parsed, moment, leeway)


def read_stored(text: str) -> SdJwtVc:
    """The holder's stored copy (verified at receipt) for display and presentation."""
    parsed = sd_jwt.parse_stored(text)
    return _check(parsed, None, DEFAULT_LEEWAY)


def _check(parsed: SdJwt, now: float | None, leeway: float) -> SdJwtVc:
    typ = parsed.header.get("typ")
    if typ not in ACCEPTED_TYPS:
        raise UnexpectedTypeError(f"an SD-JWT VC has typ {TYP!r}, not {typ!r}")
    for claim in parsed.disclosable:
        if claim.path[0] in NEVER_DISCLOSABLE:
            raise ForbiddenDisclosureError(
                f"{claim.path[0]!r} must never be selectively disclosable"
            )
    claims = parsed.claims
    vct = claims.get("vct")
    if not isinstance(vct, str) or not vct:
        raise MissingClaimError("an SD-JWT VC needs a vct")
    issuer = claims.get("iss")
    if issuer is not None and not isinstance(issuer, str):
        raise MalformedCredentialError("iss must be a string")
    integrity = claims.get("vct#integrity")
    if integrity is not None and not isinstance(integrity, str):
        raise MalformedCredentialError("vct#integrity must be a string")
    aka = claims.get("aka_vcts")
    if aka is not None and (
        not isinstance(aka, list)
        or not aka
        or not all(isinstance(t, str) for t in aka)
        or vct in aka
    ):
        raise MalformedCredentialError("aka_vcts must be a non-empty array of other types")
    iat = claims.get("iat")
    if now is not None and isinstance(iat, int | float) and iat > now + leeway:
        raise NotYetValidError("the credential claims to be issued in the future")
    return SdJwtVc(
        sd_jwt=parsed,
        vct=vct,
        issuer=issuer,
        issued_at=to_datetime(_number(iat)),
        not_before=to_datetime(_number(claims.get("nbf"))),
        expires_at=to_datetime(_number(claims.get("exp"))),
    )


_LATEST = 253_402_300_799  # 9999-12-31T23:59:59Z: beyond it no date can be shown


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not 0 <= value <= _LATEST:  # also refuses NaN
        raise MalformedCredentialError("a time claim is out of range")
    return float(value)


# -- on the format seam --------------------------------------------------------------------


@dataclass(frozen=True)
class SdJwtVcFormat(Rules):
    """SD-JWT VC as a :class:`~wallet_core.formats.seam.CredentialFormat`."""

    name: str = TYP
    # B.3.4: the algorithms this wallet verifies issuer signatures with and signs KB-JWTs with
    vp_parameters: Mapping[str, Any] = field(
        compare=False,
        default_factory=lambda: {
            "sd-jwt_alg_values": ["ES256", "EdDSA"],
            "kb-jwt_alg_values": ["ES256", "EdDSA"],
        },
    )

    def verify_issued(
        self,
        issued: object,
        keys: IssuerKeys,
        *,
        expected_types: tuple[str, ...],
        now: float,
    ) -> VerifiedCredential:
        if not isinstance(issued, str):
            raise MalformedCredentialError("an SD-JWT VC is issued as a string")
        credential = verify_issued(issued, keys.for_jwt, now=now)
        missing = [t for t in expected_types if t not in credential.types]
        if missing:
            raise UnexpectedCredentialTypeError(f"expected a {missing[0]!r} credential")
        return VerifiedCredential(
            raw=issued,
            claims=credential.claims,
            issuer=credential.issuer,
            type=credential.vct,
            issued_at=credential.issued_at,
            expires_at=credential.expires_at,
            holder_jwk=credential.sd_jwt.holder_jwk,
        )

    def read(self, stored: StoredCredential) -> HeldCredential:
        parsed = read_stored(stored.raw)
        alg = parsed.sd_jwt.header.get("alg")
        disclosable = parsed.sd_jwt.disclosable
        return HeldCredential(
            id=stored.id,
            format=stored.format,
            types=tuple(dict.fromkeys(parsed.types)),
            claims=parsed.claims,
            disclosable=frozenset(claim.path for claim in disclosable),
            holder_binding=isinstance(parsed.claims.get("cnf"), Mapping),
            alg=alg if isinstance(alg, str) else None,
            top_level=tuple(claim.path for claim in disclosable if claim.parent is None),
            issuer=parsed.issuer,
            key_id=stored.key_id,
            parsed=parsed,
        )

    def status_reference(self, held: HeldCredential) -> status.StatusListReference | None:
        return status.parse_status_reference(held.claims)

    def display_source(self, held: HeldCredential) -> DisplaySource:
        """Type Metadata of ``vct`` (SD-JWT VC §6), bound by ``vct#integrity`` when given."""
        parsed = held.parsed if isinstance(held.parsed, SdJwtVc) else None
        if parsed is None:
            return DisplaySource()
        return DisplaySource(type_metadata=parsed.vct, type_integrity=parsed.vct_integrity)

    def present(
        self,
        held: HeldCredential,
        claims: Iterable[ClaimPath],
        signer: Signer | None,
        *,
        aud: str,
        nonce: str,
        iat: int,
        instance: str | None = None,
    ) -> str:
        if instance is not None:
            parsed = read_stored(instance)
        elif isinstance(held.parsed, SdJwtVc):
            parsed = held.parsed
        else:
            raise MalformedCredentialError("this credential was not read as an SD-JWT VC")
        return sd_jwt.present(parsed.sd_jwt, claims, signer, aud=aud, nonce=nonce, iat=iat)


FORMAT = SdJwtVcFormat(
    identifiers=ACCEPTED_TYPS,
    legacy_identifiers=frozenset({LEGACY_TYP}),
    selective=True,
    bookkeeping=BOOKKEEPING,
    type_claim=("vct",),
    configuration_type_key="vct",
    meta=vct_values,
)
