"""The SQLCipher connection: keying, transactions and translation of library errors.

Every sqlcipher3 exception is turned into a ``StorageError`` here, at the library edge;
"not a database" and "malformed" mean the file is damaged (or the key is not its key).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlcipher

from wallet_core.errors import StorageError, VaultClosedError, VaultCorruptError

_CORRUPT_MARKERS = ("not a database", "malformed", "disk image", "file is encrypted")

Row = tuple[Any, ...]


@contextlib.contextmanager
def translated_errors() -> Iterator[None]:
    try:
        yield
    except sqlcipher.Error as exc:
        message = str(exc).lower()
        if any(marker in message for marker in _CORRUPT_MARKERS):
            raise VaultCorruptError("the wallet database is damaged or unreadable") from exc
        raise StorageError(f"database error: {type(exc).__name__}") from exc


class Database:
    """One keyed connection, shared by the repositories; safe to use from several threads.

    Transactions nest: only the outermost ``transaction()`` issues BEGIN/COMMIT, so a use
    case composed of several repository writes commits once or not at all.
    """

    def __init__(self, path: Path, key: bytes) -> None:
        self._lock = threading.RLock()
        self._depth = 0
        with translated_errors():
            conn = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=False)
            try:
                conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
                # Reading the schema is the first moment SQLCipher checks the key.
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")
                conn.execute("PRAGMA secure_delete = ON")
                conn.execute("PRAGMA temp_store = MEMORY")
            except BaseException:
                conn.close()
                raise
        self._conn: Any = conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                with translated_errors():
                    self._conn.close()
                self._conn = None

    @property
    def closed(self) -> bool:
        return self._conn is None

    def _connection(self) -> Any:
        if self._conn is None:
            raise VaultClosedError("the wallet is closed")
        return self._conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            conn = self._connection()
            outermost = self._depth == 0
            with translated_errors():
                if outermost:
                    conn.execute("BEGIN IMMEDIATE")
                self._depth += 1
                try:
                    yield
                except BaseException:
                    self._depth -= 1
                    if outermost:
                        conn.execute("ROLLBACK")
                    raise
                self._depth -= 1
                if outermost:
                    try:
                        conn.execute("COMMIT")
                    except BaseException:
                        # a failed COMMIT (disk full, I/O) leaves the transaction open
                        conn.execute("ROLLBACK")
                        raise

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement and return the number of rows it changed."""
        with self._lock, translated_errors():
            cursor = self._connection().execute(sql, params)
            return int(cursor.rowcount)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._lock, translated_errors():
            self._connection().executemany(sql, rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._lock, translated_errors():
            rows: list[Row] = self._connection().execute(sql, params).fetchall()
            return rows

    def query_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        with self._lock, translated_errors():
            row = self._connection().execute(sql, params).fetchone()
            return None if row is None else tuple(row)
