"""Home's notices: expiring soon, revoked or suspended, and a missing or old backup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from harness import AppHarness
from test_ui_home import PIN, make_wallet, new_credential, run, unlock

from app import i18n
from app.components.reminders import reminder_text, reminders
from app.config import AppConfig
from app.session import make_main
from wallet_core import CredentialStatus, CredentialSummary, StatusState, Wallet

NOW = datetime(2026, 12, 8, 12, tzinfo=UTC)


def _summary(
    cid: str, expires_in: float | None = None, state: StatusState = StatusState.VALID
) -> CredentialSummary:
    return CredentialSummary(
        id=cid,
        format="dc+sd-jwt",
        type="https://hs.example/types/microcredential",
        title=f"Credential {cid}",
        issuer="https://hs.example",
        issuer_name="Hogeschool Demo",
        issued_at=NOW - timedelta(days=300),
        expires_at=None if expires_in is None else NOW + timedelta(days=expires_in),
        status=CredentialStatus(state),
        added_at=NOW - timedelta(days=300),
    )


def test_which_notices_and_in_what_order() -> None:
    held = [
        _summary("later", expires_in=61),
        _summary("soon", expires_in=59),
        _summary("sooner", expires_in=3),
        _summary("gone", expires_in=-1),  # expired: its card says so, no notice
        _summary("revoked", state=StatusState.INVALID),
        _summary("paused", state=StatusState.SUSPENDED),
    ]
    found = reminders(held, last_backup=None, now=NOW)
    assert [(r.kind, r.credential_id) for r in found] == [
        ("revoked", "revoked"),
        ("suspended", "paused"),
        ("expiring", "sooner"),
        ("expiring", "soon"),
        ("backup_never", None),
    ]
    assert reminders([], last_backup=None, now=NOW) == []  # nothing held, nothing to lose
    fresh = reminders(held[:1], last_backup=NOW - timedelta(days=89), now=NOW)
    assert fresh == []
    [old] = reminders(held[:1], last_backup=NOW - timedelta(days=91), now=NOW)
    assert old.kind == "backup_old"
    nl = reminder_text(old, lambda key, **fmt: i18n.t(key, "nl", **fmt))
    assert nl.startswith("Je laatste back-up is van 8 september 2026.")


def test_home_shows_the_notices_and_a_backup_makes_its_own_go_away(
    config: AppConfig, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    ids = make_wallet(
        config,
        [
            new_credential("Zorgtechnologie", expires_at=now + timedelta(days=20)),
            new_credential("Data-analyse", status=StatusState.INVALID),
            new_credential("Bouwkunde", expires_at=now + timedelta(days=61)),
        ],
    )

    async def first() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            assert h.has(key=f"reminder-revoked-{ids[1]}")
            assert h.has(key=f"reminder-expiring-{ids[0]}")
            assert h.has(key="reminder-backup_never")
            assert not h.has(key=f"reminder-expiring-{ids[2]}")
            await h.click(h.get(key=f"reminder-expiring-{ids[0]}"))  # opens the credential
            await h.wait_for(lambda: h.has(key="detail-title"), what="detail")
            assert h.get(key="detail-title").value == "Zorgtechnologie"
            assert h.client.errors == []

    run(first)
    with Wallet.open(config.vault_dir, PIN) as wallet:
        wallet.export_backup(tmp_path / "wallet.eduwallet-backup", "correct horse battery")

    async def after_backup() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            assert not h.has(key="reminder-backup_never")
            assert not h.has(key="reminder-backup_old")
            assert h.has(key=f"reminder-revoked-{ids[1]}")

    run(after_backup)
