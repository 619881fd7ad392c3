"""Helpers shared by tests (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wallet_core import NewCredential

PIN = "482916"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def make_credential(index: int, key_id: str | None = None) -> NewCredential:
    """A microcredential-like record with distinctive claim values to search for."""
    return NewCredential(
        format="dc+sd-jwt",
        raw=f"eyJhbGciOiJFUzI1NiJ9.RAW-CREDENTIAL-{index:06d}.c2ln~",
        claims={
            "title": f"Circular Building Design {index}",
            "ects": 5,
            "student": {"given_name": f"Zoë-{index:06d}", "family_name": "Jansen"},
        },
        issuer="https://hogeschool.example",
        issuer_name="Hogeschool Demo",
        type="https://edubadges.example/microcredential",
        title=f"Circular Building Design {index}",
        display={"en": {"name": "Microcredential"}, "nl": {"name": "Microcredential"}},
        issued_at=datetime(2026, 9, 1, tzinfo=UTC),
        expires_at=datetime(2031, 9, 1, tzinfo=UTC),
        key_id=key_id,
    )


OB3_CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def achievement(issuer: str) -> dict[str, Any]:
    return {
        "id": f"{issuer}/achievements/circular",
        "type": ["Achievement"],
        "name": "Circulair ontwerpen in de bouw",
        "description": "5 EC",
        "criteria": {"narrative": "Passed the assessment."},
    }


def ob3_badge(issuer: str, **changes: Any) -> dict[str, Any]:
    """A minimal valid Open Badges 3.0 credential (VCDM 2.0) by ``issuer``, unsigned."""
    return {
        "@context": list(OB3_CONTEXTS),
        "id": "urn:uuid:a63a60be-f4af-491c-87fc-2c8fd3007a58",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Circulair ontwerpen in de bouw",
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Hogeschool Demo"},
        "validFrom": "2026-09-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:student",
            "type": ["AchievementSubject"],
            "achievement": achievement(issuer),
        },
        **changes,
    }


def ob3_endorsement(
    signer: Any, endorser: str, about: str, *, method: str, created: str = "2026-09-01T00:00:00Z"
) -> dict[str, Any]:
    """An OB 3.0 EndorsementCredential of ``about`` by ``endorser``, signed (Data Integrity)
    by ``signer`` as the verification method ``method``."""
    from wallet_core.formats import data_integrity

    return data_integrity.add_proof(
        {
            "@context": list(OB3_CONTEXTS),
            "id": "urn:uuid:endorsement-1",
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "name": "Erkend door de branche",
            "issuer": {"id": endorser, "type": ["Profile"], "name": "Bouwlab"},
            "validFrom": created,
            "credentialSubject": {"id": about, "type": ["EndorsementSubject"]},
        },
        signer,
        verification_method=method,
        created=created,
    )
