"""Deferred issuance in progress (OpenID4VCI 1.0 §9): kept in the vault across restarts,
because the session holds an access token and the keys the credential will be bound to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wallet_core.clock import to_datetime
from wallet_core.errors import NotFoundError
from wallet_core.models import PendingCredential
from wallet_core.storage.codec import dump_json, load_json
from wallet_core.storage.database import Database, Row

_COLUMNS = "id, issuer, configuration_id, title, transaction_id, next_poll_at, created_at"


class PendingRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(
        self,
        pending_id: str,
        *,
        issuer: str,
        configuration_id: str,
        title: str,
        transaction_id: str,
        session: Mapping[str, Any],
        next_poll_at: float,
        now: float,
    ) -> None:
        self._db.execute(
            f"INSERT INTO pending_credentials ({_COLUMNS}, session) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                pending_id,
                issuer,
                configuration_id,
                title,
                transaction_id,
                next_poll_at,
                now,
                dump_json(dict(session)),
            ),
        )

    def all(self) -> list[PendingCredential]:
        rows = self._db.query(f"SELECT {_COLUMNS} FROM pending_credentials ORDER BY created_at")
        return [_pending(row) for row in rows]

    def get(self, pending_id: str) -> tuple[PendingCredential, dict[str, Any]]:
        row = self._db.query_one(
            f"SELECT {_COLUMNS}, session FROM pending_credentials WHERE id = ?", (pending_id,)
        )
        if row is None:
            raise NotFoundError("no such pending credential")
        session = load_json(row[7])
        return _pending(row[:7]), session if isinstance(session, dict) else {}

    def reschedule(self, pending_id: str, next_poll_at: float) -> None:
        self._db.execute(
            "UPDATE pending_credentials SET next_poll_at = ? WHERE id = ?",
            (next_poll_at, pending_id),
        )

    def delete(self, pending_id: str) -> None:
        if self._db.execute("DELETE FROM pending_credentials WHERE id = ?", (pending_id,)) == 0:
            raise NotFoundError("no such pending credential")


def _pending(row: Row) -> PendingCredential:
    next_poll, created = to_datetime(row[5]), to_datetime(row[6])
    assert next_poll is not None and created is not None
    return PendingCredential(row[0], row[1], row[2], row[3], row[4], next_poll, created)
