"""Verifiable Presentations of W3C credentials, as OpenID4VP 1.0 Appendix B.1 has them.

- **VP JWT** (``jwt_vc_json``, B.1.3.1; VCDM 1.1 §6.3.1): a JWS by the holder's key, header
  ``kid`` = its DID URL (``did:jwk:…#0``), ``typ`` ``JWT``; payload ``iss`` = the holder,
  ``aud`` = the verifier's full Client Identifier, ``nonce`` = the request's, ``iat``, a short
  ``exp``, ``jti`` and ``vp`` (``@context``, ``type``, ``holder``, ``verifiableCredential``:
  the credential JWTs).
- **Data Integrity VP** (``ldp_vc``, B.1.3.2): the presentation with a ``DataIntegrityProof``
  (eddsa-rdfc-2022 or ecdsa-rdfc-2019) whose ``proofPurpose`` is ``authentication``,
  ``challenge`` = the nonce and ``domain`` = the Client Identifier (VC Data Integrity 1.0
  §2.1 "Proofs"; the credential embedded as it was issued).

:func:`verify_presentation` is the verifier's side: the holder's signature, audience, nonce,
freshness, then every enclosed credential with :func:`w3c_vc.verify`, and holder binding —
the presentation's signer must be each credential's subject (``credentialSubject.id``),
otherwise anyone holding a copy of a credential could present it. The holder key comes
from the holder's DID with no network: ``did:jwk`` (its one method ``#0``) or ``did:key``
(its one method ``#<multibase>``), both keys the DID methods authorise for
``authentication``; other holder DIDs are refused (``MissingHolderKeyError``;
:mod:`~wallet_core.formats.w3c_holder`).

The context of the presentation follows the credential's VCDM version: a VCDM 2.0
credential gets ``https://www.w3.org/ns/credentials/v2`` (which defines Data Integrity
terms), a VCDM 1.1 one ``https://www.w3.org/2018/credentials/v1`` (plus
``https://w3id.org/security/data-integrity/v2`` for the proof of an LDP VP).
"""

from __future__ import annotations

import hmac
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from wallet_core.crypto import Signer, sign_compact, thumbprint, verify_compact
from wallet_core.errors import (
    InvalidSignatureError,
    KeyBindingAudienceError,
    KeyBindingNonceError,
    KeyBindingTimeError,
    KeyStoreError,
    MalformedCredentialError,
    MissingHolderKeyError,
    MissingKeyBindingError,
    ProofPurposeError,
    UnexpectedTypeError,
    WalletError,
    WrongHolderKeyError,
)
from wallet_core.formats import data_integrity, jsonld, w3c_vc
from wallet_core.formats.json_text import jwt_parts, loads
from wallet_core.formats.w3c_holder import holder_key, method_of

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
VERIFIABLE_PRESENTATION = "VerifiablePresentation"
VP_LIFETIME = 300  # seconds: a presentation answers one request, now
VP_ALGORITHMS = frozenset({"ES256", "EdDSA"})  # what holder keys sign with
VP_TYPES = frozenset({"JWT", "vp+jwt"})
MAX_CREDENTIALS = 10  # each costs a full credential verification
# XML Schema dateTimeStamp as VC Data Integrity 1.0 §2.1 uses it for created / expires
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?")


@dataclass(frozen=True)
class VerifiedPresentation:
    """A presentation whose holder signature, audience, nonce, freshness, credentials and
    holder binding all checked out."""

    format: str  # "jwt_vc_json" or "ldp_vc"
    holder: str  # the DID whose key signed it, the subject of every credential
    credentials: tuple[w3c_vc.W3cCredential, ...]
    document: dict[str, Any] = field(repr=False)  # the VP (for a JWT: the ``vp`` claim)
    created: datetime | None = None  # ``iat`` or the proof's ``created``


# -- holder: building --------------------------------------------------------------------


def present_jwt(
    credential_jwt: str, signer: Signer, *, holder: str, aud: str, nonce: str, iat: int
) -> str:
    """A VP JWT of one VC-JWT (OpenID4VP 1.0 B.1.3.1.5: ``aud`` the Client Identifier,
    ``nonce`` the request's), signed by the holder key ``signer``."""
    _check_holder(signer, holder)
    _, payload = jwt_parts(credential_jwt.strip(), "VC-JWT")
    wrapped = payload.get("vc")
    version = _version(wrapped if isinstance(wrapped, Mapping) else payload)
    claims = {
        "iss": holder,
        "aud": aud,
        "nonce": nonce,
        "iat": iat,
        "exp": iat + VP_LIFETIME,
        "jti": f"urn:uuid:{uuid.uuid4()}",
        "vp": {
            "@context": [version],
            "type": [VERIFIABLE_PRESENTATION],
            "holder": holder,
            "verifiableCredential": [credential_jwt.strip()],
        },
    }
    header = {"typ": "JWT", "kid": method_of(holder)}
    return sign_compact(header, claims, signer)


def present_ldp(
    credential: Mapping[str, Any],
    signer: Signer,
    *,
    holder: str,
    domain: str,
    challenge: str,
    created: str,
) -> dict[str, Any]:
    """A VP of one Data Integrity credential with the holder's ``authentication`` proof
    (OpenID4VP 1.0 B.1.3.2.5: ``challenge`` the nonce, ``domain`` the Client Identifier)."""
    _check_holder(signer, holder)
    version = _version(credential)
    context = [VC_V2] if version == VC_V2 else [VC_V1, DATA_INTEGRITY_V2]
    presentation = {
        "@context": context,
        "type": [VERIFIABLE_PRESENTATION],
        "holder": holder,
        "verifiableCredential": [dict(credential)],
    }
    return data_integrity.add_proof(
        presentation,
        signer,
        verification_method=method_of(holder),
        created=created,
        proof_purpose="authentication",
        challenge=challenge,
        domain=domain,
    )


def _check_holder(signer: Signer, holder: str) -> None:
    """A did:jwk holder must be the signer's own key: a VP naming another holder than its
    signer fails every verifier's holder binding."""
    if not holder.startswith(("did:jwk:", "did:key:")):
        return  # another DID method: its document is the verifier's to resolve
    try:
        named = thumbprint(holder_key(method_of(holder), holder))
    except (WalletError, KeyError) as exc:
        raise KeyStoreError("the holder DID names no usable key") from exc
    if named != signer.kid:
        raise KeyStoreError("the holder DID is not the signing key's")


def _version(credential: Mapping[str, Any]) -> str:
    context = credential.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    return VC_V1 if first == VC_V1 else VC_V2


# -- verifier ----------------------------------------------------------------------------


def verify_presentation(
    vp: str | Mapping[str, Any],
    *,
    resolver: w3c_vc.Resolver,
    aud: str,
    nonce: str,
    now: float,
    max_age: float = 300,
    leeway: float = 60.0,
) -> VerifiedPresentation:
    """Check a presentation for the verifier ``aud`` (its full Client Identifier) and the
    transaction ``nonce``; ``resolver`` finds the credentials' issuer keys (as for
    :func:`w3c_vc.verify`). Raises a ``CredentialError`` for anything wrong: a
    ``KeyBindingError`` for the holder's part (audience, nonce, time, holder key)."""
    expected = _Expected(resolver, aud, nonce, now, max_age, leeway)
    if isinstance(vp, str) and not vp.lstrip().startswith("{"):
        return _verify_jwt_vp(vp.strip(), expected)
    return _verify_ldp_vp(_json_object(vp), expected)


@dataclass(frozen=True)
class _Expected:
    """What the verifier expects of a presentation."""

    resolver: w3c_vc.Resolver
    aud: str
    nonce: str
    now: float
    max_age: float
    leeway: float

    def check_made(self, moment: float) -> None:
        """Made within ``max_age`` before now (and not in the future), leeway allowed."""
        if moment > self.now + self.leeway or moment < self.now - self.max_age - self.leeway:
            raise KeyBindingTimeError("the presentation was not made within the accepted window")


def _verify_jwt_vp(token: str, expected: _Expected) -> VerifiedPresentation:
    if len(token) > w3c_vc.MAX_JWT_LENGTH or token.count(".") != 2:
        raise MalformedCredentialError("a VP JWT is a compact JWS")
    header, payload = jwt_parts(token, "VP JWT")
    alg, typ = header.get("alg"), header.get("typ")
    if not isinstance(alg, str) or alg not in VP_ALGORITHMS:
        raise InvalidSignatureError(f"a VP JWT is signed with ES256 or EdDSA, not {_shown(alg)}")
    if typ is not None and typ not in VP_TYPES:
        raise UnexpectedTypeError(f"a VP JWT has typ JWT, not {_shown(typ)}")
    presentation = _presentation_object(payload.get("vp"))
    holder = _jwt_holder(payload, presentation)
    kid = header.get("kid")
    if kid is None:
        kid = method_of(holder)  # a did:jwk / did:key has one key: naming it is optional
    if not isinstance(kid, str):
        raise MalformedCredentialError("kid must be a string")
    verify_compact(token, holder_key(kid, holder), algorithms=[alg])
    audience = payload.get("aud")
    if audience != expected.aud and audience != [expected.aud]:
        raise KeyBindingAudienceError("the presentation is not addressed to this verifier")
    if not _same(payload.get("nonce"), expected.nonce):
        raise KeyBindingNonceError("the presentation's nonce is not this transaction's")
    created = _jwt_times(payload, expected)
    credentials = _credentials(presentation, holder, expected)
    return VerifiedPresentation("jwt_vc_json", holder, credentials, dict(presentation), created)


def _jwt_holder(payload: Mapping[str, Any], presentation: Mapping[str, Any]) -> str:
    """``iss`` is the holder (VCDM 1.1 §6.3.1); a ``holder`` in ``vp`` must agree."""
    issuer = payload.get("iss")
    named = _holder_id(presentation)
    holder = issuer if issuer is not None else named
    if not isinstance(holder, str) or not holder:
        raise MissingHolderKeyError("the presentation names no holder")
    if named is not None and named != holder:
        raise WrongHolderKeyError("the VP JWT's iss is not the presentation's holder")
    return holder


def _jwt_times(payload: Mapping[str, Any], expected: _Expected) -> datetime:
    iat = payload.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        raise KeyBindingTimeError("the VP JWT has no numeric iat")
    expected.check_made(iat)
    now, leeway = expected.now, expected.leeway
    for claim, late in (("exp", False), ("nbf", True)):
        value = payload.get(claim)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise KeyBindingTimeError(f"the VP JWT's {claim} is not a number")
        if (value > now + leeway) if late else (value < now - leeway):
            raise KeyBindingTimeError(f"the presentation is outside its validity ({claim})")
    return datetime.fromtimestamp(iat, UTC)


def _verify_ldp_vp(document: Mapping[str, Any], expected: _Expected) -> VerifiedPresentation:
    presentation = _presentation_object(document)
    proof = _one_proof(document)
    if proof.get("proofPurpose") != "authentication":
        raise ProofPurposeError("a holder's proof has proofPurpose authentication")
    if not _same(proof.get("domain"), expected.aud):
        raise KeyBindingAudienceError("the presentation's domain is not this verifier")
    if not _same(proof.get("challenge"), expected.nonce):
        raise KeyBindingNonceError("the presentation's challenge is not this transaction's")
    created = _proof_times(proof, expected)
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method:
        raise MalformedCredentialError("the proof names no verificationMethod")
    holder = _holder_id(presentation) or method.partition("#")[0]
    key = holder_key(method, holder)
    # the checks above are cheap; the canonicalization below is not
    deadline_at = time.monotonic() + jsonld.DEFAULT_DEADLINE
    data_integrity.verify_proof(document, proof, key, deadline_at=deadline_at)
    credentials = _credentials(presentation, holder, expected)
    return VerifiedPresentation("ldp_vc", holder, credentials, dict(document), created)


def _one_proof(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """The holder's one proof (a presentation answers one request with one signature)."""
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if proof is None or proof == []:
        raise MissingKeyBindingError("the presentation carries no proof of its holder")
    if not isinstance(proof, Mapping):
        raise MalformedCredentialError("a presentation has exactly one proof object")
    if data_integrity.suite_of(proof) is None or proof.get("type") != "DataIntegrityProof":
        raise InvalidSignatureError("the presentation's proof is not of a suite checked here")
    return proof


def _proof_times(proof: Mapping[str, Any], expected: _Expected) -> datetime:
    """``created`` (required here: it is what makes the proof fresh) and ``expires``."""
    created = _proof_date(proof.get("created"), "created")
    if created is None:
        raise KeyBindingTimeError("the presentation's proof has no created time")
    expected.check_made(created.timestamp())
    expires = _proof_date(proof.get("expires"), "expires")
    if expires is not None and expires.timestamp() < expected.now - expected.leeway:
        raise KeyBindingTimeError("the presentation's proof has expired")
    return created


def _proof_date(value: Any, what: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _DATETIME.fullmatch(value):
        raise KeyBindingTimeError(f"the proof's {what} is not a date and time")
    try:
        moment = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except (ValueError, OverflowError) as exc:
        raise KeyBindingTimeError(f"the proof's {what} is not a date") from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# -- common ------------------------------------------------------------------------------


def _presentation_object(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MalformedCredentialError("the presentation is not a JSON object")
    types = value.get("type")
    listed = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    if VERIFIABLE_PRESENTATION not in listed:
        raise UnexpectedTypeError("a presentation has the type VerifiablePresentation")
    return value


def _holder_id(presentation: Mapping[str, Any]) -> str | None:
    holder = presentation.get("holder")
    value = holder.get("id") if isinstance(holder, Mapping) else holder
    if value is not None and (not isinstance(value, str) or not value):
        raise MalformedCredentialError("the presentation's holder is not an identifier")
    return value


def _credentials(
    presentation: Mapping[str, Any], holder: str, expected: _Expected
) -> tuple[w3c_vc.W3cCredential, ...]:
    """Every enclosed credential, verified and bound to the holder (VCDM 2.0 §5.8
    "Verifiable Presentations": the holder is who the credentials are about, here)."""
    enclosed = presentation.get("verifiableCredential")
    listed = enclosed if isinstance(enclosed, list) else [enclosed] if enclosed else []
    if not listed:
        raise MalformedCredentialError("the presentation holds no credential")
    if len(listed) > MAX_CREDENTIALS:
        raise MalformedCredentialError(f"a presentation holds at most {MAX_CREDENTIALS}")
    verified: list[w3c_vc.W3cCredential] = []
    for item in listed:
        if not isinstance(item, str | Mapping):
            raise MalformedCredentialError("an enclosed credential is a JWT or a JSON object")
        credential = w3c_vc.verify(item, resolver=expected.resolver, now=expected.now)
        if credential.subject != holder:
            raise WrongHolderKeyError("the holder is not the subject of an enclosed credential")
        verified.append(credential)
    return tuple(verified)


def _same(value: Any, expected: str) -> bool:
    """Equal strings, compared in constant time (nonces are the verifier's secrets until
    used)."""
    return isinstance(value, str) and hmac.compare_digest(value.encode(), expected.encode())


def _json_object(value: str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(value, str):
        if len(value) > jsonld.MAX_JSON_BYTES:
            raise MalformedCredentialError("the presentation is implausibly large")
        try:
            value = loads(value)
        except (ValueError, RecursionError) as exc:
            raise MalformedCredentialError("the presentation is not JSON") from exc
    if not isinstance(value, Mapping):
        raise MalformedCredentialError("a presentation is a JSON object")
    return value


def _shown(value: object) -> str:
    """A value from the token, in a message: short, whatever was sent."""
    return repr(value)[:40]
