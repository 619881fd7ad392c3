"""W3C Verifiable Credentials (VCDM 1.1 and 2.0) as issued: a VC-JWT or a JSON-LD document
with embedded Data Integrity proofs. :func:`verify` checks one; it does no I/O itself.

- **VC-JWT** (VCDM 1.1 §6.3.1; OB 3.0 §8.2): header ``alg`` ES256, EdDSA or RS256; the key is
  the issuer's assertion method that ``kid`` names (a DID URL, or ``#fragment``), or for a
  ``did:jwk`` issuer its one key (a header ``jwk`` must then be that key, and never carry
  ``d``). VCDM 1.1 keeps the credential under ``vc`` and maps ``iss`` → ``issuer``, ``sub`` →
  ``credentialSubject.id``, ``nbf`` → issuance, ``exp`` → expiration, ``jti`` → ``id``; VCDM
  2.0 puts the credential's members at the top. Missing ``nbf``/``jti`` (what the edubadges
  agent sends) are warnings, not refusals.
- **Data Integrity** (:mod:`~wallet_core.formats.data_integrity`): any one valid proof of a
  known suite with ``proofPurpose`` ``assertionMethod`` suffices; proofs of unknown suites
  are skipped and said so in ``warnings``.
- **Open Badges**: a credential that says it is one must have the OB 3.0 structure
  (:mod:`~wallet_core.formats.open_badges`); accepted deviations become warnings.

``resolver(issuer, kid)`` returns the public JWK of the issuer's assertion method ``kid``
(None: its only one) and raises ``UntrustedIssuerError`` when the issuer does not control it:
a valid signature by a key the issuer does not control is refused. The caller decides how
DIDs are resolved (:class:`wallet_core.trust.DidResolver` does it under the HTTP policy).
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from wallet_core.clock import to_datetime
from wallet_core.crypto import thumbprint, verify_compact
from wallet_core.errors import (
    ExpiredCredentialError,
    InvalidBadgeError,
    JsonLdLimitError,
    KeyStoreError,
    MalformedCredentialError,
    NotYetValidError,
    ProofPurposeError,
    UnexpectedTypeError,
    UnsupportedProofError,
    UntrustedIssuerError,
    WalletError,
)
from wallet_core.formats import data_integrity, jsonld, open_badges
from wallet_core.formats.json_text import jwt_parts, loads

JWT_ALGORITHMS = frozenset({"ES256", "EdDSA", "RS256"})
JWT_TYPES = frozenset({"JWT", "vc+jwt", "vc+ld+json+jwt"})
MAX_JWT_LENGTH = 1_000_000
MAX_PROOFS = 4  # each may cost a key lookup at the issuer
Resolver = Callable[[str, str | None], Mapping[str, Any]]
_PRIVATE = frozenset({"d", "p", "q", "dp", "dq", "qi", "k"})
_DATETIME = re.compile(r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?")


@dataclass(frozen=True)
class W3cCredential:
    """A verified W3C VC. ``document`` is the credential (for a VCDM 1.1 JWT: ``vc`` with the
    registered claims mapped in); ``raw`` is exactly what was issued."""

    format: str  # "jwt_vc_json" or "ldp_vc"
    document: dict[str, Any] = field(repr=False)
    raw: str = field(repr=False)
    issuer: str
    types: tuple[str, ...]
    subject: str | None
    valid_from: datetime | None
    valid_until: datetime | None
    warnings: tuple[str, ...] = ()


def verify(
    credential: str | Mapping[str, Any],
    *,
    resolver: Resolver,
    now: float,
    leeway: float = 60.0,
) -> W3cCredential:
    """Check an issued credential; raises a ``CredentialError`` for anything wrong."""
    if isinstance(credential, str) and not credential.lstrip().startswith("{"):
        return _verify_jwt(credential.strip(), resolver, now, leeway)
    document = _json_object(credential)
    return _verify_ldp(document, _raw(credential), resolver, now, leeway)


# -- VC-JWT ------------------------------------------------------------------------------


def _verify_jwt(token: str, resolver: Resolver, now: float, leeway: float) -> W3cCredential:
    if len(token) > MAX_JWT_LENGTH or token.count(".") != 2:
        raise MalformedCredentialError("a VC-JWT is a compact JWS")
    header, payload = jwt_parts(token, "VC-JWT")
    alg, typ = header.get("alg"), header.get("typ")
    if not isinstance(alg, str) or alg not in JWT_ALGORITHMS:
        raise MalformedCredentialError(
            f"a VC-JWT is signed with ES256, EdDSA or RS256, not {repr(alg)[:40]}"
        )
    if typ is not None and (not isinstance(typ, str) or typ not in JWT_TYPES):
        raise UnexpectedTypeError(f"a VC-JWT has typ JWT, not {repr(typ)[:40]}")
    document, warnings = _credential_of(payload)
    issuer = _issuer_id(document)
    key = _jwt_key(header, issuer, resolver)
    verify_compact(token, key, algorithms=[alg])
    _check_jwt_times(payload, now, leeway)
    checked = _result("jwt_vc_json", document, token, now, leeway, warnings)
    exp = _number(payload.get("exp"), "exp")
    expires = to_datetime(exp) if exp is not None else None
    if expires is not None and (checked.valid_until is None or expires < checked.valid_until):
        # the JWT's own exp binds too when the credential inside claims longer
        checked = dataclasses.replace(checked, valid_until=expires)
    return checked


def _credential_of(payload: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The credential in a VC-JWT payload, registered claims mapped (VCDM 1.1 §6.3.1)."""
    warnings: list[str] = []
    wrapped = payload.get("vc")
    document = dict(_json_object(wrapped)) if wrapped is not None else dict(payload)
    v1 = wrapped is not None
    for claim, member in (("iss", "issuer"), ("jti", "id")):
        value = payload.get(claim)
        if value is None:
            if v1 and claim == "jti":
                warnings.append("the VC-JWT has no jti")
            continue
        known = document.get(member)
        known_id = known.get("id") if isinstance(known, Mapping) else known
        if known is None:
            document[member] = value
        elif known_id != value:
            raise MalformedCredentialError(f"the JWT's {claim} is not the credential's {member}")
    _map_subject(document, payload.get("sub"))
    if v1:
        if "nbf" not in payload:
            warnings.append("the VC-JWT has no nbf")
        _map_time(document, payload, "nbf", ("issuanceDate", "validFrom"))
        _map_time(document, payload, "exp", ("expirationDate", "validUntil"))
    return document, warnings


def _map_subject(document: dict[str, Any], subject: Any) -> None:
    """``sub`` is the credential subject's ``id`` (set when the credential leaves it out)."""
    holder = document.get("credentialSubject")
    if subject is None:
        return
    if isinstance(holder, Mapping):
        if holder.get("id") is None:
            document["credentialSubject"] = {**holder, "id": subject}
        elif holder.get("id") != subject:
            raise MalformedCredentialError("the JWT's sub is not the credential subject")
    elif isinstance(holder, list):
        ids = [h.get("id") for h in holder if isinstance(h, Mapping)]
        if subject not in ids:
            raise MalformedCredentialError("the JWT's sub is none of the credential subjects")


def _map_time(
    document: dict[str, Any], payload: Mapping[str, Any], claim: str, members: tuple[str, str]
) -> None:
    value = _number(payload.get(claim), claim)
    if value is None:
        return
    member = members[0] if _is_v1(document) else members[1]
    moment = to_datetime(value)
    if member not in document and moment is not None:
        document[member] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _jwt_key(header: Mapping[str, Any], issuer: str, resolver: Resolver) -> Mapping[str, Any]:
    embedded = header.get("jwk")
    if embedded is not None and (not isinstance(embedded, Mapping) or _PRIVATE & embedded.keys()):
        raise MalformedCredentialError("a header jwk must be a public key")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise MalformedCredentialError("kid must be a string")
    if kid is None and not issuer.startswith("did:jwk:"):
        # A key in the header alone says nothing about who holds it.
        raise UntrustedIssuerError("the VC-JWT names no key of its issuer (no kid)")
    key = resolver(issuer, kid)
    if embedded is not None and _thumbprint(embedded) != _thumbprint(key):
        raise UntrustedIssuerError("the header jwk is not the issuer's key")
    return key


def _check_jwt_times(payload: Mapping[str, Any], now: float, leeway: float) -> None:
    _number(payload.get("iat"), "iat")
    nbf, exp = _number(payload.get("nbf"), "nbf"), _number(payload.get("exp"), "exp")
    if nbf is not None and nbf > now + leeway:
        raise NotYetValidError("the credential is not valid yet")
    if exp is not None and exp < now - leeway:
        raise ExpiredCredentialError("the credential has expired")


_LATEST = 253_402_300_799  # 9999-12-31T23:59:59Z: beyond it no date can be shown
#: ``exp`` 9999999999 (2286-11-20) is how edubadges says "never": from it on, no end date
OPEN_ENDED = 9_999_999_999


def _number(value: Any, claim: str) -> float | None:
    """A NumericDate: finite, not before 1970, at most the year 9999 (clamped: exp
    9999999999 is what edubadges sends for "never")."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise MalformedCredentialError(f"{claim} must be a non-negative number")
    if value == float("inf"):
        raise MalformedCredentialError(f"{claim} must be finite")
    return float(min(value, _LATEST))


# -- Data Integrity ----------------------------------------------------------------------


def _verify_ldp(
    document: Mapping[str, Any], raw: str, resolver: Resolver, now: float, leeway: float
) -> W3cCredential:
    proofs = document.get("proof")
    listed = proofs if isinstance(proofs, list) else [proofs] if proofs is not None else []
    if not listed:
        raise UnsupportedProofError("the credential carries no proof")
    if len(listed) > MAX_PROOFS:
        raise MalformedCredentialError(f"more than {MAX_PROOFS} proofs")
    issuer = _issuer_id(document)
    warnings: list[str] = []
    failure: WalletError | None = None
    known = [p for p in listed if isinstance(p, Mapping) and data_integrity.suite_of(p)]
    for proof in listed:
        if proof not in known:
            kind = proof.get("type") if isinstance(proof, Mapping) else None
            warnings.append(f"a proof of an unknown suite was skipped ({str(kind)[:40]})")
    # one budget for the whole decision, and the document hashed once for all its proofs
    deadline_at = time.monotonic() + jsonld.DEFAULT_DEADLINE
    digest = data_integrity.document_hash(document, deadline_at=deadline_at) if known else None
    for proof in known:
        try:
            _check_proof(document, proof, issuer, resolver, digest, deadline_at)
        except WalletError as exc:
            failure = failure or exc
            warnings.append(f"a proof did not verify ({exc.code})")
            continue
        return _result("ldp_vc", dict(document), raw, now, leeway, warnings)
    if failure is not None:
        raise failure
    raise UnsupportedProofError("no proof of a suite this wallet checks")


def _check_proof(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    issuer: str,
    resolver: Resolver,
    digest: bytes | None,
    deadline_at: float,
) -> None:
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofPurposeError("an issuer's proof has proofPurpose assertionMethod")
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method:
        raise MalformedCredentialError("the proof names no verificationMethod")
    key = resolver(issuer, method)
    data_integrity.verify_proof(
        document, proof, key, known_document_hash=digest, deadline_at=deadline_at
    )


# -- common ------------------------------------------------------------------------------


def _result(
    credential_format: str,
    document: dict[str, Any],
    raw: str,
    now: float,
    leeway: float,
    warnings: list[str],
) -> W3cCredential:
    v1 = _is_v1(document)
    valid_from = _date(document.get("issuanceDate" if v1 else "validFrom"), "valid from")
    valid_until = _date(document.get("expirationDate" if v1 else "validUntil"), "valid until")
    if valid_from is not None and valid_from.timestamp() > now + leeway:
        raise NotYetValidError("the credential is not valid yet")
    if valid_until is not None and valid_until.timestamp() < now - leeway:
        raise ExpiredCredentialError("the credential has expired")
    types = document.get("type")
    listed = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    if "VerifiableCredential" not in listed or not all(isinstance(t, str) for t in listed):
        raise UnexpectedTypeError("a W3C credential has the type VerifiableCredential")
    holder = document.get("credentialSubject")
    subject = holder.get("id") if isinstance(holder, Mapping) else None
    return W3cCredential(
        format=credential_format,
        document=document,
        raw=raw,
        issuer=_issuer_id(document),
        types=tuple(listed),
        subject=subject if isinstance(subject, str) else None,
        valid_from=valid_from,
        valid_until=valid_until,
        warnings=(*warnings, *_badge_warnings(document)),
    )


def _badge_warnings(document: Mapping[str, Any]) -> tuple[str, ...]:
    """An Open Badge must also have the OB 3.0 structure (``InvalidBadgeError``)."""
    if not open_badges.is_badge(document):
        return ()
    checked = open_badges.check(document)
    if checked.problems:
        raise InvalidBadgeError(f"not a valid Open Badge: {checked.problems[0]}")
    return checked.warnings


def _issuer_id(document: Mapping[str, Any]) -> str:
    issuer = document.get("issuer")
    value = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(value, str) or not value:
        raise MalformedCredentialError("the credential names no issuer")
    return value


def _is_v1(document: Mapping[str, Any]) -> bool:
    context = document.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    return first == "https://www.w3.org/2018/credentials/v1"


def _date(value: Any, what: str) -> datetime | None:
    """An XML Schema dateTime, in UTC; one without a zone is read as UTC (VCDM 1.1)."""
    if value is None:
        return None
    if not isinstance(value, str) or not _DATETIME.fullmatch(value):
        raise MalformedCredentialError(f"the credential's {what} is not a date and time")
    try:
        moment = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        zoned = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        return zoned.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise MalformedCredentialError(f"the credential's {what} is not a date") from exc


def _json_object(value: Any) -> Mapping[str, Any]:
    if isinstance(value, str):
        if len(value) > jsonld.MAX_JSON_BYTES:
            raise JsonLdLimitError("the credential is implausibly large")
        try:
            value = loads(value)
        except (ValueError, RecursionError) as exc:
            raise MalformedCredentialError("the credential is not JSON") from exc
    if not isinstance(value, Mapping):
        raise MalformedCredentialError("a W3C credential is a JSON object")
    return value


def _raw(credential: str | Mapping[str, Any]) -> str:
    return credential if isinstance(credential, str) else compact(credential)


def compact(document: Any) -> str:
    """The one way a JSON-LD credential is kept as text: compact JSON, as given."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def _thumbprint(jwk: Mapping[str, Any]) -> str:
    try:
        return thumbprint(jwk)
    except KeyStoreError as exc:
        raise MalformedCredentialError("a key is not a usable public JWK") from exc
