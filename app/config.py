"""Where this process keeps its files, and the test-only switches it was started with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography import x509

    from wallet_core import KdfParams

VAULT_DIRNAME = "wallet"
SETTINGS_FILENAME = "app-settings.json"


@dataclass(frozen=True)
class AppConfig:
    data_dir: Path
    # Test-only: create vaults with a deliberately weak KDF (see app.main, EDUWALLET_TEST_FAST_KDF).
    fast_kdf: bool = False
    # Test-only: let the wallet talk plain http to loopback issuers/verifiers (see app.main,
    # EDUWALLET_TEST_ALLOW_HTTP_LOOPBACK). Off, every non-https URL is refused.
    allow_http_loopback: bool = False
    # Test-only: extra roots for verifier certificates (x509_* client ids), so tests and the
    # demo can use the demo verifier's own CA (see app.main, EDUWALLET_TEST_VERIFIER_CA).
    verifier_trust_anchors: tuple[x509.Certificate, ...] = ()
    # Set by ``--demo``: the demo institution's page, which home's empty state points to.
    demo_issuer_url: str | None = None
    demo_verifier_url: str | None = None  # and the demo employer's
    # Set by ``--demo``: the demo wallet provider, which attests this wallet to issuers.
    wallet_provider: str | None = None

    @property
    def vault_dir(self) -> Path:
        return self.data_dir / VAULT_DIRNAME

    @property
    def settings_path(self) -> Path:
        return self.data_dir / SETTINGS_FILENAME

    def create_kdf(self) -> KdfParams | None:
        """KDF parameters for ``Wallet.create``; None means wallet_core's production cost."""
        if not self.fast_kdf:
            return None
        from wallet_core import KdfParams

        return KdfParams.fast_for_tests()
