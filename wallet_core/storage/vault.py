"""One wallet directory: an SQLCipher database, its wrapped key, unlock state and a lock.

    <directory>/wallet.db           SQLCipher 4, random 256-bit raw key
    <directory>/key.json            that key wrapped under the PIN (keyfile.py)
    <directory>/unlock-state.json   wrong-PIN counter (unlock_guard.py)
    <directory>/.lock               flock held while open

A new vault is built in a hidden sibling directory and renamed into place, so a crash
during creation or restore never leaves a half-made wallet where one is expected.
"""

from __future__ import annotations

import contextlib
import functools
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

from wallet_core.clock import Clock
from wallet_core.errors import (
    LockedOutError,
    StorageError,
    VaultCorruptError,
    VaultExistsError,
    VaultNotFoundError,
    WrongPinError,
)
from wallet_core.storage.activity import ActivityRepository
from wallet_core.storage.cache import CacheRepository
from wallet_core.storage.credentials import CredentialRepository
from wallet_core.storage.database import Database
from wallet_core.storage.files import ExclusiveLock, fsync_dir
from wallet_core.storage.kdf import KEY_LENGTH, KdfParams
from wallet_core.storage.keyfile import KeyFile, UnwrapFailed
from wallet_core.storage.keys import KeyRepository
from wallet_core.storage.migrations import SCHEMA_VERSION, migrate
from wallet_core.storage.pending import PendingRepository
from wallet_core.storage.pin_policy import check_pin
from wallet_core.storage.settings import SettingsRepository
from wallet_core.storage.unlock_guard import FREE_ATTEMPTS, UnlockGuard, lockout_seconds

P = ParamSpec("P")
R = TypeVar("R")


def _file_errors(method: Callable[P, R]) -> Callable[P, R]:
    """The vault's edge to the file system: an ``OSError`` becomes a ``StorageError``."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except OSError as exc:
            raise StorageError(f"the wallet files could not be used ({exc.strerror})") from exc

    return wrapper


DB_FILE = "wallet.db"
KEY_FILE = "key.json"
UNLOCK_STATE_FILE = "unlock-state.json"
LOCK_FILE = ".lock"


class Vault:
    def __init__(self, directory: Path, db: Database, lock: ExclusiveLock, clock: Clock) -> None:
        self.directory = directory
        self.clock = clock
        self._db = db
        self._lock = lock
        self.credentials = CredentialRepository(db)
        self.keys = KeyRepository(db)
        self.activity = ActivityRepository(db)
        self.cache = CacheRepository(db)
        self.settings = SettingsRepository(db)
        self.pending = PendingRepository(db)

    # -- lifecycle -----------------------------------------------------------------------

    @staticmethod
    def exists(directory: Path) -> bool:
        return (directory / KEY_FILE).is_file()

    @classmethod
    @_file_errors
    def create(
        cls,
        directory: Path,
        pin: str,
        *,
        kdf: KdfParams,
        clock: Clock,
        populate: Callable[[Database], None] | None = None,
        populate_schema: int = SCHEMA_VERSION,
    ) -> Vault:
        """Build a new vault; ``populate`` fills it (restore) before it becomes visible.

        ``populate`` runs on a schema at ``populate_schema`` (the version the restored
        data was written for); the usual migrations then carry it forward.
        """
        check_pin(pin)
        _require_free(directory)
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = directory.parent / f".{directory.name}.staging-{secrets.token_hex(4)}"
        staging.mkdir(mode=0o700)
        db_key = secrets.token_bytes(KEY_LENGTH)
        try:
            db = Database(staging / DB_FILE, db_key)
            # SQLite gives its -wal and -shm files the database file's mode.
            (staging / DB_FILE).chmod(0o600)
            try:
                if populate is not None:
                    migrate(db, target=populate_schema)
                    with db.transaction():
                        populate(db)
                migrate(db)
            finally:
                db.close()
            KeyFile.wrap(db_key, pin, kdf).save(staging / KEY_FILE)
            _require_free(directory)
            with contextlib.suppress(FileNotFoundError):
                directory.rmdir()  # an empty directory the caller made for us
            staging.rename(directory)
            fsync_dir(directory.parent)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return cls._attach(directory, db_key, clock)

    @classmethod
    @_file_errors
    def open(cls, directory: Path, pin: str, *, clock: Clock) -> Vault:
        if not cls.exists(directory):
            raise VaultNotFoundError("there is no wallet in this directory")
        lock = ExclusiveLock(directory / LOCK_FILE)
        try:
            keyfile = KeyFile.load(directory / KEY_FILE)
            db_key = _unwrap_counted(
                keyfile, pin, UnlockGuard(directory / UNLOCK_STATE_FILE, clock)
            )
            return cls(directory, _open_database(directory, db_key), lock, clock)
        except BaseException:
            lock.release()
            raise

    @classmethod
    def _attach(cls, directory: Path, db_key: bytes, clock: Clock) -> Vault:
        lock = ExclusiveLock(directory / LOCK_FILE)
        try:
            return cls(directory, _open_database(directory, db_key), lock, clock)
        except BaseException:
            lock.release()
            raise

    def close(self) -> None:
        self.credentials.forget()
        self._db.close()
        self._lock.release()

    @property
    def closed(self) -> bool:
        return self._db.closed

    @_file_errors
    def change_pin(self, old_pin: str, new_pin: str) -> None:
        """Re-wrap the database key under ``new_pin``; the database itself is untouched."""
        check_pin(new_pin)
        keyfile = KeyFile.load(self.directory / KEY_FILE)
        guard = UnlockGuard(self.directory / UNLOCK_STATE_FILE, self.clock)
        db_key = _unwrap_counted(keyfile, old_pin, guard)
        KeyFile.wrap(db_key, new_pin, keyfile.kdf).save(self.directory / KEY_FILE)

    @_file_errors
    def destroy(self) -> None:
        """Close and erase. The key file goes first: without it the database is noise."""
        self.close()
        erase(self.directory)

    # -- data ----------------------------------------------------------------------------

    @property
    def database(self) -> Database:
        return self._db

    def transaction(self) -> contextlib.AbstractContextManager[None]:
        return self._db.transaction()

    def now(self) -> float:
        return self.clock.now()


@_file_errors
def lockout_remaining(directory: Path, clock: Clock) -> float:
    """Seconds until the next PIN attempt is allowed (0: now); counts no attempt."""
    return UnlockGuard(directory / UNLOCK_STATE_FILE, clock).read().seconds_left(clock.now())


@_file_errors
def erase(directory: Path) -> None:
    """Delete a wallet directory that nobody has open (also used when a PIN is forgotten).

    Refuses a directory holding anything but wallet files: a wrong path must never cost
    the user their other files.
    """
    if not directory.is_dir():
        raise VaultNotFoundError("there is no wallet in this directory")
    strangers = [p.name for p in directory.iterdir() if not _is_wallet_file(p.name)]
    if strangers:
        raise VaultExistsError("the directory holds files that are not the wallet's")
    lock = ExclusiveLock(directory / LOCK_FILE)
    try:
        with contextlib.suppress(FileNotFoundError):
            (directory / KEY_FILE).unlink()
        fsync_dir(directory)
    finally:
        lock.release()
    shutil.rmtree(directory)


def _is_wallet_file(name: str) -> bool:
    return (
        name in (KEY_FILE, UNLOCK_STATE_FILE, LOCK_FILE)
        or name.startswith(DB_FILE)  # the database and its -wal / -shm files
        or (name.startswith(".") and ".tmp-" in name)  # an interrupted atomic write
    )


def _require_free(directory: Path) -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise VaultExistsError("the directory already holds a wallet or other files")


def _unwrap_counted(keyfile: KeyFile, pin: str, guard: UnlockGuard) -> bytes:
    pending = guard.begin_attempt()
    try:
        db_key = keyfile.unwrap(pin)
    except UnwrapFailed:
        wait = lockout_seconds(pending.failures)
        if wait > 0:
            raise LockedOutError(wait) from None
        raise WrongPinError(FREE_ATTEMPTS - pending.failures) from None
    guard.succeeded()
    return db_key


def _open_database(directory: Path, db_key: bytes) -> Database:
    path = directory / DB_FILE
    # sqlite would happily create an empty database in place of a lost one.
    if not path.is_file() or path.stat().st_size == 0:
        raise VaultCorruptError("the wallet database is missing")
    db = Database(path, db_key)
    try:
        migrate(db)
    except BaseException:
        db.close()
        raise
    return db
