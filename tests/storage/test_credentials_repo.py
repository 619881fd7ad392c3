"""The credential repository's fast summary path must equal the plain dataclass path."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from helpers import make_credential

from wallet_core import CredentialStatus, CredentialSummary, StatusState, Wallet


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
