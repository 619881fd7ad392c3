"""The key file: the vault's random database key, wrapped under a PIN-derived key.

Layout (JSON, version 1)::

    {"version": 1, "kdf": {...}, "salt": b64, "nonce": b64, "wrapped_key": b64}

The wrapping is AES-256-GCM with the version and KDF parameters as associated data, so a
file whose cost was edited down fails to unwrap instead of silently weakening the PIN.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from wallet_core.errors import VaultCorruptError
from wallet_core.storage.files import write_atomic
from wallet_core.storage.kdf import KEY_LENGTH, KdfParams, derive_key

KEYFILE_VERSION = 1


class UnwrapFailed(Exception):
    """Internal: the PIN did not open the key (or the wrapped key was altered)."""


@dataclass(frozen=True)
class KeyFile:
    kdf: KdfParams
    salt: bytes
    nonce: bytes
    wrapped_key: bytes = b""

    @classmethod
    def wrap(cls, db_key: bytes, pin: str, kdf: KdfParams) -> KeyFile:
        salt, nonce = os.urandom(16), os.urandom(12)
        header = cls(kdf=kdf, salt=salt, nonce=nonce)
        wrapping_key = derive_key(pin, salt, kdf)
        wrapped = AESGCM(wrapping_key).encrypt(nonce, db_key, header._aad())
        return cls(kdf=kdf, salt=salt, nonce=nonce, wrapped_key=wrapped)

    def unwrap(self, pin: str) -> bytes:
        wrapping_key = derive_key(pin, self.salt, self.kdf)
        try:
            db_key = AESGCM(wrapping_key).decrypt(self.nonce, self.wrapped_key, self._aad())
        except InvalidTag as exc:
            raise UnwrapFailed from exc
        if len(db_key) != KEY_LENGTH:
            raise VaultCorruptError("the key file holds a key of the wrong size")
        return db_key

    def _aad(self) -> bytes:
        header = {"version": KEYFILE_VERSION, "kdf": self.kdf.to_json()}
        return json.dumps(header, sort_keys=True).encode() + self.salt

    def save(self, path: Path) -> None:
        document = {
            "version": KEYFILE_VERSION,
            "kdf": self.kdf.to_json(),
            "salt": _b64(self.salt),
            "nonce": _b64(self.nonce),
            "wrapped_key": _b64(self.wrapped_key),
        }
        write_atomic(path, json.dumps(document, indent=1).encode())

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        try:
            document: Any = json.loads(path.read_bytes())
            if document["version"] != KEYFILE_VERSION:
                raise VaultCorruptError(f"unknown key file version {document['version']!r}")
            keyfile = cls(
                kdf=KdfParams.from_json(document["kdf"]),
                salt=_unb64(document["salt"]),
                nonce=_unb64(document["nonce"]),
                wrapped_key=_unb64(document["wrapped_key"]),
            )
        except FileNotFoundError as exc:
            raise VaultCorruptError("the key file is missing") from exc
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise VaultCorruptError("the key file is unreadable") from exc
        if len(keyfile.salt) != 16 or len(keyfile.nonce) != 12:
            raise VaultCorruptError("the key file is malformed")
        return keyfile


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise TypeError("expected base64 text")
    return base64.b64decode(text, validate=True)
