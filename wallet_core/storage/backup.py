"""Encrypted backup files: every table of the vault, sealed with a passphrase.

File layout (version 1)::

    b"EDUWBAK1"  magic and format version
    u32 BE       length of the header
    header       JSON: kdf parameters, salt, nonce, schema version, creation time
    ciphertext   AES-256-GCM(zlib(JSON of all tables)); the magic, length and header are
                 its associated data, so no byte of the file can change unnoticed

The key comes from the passphrase through Argon2id with the parameters in the header.
Decryption happens fully in memory before anything is written, so a wrong passphrase or
a damaged file cannot leave a half-restored wallet behind.
"""

from __future__ import annotations

import base64
import json
import os
import struct
import zlib
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from wallet_core.errors import BackupError, StorageError, VaultCorruptError
from wallet_core.storage.database import Database
from wallet_core.storage.files import write_atomic
from wallet_core.storage.kdf import KdfParams, derive_key
from wallet_core.storage.migrations import SCHEMA_VERSION, schema_version
from wallet_core.storage.pin_policy import check_backup_passphrase

MAGIC = b"EDUWBAK1"
MAX_HEADER = 4096
# Parents before children, so foreign keys hold while rows are inserted.
TABLES = (
    "keys",
    "credentials",
    "credential_data",
    "credential_instances",
    "pending_credentials",
    "activity",
    "cache",
    "settings",
)
_BLOB = "$b64"


def export_backup(db: Database, path: Path, passphrase: str, now: float, kdf: KdfParams) -> None:
    check_backup_passphrase(passphrase)
    with db.transaction():  # one consistent snapshot of every table
        payload = {"schema_version": schema_version(db), "tables": _dump_tables(db)}
    plaintext = zlib.compress(json.dumps(payload, separators=(",", ":")).encode(), 6)
    salt, nonce = os.urandom(16), os.urandom(12)
    header = json.dumps(
        {
            "kdf": kdf.to_json(),
            "salt": base64.b64encode(salt).decode(),
            "nonce": base64.b64encode(nonce).decode(),
            "schema_version": payload["schema_version"],
            "created_at": now,
        },
        sort_keys=True,
    ).encode()
    prefix = MAGIC + struct.pack(">I", len(header)) + header
    ciphertext = AESGCM(derive_key(passphrase, salt, kdf)).encrypt(nonce, plaintext, prefix)
    try:
        write_atomic(path, prefix + ciphertext)
    except OSError as exc:
        raise BackupError("the backup file could not be written") from exc


def read_backup(source: Path | bytes, passphrase: str) -> dict[str, Any]:
    """Decrypt and check a backup (a file, or its bytes as a browser upload delivers them).

    Returns its payload. Raises ``BackupError`` for any fault.
    """
    if isinstance(source, bytes):
        blob = source
    else:
        try:
            blob = source.read_bytes()
        except OSError as exc:
            raise BackupError("the backup file could not be read") from exc
    if len(blob) < len(MAGIC) + 4 or not blob.startswith(MAGIC):
        raise BackupError("this is not an eduwallet backup file")
    (header_length,) = struct.unpack(">I", blob[len(MAGIC) : len(MAGIC) + 4])
    start = len(MAGIC) + 4
    if header_length > MAX_HEADER or len(blob) < start + header_length + 16:
        raise BackupError("the backup file is truncated or damaged")
    prefix = blob[: start + header_length]
    try:
        header = json.loads(prefix[start:])
        kdf = KdfParams.from_json(header["kdf"])
        salt = base64.b64decode(header["salt"], validate=True)
        nonce = base64.b64decode(header["nonce"], validate=True)
    except (ValueError, KeyError, TypeError, VaultCorruptError) as exc:
        raise BackupError("the backup header is damaged") from exc
    try:
        plaintext = AESGCM(derive_key(passphrase, salt, kdf)).decrypt(
            nonce, blob[len(prefix) :], prefix
        )
    except (InvalidTag, ValueError) as exc:
        raise BackupError("wrong passphrase, or the backup file was altered") from exc
    try:
        payload: Any = json.loads(zlib.decompress(plaintext))
        version = int(payload["schema_version"])
        tables = payload["tables"]
    except (ValueError, KeyError, TypeError, zlib.error) as exc:
        raise BackupError("the backup content is damaged") from exc
    if not 1 <= version <= SCHEMA_VERSION or not isinstance(tables, dict):
        raise BackupError("this backup was made by a newer version of eduwallet")
    return {"schema_version": version, "tables": tables}


def load_tables(db: Database, tables: dict[str, Any]) -> None:
    """Insert the rows of a decrypted backup into an empty vault (inside its transaction)."""
    try:
        for table in TABLES:
            section = tables.get(table)
            if section is None:
                continue
            columns = [str(column) for column in section["columns"]]
            if any(not column.isidentifier() for column in columns):
                raise BackupError("the backup names an invalid column")
            marks = ", ".join("?" * len(columns))
            rows = [[_decode(value) for value in row] for row in section["rows"]]
            db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
    except (KeyError, TypeError, ValueError, StorageError) as exc:
        raise BackupError("the backup content is damaged") from exc


def _dump_tables(db: Database) -> dict[str, Any]:
    dumped = {}
    for table in TABLES:
        columns = [row[1] for row in db.query(f"PRAGMA table_info({table})")]
        if not columns:  # a table a newer schema added
            continue
        rows = db.query(f"SELECT {', '.join(columns)} FROM {table}")
        dumped[table] = {"columns": columns, "rows": [[_encode(v) for v in row] for row in rows]}
    return dumped


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return {_BLOB: base64.b64encode(bytes(value)).decode()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        return base64.b64decode(value[_BLOB], validate=True)
    return value
