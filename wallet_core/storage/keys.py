"""Key records (holder keys, and DPoP keys of issuance sessions). Private keys are stored
(encrypted by SQLCipher) as PKCS#8 DER."""

from __future__ import annotations

from wallet_core.clock import to_datetime
from wallet_core.crypto.keys import Signer
from wallet_core.errors import NotFoundError
from wallet_core.models import KeyAlgorithm, KeyInfo
from wallet_core.storage.codec import dump_json, load_json
from wallet_core.storage.database import Database

HOLDER = "holder"  # binds credentials
DPOP = "dpop"  # proves an issuance session


class KeyRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add_signer(self, signer: Signer, now: float, purpose: str = HOLDER) -> KeyInfo:
        """Keep a freshly made key (a holder key, or a ``DPOP`` session key); its private half
        goes only into this (encrypted) database."""
        created_at = to_datetime(now)
        assert created_at is not None
        info = KeyInfo(signer.kid, signer.alg, dict(signer.public_jwk), created_at)
        self.add(info, signer._vault_material(), purpose)
        return info

    def add(self, info: KeyInfo, private_der: bytes, purpose: str = HOLDER) -> None:
        self._db.execute(
            "INSERT INTO keys (kid, alg, public_jwk, private_key, created_at, purpose) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                info.kid,
                info.alg.value,
                dump_json(dict(info.public_jwk)),
                private_der,
                info.created_at.timestamp(),
                purpose,
            ),
        )

    def info(self, kid: str) -> KeyInfo:
        row = self._db.query_one(
            "SELECT kid, alg, public_jwk, created_at FROM keys WHERE kid = ?", (kid,)
        )
        if row is None:
            raise NotFoundError("no such key")
        created_at = to_datetime(row[3])
        assert created_at is not None
        return KeyInfo(row[0], KeyAlgorithm(row[1]), load_json(row[2]), created_at)

    def private_der(self, kid: str) -> bytes:
        row = self._db.query_one("SELECT private_key FROM keys WHERE kid = ?", (kid,))
        if row is None:
            raise NotFoundError("no such key")
        return bytes(row[0])

    def all(self, purpose: str = HOLDER) -> list[KeyInfo]:
        rows = self._db.query(
            "SELECT kid FROM keys WHERE purpose = ? ORDER BY created_at, kid", (purpose,)
        )
        return [self.info(row[0]) for row in rows]

    def delete(self, kid: str) -> None:
        if self._db.execute("DELETE FROM keys WHERE kid = ?", (kid,)) == 0:
            raise NotFoundError("no such key")
