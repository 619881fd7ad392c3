"""The credential repository's fast summary path must equal the plain dataclass path."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from helpers import make_credential

from wallet_core import (
    CredentialStatus,
    CredentialSummary,
    NotFoundError,
    StatusState,
    StoredCredential,
    VaultClosedError,
    Wallet,
)


def test_fast_summaries_equal_normally_built_ones(wallet: Wallet) -> None:
    checked = datetime(2026, 11, 1, tzinfo=UTC)
    ids = [wallet._store_credential(make_credential(i)).id for i in range(3)]
    wallet._vault.credentials.set_status(ids[1], CredentialStatus(StatusState.INVALID, checked))
    for summary in wallet.credentials():
        fields = {f.name: getattr(summary, f.name) for f in dataclasses.fields(CredentialSummary)}
        assert set(vars(summary)) == set(fields)  # nothing missing, nothing extra
        rebuilt = CredentialSummary(**fields)
        assert rebuilt == summary and hash(rebuilt) == hash(summary)
        assert repr(rebuilt) == repr(summary)
        assert isinstance(summary.added_at, datetime)
    statuses = {s.id: s.status for s in wallet.credentials()}
    assert statuses[ids[1]] == CredentialStatus(StatusState.INVALID, checked)
    assert statuses[ids[0]].state is StatusState.UNKNOWN


def test_summary_is_still_frozen(wallet: Wallet) -> None:
    wallet._store_credential(make_credential(1))
    summary = wallet.credentials()[0]
    try:
        summary.title = "changed"  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("summaries must be immutable")


def test_what_is_read_once_is_kept_until_delete_and_gone_with_the_closed_vault(
    wallet: Wallet,
) -> None:
    calls: list[str] = []

    def reader(stored: StoredCredential) -> str:
        calls.append(stored.id)
        return str(stored.claims["title"])

    repo = wallet._vault.credentials
    kept, other = (wallet._store_credential(make_credential(i)).id for i in range(2))
    assert (
        repo.read_once(kept, reader) == repo.read_once(kept, reader) == "Circular Building Design 0"
    )
    assert calls == [kept]  # read once, then remembered
    repo.read_once(other, reader)
    wallet.delete_credential(other)
    with pytest.raises(NotFoundError):
        repo.read_once(other, reader)  # deleting forgot it: no decrypted leftovers served
    wallet.close()
    with pytest.raises(VaultClosedError):
        repo.read_once(kept, reader)  # a closed wallet serves nothing it read while open
    assert repo._read == {}
