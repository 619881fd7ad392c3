"""W3C Verifiable Credentials on the format seam: ``jwt_vc_json`` and ``ldp_vc``.

What the vault keeps of one: ``raw`` exactly as issued (the VC-JWT, or the JSON-LD document
with its proofs) and as ``claims`` the credential document :func:`w3c_vc.verify` produced
(for a VCDM 1.1 JWT the ``vc`` object with ``iss``/``sub``/``nbf``/``exp``/``jti`` mapped in),
since OpenID4VP 1.0 Appendix B.1.2 roots claims paths at the credential.

- **Types** (B.1.1): the ``type`` values expanded with the credential's own ``@context``, beside
  the compact terms a verifier may also send; a context that cannot be expanded offline leaves
  the compact terms only (what a type not defined in any context expands to anyway).
- **Holder binding**: the holder is the credential subject, named by a ``did:jwk`` of the key
  the wallet made for it (OpenID4VCI 1.0 Appendix F.1 ``kid``); the wallet signs the
  presentation with that key.
- **No selective disclosure**: a presentation carries the whole credential.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from wallet_core.crypto import Signer, did_jwk
from wallet_core.crypto.jwk import did_jwk_key
from wallet_core.errors import (
    MalformedCredentialError,
    UnexpectedCredentialTypeError,
    WalletError,
)
from wallet_core.formats import endorsements, jsonld, status_w3c, w3c_presentation, w3c_vc
from wallet_core.formats.json_text import jwt_parts, loads
from wallet_core.formats.rules import JWT_REGISTERED, W3C_BOOKKEEPING, Rules, type_values
from wallet_core.formats.seam import (
    DisplaySource,
    HeldCredential,
    IssuerKeys,
    Presentation,
    VerifiedCredential,
)
from wallet_core.models import ClaimPath, StoredCredential

VERIFIABLE_CREDENTIAL = "VerifiableCredential"


@dataclass(frozen=True)
class W3cHeld:
    """The format's own parsed form of a held credential (``HeldCredential.parsed``)."""

    raw: str = field(repr=False)
    document: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True)
class W3cFormat(Rules):
    """One W3C VC format as a :class:`~wallet_core.formats.seam.CredentialFormat`."""

    name: str = ""
    vp_parameters: Mapping[str, Any] = field(compare=False, default_factory=dict)
    #: presented as a VP JWT (``jwt_vc_json``), else as a Data Integrity VP (``ldp_vc``)
    jwt: bool = False

    def verify_issued(
        self,
        issued: object,
        keys: IssuerKeys,
        *,
        expected_types: tuple[str, ...],
        now: float,
    ) -> VerifiedCredential:
        if not isinstance(issued, str | Mapping):
            raise MalformedCredentialError("a W3C credential is a JWT or a JSON object")
        credential = w3c_vc.verify(issued, resolver=keys.assertion_method, now=now)
        if credential.format != self.name:
            raise MalformedCredentialError(f"the issuer sent {credential.format}, not {self.name}")
        checks = endorsements.check(credential.document, resolver=keys.assertion_method, now=now)
        return dataclasses.replace(
            verified(credential, expected_types),
            endorsements=tuple(c.as_record() for c in checks),
        )

    def read(self, stored: StoredCredential) -> HeldCredential:
        document = stored.claims
        compact = _types(document)
        return HeldCredential(
            id=stored.id,
            format=stored.format,
            types=(*compact, *(t for t in expanded_types(document) if t not in compact)),
            claims=document,
            holder_binding=stored.key_id is not None,
            alg=_algorithm(stored.raw),
            issuer=_issuer(document),
            key_id=stored.key_id,
            parsed=W3cHeld(stored.raw, document),
        )

    def status_reference(self, held: HeldCredential) -> status_w3c.W3cStatusReference | None:
        """The credential's ``credentialStatus`` entries; the lists must be its issuer's."""
        if held.issuer is None:
            return None
        return status_w3c.parse_w3c_status(held.claims, issuer=held.issuer)

    def display_source(self, held: HeldCredential) -> DisplaySource:
        return own_display(held.claims)

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
    ) -> Presentation:
        """A VP of the whole credential (there is nothing to leave out), signed by the
        holder: a VP JWT (B.1.3.1.5) or a Data Integrity VP (B.1.3.2.5). A credential bound
        to no key of this wallet (imported) goes as it is: a VC without holder binding
        (Appendix B.1), which only a query that does not require binding accepts."""
        parsed = held.parsed if isinstance(held.parsed, W3cHeld) else None
        if parsed is None:
            raise MalformedCredentialError("this credential was not read as a W3C credential")
        raw = instance if instance is not None else parsed.raw
        if signer is None:
            return raw if self.jwt else _json_document(raw)
        holder = did_jwk(signer.public_jwk)
        if self.jwt:
            return w3c_presentation.present_jwt(
                raw, signer, holder=holder, aud=aud, nonce=nonce, iat=iat
            )
        created = datetime.fromtimestamp(iat, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return w3c_presentation.present_ldp(
            _json_document(raw), signer, holder=holder, domain=aud, challenge=nonce, created=created
        )


def for_text(text: str) -> W3cFormat:
    """The format of a credential as text: a JSON document is secured by embedded proofs
    (``ldp_vc``), anything else must be a VC-JWT (``jwt_vc_json``)."""
    return LDP_VC if text.lstrip().startswith("{") else JWT_VC_JSON


def compact_json(text: str) -> str:
    """A JSON document as :func:`w3c_vc.verify` keeps one given as an object; text that is
    not JSON is left for the verifier to refuse."""
    try:
        return w3c_vc.compact(loads(text))
    except (ValueError, RecursionError):
        return text


def own_display(document: Mapping[str, Any]) -> DisplaySource:
    """An Open Badge names itself and its image in its achievement (OB 3.0 B.1.1
    ``Achievement.name``/``image``); other credentials by their own ``name`` (VCDM 2.0 §4.6)."""
    subject = document.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    if not isinstance(achievement, Mapping):
        own = document.get("name")
        return DisplaySource(name=own if isinstance(own, str) and own else None)
    name = achievement.get("name")
    image = achievement.get("image")
    image_id = image.get("id") if isinstance(image, Mapping) else image
    kind = achievement.get("achievementType")
    return DisplaySource(
        name=name if isinstance(name, str) and name else None,
        image=image_id if isinstance(image_id, str) and image_id else None,
        kind=kind if isinstance(kind, str) and kind else None,
    )


def verified(
    credential: w3c_vc.W3cCredential, expected_types: tuple[str, ...]
) -> VerifiedCredential:
    """What the vault keeps of a verified W3C credential; the holder key is the one its
    subject's ``did:jwk`` names (None when the subject is no such DID)."""
    document = credential.document
    compact = credential.types
    known = {*compact, *expanded_types(document)}
    missing = [t for t in expected_types if t not in known]
    if missing:
        raise UnexpectedCredentialTypeError(f"expected a {missing[0]!r} credential")
    specific = [t for t in compact if t != VERIFIABLE_CREDENTIAL]
    source = own_display(document)
    holder = did_jwk_key(credential.subject) if credential.subject else None
    return VerifiedCredential(
        raw=credential.raw,
        claims=document,
        issuer=credential.issuer,
        type=specific[-1] if specific else VERIFIABLE_CREDENTIAL,
        issued_at=credential.valid_from,
        expires_at=_end(credential.valid_until),
        holder_jwk=holder,
        name=source.name,
        image=source.image,
        kind=source.kind,
    )


def expanded_types(document: Mapping[str, Any]) -> tuple[str, ...]:
    """The credential's types as IRIs, by expanding only ``@context`` and ``type``; empty
    when a context is not pinned or not valid JSON-LD (the compact terms still match)."""
    types = document.get("type")
    if "@context" not in document or types is None:
        return ()
    try:
        expanded = jsonld.expand({"@context": document["@context"], "type": types})
    except WalletError:
        return ()
    node = expanded[0] if expanded and isinstance(expanded[0], Mapping) else {}
    found = node.get("@type")
    return tuple(t for t in found if isinstance(t, str)) if isinstance(found, list) else ()


def _types(document: Mapping[str, Any]) -> tuple[str, ...]:
    value = document.get("type")
    listed = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return tuple(dict.fromkeys(t for t in listed if isinstance(t, str)))


def _issuer(document: Mapping[str, Any]) -> str | None:
    issuer = document.get("issuer")
    value = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    return value if isinstance(value, str) else None


def _algorithm(raw: str) -> str | None:
    """The issuer's JWS ``alg``, or the cryptosuite of a Data Integrity proof."""
    if raw.lstrip().startswith("{"):
        proof = _json_document(raw).get("proof")
        first = proof[0] if isinstance(proof, list) and proof else proof
        if not isinstance(first, Mapping):
            return None
        suite = first.get("cryptosuite") or first.get("type")
        return suite if isinstance(suite, str) else None
    header, _ = jwt_parts(raw, "VC-JWT")
    alg = header.get("alg")
    return alg if isinstance(alg, str) else None


def _end(valid_until: datetime | None) -> datetime | None:
    if valid_until is None or valid_until.timestamp() >= w3c_vc.OPEN_ENDED:
        return None
    return valid_until


def _json_document(raw: str) -> Mapping[str, Any]:
    try:
        document = loads(raw)
    except (ValueError, RecursionError) as exc:
        raise MalformedCredentialError("the stored credential is not JSON") from exc
    if not isinstance(document, Mapping):
        raise MalformedCredentialError("the stored credential is not a JSON object")
    return document


_COMMON: dict[str, Any] = {
    "subject_in_definition": True,
    "holder_did": True,
    "meta": type_values,
}
JWT_VC_JSON = W3cFormat(
    identifiers=frozenset({"jwt_vc_json"}),
    bookkeeping=W3C_BOOKKEEPING | JWT_REGISTERED,
    # PE paths of draft-era verifiers are rooted at the JWT payload: ``$.vc.type``
    bookkeeping_under=("vc", W3C_BOOKKEEPING),
    name="jwt_vc_json",
    vp_parameters={"alg_values": sorted(w3c_vc.JWT_ALGORITHMS)},
    nested_in=("jwt_vp_json", "$.vp.verifiableCredential[0]"),
    jwt=True,
    **_COMMON,
)
LDP_VC = W3cFormat(
    identifiers=frozenset({"ldp_vc"}),
    bookkeeping=W3C_BOOKKEEPING,
    name="ldp_vc",
    vp_parameters={
        "proof_type_values": ["DataIntegrityProof", "Ed25519Signature2020"],
        "cryptosuite_values": ["eddsa-rdfc-2022", "ecdsa-rdfc-2019"],
    },
    nested_in=("ldp_vp", "$.verifiableCredential[0]"),
    **_COMMON,
)
