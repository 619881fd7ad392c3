"""Cached issuer metadata, keys and status lists, so viewing works offline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wallet_core.storage.codec import dump_json, load_json
from wallet_core.storage.database import Database


@dataclass(frozen=True)
class CacheEntry:
    value: Any
    fetched_at: float
    expires_at: float | None

    def fresh(self, now: float) -> bool:
        return self.expires_at is None or now < self.expires_at


class CacheRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def put(
        self, namespace: str, key: str, value: Any, now: float, expires_at: float | None
    ) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO cache (namespace, key, value, fetched_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (namespace, key, dump_json(value), now, expires_at),
        )

    def get(self, namespace: str, key: str) -> CacheEntry | None:
        """The entry even when stale: offline, the last known answer is still worth showing."""
        row = self._db.query_one(
            "SELECT value, fetched_at, expires_at FROM cache WHERE namespace = ? AND key = ?",
            (namespace, key),
        )
        return None if row is None else CacheEntry(load_json(row[0]), row[1], row[2])

    def purge(self, namespace: str) -> None:
        self._db.execute("DELETE FROM cache WHERE namespace = ?", (namespace,))
