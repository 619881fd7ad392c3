"""Building and signing the SD-JWT VCs.

Every credential carries ``iss`` (the issuer identifier), ``iat``, ``exp`` (five years),
``vct`` with ``vct#integrity`` (SRI of the type metadata bytes we serve), ``status``
(its own Token Status List index) and ``cnf.jwk`` (the key of the proof it answers).
Subject and course claims are selectively disclosable unless the type metadata says
``sd: never``; the bookkeeping claims above never are (SD-JWT VC §3.2.2.2).

A batch (several proofs) is one dataset issued several times: the same ``identifier`` and
claim values, but a fresh holder key, fresh salts and a fresh status index per copy.

Open Badge configurations are built by :mod:`~demo_services.issuer.open_badges`, one per
holder DID; only the record of the issuance is shared.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from demo_services.issuer import open_badges
from demo_services.issuer.catalog import Offering, Student
from demo_services.issuer.context import Issuer
from demo_services.issuer.state import Issuance
from demo_services.issuer.tokens import short_id
from wallet_core.crypto import thumbprint
from wallet_core.formats import sd_jwt, sd_jwt_vc

_BOOKKEEPING = sd_jwt_vc.BOOKKEEPING | {"jti"}
_DAY = 86_400


def credential_payload(
    issuer: Issuer, offering: Offering, student: Student, *, identifier: str, idx: int
) -> dict[str, Any]:
    now = int(issuer.now())
    ctype = issuer.type_of(offering)
    status_list, index = issuer.status_lists.locate(idx)
    payload: dict[str, Any] = {
        "iss": issuer.identifier,
        "iat": now,
        "exp": now + issuer.settings.credential_validity_days * _DAY,
        "vct": ctype.vct,
        "vct#integrity": ctype.integrity,
        "status": {"status_list": {"idx": index, "uri": status_list.uri}},
        "identifier": identifier,
        **offering.facts,
        **offering.subject_claims(student),
        "issuanceDate": datetime.fromtimestamp(now, UTC).date().isoformat(),
    }
    return payload


def disclosable_paths(issuer: Issuer, offering: Offering, payload: dict[str, Any]) -> list[Any]:
    ctype = issuer.type_of(offering)
    return [(name,) for name in payload if name not in _BOOKKEEPING and ctype.is_disclosable(name)]


def sign_credential(
    issuer: Issuer, offering: Offering, payload: dict[str, Any], holder_jwk: dict[str, str]
) -> str:
    disclosable = disclosable_paths(issuer, offering, payload)
    header = {"kid": issuer.signer.kid}
    if issuer.settings.draft13:
        # Draft 13 predates the dc+sd-jwt media type; the rules are otherwise the same.
        return sd_jwt.issue(
            payload,
            disclosable,
            issuer_key=issuer.signer,
            holder_jwk=holder_jwk,
            typ="vc+sd-jwt",
            header=header,
        )
    return sd_jwt_vc.issue(
        payload, disclosable, issuer_key=issuer.signer, holder_jwk=holder_jwk, header=header
    )


def issue(
    issuer: Issuer,
    offering: Offering,
    student: Student,
    holder_jwks: list[dict[str, str]],
    holder_dids: list[str] | None = None,
) -> tuple[Issuance, list[Any]]:
    """One credential per holder key (an Open Badge: per holder DID); records the issuance
    (for revocation, notification)."""
    credentials: list[Any] = []
    indices: list[int] = []
    bitstring: list[int] = []
    if offering.is_open_badge:
        credentials, bitstring = open_badges.issue(issuer, offering, student, holder_dids or [])
    else:
        identifier = f"urn:uuid:{uuid.uuid4()}"
        for jwk in holder_jwks:
            idx = issuer.status_lists.allocate()
            payload = credential_payload(issuer, offering, student, identifier=identifier, idx=idx)
            credentials.append(sign_credential(issuer, offering, payload, jwk))
            indices.append(idx)
    issuance = Issuance(
        id=short_id(),
        configuration_id=offering.id,
        student=student,
        issued_at=issuer.now(),
        status_indices=indices,
        notification_id=short_id(),
        holder_thumbprints=[thumbprint(jwk) for jwk in holder_jwks],
        bitstring_indices=bitstring,
    )
    issuer.state.issuances.append(issuance)
    return issuance, credentials
