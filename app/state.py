"""Per-session UI state, and the policy for who holds the vault open.

One vault per data dir, one holder at a time: wallet_core keeps an exclusive file lock
while a ``Wallet`` is open, so a second ``Wallet.open`` raises ``VaultBusyError``.

Policy: every browser tab is its own Flet session and must unlock with the PIN itself.
A tab that tries while another tab holds the wallet gets the translated "open in another
window" message. We deliberately do *not* share one unlocked ``Wallet`` between sessions:
the UI is plain HTTP on a loopback port, so anyone else who can reach that port (another
local account, another browser profile) would get an unlocked wallet without the PIN.

To keep the lock from outliving its tab, a session closes its ``Wallet`` when the user
locks, when the tab disconnects (reload, closed tab: Flet would otherwise keep the session
and the open vault for an hour) and when Flet ends the session. ``close_all_wallets``
covers whatever is still open when the server shuts down.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from app import i18n
from app.config import AppConfig
from app.messages import Message
from app.settings import AppSettings, save_settings
from wallet_core import Wallet

log = logging.getLogger(__name__)

# Every Wallet some session holds open, so shutdown can release their locks.
_open_wallets: dict[int, Wallet] = {}


@dataclass
class SessionState:
    config: AppConfig
    locale: str = i18n.DEFAULT_LOCALE
    wallet: Wallet | None = None
    # Set while the user is expected in another tab (logging in at an institution):
    # hiding this one then does not lock the wallet.
    away_expected: bool = False

    @property
    def unlocked(self) -> bool:
        return self.wallet is not None

    def t(self, key: str, /, **fmt: object) -> str:
        return i18n.t(key, self.locale, **fmt)

    def tn(self, key: str, n: int, /, **fmt: object) -> str:
        return i18n.tn(key, n, self.locale, **fmt)

    def render(self, message: Message) -> str:
        return message.render(self.locale)

    def set_locale(self, locale: str) -> None:
        """Switch language and remember it for the next start (before any unlock)."""
        self.locale = i18n.normalize_locale(locale)
        try:
            save_settings(self.config.settings_path, AppSettings(locale=self.locale))
        except OSError as exc:
            # The switch still applies to this session; only the memory of it is lost.
            log.warning("could not save settings: %s", type(exc).__name__)

    def attach(self, wallet: Wallet) -> None:
        if self.wallet is not None and self.wallet is not wallet:
            self.lock()
        self.wallet = wallet
        _open_wallets[id(wallet)] = wallet

    def lock(self) -> None:
        """Close the wallet (releasing the vault lock); safe to call when already locked."""
        wallet, self.wallet = self.wallet, None
        if wallet is not None:
            _close(wallet)


def close_all_wallets() -> None:
    for wallet in list(_open_wallets.values()):
        _close(wallet)


def _close(wallet: Wallet) -> None:
    _open_wallets.pop(id(wallet), None)
    try:
        wallet.close()
    except Exception as exc:  # closing must never stop a lock or a shutdown
        log.warning("error while closing the wallet: %s", type(exc).__name__)
