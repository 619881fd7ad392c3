"""Vault benchmarks (issue #2): prints medians; no assertions.

    .venv/bin/python benchmarks/vault.py [--credentials 10000] [--repeat 5]

Targets (DESIGN §8): KDF about 0.3-0.5 s; opening a wallet with 10,000 credentials costs
at most 30 ms beyond the KDF; listing 10,000 summaries at most 30 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from helpers import PIN, make_credential
from timing import median_ms

from wallet_core import KdfParams, Wallet
from wallet_core.storage.kdf import derive_key

PASSPHRASE = "benchmark backup passphrase"


def fill(wallet: Wallet, count: int) -> None:
    with wallet._vault.transaction():
        for index in range(count):
            key = wallet.new_key()
            wallet._store_credential(make_credential(index, key_id=key.kid))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--credentials", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    n, repeat = args.credentials, args.repeat
    fast = KdfParams.fast_for_tests()

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        kdf_ms = median_ms(lambda: derive_key(PIN, os.urandom(16), KdfParams()), repeat)
        print(
            f"KDF (Argon2id {KdfParams().memory_kib // 1024} MiB, t={KdfParams().iterations}):"
            f" {kdf_ms:8.1f} ms"
        )

        # A wallet with n credentials, under the real KDF and under the test KDF; the
        # second isolates everything that opening costs besides the KDF.
        real = Wallet.create(base / "real", PIN)
        fill(real, n)
        real.close()
        quick = Wallet.create(base / "quick", PIN, kdf=fast)
        fill(quick, n)
        quick.close()

        open_real = median_ms(lambda: Wallet.open(base / "real", PIN).close(), repeat)
        open_rest = median_ms(lambda: Wallet.open(base / "quick", PIN).close(), repeat * 4)
        print(f"open, {n} credentials, total:         {open_real:8.1f} ms")
        print(f"open, {n} credentials, beyond KDF:    {open_rest:8.1f} ms   (target <= 30)")

        with Wallet.open(base / "quick", PIN) as wallet:
            count = len(wallet.credentials())
            assert count == n
            list_ms = median_ms(wallet.credentials, repeat * 4)
            print(f"list {n} summaries:                  {list_ms:8.1f} ms   (target <= 30)")
            one = wallet.credentials()[n // 2].id
            detail_ms = median_ms(lambda: wallet.credential(one), repeat * 20)
            print(f"one credential in full:              {detail_ms:8.3f} ms")

        with Wallet.create(base / "ins1", PIN, kdf=fast) as wallet:
            batch_ms = median_ms(lambda: fill(wallet, 1000), 3)
            print(f"insert 1,000 in one transaction:      {batch_ms:8.1f} ms")
        with Wallet.create(base / "ins2", PIN, kdf=fast) as wallet:
            counter = iter(range(10**9))

            def one_by_one() -> None:
                for _ in range(1000):
                    wallet._store_credential(make_credential(next(counter)))

            single_ms = median_ms(one_by_one, 3)
            print(
                f"insert 1,000, one transaction each:   {single_ms:8.1f} ms"
                f"   ({single_ms / 1000:.2f} ms per durable commit)"
            )

        backup = base / "backup.bak"
        with Wallet.open(base / "quick", PIN) as wallet:
            export_ms = median_ms(lambda: wallet.export_backup(backup, PASSPHRASE), 3)
        size_mb = backup.stat().st_size / 1e6
        print(f"backup {n} credentials (incl. KDF):  {export_ms:8.1f} ms   ({size_mb:.1f} MB)")
        targets = iter(range(100))

        def restore() -> None:
            Wallet.restore_backup(
                backup, PASSPHRASE, base / f"restored{next(targets)}", PIN, kdf=fast
            ).close()

        restore_ms = median_ms(restore, 3)
        print(f"restore {n} credentials (incl. KDF): {restore_ms:8.1f} ms")


if __name__ == "__main__":
    main()
