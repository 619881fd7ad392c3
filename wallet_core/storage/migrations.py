"""Schema versions, applied forward only, each in one transaction.

``PRAGMA user_version`` records the version reached. A database from a newer app version
is refused rather than guessed at. Statements are executed one by one because
``executescript`` would commit half-way.
"""

from __future__ import annotations

from wallet_core.errors import VaultCorruptError
from wallet_core.storage.database import Database

# Index i holds the statements that take the schema from version i to i + 1.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE keys (
            kid TEXT PRIMARY KEY,
            alg TEXT NOT NULL,
            public_jwk TEXT NOT NULL,
            private_key BLOB NOT NULL,
            created_at REAL NOT NULL)""",
        # Summary columns only, so listing thousands of cards reads few pages.
        """CREATE TABLE credentials (
            id TEXT PRIMARY KEY,
            format TEXT NOT NULL,
            type TEXT NOT NULL,
            title TEXT NOT NULL,
            issuer TEXT NOT NULL,
            issuer_name TEXT NOT NULL,
            issued_at REAL,
            expires_at REAL,
            status TEXT NOT NULL,
            status_checked_at REAL,
            key_id TEXT REFERENCES keys(kid),
            added_at REAL NOT NULL)""",
        "CREATE INDEX credentials_by_added ON credentials(added_at DESC, id)",
        """CREATE TABLE credential_data (
            credential_id TEXT PRIMARY KEY REFERENCES credentials(id) ON DELETE CASCADE,
            raw TEXT NOT NULL,
            claims TEXT NOT NULL,
            display TEXT NOT NULL)""",
        """CREATE TABLE activity (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at REAL NOT NULL,
            kind TEXT NOT NULL,
            credential_id TEXT,
            counterparty TEXT,
            details TEXT NOT NULL)""",
        """CREATE TABLE cache (
            namespace TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            fetched_at REAL NOT NULL,
            expires_at REAL,
            PRIMARY KEY (namespace, key))""",
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
    (
        # Batch issuance: further instances of one credential, each bound to its own key,
        # so every presentation can use one no verifier has seen (OpenID4VCI 1.0 §3.3).
        """CREATE TABLE credential_instances (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            credential_id TEXT NOT NULL REFERENCES credentials(id) ON DELETE CASCADE,
            raw TEXT NOT NULL,
            key_id TEXT REFERENCES keys(kid),
            used_at REAL)""",
        "CREATE INDEX credential_instances_by_credential ON credential_instances(credential_id)",
        # Deferred issuance (§9): what is needed to ask again later, across restarts.
        """CREATE TABLE pending_credentials (
            id TEXT PRIMARY KEY,
            issuer TEXT NOT NULL,
            configuration_id TEXT NOT NULL,
            title TEXT NOT NULL,
            transaction_id TEXT NOT NULL,
            session TEXT NOT NULL,
            next_poll_at REAL NOT NULL,
            created_at REAL NOT NULL)""",
        # How to tell the issuer about this credential later (credential_deleted, §10).
        "ALTER TABLE credential_data ADD COLUMN issuance TEXT NOT NULL DEFAULT '{}'",
    ),
    (
        # DPoP (RFC 9449): an issuance session's key, kept while a deferred poll or a
        # notification still needs it; not a holder key (it binds no credential).
        "ALTER TABLE keys ADD COLUMN purpose TEXT NOT NULL DEFAULT 'holder'",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: Database) -> int:
    row = db.query_one("PRAGMA user_version")
    return int(row[0]) if row else 0


def migrate(db: Database, target: int = SCHEMA_VERSION) -> None:
    """Bring ``db`` forward to ``target`` (restore stops early to load an older backup)."""
    current = schema_version(db)
    if current > SCHEMA_VERSION:
        raise VaultCorruptError(
            f"the wallet was written by a newer version (schema {current} > {SCHEMA_VERSION})"
        )
    for version in range(current, target):
        with db.transaction():
            for statement in MIGRATIONS[version]:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {version + 1}")
