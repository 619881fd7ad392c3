"""Credential records: a narrow summary row plus a data row with the raw credential."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from wallet_core.clock import to_datetime
from wallet_core.errors import NotFoundError, VaultClosedError
from wallet_core.models import (
    CredentialStatus,
    CredentialSummary,
    NewCredential,
    StatusState,
    StoredCredential,
)
from wallet_core.storage.codec import dump_json, load_json, to_epoch
from wallet_core.storage.database import Database, Row


@dataclass(frozen=True)
class CredentialInstance:
    id: int
    raw: str = field(repr=False)
    key_id: str | None
    used_at: float | None


_SUMMARY_COLUMNS = (
    "id, format, type, title, issuer, issuer_name, issued_at, expires_at, "
    "status, status_checked_at, added_at"
)


T = TypeVar("T")


class CredentialRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        # what read_once made of each credential, for as long as the vault is open
        self._read: dict[str, tuple[Callable[[StoredCredential], Any], Any]] = {}

    def read_once(self, credential_id: str, reader: Callable[[StoredCredential], T]) -> T:
        """``reader(get(credential_id))``, remembered while the vault is open.

        A stored credential never changes (only its status does, which a reader must not
        use), so parsing it once per open wallet instead of once per use is safe; deleting
        it forgets what was read, and closing the vault forgets everything (:meth:`forget`).
        Raises ``NotFoundError`` like :meth:`get`, ``VaultClosedError`` once closed.
        """
        if self._db.closed:
            raise VaultClosedError("the wallet is closed")
        known = self._read.get(credential_id)
        if known is not None and known[0] == reader:
            value: T = known[1]
            return value
        value = reader(self.get(credential_id))
        self._read[credential_id] = (reader, value)
        return value

    def add(
        self,
        credential: NewCredential,
        now: float,
        *,
        instances: Sequence[tuple[str, str | None]] = (),
        issuance: Mapping[str, Any] | None = None,
    ) -> str:
        """Store a credential; ``instances`` are further (raw, key id) copies of a batch."""
        credential_id = secrets.token_hex(16)
        with self._db.transaction():
            self._db.execute(
                f"INSERT INTO credentials ({_SUMMARY_COLUMNS}, key_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    credential_id,
                    credential.format,
                    credential.type,
                    credential.title,
                    credential.issuer,
                    credential.issuer_name,
                    to_epoch(credential.issued_at),
                    to_epoch(credential.expires_at),
                    credential.status.state.value,
                    to_epoch(credential.status.checked_at),
                    now,
                    credential.key_id,
                ),
            )
            self._db.execute(
                "INSERT INTO credential_data (credential_id, raw, claims, display, issuance) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    credential_id,
                    credential.raw,
                    dump_json(credential.claims),
                    dump_json(credential.display),
                    dump_json(dict(issuance or {})),
                ),
            )
            self._db.executemany(
                "INSERT INTO credential_instances (credential_id, raw, key_id) VALUES (?, ?, ?)",
                [(credential_id, raw, key_id) for raw, key_id in instances],
            )
        return credential_id

    def with_raw(self, raw: str) -> str | None:
        """The credential stored exactly as ``raw`` (an instance counts), if any."""
        row = self._db.query_one(
            "SELECT credential_id FROM credential_data WHERE raw = ? "
            "UNION SELECT credential_id FROM credential_instances WHERE raw = ? LIMIT 1",
            (raw, raw),
        )
        return None if row is None else str(row[0])

    def instances(self, credential_id: str) -> list[CredentialInstance]:
        """The extra batch instances, unused first."""
        rows = self._db.query(
            "SELECT id, raw, key_id, used_at FROM credential_instances WHERE credential_id = ? "
            "ORDER BY used_at IS NOT NULL, id",
            (credential_id,),
        )
        return [CredentialInstance(row[0], row[1], row[2], row[3]) for row in rows]

    def mark_instance_used(self, instance_id: int, now: float) -> None:
        self._db.execute(
            "UPDATE credential_instances SET used_at = ? WHERE id = ?", (now, instance_id)
        )

    def key_ids(self, credential_id: str) -> list[str]:
        """Every holder key of the credential: its own and its instances'."""
        rows = self._db.query(
            "SELECT key_id FROM credentials WHERE id = ? AND key_id IS NOT NULL "
            "UNION SELECT key_id FROM credential_instances WHERE credential_id = ? "
            "AND key_id IS NOT NULL",
            (credential_id, credential_id),
        )
        return [str(row[0]) for row in rows]

    def issuance(self, credential_id: str) -> dict[str, Any]:
        row = self._db.query_one(
            "SELECT issuance FROM credential_data WHERE credential_id = ?", (credential_id,)
        )
        if row is None:
            raise NotFoundError("no such credential")
        value = load_json(row[0])
        return value if isinstance(value, dict) else {}

    def summaries(self) -> list[CredentialSummary]:
        rows = self._db.query(
            f"SELECT {_SUMMARY_COLUMNS} FROM credentials ORDER BY added_at DESC, id"
        )
        build = _SummaryBuilder()
        return [build(row) for row in rows]

    def get(self, credential_id: str) -> StoredCredential:
        row = self._db.query_one(
            f"SELECT {_SUMMARY_COLUMNS}, key_id, raw, claims, display FROM credentials "
            "JOIN credential_data ON credential_data.credential_id = credentials.id "
            "WHERE id = ?",
            (credential_id,),
        )
        if row is None:
            raise NotFoundError("no such credential")
        summary = _SummaryBuilder()(row[:11])
        return StoredCredential(
            id=summary.id,
            format=summary.format,
            claims=load_json(row[13]),
            issuer=summary.issuer,
            display=load_json(row[14]),
            status=summary.status,
            issued_at=summary.issued_at,
            expires_at=summary.expires_at,
            type=summary.type,
            title=summary.title,
            issuer_name=summary.issuer_name,
            raw=row[12],
            key_id=row[11],
            added_at=summary.added_at,
        )

    def forget(self) -> None:
        """Drop everything read: a closed wallet keeps no decrypted claims in memory."""
        self._read.clear()

    def delete(self, credential_id: str) -> None:
        self._read.pop(credential_id, None)
        # credential_data goes with it through ON DELETE CASCADE.
        if self._db.execute("DELETE FROM credentials WHERE id = ?", (credential_id,)) == 0:
            raise NotFoundError("no such credential")

    def set_status(self, credential_id: str, status: CredentialStatus) -> None:
        changed = self._db.execute(
            "UPDATE credentials SET status = ?, status_checked_at = ? WHERE id = ?",
            (status.state.value, to_epoch(status.checked_at), credential_id),
        )
        if changed == 0:
            raise NotFoundError("no such credential")

    def set_display(self, credential_id: str, display: Mapping[str, Any]) -> None:
        """What the detail screen shows beside the claims (e.g. endorsement outcomes
        checked again); the claims and raw credential never change."""
        self._read.pop(credential_id, None)
        changed = self._db.execute(
            "UPDATE credential_data SET display = ? WHERE credential_id = ?",
            (dump_json(dict(display)), credential_id),
        )
        if changed == 0:
            raise NotFoundError("no such credential")

    def count(self) -> int:
        row = self._db.query_one("SELECT count(*) FROM credentials")
        return int(row[0]) if row else 0


class _SummaryBuilder:
    """Turns summary rows into ``CredentialSummary`` objects, fast enough for 10,000 cards.

    Statuses and validity dates repeat across a wallet, so they are built once per value;
    the dataclass is filled through its ``__dict__`` because the generated frozen
    ``__init__`` (one ``object.__setattr__`` per field) costs more than the query itself.
    tests/storage/test_credentials_repo.py checks this stays equal to the normal path.
    """

    def __init__(self) -> None:
        self._statuses: dict[tuple[str, float | None], CredentialStatus] = {}
        self._dates: dict[float | None, datetime | None] = {None: None}

    def _date(self, epoch: float | None) -> datetime | None:
        try:
            return self._dates[epoch]
        except KeyError:
            moment = self._dates[epoch] = to_datetime(epoch)
            return moment

    def __call__(self, row: Row) -> CredentialSummary:
        status_key = (row[8], row[9])
        status = self._statuses.get(status_key)
        if status is None:
            status = CredentialStatus(StatusState(row[8]), to_datetime(row[9]))
            self._statuses[status_key] = status
        summary: CredentialSummary = object.__new__(CredentialSummary)
        summary.__dict__.update(
            id=row[0],
            format=row[1],
            type=row[2],
            title=row[3],
            issuer=row[4],
            issuer_name=row[5],
            issued_at=self._date(row[6]),
            expires_at=self._date(row[7]),
            status=status,
            added_at=to_datetime(row[10]),
        )
        return summary
