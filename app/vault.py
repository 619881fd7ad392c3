"""The app's only calls that create or open a vault (blocking; run them in a thread)."""

from __future__ import annotations

from app.config import AppConfig
from wallet_core import Wallet


def wallet_exists(config: AppConfig) -> bool:
    return Wallet.exists(config.vault_dir)


def create_wallet(config: AppConfig, pin: str) -> Wallet:
    return Wallet.create(
        config.vault_dir,
        pin,
        kdf=config.create_kdf(),
        allow_http_loopback=config.allow_http_loopback,
        verifier_trust_anchors=list(config.verifier_trust_anchors),
    )


def open_wallet(config: AppConfig, pin: str) -> Wallet:
    return Wallet.open(
        config.vault_dir,
        pin,
        allow_http_loopback=config.allow_http_loopback,
        verifier_trust_anchors=list(config.verifier_trust_anchors),
    )
