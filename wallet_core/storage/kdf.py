"""PIN/passphrase key derivation: Argon2id from ``cryptography``.

The parameters travel with what they protect (key file, backup header), each with a
version, so they can be raised later without locking anyone out.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from wallet_core.errors import VaultCorruptError

KEY_LENGTH = 32


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. The default takes about 0.4 s on this project's 2-core reference machine."""

    name: str = "argon2id"
    version: int = 1
    memory_kib: int = 128 * 1024
    iterations: int = 4
    lanes: int = 1

    @classmethod
    def fast_for_tests(cls) -> KdfParams:
        """A deliberately weak cost for tests and benchmarks that are not about the KDF."""
        return cls(memory_kib=64, iterations=1, lanes=1)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> KdfParams:
        try:
            params = cls(
                name=str(data["name"]),
                version=int(data["version"]),
                memory_kib=int(data["memory_kib"]),
                iterations=int(data["iterations"]),
                lanes=int(data["lanes"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise VaultCorruptError("KDF parameters are unreadable") from exc
        # Bounds stop a tampered file from asking for absurd work or memory.
        if (
            params.name != "argon2id"
            or params.version != 1
            or not 8 <= params.memory_kib <= 4 * 1024 * 1024
            or not 1 <= params.iterations <= 64
            or not 1 <= params.lanes <= 16
            or params.memory_kib < 8 * params.lanes  # Argon2's own minimum
        ):
            raise VaultCorruptError("KDF parameters are out of range")
        return params


def normalize_secret(secret: str) -> bytes:
    """NFC so that the same PIN typed on two keyboards derives the same key."""
    return unicodedata.normalize("NFC", secret).encode("utf-8")


def derive_key(secret: str, salt: bytes, params: KdfParams) -> bytes:
    kdf = Argon2id(
        salt=salt,
        length=KEY_LENGTH,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(normalize_secret(secret))
