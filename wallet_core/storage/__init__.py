"""The encrypted vault. Used only by ``wallet_core.wallet`` (DESIGN §2)."""

from wallet_core.storage.kdf import KdfParams
from wallet_core.storage.pin_policy import check_backup_passphrase, check_pin
from wallet_core.storage.vault import Vault

__all__ = ["KdfParams", "Vault", "check_backup_passphrase", "check_pin"]
