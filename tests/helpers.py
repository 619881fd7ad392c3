"""Helpers shared by tests (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

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
