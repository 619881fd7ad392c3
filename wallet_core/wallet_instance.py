"""This wallet instance's own key, the one its wallet provider attests (OpenID4VCI 1.0
Appendix E), and the provider it asks. The key is made at first need and kept in the vault
(never a holder key: it binds no credential, it only says "this is that wallet instance").
"""

from __future__ import annotations

from wallet_core import crypto
from wallet_core.crypto.keys import Signer, signer_from_vault
from wallet_core.network import Network
from wallet_core.oid4vci.attestation import WalletProvider
from wallet_core.storage import Vault
from wallet_core.storage.keys import INSTANCE


def instance_key(vault: Vault) -> Signer:
    kept = vault.keys.all(INSTANCE)
    if kept:
        return signer_from_vault(vault.keys.private_der(kept[0].kid))
    made = crypto.generate("ES256")
    vault.keys.add_signer(made, vault.now(), INSTANCE)
    return made


def provider(url: str, vault: Vault, network: Network) -> WalletProvider:
    return WalletProvider(url, network.http, lambda: instance_key(vault), vault.clock)
