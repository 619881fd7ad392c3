"""The app's only calls that create, open or restore a vault (blocking; run them in a thread)."""

from __future__ import annotations

import logging

from app.config import AppConfig
from wallet_core import Wallet, WalletOptions

log = logging.getLogger(__name__)

# A backup that replaces the current wallet is restored here first, so the current
# wallet is only erased once the new one is complete.
REPLACING_DIRNAME = ".wallet-replacing"


def _options(config: AppConfig) -> WalletOptions:
    options = WalletOptions(
        allow_http_loopback=config.allow_http_loopback,
        verifier_trust_anchors=list(config.verifier_trust_anchors),
    )
    if config.wallet_provider is not None:
        options["wallet_provider"] = config.wallet_provider
    return options


def wallet_exists(config: AppConfig) -> bool:
    return Wallet.exists(config.vault_dir)


def create_wallet(config: AppConfig, pin: str) -> Wallet:
    return Wallet.create(
        config.vault_dir,
        pin,
        kdf=config.create_kdf(),
        **_options(config),
    )


def open_wallet(config: AppConfig, pin: str) -> Wallet:
    return Wallet.open(
        config.vault_dir,
        pin,
        **_options(config),
    )


def lockout_remaining(config: AppConfig) -> float:
    return Wallet.lockout_remaining(config.vault_dir)


def restore_wallet(config: AppConfig, backup: bytes, passphrase: str, pin: str) -> Wallet:
    """A new wallet (none exists yet) rebuilt from ``backup`` and protected by ``pin``."""
    return Wallet.restore_backup(
        backup,
        passphrase,
        config.vault_dir,
        pin,
        kdf=config.create_kdf(),
        **_options(config),
    )


def replace_with_backup(
    config: AppConfig, current: Wallet, backup: bytes, passphrase: str, pin: str
) -> Wallet:
    """Swap the open ``current`` wallet for one rebuilt from ``backup``.

    The backup is restored beside the vault first: a wrong passphrase or a damaged file
    raises ``BackupError`` with the current wallet untouched. Only then is the current
    wallet erased and the new one moved into its place. A crash between those two steps
    leaves the complete new wallet beside, which ``finish_interrupted_replace`` moves in.
    """
    staging = config.data_dir / REPLACING_DIRNAME
    if Wallet.exists(staging):  # left by an earlier attempt while the wallet still existed
        Wallet.erase(staging)
    Wallet.restore_backup(backup, passphrase, staging, pin, kdf=config.create_kdf()).close()
    current.delete_wallet()
    staging.rename(config.vault_dir)
    return open_wallet(config, pin)


def finish_interrupted_replace(config: AppConfig) -> None:
    """Complete a replace that stopped after the old wallet was erased (see above)."""
    staging = config.data_dir / REPLACING_DIRNAME
    if not wallet_exists(config) and Wallet.exists(staging):
        log.warning("finishing a restore that was interrupted")
        staging.rename(config.vault_dir)
