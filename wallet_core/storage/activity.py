"""The holder's history: append-only, newest first when read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wallet_core.clock import to_datetime
from wallet_core.models import ActivityEntry
from wallet_core.storage.codec import dump_json, load_json
from wallet_core.storage.database import Database


class ActivityRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(
        self,
        kind: str,
        now: float,
        *,
        credential_id: str | None = None,
        counterparty: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        self._db.execute(
            "INSERT INTO activity (at, kind, credential_id, counterparty, details) "
            "VALUES (?, ?, ?, ?, ?)",
            (now, kind, credential_id, counterparty, dump_json(dict(details or {}))),
        )

    def last_at(self, *kinds: str) -> float | None:
        """When an entry of one of ``kinds`` was last recorded, if ever."""
        marks = ", ".join("?" for _ in kinds)
        row = self._db.query_one(f"SELECT max(at) FROM activity WHERE kind IN ({marks})", kinds)
        return None if row is None or row[0] is None else float(row[0])

    def entries(self, limit: int | None = None) -> list[ActivityEntry]:
        rows = self._db.query(
            "SELECT id, at, kind, credential_id, counterparty, details FROM activity "
            "ORDER BY id DESC LIMIT ?",
            (-1 if limit is None else limit,),
        )
        entries = []
        for row in rows:
            at = to_datetime(row[1])
            assert at is not None
            entries.append(ActivityEntry(row[0], at, row[2], row[3], row[4], load_json(row[5])))
        return entries
