"""Holder preferences stored inside the vault (JSON values by key)."""

from __future__ import annotations

from typing import Any

from wallet_core.storage.codec import dump_json, load_json
from wallet_core.storage.database import Database


class SettingsRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, key: str, default: Any = None) -> Any:
        row = self._db.query_one("SELECT value FROM settings WHERE key = ?", (key,))
        return default if row is None else load_json(row[0])

    def set(self, key: str, value: Any) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, dump_json(value))
        )

    def all(self) -> dict[str, Any]:
        return {
            row[0]: load_json(row[1]) for row in self._db.query("SELECT key, value FROM settings")
        }
